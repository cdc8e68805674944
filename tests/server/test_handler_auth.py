"""No studio handler may lack Jupyter's authentication (the check is proven to bite)."""

from __future__ import annotations

from jupyter_mlstudio.server.handlers.aws import aws_handlers
from jupyter_mlstudio.server.handlers.aws_metrics import aws_rest_json_handlers
from jupyter_mlstudio.server.handlers.base import StudioHandler
from jupyter_mlstudio.server.routes import ROUTES, handlers
from tests.support.auth import unauthenticated_endpoints


def test_every_studio_handler_is_authenticated() -> None:
    problems, count = unauthenticated_endpoints("jupyter_mlstudio")
    # + the JSON 404 of unknown paths, and the SageMaker-compatible API's two protocols
    # (JSON 1.1 with the runtime, REST-JSON of sagemaker-metrics; SigV4 or the token)
    aws = aws_handlers() + aws_rest_json_handlers()
    assert count == len(handlers()) + len(aws) == len(ROUTES) + 3
    assert problems == []


def test_the_check_catches_a_handler_without_auth() -> None:
    problems, _ = unauthenticated_endpoints("tests.server.unauthenticated_extension")
    assert any("OpenHandler" in p for p in problems), problems


def test_every_route_handler_derives_from_the_studio_base() -> None:
    for route in ROUTES:
        assert issubclass(route.handler, StudioHandler), route.path
        assert route.handler.operations, route.path
