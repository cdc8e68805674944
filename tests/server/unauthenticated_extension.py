"""A deliberately broken server extension: the control case for the auth check."""

from __future__ import annotations

from typing import Any

from jupyter_server.base.handlers import APIHandler


class OpenHandler(APIHandler):
    def get(self) -> None:  # no @authenticated: the check must catch this
        self.finish("{}")


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    return [{"module": __name__}]


def _load_jupyter_server_extension(server_app: Any) -> None:
    server_app.web_app.add_handlers(".*$", [("/unauthenticated-test", OpenHandler)])
