"""What the Monitoring tab draws, read from the executions' files: the analyzer's
``feature_drift.json`` (per feature the baseline and the window in the same bins, and the
distance) and ``constraint_violations.json``, with the distances of every execution."""

from __future__ import annotations

from typing import Any

from ...entities import MonitoringExecution
from .executions import DRIFT_FILE, VIOLATIONS_FILE, read_result


def _feature(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "Name": item.get("name"),
        "InferredType": item.get("inferred_type"),
        "Distance": item.get("distance"),
        "Threshold": item.get("threshold"),
        "Bins": [
            {
                "LowerBound": b.get("lower_bound"),
                "UpperBound": b.get("upper_bound"),
                "BaselineCount": b.get("baseline_count"),
                "WindowCount": b.get("window_count"),
            }
            for b in item.get("bins") or []
        ],
        "Categories": [
            {
                "Value": c.get("value"),
                "BaselineCount": c.get("baseline_count"),
                "WindowCount": c.get("window_count"),
            }
            for c in item.get("categories") or []
        ],
    }


def execution_report(
    schedule_name: str,
    chosen: MonitoringExecution | None,
    completed: list[MonitoringExecution],
) -> dict[str, Any]:
    """The report of ``chosen`` (None: an empty one) and the drift of ``completed``
    (oldest first).

    Args:
        schedule_name: The schedule.
        chosen: The execution whose distributions and violations are shown.
        completed: Every completed execution, oldest first (the drift over time).

    Returns:
        The REST answer of ``GET monitoring-schedules/{name}/report``.
    """
    history = []
    drifts: dict[str, dict[str, Any]] = {}  # each execution's file, read once
    for execution in completed:
        drift = read_result(execution.output_uri or "", DRIFT_FILE) or {}
        drifts[execution.processing_job_name] = drift
        distances = {
            f["name"]: f["distance"]
            for f in drift.get("features") or []
            if isinstance(f, dict) and f.get("distance") is not None
        }
        history.append(
            {
                "ScheduledTime": execution.scheduled_time.isoformat(),
                "ProcessingJobName": execution.processing_job_name,
                "Distances": distances,
            }
        )
    report: dict[str, Any] = {
        "MonitoringScheduleName": schedule_name,
        "ProcessingJobName": None,
        "ScheduledTime": None,
        "RecordCount": 0,
        "ParseErrors": 0,
        "Features": [],
        "Violations": [],
        "DriftHistory": history,
    }
    if chosen is None:
        return report
    output = chosen.output_uri or ""
    if chosen.processing_job_name in drifts:
        drift = drifts[chosen.processing_job_name]
    else:  # not among the completed ones given
        drift = read_result(output, DRIFT_FILE) or {}
    violations = (read_result(output, VIOLATIONS_FILE) or {}).get("violations") or []
    report.update(
        ProcessingJobName=chosen.processing_job_name,
        ScheduledTime=chosen.scheduled_time.isoformat(),
        RecordCount=drift.get("record_count", 0),
        ParseErrors=drift.get("parse_errors", 0),
        Features=[_feature(f) for f in drift.get("features") or [] if isinstance(f, dict)],
        Violations=[
            {
                "FeatureName": v.get("feature_name") or v.get("metric_name"),
                "ConstraintCheckType": v.get("constraint_check_type"),
                "Description": v.get("description"),
            }
            for v in violations
            if isinstance(v, dict)
        ],
    )
    return report
