"""CloudWatch Logs through boto3's real ``logs`` client: a job's log as the SageMaker SDK
reads it (DescribeLogStreams, then GetLogEvents forward until an empty page), and the
endpoint configuration an SDK predictor deletes before its endpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from jupyter_mlstudio.aws.credentials import AwsIdentity
from jupyter_mlstudio.entities import JobKind, JobStatus
from jupyter_mlstudio.services.studio import Studio

from .conftest import client, in_thread
from .test_hosting import FAST_WAITER, create_model, train
from .test_jobs_api import training_request

GROUP = "/aws/sagemaker/TrainingJobs"


@pytest.fixture
def logs(aws_endpoint: str, identity: AwsIdentity) -> Any:
    """boto3's ``logs`` client, at the same URL as ``sagemaker``."""
    return client("logs", aws_endpoint, identity)


async def test_a_training_jobs_log_read_as_the_sdk_reads_it(
    sagemaker: Any, logs: Any, studio: Studio, tmp_path: Path
) -> None:
    request = training_request("logs-job", tmp_path)
    await in_thread(lambda: sagemaker.create_training_job(**request))
    job = await in_thread(lambda: studio.jobs.wait("logs-job", timeout=120))
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    lines = studio.job_kinds[JobKind.TRAINING].logs("logs-job").Text.splitlines()
    assert "rows=3 score=6.0" in lines

    streams = await in_thread(
        lambda: logs.describe_log_streams(
            logGroupName=GROUP, logStreamNamePrefix="logs-job/", orderBy="LogStreamName", limit=1
        )
    )
    (stream,) = streams["logStreams"]
    assert stream["logStreamName"] == "logs-job/algo-1"
    assert stream["arn"] == (
        f"arn:aws:logs:us-east-1:000000000000:log-group:{GROUP}:log-stream:logs-job/algo-1"
    )
    assert job.start_time is not None
    started = int(job.start_time.timestamp() * 1000)
    assert stream["firstEventTimestamp"] == stream["lastEventTimestamp"] == started
    everything = await in_thread(lambda: logs.describe_log_streams(logGroupName=GROUP))
    assert "logs-job/algo-1" in [s["logStreamName"] for s in everything["logStreams"]]

    # forward from the head, one line a page, until a page is empty (the SDK's loop)
    def read(token: dict[str, str]) -> Any:
        return logs.get_log_events(
            logGroupName=GROUP,
            logStreamName="logs-job/algo-1",
            startFromHead=True,
            startTime=0,
            limit=1,
            **token,
        )

    messages: list[str] = []
    token: dict[str, str] = {}
    while True:
        page = await in_thread(lambda: read(token))  # noqa: B023 - awaited at once
        if not page["events"]:
            assert page["nextForwardToken"] == token["nextToken"]  # the end: same token
            break
        assert all(e["timestamp"] == started for e in page["events"])
        messages += [e["message"] for e in page["events"]]
        token = {"nextToken": page["nextForwardToken"]}
    assert messages == lines

    # without a token, the tail; its backward token reads the line before
    tail = await in_thread(
        lambda: logs.get_log_events(logGroupName=GROUP, logStreamName="logs-job/algo-1", limit=1)
    )
    assert [e["message"] for e in tail["events"]] == lines[-1:]
    before = await in_thread(
        lambda: logs.get_log_events(
            logGroupName=GROUP,
            logStreamName="logs-job/algo-1",
            limit=1,
            nextToken=tail["nextBackwardToken"],
        )
    )
    assert [e["message"] for e in before["events"]] == lines[-2:-1]
    later = await in_thread(
        lambda: logs.get_log_events(
            logGroupName=GROUP, logStreamName="logs-job/algo-1", startTime=started + 1
        )
    )
    assert later["events"] == []


async def test_missing_groups_streams_and_bad_tokens_are_refused(logs: Any) -> None:
    calls = {
        "ResourceNotFoundException": [
            lambda: logs.describe_log_streams(logGroupName="/aws/lambda/f"),
            lambda: logs.get_log_events(logGroupName=GROUP, logStreamName="nope/algo-1"),
        ],
        "InvalidParameterException": [
            lambda: logs.describe_log_streams(logGroupName=GROUP, nextToken="x"),
            lambda: logs.describe_log_streams(
                logGroupName=GROUP, logStreamNamePrefix="a", orderBy="LastEventTime"
            ),
        ],
    }
    for code, attempts in calls.items():
        for attempt in attempts:
            with pytest.raises(ClientError) as caught:
                await in_thread(attempt)
            assert caught.value.response["Error"]["Code"] == code
    # a prefix no job has lists nothing
    answer = await in_thread(
        lambda: logs.describe_log_streams(logGroupName=GROUP, logStreamNamePrefix="nope/")
    )
    assert answer["logStreams"] == []


async def test_a_configuration_deleted_before_its_endpoint_goes_with_it(
    sagemaker: Any, studio: Studio, tmp_path: Path
) -> None:
    model_data = await train(sagemaker, studio, tmp_path, "retire-train")
    await in_thread(lambda: create_model(sagemaker, "retire-model", model_data))
    variant = {
        "VariantName": "AllTraffic",
        "ModelName": "retire-model",
        "InitialInstanceCount": 1,
        "InstanceType": "ml.m5.large",
    }
    await in_thread(
        lambda: sagemaker.create_endpoint_config(
            EndpointConfigName="retire-config", ProductionVariants=[variant]
        )
    )
    await in_thread(
        lambda: sagemaker.create_endpoint(
            EndpointName="retire-endpoint", EndpointConfigName="retire-config"
        )
    )
    waiter = sagemaker.get_waiter("endpoint_in_service")
    await in_thread(lambda: waiter.wait(EndpointName="retire-endpoint", WaiterConfig=FAST_WAITER))

    # what Predictor.delete_endpoint() does: the configuration first, then the endpoint
    await in_thread(lambda: sagemaker.delete_endpoint_config(EndpointConfigName="retire-config"))
    with pytest.raises(ClientError) as caught:
        await in_thread(
            lambda: sagemaker.describe_endpoint_config(EndpointConfigName="retire-config")
        )
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    listed = await in_thread(lambda: sagemaker.list_endpoint_configs(NameContains="retire"))
    assert listed["EndpointConfigs"] == []
    endpoint = await in_thread(lambda: sagemaker.describe_endpoint(EndpointName="retire-endpoint"))
    assert endpoint["EndpointStatus"] == "InService"  # it keeps running, as on SageMaker
    assert studio.endpoints.get_endpoint_config("retire-config")  # kept while it runs

    await in_thread(lambda: sagemaker.delete_endpoint(EndpointName="retire-endpoint"))
    assert [c.endpoint_config_name for c in studio.endpoints.list_endpoint_configs().items] == []
    await in_thread(lambda: sagemaker.delete_model(ModelName="retire-model"))
