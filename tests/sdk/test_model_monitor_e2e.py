"""The Model Monitor SDK end to end against a real studio (a Jupyter server), on the
process runtime: a baseline of a CSV, a one-time schedule over an endpoint's captured
requests that finds a shifted feature's drift, a model quality schedule merging ground
truth — the calls a SageMaker notebook makes, with ``sagemaker.model_monitor``'s names."""

from __future__ import annotations

import json
import tarfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from jupyter_mlstudio.exceptions import ConflictError, NotFoundError, ValidationError
from jupyter_mlstudio.sdk import (
    CSVSerializer,
    DataCaptureConfig,
    JSONDeserializer,
    Model,
    Predictor,
    TrackingClient,
)
from jupyter_mlstudio.sdk.model_monitor import (
    CronExpressionGenerator,
    DatasetFormat,
    DefaultModelMonitor,
    EndpointInput,
    ModelQualityMonitor,
    Statistics,
)

from .conftest import in_thread

ROLE = "arn:aws:iam::111122223333:role/monitor"

PROBABILITY = """
import os

import joblib


def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "model.joblib"))


def predict_fn(data, model):
    return model.predict_proba(data)[:, 1]
"""


@pytest.fixture
def tracking_uri(studio_uri: str) -> str:
    """Jobs, endpoints and schedules belong to a studio: these tests run against one."""
    return studio_uri


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home of the test's own, so that nothing reaches ~/.mlstudio."""
    monkeypatch.setenv("MLSTUDIO_HOME", str(tmp_path / "sdk-home"))
    monkeypatch.setenv("MLSTUDIO_RUNTIME", "process")
    return tmp_path / "sdk-home"


def _training_data(tmp_path: Path, rows: int = 300) -> tuple[np.ndarray, Path]:
    rng = np.random.default_rng(11)
    x = rng.normal(size=(rows, 2)).round(4)
    path = tmp_path / "train.csv"
    path.write_text("x0,x1\n" + "\n".join(f"{a},{b}" for a, b in x) + "\n")
    return x, path


def _deployed_with_capture(client: TrackingClient, tmp_path: Path, x: np.ndarray) -> Predictor:
    y = (x[:, 0] - x[:, 1] > 0).astype(float)
    joblib.dump(LogisticRegression().fit(x, y), tmp_path / "model.joblib")
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "model.joblib", arcname="model.joblib")
    code = tmp_path / "code"
    code.mkdir()
    (code / "probability.py").write_text(PROBABILITY)
    model = Model(
        model_data=str(archive),
        entry_point="probability.py",
        source_dir=str(code),
        sagemaker_session=client,
    )
    return model.deploy(
        serializer=CSVSerializer(),
        deserializer=JSONDeserializer(),
        endpoint_name="monitored",
        data_capture_config=DataCaptureConfig(True, sampling_percentage=100),
    )


def _until(what: Any, timeout: float = 60.0) -> Any:
    """``what()`` once it is truthy (it arrives a moment later), else the test fails."""
    deadline = time.monotonic() + timeout
    while not (value := what()):
        assert time.monotonic() < deadline, f"nothing after {timeout:.0f} s"
        time.sleep(0.2)
    return value


async def test_baseline_then_a_one_time_schedule_finds_the_drift(
    client: TrackingClient, home: Path, tmp_path: Path
) -> None:
    x, train = _training_data(tmp_path)

    def work() -> None:
        monitor = DefaultModelMonitor(
            role=ROLE, instance_type="local", max_runtime_in_seconds=600, sagemaker_session=client
        )
        job = monitor.suggest_baseline(
            str(train), DatasetFormat.csv(header=True), wait=True, logs=False, job_name="baseline"
        )
        assert job.describe().status.value == "Completed"
        statistics = monitor.baseline_statistics()
        assert statistics.body_dict["dataset"]["item_count"] == len(x)
        assert [f["name"] for f in statistics.body_dict["features"]] == ["x0", "x1"]
        constraints = monitor.suggested_constraints()
        assert {f["name"]: f["inferred_type"] for f in constraints.body_dict["features"]} == {
            "x0": "Fractional",
            "x1": "Fractional",
        }
        assert monitor.describe_latest_baselining_job()["ProcessingJobStatus"] == "Completed"
        # the files are where the studio published the job's output
        assert statistics.file_s3_uri is not None
        assert statistics.file_s3_uri.endswith("/statistics.json")
        assert Statistics.from_s3_uri(statistics.file_s3_uri).body_dict == statistics.body_dict

        predictor = _deployed_with_capture(client, tmp_path, x)
        shifted = x[:40] + np.array([8.0, 0.0])  # x0 moved far outside the baseline
        for row in shifted:
            predictor.predict(row.reshape(1, -1))
        records = _until(
            lambda: len(found := predictor.captures(max_results=100)) >= len(shifted) and found
        )
        # a NOW schedule's window ends at the whole second it was created in: start it
        # once the last record's second is over, so that the window holds every record
        last = max(r["eventMetadata"]["inferenceTime"] for r in records)
        _until(lambda: f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%S}" > last[:19])

        monitor.create_monitoring_schedule(
            endpoint_input=predictor.endpoint_name,
            output_s3_uri=str(tmp_path / "monitoring"),
            monitor_schedule_name="drift",
            schedule_cron_expression=CronExpressionGenerator.now(),
            data_analysis_start_time="-PT1H",
            data_analysis_end_time="-PT0H",
        )
        described = monitor.describe_schedule()
        assert described["MonitoringScheduleName"] == "drift"
        baseline = described["MonitoringScheduleConfig"]["MonitoringJobDefinition"][
            "BaselineConfig"
        ]
        assert baseline["StatisticsResource"]["S3Uri"] == statistics.file_s3_uri

        execution = _until(monitor.list_executions)[-1]
        execution.wait(logs=False)
        ran = execution.describe()
        assert ran["ProcessingJobStatus"] == "Completed"
        assert ran["ExitMessage"].startswith("CompletedWithViolations: ")
        assert execution.output.destination is not None
        assert execution.output.destination.startswith(
            str(tmp_path / "monitoring" / "monitored" / "drift")
        )
        window = execution.statistics()
        assert window.body_dict["dataset"]["item_count"] == len(shifted)
        violations = execution.constraint_violations().body_dict["violations"]
        assert {"x0"} <= {
            v["feature_name"]
            for v in violations
            if v["constraint_check_type"] == "baseline_drift_check"
        }
        assert "x1" not in {v["feature_name"] for v in violations}
        latest = monitor.latest_monitoring_constraint_violations()
        assert latest is not None
        assert latest.body_dict == execution.constraint_violations().body_dict
        latest_statistics = monitor.latest_monitoring_statistics()
        assert latest_statistics is not None
        assert latest_statistics.body_dict == window.body_dict

        attached = DefaultModelMonitor.attach("drift", sagemaker_session=client)
        assert attached.role == ROLE
        assert [e.job_name for e in attached.list_executions()] == [execution.job_name]
        with pytest.raises(ValidationError) as caught:
            ModelQualityMonitor.attach("drift", sagemaker_session=client)
        assert caught.value.field == "monitor_schedule_name"

        # a name in use is refused by the studio, naming it
        again = DefaultModelMonitor(sagemaker_session=client)
        with pytest.raises(ConflictError):
            again.create_monitoring_schedule(
                predictor.endpoint_name,
                statistics=statistics,
                constraints=constraints,
                monitor_schedule_name="drift",
            )
        assert again.monitoring_schedule_name is None

        # the studio's refusals come back naming the member of the request
        with pytest.raises(NotFoundError) as missing:
            again.create_monitoring_schedule(
                "no-such-endpoint", statistics=statistics, constraints=constraints
            )
        assert missing.value.field == (
            "MonitoringScheduleConfig.MonitoringJobDefinition.MonitoringInputs[0]"
            ".EndpointInput.EndpointName"
        )
        with pytest.raises(ValidationError) as bad_cron:
            again.create_monitoring_schedule(
                predictor.endpoint_name,
                statistics=statistics,
                constraints=constraints,
                schedule_cron_expression="cron(5 * * * * *)",
            )
        assert bad_cron.value.field == "MonitoringScheduleConfig.ScheduleConfig.ScheduleExpression"
        assert again.monitoring_schedule_name is None

        # an hourly schedule: stopped, started again, deleted
        again.create_monitoring_schedule(
            predictor.endpoint_name,
            statistics=statistics,
            constraints=constraints.file_s3_uri,
            monitor_schedule_name="hourly",
            schedule_cron_expression=CronExpressionGenerator.hourly(),
        )
        assert again.describe_schedule()["NextScheduledTime"]
        again.stop_monitoring_schedule()
        assert again.describe_schedule()["MonitoringScheduleStatus"] == "Stopped"
        again.start_monitoring_schedule()
        assert again.describe_schedule()["MonitoringScheduleStatus"] == "Scheduled"
        again.delete_monitoring_schedule()

        monitor.delete_monitoring_schedule()
        with pytest.raises(NotFoundError):
            attached.describe_schedule()
        predictor.delete_endpoint()

    await in_thread(work)


async def test_model_quality_baseline_and_a_schedule_merging_ground_truth(
    client: TrackingClient, home: Path, tmp_path: Path
) -> None:
    x, _ = _training_data(tmp_path)

    def work() -> None:
        predictor = _deployed_with_capture(client, tmp_path, x)
        # the validation set: the model's answers and the true labels, as a table
        rows = x[:60]
        probabilities = [float(predictor.predict(r.reshape(1, -1))[0]) for r in rows]
        labels = (rows[:, 0] - rows[:, 1] > 0).astype(int)
        validation = tmp_path / "validation.csv"
        validation.write_text(
            "prediction,probability,label\n"
            + "".join(
                f"{int(p > 0.5)},{p},{y}\n" for p, y in zip(probabilities, labels, strict=True)
            )
        )
        monitor = ModelQualityMonitor(instance_type="local", sagemaker_session=client)
        monitor.suggest_baseline(
            str(validation),
            DatasetFormat.csv(header=True),
            problem_type="BinaryClassification",
            inference_attribute="prediction",
            probability_attribute="probability",
            ground_truth_attribute="label",
            probability_threshold_attribute=0.5,
            wait=True,
        )
        metrics = monitor.baseline_statistics().body_dict["binary_classification_metrics"]
        assert metrics["accuracy"]["value"] >= 0.9
        suggested = monitor.suggested_constraints().body_dict
        assert suggested["binary_classification_constraints"]["accuracy"][
            "comparison_operator"
        ] == ("LessThanThreshold")

        # the ground truth says the opposite of what the model answered
        records = _until(
            lambda: len(found := predictor.captures(max_results=100)) >= len(rows) and found
        )
        truth = tmp_path / "ground-truth"
        truth.mkdir()
        (truth / "labels.jsonl").write_text(
            "".join(
                json.dumps(
                    {
                        "groundTruthData": {
                            "data": str(
                                1
                                - int(
                                    json.loads(r["captureData"]["endpointOutput"]["data"])[0] > 0.5
                                )
                            ),
                            "encoding": "CSV",
                        },
                        "eventMetadata": {"eventId": r["eventMetadata"]["eventId"]},
                        "eventVersion": "0",
                    }
                )
                + "\n"
                for r in records
            )
        )
        last = max(r["eventMetadata"]["inferenceTime"] for r in records)
        _until(lambda: f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%S}" > last[:19])
        monitor.create_monitoring_schedule(
            endpoint_input=EndpointInput(
                predictor.endpoint_name,
                "/opt/ml/processing/input/endpoint",
                probability_attribute="0",
                probability_threshold_attribute=0.5,
            ),
            ground_truth_input=str(truth),
            problem_type="BinaryClassification",
            monitor_schedule_name="quality",
            schedule_cron_expression=CronExpressionGenerator.now(),
            data_analysis_start_time="-PT1H",
            data_analysis_end_time="-PT0H",
        )
        assert monitor.describe_schedule()["MonitoringType"] == "ModelQuality"
        execution = _until(monitor.list_executions)[-1]
        execution.wait(logs=False)
        window = execution.statistics().body_dict["binary_classification_metrics"]
        assert window["accuracy"]["value"] <= 0.1
        violations = execution.constraint_violations().body_dict["violations"]
        assert "accuracy" in {v["metric_name"] for v in violations}
        assert ModelQualityMonitor.attach("quality", client).monitoring_schedule_name == "quality"
        monitor.delete_monitoring_schedule()
        predictor.delete_endpoint()

    await in_thread(work)
