"""The one studio that runs the SDK's jobs and endpoints.

Jobs, transform jobs and endpoints always go over HTTP to the studio that owns the home
(:mod:`jupyter_mlstudio.ownership`): the JupyterLab serving it, or else a background
``mlstudio serve`` that this module starts (one per home, whoever asks first) and that
keeps running after the script ends, so that what the script started has an owner. A
JupyterLab started later on the same home takes it over; ``mlstudio stop`` ends it.

Tracking may still write straight into the SQL store (:class:`.backends.DirectBackend`);
the studio started for it then uses the same store and artifact root.
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
from .backends import DirectBackend, TrackingBackend
from .http import HttpBackend
from .transport import StudioConnection

#: Seconds to wait for a background studio to answer.
START_TIMEOUT = 90.0


def studio_connection(backend: TrackingBackend) -> StudioConnection:
    """The connection to the studio that owns what ``backend`` tracks.

    Args:
        backend: The tracking backend in use (HTTP, or direct to a SQL store).

    Returns:
        ``backend``'s own when it talks to a studio; else the home's owner's, started in
        the background when no studio owns the home.

    Raises:
        ValidationError: The home's owner uses another metadata store than ``backend``.
        StoreUnavailableError: No studio could be started.
    """
    if isinstance(backend, HttpBackend):
        return backend.connection
    if not isinstance(backend, DirectBackend):
        raise ValidationError(
            f"jobs and endpoints need a studio; {type(backend).__name__} is not one",
            field="sagemaker_session",
        )
    home = resolve_config().home
    owner = current_owner(home) or _start(home, backend)
    studio = StudioConnection(owner.url, token=owner.token)
    served = str(studio.json("GET", "health")["Store"]["Url"])
    if served != backend.uri:
        raise ValidationError(
            f"the studio that owns {home} ({owner.url}) keeps its records in {served}, not in"
            f" {backend.uri}: use MLSTUDIO_HOME to pick another home for that store, or"
            " MLSTUDIO_TRACKING_URI to use that studio",
            field="tracking_uri",
        )
    return studio


def _start(home: Path, backend: DirectBackend) -> Owner:
    """Start ``mlstudio serve`` for ``home`` (unless another caller just did) and wait."""
    with start_lock(home):  # one starter at a time: the others find its owner
        owner = current_owner(home)
        if owner is not None:
            return owner
        logs = home / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env[ENV_DATABASE_URL] = backend.database_url
        env[ENV_ARTIFACT_ROOT] = backend.artifact_root
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
