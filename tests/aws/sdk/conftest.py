"""A real studio (``jupyter server`` in a subprocess) with its embedded S3, shared by the
SDK tests of a session, and the environment a user's shell would have after
``eval "$(mlstudio credentials --env)"``: nothing else points the SDKs at it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from jupyter_mlstudio.aws.embedded_s3 import read_embedded_s3
from tests.runtime.conftest import docker_host, script_image  # noqa: F401 - fixtures
from tests.support.docker_engine import DockerEngine
from tests.support.sagemaker_sdk import credentials_env, user_env
from tests.support.seaweedfs import weed_or_skip
from tests.support.studio_server import StudioServer

#: seconds for the embedded S3 to answer after the studio does
S3_TIMEOUT = 60.0


@dataclass(frozen=True)
class SdkStudio:
    """A running studio and a user's environment for it.

    Attributes:
        server: The studio (REST calls with :meth:`StudioServer.call`).
        env: The environment to run SDK scripts in.
        s3_endpoint: Where the studio's embedded S3 answers.
    """

    server: StudioServer
    env: dict[str, str]
    s3_endpoint: str

    @property
    def home(self) -> Path:
        return self.server.home


def _start(work: Path, runtime: str, env: dict[str, str] | None = None) -> Iterator[SdkStudio]:
    weed_or_skip()
    server = StudioServer(work, runtime=runtime, embedded_s3=True, env=env or {})
    with server:
        deadline = time.monotonic() + S3_TIMEOUT
        s3 = read_embedded_s3(server.home)
        while s3 is None and time.monotonic() < deadline:
            time.sleep(0.05)
            s3 = read_embedded_s3(server.home)
        if s3 is None:
            pytest.fail(f"the embedded S3 did not start; see {server.log}", pytrace=False)
        variables = credentials_env(server.home)
        assert variables.get("AWS_ENDPOINT_URL_S3") == s3, variables
        yield SdkStudio(server, user_env(variables, work / "user-home"), s3)


@pytest.fixture(scope="session")
def sdk_studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SdkStudio]:
    """A studio on the process runtime, with its embedded S3, for the session."""
    yield from _start(tmp_path_factory.mktemp("sdk-studio"), "process")


@pytest.fixture(scope="session")
def sdk_studio_docker(
    tmp_path_factory: pytest.TempPathFactory,
    docker_host: DockerEngine,  # noqa: F811 - the fixture
    script_image: str,  # noqa: F811 - the fixture: the image is built
) -> Iterator[SdkStudio]:
    """A studio on the Docker runtime, with its embedded S3, for the session."""
    work = tmp_path_factory.mktemp("sdk-studio-docker")
    yield from _start(work, "docker", {"DOCKER_HOST": docker_host.base_url})
