"""``python -m jupyter_mlstudio.monitoring`` end to end, and its failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import CAPTURE_FORMAT, CSV_FORMAT, capture_record, load, run, write_capture, write_csv


def _program(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("dataset_format", "output_path")}
    return subprocess.run(
        [sys.executable, "-m", "jupyter_mlstudio.monitoring"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_baseline_then_execution_as_a_program(tmp_path: Path) -> None:
    rows = [(i % 2, 20 + i % 40, f"{i % 17 / 3:.3f}") for i in range(500)]
    write_csv(tmp_path / "train" / "train.csv", ["label", "age", "score"], rows)
    baseline = tmp_path / "baseline"
    done = _program(
        {
            "dataset_format": CSV_FORMAT,
            "dataset_source": str(tmp_path / "train"),
            "output_path": str(baseline),
        }
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in baseline.iterdir()) == ["constraints.json", "statistics.json"]
    assert load(baseline / "statistics.json")["dataset"]["item_count"] == 500

    records = [
        capture_record(
            f"e{i}",
            f"2026-12-06T10:00:{i % 60:02d}Z",
            f"{20 + i % 40},{i % 17 / 3:.3f}",
            output=str(i % 2),
        )
        for i in range(200)
    ]
    capture = write_capture(tmp_path / "capture", records)
    out = tmp_path / "execution"
    done = _program(
        {
            "dataset_format": CAPTURE_FORMAT,
            "dataset_source": str(capture),
            "output_path": str(out),
            "baseline_statistics": str(baseline / "statistics.json"),
            "baseline_constraints": str(baseline / "constraints.json"),
            "start_time": "2026-12-06T10:00:00Z",
            "end_time": "2026-12-06T11:00:00Z",
            "sagemaker_endpoint_name": "ep",
            "sagemaker_monitoring_schedule_name": "hourly",
        }
    )
    assert done.returncode == 0, done.stderr
    # only the three files: nothing half-written or temporary is left behind
    assert sorted(p.name for p in out.iterdir()) == [
        "constraint_violations.json",
        "feature_drift.json",
        "statistics.json",
    ]
    assert load(out / "constraint_violations.json") == {"violations": []}
    assert load(out / "feature_drift.json")["record_count"] == 200


def test_parquet_fails_with_one_line_and_the_failure_file(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "part-0.parquet").write_bytes(b"PAR1")
    failure = tmp_path / "failure"
    done = _program(
        {
            "dataset_format": json.dumps({"parquet": {}}),
            "dataset_source": str(tmp_path / "data"),
            "output_path": str(tmp_path / "out"),
            "MLSTUDIO_FAILURE_FILE": str(failure),
        }
    )
    assert done.returncode == 1
    reason = "dataset_format: only csv and json (lines) datasets are supported"
    assert done.stderr.strip().splitlines()[-1] == reason
    assert failure.read_text().strip() == reason
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        (
            {"dataset_format": json.dumps({"json": {"lines": False}})},
            "dataset_format: only csv and json (lines) datasets are supported",
        ),
        ({}, "dataset_format: not set"),
        (
            {"dataset_format": CSV_FORMAT, "dataset_source": "/nonexistent/x"},
            "dataset_source: /nonexistent/x does not exist",
        ),
        (
            {"dataset_format": CAPTURE_FORMAT, "baseline_statistics": "/nonexistent/s.json"},
            "baseline_statistics: /nonexistent/s.json does not exist",
        ),
        (
            {"dataset_format": CAPTURE_FORMAT, "start_time": "yesterday"},
            "start_time: yesterday is not an ISO-8601 time",
        ),
        (
            {"dataset_format": CAPTURE_FORMAT, "start_time": "2027-01-01T00:00:00Z"},
            "no captured records between 2027-01-01T00:00:00Z and (open)",
        ),
    ],
)
def test_clear_failures(tmp_path: Path, env: dict[str, str], reason: str) -> None:
    capture = write_capture(
        tmp_path / "capture", [capture_record("e", "2026-12-06T10:00:00Z", "1,2")]
    )
    failure = tmp_path / "failure"
    full = {
        "dataset_source": str(capture),
        "output_path": str(tmp_path / "out"),
        "MLSTUDIO_FAILURE_FILE": str(failure),
        **env,
    }
    assert run(**full) == 1
    assert failure.read_text().strip().startswith(reason)


def test_an_empty_dataset_fails(tmp_path: Path) -> None:
    write_csv(tmp_path / "d" / "empty.csv", ["a", "b"], [])
    failure = tmp_path / "failure"
    assert (
        run(
            dataset_format=CSV_FORMAT,
            dataset_source=str(tmp_path / "d"),
            output_path=str(tmp_path / "out"),
            MLSTUDIO_FAILURE_FILE=str(failure),
        )
        == 1
    )
    assert failure.read_text().strip() == "dataset_source: no rows in 1 file(s)"
