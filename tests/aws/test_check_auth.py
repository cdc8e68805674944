"""scripts/check_auth.py accepts the SageMaker API's SigV4 verbs and nothing else public."""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.base.handlers import APIHandler

from jupyter_mlstudio.server.handlers.aws import AwsApiHandler

SCRIPT = Path(__file__).parents[2] / "scripts" / "check_auth.py"


def load_check() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_auth", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_auth"] = module
    spec.loader.exec_module(module)
    return module


class PublicHandler(APIHandler):
    @allow_unauthenticated
    def post(self) -> None:
        self.finish("{}")


def look_alike(method: Any) -> Any:
    """Marks itself as the SigV4 check would, without checking anything."""

    @functools.wraps(method)
    async def aws_authenticated_verb(self: Any) -> None:
        await method(self)

    setattr(aws_authenticated_verb, "__allow_unauthenticated", True)
    return aws_authenticated_verb


class LookAlikeHandler(APIHandler):
    @look_alike
    async def post(self) -> None:
        self.finish("{}")


def test_only_the_sigv4_verbs_pass() -> None:
    check = load_check()
    rules = [("/a", AwsApiHandler), ("/b", PublicHandler), ("/c", LookAlikeHandler)]
    problems = check.public_verbs(rules)
    assert len(problems) == 2
    assert "PublicHandler" in problems[0]
    assert "LookAlikeHandler" in problems[1]
    studio = check.studio_rules()
    assert any(rule[1] is AwsApiHandler for rule in studio)
    assert check.public_verbs(studio) == []
