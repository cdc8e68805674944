"""On the docker runtime, a local image the engine lacks fails the job and an ECR image
the studio cannot run is refused (neither is ever pulled)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from jupyter_mlstudio.services.studio import Studio
from tests.runtime.conftest import docker_host  # noqa: F401 - fixture

from .conftest import in_thread
from .test_jobs_api import ECR_IMAGE, training_request

pytestmark = pytest.mark.docker


@pytest.fixture
def jp_server_config(
    jp_server_config: dict[str, Any],
    studio_home: Path,
    docker_host: Any,  # noqa: F811 - the fixture: DOCKER_HOST is set while it lasts
) -> dict[str, Any]:
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyter_mlstudio": True},
            "allow_unauthenticated_access": False,
        },
        "StudioApp": {"home": str(studio_home), "default_runtime": "docker"},
    }


async def test_a_missing_image_fails_the_job_and_nothing_is_pulled(
    sagemaker: Any, studio: Studio, tmp_path: Path
) -> None:
    image = "mlstudio-test/no-such-algo:1"
    algorithm = {"TrainingImage": image, "TrainingInputMode": "File"}
    request = training_request("boto-docker", tmp_path, AlgorithmSpecification=algorithm)
    del request["HyperParameters"]
    await in_thread(lambda: sagemaker.create_training_job(**request))
    described = await in_thread(
        lambda: sagemaker.describe_training_job(TrainingJobName="boto-docker")
    )
    assert described["TrainingJobStatus"] == "Failed"
    reason = described["FailureReason"]
    assert "not on the Docker engine" in reason
    assert "mlstudio images" in reason
    assert studio.store.get_job("boto-docker").runtime == "docker"
    import docker

    assert docker.from_env().images.list(name=image.rsplit(":", 1)[0]) == []  # never pulled


async def test_an_ecr_image_is_refused_and_nothing_is_pulled(
    sagemaker: Any, studio: Studio, tmp_path: Path
) -> None:
    algorithm = {"TrainingImage": ECR_IMAGE, "TrainingInputMode": "File"}
    request = training_request("boto-docker-ecr", tmp_path, AlgorithmSpecification=algorithm)
    del request["HyperParameters"]
    with pytest.raises(ClientError) as refused:
        await in_thread(lambda: sagemaker.create_training_job(**request))
    error = refused.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith(f"AlgorithmSpecification.TrainingImage: '{ECR_IMAGE}'")
    assert "`mlstudio images`" in error["Message"]
    assert studio.store.list_jobs().items == []
    import docker

    assert docker.from_env().images.list(name=ECR_IMAGE.rsplit(":", 1)[0]) == []  # never pulled
