"""Fail if any jupyter_mlstudio handler lacks Jupyter's authentication."""

from __future__ import annotations

import sys
from pathlib import Path

# the repository root: the check lives in tests/support, which is not in the package
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.auth import unauthenticated_endpoints


def main() -> int:
    problems, handlers = unauthenticated_endpoints("jupyter_mlstudio")
    if handlers == 0:
        print("no jupyter_mlstudio routes were registered; nothing was checked", file=sys.stderr)
        return 1
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print("add @tornado.web.authenticated and @authorized to these verbs", file=sys.stderr)
        return 1
    print(f"all {handlers} jupyter_mlstudio routes require authentication")
    return 0


if __name__ == "__main__":
    sys.exit(main())
