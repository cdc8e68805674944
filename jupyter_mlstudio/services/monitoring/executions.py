"""A monitoring execution as a processing job: the request that runs the studio's analyzer
(:mod:`jupyter_mlstudio.monitoring`) over one window of an endpoint's captured records,
and what its files say when it ended.

The request is what SageMaker's analyzer container is given: the captured hours of the
window as inputs below :data:`CAPTURE_PATH`, the baseline's two files, the analyzer's
environment (``dataset_format``, ``dataset_source``, ``start_time``, ``end_time``, ...)
and one output, uploaded to ``<output>/<endpoint>/<schedule>/<yyyy>/<mm>/<dd>/<hh>/``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ...artifacts import open_artifact_store
from ...exceptions import NotFoundError, StudioError
from ...monitoring import ANALYZER_IMAGE
from .cron import Window

PROCESSING = "/opt/ml/processing"
CAPTURE_PATH = f"{PROCESSING}/input/endpoint"
GROUND_TRUTH_PATH = f"{PROCESSING}/groundtruth"
BASELINE_PATH = f"{PROCESSING}/baseline"
OUTPUT_PATH = f"{PROCESSING}/resultdata"
TAG_SCHEDULE = "mlstudio:monitoring-schedule"
TAG_SCHEDULED_TIME = "mlstudio:monitoring-scheduled-time"
VIOLATIONS_FILE = "constraint_violations.json"
DRIFT_FILE = "feature_drift.json"
STATISTICS_FILE = "statistics.json"


@dataclass(frozen=True)
class Target:
    """What a schedule monitors: its endpoint, where that endpoint captures to, and the
    checked job definition (SageMaker's ``MonitoringJobDefinition``)."""

    schedule_name: str
    endpoint_name: str
    capture_destination: str
    monitoring_type: str
    definition: dict[str, Any]


def job_name(schedule_name: str, scheduled: datetime) -> str:
    """The processing job of a schedule's run at ``scheduled``: SageMaker's
    ``model-monitoring-<yyyymmddhhmm>-<8 hex>`` (the same run always has the same name)."""
    digest = hashlib.sha256(f"{schedule_name}@{scheduled.isoformat()}".encode()).hexdigest()
    return f"model-monitoring-{scheduled:%Y%m%d%H%M}-{digest[:8]}"


def output_uri(target: Target, scheduled: datetime) -> str:
    """Where the run at ``scheduled`` writes its files (SageMaker's layout)."""
    base = target.definition["MonitoringOutputConfig"]["MonitoringOutputs"][0]["S3Output"]["S3Uri"]
    return (
        f"{base.rstrip('/')}/{target.endpoint_name}/{target.schedule_name}/{scheduled:%Y/%m/%d/%H}"
    )


def captured_hours(target: Target, span: Window) -> list[tuple[str, str]]:
    """(URI, path below the capture input) of every captured hour folder the window
    touches, of every variant; none when nothing was captured then."""
    wanted = {f"{hour:%Y/%m/%d/%H}" for hour in span.hours()}
    found: set[str] = set()
    with open_artifact_store(target.capture_destination.rstrip("/")) as store:
        try:
            items = store.list(target.endpoint_name, recursive=True)
        except NotFoundError:
            return []
        for item in items:
            parts = item.path.split("/")
            # <endpoint>/<variant>/yyyy/mm/dd/hh/<file>.jsonl
            if item.is_dir or len(parts) != 7 or "/".join(parts[2:6]) not in wanted:
                continue
            found.add("/".join(parts[1:6]))
        base = store.uri_for(target.endpoint_name)
    return [(f"{base}/{folder}", folder) for folder in sorted(found)]


def execution_request(target: Target, scheduled: datetime, span: Window) -> dict[str, Any]:
    """The CreateProcessingJob request of the run at ``scheduled`` over ``span``."""
    definition = target.definition
    name = job_name(target.schedule_name, scheduled)
    inputs = [
        {
            "InputName": f"endpoint-{i}",
            "S3Input": {
                "S3Uri": uri,
                "LocalPath": f"{CAPTURE_PATH}/{folder}",
                "S3DataType": "S3Prefix",
                "S3InputMode": "File",
            },
        }
        for i, (uri, folder) in enumerate(captured_hours(target, span))
    ]
    env: dict[str, str] = {
        **definition.get("Environment", {}),
        "dataset_format": json.dumps(
            {"sagemakerCaptureJson": {"captureIndexNames": ["endpointInput", "endpointOutput"]}}
        ),
        "dataset_source": CAPTURE_PATH,
        "output_path": OUTPUT_PATH,
        "publish_cloudwatch_metrics": "Disabled",
        "sagemaker_endpoint_name": target.endpoint_name,
        "sagemaker_monitoring_schedule_name": target.schedule_name,
        "start_time": _iso(span.start),
        "end_time": _iso(span.end),
    }
    baseline = definition.get("BaselineConfig") or {}
    for member, key, folder in (
        ("StatisticsResource", "baseline_statistics", "stats"),
        ("ConstraintsResource", "baseline_constraints", "constraints"),
    ):
        uri = (baseline.get(member) or {}).get("S3Uri")
        if uri:
            inputs.append(
                {
                    "InputName": key,
                    "S3Input": {
                        "S3Uri": uri,
                        "LocalPath": f"{BASELINE_PATH}/{folder}",
                        "S3DataType": "S3Prefix",
                        "S3InputMode": "File",
                    },
                }
            )
            env[key] = f"{BASELINE_PATH}/{folder}/{uri.rstrip('/').rsplit('/', 1)[-1]}"
    endpoint_input = definition["MonitoringInputs"][0]["EndpointInput"]
    if target.monitoring_type == "ModelQuality":
        env["analysis_type"] = "MODEL_QUALITY"
        env["problem_type"] = definition["ProblemType"]
        for member, key in (
            ("InferenceAttribute", "inference_attribute"),
            ("ProbabilityAttribute", "probability_attribute"),
            ("ProbabilityThresholdAttribute", "probability_threshold_attribute"),
        ):
            if endpoint_input.get(member) is not None:
                env[key] = str(endpoint_input[member])
        inputs.append(
            {
                "InputName": "groundtruth",
                "S3Input": {
                    "S3Uri": definition["GroundTruthS3Input"]["S3Uri"],
                    "LocalPath": GROUND_TRUTH_PATH,
                    "S3DataType": "S3Prefix",
                    "S3InputMode": "File",
                },
            }
        )
        env["ground_truth_source"] = GROUND_TRUTH_PATH
    cluster = definition["MonitoringResources"]["ClusterConfig"]
    return {
        "ProcessingJobName": name,
        "AppSpecification": {"ImageUri": ANALYZER_IMAGE},
        "ProcessingInputs": inputs,
        "ProcessingOutputConfig": {
            "Outputs": [
                {
                    "OutputName": "monitoring_output",
                    "S3Output": {
                        "S3Uri": output_uri(target, scheduled),
                        "LocalPath": OUTPUT_PATH,
                        "S3UploadMode": "EndOfJob",
                    },
                }
            ]
        },
        "ProcessingResources": {
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": cluster.get("InstanceType", "ml.m5.xlarge"),
                "VolumeSizeInGB": cluster.get("VolumeSizeInGB", 30),
            }
        },
        "StoppingCondition": definition.get("StoppingCondition") or {"MaxRuntimeInSeconds": 3600},
        "Environment": env,
        "Tags": [
            {"Key": TAG_SCHEDULE, "Value": target.schedule_name},
            {"Key": TAG_SCHEDULED_TIME, "Value": _iso(scheduled)},
        ],
    }


def _iso(at: datetime) -> str:
    if at.microsecond:  # a one-time run's window ends when it was created, to the microsecond
        return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def read_result(output: str, name: str) -> dict[str, Any] | None:
    """One of an execution's files (``constraint_violations.json``, ...), None when the
    execution did not write it."""
    try:
        with open_artifact_store(output.rstrip("/")) as store:
            return dict(json.loads(store.get_bytes(name)))
    except (NotFoundError, StudioError, ValueError):
        return None


def violation_count(output: str) -> int:
    """How many violations an execution that completed reported."""
    found = read_result(output, VIOLATIONS_FILE) or {}
    violations = found.get("violations")
    return len(violations) if isinstance(violations, list) else 0
