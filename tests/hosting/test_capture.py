"""Data capture: settings validation, sampling, SageMaker-format JSON lines on disk and S3."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.hosting.capture import CaptureSettings, DataCapture, read_records
from tests.artifacts.conftest import s3_env, s3_uri, seaweedfs  # noqa: F401 - fixtures


def test_parse_defaults_and_off() -> None:
    assert CaptureSettings.parse(None, "/tmp/x") is None
    assert CaptureSettings.parse({"EnableCapture": False}, "/tmp/x") is None
    settings = CaptureSettings.parse({"EnableCapture": True}, "/tmp/default")
    assert settings is not None
    assert settings.destination == "/tmp/default"
    assert settings.sampling_percentage == 100.0
    assert settings.capture_input
    assert settings.capture_output


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"InitialSamplingPercentage": 101}, "DataCaptureConfig.InitialSamplingPercentage"),
        ({"InitialSamplingPercentage": "x"}, "DataCaptureConfig.InitialSamplingPercentage"),
        ({"CaptureOptions": []}, "DataCaptureConfig.CaptureOptions"),
        (
            {"CaptureOptions": [{"CaptureMode": "Both"}]},
            "DataCaptureConfig.CaptureOptions[0].CaptureMode",
        ),
        ({"EnableCapture": "yes"}, "DataCaptureConfig.EnableCapture"),
    ],
)
def test_parse_refuses_bad_settings(config: dict, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        CaptureSettings.parse(config, "/tmp/x")
    assert info.value.field == field


def test_records_are_written_in_sagemaker_layout_and_read_back(tmp_path: Path) -> None:
    settings = CaptureSettings.parse(
        {"EnableCapture": True, "DestinationS3Uri": str(tmp_path)}, "unused"
    )
    assert settings is not None
    capture = DataCapture("ep-1", settings)
    assert capture.offer("v1", "text/csv", b"1,2,3", "text/csv", b"0\n", event_id="e-1")
    assert capture.offer("v2", "application/json", b"[1]", "application/x-npy", b"\x93NUMPY")
    capture.close()
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.jsonl"))
    assert len(files) == 2
    for name in files:
        pattern = r"ep-1/v[12]/\d{4}/\d\d/\d\d/\d\d/\d\d-\d\d-\d{6}-[0-9a-f]{8}\.jsonl"
        assert re.fullmatch(pattern, name)
    records, used = read_records(str(tmp_path), "ep-1")
    assert len(records) == 2
    assert len(used) == 2
    by_variant = {r["eventMetadata"]["variantName"]: r for r in records}
    csv = by_variant["v1"]
    assert csv["eventMetadata"]["eventId"] == "e-1"
    assert csv["eventVersion"] == "0"
    assert csv["captureData"]["endpointInput"] == {
        "observedContentType": "text/csv",
        "mode": "INPUT",
        "data": "1,2,3",
        "encoding": "CSV",
    }
    assert csv["captureData"]["endpointOutput"]["data"] == "0\n"
    npy = by_variant["v2"]["captureData"]["endpointOutput"]
    assert npy["encoding"] == "BASE64"
    assert base64.b64decode(npy["data"]) == b"\x93NUMPY"
    assert by_variant["v2"]["captureData"]["endpointInput"]["encoding"] == "JSON"
    only_v1, _ = read_records(str(tmp_path), "ep-1", variant="v1")
    assert [r["eventMetadata"]["variantName"] for r in only_v1] == ["v1"]
    assert read_records(str(tmp_path), "other") == ([], [])


def test_sampling_and_capture_modes(tmp_path: Path) -> None:
    none = CaptureSettings.parse(
        {"InitialSamplingPercentage": 0, "DestinationS3Uri": str(tmp_path)}, "unused"
    )
    assert none is not None
    capture = DataCapture("ep-0", none)
    assert not any(capture.offer("v", "text/csv", b"1", "text/csv", b"1") for _ in range(200))
    capture.close()
    half = CaptureSettings.parse(
        {
            "InitialSamplingPercentage": 50,
            "DestinationS3Uri": str(tmp_path),
            "CaptureOptions": [{"CaptureMode": "Input"}],
        },
        "unused",
    )
    assert half is not None
    capture = DataCapture("ep-50", half)
    taken = sum(capture.offer("v", "text/csv", b"1", "text/csv", b"1") for _ in range(2000))
    capture.close()
    assert 850 < taken < 1150
    records, _ = read_records(str(tmp_path), "ep-50", max_results=5000)
    assert len(records) == taken
    assert all(set(r["captureData"]) == {"endpointInput"} for r in records)
    lines = sum(len(p.read_text().splitlines()) for p in (tmp_path / "ep-50").rglob("*.jsonl"))
    assert lines == taken
    json.dumps(records[0])  # plain JSON


@pytest.mark.s3
def test_capture_to_s3(s3_uri: str) -> None:  # noqa: F811 - the fixture
    s3_root = s3_uri
    settings = CaptureSettings.parse({"DestinationS3Uri": s3_root}, "unused")
    assert settings is not None
    capture = DataCapture("ep-s3", settings)
    capture.offer("AllTraffic", "text/csv", b"5,6", "text/csv", b"1")
    capture.close()
    records, files = read_records(s3_root, "ep-s3")
    assert [r["captureData"]["endpointInput"]["data"] for r in records] == ["5,6"]
    assert files[0].startswith(s3_root.rstrip("/") + "/ep-s3/AllTraffic/")
