"""Hosting through boto3's real ``sagemaker`` and ``sagemaker-runtime`` clients, as public
SageMaker notebooks write it: a trained job's model.tar.gz, create_model,
create_endpoint_config with a DataCaptureConfig dict, create_endpoint, the
endpoint_in_service waiter, invoke_endpoint, weights, deletes; on the process runtime,
in the same store and router the UI uses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from jupyter_mlstudio.aws.credentials import AwsIdentity
from jupyter_mlstudio.entities import JobStatus
from jupyter_mlstudio.runtime.images import DEFAULT_TAG
from jupyter_mlstudio.services.studio import Studio

from .conftest import client, in_thread
from .test_jobs_api import ROLE, assert_conforms, output_shape, raw_answers

LINEAR = Path(__file__).parent / "scripts" / "linear"
ARN = "arn:aws:sagemaker:us-east-1:000000000000"
#: y = 2 * x1 + 3 * x2
ROWS = "8,1,2\n7,2,1\n5,1,1\n13,2,3\n"
#: what the waiter polls at (boto3's default is 30 s)
FAST_WAITER = {"Delay": 1, "MaxAttempts": 120}


@pytest.fixture
def runtime(aws_endpoint: str, identity: AwsIdentity) -> Any:
    """boto3's ``sagemaker-runtime`` client, at the same URL as ``sagemaker``."""
    return client("sagemaker-runtime", aws_endpoint, identity)


async def train(sagemaker: Any, studio: Studio, tmp_path: Path, name: str) -> str:
    """A script-mode training job of the linear model; its model.tar.gz."""
    data = tmp_path / "rows"
    data.mkdir()
    (data / "rows.csv").write_text(ROWS)
    request = {
        "TrainingJobName": name,
        "AlgorithmSpecification": {"TrainingImage": DEFAULT_TAG, "TrainingInputMode": "File"},
        "RoleArn": ROLE,
        "HyperParameters": {
            "sagemaker_program": json.dumps("train.py"),
            "sagemaker_submit_directory": json.dumps(LINEAR.as_uri()),
        },
        "InputDataConfig": [
            {
                "ChannelName": "train",
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": data.as_uri()}},
            }
        ],
        "OutputDataConfig": {"S3OutputPath": (tmp_path / "output").as_uri()},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
    }
    await in_thread(lambda: sagemaker.create_training_job(**request))
    job = await in_thread(lambda: studio.jobs.wait(name, timeout=120))
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    described = await in_thread(lambda: sagemaker.describe_training_job(TrainingJobName=name))
    uri: str = described["ModelArtifacts"]["S3ModelArtifacts"]
    return uri


def create_model(sagemaker: Any, name: str, model_data: str) -> dict[str, Any]:
    answer: dict[str, Any] = sagemaker.create_model(
        ModelName=name,
        ExecutionRoleArn=ROLE,
        PrimaryContainer={
            "Image": DEFAULT_TAG,
            "ModelDataUrl": model_data,
            "Environment": {
                "SAGEMAKER_PROGRAM": "inference.py",
                "SAGEMAKER_SUBMIT_DIRECTORY": LINEAR.as_uri(),
            },
        },
    )
    return answer


def numbers(body: bytes) -> list[float]:
    return [float(v) for v in body.decode().replace(",", "\n").split()]


async def test_the_classic_boto3_hosting_flow(
    sagemaker: Any, runtime: Any, studio: Studio, tmp_path: Path, jp_fetch: Any
) -> None:
    answers = raw_answers(sagemaker)
    model_data = await train(sagemaker, studio, tmp_path, "linear-train")

    created = await in_thread(lambda: create_model(sagemaker, "linear-model", model_data))
    assert created["ModelArn"] == f"{ARN}:model/linear-model"
    model = await in_thread(lambda: sagemaker.describe_model(ModelName="linear-model"))
    assert model["ExecutionRoleArn"] == ROLE
    assert model["PrimaryContainer"]["ModelDataUrl"] == model_data
    assert model["PrimaryContainer"]["Image"] == DEFAULT_TAG
    assert model["PrimaryContainer"]["Environment"]["SAGEMAKER_PROGRAM"] == "inference.py"
    assert_conforms(output_shape("DescribeModel"), answers["DescribeModel"])
    assert studio.endpoints.get_model("linear-model").primary_container.model_data_url

    capture = tmp_path / "capture"
    config = await in_thread(
        lambda: sagemaker.create_endpoint_config(
            EndpointConfigName="linear-config",
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "ModelName": "linear-model",
                    "InitialInstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                }
            ],
            DataCaptureConfig={
                "EnableCapture": True,
                "InitialSamplingPercentage": 100,
                "DestinationS3Uri": capture.as_uri(),
                "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
                "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]},
            },
        )
    )
    assert config["EndpointConfigArn"] == f"{ARN}:endpoint-config/linear-config"
    described_config = await in_thread(
        lambda: sagemaker.describe_endpoint_config(EndpointConfigName="linear-config")
    )
    assert described_config["ProductionVariants"][0]["InstanceType"] == "ml.m5.large"
    assert described_config["DataCaptureConfig"]["InitialSamplingPercentage"] == 100
    assert described_config["DataCaptureConfig"]["CaptureOptions"] == [
        {"CaptureMode": "Input"},
        {"CaptureMode": "Output"},
    ]
    assert_conforms(output_shape("DescribeEndpointConfig"), answers["DescribeEndpointConfig"])

    endpoint = await in_thread(
        lambda: sagemaker.create_endpoint(
            EndpointName="linear-endpoint", EndpointConfigName="linear-config"
        )
    )
    assert endpoint["EndpointArn"] == f"{ARN}:endpoint/linear-endpoint"
    waiter = sagemaker.get_waiter("endpoint_in_service")
    await in_thread(lambda: waiter.wait(EndpointName="linear-endpoint", WaiterConfig=FAST_WAITER))
    described = await in_thread(lambda: sagemaker.describe_endpoint(EndpointName="linear-endpoint"))
    assert described["EndpointStatus"] == "InService"
    (variant,) = described["ProductionVariants"]
    assert variant["VariantName"] == "AllTraffic"
    assert variant["CurrentWeight"] == 1.0
    assert variant["CurrentInstanceCount"] == 1
    assert described["DataCaptureConfig"]["CaptureStatus"] == "Started"
    assert described["DataCaptureConfig"]["CurrentSamplingPercentage"] == 100
    assert described["DataCaptureConfig"]["DestinationS3Uri"] == capture.as_uri()
    assert_conforms(output_shape("DescribeEndpoint"), answers["DescribeEndpoint"])
    # the UI's listing shows it
    listed = studio.endpoints.list_endpoints().items
    assert [e.endpoint_name for e in listed] == ["linear-endpoint"]

    predicted = await in_thread(
        lambda: runtime.invoke_endpoint(
            EndpointName="linear-endpoint",
            ContentType="text/csv",
            Accept="text/csv",
            Body="1,1\n4,0\n",
            CustomAttributes="trace=1",
        )
    )
    assert predicted["ContentType"] == "text/csv"
    assert predicted["InvokedProductionVariant"] == "AllTraffic"
    assert numbers(predicted["Body"].read()) == pytest.approx([5.0, 8.0])

    as_json = await in_thread(
        lambda: runtime.invoke_endpoint(
            EndpointName="linear-endpoint",
            ContentType="text/csv",
            Body=b"0,1",
            TargetVariant="AllTraffic",
        )
    )
    assert as_json["ContentType"] == "application/json"
    assert json.loads(as_json["Body"].read()) == pytest.approx([3.0])
    # the studio's own route reaches the same router: its figures count all three
    studio_answer = await jp_fetch(
        "mlstudio",
        "api",
        "endpoints",
        "linear-endpoint",
        "invocations",
        method="POST",
        body=b"1,0",
        headers={"Content-Type": "text/csv", "Accept": "text/csv"},
    )
    assert numbers(studio_answer.body) == pytest.approx([2.0])
    (figures,) = studio.endpoints.figures("linear-endpoint")["Variants"]
    assert figures["Invocations"] == 3

    await in_thread(
        lambda: sagemaker.update_endpoint_weights_and_capacities(
            EndpointName="linear-endpoint",
            DesiredWeightsAndCapacities=[
                {"VariantName": "AllTraffic", "DesiredWeight": 2.0, "DesiredInstanceCount": 2}
            ],
        )
    )
    await in_thread(lambda: waiter.wait(EndpointName="linear-endpoint", WaiterConfig=FAST_WAITER))
    reweighed = await in_thread(lambda: sagemaker.describe_endpoint(EndpointName="linear-endpoint"))
    (variant,) = reweighed["ProductionVariants"]
    assert variant["CurrentWeight"] == 2.0
    assert variant["CurrentInstanceCount"] == 2
    assert variant["DesiredInstanceCount"] == 2

    await in_thread(lambda: sagemaker.delete_endpoint(EndpointName="linear-endpoint"))
    # the capture is written out as the endpoint stops, as SageMaker lays it out
    files = sorted((capture / "linear-endpoint" / "AllTraffic").rglob("*.jsonl"))
    records = [json.loads(line) for f in files for line in f.read_text().splitlines()]
    inputs = [r["captureData"]["endpointInput"]["data"] for r in records]
    assert sorted(inputs) == ["0,1", "1,0", "1,1\n4,0\n"]
    assert all(r["captureData"]["endpointOutput"]["data"] for r in records)

    await in_thread(lambda: sagemaker.delete_endpoint_config(EndpointConfigName="linear-config"))
    await in_thread(lambda: sagemaker.delete_model(ModelName="linear-model"))
    assert studio.endpoints.list_endpoints().items == []
    for call in (
        lambda: sagemaker.describe_endpoint(EndpointName="linear-endpoint"),
        lambda: sagemaker.describe_endpoint_config(EndpointConfigName="linear-config"),
        lambda: sagemaker.describe_model(ModelName="linear-model"),
    ):
        with pytest.raises(ClientError) as caught:
            await in_thread(call)
        assert caught.value.response["Error"]["Code"] == "ValidationException"
        assert "Could not find" in caught.value.response["Error"]["Message"]


async def test_a_batch_transform_job(sagemaker: Any, studio: Studio, tmp_path: Path) -> None:
    answers = raw_answers(sagemaker)
    model_data = await train(sagemaker, studio, tmp_path, "linear-for-batch")
    await in_thread(lambda: create_model(sagemaker, "batch-model", model_data))
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "input.csv").write_text("1,1\n0,2\n")
    created = await in_thread(
        lambda: sagemaker.create_transform_job(
            TransformJobName="linear-batch",
            ModelName="batch-model",
            TransformInput={
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": batch.as_uri()}},
                "ContentType": "text/csv",
                "SplitType": "Line",
            },
            TransformOutput={
                "S3OutputPath": (tmp_path / "predictions").as_uri(),
                "Accept": "text/csv",
                "AssembleWith": "Line",
            },
            TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1},
        )
    )
    assert created["TransformJobArn"] == f"{ARN}:transform-job/linear-batch"
    job = await in_thread(lambda: studio.transform.wait("linear-batch", timeout=120))
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    described = await in_thread(
        lambda: sagemaker.describe_transform_job(TransformJobName="linear-batch")
    )
    assert described["TransformJobStatus"] == "Completed"
    assert described["ModelName"] == "batch-model"
    assert described["TransformOutput"]["S3OutputPath"] == (tmp_path / "predictions").as_uri()
    assert described["TransformInput"]["SplitType"] == "Line"
    assert described["TransformStartTime"] <= described["TransformEndTime"]
    assert_conforms(output_shape("DescribeTransformJob"), answers["DescribeTransformJob"])
    out = (tmp_path / "predictions" / "input.csv.out").read_bytes()
    assert numbers(out) == pytest.approx([5.0, 6.0])

    listed = await in_thread(lambda: sagemaker.list_transform_jobs(NameContains="linear"))
    assert [s["TransformJobName"] for s in listed["TransformJobSummaries"]] == ["linear-batch"]
    # the UI's Jobs section reads the same record
    assert studio.store.get_job("linear-batch").status is JobStatus.COMPLETED
    with pytest.raises(ClientError) as caught:
        await in_thread(lambda: sagemaker.stop_transform_job(TransformJobName="linear-batch"))
    assert caught.value.response["Error"]["Code"] == "ValidationException"
