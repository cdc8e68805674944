"""STS GetCallerIdentity, and List* filters, sorting and pages through boto3."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from jupyter_mlstudio.aws.credentials import AwsIdentity
from jupyter_mlstudio.services.studio import Studio

from .conftest import client, in_thread
from .test_jobs_api import MISSING_IMAGE, training_request


async def test_get_caller_identity(aws_endpoint: str, identity: AwsIdentity) -> None:
    sts = client("sts", aws_endpoint, identity)
    answer = await in_thread(sts.get_caller_identity)
    assert answer["Account"] == "000000000000"
    assert answer["UserId"] == identity.access_key_id
    assert answer["Arn"] == "arn:aws:iam::000000000000:user/mlstudio"
    wrong = client("sts", aws_endpoint, identity, aws_secret_access_key="wrong")
    with pytest.raises(ClientError) as refused:
        await in_thread(wrong.get_caller_identity)
    assert refused.value.response["Error"]["Code"] == "InvalidSignatureException"


def the_credentials_file_is_private(studio_home: Path) -> None:
    path = studio_home / "aws-credentials.json"
    assert path.stat().st_mode & 0o777 == 0o600
    assert set(json.loads(path.read_text())) == {
        "AccessKeyId",
        "SecretAccessKey",
        "Region",
        "AccountId",
    }


async def test_the_key_pair_is_written_once_and_private(
    identity: AwsIdentity, studio_home: Path
) -> None:
    the_credentials_file_is_private(studio_home)
    assert identity.access_key_id.startswith("AKIA")
    assert len(identity.access_key_id) == 20


async def create_failed_jobs(sagemaker: Any, tmp_path: Path, names: list[str]) -> None:
    """Jobs recorded at once (an image the studio lacks fails them): cheap to list."""
    algorithm = {"TrainingImage": MISSING_IMAGE, "TrainingInputMode": "File"}
    for name in names:
        request = training_request(name, tmp_path, AlgorithmSpecification=algorithm)
        del request["HyperParameters"]
        await in_thread(lambda r=request: sagemaker.create_training_job(**r))  # type: ignore[misc]


async def test_listing_filters_sorts_and_pages(
    sagemaker: Any, studio: Studio, tmp_path: Path
) -> None:
    names = ["job-c", "job-a", "other-b", "job-e", "job-d"]
    await create_failed_jobs(sagemaker, tmp_path, names)

    default = await in_thread(lambda: sagemaker.list_training_jobs()["TrainingJobSummaries"])
    assert [s["TrainingJobName"] for s in default] == names  # CreationTime, Ascending

    paginator = sagemaker.get_paginator("list_training_jobs")
    pages = await in_thread(
        lambda: list(
            paginator.paginate(
                NameContains="job",
                SortBy="Name",
                SortOrder="Descending",
                PaginationConfig={"PageSize": 2},
            )
        )
    )
    assert [[s["TrainingJobName"] for s in p["TrainingJobSummaries"]] for p in pages] == [
        ["job-e", "job-d"],
        ["job-c", "job-a"],
    ]
    assert "NextToken" in pages[0]
    assert "NextToken" not in pages[-1]

    failed = await in_thread(
        lambda: sagemaker.list_training_jobs(StatusEquals="Failed", MaxResults=100)
    )
    assert len(failed["TrainingJobSummaries"]) == 5
    assert {s["SecondaryStatus"] for s in failed["TrainingJobSummaries"]} == {"Failed"}
    assert (
        await in_thread(
            lambda: sagemaker.list_training_jobs(StatusEquals="InProgress")["TrainingJobSummaries"]
        )
        == []
    )

    third = studio.store.get_job("other-b").creation_time
    after = await in_thread(
        lambda: sagemaker.list_training_jobs(CreationTimeAfter=third)["TrainingJobSummaries"]
    )
    assert [s["TrainingJobName"] for s in after] == ["job-e", "job-d"]
    before = await in_thread(
        lambda: sagemaker.list_training_jobs(
            CreationTimeBefore=third + timedelta(microseconds=1),
            LastModifiedTimeAfter=third - timedelta(days=1),
        )["TrainingJobSummaries"]
    )
    assert [s["TrainingJobName"] for s in before] == ["job-c", "job-a", "other-b"]

    with pytest.raises(ClientError) as bad_token:
        await in_thread(lambda: sagemaker.list_training_jobs(NextToken="not-a-token"))
    assert bad_token.value.response["Error"]["Code"] == "ValidationException"
