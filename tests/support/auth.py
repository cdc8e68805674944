"""Find server-extension handlers that lack Jupyter's authentication.

Jupyter Server warns (``JupyterServerAuthWarning``) about every handler verb without an
authentication decorator when unauthenticated access is disallowed; this collects those
warnings for the given extensions. Used by ``scripts/check_auth.py`` and the tests.
"""

from __future__ import annotations

import os
import tempfile
import warnings

from jupyter_server.serverapp import ServerApp
from jupyter_server.utils import JupyterServerAuthWarning
from traitlets.config import Config


def unauthenticated_endpoints(extension: str) -> tuple[list[str], int]:
    """Return (warnings about unauthenticated verbs, number of handlers the extension added)."""
    with tempfile.TemporaryDirectory() as home:
        saved = os.environ.get("MLSTUDIO_HOME")
        os.environ["MLSTUDIO_HOME"] = home
        try:
            app = ServerApp(
                # no S3 server for a look at the handlers (nothing would stop it)
                config=Config({"StudioApp": {"embedded_s3": False}}),
                allow_unauthenticated_access=False,
                jpserver_extensions={extension: True},
                reraise_server_extension_failures=True,
                root_dir=home,
            )
            with warnings.catch_warnings(record=True) as records:
                warnings.simplefilter("always")
                app.initialize(argv=[], find_extensions=False, new_httpserver=False)
            problems = [
                str(r.message)
                for r in records
                if issubclass(r.category, JupyterServerAuthWarning)
                and "jupyter_server_terminals" not in str(r.message)
                and "TermSocket" not in str(r.message)
            ]
            apps = app.extension_manager.extension_apps.get(extension, set())
            handlers = sum(len(getattr(ext, "handlers", [])) for ext in apps)
            for ext in apps:
                studio = getattr(ext, "studio", None)
                if studio is not None:
                    studio.close()
        finally:
            if saved is None:
                os.environ.pop("MLSTUDIO_HOME", None)
            else:
                os.environ["MLSTUDIO_HOME"] = saved
    return problems, handlers
