"""The one studio that runs the SDK's jobs and endpoints.

Jobs, transform jobs and endpoints always go over HTTP to the studio that owns the home
(:mod:`jupyter_mlstudio.ownership`): the JupyterLab serving it, or else a background
``mlstudio serve`` that this module starts (one per home, whoever asks first) and that
keeps running after the script ends, so that what the script started has an owner. A
JupyterLab started later on the same home takes it over; ``mlstudio stop`` ends it.

Tracking may still write straight into the SQL store (a ``sqlite:``/``postgresql:``
tracking URI, or none); the studio started for it then uses the same store and artifact
root.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from ..config import ENV_ARTIFACT_ROOT, ENV_DATABASE_URL, resolve_config
from ..exceptions import StoreUnavailableError, ValidationError
from ..ownership import Owner, current_owner, start_lock
from .tracking_uri import Tracking
from .transport import StudioConnection

#: Seconds to wait for a background studio to answer.
START_TIMEOUT = 90.0


def studio_connection(tracking: Tracking) -> StudioConnection:
    """The connection to the studio that owns what ``tracking`` tracks.

    Args:
        tracking: The tracking in use (a studio over HTTP, or a SQL store).

    Returns:
        The tracking's studio when it talks to one; else the home's owner's, started in
        the background when no studio owns the home.

    Raises:
        ValidationError: The home's owner uses another metadata store than ``tracking``.
        StoreUnavailableError: No studio could be started.
    """
    if tracking.studio is not None:
        return tracking.studio
    home = resolve_config().home
    owner = current_owner(home) or _start(home, tracking)
    studio = StudioConnection(owner.url, token=owner.token)
    served = str(studio.json("GET", "health")["Store"]["Url"])
    if served != tracking.uri:
        raise ValidationError(
            f"the studio that owns {home} ({owner.url}) keeps its records in {served}, not in"
            f" {tracking.uri}: use MLSTUDIO_HOME to pick another home for that store, or"
            " MLSTUDIO_TRACKING_URI to use that studio",
            field="tracking_uri",
        )
    return studio


def _start(home: Path, tracking: Tracking) -> Owner:
    """Start ``mlstudio serve`` for ``home`` (unless another caller just did) and wait."""
    with start_lock(home):  # one starter at a time: the others find its owner
        owner = current_owner(home)
        if owner is not None:
            return owner
        logs = home / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        if tracking.database_url is None or tracking.artifact_root is None:
            raise ValidationError("jobs and endpoints need a studio", field="tracking_uri")
        env[ENV_DATABASE_URL] = tracking.database_url
        env[ENV_ARTIFACT_ROOT] = tracking.artifact_root
        env.pop("MLSTUDIO_TOKEN", None)  # the studio makes its own
        command = [sys.executable, "-m", "jupyter_mlstudio.cli", "serve", "--home", str(home)]
        with open(logs / "studio.log", "ab") as log:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=str(home),
                start_new_session=True,  # outlives the script, and its Ctrl-C
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            owner = current_owner(home)
            if owner is not None:
                return owner
            if process.poll() is not None and current_owner(home) is None:
                break
            time.sleep(0.1)
        raise StoreUnavailableError(
            f"could not start a studio for {home} (see {logs / 'studio.log'});"
            f" try `mlstudio serve --home {home}`"
        )
