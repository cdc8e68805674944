"""What only the S3 store does: multipart, endpoints from the environment, S3 errors."""

from __future__ import annotations

import hashlib
import os
import socket
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config

from jupyter_mlstudio.artifacts import S3ArtifactStore, open_artifact_store
from jupyter_mlstudio.exceptions import NotFoundError, StoreUnavailableError, ValidationError
from tests.support.seaweedfs import SeaweedS3

pytestmark = pytest.mark.s3

_MB = 1024 * 1024


def test_large_file_goes_multipart(s3_uri: str, tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    with source.open("wb") as handle:
        for _ in range(20):
            handle.write(os.urandom(_MB))
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    with S3ArtifactStore(s3_uri) as store:
        store.put_file("model/big.bin", source)
        head = store.client.head_object(Bucket=store.bucket, Key=store.key_for("model/big.bin"))
        assert "-" in head["ETag"]  # a multipart upload's ETag is "<md5>-<parts>"
        assert store.stat("model/big.bin").size == 20 * _MB

        target = tmp_path / "out" / "big.bin"
        store.download_file("model/big.bin", target)
        assert hashlib.sha256(target.read_bytes()).hexdigest() == digest

        streamed = hashlib.sha256()
        with store.open_read("model/big.bin") as reader:
            while chunk := reader.read(_MB):
                streamed.update(chunk)
        assert streamed.hexdigest() == digest


def test_endpoint_from_environment(s3_env: SeaweedS3) -> None:
    # s3_env sets AWS_ENDPOINT_URL_S3 and the credentials; nothing is passed explicitly.
    with open_artifact_store(f"s3://{s3_env.bucket}/env-test") as store:
        store.put_bytes("hello.txt", b"hi")
        assert store.get_bytes("hello.txt") == b"hi"
        assert store.uri_for("hello.txt") == f"s3://{s3_env.bucket}/env-test/hello.txt"


def test_explicit_endpoint_wins(s3_env: SeaweedS3, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")  # nothing listens there
    store = open_artifact_store(f"s3://{s3_env.bucket}/x", endpoint_url=s3_env.endpoint_url)
    assert store.health().ok


def test_prefixes_are_isolated(s3_env: SeaweedS3) -> None:
    with (
        S3ArtifactStore(f"s3://{s3_env.bucket}/iso/one") as one,
        S3ArtifactStore(f"s3://{s3_env.bucket}/iso/one-two") as sibling,
        S3ArtifactStore(f"s3://{s3_env.bucket}") as whole,
    ):
        one.put_bytes("f.txt", b"1")
        sibling.put_bytes("f.txt", b"2")
        assert [entry.path for entry in one.list(recursive=True)] == ["f.txt"]
        assert whole.get_bytes("iso/one/f.txt") == b"1"
        assert whole.exists("iso/one-two")


def test_content_type_is_stored(s3_uri: str) -> None:
    with S3ArtifactStore(s3_uri) as store:
        store.put_bytes("report", b"<p>", content_type="text/html")
        store.put_bytes("data.csv", b"a,b")
        assert store.stat("report").content_type == "text/html"
        assert store.stat("data.csv").content_type == "text/csv"


def test_never_asks_for_kms(s3_uri: str, tmp_path: Path) -> None:
    seen: list[dict[str, Any]] = []
    with S3ArtifactStore(s3_uri) as store:
        store.client.meta.events.register(
            "provide-client-params.s3.*", lambda params, **_: seen.append(dict(params))
        )
        (tmp_path / "f").write_bytes(b"f")
        store.put_bytes("a", b"a")
        store.put_file("b", tmp_path / "f")
        store.put_dir("c", tmp_path)
    assert seen
    assert not any("SSEKMSKeyId" in params for params in seen)
    assert not any(params.get("ServerSideEncryption") == "aws:kms" for params in seen)


def test_missing_bucket(s3_env: SeaweedS3) -> None:
    with S3ArtifactStore("s3://no-such-bucket-here/p") as store:
        for call in (
            lambda: store.get_bytes("x"),
            lambda: store.stat("x"),
            lambda: store.list(),
            lambda: store.put_bytes("x", b"x"),
        ):
            with pytest.raises(NotFoundError) as info:
                call()
            assert "bucket 'no-such-bucket-here' does not exist" in info.value.message
        health = store.health()
        assert not health.ok
        assert "no-such-bucket-here" in (health.detail or "")


def test_wrong_credentials(s3_env: SeaweedS3, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong")
    with S3ArtifactStore(f"s3://{s3_env.bucket}/creds") as store:
        with pytest.raises(StoreUnavailableError, match="denied"):
            store.get_bytes("x")
        assert not store.health().ok


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_endpoint(s3_env: SeaweedS3) -> None:
    store = S3ArtifactStore(
        "s3://bucket/p",
        endpoint_url=f"http://127.0.0.1:{_closed_port()}",
        client_config=Config(retries={"max_attempts": 1}, connect_timeout=1),
    )
    with store:
        with pytest.raises(StoreUnavailableError, match="cannot reach"):
            store.get_bytes("x")
        with pytest.raises(StoreUnavailableError):
            store.put_bytes("x", b"x")
        with pytest.raises(StoreUnavailableError):
            store.list()
        health = store.health()
        assert not health.ok
        assert health.backend == "s3"


@pytest.mark.parametrize(
    "uri",
    ["s3://", "s3:///prefix", "s3://ab", "s3://bucket/../x", "s3://bucket/p?x=1", "s3://a b/c"],
)
def test_bad_s3_uris(uri: str) -> None:
    with pytest.raises(ValidationError) as info:
        S3ArtifactStore(uri)
    assert info.value.field == "artifact_root"


def test_foreign_keys_are_left_out(s3_uri: str) -> None:
    with S3ArtifactStore(s3_uri) as store:
        store.put_bytes("ok.txt", b"ok")
        # Written by another tool: a key with a tab is no valid artifact path. (SeaweedFS
        # turns backslashes into slashes, so they cannot serve as the example.)
        store.client.put_object(Bucket=store.bucket, Key=store.key_for("odd") + "\tname", Body=b"?")
        assert [entry.path for entry in store.list(recursive=True)] == ["ok.txt"]
        assert [entry.path for entry in store.list()] == ["ok.txt"]
