"""Model Monitor test data: an endpoint's records that capture to the artifact store (no
model server: schedules read only its capture), captured records in SageMaker's capture
format, a baseline made by the analyzer, and CreateMonitoringSchedule requests."""

from __future__ import annotations

import csv
import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np

from jupyter_mlstudio.artifacts import open_artifact_store
from jupyter_mlstudio.entities import ContainerDefinition, ProductionVariant
from jupyter_mlstudio.monitoring import ANALYZER_IMAGE
from jupyter_mlstudio.services.studio import Studio

ENDPOINT = "churn-endpoint"
T0 = datetime(2026, 12, 6, 10, 30, tzinfo=timezone.utc)
COLUMNS = ["tenure", "charges", "plan"]


def add_endpoint(studio: Studio, name: str = ENDPOINT, capture: bool = True) -> str:
    """An endpoint's records (nothing deployed); where it captures to."""
    studio.store.create_model(
        f"{name}-model", ContainerDefinition(image="mlstudio/python:3-sklearn")
    )
    destination = studio.artifacts.uri_for("data-capture")
    studio.store.create_endpoint_config(
        f"{name}-config",
        [ProductionVariant(variant_name="AllTraffic", model_name=f"{name}-model")],
        data_capture_config={"EnableCapture": True, "DestinationS3Uri": destination}
        if capture
        else None,
    )
    studio.store.create_endpoint(name, f"{name}-config")
    return destination


def baseline_rows(n: int = 400, seed: int = 0) -> list[list[Any]]:
    rng = np.random.default_rng(seed)
    # the plans in fixed proportions (two a to one b), so windows differ in numbers only
    return [
        [int(rng.integers(1, 72)), round(float(rng.normal(60, 10)), 2), "ab"[i % 3 == 2]]
        for i in range(n)
    ]


def write_capture(
    destination: str, at: datetime, rows: list[list[Any]], endpoint: str = ENDPOINT
) -> None:
    """Captured requests (CSV, no header) at ``at``, in SageMaker's capture layout."""
    lines = []
    for i, row in enumerate(rows):
        lines.append(
            json.dumps(
                {
                    "captureData": {
                        "endpointInput": {
                            "observedContentType": "text/csv",
                            "mode": "INPUT",
                            "data": ",".join(str(v) for v in row),
                            "encoding": "CSV",
                        },
                        "endpointOutput": {
                            "observedContentType": "text/csv",
                            "mode": "OUTPUT",
                            "data": "0.5",
                            "encoding": "CSV",
                        },
                    },
                    "eventMetadata": {
                        "eventId": str(uuid.uuid4()),
                        "inferenceTime": (at + timedelta(seconds=i % 60)).strftime(
                            "%Y-%m-%dT%H:%M:%SZ"
                        ),
                    },
                    "eventVersion": "0",
                }
            )
        )
    path = f"{endpoint}/AllTraffic/{at:%Y/%m/%d/%H}/{uuid.uuid4().hex}.jsonl"
    with open_artifact_store(destination) as store:
        store.put_bytes(path, ("\n".join(lines) + "\n").encode())


def make_baseline(studio: Studio, tmp_path: Path, name: str = "baseline-job") -> str:
    """Run the analyzer over a CSV with a header; the URI of its output."""
    data = tmp_path / "baseline"
    data.mkdir(exist_ok=True)
    with (data / "train.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(baseline_rows())
    output = studio.artifacts.uri_for(f"baselines/{name}")
    studio.jobs.create_processing_job(
        {
            "ProcessingJobName": name,
            "AppSpecification": {"ImageUri": ANALYZER_IMAGE},
            "ProcessingInputs": [
                {
                    "InputName": "baseline_dataset_input",
                    "S3Input": {
                        "S3Uri": data.as_uri(),
                        "LocalPath": "/opt/ml/processing/input/baseline_dataset_input",
                    },
                }
            ],
            "ProcessingOutputConfig": {
                "Outputs": [
                    {
                        "OutputName": "monitoring_output",
                        "S3Output": {"S3Uri": output, "LocalPath": "/opt/ml/processing/output"},
                    }
                ]
            },
            "Environment": {
                "dataset_format": json.dumps({"csv": {"header": True}}),
                "dataset_source": "/opt/ml/processing/input/baseline_dataset_input",
                "output_path": "/opt/ml/processing/output",
            },
        }
    )
    job = studio.jobs.wait(name, 120)
    assert job.status.value == "Completed", job.failure_reason
    return output


def schedule_request(
    name: str, baseline: str | None, expression: str = "cron(0 * ? * * *)", **config: Any
) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "MonitoringInputs": [{"EndpointInput": {"EndpointName": ENDPOINT}}],
        "MonitoringResources": {
            "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large"}
        },
    }
    if baseline:
        definition["BaselineConfig"] = {
            "StatisticsResource": {"S3Uri": f"{baseline}/statistics.json"},
            "ConstraintsResource": {"S3Uri": f"{baseline}/constraints.json"},
        }
    schedule: dict[str, Any] = {"ScheduleExpression": expression, **config}
    return {
        "MonitoringScheduleName": name,
        "MonitoringScheduleConfig": {
            "ScheduleConfig": schedule,
            "MonitoringJobDefinition": definition,
            "MonitoringType": "DataQuality",
        },
    }
