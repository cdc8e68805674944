"""Fail if any jupyter_mlstudio handler lacks Jupyter's authentication.

Jupyter Server warns about every handler without an authentication decorator when
unauthenticated access is disallowed; this turns each such warning into a failure.
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings

from jupyter_server.serverapp import ServerApp
from jupyter_server.utils import JupyterServerAuthWarning


def main() -> int:
    with tempfile.TemporaryDirectory() as home:
        os.environ["MLSTUDIO_HOME"] = home
        app = ServerApp(
            allow_unauthenticated_access=False,
            jpserver_extensions={"jupyter_mlstudio": True},
            reraise_server_extension_failures=True,
        )
        with warnings.catch_warnings(record=True) as records:
            warnings.simplefilter("always")
            app.initialize(argv=[], find_extensions=False, new_httpserver=False)
        problems = [
            str(r.message) for r in records if issubclass(r.category, JupyterServerAuthWarning)
        ]
        studio_apps = app.extension_manager.extension_apps.get("jupyter_mlstudio", set())
        studio_rules = [rule for ext in studio_apps for rule in getattr(ext, "handlers", [])]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print("add @tornado.web.authenticated and @authorized to these verbs", file=sys.stderr)
        return 1
    if not studio_rules:
        print("no jupyter_mlstudio routes were registered; nothing was checked", file=sys.stderr)
        return 1
    print("every jupyter_mlstudio endpoint requires authentication")
    return 0


if __name__ == "__main__":
    sys.exit(main())
