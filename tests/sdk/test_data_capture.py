"""``DataCaptureConfig``: SageMaker's arguments, the CreateEndpointConfig shape out."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.sdk.data_capture import DataCaptureConfig


def test_defaults_as_sagemaker() -> None:
    config = DataCaptureConfig(enable_capture=True)
    assert config._to_request_dict() == {
        "EnableCapture": True,
        "InitialSamplingPercentage": 20,
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        "CaptureContentTypeHeader": {
            "CsvContentTypes": ["text/csv"],
            "JsonContentTypes": ["application/json"],
        },
    }


def test_every_setting() -> None:
    config = DataCaptureConfig(
        enable_capture=True,
        sampling_percentage=100,
        destination_s3_uri="s3://bucket/capture",
        kms_key_id="key-1",
        capture_options=["response"],
        csv_content_types=["text/csv", "text/plain"],
        json_content_types=["application/jsonlines"],
    )
    assert config._to_request_dict() == {
        "EnableCapture": True,
        "InitialSamplingPercentage": 100,
        "DestinationS3Uri": "s3://bucket/capture",
        "CaptureOptions": [{"CaptureMode": "Output"}],
        "KmsKeyId": "key-1",
        "CaptureContentTypeHeader": {
            "CsvContentTypes": ["text/csv", "text/plain"],
            "JsonContentTypes": ["application/jsonlines"],
        },
    }


def test_disabled_and_local_destinations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = DataCaptureConfig(False, 0, destination_s3_uri="capture", capture_options=["REQUEST"])
    body = config._to_request_dict()
    assert body["EnableCapture"] is False
    assert body["InitialSamplingPercentage"] == 0
    assert body["DestinationS3Uri"] == os.path.join(str(tmp_path), "capture")
    assert body["CaptureOptions"] == [{"CaptureMode": "Input"}]
    assert (
        DataCaptureConfig(True, destination_s3_uri="file:///x")._to_request_dict()[
            "DestinationS3Uri"
        ]
        == "file:///x"
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"enable_capture": "yes"}, "enable_capture"),
        ({"enable_capture": True, "sampling_percentage": 101}, "sampling_percentage"),
        ({"enable_capture": True, "sampling_percentage": -1}, "sampling_percentage"),
        ({"enable_capture": True, "sampling_percentage": True}, "sampling_percentage"),
        ({"enable_capture": True, "capture_options": ["BOTH"]}, "capture_options"),
    ],
)
def test_refusals_name_the_argument(kwargs: dict, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        DataCaptureConfig(**kwargs)
    assert caught.value.field == field
