"""Jupyter server configuration for the Galata UI tests (never use it in production).

The studio keeps its data in a fresh temporary MLSTUDIO_HOME per server start, so
every run starts empty; the port comes from MLSTUDIO_UI_PORT (default 8899).
"""

import os
from tempfile import mkdtemp

from jupyterlab.galata import configure_jupyter_server

# Before the server extension loads and resolves its configuration.
os.environ["MLSTUDIO_HOME"] = mkdtemp(prefix="mlstudio-ui-home-")
os.environ.pop("MLSTUDIO_DATABASE_URL", None)
os.environ.pop("MLSTUDIO_ARTIFACT_ROOT", None)

c = get_config()  # noqa: F821

configure_jupyter_server(c)

c.ServerApp.allow_root = True
c.ServerApp.port = int(os.environ.get("MLSTUDIO_UI_PORT", "8899"))
c.ServerApp.root_dir = mkdtemp(prefix="mlstudio-ui-root-")

# Uncomment to see the server's log of each request:
# c.ServerApp.log_level = "DEBUG"

# Endpoint autoscaling looks at the invocations every 2 s instead of CloudWatch's minute,
# so the Autoscaling tab's spec sees instances come and go within seconds.
c.StudioApp.autoscaling_period = 2.0
