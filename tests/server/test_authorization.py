"""Every studio route asks Jupyter's authorizer, with the resource "mlstudio"."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jupyter_server.auth.authorizer import Authorizer
from tornado.httpclient import HTTPClientError
from tornado.web import RequestHandler

from jupyter_mlstudio.server.routes import ROUTES, Route


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


def _reads(route: Route) -> bool:
    """Whether the route answers GET (else it is asked with a POST: e.g. /search)."""
    return route.handler.get is not RequestHandler.get


@pytest.mark.parametrize("route", [r for r in ROUTES if "{" not in r.path], ids=lambda r: r.path)
async def test_authenticated_user_without_permission_gets_403(jp_fetch: Any, route: Route) -> None:
    DenyStudio.asked.clear()
    reads = _reads(route)
    options: dict[str, Any] = {} if reads else {"method": "POST", "body": "{}"}
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("mlstudio", "api", route.path.lstrip("/"), **options)
    assert info.value.code == 403
    assert ("read" if reads else "write", "mlstudio") in DenyStudio.asked
    assert info.value.response is not None
    body = json.loads(info.value.response.body)
    assert body["code"] == "Forbidden"
