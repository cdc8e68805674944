"""SageMaker's scikit-learn image URI on the docker runtime: a script-mode training job,
a processing job and an endpoint run as SKLearn, SKLearnProcessor and SKLearnModel send
them, in the studio's script-mode image; nothing is pulled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.aws.credentials import AwsIdentity
from jupyter_mlstudio.entities import JobKind, JobStatus
from jupyter_mlstudio.runtime import image_uris
from jupyter_mlstudio.runtime.images import DEFAULT_TAG, SKLEARN_VERSION
from jupyter_mlstudio.services.studio import Studio
from tests.runtime.conftest import docker_host, script_image  # noqa: F401 - fixtures

from .conftest import client, in_thread
from .test_framework_images import SKLEARN_URI, sklearn_training
from .test_jobs_api import ROLE, SCRIPTS

pytestmark = pytest.mark.docker
LINEAR = SCRIPTS / "linear"


@pytest.fixture
def jp_server_config(
    jp_server_config: dict[str, Any],
    studio_home: Path,
    script_image: str,  # noqa: F811 - the fixture: the image is built
) -> dict[str, Any]:
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyter_mlstudio": True},
            "allow_unauthenticated_access": False,
        },
        "StudioApp": {"home": str(studio_home), "default_runtime": "docker"},
    }


def _never_pulled() -> None:
    import docker

    assert docker.from_env().images.list(name=SKLEARN_URI.rsplit(":", 1)[0]) == []


async def test_a_training_job_with_the_sklearn_uri_runs_in_the_studio_image(
    sagemaker: Any, studio: Studio, tmp_path: Path
) -> None:
    request = sklearn_training("fw-docker", tmp_path)
    await in_thread(lambda: sagemaker.create_training_job(**request))
    job = await in_thread(lambda: studio.jobs.wait("fw-docker", timeout=300))
    log = studio.job_kinds[JobKind.TRAINING].logs("fw-docker").Text
    assert job.status is JobStatus.COMPLETED, log
    assert job.runtime == "docker"
    # the image's Debian Python and scikit-learn, the version images.py says it has
    assert f"python=/usr/bin/python3 sklearn={SKLEARN_VERSION}" in log
    assert "accuracy=" in log
    described = await in_thread(
        lambda: sagemaker.describe_training_job(TrainingJobName="fw-docker")
    )
    assert described["TrainingJobStatus"] == "Completed"
    assert described["AlgorithmSpecification"]["TrainingImage"] == SKLEARN_URI
    assert described["ModelArtifacts"]["S3ModelArtifacts"].endswith("model.tar.gz")
    assert described["SecondaryStatusTransitions"][0]["StatusMessage"] == (
        "Preparing the instances; image sagemaker-scikit-learn:1.2-1-cpu-py3 runs as"
        f" {DEFAULT_TAG} (scikit-learn {SKLEARN_VERSION})"
    )
    _never_pulled()


async def test_a_processing_job_with_the_sklearn_uri_runs_python3_in_the_studio_image(
    sagemaker: Any, studio: Studio, tmp_path: Path
) -> None:
    data = tmp_path / "in"
    data.mkdir()
    (data / "a.txt").write_text("hello\n")
    out = tmp_path / "out"
    code = "/opt/ml/processing/input/code"

    def s3_input(name: str, uri: str, local: str) -> dict[str, Any]:
        return {
            "InputName": name,
            "S3Input": {
                "S3Uri": uri,
                "LocalPath": local,
                "S3DataType": "S3Prefix",
                "S3InputMode": "File",
            },
        }

    request = {  # as SKLearnProcessor.run(code="process.py", ...) sends it
        "ProcessingJobName": "fw-docker-process",
        "RoleArn": ROLE,
        "AppSpecification": {
            "ImageUri": SKLEARN_URI.replace("us-west-2", "eu-west-1").replace(
                "246618743249", "141502667606"
            ),
            "ContainerEntrypoint": ["python3", f"{code}/process.py"],
            "ContainerArguments": ["/opt/ml/processing/input/data", "/opt/ml/processing/out"],
        },
        "ProcessingInputs": [
            s3_input("data", data.as_uri(), "/opt/ml/processing/input/data"),
            s3_input("code", SCRIPTS.as_uri(), code),
        ],
        "ProcessingOutputConfig": {
            "Outputs": [
                {
                    "OutputName": "upper",
                    "S3Output": {
                        "S3Uri": out.as_uri(),
                        "LocalPath": "/opt/ml/processing/out",
                        "S3UploadMode": "EndOfJob",
                    },
                }
            ]
        },
        "ProcessingResources": {
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "VolumeSizeInGB": 1,
            }
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": 300},
    }
    await in_thread(lambda: sagemaker.create_processing_job(**request))
    job = await in_thread(lambda: studio.jobs.wait("fw-docker-process", timeout=300))
    log = studio.job_kinds[JobKind.PROCESSING].logs("fw-docker-process").Text
    assert job.status is JobStatus.COMPLETED, log
    assert (out / "upper.txt").read_text() == "HELLO\n"
    _never_pulled()


async def test_an_endpoint_with_the_sklearn_uri_serves_from_the_studio_image(
    sagemaker: Any, aws_endpoint: str, identity: AwsIdentity, studio: Studio, tmp_path: Path
) -> None:
    data = tmp_path / "rows"
    data.mkdir()
    (data / "rows.csv").write_text("8,1,2\n7,2,1\n5,1,1\n13,2,3\n")  # y = 2 x1 + 3 x2
    request = sklearn_training("fw-linear", tmp_path)
    request["HyperParameters"] = {
        "sagemaker_program": '"train.py"',
        "sagemaker_submit_directory": f'"{LINEAR.as_uri()}"',
    }
    request["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] = data.as_uri()
    await in_thread(lambda: sagemaker.create_training_job(**request))
    job = await in_thread(lambda: studio.jobs.wait("fw-linear", timeout=300))
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    described = await in_thread(
        lambda: sagemaker.describe_training_job(TrainingJobName="fw-linear")
    )
    inference_image = SKLEARN_URI  # retrieve(..., image_scope="inference") gives the same URI
    await in_thread(
        lambda: sagemaker.create_model(
            ModelName="fw-linear",
            ExecutionRoleArn=ROLE,
            PrimaryContainer={
                "Image": inference_image,
                "ModelDataUrl": described["ModelArtifacts"]["S3ModelArtifacts"],
                "Environment": {
                    "SAGEMAKER_PROGRAM": "inference.py",
                    "SAGEMAKER_SUBMIT_DIRECTORY": LINEAR.as_uri(),
                },
            },
        )
    )
    variant = {
        "VariantName": "AllTraffic",
        "ModelName": "fw-linear",
        "InitialInstanceCount": 1,
        "InstanceType": "ml.m5.large",
    }
    await in_thread(
        lambda: sagemaker.create_endpoint_config(
            EndpointConfigName="fw-linear", ProductionVariants=[variant]
        )
    )
    await in_thread(
        lambda: sagemaker.create_endpoint(EndpointName="fw-linear", EndpointConfigName="fw-linear")
    )
    try:
        waiter = sagemaker.get_waiter("endpoint_in_service")
        await in_thread(
            lambda: waiter.wait(
                EndpointName="fw-linear", WaiterConfig={"Delay": 1, "MaxAttempts": 180}
            )
        )
        runtime = client("sagemaker-runtime", aws_endpoint, identity)
        answer = await in_thread(
            lambda: runtime.invoke_endpoint(
                EndpointName="fw-linear",
                ContentType="text/csv",
                Accept="text/csv",
                Body=b"1,1\n2,2\n",
            )
        )
        values = [float(v) for v in answer["Body"].read().decode().replace(",", "\n").split()]
        assert values == pytest.approx([5.0, 10.0])
        # the instance is a container of the studio's image
        import docker

        containers = docker.from_env().containers.list(
            filters={"label": "mlstudio.endpoint=fw-linear"}
        )
        assert containers
        assert {c.image.tags[0] for c in containers} == {DEFAULT_TAG}
    finally:
        await in_thread(lambda: sagemaker.delete_endpoint(EndpointName="fw-linear"))
    _never_pulled()


async def test_a_framework_image_whose_local_image_is_missing_fails_saying_why(
    sagemaker: Any, studio: Studio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (sklearn,) = image_uris.FRAMEWORK_IMAGES
    absent = image_uris.FrameworkImage(
        repository=sklearn.repository,
        framework=sklearn.framework,
        local_tag="mlstudio-test/absent:1",
        tag_pattern=sklearn.tag_pattern,
        example=sklearn.example,
    )
    monkeypatch.setattr(image_uris, "FRAMEWORK_IMAGES", (absent,))
    request = sklearn_training("fw-absent", tmp_path)
    await in_thread(lambda: sagemaker.create_training_job(**request))
    described = await in_thread(
        lambda: sagemaker.describe_training_job(TrainingJobName="fw-absent")
    )
    assert described["TrainingJobStatus"] == "Failed"
    reason = described["FailureReason"]
    assert "'mlstudio-test/absent:1' is not on the Docker engine" in reason
    assert "(image sagemaker-scikit-learn:1.2-1-cpu-py3 runs as mlstudio-test/absent:1" in reason
    assert "mlstudio images" in reason
    _never_pulled()
