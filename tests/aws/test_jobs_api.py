"""Training and processing jobs through boto3's real ``sagemaker`` client, on the
process runtime, in the same store the UI reads."""

from __future__ import annotations

import json
import tarfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from jupyter_mlstudio.aws.service_model import service_model
from jupyter_mlstudio.entities import JobKind, JobStatus
from jupyter_mlstudio.runtime.images import DEFAULT_TAG
from jupyter_mlstudio.services.studio import Studio

from .conftest import in_thread

SCRIPTS = Path(__file__).parent / "scripts"
ROLE = "arn:aws:iam::000000000000:role/SageMakerRole"
ECR_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-algo:latest"
#: a local image the process runtime cannot run: the job is recorded Failed at once
MISSING_IMAGE = "my-algo:1"


def training_request(name: str, tmp_path: Path, **changes: Any) -> dict[str, Any]:
    """A CreateTrainingJob request as boto3 users write it (script mode as the SDK does)."""
    data = tmp_path / "train-data"
    data.mkdir(exist_ok=True)
    (data / "rows.csv").write_text("1,2\n3,4\n5,6\n")
    request: dict[str, Any] = {
        "TrainingJobName": name,
        "AlgorithmSpecification": {
            "TrainingImage": DEFAULT_TAG,
            "TrainingInputMode": "File",
            "MetricDefinitions": [{"Name": "train:score", "Regex": r"score=([0-9.]+)"}],
        },
        "RoleArn": ROLE,
        "HyperParameters": {
            "scale": "2.0",
            "sagemaker_program": json.dumps("train.py"),
            "sagemaker_submit_directory": json.dumps(SCRIPTS.as_uri()),
        },
        "InputDataConfig": [
            {
                "ChannelName": "train",
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": "S3Prefix",
                        "S3Uri": data.as_uri(),
                        "S3DataDistributionType": "FullyReplicated",
                    }
                },
                "ContentType": "text/csv",
            }
        ],
        "OutputDataConfig": {"S3OutputPath": (tmp_path / "output").as_uri()},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
        "EnableNetworkIsolation": False,
        "Tags": [{"Key": "team", "Value": "fraud"}],
    }
    request.update(changes)
    return request


def raw_answers(client: Any) -> dict[str, Any]:
    """The JSON bodies the studio sent, by operation (botocore drops unknown members
    when it parses, so the shape is checked on what was sent)."""
    seen: dict[str, Any] = {}

    def keep(http_response: Any, model: Any, **_: Any) -> None:
        seen[model.name] = json.loads(http_response.content or b"{}")

    client.meta.events.register("after-call.sagemaker", keep)
    return seen


def assert_conforms(shape: Any, value: Any, path: str = "") -> None:
    """Every member of ``value`` is a member of ``shape``, of its type, recursively."""
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(value, dict), path
        for name, item in value.items():
            assert name in shape.members, f"{path}.{name} is not in {shape.name}"
            assert_conforms(shape.members[name], item, f"{path}.{name}")
    elif kind == "list":
        assert isinstance(value, list), path
        for i, item in enumerate(value):
            assert_conforms(shape.member, item, f"{path}[{i}]")
    elif kind == "map":
        assert isinstance(value, dict), path
        for key, item in value.items():
            assert_conforms(shape.value, item, f"{path}.{key}")
    elif kind == "string":
        assert isinstance(value, str), path
    elif kind == "timestamp":
        assert isinstance(value, int | float), path
        assert not isinstance(value, bool), path
    elif kind in ("integer", "long"):
        assert isinstance(value, int), path
        assert not isinstance(value, bool), path
    elif kind in ("double", "float"):
        assert isinstance(value, int | float), path
    elif kind == "boolean":
        assert isinstance(value, bool), path


def output_shape(operation: str) -> Any:
    return service_model("sagemaker").operation_model(operation).output_shape


async def test_a_training_job_runs_and_is_described_as_on_sagemaker(
    sagemaker: Any, studio: Studio, tmp_path: Path
) -> None:
    answers = raw_answers(sagemaker)
    request = training_request("boto-train", tmp_path)
    created = await in_thread(lambda: sagemaker.create_training_job(**request))
    assert created["TrainingJobArn"] == (
        "arn:aws:sagemaker:us-east-1:000000000000:training-job/boto-train"
    )
    job = await in_thread(lambda: studio.jobs.wait("boto-train", timeout=120))
    assert job.status is JobStatus.COMPLETED, job.failure_reason

    described = await in_thread(
        lambda: sagemaker.describe_training_job(TrainingJobName="boto-train")
    )
    assert described["TrainingJobStatus"] == "Completed"
    assert described["SecondaryStatus"] == "Completed"
    assert described["RoleArn"] == ROLE
    # as given, the SDK's own too (Estimator.attach reads them back); the script got
    # only its own (train.py's score below is 2 rows x scale 2)
    assert described["HyperParameters"] == {
        "scale": "2.0",
        "sagemaker_program": json.dumps("train.py"),
        "sagemaker_submit_directory": json.dumps(SCRIPTS.as_uri()),
    }
    tags = await in_thread(lambda: sagemaker.list_tags(ResourceArn=described["TrainingJobArn"]))
    assert tags["Tags"] == [{"Key": "team", "Value": "fraud"}]  # the studio's stay hidden
    assert described["ResourceConfig"]["InstanceType"] == "ml.m5.large"
    assert described["InputDataConfig"][0]["ChannelName"] == "train"
    assert described["AlgorithmSpecification"]["TrainingInputMode"] == "File"
    model_uri = described["ModelArtifacts"]["S3ModelArtifacts"]
    assert model_uri.startswith((tmp_path / "output").as_uri())
    assert model_uri.endswith("model.tar.gz")
    metrics = {m["MetricName"]: m["Value"] for m in described["FinalMetricDataList"]}
    assert metrics == {"train:score": 6.0}  # 3 rows x scale 2
    for member in ("CreationTime", "TrainingStartTime", "TrainingEndTime", "LastModifiedTime"):
        assert isinstance(described[member], datetime), member
    assert described["TrainingStartTime"] <= described["TrainingEndTime"]
    statuses = [t["Status"] for t in described["SecondaryStatusTransitions"]]
    assert statuses[0] == "Starting"
    assert statuses[-1] == "Completed"
    assert_conforms(output_shape("DescribeTrainingJob"), answers["DescribeTrainingJob"])
    assert isinstance(answers["DescribeTrainingJob"]["CreationTime"], float)

    listed = await in_thread(lambda: sagemaker.list_training_jobs(NameContains="boto"))
    assert [s["TrainingJobName"] for s in listed["TrainingJobSummaries"]] == ["boto-train"]
    assert_conforms(output_shape("ListTrainingJobs"), answers["ListTrainingJobs"])
    # the same record the UI shows
    assert studio.job_kinds[JobKind.TRAINING].describe("boto-train").spec["RoleArn"] == ROLE

    with pytest.raises(ClientError) as stopped:
        await in_thread(lambda: sagemaker.stop_training_job(TrainingJobName="boto-train"))
    assert stopped.value.response["Error"]["Code"] == "ValidationException"


def source_archive(path: Path, *scripts: str) -> Path:
    """``sourcedir.tar.gz`` as the SageMaker SDK packs it (the scripts at its root)."""
    with tarfile.open(path, "w:gz") as archive:
        for script in scripts:
            archive.add(SCRIPTS / script, arcname=script)
    return path


async def test_a_training_job_stops(sagemaker: Any, studio: Studio, tmp_path: Path) -> None:
    archive = source_archive(tmp_path / "sourcedir.tar.gz", "wait_for_stop.py")
    hyperparameters = {
        "sagemaker_program": '"wait_for_stop.py"',
        "sagemaker_submit_directory": f'"{archive.as_uri()}"',
    }
    request = training_request("boto-stop", tmp_path, HyperParameters=hyperparameters)
    await in_thread(lambda: sagemaker.create_training_job(**request))
    await in_thread(lambda: sagemaker.stop_training_job(TrainingJobName="boto-stop"))
    described = await in_thread(
        lambda: sagemaker.describe_training_job(TrainingJobName="boto-stop")
    )
    assert described["TrainingJobStatus"] in ("Stopping", "Stopped")
    job = await in_thread(lambda: studio.jobs.wait("boto-stop", timeout=120))
    assert job.status is JobStatus.STOPPED
    stopped = await in_thread(
        lambda: sagemaker.list_training_jobs(StatusEquals="Stopped")["TrainingJobSummaries"]
    )
    assert [s["TrainingJobName"] for s in stopped] == ["boto-stop"]


async def test_an_ecr_image_the_studio_cannot_run_is_refused_naming_mlstudio_images(
    sagemaker: Any, studio: Studio, tmp_path: Path
) -> None:
    algorithm = {"TrainingImage": ECR_IMAGE, "TrainingInputMode": "File"}
    request = training_request("boto-ecr", tmp_path, AlgorithmSpecification=algorithm)
    del request["HyperParameters"]
    with pytest.raises(ClientError) as refused:
        await in_thread(lambda: sagemaker.create_training_job(**request))
    error = refused.value.response["Error"]
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith("AlgorithmSpecification.TrainingImage: ")
    assert ECR_IMAGE in error["Message"]
    assert "`mlstudio images`" in error["Message"]
    assert studio.store.list_jobs(kind=JobKind.TRAINING).items == []  # nothing recorded


async def test_a_local_image_the_process_runtime_cannot_run_fails_the_job(
    sagemaker: Any, studio: Studio, tmp_path: Path
) -> None:
    algorithm = {"TrainingImage": MISSING_IMAGE, "TrainingInputMode": "File"}
    request = training_request("boto-local", tmp_path, AlgorithmSpecification=algorithm)
    del request["HyperParameters"]
    created = await in_thread(lambda: sagemaker.create_training_job(**request))
    assert created["TrainingJobArn"].endswith(":training-job/boto-local")
    described = await in_thread(
        lambda: sagemaker.describe_training_job(TrainingJobName="boto-local")
    )
    assert described["TrainingJobStatus"] == "Failed"
    assert "mlstudio images" in described["FailureReason"]
    assert MISSING_IMAGE in described["FailureReason"]
    assert described["AlgorithmSpecification"]["TrainingImage"] == MISSING_IMAGE
    with pytest.raises(ClientError) as taken:
        await in_thread(lambda: sagemaker.create_training_job(**request))
    assert taken.value.response["Error"]["Code"] == "ResourceInUse"


async def test_a_processing_job_runs_and_is_described(
    sagemaker: Any, studio: Studio, tmp_path: Path
) -> None:
    answers = raw_answers(sagemaker)
    data = tmp_path / "process-in"
    data.mkdir()
    (data / "a.txt").write_text("hello\n")
    out = tmp_path / "process-out"
    request = {
        "ProcessingJobName": "boto-process",
        "RoleArn": ROLE,
        "AppSpecification": {
            "ImageUri": DEFAULT_TAG,
            "ContainerEntrypoint": ["python3", str(SCRIPTS / "process.py")],
            "ContainerArguments": ["/opt/ml/processing/input/data", "/opt/ml/processing/out"],
        },
        "ProcessingInputs": [
            {
                "InputName": "data",
                "S3Input": {
                    "S3Uri": data.as_uri(),
                    "LocalPath": "/opt/ml/processing/input/data",
                    "S3DataType": "S3Prefix",
                    "S3InputMode": "File",
                },
            }
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
    created = await in_thread(lambda: sagemaker.create_processing_job(**request))
    assert created["ProcessingJobArn"].endswith(":processing-job/boto-process")
    job = await in_thread(lambda: studio.jobs.wait("boto-process", timeout=120))
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    assert (out / "upper.txt").read_text() == "HELLO\n"
    described = await in_thread(
        lambda: sagemaker.describe_processing_job(ProcessingJobName="boto-process")
    )
    assert described["ProcessingJobStatus"] == "Completed"
    assert described["RoleArn"] == ROLE
    assert described["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"] == out.as_uri()
    assert described["ProcessingEndTime"] >= described["ProcessingStartTime"]
    assert_conforms(output_shape("DescribeProcessingJob"), answers["DescribeProcessingJob"])
    listed = await in_thread(lambda: sagemaker.list_processing_jobs(StatusEquals="Completed"))
    assert [s["ProcessingJobName"] for s in listed["ProcessingJobSummaries"]] == ["boto-process"]
    assert_conforms(output_shape("ListProcessingJobs"), answers["ListProcessingJobs"])
    with pytest.raises(ClientError) as ended:
        await in_thread(lambda: sagemaker.stop_processing_job(ProcessingJobName="boto-process"))
    assert ended.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as missing:
        await in_thread(lambda: sagemaker.describe_processing_job(ProcessingJobName="nope"))
    assert missing.value.response["Error"]["Code"] == "ValidationException"
    assert missing.value.response["Error"]["Message"].startswith("Requested resource not found.")
