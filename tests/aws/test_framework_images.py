"""SageMaker framework image URIs through boto3 and the REST API, on the process runtime:
the scikit-learn image runs as script mode with the studio's Python; any other ECR image
is refused at create, naming the member and ``mlstudio images`` (docs/runtimes.md,
"Images")."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from jupyter_mlstudio.entities import JobKind, JobStatus
from jupyter_mlstudio.exceptions import NotFoundError
from jupyter_mlstudio.services.studio import Studio
from tests.server.test_api import call

from .conftest import in_thread
from .test_jobs_api import ROLE, SCRIPTS, training_request

#: what ``sagemaker.image_uris.retrieve("sklearn", "us-west-2", version="1.2-1",
#: py_version="py3", instance_type="ml.m5.large")`` returns
SKLEARN_URI = "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
XGBOOST_URI = "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.7-1"


def sklearn_training(name: str, tmp_path: Path) -> dict[str, Any]:
    """CreateTrainingJob as the SKLearn estimator sends it (script mode hyperparameters)."""
    data = tmp_path / "fit-data"
    data.mkdir(exist_ok=True)
    (data / "rows.csv").write_text("".join(f"{i % 2},{i % 2 + 0.1 * i}\n" for i in range(20)))
    algorithm = {"TrainingImage": SKLEARN_URI, "TrainingInputMode": "File"}
    request = training_request(name, tmp_path, AlgorithmSpecification=algorithm)
    request["HyperParameters"] = {
        "max_iter": "200",
        "sagemaker_program": json.dumps("sklearn_fit.py"),
        "sagemaker_submit_directory": json.dumps(SCRIPTS.as_uri()),
    }
    request["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] = data.as_uri()
    return request


async def test_the_sklearn_image_runs_in_script_mode_with_the_studio_python(
    sagemaker: Any, studio: Studio, tmp_path: Path
) -> None:
    request = sklearn_training("fw-process", tmp_path)
    await in_thread(lambda: sagemaker.create_training_job(**request))
    job = await in_thread(lambda: studio.jobs.wait("fw-process", timeout=120))
    log = studio.job_kinds[JobKind.TRAINING].logs("fw-process").Text
    assert job.status is JobStatus.COMPLETED, log
    assert f"sklearn={importlib.metadata.version('scikit-learn')}" in log
    assert "accuracy=" in log
    described = await in_thread(
        lambda: sagemaker.describe_training_job(TrainingJobName="fw-process")
    )
    assert described["AlgorithmSpecification"]["TrainingImage"] == SKLEARN_URI  # as given
    starting = described["SecondaryStatusTransitions"][0]
    assert starting["Status"] == "Starting"
    assert starting["StatusMessage"].startswith(
        "Preparing the instances; image sagemaker-scikit-learn:1.2-1-cpu-py3 runs in the"
        " studio's Python (scikit-learn "
    )


async def test_other_ecr_images_are_refused_at_create_through_boto3(
    sagemaker: Any, studio: Studio, tmp_path: Path
) -> None:
    request = sklearn_training("fw-xgb", tmp_path)
    request["AlgorithmSpecification"]["TrainingImage"] = XGBOOST_URI
    with pytest.raises(ClientError) as refused:
        await in_thread(lambda: sagemaker.create_training_job(**request))
    error = refused.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith(f"AlgorithmSpecification.TrainingImage: '{XGBOOST_URI}'")
    assert "`mlstudio images`" in error["Message"]

    processing = {
        "ProcessingJobName": "fw-xgb-process",
        "RoleArn": ROLE,
        "AppSpecification": {"ImageUri": XGBOOST_URI, "ContainerEntrypoint": ["python3", "x.py"]},
        "ProcessingResources": {
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "VolumeSizeInGB": 1,
            }
        },
    }
    with pytest.raises(ClientError) as refused:
        await in_thread(lambda: sagemaker.create_processing_job(**processing))
    error = refused.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith(f"AppSpecification.ImageUri: '{XGBOOST_URI}'")
    assert "`mlstudio images`" in error["Message"]
    assert studio.store.list_jobs().items == []  # nothing recorded


async def test_the_rest_api_refuses_other_ecr_images_and_keeps_a_mapped_one(
    jp_fetch: Any, studio: Studio, tmp_path: Path
) -> None:
    body = {
        "TrainingJobName": "fw-rest",
        "AlgorithmSpecification": {"TrainingImage": XGBOOST_URI},
        "ScriptMode": {"EntryPoint": str(SCRIPTS / "train.py")},
        "ResourceConfig": {"InstanceType": "local", "InstanceCount": 1},
    }
    status, error = await call(jp_fetch, "POST", "training-jobs", body=body)
    assert status == 400
    assert error["field"] == "AlgorithmSpecification.TrainingImage"
    assert "`mlstudio images`" in error["message"]

    model: dict[str, Any] = {
        "ModelName": "fw-model",
        "PrimaryContainer": {
            "Image": XGBOOST_URI,
            "Environment": {
                "SAGEMAKER_PROGRAM": "train.py",
                "SAGEMAKER_SUBMIT_DIRECTORY": str(SCRIPTS),
            },
        },
    }
    status, error = await call(jp_fetch, "POST", "models", body=model)
    assert status == 400
    assert error["field"] == "PrimaryContainer.Image"
    assert XGBOOST_URI in error["message"]
    assert "`mlstudio images`" in error["message"]
    assert studio.store.list_jobs().items == []
    with pytest.raises(NotFoundError):
        studio.store.get_model("fw-model")

    model["PrimaryContainer"]["Image"] = SKLEARN_URI
    status, created = await call(jp_fetch, "POST", "models", body=model)
    assert status == 201, created
    assert studio.store.get_model("fw-model").primary_container.image == SKLEARN_URI


async def test_create_model_through_boto3_refuses_other_ecr_images_and_keeps_a_mapped_one(
    sagemaker: Any, studio: Studio
) -> None:
    container = {
        "Image": XGBOOST_URI,
        "Environment": {
            "SAGEMAKER_PROGRAM": "train.py",
            "SAGEMAKER_SUBMIT_DIRECTORY": str(SCRIPTS),
        },
    }
    with pytest.raises(ClientError) as refused:
        await in_thread(
            lambda: sagemaker.create_model(
                ModelName="fw-boto-model", PrimaryContainer=container, ExecutionRoleArn=ROLE
            )
        )
    error = refused.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith(f"PrimaryContainer.Image: '{XGBOOST_URI}'")
    assert "`mlstudio images`" in error["Message"]
    with pytest.raises(NotFoundError):
        studio.store.get_model("fw-boto-model")

    container["Image"] = SKLEARN_URI
    await in_thread(
        lambda: sagemaker.create_model(
            ModelName="fw-boto-model", PrimaryContainer=container, ExecutionRoleArn=ROLE
        )
    )
    described = await in_thread(lambda: sagemaker.describe_model(ModelName="fw-boto-model"))
    assert described["PrimaryContainer"]["Image"] == SKLEARN_URI


async def test_a_processing_job_with_the_sklearn_uri_runs_python3_as_the_studio_python(
    sagemaker: Any, studio: Studio, tmp_path: Path
) -> None:
    data = tmp_path / "in"
    data.mkdir()
    (data / "a.txt").write_text("hello\n")
    out = tmp_path / "out"
    code = "/opt/ml/processing/input/code"
    inputs = [
        ("data", data.as_uri(), "/opt/ml/processing/input/data"),
        ("code", SCRIPTS.as_uri(), code),
    ]
    request = {  # as SKLearnProcessor.run(code="process.py", ...) sends it
        "ProcessingJobName": "fw-process-job",
        "RoleArn": ROLE,
        "AppSpecification": {
            "ImageUri": SKLEARN_URI,
            "ContainerEntrypoint": ["python3", f"{code}/process.py"],
            "ContainerArguments": ["/opt/ml/processing/input/data", "/opt/ml/processing/out"],
        },
        "ProcessingInputs": [
            {
                "InputName": name,
                "S3Input": {
                    "S3Uri": uri,
                    "LocalPath": local,
                    "S3DataType": "S3Prefix",
                    "S3InputMode": "File",
                },
            }
            for name, uri, local in inputs
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
    }
    await in_thread(lambda: sagemaker.create_processing_job(**request))
    job = await in_thread(lambda: studio.jobs.wait("fw-process-job", timeout=120))
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    assert (out / "upper.txt").read_text() == "HELLO\n"
    have = importlib.metadata.version("scikit-learn")
    differs = "" if have.startswith("1.2.") else "; the URI names 1.2"
    assert job.secondary_status_transitions[0].status_message == (
        "Preparing the instances; image sagemaker-scikit-learn:1.2-1-cpu-py3 runs in the"
        f" studio's Python (scikit-learn {have}{differs})"
    )
