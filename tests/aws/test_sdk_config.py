"""The SageMaker SDK's configuration file a studio writes: its default bucket (so that the
SDK v2 does not ask AWS's STS for the account) and telemetry off."""

from __future__ import annotations

from pathlib import Path

import yaml

from jupyter_mlstudio.aws.credentials import AwsIdentity
from jupyter_mlstudio.aws.sdk_config import SDK_CONFIG_FILE, default_bucket, write_sdk_config


def test_the_file_names_the_default_bucket_and_opts_out_of_telemetry(tmp_path: Path) -> None:
    identity = AwsIdentity("AKIAEXAMPLE", "secret", "eu-west-1", "123456789012")
    path = write_sdk_config(tmp_path, identity)

    assert path == tmp_path / SDK_CONFIG_FILE
    config = yaml.safe_load(path.read_text())
    modules = config["SageMaker"]["PythonSDK"]["Modules"]
    assert modules["Session"]["DefaultS3Bucket"] == "sagemaker-eu-west-1-123456789012"
    assert default_bucket(identity) == "sagemaker-eu-west-1-123456789012"
    assert modules["TelemetryOptOut"] is True
    assert config["SchemaVersion"] == "1.0"
    assert "secret" not in path.read_text()  # no key in a file the SDK reads

    moved = AwsIdentity("AKIAEXAMPLE", "secret", "us-east-1", "123456789012")
    write_sdk_config(tmp_path, moved)  # a new region rewrites it
    config = yaml.safe_load(path.read_text())
    bucket = config["SageMaker"]["PythonSDK"]["Modules"]["Session"]["DefaultS3Bucket"]
    assert bucket == "sagemaker-us-east-1-123456789012"
    assert [p.name for p in tmp_path.iterdir()] == [SDK_CONFIG_FILE]  # no partial left
