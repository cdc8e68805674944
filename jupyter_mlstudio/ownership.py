"""Which studio owns a home folder, and how to reach it.

Jobs and endpoints have exactly one owner: the studio that holds ``<home>/studio.lock``
(an exclusive ``flock`` kept for the studio's whole life, so the kernel drops it when the
owner dies, even by ``kill -9``). The owner publishes ``<home>/studio.json`` (mode 0600:
it holds the server's token) saying where it answers. Only the owner re-attaches jobs and
rebuilds endpoints at start-up, so a studio never removes instances another live studio
serves.

A studio is either ``jupyterlab`` (the server extension inside a user's Jupyter server)
or ``background`` (``mlstudio serve``, started by the SDK when a script needs a studio and
none runs). A JupyterLab studio takes a home over from a background one (asks it to stop
and waits for the lock); a background studio never takes over, and a second JupyterLab on
a home already owned runs without owning (it shows the records but leaves jobs and
endpoints to the owner).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any, Literal

from .exceptions import ConflictError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = "studio.lock"
OWNER_FILE = "studio.json"
START_LOCK_FILE = "studio-start.lock"
OwnerKind = Literal["jupyterlab", "background"]

#: the locks this process holds, by lock path: flock conflicts between two open files of
#: one process too, so a second acquire in the owning process shares the first
_held: dict[Path, HomeLock] = {}
_held_lock = threading.Lock()


@dataclass(frozen=True)
class Owner:
    """Where the studio that owns a home answers.

    Attributes:
        url: The Jupyter server's base URL (``http://127.0.0.1:PORT/base/``).
        token: The server's token ("" when it uses no token).
        pid: The server's process id.
        kind: ``jupyterlab`` or ``background``.
    """

    url: str
    token: str
    pid: int
    kind: OwnerKind

    @property
    def api_url(self) -> str:
        """The studio's REST API root (``<url>mlstudio/api``)."""
        return self.url.rstrip("/") + "/mlstudio/api"


class HomeLock:
    """The owner lock of one home folder, held by this process (see :func:`acquire_home`).

    Thread-safe; every :func:`acquire_home` that returned it is matched by one
    :meth:`release`, and the last one gives the home up.
    """

    def __init__(self, home: Path, handle: IO[str]) -> None:
        self.home = home
        self._handle: IO[str] | None = handle
        self._refs = 1

    def publish(self, owner: Owner) -> None:
        """Write ``studio.json`` for the owner (atomically, readable by its user only).

        Args:
            owner: Where the owning studio answers.
        """
        target = self.home / OWNER_FILE
        tmp = target.with_name(f".{OWNER_FILE}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(asdict(owner), out)
        os.replace(tmp, target)

    def release(self) -> None:
        """Drop this hold; the last one removes ``studio.json`` and unlocks the home."""
        with _held_lock:
            if self._handle is None:
                return
            self._refs -= 1
            if self._refs > 0:
                return
            with contextlib.suppress(FileNotFoundError):
                (self.home / OWNER_FILE).unlink()
            self._handle.close()  # closing the file drops the flock
            self._handle = None
            _held.pop(_key(self.home), None)


def acquire_home(home: Path) -> HomeLock | None:
    """Take the owner lock of ``home`` without waiting.

    Args:
        home: The studio home folder (created if missing).

    Returns:
        The lock (shared with any earlier holder in this process), or None when another
        process owns the home.
    """
    home = Path(home)
    with _held_lock:
        lock = _held.get(_key(home))
        if lock is not None:
            lock._refs += 1
            return lock
        home.mkdir(parents=True, exist_ok=True)
        handle = open(home / LOCK_FILE, "a+", encoding="utf-8")  # noqa: SIM115 - kept open
        if fcntl is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                return None
        lock = HomeLock(home, handle)
        _held[_key(home)] = lock
        return lock


def _key(home: Path) -> Path:
    return (Path(home) / LOCK_FILE).resolve()


def current_owner(home: Path) -> Owner | None:
    """The live owner of ``home``, or None when no studio owns it (or it is starting).

    Args:
        home: The studio home folder.

    Returns:
        The owner published in ``studio.json`` while its lock is held.
    """
    home = Path(home)
    if not _lock_held(home):
        return None
    try:
        data: dict[str, Any] = json.loads((home / OWNER_FILE).read_text(encoding="utf-8"))
        kind = data["kind"]
        if kind not in ("jupyterlab", "background"):
            return None
        return Owner(
            url=str(data["url"]), token=str(data["token"]), pid=int(data["pid"]), kind=kind
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # not published yet, or being rewritten


def _lock_held(home: Path) -> bool:
    path = home / LOCK_FILE
    with _held_lock:
        if _key(home) in _held:
            return True
    if fcntl is None or not path.exists():  # pragma: no cover - no flock: trust the file
        return (home / OWNER_FILE).exists()
    with open(path, "a+", encoding="utf-8") as probe:
        try:
            fcntl.flock(probe.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(probe.fileno(), fcntl.LOCK_UN)
        return False


def stop_owner(home: Path, *, timeout: float = 30.0) -> bool:
    """Ask the studio that owns ``home`` to stop (SIGTERM) and wait until it let go.

    Args:
        home: The studio home folder.
        timeout: Seconds to wait for the lock to be free.

    Returns:
        True when no studio owns the home any more.
    """
    owner = current_owner(home)
    if owner is None:
        return not _lock_held(home)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(owner.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _lock_held(home):
            return True
        time.sleep(0.05)
    return False


def claim_home(
    home: Path, *, take_over: bool, log: logging.Logger | None = None
) -> HomeLock | None:
    """Become the owner of ``home`` if this studio may.

    Args:
        home: The studio home folder.
        take_over: Whether to stop a background studio that owns it (a JupyterLab does;
            a background studio never takes over).
        log: Where to say what happened.

    Returns:
        The lock when this studio now owns the home; None when another studio does.
    """
    log = log or logging.getLogger(__name__)
    lock = acquire_home(home)
    if lock is not None:
        return lock
    owner = current_owner(home)
    if take_over and owner is not None and owner.kind == "background":
        log.info("ML Studio: taking %s over from the background studio (pid %s)", home, owner.pid)
        if stop_owner(home):
            lock = acquire_home(home)
            if lock is not None:
                return lock
    where = f"the studio at {owner.url} (pid {owner.pid})" if owner else "another studio"
    log.warning(
        "ML Studio: %s owns %s; this one shows its records but leaves its jobs and endpoints to it",
        where,
        home,
    )
    return None


@contextlib.contextmanager
def start_lock(home: Path) -> Iterator[None]:
    """Hold ``<home>/studio-start.lock`` (waiting for it): one process at a time starts a
    background studio for a home.

    Args:
        home: The studio home folder (created if missing).
    """
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    with open(home / START_LOCK_FILE, "a+", encoding="utf-8") as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class OwnerCheck:
    """Refuses, in a studio that does not own its home, what would start processes: a job
    or an endpoint started there would die with that studio while its record said it ran.

    Args:
        home: The studio home folder.
        owns: Whether this studio owns it (holds its lock).
    """

    def __init__(self, home: Path, *, owns: bool) -> None:
        self.home = Path(home)
        self.owns = owns

    def require(self, field: str) -> None:
        """Raise unless this studio owns its home.

        Args:
            field: The request field to name (the job's or endpoint's name).

        Raises:
            ConflictError: Another studio owns the home; the message says which.
        """
        if self.owns:
            return
        owner = current_owner(self.home)
        where = f"the studio at {owner.url} (pid {owner.pid})" if owner else "another studio"
        raise ConflictError(
            f"this studio does not own {self.home}; {where} does: start jobs and endpoints there",
            field=field,
        )
