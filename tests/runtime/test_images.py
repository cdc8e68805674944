"""The image build: the mirror, the Dockerfile, the command line, rebuilds when the sources
change (on a real engine)."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from jupyter_mlstudio.cli import build_parser, main
from jupyter_mlstudio.runtime import images
from jupyter_mlstudio.runtime.images import (
    BASE_TAG,
    SOURCE_LABEL,
    built_from,
    debian_mirror,
    dockerfile,
    source_hash,
)
from tests.support.docker_engine import DockerEngine


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
    for package in ("python3-numpy", "python3-pandas", "python3-sklearn", "python3-pip"):
        assert package in text
    assert "PIP_BREAK_SYSTEM_PACKAGES=1" in text  # a job's requirements.txt installs
    assert "COPY train /usr/local/bin/train" in text
    assert "COPY serve /usr/local/bin/serve" in text
    assert SOURCE_LABEL not in text
    assert f"{SOURCE_LABEL}=abc" in dockerfile("abc")


def _copy_programs(tmp_path: Path) -> tuple[tuple[str, Path], ...]:
    copies = []
    for target, source in images.PROGRAMS:
        copy = tmp_path / source.name
        shutil.copy(source, copy)
        copies.append((target, copy))
    return tuple(copies)


@pytest.mark.parametrize("changed", ["launcher.py", "model_server.py", "packages"])
def test_the_source_hash_follows_the_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, changed: str
) -> None:
    programs = _copy_programs(tmp_path)
    monkeypatch.setattr(images, "PROGRAMS", programs)
    before = source_hash()
    assert source_hash() == before  # stable
    if changed == "packages":
        monkeypatch.setattr(images, "PYTHON_PACKAGES", (*images.PYTHON_PACKAGES, "python3-scipy"))
    else:
        with open(tmp_path / changed, "a") as f:
            f.write("\n# changed\n")
    assert source_hash() != before


@pytest.mark.docker
def test_an_image_built_from_other_sources_is_rebuilt(
    docker_host: DockerEngine,
    script_image: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import docker

    client = docker.DockerClient(base_url=docker_host.base_url)
    tag = f"mlstudio/python-test:{uuid.uuid4().hex[:8]}"
    programs = _copy_programs(tmp_path)
    monkeypatch.setattr(images, "PROGRAMS", programs)
    with open(tmp_path / "launcher.py", "a") as f:  # not the default image's sources
        f.write("\n# this test's own build\n")
    lines: list[str] = []
    try:
        first = images.build_image(tag, client=client, progress=lines.append)
        assert built_from(client, tag) == source_hash()
        assert images.build_image(tag, client=client, progress=lines.append) == first
        assert "is up to date" in lines[-1]
        # another engineer edits the launcher: the next build notices and rebuilds
        with open(tmp_path / "launcher.py", "a") as f:
            f.write("\n# a change to the launcher\n")
        second = images.build_image(tag, client=client, progress=lines.append)
        assert second != first
        assert any("is out of date" in line for line in lines)
        assert any("removed the image it replaced" in line for line in lines)
        assert built_from(client, tag) == source_hash()
        out = client.containers.run(
            tag, ["sh", "-c", "tail -n 1 /usr/local/bin/train; head -n 1 /usr/local/bin/serve"],
            remove=True,
        )  # fmt: skip
        assert out.decode().splitlines() == ["# a change to the launcher", "#!/usr/bin/env python3"]
    finally:
        if images.image_exists(client, tag):
            client.images.remove(tag, force=True)
        client.close()


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


def test_a_rebuild_keeps_an_image_another_tag_still_names(
    docker_host: DockerEngine,
    script_image: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import docker

    client = docker.DockerClient(base_url=docker_host.base_url)
    keep, rebuilt = (f"mlstudio/python-test:{uuid.uuid4().hex[:8]}" for _ in range(2))
    programs = _copy_programs(tmp_path)
    monkeypatch.setattr(images, "PROGRAMS", programs)
    with open(tmp_path / "launcher.py", "a") as f:
        f.write("\n# shared by two tags\n")
    lines: list[str] = []
    try:
        shared = images.build_image(keep, client=client, progress=lines.append)
        assert images.build_image(rebuilt, client=client, progress=lines.append) == shared
        with open(tmp_path / "launcher.py", "a") as f:
            f.write("\n# only one of them changes\n")
        assert images.build_image(rebuilt, client=client, progress=lines.append) != shared
        assert any("still tagged" in line for line in lines)
        assert client.images.get(keep).id == shared  # the other tag's image is untouched
    finally:
        for tag in (keep, rebuilt):
            if images.image_exists(client, tag):
                client.images.remove(tag, force=True)
        client.close()


@pytest.mark.docker
def test_images_list_names_the_engines_images(
    docker_host: DockerEngine,
    script_image: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCKER_HOST", docker_host.base_url)
    assert main(["images", "list"]) == 0
    out = capsys.readouterr().out
    assert f"  {script_image}  (the studio's script-mode image)" in out
    assert "is not there" not in out
