"""The image build's pure parts: the mirror, the Dockerfile, the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_mlstudio.cli import build_parser, main
from jupyter_mlstudio.runtime import images
from jupyter_mlstudio.runtime.images import BASE_TAG, debian_mirror, dockerfile


def test_mirror_from_deb822_sources(tmp_path: Path) -> None:
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "debian.sources").write_text(
        "Types: deb\nURIs: http://mirror.example/debian/\nSuites: bookworm\n\n"
        "Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n"
    )
    assert debian_mirror(tmp_path) == "http://mirror.example/debian"


def test_mirror_from_one_line_sources(tmp_path: Path) -> None:
    (tmp_path / "sources.list").write_text(
        "# comment\ndeb [arch=amd64] http://ftp.example.org/debian bookworm main\n"
    )
    assert debian_mirror(tmp_path) == "http://ftp.example.org/debian"


def test_mirror_default(tmp_path: Path) -> None:
    assert debian_mirror(tmp_path) == images.DEFAULT_MIRROR


def test_dockerfile_has_only_a_local_from() -> None:
    text = dockerfile()
    froms = [line for line in text.splitlines() if line.startswith("FROM")]
    assert froms == [f"FROM {BASE_TAG}"]
    for package in ("python3-numpy", "python3-pandas", "python3-sklearn"):
        assert package in text
    assert "/usr/local/bin/train" in text


def test_cli_parses_images_build() -> None:
    args = build_parser().parse_args(["images", "build", "--tag", "me/py:1", "--rebuild"])
    assert (args.tag, args.rebuild) == ("me/py:1", True)
    args = build_parser().parse_args(["images", "build"])
    assert (args.tag, args.rebuild) == ("mlstudio/python:3-sklearn", False)


def test_cli_reports_build_errors(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(*_args: object, **_kwargs: object) -> str:
        raise images.ImageBuildError("debootstrap is not installed")

    monkeypatch.setattr(images, "build_image", fail)
    assert main(["images", "build"]) == 2
    assert "debootstrap is not installed" in capsys.readouterr().err


def test_a_tag_needs_a_version() -> None:
    from jupyter_mlstudio.exceptions import ValidationError

    with pytest.raises(ValidationError):
        images.build_image("mlstudio/python", client=object())
