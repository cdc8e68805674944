"""``mlstudio credentials --env``: what ``eval`` needs to point boto3 at the studio."""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import Any

import boto3
import pytest

from jupyter_mlstudio.aws.credentials import resolve_account_id, resolve_region
from jupyter_mlstudio.cli import main
from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.ownership import Owner, acquire_home

from .conftest import NO_RETRIES, in_thread


def exports(capsys: pytest.CaptureFixture[str], home: Path) -> dict[str, str]:
    assert main(["credentials", "--env", "--home", str(home)]) == 0
    values = {}
    for line in capsys.readouterr().out.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        values[name] = shlex.split(value)[0]
    return values


async def test_the_printed_keys_sign_requests_the_studio_accepts(
    aws_endpoint: str, studio_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    values = exports(capsys, studio_home)
    assert set(values) >= {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"}
    sagemaker: Any = boto3.client(
        "sagemaker",
        endpoint_url=aws_endpoint,
        region_name=values["AWS_DEFAULT_REGION"],
        aws_access_key_id=values["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=values["AWS_SECRET_ACCESS_KEY"],
        config=NO_RETRIES,
    )
    answer = await in_thread(sagemaker.list_training_jobs)
    assert answer["TrainingJobSummaries"] == []


def test_the_endpoint_variables_name_where_the_owner_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("MLSTUDIO_AWS_REGION", "eu-west-1")
    alone = exports(capsys, home)
    assert "AWS_ENDPOINT_URL_SAGEMAKER" not in alone
    assert alone["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert (home / "aws-credentials.json").stat().st_mode & 0o777 == 0o600
    lock = acquire_home(home)
    assert lock is not None
    try:
        lock.publish(
            Owner(url="http://127.0.0.1:8888/lab/", token="t", pid=os.getpid(), kind="background")
        )
        owned = exports(capsys, home)
    finally:
        lock.release()
    assert owned["AWS_ENDPOINT_URL_SAGEMAKER"] == "http://127.0.0.1:8888/lab/mlstudio/aws"
    for service in ("STS", "IAM", "SAGEMAKER_RUNTIME", "SAGEMAKER_METRICS"):
        assert owned[f"AWS_ENDPOINT_URL_{service}"] == owned["AWS_ENDPOINT_URL_SAGEMAKER"]
    assert owned["AWS_ACCESS_KEY_ID"] == alone["AWS_ACCESS_KEY_ID"]  # written once


def test_region_and_account_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLSTUDIO_AWS_REGION", "ap-southeast-2")
    monkeypatch.setenv("MLSTUDIO_AWS_ACCOUNT_ID", "111122223333")
    assert resolve_region() == "ap-southeast-2"
    assert resolve_region("eu-west-3") == "eu-west-3"  # the traitlet wins
    assert resolve_account_id() == "111122223333"
    with pytest.raises(ValidationError) as region:
        resolve_region("Mars")
    assert region.value.field == "aws_region"
    with pytest.raises(ValidationError) as account:
        resolve_account_id("12345")
    assert account.value.field == "aws_account_id"
