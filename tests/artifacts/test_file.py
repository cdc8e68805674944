"""What only the file store does: real folders, atomic renames, file modes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from jupyter_mlstudio.artifacts import FileArtifactStore
from jupyter_mlstudio.exceptions import ConflictError


def test_folder_and_file_conflicts(tmp_path: Path) -> None:
    store = FileArtifactStore(tmp_path / "root")
    store.put_bytes("a/b.txt", b"b")
    with pytest.raises(ConflictError):
        store.put_bytes("a", b"a is a folder")
    with pytest.raises(ConflictError):
        store.put_bytes("a/b.txt/c", b"b.txt is a file")
    assert store.get_bytes("a/b.txt") == b"b"


def test_no_temporary_files_left(tmp_path: Path) -> None:
    store = FileArtifactStore(tmp_path / "root")
    store.put_bytes("x/y.bin", b"y")
    with pytest.raises(ConflictError):
        store.put_bytes("x", b"x")
    assert sorted(os.listdir(tmp_path / "root" / "x")) == ["y.bin"]
    assert sorted(os.listdir(tmp_path / "root")) == ["x"]


def test_leftover_temporary_files_are_hidden(tmp_path: Path) -> None:
    store = FileArtifactStore(tmp_path / "root")
    store.put_bytes("d/real.txt", b"r")
    (tmp_path / "root" / "d" / ".mlstudio-tmp-crashed").write_bytes(b"partial")
    assert [entry.path for entry in store.list("d")] == ["d/real.txt"]
    assert not store.exists("d/.mlstudio-tmp-crashed")


def test_files_get_the_usual_mode(tmp_path: Path) -> None:
    store = FileArtifactStore(tmp_path / "root")
    store.put_bytes("m.bin", b"m")
    mode = stat.S_IMODE((tmp_path / "root" / "m.bin").stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def test_delete_removes_emptied_folders_only(tmp_path: Path) -> None:
    store = FileArtifactStore(tmp_path / "root")
    store.put_bytes("a/b/c/d.txt", b"d")
    store.put_bytes("a/keep.txt", b"k")
    store.delete("a/b/c/d.txt")
    assert sorted(os.listdir(tmp_path / "root" / "a")) == ["keep.txt"]
    assert store.delete_prefix("a") == 1
    assert os.listdir(tmp_path / "root") == []  # the root itself stays


def test_health_of_missing_and_unusable_roots(tmp_path: Path) -> None:
    fresh = FileArtifactStore(tmp_path / "later" / "root")
    health = fresh.health()
    assert health.ok
    assert health.detail is not None
    assert not (tmp_path / "later").exists()  # health creates nothing

    (tmp_path / "a-file").write_bytes(b"")
    blocked = FileArtifactStore(tmp_path / "a-file" / "root")
    assert not blocked.health().ok
