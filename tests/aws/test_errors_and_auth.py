"""Errors and authentication as botocore sees them on AWS: the same ``ClientError`` codes."""

from __future__ import annotations

import io
import json
import tarfile
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from botocore import UNSIGNED
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_mlstudio.aws.credentials import AwsIdentity
from jupyter_mlstudio.aws.errors import AwsError
from jupyter_mlstudio.aws.sigv4 import verify
from jupyter_mlstudio.services.studio import Studio

from .conftest import client, in_thread

NOW = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
NO_CLIENT_CHECKS = Config(parameter_validation=False, retries={"max_attempts": 1})


async def error_of(fn: Any) -> dict[str, Any]:
    """The ``Error`` botocore parsed from the studio's refusal (and the HTTP status)."""
    with pytest.raises(ClientError) as caught:
        await in_thread(fn)
    response = caught.value.response
    return {**response["Error"], "Status": response["ResponseMetadata"]["HTTPStatusCode"]}


@pytest.fixture
def unchecked(aws_endpoint: str, identity: AwsIdentity) -> Any:
    """A sagemaker client that sends what it is given (no client-side validation)."""
    import boto3

    return boto3.client(
        "sagemaker",
        endpoint_url=aws_endpoint,
        region_name=identity.region,
        aws_access_key_id=identity.access_key_id,
        aws_secret_access_key=identity.secret_access_key,
        config=NO_CLIENT_CHECKS,
    )


async def test_a_missing_required_member_is_named(unchecked: Any, studio: Studio) -> None:
    error = await error_of(
        lambda: unchecked.create_training_job(
            TrainingJobName="no-role",
            AlgorithmSpecification={"TrainingImage": "x", "TrainingInputMode": "File"},
            OutputDataConfig={"S3OutputPath": "s3://bucket/out"},
            ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1},
            StoppingCondition={"MaxRuntimeInSeconds": 60},
        )
    )
    assert error["Code"] == "ValidationException"
    assert error["Status"] == 400
    assert '"RoleArn"' in error["Message"]
    assert studio.store.list_jobs().items == []


async def test_a_training_job_needs_an_image_or_script_mode(sagemaker: Any) -> None:
    error = await error_of(
        lambda: sagemaker.create_training_job(
            TrainingJobName="no-image",
            RoleArn="arn:aws:iam::000000000000:role/R",
            AlgorithmSpecification={"TrainingInputMode": "File"},
            OutputDataConfig={"S3OutputPath": "s3://bucket/out"},
            ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
            StoppingCondition={"MaxRuntimeInSeconds": 60},
        )
    )
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith("AlgorithmSpecification.TrainingImage:")


async def test_an_archive_escaping_its_folder_is_refused(
    sagemaker: Any, studio: Studio, tmp_path: Path
) -> None:
    archive = tmp_path / "sourcedir.tar.gz"
    with tarfile.open(archive, "w:gz") as out:
        data = b"print('hi')"
        member = tarfile.TarInfo("../../escaped.py")
        member.size = len(data)
        out.addfile(member, io.BytesIO(data))
    error = await error_of(
        lambda: sagemaker.create_training_job(
            TrainingJobName="escape",
            RoleArn="arn:aws:iam::000000000000:role/R",
            AlgorithmSpecification={"TrainingImage": "img:1", "TrainingInputMode": "File"},
            HyperParameters={
                "sagemaker_program": "escaped.py",
                "sagemaker_submit_directory": archive.as_uri(),
            },
            OutputDataConfig={"S3OutputPath": "s3://bucket/out"},
            ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
            StoppingCondition={"MaxRuntimeInSeconds": 60},
        )
    )
    assert error["Code"] == "ValidationException"
    assert "HyperParameters.sagemaker_submit_directory" in error["Message"]
    assert studio.store.list_jobs().items == []
    assert not (tmp_path.parent / "escaped.py").exists()


async def test_a_bad_enum_a_pattern_and_a_length_are_refused(unchecked: Any) -> None:
    error = await error_of(lambda: unchecked.list_training_jobs(SortBy="Size"))
    assert error["Code"] == "ValidationException"
    assert "'SortBy'" in error["Message"]
    assert "Name, CreationTime, Status" in error["Message"]
    error = await error_of(lambda: unchecked.describe_training_job(TrainingJobName="bad_name"))
    assert error["Code"] == "ValidationException"
    assert "'TrainingJobName'" in error["Message"]
    assert "regular expression pattern" in error["Message"]
    error = await error_of(lambda: unchecked.describe_training_job(TrainingJobName="a" * 64))
    assert "TrainingJobName must have length less than or equal to 63" in error["Message"]
    error = await error_of(lambda: unchecked.list_training_jobs(MaxResults=101))
    assert "'MaxResults' must be less than or equal to 100" in error["Message"]


async def test_a_missing_job_is_a_validation_exception_as_on_sagemaker(sagemaker: Any) -> None:
    error = await error_of(lambda: sagemaker.describe_training_job(TrainingJobName="nope"))
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith("Requested resource not found.")
    error = await error_of(lambda: sagemaker.stop_training_job(TrainingJobName="nope"))
    assert error["Code"] == "ValidationException"


async def test_an_operation_the_studio_does_not_answer(sagemaker: Any) -> None:
    error = await error_of(lambda: sagemaker.list_notebook_instances())
    assert error["Code"] == "UnknownOperationException"
    assert "ListNotebookInstances" in error["Message"]


async def test_a_wrong_secret_is_an_invalid_signature(
    aws_endpoint: str, identity: AwsIdentity
) -> None:
    wrong = client("sagemaker", aws_endpoint, identity, aws_secret_access_key="not-the-secret")
    error = await error_of(lambda: wrong.list_training_jobs())
    assert error["Code"] == "InvalidSignatureException"
    assert error["Status"] == 403


async def test_an_unknown_access_key_is_unrecognized(
    aws_endpoint: str, identity: AwsIdentity
) -> None:
    stranger = client("sagemaker", aws_endpoint, identity, aws_access_key_id="AKIAUNKNOWNKEY000000")
    error = await error_of(lambda: stranger.list_training_jobs())
    assert error["Code"] == "UnrecognizedClientException"
    assert error["Status"] == 403


async def test_an_unsigned_request_is_refused(aws_endpoint: str, identity: AwsIdentity) -> None:
    import boto3

    anonymous = boto3.client(
        "sagemaker",
        endpoint_url=aws_endpoint,
        region_name=identity.region,
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )
    error = await error_of(lambda: anonymous.list_training_jobs())
    assert error["Code"] == "MissingAuthenticationTokenException"
    assert error["Status"] == 403


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any, Any]:
    """POST with urllib; (status, headers, JSON body) for answers and refusals alike
    (header names are case-insensitive)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, json.loads(exc.read())


async def test_the_jupyter_token_is_accepted_without_xsrf(
    aws_endpoint: str, jp_auth_header: dict[str, str]
) -> None:
    headers = {
        "X-Amz-Target": "SageMaker.ListProcessingJobs",
        "Content-Type": "application/x-amz-json-1.1",
    }
    status, answer_headers, body = await in_thread(
        lambda: post(aws_endpoint + "/", b"{}", {**headers, **jp_auth_header})
    )
    assert (status, body) == (200, {"ProcessingJobSummaries": []})
    assert answer_headers.get("Content-Type") == "application/x-amz-json-1.1"
    status, answer_headers, body = await in_thread(lambda: post(aws_endpoint, b"{}", headers))
    assert status == 403
    assert body["__type"] == "MissingAuthenticationTokenException"
    assert answer_headers.get("x-amzn-ErrorType") == "MissingAuthenticationTokenException"
    assert answer_headers.get("Content-Type") == "application/x-amz-json-1.1"
    status, _, body = await in_thread(
        lambda: post(aws_endpoint, b"{", {**headers, **jp_auth_header})
    )
    assert (status, body["__type"]) == (400, "SerializationException")


def signed_request(identity: AwsIdentity, body: bytes) -> AWSRequest:
    request = AWSRequest(
        method="POST",
        url="http://127.0.0.1:8888/mlstudio/aws/",
        data=body,
        headers={
            "X-Amz-Target": "SageMaker.ListTrainingJobs",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    credentials = Credentials(identity.access_key_id, identity.secret_access_key)
    SigV4Auth(credentials, "sagemaker", identity.region).add_auth(request)
    return request


def check(identity: AwsIdentity, request: AWSRequest, body: bytes, now: datetime) -> None:
    headers = [(k, v) for k, v in request.headers.items()]
    headers.append(("Host", "127.0.0.1:8888"))
    verify(
        method="POST",
        url=str(request.url),
        headers=headers,
        body=body,
        secrets=identity.secrets,
        now=now,
    )


def test_a_signature_holds_for_15_minutes_and_for_its_body_only() -> None:
    identity = AwsIdentity("AKIAEXAMPLE000000000", "secret", "eu-west-1", "123456789012")
    request = signed_request(identity, b"{}")
    now = datetime.now(timezone.utc)
    check(identity, request, b"{}", now + timedelta(minutes=14))
    with pytest.raises(AwsError) as stale:
        check(identity, request, b"{}", now + timedelta(minutes=16))
    assert stale.value.code == "InvalidSignatureException"
    assert "Signature expired" in stale.value.message
    with pytest.raises(AwsError) as tampered:
        check(identity, request, b'{"MaxResults": 1}', now)
    assert tampered.value.code == "InvalidSignatureException"


@settings(max_examples=200, deadline=None, database=None)
@given(
    scope=st.one_of(
        st.text(max_size=80),
        st.text(max_size=60).map(lambda rest: f"AKIAEXAMPLE000000000/{rest}"),
        st.sampled_from(["sagemaker", "sts", "s3", ""]).map(
            lambda service: f"AKIAEXAMPLE000000000/{NOW[:8]}/eu-west-1/{service}/aws4_request"
        ),
    ),
    signed=st.one_of(
        st.text(max_size=40), st.just("host;x-amz-date"), st.just("host;x-amz-date;\u00e9")
    ),
    date=st.one_of(st.text(max_size=20), st.just(NOW)),
    path=st.text(max_size=30),
)
def test_any_authorization_header_is_refused_as_aws_would(
    scope: str, signed: str, date: str, path: str
) -> None:
    identity = AwsIdentity("AKIAEXAMPLE000000000", "secret", "eu-west-1", "123456789012")
    header = f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders={signed}, Signature=00"
    headers = [("Authorization", header), ("X-Amz-Date", date), ("Host", "h")]
    headers += [(name, "v") for name in signed.split(";") if name]
    with pytest.raises(AwsError) as refused:
        verify(
            method="POST",
            url=f"http://h/{path}",
            headers=headers,
            body=b"",
            secrets=identity.secrets,
        )
    assert refused.value.status == 403
