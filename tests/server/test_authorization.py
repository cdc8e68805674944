"""Every studio route asks Jupyter's authorizer, with the resource "mlstudio"."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jupyter_server.auth.authorizer import Authorizer
from tornado.httpclient import HTTPClientError

from jupyter_mlstudio.server.routes import ROUTES


class DenyStudio(Authorizer):
    """Allows everything but the studio's resource, and records what it was asked."""

    asked: list[tuple[str, str]] = []

    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        DenyStudio.asked.append((action, resource))
        return resource != "mlstudio"


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    config = {**jp_server_config}
    config["ServerApp"] = {**config["ServerApp"], "authorizer_class": DenyStudio}
    return config


@pytest.mark.parametrize("path", [r.path for r in ROUTES if "{" not in r.path])
async def test_authenticated_user_without_permission_gets_403(jp_fetch: Any, path: str) -> None:
    DenyStudio.asked.clear()
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("mlstudio", "api", path.lstrip("/"))
    assert info.value.code == 403
    assert ("read", "mlstudio") in DenyStudio.asked
    body = json.loads(info.value.response.body)
    assert body["code"] == "Forbidden"
