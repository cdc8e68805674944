"""The studio's embedded S3 (SeaweedFS): it answers the studio's key pair only, on
127.0.0.1; boto3's jobs read and write it with no S3 setting but the endpoint variable;
it keeps its data across restarts, and one a killed studio left is stopped (never two on
the same data); none starts when an S3 endpoint is configured."""

from __future__ import annotations

import io
import json
import tarfile
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from jupyter_mlstudio.aws.embedded_s3 import read_embedded_s3
from jupyter_mlstudio.runtime.images import DEFAULT_TAG
from tests.support.sagemaker_sdk import credentials_env
from tests.support.seaweedfs import weed_or_skip
from tests.support.studio_server import StudioServer

from ..test_jobs_api import ROLE, SCRIPTS
from .conftest import SdkStudio

pytestmark = pytest.mark.s3
ONE_TRY = Config(retries={"max_attempts": 1, "mode": "standard"})


def client(service: str, env: dict[str, str], **overrides: Any) -> Any:
    """A boto3 client configured only by a user's environment variables."""
    session = boto3.session.Session(
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=env["AWS_DEFAULT_REGION"],
    )
    endpoint = env[f"AWS_ENDPOINT_URL_{service.upper().replace('-', '_')}"]
    options = {"endpoint_url": endpoint, "config": ONE_TRY, **overrides}
    return session.client(service, **options)  # type: ignore[call-overload]


def _weed_pid(home: Path) -> int:
    pid: int = json.loads((home / "s3" / "endpoint.json").read_text())["Pid"]
    return pid


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"


def _wait_for_s3(home: Path, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while (url := read_embedded_s3(home)) is None:
        assert time.monotonic() < deadline, "the embedded S3 did not start"
        time.sleep(0.05)
    return url


def test_it_answers_the_studio_key_pair_only_on_localhost(sdk_studio: SdkStudio) -> None:
    env = sdk_studio.env
    assert urlparse(sdk_studio.s3_endpoint).hostname == "127.0.0.1"
    s3 = client("s3", env)
    s3.create_bucket(Bucket="keys-check")
    s3.put_object(Bucket="keys-check", Key="a/b.txt", Body=b"payload")
    assert s3.get_object(Bucket="keys-check", Key="a/b.txt")["Body"].read() == b"payload"

    stranger = client("s3", {**env, "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE"})
    with pytest.raises(ClientError) as refused:
        stranger.get_object(Bucket="keys-check", Key="a/b.txt")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    wrong_secret = client("s3", {**env, "AWS_SECRET_ACCESS_KEY": "x" * 40})
    with pytest.raises(ClientError) as refused:
        wrong_secret.put_object(Bucket="keys-check", Key="c.txt", Body=b"no")
    assert refused.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


def test_sse_kms_uploads_go_through_as_the_sdks_send_them(
    sdk_studio: SdkStudio, tmp_path: Path
) -> None:
    """What SageMaker's SDKs do with code and data: ``ServerSideEncryption="aws:kms"``
    with no key id (SeaweedFS alone answers 500), single and multipart; a forged one is
    refused, never signed again by the studio."""
    s3 = client("s3", sdk_studio.env)
    s3.create_bucket(Bucket="kms-uploads")
    kms = {"ServerSideEncryption": "aws:kms"}
    s3.put_object(Bucket="kms-uploads", Key="code/sourcedir.tar.gz", Body=b"tarball", **kms)
    got = s3.get_object(Bucket="kms-uploads", Key="code/sourcedir.tar.gz")
    assert got["Body"].read() == b"tarball"

    big = tmp_path / "big.bin"
    big.write_bytes(bytes(range(256)) * (40 * 1024 * 5))  # 50 MiB: multipart, 8 MiB parts
    s3.upload_file(str(big), "kms-uploads", "data/big.bin", ExtraArgs=kms)
    target = tmp_path / "back.bin"
    s3.download_file("kms-uploads", "data/big.bin", str(target))
    assert target.read_bytes() == big.read_bytes()
    head = s3.head_object(Bucket="kms-uploads", Key="data/big.bin")
    assert head["ContentLength"] == big.stat().st_size

    wrong_secret = client("s3", {**sdk_studio.env, "AWS_SECRET_ACCESS_KEY": "y" * 40})
    with pytest.raises(ClientError) as refused:
        wrong_secret.put_object(Bucket="kms-uploads", Key="forged", Body=b"x", **kms)
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert "signature" in refused.value.response["Error"]["Message"].lower()
    listed = s3.list_objects_v2(Bucket="kms-uploads")["Contents"]
    assert sorted(o["Key"] for o in listed) == ["code/sourcedir.tar.gz", "data/big.bin"]


def test_a_boto3_training_job_reads_and_writes_it(sdk_studio: SdkStudio, tmp_path: Path) -> None:
    env = sdk_studio.env
    s3, sagemaker = client("s3", env), client("sagemaker", env)
    bucket = "embedded-jobs"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="data/rows.csv", Body=b"1,2\n3,4\n5,6\n")
    code = io.BytesIO()
    with tarfile.open(fileobj=code, mode="w:gz") as tar:
        tar.add(SCRIPTS / "train.py", arcname="train.py")
    s3.put_object(Bucket=bucket, Key="code/sourcedir.tar.gz", Body=code.getvalue())

    sagemaker.create_training_job(
        TrainingJobName="embedded-s3-train",
        AlgorithmSpecification={
            "TrainingImage": DEFAULT_TAG,
            "TrainingInputMode": "File",
            "MetricDefinitions": [{"Name": "train:score", "Regex": r"score=([0-9.]+)"}],
        },
        RoleArn=ROLE,
        HyperParameters={
            "scale": "2.0",
            "sagemaker_program": json.dumps("train.py"),
            "sagemaker_submit_directory": json.dumps(f"s3://{bucket}/code/sourcedir.tar.gz"),
        },
        InputDataConfig=[
            {
                "ChannelName": "train",
                "DataSource": {
                    "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{bucket}/data/"}
                },
            }
        ],
        OutputDataConfig={"S3OutputPath": f"s3://{bucket}/output"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
        StoppingCondition={"MaxRuntimeInSeconds": 600},
    )
    waiter = sagemaker.get_waiter("training_job_completed_or_stopped")
    waiter.wait(TrainingJobName="embedded-s3-train", WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    described = sagemaker.describe_training_job(TrainingJobName="embedded-s3-train")
    assert described["TrainingJobStatus"] == "Completed", described.get("FailureReason")
    assert {m["MetricName"]: m["Value"] for m in described["FinalMetricDataList"]} == {
        "train:score": 6.0  # 3 rows x scale 2
    }
    model = described["ModelArtifacts"]["S3ModelArtifacts"]
    assert model == f"s3://{bucket}/output/embedded-s3-train/output/model.tar.gz"
    head = s3.head_object(Bucket=bucket, Key=model.removeprefix(f"s3://{bucket}/"))
    assert head["ContentLength"] > 0


def test_its_data_outlives_restarts_and_a_killed_studio(tmp_path: Path) -> None:
    weed_or_skip()
    server = StudioServer(tmp_path, embedded_s3=True).start()
    try:
        _wait_for_s3(server.home)
        env = credentials_env(server.home)
        s3 = client("s3", env)
        s3.create_bucket(Bucket="kept-data")
        s3.put_object(Bucket="kept-data", Key="model.tar.gz", Body=b"weights")
        first = _weed_pid(server.home)

        server.kill()  # kill -9: the S3 server outlives it
        assert _alive(first)
        server.start()
        deadline = time.monotonic() + 60
        while (second := _weed_pid(server.home)) == first:  # the new studio replaces it
            assert time.monotonic() < deadline, "the new studio started no S3 server"
            time.sleep(0.05)
        assert read_embedded_s3(server.home) is not None
        assert not _alive(first), "the S3 server of the killed studio still runs"
        s3 = client("s3", credentials_env(server.home))
        assert s3.get_object(Bucket="kept-data", Key="model.tar.gz")["Body"].read() == b"weights"
    finally:
        server.stop()
    assert not _alive(second)
    assert read_embedded_s3(server.home) is None
    assert not (server.home / "s3" / "endpoint.json").exists()


def test_none_starts_when_an_s3_endpoint_is_configured(tmp_path: Path) -> None:
    weed_or_skip()
    configured = {"AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9"}
    with StudioServer(tmp_path, embedded_s3=True, env=configured) as server:
        env = credentials_env(server.home)
        assert "AWS_ENDPOINT_URL_SAGEMAKER" in env
        assert "AWS_ENDPOINT_URL_S3" not in env
        assert not (server.home / "s3").exists()


def _kernel_environ(server: StudioServer) -> dict[str, str]:
    """Start a kernel through the server's REST API; the environment it was given."""
    import psutil

    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}/api/kernels",
        data=b"{}",
        method="POST",
        headers={"Authorization": server.authorization, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        kernel_id = json.loads(answer.read())["id"]
    assert server.process is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for child in psutil.Process(server.process.pid).children(recursive=True):
            try:  # a child may end (or be a zombie) meanwhile
                if any(kernel_id in part for part in child.cmdline()):
                    return dict(child.environ())
            except psutil.Error:
                continue
        time.sleep(0.05)
    raise AssertionError("the kernel did not start")


def test_its_kernels_talk_to_the_studio_unless_told_otherwise(tmp_path: Path) -> None:
    weed_or_skip()
    blank = ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SAGEMAKER")
    with StudioServer(tmp_path / "local", embedded_s3=True, unset=blank) as server:
        s3 = _wait_for_s3(server.home)
        deadline = time.monotonic() + 30
        while "AWS_ENDPOINT_URL_S3" not in (shell := credentials_env(server.home)):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        kernel = _kernel_environ(server)
        for name, value in shell.items():  # what `credentials --env` exports, and only that
            assert kernel.get(name) == value, name
        assert kernel["AWS_ENDPOINT_URL_S3"] == s3
        assert kernel["AWS_ENDPOINT_URL_SAGEMAKER"].endswith("/mlstudio/aws")

    chosen = {"AWS_PROFILE": "my-real-account"}
    with StudioServer(tmp_path / "chosen", embedded_s3=True, env=chosen, unset=blank[:1]) as server:
        _wait_for_s3(server.home)
        kernel = _kernel_environ(server)
        assert kernel["AWS_PROFILE"] == "my-real-account"
        assert "AWS_ENDPOINT_URL_SAGEMAKER" not in kernel
        assert not kernel.get("AWS_ACCESS_KEY_ID")
