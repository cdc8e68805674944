"""The one path check, and the file store's refusal to follow links out of its root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jupyter_mlstudio.artifacts import FileArtifactStore, normalize_path
from jupyter_mlstudio.exceptions import ArtifactPathError, NotFoundError
from jupyter_mlstudio.testing.artifact_contract import ESCAPING_PATHS


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("a", "a"),
        ("a/b/c.txt", "a/b/c.txt"),
        ("a/b/", "a/b"),
        ("./a/./b", "a/b"),
        ("a%20b.txt", "a%20b.txt"),  # never decoded
        ("%252e%252e/x", "%252e%252e/x"),  # decodes once to '%2e%2e/x', a literal name
        ("100%.txt", "100%.txt"),
        ("..a/b..", "..a/b.."),
        ("...", "..."),
        ("a:b", "a:b"),
        ("é/名前", "é/名前"),
    ],
)
def test_normalize_accepts(given: str, expected: str) -> None:
    assert normalize_path(given) == expected


@pytest.mark.parametrize(
    "bad",
    [
        *ESCAPING_PATHS,
        "",
        ".",
        "./",
        "/",
        "a/../b",
        "a/b/../../..",
        "a\\b",
        "a\tb",
        "a\x7fb",
        "%2E%2E",
        "a%2f%2fb",
        "%5c..%5cx",
        "a/" + "b" * 300,
        "a/" * 600,
        b"bytes",
        None,
        3,
    ],
)
def test_normalize_rejects(bad: object) -> None:
    with pytest.raises(ArtifactPathError) as info:
        normalize_path(bad)  # type: ignore[arg-type]
    assert info.value.field == "path"
    assert info.value.code == "InvalidArtifactPath"


def test_normalize_root_and_field() -> None:
    assert normalize_path("", allow_root=True) == ""
    assert normalize_path("./", allow_root=True) == ""
    with pytest.raises(ArtifactPathError) as info:
        normalize_path("../x", field="prefix", allow_root=True)
    assert info.value.field == "prefix"
    assert "'../x'" in info.value.message


@pytest.fixture
def root_and_outside(tmp_path: Path) -> tuple[FileArtifactStore, Path, Path]:
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    (root / "inside").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"secret")
    (root / "inside" / "ok.txt").write_bytes(b"ok")
    return FileArtifactStore(root), root, outside


def test_symlinked_folder_out_of_root(
    root_and_outside: tuple[FileArtifactStore, Path, Path],
) -> None:
    store, root, outside = root_and_outside
    (root / "escape").symlink_to(outside, target_is_directory=True)
    for call in (
        lambda: store.get_bytes("escape/secret.txt"),
        lambda: store.open_read("escape/secret.txt"),
        lambda: store.exists("escape/secret.txt"),
        lambda: store.stat("escape"),
        lambda: store.put_bytes("escape/new.txt", b"x"),
        lambda: store.delete("escape/secret.txt"),
        lambda: store.delete_prefix("escape"),
    ):
        with pytest.raises(ArtifactPathError):
            call()
    with pytest.raises(ArtifactPathError) as info:
        store.list("escape")
    assert info.value.field == "prefix"
    assert not (outside / "new.txt").exists()
    assert (outside / "secret.txt").read_bytes() == b"secret"
    # Listings leave the link out rather than follow it.
    assert [entry.path for entry in store.list()] == ["inside"]
    assert [entry.path for entry in store.list(recursive=True)] == ["inside/ok.txt"]


def test_symlinked_file_out_of_root(
    root_and_outside: tuple[FileArtifactStore, Path, Path],
    tmp_path: Path,
) -> None:
    store, root, outside = root_and_outside
    (root / "inside" / "leak.txt").symlink_to(outside / "secret.txt")
    with pytest.raises(ArtifactPathError):
        store.get_bytes("inside/leak.txt")
    with pytest.raises(ArtifactPathError):
        store.download_file("inside/leak.txt", tmp_path / "copy.txt")
    with pytest.raises(ArtifactPathError):
        store.put_bytes("inside/leak.txt", b"overwrite")  # would write through the link
    assert (outside / "secret.txt").read_bytes() == b"secret"
    assert [entry.path for entry in store.list("inside")] == ["inside/ok.txt"]
    assert store.download_dir("inside", tmp_path / "dl") == ["inside/ok.txt"]
    assert not (tmp_path / "dl" / "leak.txt").exists()


def test_dangling_and_relative_links(
    root_and_outside: tuple[FileArtifactStore, Path, Path],
) -> None:
    store, root, _ = root_and_outside
    (root / "inside" / "up").symlink_to(Path("..") / ".." / "outside")
    (root / "inside" / "dangling").symlink_to(root / "nowhere" / "x")
    with pytest.raises(ArtifactPathError):
        store.get_bytes("inside/up/secret.txt")
    with pytest.raises(NotFoundError):
        store.get_bytes("inside/dangling")
    assert [entry.path for entry in store.list("inside")] == ["inside/ok.txt"]


def test_links_inside_root_are_followed(
    root_and_outside: tuple[FileArtifactStore, Path, Path],
) -> None:
    store, root, _ = root_and_outside
    (root / "alias").symlink_to(root / "inside", target_is_directory=True)
    (root / "inside" / "loop").symlink_to(root, target_is_directory=True)
    assert store.get_bytes("alias/ok.txt") == b"ok"
    assert store.stat("alias").is_dir
    # The loop back to the root is listed once, not walked forever.
    recursive = [entry.path for entry in store.list(recursive=True)]
    assert "alias/ok.txt" in recursive
    assert "inside/ok.txt" in recursive


def test_root_behind_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real-root"
    real.mkdir()
    link = tmp_path / "link-root"
    link.symlink_to(real, target_is_directory=True)
    store = FileArtifactStore(link)
    store.put_bytes("a/b.txt", b"b")
    assert (real / "a" / "b.txt").read_bytes() == b"b"
    assert [entry.path for entry in store.list(recursive=True)] == ["a/b.txt"]


def test_put_dir_skips_links_out_of_the_source(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "model.bin").write_bytes(b"m")
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"secret")
    (source / "leak.txt").symlink_to(secret)
    (source / "same.bin").symlink_to(source / "model.bin")
    store = FileArtifactStore(tmp_path / "root")
    assert store.put_dir("out", source) == ["out/model.bin", "out/same.bin"]


def test_encoded_names_stay_literal(tmp_path: Path) -> None:
    store = FileArtifactStore(tmp_path / "root")
    store.put_bytes("a%20b/c%2Bd.txt", b"x")
    assert (tmp_path / "root" / "a%20b" / "c%2Bd.txt").read_bytes() == b"x"
    assert not os.path.exists(tmp_path / "root" / "a b")
