"""A job's folder, its hosts' logs and its supervisor file: what every job kind shares.

A job's folder is ``<home>/jobs/<job name>/``. ``logs/<host>.log`` keeps a host's log after
the runner cleaned up; ``ml/`` is algo-1's ``/opt/ml`` and ``hosts/algo-<i>/ml/`` the other
hosts' (:func:`host_ml_dir`). ``supervisor.json`` names the process that supervises the job
(:func:`claim_supervision`), so a restarted studio leaves a job that another living studio
still supervises alone (:func:`supervisor_alive`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from pathlib import Path

from ...config import StudioConfig
from ...exceptions import ValidationError

HOST = "algo-1"
SUPERVISOR_FILE = "supervisor.json"


def jobs_root(config: StudioConfig) -> Path:
    """The folder that holds every job's folder."""
    return config.home / "jobs"


def job_dir(config: StudioConfig, job_name: str) -> Path:
    """The job's folder."""
    return jobs_root(config) / job_name


def log_path(config: StudioConfig, job_name: str, host: str = HOST) -> Path:
    """The file that keeps ``host``'s log (``Host`` is checked: it comes from requests)."""
    if not re.match(r"^[A-Za-z0-9-]{1,63}$", host or ""):
        raise ValidationError(f"invalid host {host!r}", field="Host")
    return job_dir(config, job_name) / "logs" / f"{host}.log"


def host_ml_dir(folder: Path, host: str = HOST) -> Path:
    """A host's ``/opt/ml`` folder inside the job's ``folder``."""
    return folder / "ml" if host == HOST else folder / "hosts" / host / "ml"


def claim_supervision(folder: Path) -> None:
    """Record this process as the supervisor of the job in ``folder``."""
    body = {"pid": os.getpid(), "started_at": time.time()}
    with contextlib.suppress(OSError):
        (folder / SUPERVISOR_FILE).write_text(json.dumps(body))


def release_supervision(folder: Path) -> None:
    """Forget the supervisor of the job in ``folder`` (it has ended or let go)."""
    with contextlib.suppress(OSError):
        (folder / SUPERVISOR_FILE).unlink()


def supervisor_alive(folder: Path) -> bool:
    """Another living process supervises the job in ``folder`` (a killed studio that its
    parent has not reaped yet, a zombie, does not count)."""
    try:
        body = json.loads((folder / SUPERVISOR_FILE).read_text())
        pid = int(body["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if pid == os.getpid():
        return False
    try:
        import psutil

        process = psutil.Process(pid)
        return process.status() != psutil.STATUS_ZOMBIE and process.create_time() <= float(
            body.get("started_at", time.time())
        )
    except Exception:
        return False
