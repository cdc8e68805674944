"""Picking the store from the artifact root's URI."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_mlstudio.artifacts import FileArtifactStore, S3ArtifactStore, open_artifact_store
from jupyter_mlstudio.exceptions import ValidationError


def test_file_uri(tmp_path: Path) -> None:
    store = open_artifact_store((tmp_path / "with space").as_uri())
    assert isinstance(store, FileArtifactStore)
    assert store.root == tmp_path / "with space"
    assert store.root_uri == (tmp_path / "with space").as_uri()
    store.put_bytes("a.txt", b"a")
    assert (tmp_path / "with space" / "a.txt").read_bytes() == b"a"


def test_file_uri_round_trips(tmp_path: Path) -> None:
    store = FileArtifactStore(tmp_path / "r")
    store.put_bytes("sub dir/f.txt", b"f")
    again = open_artifact_store(store.uri_for("sub dir"))
    assert again.get_bytes("f.txt") == b"f"


def test_localhost_and_plain_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    local = open_artifact_store(f"file://localhost{tmp_path}")
    assert isinstance(local, FileArtifactStore)
    assert local.root == tmp_path
    assert isinstance(open_artifact_store(str(tmp_path)), FileArtifactStore)
    monkeypatch.chdir(tmp_path)
    relative = open_artifact_store("artifacts")
    assert isinstance(relative, FileArtifactStore)
    assert relative.root == tmp_path / "artifacts"


def test_s3_uri() -> None:
    store = open_artifact_store("s3://my-bucket/some/prefix", endpoint_url="http://127.0.0.1:9")
    assert isinstance(store, S3ArtifactStore)
    assert store.bucket == "my-bucket"
    assert store.prefix == "some/prefix"
    assert store.root_uri == "s3://my-bucket/some/prefix"
    assert store.uri_for("a/b") == "s3://my-bucket/some/prefix/a/b"
    store.close()


@pytest.mark.parametrize(
    "uri",
    [
        "",
        "   ",
        "ftp://host/x",
        "http://example.com/artifacts",
        "gs://bucket/x",
        "file://otherhost/x",
        "file:relative/path",
        "file:///tmp/x?query=1",
        "/tmp/a\x00b",
    ],
)
def test_rejected_roots(uri: str) -> None:
    with pytest.raises(ValidationError) as info:
        open_artifact_store(uri)
    assert info.value.field == "artifact_root"


def test_options_only_for_s3(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        open_artifact_store(str(tmp_path), endpoint_url="http://x")
