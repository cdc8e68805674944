"""A Docker engine for tests: the one that answers, or a ``dockerd`` started here.

:func:`docker_engine` yields a :class:`DockerEngine`:

1. ``DOCKER_HOST`` (or the default socket) when an engine answers there, else the socket of
   an engine an earlier run left in the stable folder;
2. otherwise, when ``dockerd`` is installed and we are root, it starts
   ``dockerd --data-root <root>/data-root`` on ``unix://<root>/docker.sock`` (stdin from
   /dev/null, pid recorded in ``<root>/dockerd.pid``), waits for a ping and stops it with
   SIGTERM at the end. ``<root>`` is ``$MLSTUDIO_DOCKER_ROOT`` or the project's
   ``build/docker``, so images survive between runs;
3. otherwise the test is skipped with the reason — or fails when ``CI`` is set.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ENV_ROOT = "MLSTUDIO_DOCKER_ROOT"
DEFAULT_SOCKET = "unix:///var/run/docker.sock"
START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class DockerEngine:
    base_url: str
    started_here: bool
    pid: int | None = None


def default_root() -> Path:
    value = os.environ.get(ENV_ROOT)
    if value:
        return Path(value).expanduser().absolute()
    return Path(__file__).resolve().parents[2] / "build" / "docker"


def unavailable(reason: str) -> None:
    """Skip (locally) or fail (when ``CI`` is set) because no Docker engine can be had."""
    if os.environ.get("CI"):
        pytest.fail(f"Docker tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"Docker tests skipped: {reason}")


def answers(base_url: str, timeout: int = 3) -> bool:
    import docker

    try:
        client = docker.DockerClient(base_url=base_url, timeout=timeout)
    except Exception:
        return False
    try:
        return bool(client.ping())
    except Exception:
        return False
    finally:
        client.close()


def _find_dockerd() -> str | None:
    found = shutil.which("dockerd")
    if found:
        return found
    return "/usr/sbin/dockerd" if Path("/usr/sbin/dockerd").exists() else None


def _stop(pid: int, timeout: float = 20.0) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def start_dockerd(root: Path) -> DockerEngine:
    """Start ``dockerd`` with its data, exec root, pid file and socket under ``root``."""
    dockerd = _find_dockerd()
    if dockerd is None:
        raise RuntimeError(
            "no Docker engine answers and dockerd is not installed (apt-get install -y"
            " --no-install-recommends docker.io iptables); or set DOCKER_HOST"
        )
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        raise RuntimeError("no Docker engine answers and starting dockerd needs root")
    root.mkdir(parents=True, exist_ok=True)
    socket_path = root / "docker.sock"
    base_url = f"unix://{socket_path}"
    socket_path.unlink(missing_ok=True)
    exec_root = (
        Path("/run") / f"mlstudio-docker-{hashlib.sha1(str(root).encode()).hexdigest()[:10]}"
    )
    log = open(root / "dockerd.log", "ab")  # noqa: SIM115 - handed to the daemon
    try:
        proc = subprocess.Popen(
            [
                dockerd,
                "--data-root", str(root / "data-root"),
                "--exec-root", str(exec_root),
                "--pidfile", str(root / "dockerd.pid"),
                "--host", base_url,
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    finally:
        log.close()
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        if socket_path.exists() and answers(base_url, timeout=2):
            return DockerEngine(base_url, True, proc.pid)
        time.sleep(0.2)
    _stop(proc.pid)
    tail = (root / "dockerd.log").read_text(errors="replace").splitlines()[-20:]
    raise RuntimeError("dockerd did not answer:\n" + "\n".join(tail))


@contextlib.contextmanager
def docker_engine(root: Path | None = None) -> Iterator[DockerEngine]:
    """Yield an engine (see the module docstring); sets DOCKER_HOST while it lasts."""
    root = root or default_root()
    candidates = [os.environ.get("DOCKER_HOST") or DEFAULT_SOCKET, f"unix://{root}/docker.sock"]
    engine: DockerEngine | None = None
    for url in candidates:
        if answers(url):
            engine = DockerEngine(url, False)
            break
    if engine is None:
        try:
            engine = start_dockerd(root)
        except RuntimeError as exc:
            unavailable(str(exc))
            return
    previous = os.environ.get("DOCKER_HOST")
    os.environ["DOCKER_HOST"] = engine.base_url
    try:
        yield engine
    finally:
        if previous is None:
            os.environ.pop("DOCKER_HOST", None)
        else:
            os.environ["DOCKER_HOST"] = previous
        if engine.started_here and engine.pid is not None:
            _stop(engine.pid)
