"""The Docker engine helper's decisions (no engine needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import docker_engine


def test_no_engine_skips_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="dockerd is not installed"):
        docker_engine.unavailable("dockerd is not installed")


def test_no_engine_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match="cannot run in CI"):
        docker_engine.unavailable("dockerd is not installed")


def test_a_dead_socket_does_not_answer(tmp_path: Path) -> None:
    assert not docker_engine.answers(f"unix://{tmp_path}/nothing.sock", timeout=1)


def test_the_stable_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(docker_engine.ENV_ROOT, str(tmp_path / "docker"))
    assert docker_engine.default_root() == tmp_path / "docker"
    monkeypatch.delenv(docker_engine.ENV_ROOT)
    assert docker_engine.default_root().parts[-2:] == ("build", "docker")
