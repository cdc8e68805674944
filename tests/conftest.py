"""Shared fixtures: a Jupyter server with the studio on a fresh home folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ("pytest_jupyter.jupyter_server",)


@pytest.fixture
def studio_home(tmp_path: Path) -> Path:
    home = tmp_path / "mlstudio-home"
    home.mkdir()
    return home


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any], studio_home: Path) -> dict[str, Any]:
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyter_mlstudio": True},
            # every route must need authentication; a test checks 403 without the token
            "allow_unauthenticated_access": False,
        },
        # no embedded S3 per server: the tests that use one start it (tests/aws/sdk)
        "StudioApp": {
            "home": str(studio_home),
            "default_runtime": "process",
            "embedded_s3": False,
        },
    }


@pytest.fixture(scope="session")
def ray_cluster() -> Any:
    """A real 2-node Ray cluster on this machine, for the whole session (started on first
    use); the driver of this process is shut down before the nodes are killed."""
    ray = pytest.importorskip("ray")
    from .support.ray_cluster import ray_cluster as start

    with start() as running:
        try:
            yield running
        finally:
            if ray.is_initialized():
                ray.shutdown()
