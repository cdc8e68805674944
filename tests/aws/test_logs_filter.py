"""CloudWatch Logs' FilterLogEvents through boto3's ``logs`` client: a job's lines across
its streams, and the endpoint log group the SDK v3's ModelBuilder polls while it deploys
(not kept here: ResourceNotFoundException, as for an endpoint that has not logged)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from jupyter_mlstudio.aws.credentials import AwsIdentity
from jupyter_mlstudio.entities import JobStatus
from jupyter_mlstudio.services.studio import Studio

from .conftest import client, in_thread
from .test_jobs_api import training_request

GROUP = "/aws/sagemaker/TrainingJobs"


@pytest.fixture
def logs(aws_endpoint: str, identity: AwsIdentity) -> Any:
    """boto3's ``logs`` client, at the same URL as ``sagemaker``."""
    return client("logs", aws_endpoint, identity)


async def test_filter_log_events_reads_a_jobs_streams_in_pages(
    sagemaker: Any, logs: Any, studio: Studio, tmp_path: Path
) -> None:
    request = training_request("filter-job", tmp_path)
    await in_thread(lambda: sagemaker.create_training_job(**request))
    job = await in_thread(lambda: studio.jobs.wait("filter-job", timeout=120))
    assert job.status is JobStatus.COMPLETED, job.failure_reason

    found = await in_thread(
        lambda: logs.filter_log_events(logGroupName=GROUP, logStreamNamePrefix="filter-job/")
    )
    assert [e["message"] for e in found["events"]] == ["rows=3 score=6.0"]
    (event,) = found["events"]
    assert event["logStreamName"] == "filter-job/algo-1"
    assert found["searchedLogStreams"] == [
        {"logStreamName": "filter-job/algo-1", "searchedCompletely": True}
    ]
    assert "nextToken" not in found

    by_name = await in_thread(
        lambda: logs.filter_log_events(
            logGroupName=GROUP, logStreamNames=["filter-job/algo-1"], filterPattern="score"
        )
    )
    assert [e["message"] for e in by_name["events"]] == ["rows=3 score=6.0"]
    missing = await in_thread(
        lambda: logs.filter_log_events(
            logGroupName=GROUP, logStreamNames=["filter-job/algo-1"], filterPattern="nothing"
        )
    )
    assert missing["events"] == []
    later = await in_thread(
        lambda: logs.filter_log_events(
            logGroupName=GROUP, logStreamNamePrefix="filter-job/", startTime=event["timestamp"] + 1
        )
    )
    assert later["events"] == []

    paginator = logs.get_paginator("filter_log_events")
    pages = await in_thread(
        lambda: list(
            paginator.paginate(
                logGroupName=GROUP,
                logStreamNamePrefix="filter-job/",
                PaginationConfig={"PageSize": 1},
            )
        )
    )
    assert [e["message"] for page in pages for e in page["events"]] == ["rows=3 score=6.0"]


async def test_filter_log_events_of_an_endpoint_group_is_not_found(logs: Any) -> None:
    with pytest.raises(ClientError) as refused:
        await in_thread(
            lambda: logs.filter_log_events(
                logGroupName="/aws/sagemaker/Endpoints/some-endpoint",
                logStreamNamePrefix="AllTraffic/",
            )
        )
    assert refused.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as refused:
        await in_thread(
            lambda: logs.filter_log_events(
                logGroupName=GROUP, logStreamNames=["a/algo-1"], logStreamNamePrefix="a/"
            )
        )
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
