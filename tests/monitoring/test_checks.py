"""Executions over captured records: violations, feature drift and parse errors."""

from __future__ import annotations

import base64
import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from jupyter_mlstudio.monitoring.checks import numeric_distance

from .helpers import (
    CAPTURE_FORMAT,
    CSV_FORMAT,
    capture_record,
    feature,
    load,
    run,
    write_capture,
    write_csv,
)

START, END = "2026-12-06T10:00:00Z", "2026-12-06T11:00:00Z"
COLORS = ["red", "green", "blue"]


def _when(i: int) -> str:
    return f"2026-12-06T10:{i // 60 % 60:02d}:{i % 60:02d}Z"


@pytest.fixture
def baseline(tmp_path: Path) -> Path:
    """A baseline of label (Integral), age (Integral), income (Fractional), color (String)."""
    rng = np.random.default_rng(0)
    rows = [
        (
            rng.integers(0, 2),
            rng.integers(20, 60),
            f"{rng.normal(50, 5):.3f}",
            COLORS[rng.integers(0, 3)],
        )
        for _ in range(4000)
    ]
    write_csv(tmp_path / "base" / "train.csv", ["label", "age", "income", "color"], rows)
    out = tmp_path / "baseline"
    assert (
        run(dataset_format=CSV_FORMAT, dataset_source=str(tmp_path / "base"), output_path=str(out))
        == 0
    )
    return out


def _rows(n: int, *, shift: float = 0.0, seed: int = 1, bad_age_every: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        age: Any = rng.integers(20, 60)
        if bad_age_every and i % bad_age_every == 0:
            age = "unknown"
        rows.append(f"{age},{rng.normal(50 + shift, 5):.3f},{COLORS[rng.integers(0, 3)]}")
    return rows


def _execute(tmp_path: Path, baseline: Path, records: list[Any], **extra: str) -> Path:
    capture = write_capture(tmp_path / "capture", records)
    out = tmp_path / "execution"
    env = {
        "dataset_format": CAPTURE_FORMAT,
        "dataset_source": str(capture),
        "output_path": str(out),
        "baseline_statistics": str(baseline / "statistics.json"),
        "baseline_constraints": str(baseline / "constraints.json"),
        "start_time": START,
        "end_time": END,
        **extra,
    }
    assert run(**env) == 0
    return out


def _checks(out: Path) -> set[tuple[str, str]]:
    body = load(out / "constraint_violations.json")
    return {(v["feature_name"], v["constraint_check_type"]) for v in body["violations"]}


def test_same_distribution_has_no_violations(tmp_path: Path, baseline: Path) -> None:
    records = [
        capture_record(f"e{i}", _when(i), row, output=str(i % 2))
        for i, row in enumerate(_rows(1500))
    ]
    out = _execute(tmp_path, baseline, records)
    assert load(out / "constraint_violations.json") == {"violations": []}
    drift = load(out / "feature_drift.json")
    assert drift["version"] == 1
    assert drift["record_count"] == 1500
    assert drift["parse_errors"] == 0
    income = feature(drift, "income")
    assert income["distance"] < 0.1
    assert income["threshold"] == 0.1
    assert len(income["bins"]) >= 10
    assert sum(b["window_count"] for b in income["bins"]) == pytest.approx(1500)
    assert sum(b["baseline_count"] for b in income["bins"]) == pytest.approx(4000)
    color = feature(drift, "color")
    assert {c["value"] for c in color["categories"]} == set(COLORS)
    assert sum(c["window_count"] for c in color["categories"]) == 1500
    stats = load(out / "statistics.json")
    # captured CSV rows carry no header: matched by position, the output (label) first
    assert [f["name"] for f in stats["features"]] == ["label", "age", "income", "color"]
    assert stats["dataset"]["item_count"] == 1500


def test_shifted_traffic_violates_drift_and_data_type(tmp_path: Path, baseline: Path) -> None:
    rows = _rows(1500, shift=15.0, bad_age_every=25)
    records = [
        capture_record(f"e{i}", _when(i), row, output=str(i % 2)) for i, row in enumerate(rows)
    ]
    out = _execute(tmp_path, baseline, records)
    violations = load(out / "constraint_violations.json")["violations"]
    found = {(v["feature_name"], v["constraint_check_type"]) for v in violations}
    assert found == {("income", "baseline_drift_check"), ("age", "data_type_check")}
    by_check = {v["constraint_check_type"]: v["description"] for v in violations}
    assert "Expected data type: Integral" in by_check["data_type_check"]
    assert "96% of data is Integral" in by_check["data_type_check"]
    assert "exceeds threshold: 0.1" in by_check["baseline_drift_check"]
    income = feature(load(out / "feature_drift.json"), "income")
    assert income["distance"] > 0.8
    assert feature(load(out / "statistics.json"), "age")["inferred_type"] == "String"
    # the shifted values beyond the baseline's range are drawn in bins of about the
    # baseline's width, not one wide bin
    bins = income["bins"]
    base = [b for b in bins if b["baseline_count"] > 0]
    beyond = [b for b in bins if b["lower_bound"] >= base[-1]["upper_bound"]]
    width = (base[-1]["upper_bound"] - base[0]["lower_bound"]) / len(base)
    assert 1 < len(beyond) <= 10
    extent = bins[-1]["upper_bound"] - base[-1]["upper_bound"]
    widest = max(b["upper_bound"] - b["lower_bound"] for b in beyond)
    assert widest <= 1.01 * max(width, extent / 10)
    assert all(a["upper_bound"] == b["lower_bound"] for a, b in itertools.pairwise(bins))
    assert sum(b["window_count"] for b in bins) == pytest.approx(len(rows), rel=0.01)


def test_json_records_by_name_missing_and_extra_columns(tmp_path: Path, baseline: Path) -> None:
    rng = np.random.default_rng(2)
    records = [
        capture_record(
            f"e{i}",
            _when(i),
            json.dumps(
                {
                    "label": int(rng.integers(0, 2)),
                    "income": float(rng.normal(50, 5)),
                    "color": COLORS[i % 3],
                    "zip": "12345",
                }
            ),
            encoding="JSON",
            content_type="application/json",
        )
        for i in range(900)
    ]
    out = _execute(tmp_path, baseline, records)
    assert _checks(out) == {("age", "missing_column_check"), ("zip", "extra_column_check")}


def test_completeness_and_domain_violations(tmp_path: Path, baseline: Path) -> None:
    rows = [
        row if i % 10 else row.rsplit(",", 1)[0] + ",purple" for i, row in enumerate(_rows(1000))
    ]
    rows = [row if i % 7 else ",".join(["", *row.split(",")[1:]]) for i, row in enumerate(rows)]
    records = [capture_record(f"e{i}", _when(i), row, output="1") for i, row in enumerate(rows)]
    out = _execute(tmp_path, baseline, records)
    checks = _checks(out)
    assert ("color", "categorical_values_check") in checks
    assert ("age", "completeness_check") in checks


def test_disabled_features_and_files_are_not_checked(tmp_path: Path, baseline: Path) -> None:
    constraints = load(baseline / "constraints.json")
    # SageMaker SDK's Constraints.set_monitoring(False, "income") and a feature-level override
    feature(constraints, "income").setdefault("monitoring_config_overrides", {})[
        "evaluate_constraints"
    ] = "Disabled"
    feature(constraints, "age")["monitoringConfigOverrides"] = {"evaluate_constraints": "Disabled"}
    (baseline / "constraints.json").write_text(json.dumps(constraints))
    rows = _rows(1500, shift=15.0, bad_age_every=25)
    records = [capture_record(f"e{i}", _when(i), r, output="1") for i, r in enumerate(rows)]
    out = _execute(tmp_path, baseline, records)
    assert ("income", "baseline_drift_check") not in _checks(out)
    assert ("age", "data_type_check") not in _checks(out)
    assert feature(load(out / "feature_drift.json"), "income")["distance"] > 0.8

    constraints["monitoring_config"]["evaluate_constraints"] = "Disabled"
    (baseline / "constraints.json").write_text(json.dumps(constraints))
    out = _execute(tmp_path / "again", baseline, records)
    assert _checks(out) == set()


def test_threshold_override_per_feature(tmp_path: Path, baseline: Path) -> None:
    constraints = load(baseline / "constraints.json")
    feature(constraints, "income")["monitoringConfigOverrides"] = {"comparison_threshold": 0.95}
    (baseline / "constraints.json").write_text(json.dumps(constraints))
    records = [
        capture_record(f"e{i}", _when(i), r, output="1")
        for i, r in enumerate(_rows(1500, shift=15.0))
    ]
    out = _execute(tmp_path, baseline, records)
    assert ("income", "baseline_drift_check") not in _checks(out)
    assert feature(load(out / "feature_drift.json"), "income")["threshold"] == 0.95


def test_bad_records_are_counted_never_fatal(tmp_path: Path, baseline: Path) -> None:
    good = [capture_record(f"e{i}", _when(i), r, output="1") for i, r in enumerate(_rows(300))]
    bad: list[Any] = [
        "{not json",
        capture_record("b1", _when(1), "1,2,3,4,5", output="1"),  # wrong column count
        capture_record(
            "b2",
            _when(2),
            base64.b64encode(b"\xff\xfe").decode(),
            encoding="BASE64",
            content_type="text/csv",
        ),
        {"eventMetadata": {"eventId": "b3"}},  # no time, no data
    ]
    out = _execute(tmp_path, baseline, good + bad)
    drift = load(out / "feature_drift.json")
    assert drift["parse_errors"] == 4
    assert drift["record_count"] == 300
    stats = load(out / "statistics.json")
    assert stats["dataset"] == {"item_count": 300, "mlstudio_parse_errors": 4}


def test_only_records_in_the_window_are_read(tmp_path: Path, baseline: Path) -> None:
    rows = _rows(120)
    records = [capture_record(f"e{i}", _when(i), r, output="1") for i, r in enumerate(rows)]
    records.append(capture_record("late", "2026-12-06T11:00:00Z", rows[0], output="1"))
    records.append(capture_record("early", "2026-12-06T09:59:59.999Z", rows[0], output="1"))
    out = _execute(tmp_path, baseline, records, start_time="2026-12-06T10:01:00Z")
    assert load(out / "feature_drift.json")["record_count"] == 60
    assert load(out / "statistics.json")["dataset"]["item_count"] == 60


def test_a_csv_payload_can_hold_several_rows(tmp_path: Path, baseline: Path) -> None:
    rows = _rows(600)
    records = [
        capture_record(f"e{i}", _when(i), "\n".join(rows[i * 3 : i * 3 + 3]), output="1\n0\n1")
        for i in range(200)
    ]
    out = _execute(tmp_path, baseline, records)
    assert load(out / "statistics.json")["dataset"]["item_count"] == 600
    assert load(out / "feature_drift.json")["record_count"] == 200


def test_numeric_distance_is_the_largest_cdf_gap() -> None:
    same = numeric_distance([[1.0, 2.0, 3.0, 4.0]], [[1.0, 2.0, 3.0, 4.0]])
    assert same == 0.0
    apart = numeric_distance([[1.0, 2.0]], [[5.0, 6.0]])
    assert apart == 1.0
    half = numeric_distance([[1.0, 2.0, 3.0, 4.0]], [[3.0, 4.0, 5.0, 6.0]])
    assert half == pytest.approx(0.5)
    # level 1 items weigh twice as much as level 0's
    weighted = numeric_distance([[1.0], [2.0]], [[1.0, 2.0]])
    assert weighted == pytest.approx(abs(1 / 3 - 1 / 2))
