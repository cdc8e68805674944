"""Model quality: metrics, suggested constraints, violations, the ground-truth merge."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jupyter_mlstudio.monitoring.quality import (
    check_quality,
    quality_statistics,
    suggest_quality_constraints,
)

from .helpers import CAPTURE_FORMAT, capture_record, load, run, write_capture, write_csv


def test_binary_metrics() -> None:
    actual = [1, 1, 1, 0, 0, 0, 1, 0]
    predicted = [1, 1, 0, 0, 0, 1, 1, 0]
    scores = [0.9, 0.8, 0.4, 0.2, 0.1, 0.6, 0.7, 0.3]
    body = quality_statistics("BinaryClassification", actual, predicted, scores)
    metrics = body["binary_classification_metrics"]
    assert metrics["confusion_matrix"] == {"0": {"0": 3, "1": 1}, "1": {"0": 1, "1": 3}}
    assert metrics["accuracy"]["value"] == pytest.approx(0.75)
    assert metrics["precision"]["value"] == pytest.approx(0.75)
    assert metrics["recall"]["value"] == pytest.approx(0.75)
    assert metrics["f1"]["value"] == pytest.approx(0.75)
    assert metrics["false_positive_rate"]["value"] == pytest.approx(0.25)
    # positives 0.9 0.8 0.4 0.7 vs negatives 0.2 0.1 0.6 0.3: 15 of 16 pairs ordered (0.4 < 0.6)
    assert metrics["auc"]["value"] == pytest.approx(15 / 16)
    assert metrics["accuracy"]["standard_deviation"] > 0


def test_binary_without_probabilities_has_no_auc() -> None:
    body = quality_statistics("BinaryClassification", ["1", "0"], ["1", "1"], [None, None])
    assert "auc" not in body["binary_classification_metrics"]


def test_multiclass_metrics() -> None:
    actual = ["cat", "cat", "dog", "dog", "bird"]
    predicted = ["cat", "dog", "dog", "dog", "cat"]
    metrics = quality_statistics("MulticlassClassification", actual, predicted)[
        "multiclass_classification_metrics"
    ]
    assert metrics["accuracy"]["value"] == pytest.approx(0.6)
    # recall: cat 1/2, dog 2/2, bird 0/1, weighted by support 2, 2, 1
    assert metrics["weighted_recall"]["value"] == pytest.approx((0.5 * 2 + 1 * 2) / 5)
    # precision: cat 1/2, dog 2/3, bird 0
    assert metrics["weighted_precision"]["value"] == pytest.approx((0.5 * 2 + 2 / 3 * 2) / 5)
    assert metrics["confusion_matrix"]["bird"] == {"bird": 0, "cat": 1, "dog": 0}


def test_regression_metrics_and_violations() -> None:
    metrics = quality_statistics("Regression", [1.0, 2.0, 3.0, 4.0], [1.5, 2.0, 2.0, 4.0])
    section = metrics["regression_metrics"]
    assert section["mae"]["value"] == pytest.approx(0.375)
    assert section["mse"]["value"] == pytest.approx(0.3125)
    assert section["rmse"]["value"] == pytest.approx(0.3125**0.5)
    assert section["r2"]["value"] == pytest.approx(1 - 0.3125 / 1.25)
    constraints = suggest_quality_constraints(metrics)
    assert constraints["regression_constraints"]["mae"] == {
        "threshold": pytest.approx(0.375),
        "comparison_operator": "GreaterThanThreshold",
    }
    assert constraints["regression_constraints"]["r2"]["comparison_operator"] == (
        "LessThanThreshold"
    )
    assert check_quality(metrics, constraints) == []
    worse = quality_statistics("Regression", [1.0, 2.0, 3.0, 4.0], [3.0, 0.0, 5.0, 1.0])
    violations = check_quality(worse, constraints)
    assert {v["metric_name"] for v in violations} == {"mae", "mse", "rmse", "r2"}
    mae = next(v for v in violations if v["metric_name"] == "mae")
    assert mae["constraint_check_type"] == "GreaterThanThreshold"
    assert mae["description"].startswith("Metric mae with 2.25 +/- ")
    assert mae["description"].endswith("was GreaterThanThreshold '0.375'")


def test_model_quality_baseline_then_execution_merged_by_event_id(tmp_path: Path) -> None:
    rows = [
        (p, 1 if p >= 0.5 else 0, t)
        for p, t in [(0.9, 1), (0.8, 1), (0.3, 0), (0.2, 0), (0.7, 1), (0.1, 0), (0.6, 0), (0.4, 1)]
    ]
    write_csv(tmp_path / "base" / "b.csv", ["probability", "prediction", "label"], rows)
    baseline = tmp_path / "baseline"
    common = {
        "analysis_type": "MODEL_QUALITY",
        "problem_type": "BinaryClassification",
    }
    assert (
        run(
            dataset_format=json.dumps({"csv": {"header": True}}),
            dataset_source=str(tmp_path / "base"),
            output_path=str(baseline),
            inference_attribute="prediction",
            probability_attribute="probability",
            ground_truth_attribute="label",
            **common,
        )
        == 0
    )
    stats = load(baseline / "statistics.json")
    assert stats["binary_classification_metrics"]["accuracy"]["value"] == pytest.approx(0.75)
    constraints = load(baseline / "constraints.json")
    assert constraints["binary_classification_constraints"]["accuracy"] == {
        "threshold": pytest.approx(0.75),
        "comparison_operator": "LessThanThreshold",
    }

    # the endpoint answers probabilities; half of its answers are now wrong
    records = []
    truth_lines = []
    for i in range(40):
        label = i % 2
        probability = 0.9 if (label == 1) == (i % 4 < 2) else 0.1
        when = f"2026-12-06T10:00:{i:02d}Z"
        records.append(capture_record(f"e{i}", when, "1,2,3", output=str(probability)))
        if i < 30:  # ground truth arrives for 30 of them
            truth_lines.append(
                json.dumps(
                    {
                        "groundTruthData": {"data": str(label), "encoding": "CSV"},
                        "eventMetadata": {"eventId": f"e{i}"},
                        "eventVersion": "0",
                    }
                )
            )
    capture = write_capture(tmp_path / "capture", records)
    truth = tmp_path / "truth" / "2026" / "12" / "06" / "10"
    truth.mkdir(parents=True)
    (truth / "gt.jsonl").write_text("\n".join(truth_lines) + "\nbroken\n")
    out = tmp_path / "execution"
    assert (
        run(
            dataset_format=CAPTURE_FORMAT,
            dataset_source=str(capture),
            output_path=str(out),
            baseline_constraints=str(baseline / "constraints.json"),
            start_time="2026-12-06T10:00:00Z",
            end_time="2026-12-06T11:00:00Z",
            ground_truth_source=str(tmp_path / "truth"),
            probability_threshold_attribute="0.5",
            **common,
        )
        == 0
    )
    window = load(out / "statistics.json")
    assert window["dataset"]["item_count"] == 30
    assert window["dataset"]["mlstudio_parse_errors"] == 1
    metrics = window["binary_classification_metrics"]
    assert metrics["accuracy"]["value"] == pytest.approx(0.5, abs=0.05)
    violations = load(out / "constraint_violations.json")["violations"]
    names = {v["metric_name"] for v in violations}
    assert "accuracy" in names
    assert all(v["constraint_check_type"] == "LessThanThreshold" for v in violations)


def test_no_ground_truth_match_fails_the_execution(tmp_path: Path) -> None:
    capture = write_capture(
        tmp_path / "capture", [capture_record("e1", "2026-12-06T10:00:01Z", "1", output="1")]
    )
    (tmp_path / "truth").mkdir()
    (tmp_path / "truth" / "gt.jsonl").write_text(
        json.dumps(
            {
                "groundTruthData": {"data": "1", "encoding": "CSV"},
                "eventMetadata": {"eventId": "other"},
                "eventVersion": "0",
            }
        )
        + "\n"
    )
    failure = tmp_path / "failure.txt"
    rc = run(
        dataset_format=CAPTURE_FORMAT,
        dataset_source=str(capture),
        output_path=str(tmp_path / "out"),
        analysis_type="MODEL_QUALITY",
        problem_type="BinaryClassification",
        ground_truth_source=str(tmp_path / "truth"),
        MLSTUDIO_FAILURE_FILE=str(failure),
    )
    assert rc == 1
    assert "has ground truth" in failure.read_text()
