"""The contract test suite every :class:`ArtifactStore` passes.

Use it by subclassing in a test module and providing an ``artifact_store`` fixture that
yields an empty store (a fresh folder or a fresh S3 prefix per test)::

    from jupyter_mlstudio.testing.artifact_contract import ArtifactStoreContract

    class TestMyStore(ArtifactStoreContract):
        pass

The tests use only the public contract of :mod:`jupyter_mlstudio.artifacts.base`.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from jupyter_mlstudio.artifacts.base import ArtifactInfo, ArtifactStore
from jupyter_mlstudio.exceptions import (
    ArtifactPathError,
    NotFoundError,
    ValidationError,
)

#: Paths that every store rejects with ``ArtifactPathError`` before any I/O.
ESCAPING_PATHS = [
    "../outside.txt",
    "a/../../outside.txt",
    "a/..",
    "..",
    "/etc/passwd",
    "//server/share",
    "a\\..\\b",
    "..\\outside",
    "a//b",
    "a/\x00b",
    "a\nb",
    "%2e%2e/outside.txt",
    "..%2foutside.txt",
    "a/%2E%2E/%2e%2e/outside",
    "%00",
    "~/outside",
    "x" * 256,
]

#: Unusual names that are valid paths and must round-trip unchanged.
ODD_NAMES = [
    "with space.txt",
    "plus+sign=eq&amp;.bin",
    "percent%20literal.txt",
    "question?hash#.txt",
    "unicodé-名前.txt",
    "dots...txt",
    ".hidden",
    "-dash",
]


def _tree(store: ArtifactStore) -> None:
    store.put_bytes("a/one.txt", b"1")
    store.put_bytes("a/b/two.json", b'{"v": 2}')
    store.put_bytes("a/b/c/three.bin", b"333")
    store.put_bytes("ab/sibling.txt", b"s")
    store.put_bytes("top.txt", b"top")


def _paths(entries: list[ArtifactInfo]) -> list[tuple[str, bool]]:
    return [(entry.path, entry.is_dir) for entry in entries]


class ArtifactStoreContract:
    """Behaviour shared by every artifact store; see the module docstring."""

    # -- writing and reading ------------------------------------------------------------

    def test_put_and_get_bytes(self, artifact_store: ArtifactStore) -> None:
        artifact_store.put_bytes("model/weights.bin", b"\x00\x01\x02")
        assert artifact_store.get_bytes("model/weights.bin") == b"\x00\x01\x02"

    def test_put_bytes_replaces(self, artifact_store: ArtifactStore) -> None:
        artifact_store.put_bytes("x.txt", b"first version, longer")
        artifact_store.put_bytes("x.txt", b"second")
        assert artifact_store.get_bytes("x.txt") == b"second"

    def test_empty_artifact(self, artifact_store: ArtifactStore) -> None:
        artifact_store.put_bytes("empty", b"")
        assert artifact_store.get_bytes("empty") == b""
        assert artifact_store.stat("empty").size == 0

    def test_bytes_like_data(self, artifact_store: ArtifactStore) -> None:
        artifact_store.put_bytes("ba", bytearray(b"abc"))
        artifact_store.put_bytes("mv", memoryview(b"def"))
        assert artifact_store.get_bytes("ba") + artifact_store.get_bytes("mv") == b"abcdef"

    def test_put_bytes_rejects_text(self, artifact_store: ArtifactStore) -> None:
        with pytest.raises(ValidationError) as info:
            artifact_store.put_bytes("t.txt", "text")  # type: ignore[arg-type]
        assert info.value.field == "data"

    def test_equivalent_spellings(self, artifact_store: ArtifactStore) -> None:
        artifact_store.put_bytes("./d/./e.txt", b"e")
        assert artifact_store.get_bytes("d/e.txt") == b"e"
        assert _paths(artifact_store.list("d/")) == [("d/e.txt", False)]

    def test_get_missing(self, artifact_store: ArtifactStore) -> None:
        with pytest.raises(NotFoundError):
            artifact_store.get_bytes("missing.txt")
        artifact_store.put_bytes("folder/file.txt", b"f")
        with pytest.raises(NotFoundError):
            artifact_store.get_bytes("folder")
        with pytest.raises(NotFoundError):
            artifact_store.get_bytes("folder/file")

    def test_put_file_and_download_file(
        self, artifact_store: ArtifactStore, tmp_path: Path
    ) -> None:
        source = tmp_path / "source.csv"
        source.write_bytes(b"a,b\n1,2\n")
        artifact_store.put_file("data/train.csv", source)
        target = tmp_path / "deep" / "er" / "copy.csv"
        artifact_store.download_file("data/train.csv", target)
        assert target.read_bytes() == b"a,b\n1,2\n"
        artifact_store.put_file("data/str.csv", str(source))
        assert artifact_store.get_bytes("data/str.csv") == source.read_bytes()

    def test_put_file_missing_local(self, artifact_store: ArtifactStore, tmp_path: Path) -> None:
        with pytest.raises(ValidationError) as info:
            artifact_store.put_file("x", tmp_path / "nope")
        assert info.value.field == "local_file"
        with pytest.raises(ValidationError):
            artifact_store.put_file("x", tmp_path)  # a folder is not a file
        assert not artifact_store.exists("x")

    def test_download_missing_creates_nothing(
        self, artifact_store: ArtifactStore, tmp_path: Path
    ) -> None:
        with pytest.raises(NotFoundError):
            artifact_store.download_file("missing.bin", tmp_path / "sub" / "out.bin")
        assert not (tmp_path / "sub").exists()

    def test_open_read_streams(self, artifact_store: ArtifactStore) -> None:
        payload = bytes(range(256)) * 64
        artifact_store.put_bytes("stream.bin", payload)
        chunks = []
        with artifact_store.open_read("stream.bin") as reader:
            while chunk := reader.read(1000):
                chunks.append(chunk)
        assert b"".join(chunks) == payload
        assert max(len(chunk) for chunk in chunks) == 1000
        with pytest.raises(NotFoundError):
            artifact_store.open_read("missing.bin")

    def test_put_dir_and_download_dir(self, artifact_store: ArtifactStore, tmp_path: Path) -> None:
        source = tmp_path / "src"
        (source / "sub" / "deeper").mkdir(parents=True)
        (source / "empty-folder").mkdir()
        (source / "root.txt").write_bytes(b"r")
        (source / "sub" / "s.txt").write_bytes(b"s")
        (source / "sub" / "deeper" / "d.bin").write_bytes(b"d")
        written = artifact_store.put_dir("job/output", source)
        assert written == [
            "job/output/root.txt",
            "job/output/sub/deeper/d.bin",
            "job/output/sub/s.txt",
        ]

        target = tmp_path / "dst"
        copied = artifact_store.download_dir("job", target)
        assert copied == written
        assert (target / "output" / "sub" / "deeper" / "d.bin").read_bytes() == b"d"
        assert (target / "output" / "root.txt").read_bytes() == b"r"

        with pytest.raises(NotFoundError):
            artifact_store.download_dir("nothing-here", tmp_path / "none")

    def test_put_dir_at_root(self, artifact_store: ArtifactStore, tmp_path: Path) -> None:
        (tmp_path / "f.txt").write_bytes(b"f")
        assert artifact_store.put_dir("", tmp_path) == ["f.txt"]
        with pytest.raises(ValidationError) as info:
            artifact_store.put_dir("x", tmp_path / "missing")
        assert info.value.field == "local_dir"

    def test_odd_names_round_trip(self, artifact_store: ArtifactStore) -> None:
        for index, name in enumerate(ODD_NAMES):
            artifact_store.put_bytes(f"odd/{name}", str(index).encode())
        listed = [entry.path for entry in artifact_store.list("odd")]
        assert listed == sorted(f"odd/{name}" for name in ODD_NAMES)
        for index, name in enumerate(ODD_NAMES):
            assert artifact_store.get_bytes(f"odd/{name}") == str(index).encode()

    # -- inspecting ---------------------------------------------------------------------

    def test_exists(self, artifact_store: ArtifactStore) -> None:
        _tree(artifact_store)
        assert artifact_store.exists("a/one.txt")
        assert artifact_store.exists("a/b")
        assert artifact_store.exists("a/b/")
        assert not artifact_store.exists("a/on")
        assert not artifact_store.exists("a/b/c/three")
        assert not artifact_store.exists("missing")

    def test_stat_artifact(self, artifact_store: ArtifactStore) -> None:
        before = datetime.now(timezone.utc) - timedelta(minutes=5)
        artifact_store.put_bytes("metrics/summary.json", b'{"acc": 1}')
        info = artifact_store.stat("metrics/summary.json")
        assert info.path == "metrics/summary.json"
        assert not info.is_dir
        assert info.size == 10
        assert info.content_type == "application/json"
        assert info.modified is not None
        assert info.modified.tzinfo is not None
        assert before < info.modified < datetime.now(timezone.utc) + timedelta(minutes=5)
        with pytest.raises(dataclasses.FrozenInstanceError):
            info.size = 0  # type: ignore[misc]

    def test_stat_folder_and_missing(self, artifact_store: ArtifactStore) -> None:
        _tree(artifact_store)
        folder = artifact_store.stat("a/b")
        assert folder.path == "a/b"
        assert folder.is_dir
        assert folder.size is None
        with pytest.raises(NotFoundError):
            artifact_store.stat("a/nothing")

    def test_list_one_level(self, artifact_store: ArtifactStore) -> None:
        _tree(artifact_store)
        assert _paths(artifact_store.list()) == [
            ("a", True),
            ("ab", True),
            ("top.txt", False),
        ]
        entries = artifact_store.list("a")
        assert _paths(entries) == [("a/b", True), ("a/one.txt", False)]
        assert entries[1].size == 1
        assert entries[1].content_type == "text/plain"
        assert entries[1].modified is not None
        assert _paths(artifact_store.list("a/")) == _paths(entries)

    def test_list_recursive(self, artifact_store: ArtifactStore) -> None:
        _tree(artifact_store)
        assert _paths(artifact_store.list("a", recursive=True)) == [
            ("a/b/c/three.bin", False),
            ("a/b/two.json", False),
            ("a/one.txt", False),
        ]
        everything = artifact_store.list(recursive=True)
        assert len(everything) == 5
        assert sum(entry.size or 0 for entry in everything) == 1 + 8 + 3 + 1 + 3

    def test_list_missing_or_artifact(self, artifact_store: ArtifactStore) -> None:
        _tree(artifact_store)
        assert artifact_store.list("nothing") == []
        assert artifact_store.list("top.txt") == []
        assert artifact_store.list("a/on") == []

    # -- deleting -----------------------------------------------------------------------

    def test_delete(self, artifact_store: ArtifactStore) -> None:
        _tree(artifact_store)
        artifact_store.delete("a/b/c/three.bin")
        assert not artifact_store.exists("a/b/c/three.bin")
        assert not artifact_store.exists("a/b/c")  # nothing left below it
        assert artifact_store.get_bytes("a/b/two.json") == b'{"v": 2}'
        with pytest.raises(NotFoundError):
            artifact_store.delete("a/b/c/three.bin")
        with pytest.raises(ValidationError) as info:
            artifact_store.delete("a/b")
        assert info.value.field == "path"
        assert artifact_store.exists("a/b/two.json")

    def test_delete_prefix(self, artifact_store: ArtifactStore) -> None:
        _tree(artifact_store)
        assert artifact_store.delete_prefix("a") == 3
        assert not artifact_store.exists("a")
        assert artifact_store.list("a", recursive=True) == []
        assert artifact_store.get_bytes("ab/sibling.txt") == b"s"
        assert artifact_store.delete_prefix("a") == 0
        assert artifact_store.delete_prefix("top.txt") == 0
        assert artifact_store.exists("top.txt")
        with pytest.raises(ArtifactPathError):
            artifact_store.delete_prefix("")

    # -- paths --------------------------------------------------------------------------

    @pytest.mark.parametrize("bad", ESCAPING_PATHS)
    def test_escaping_paths_rejected(self, artifact_store: ArtifactStore, bad: str) -> None:
        calls: dict[str, list[Callable[[], object]]] = {
            "path": [
                lambda: artifact_store.put_bytes(bad, b"x"),
                lambda: artifact_store.get_bytes(bad),
                lambda: artifact_store.open_read(bad),
                lambda: artifact_store.exists(bad),
                lambda: artifact_store.stat(bad),
                lambda: artifact_store.delete(bad),
                lambda: artifact_store.uri_for(bad),
            ],
            "prefix": [
                lambda: artifact_store.list(bad),
                lambda: artifact_store.list(bad, recursive=True),
                lambda: artifact_store.delete_prefix(bad),
            ],
        }
        for field, functions in calls.items():
            for call in functions:
                with pytest.raises(ArtifactPathError) as info:
                    call()
                assert info.value.field == field
                assert info.value.code == "InvalidArtifactPath"

    def test_escaping_paths_rejected_for_files(
        self, artifact_store: ArtifactStore, tmp_path: Path
    ) -> None:
        local = tmp_path / "f"
        local.write_bytes(b"f")
        for bad in ("../f", "/abs", "a/../../f"):
            with pytest.raises(ArtifactPathError):
                artifact_store.put_file(bad, local)
            with pytest.raises(ArtifactPathError):
                artifact_store.download_file(bad, tmp_path / "out")
            with pytest.raises(ArtifactPathError):
                artifact_store.put_dir(bad, tmp_path)
            with pytest.raises(ArtifactPathError):
                artifact_store.download_dir(bad, tmp_path / "out")
        assert artifact_store.list(recursive=True) == []

    def test_uri_for(self, artifact_store: ArtifactStore) -> None:
        root = artifact_store.root_uri
        assert artifact_store.uri_for("") == root
        assert artifact_store.uri_for("a/b.txt") == root.rstrip("/") + "/a/b.txt"
        assert artifact_store.uri_for("./a/") == root.rstrip("/") + "/a"

    # -- concurrency and health ---------------------------------------------------------

    def test_concurrent_writers(self, artifact_store: ArtifactStore) -> None:
        contents = [bytes([index]) * 50_000 for index in range(8)]
        errors: list[BaseException] = []

        def write(index: int) -> None:
            try:
                artifact_store.put_bytes(f"own/{index}.bin", contents[index])
                artifact_store.put_bytes("shared.bin", contents[index])
                assert artifact_store.get_bytes("shared.bin") in contents
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(index,)) for index in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert artifact_store.get_bytes("shared.bin") in contents
        for index in range(8):
            assert artifact_store.get_bytes(f"own/{index}.bin") == contents[index]
        assert len(artifact_store.list("own")) == 8

    def test_health(self, artifact_store: ArtifactStore) -> None:
        health = artifact_store.health()
        assert health.ok, health.detail
        assert health.backend == artifact_store.backend
        assert health.uri == artifact_store.root_uri
