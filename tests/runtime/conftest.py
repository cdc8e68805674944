"""Fixtures of the runtime tests: one Docker engine and one script-mode image per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jupyter_mlstudio.runtime.images import DEFAULT_TAG, build_image
from tests.support.docker_engine import DockerEngine, docker_engine


@pytest.fixture(scope="session")
def docker_host() -> Iterator[DockerEngine]:
    """An engine that answers (started here when none does); skipped without one, except CI."""
    with docker_engine() as engine:
        yield engine


@pytest.fixture(scope="session")
def script_image(docker_host: DockerEngine) -> str:
    """The studio's script-mode image, built once (and kept by tag across runs)."""
    lines: list[str] = []
    try:
        build_image(DEFAULT_TAG, progress=lines.append)
    except Exception as exc:
        pytest.fail(f"building {DEFAULT_TAG} failed: {exc}\n" + "\n".join(lines), pytrace=False)
    return DEFAULT_TAG


def pytest_configure(config: pytest.Config) -> None:
    # also belongs in pyproject.toml's markers; registering here keeps this folder self-contained
    config.addinivalue_line("markers", "docker: needs a Docker engine (started by the fixtures)")
