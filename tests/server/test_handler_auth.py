"""No studio handler may lack Jupyter's authentication (the check is proven to bite)."""

from __future__ import annotations

from jupyter_mlstudio.server.handlers.aws import aws_handlers
from jupyter_mlstudio.server.handlers.base import StudioHandler
from jupyter_mlstudio.server.routes import ROUTES, handlers
from tests.support.auth import unauthenticated_endpoints


def test_every_studio_handler_is_authenticated() -> None:
    problems, count = unauthenticated_endpoints("jupyter_mlstudio")
    # + the JSON 404 of unknown paths, and the SageMaker-compatible API (SigV4 or token)
    assert count == len(handlers()) + len(aws_handlers()) == len(ROUTES) + 2
    assert problems == []


def test_the_check_catches_a_handler_without_auth() -> None:
    problems, _ = unauthenticated_endpoints("tests.server.unauthenticated_extension")
    assert any("OpenHandler" in p for p in problems), problems


def test_every_route_handler_derives_from_the_studio_base() -> None:
    for route in ROUTES:
        assert issubclass(route.handler, StudioHandler), route.path
        assert route.handler.operations, route.path
