"""Fail if any jupyter_mlstudio handler lacks authentication.

Two checks. Jupyter's own: every verb needs ``@tornado.web.authenticated`` (Jupyter
warns about the others). Jupyter also lets through verbs marked
``@allow_unauthenticated``; the studio has none that are public: such a verb passes
only when it is the SageMaker API's SigV4 check (``server/handlers/aws.py``,
``aws_authenticated``), recognised by its code object, which no other function shares,
so a verb merely marked public, or wrapped to look alike, is reported.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jupyter_server.base.handlers import APIHandler
from tornado.web import RequestHandler

# the repository root: the check lives in tests/support, which is not in the package
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jupyter_mlstudio.server.handlers.aws import aws_authenticated
from tests.support.auth import unauthenticated_endpoints


async def _probe(_: Any) -> None:
    """A verb to wrap: the wrapper's code object is what every SigV4 verb runs."""


SIGV4_VERB_CODE = aws_authenticated(_probe).__code__


def verifies_sigv4(method: Any) -> bool:
    """Whether a verb is wrapped by ``aws_authenticated`` (signature or Jupyter auth)."""
    return getattr(method, "__code__", None) is SIGV4_VERB_CODE


def public_verbs(rules: Iterable[tuple[Any, ...]]) -> list[str]:
    """Verbs Jupyter would let through unauthenticated that do not verify SigV4.

    Args:
        rules: Tornado rules (pattern, handler, ...) of an extension.

    Returns:
        One line per such verb.
    """
    problems = []
    for rule in rules:
        pattern, handler = rule[0], rule[1]
        for verb in handler.SUPPORTED_METHODS:
            method = getattr(handler, verb.lower(), None)
            if method is None or method is RequestHandler._unimplemented_method:
                continue
            if method is getattr(APIHandler, verb.lower(), None):
                continue  # Jupyter's own (OPTIONS: the CORS preflight it allows)
            if getattr(method, "__allow_unauthenticated", False) and not verifies_sigv4(method):
                problems.append(
                    f"- {verb} of {handler.__name__} registered for {pattern} is public"
                )
    return problems


def studio_rules() -> list[tuple[Any, ...]]:
    """The tornado rules the studio's extension registers."""
    from jupyter_mlstudio.server.extension import StudioApp

    app = StudioApp()
    app.initialize_handlers()
    return [tuple(rule) for rule in app.handlers]


def main() -> int:
    problems, handlers = unauthenticated_endpoints("jupyter_mlstudio")
    if handlers == 0:
        print("no jupyter_mlstudio routes were registered; nothing was checked", file=sys.stderr)
        return 1
    public = public_verbs(studio_rules())
    if problems or public:
        print("\n".join(problems + public), file=sys.stderr)
        print(
            "add @tornado.web.authenticated and @authorized to these verbs (or, for the"
            " SageMaker API, aws_authenticated)",
            file=sys.stderr,
        )
        return 1
    print(f"all {handlers} jupyter_mlstudio routes require authentication")
    return 0


if __name__ == "__main__":
    sys.exit(main())
