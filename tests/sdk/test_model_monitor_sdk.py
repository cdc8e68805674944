"""The Model Monitor SDK (``sagemaker.model_monitor``'s names): what it sends, compared
with what SageMaker's SDK v2 sends (run in its own venv), the files it reads and saves,
its refusals. End to end against a studio: ``test_model_monitor_e2e.py``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.entities import JobKind
from jupyter_mlstudio.exceptions import ConflictError, NotFoundError, ValidationError
from jupyter_mlstudio.sdk import model_monitor as mm
from jupyter_mlstudio.sdk import processing
from jupyter_mlstudio.sdk.model_monitor import (
    Constraints,
    ConstraintViolations,
    CronExpressionGenerator,
    DatasetFormat,
    DefaultModelMonitor,
    EndpointInput,
    ModelQualityMonitor,
    Statistics,
    executions,
    schedules_client,
)
from tests.support.sagemaker_sdk import sdk_python

ROLE = "arn:aws:iam::111122223333:role/monitor"

#: what SageMaker's SDK v2 sends, with its session's client mocked
SAGEMAKER_SCRIPT = r"""
import json, os
os.environ["SAGEMAKER_SUPPRESS_V2_WARNING"] = "1"
from unittest.mock import MagicMock
from sagemaker.session import Session
from sagemaker.model_monitor import (
    Constraints, CronExpressionGenerator, DatasetFormat, DefaultModelMonitor, EndpointInput,
    ModelQualityMonitor, Statistics,
)

client = MagicMock()
session = Session(
    boto_session=MagicMock(region_name="us-east-1"), sagemaker_client=client,
    sagemaker_runtime_client=MagicMock(), sagemaker_config={},
)
session._default_bucket = "bucket"
session.expand_role = lambda role: role
role = "ROLE"
out = {
    "cron": [
        CronExpressionGenerator.hourly(), CronExpressionGenerator.daily(),
        CronExpressionGenerator.daily(7), CronExpressionGenerator.daily_every_x_hours(6, 2),
        CronExpressionGenerator.daily_every_x_hours(3), CronExpressionGenerator.now(),
    ],
    "formats": [
        DatasetFormat.csv(), DatasetFormat.csv(header=False, output_columns_position="END"),
        DatasetFormat.json(), DatasetFormat.json(lines=False),
    ],
}
monitor = DefaultModelMonitor(role=role, sagemaker_session=session, max_runtime_in_seconds=600)
monitor.suggest_baseline(
    "s3://data/train.csv", DatasetFormat.csv(header=True), output_s3_uri="s3://out/baseline",
    wait=False, logs=False, job_name="baseline-1",
)
out["baseline"] = client.create_processing_job.call_args.kwargs
monitor.create_monitoring_schedule(
    endpoint_input="ep",
    output_s3_uri="s3://out/monitor",
    statistics=Statistics({}, "s3://out/baseline/statistics.json"),
    constraints=Constraints({}, "s3://out/baseline/constraints.json"),
    monitor_schedule_name="schedule-1",
    schedule_cron_expression=CronExpressionGenerator.now(),
    data_analysis_start_time="-PT1H",
    data_analysis_end_time="-PT0H",
)
out["definition"] = client.create_data_quality_job_definition.call_args.kwargs
out["schedule"] = client.create_monitoring_schedule.call_args.kwargs
quality = ModelQualityMonitor(role=role, sagemaker_session=session)
quality.suggest_baseline(
    "s3://data/validation.csv", DatasetFormat.csv(header=True),
    problem_type="BinaryClassification", inference_attribute="prediction",
    probability_attribute="probability", ground_truth_attribute="label",
    probability_threshold_attribute=0.5, output_s3_uri="s3://out/quality", job_name="baseline-2",
)
out["quality_baseline"] = client.create_processing_job.call_args.kwargs
quality.create_monitoring_schedule(
    endpoint_input=EndpointInput(
        "ep", "/opt/ml/processing/input_data", inference_attribute="0",
        probability_threshold_attribute=0.5,
    ),
    ground_truth_input="s3://truth/ep",
    problem_type="BinaryClassification",
    output_s3_uri="s3://out/quality-monitor",
    constraints=Constraints({}, "s3://out/quality/constraints.json"),
    monitor_schedule_name="schedule-2",
    schedule_cron_expression=CronExpressionGenerator.hourly(),
)
out["quality_definition"] = client.create_model_quality_job_definition.call_args.kwargs
out["quality_schedule"] = client.create_monitoring_schedule.call_args.kwargs
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def sagemaker_sends(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What SageMaker's SDK v2 sends for the same calls."""
    python = sdk_python("sagemaker2")
    script = tmp_path_factory.mktemp("sagemaker") / "sends.py"
    script.write_text(SAGEMAKER_SCRIPT.replace('"ROLE"', repr(ROLE)))
    done = subprocess.run(
        [python, str(script)], capture_output=True, text=True, timeout=300, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


class FakeConnection:
    """The studio's REST API, recorded: every call and its body."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Any]] = []

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        self.calls.append((method, path, kwargs.get("body")))
        return {"MonitoringScheduleArn": "arn"} if method == "POST" else {}


class FakeJobs:
    """A jobs client that records the jobs it is asked to create."""

    def __init__(self) -> None:
        self.connection = FakeConnection()
        self.created: list[dict[str, Any]] = []

    def create_job(self, kind: JobKind, request: dict[str, Any]) -> None:
        assert kind is JobKind.PROCESSING
        self.created.append(request)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> FakeJobs:
    """The requests the SDK sends, kept instead of reaching a studio."""
    fake = FakeJobs()
    for module in (processing, executions, schedules_client):
        monkeypatch.setattr(module, "jobs_client", lambda session=None: fake)
    return fake


def test_cron_expressions_and_dataset_formats_are_sagemakers(
    sagemaker_sends: dict[str, Any],
) -> None:
    assert [
        CronExpressionGenerator.hourly(),
        CronExpressionGenerator.daily(),
        CronExpressionGenerator.daily(7),
        CronExpressionGenerator.daily_every_x_hours(6, 2),
        CronExpressionGenerator.daily_every_x_hours(3),
        CronExpressionGenerator.now(),
    ] == sagemaker_sends["cron"]
    assert sagemaker_sends["cron"][0] == "cron(0 * ? * * *)"
    assert [
        DatasetFormat.csv(),
        DatasetFormat.csv(header=False, output_columns_position="END"),
        DatasetFormat.json(),
        DatasetFormat.json(lines=False),
    ] == sagemaker_sends["formats"]


def _without(request: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in request.items() if k not in keys}


def test_suggest_baseline_sends_sagemakers_processing_job(
    sent: FakeJobs, sagemaker_sends: dict[str, Any]
) -> None:
    monitor = DefaultModelMonitor(role=ROLE, max_runtime_in_seconds=600)
    job = monitor.suggest_baseline(
        "s3://data/train.csv",
        DatasetFormat.csv(header=True),
        output_s3_uri="s3://out/baseline",
        wait=False,
        logs=False,
        job_name="baseline-1",
    )
    assert job.name == "baseline-1"
    assert monitor.latest_baselining_job is not None
    assert monitor.latest_baselining_job.job_name == "baseline-1"
    (ours,) = sent.created
    theirs = sagemaker_sends["baseline"]
    # the same job but for the image (the studio's analyzer) and SageMaker's extra members
    assert ours["AppSpecification"] == {"ImageUri": "mlstudio/model-monitor-analyzer"}
    assert ours["Environment"] == theirs["Environment"]
    assert ours["ProcessingResources"] == theirs["ProcessingResources"]
    assert ours["StoppingCondition"] == theirs["StoppingCondition"]
    assert ours["ProcessingJobName"] == theirs["ProcessingJobName"]
    for mine, sagemakers in zip(ours["ProcessingInputs"], theirs["ProcessingInputs"], strict=True):
        assert mine["InputName"] == sagemakers["InputName"]
        assert mine["S3Input"] == _without(sagemakers["S3Input"], "S3CompressionType")
    (output,) = ours["ProcessingOutputConfig"]["Outputs"]
    assert output == _without(theirs["ProcessingOutputConfig"]["Outputs"][0], "AppManaged")


def test_model_quality_baseline_environment_is_sagemakers(
    sent: FakeJobs, sagemaker_sends: dict[str, Any]
) -> None:
    ModelQualityMonitor(role=ROLE).suggest_baseline(
        "s3://data/validation.csv",
        DatasetFormat.csv(header=True),
        problem_type="BinaryClassification",
        inference_attribute="prediction",
        probability_attribute="probability",
        ground_truth_attribute="label",
        probability_threshold_attribute=0.5,
        output_s3_uri="s3://out/quality",
        job_name="baseline-2",
    )
    (ours,) = sent.created
    theirs = {k: str(v) for k, v in sagemaker_sends["quality_baseline"]["Environment"].items()}
    assert ours["Environment"] == theirs
    assert ours["Environment"]["analysis_type"] == "MODEL_QUALITY"
    assert "StoppingCondition" not in ours


def test_schedule_carries_sagemakers_job_definition_inline(
    sent: FakeJobs, sagemaker_sends: dict[str, Any]
) -> None:
    monitor = DefaultModelMonitor(role=ROLE, max_runtime_in_seconds=600)
    monitor.suggest_baseline(
        "s3://data/train.csv", DatasetFormat.csv(), wait=False, job_name="baseline-1"
    )
    monitor.create_monitoring_schedule(
        endpoint_input="ep",
        output_s3_uri="s3://out/monitor",
        statistics=Statistics({}, "s3://out/baseline/statistics.json"),
        constraints=Constraints({}, "s3://out/baseline/constraints.json"),
        monitor_schedule_name="schedule-1",
        schedule_cron_expression=CronExpressionGenerator.now(),
        data_analysis_start_time="-PT1H",
        data_analysis_end_time="-PT0H",
    )
    assert monitor.monitoring_schedule_name == "schedule-1"
    ((method, path, body),) = sent.connection.calls
    assert (method, path) == ("POST", "monitoring-schedules")
    theirs, schedule = sagemaker_sends["definition"], sagemaker_sends["schedule"]
    assert body["MonitoringScheduleName"] == schedule["MonitoringScheduleName"]
    config = body["MonitoringScheduleConfig"]
    assert config["ScheduleConfig"] == schedule["MonitoringScheduleConfig"]["ScheduleConfig"]
    assert config["MonitoringType"] == schedule["MonitoringScheduleConfig"]["MonitoringType"]
    definition = config["MonitoringJobDefinition"]
    assert definition["MonitoringInputs"] == [theirs["DataQualityJobInput"]]
    assert definition["MonitoringOutputConfig"] == theirs["DataQualityJobOutputConfig"]
    assert definition["MonitoringResources"] == theirs["JobResources"]
    assert definition["Environment"] == theirs["DataQualityAppSpecification"]["Environment"]
    assert definition["BaselineConfig"] == theirs["DataQualityBaselineConfig"]
    assert definition["StoppingCondition"] == theirs["StoppingCondition"]
    assert definition["RoleArn"] == theirs["RoleArn"] == ROLE
    assert definition["MonitoringAppSpecification"] == {
        "ImageUri": "mlstudio/model-monitor-analyzer"
    }


def test_model_quality_schedule_adds_ground_truth_and_problem_type(
    sent: FakeJobs, sagemaker_sends: dict[str, Any]
) -> None:
    monitor = ModelQualityMonitor(role=ROLE)
    monitor.suggest_baseline(
        "s3://data/validation.csv",
        DatasetFormat.csv(),
        "BinaryClassification",
        job_name="baseline-2",
    )
    monitor.create_monitoring_schedule(
        endpoint_input=EndpointInput(
            "ep",
            "/opt/ml/processing/input_data",
            inference_attribute="0",
            probability_threshold_attribute=0.5,
        ),
        ground_truth_input="s3://truth/ep",
        problem_type="BinaryClassification",
        output_s3_uri="s3://out/quality-monitor",
        constraints=Constraints({}, "s3://out/quality/constraints.json"),
        monitor_schedule_name="schedule-2",
        schedule_cron_expression=CronExpressionGenerator.hourly(),
    )
    ((_, _, body),) = sent.connection.calls
    theirs = sagemaker_sends["quality_definition"]
    definition = body["MonitoringScheduleConfig"]["MonitoringJobDefinition"]
    job_input = dict(theirs["ModelQualityJobInput"])
    assert definition["GroundTruthS3Input"] == job_input.pop("GroundTruthS3Input")
    assert definition["MonitoringInputs"] == [job_input]
    assert definition["ProblemType"] == theirs["ModelQualityAppSpecification"]["ProblemType"]
    assert definition["BaselineConfig"] == theirs["ModelQualityBaselineConfig"]
    assert definition["MonitoringOutputConfig"] == theirs["ModelQualityJobOutputConfig"]
    assert body["MonitoringScheduleConfig"]["MonitoringType"] == "ModelQuality"
    assert (
        body["MonitoringScheduleConfig"]["ScheduleConfig"]
        == (sagemaker_sends["quality_schedule"]["MonitoringScheduleConfig"]["ScheduleConfig"])
    )


def test_local_paths_are_sent_absolute_and_default_output_is_the_studios(
    sent: FakeJobs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.csv").write_text("a,b\n1,2\n")
    DefaultModelMonitor().suggest_baseline("train.csv", DatasetFormat.csv(), wait=False)
    (request,) = sent.created
    assert request["ProcessingInputs"][0]["S3Input"]["S3Uri"] == str(tmp_path / "train.csv")
    (output,) = request["ProcessingOutputConfig"]["Outputs"]
    assert "S3Uri" not in output["S3Output"]  # the studio's artifact store
    assert request["ProcessingJobName"].startswith("baseline-suggestion-job-")
    ModelQualityMonitor().create_monitoring_schedule(
        "ep", ground_truth_input="truth", problem_type="Regression", output_s3_uri="out"
    )
    ((_, _, body),) = sent.connection.calls
    definition = body["MonitoringScheduleConfig"]["MonitoringJobDefinition"]
    assert definition["GroundTruthS3Input"] == {"S3Uri": str(tmp_path / "truth")}
    s3_output = definition["MonitoringOutputConfig"]["MonitoringOutputs"][0]["S3Output"]
    assert s3_output["S3Uri"] == str(tmp_path / "out")
    # no cron expression: daily, as SageMaker documents its default
    assert body["MonitoringScheduleConfig"]["ScheduleConfig"] == {
        "ScheduleExpression": "cron(0 0 ? * * *)"
    }
    assert body["MonitoringScheduleName"].startswith("monitoring-schedule-")


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda m: m.suggest_baseline("s3://d/x", DatasetFormat.parquet()), "dataset_format"),
        (lambda m: m.suggest_baseline("s3://d/x", {"parquet": {}}), "dataset_format"),
        (lambda m: m.suggest_baseline("s3://d/x", DatasetFormat.json(False)), "dataset_format"),
        (
            lambda m: m.suggest_baseline("s3://d/x", DatasetFormat.sagemaker_capture_json()),
            "dataset_format",
        ),
        (
            lambda m: m.suggest_baseline("/no/such/file.csv", DatasetFormat.csv()),
            "baseline_dataset",
        ),
        (
            lambda m: m.suggest_baseline(
                "s3://d/x", DatasetFormat.csv(), record_preprocessor_script="pre.py"
            ),
            "record_preprocessor_script",
        ),
        (
            lambda m: m.suggest_baseline(
                "s3://d/x", DatasetFormat.csv(), post_analytics_processor_script="post.py"
            ),
            "post_analytics_processor_script",
        ),
        (
            lambda m: m.create_monitoring_schedule(batch_transform_input=object()),
            "batch_transform_input",
        ),
        (lambda m: m.create_monitoring_schedule(), "endpoint_input"),
        (
            lambda m: m.create_monitoring_schedule("ep", record_preprocessor_script="pre.py"),
            "record_preprocessor_script",
        ),
        (
            lambda m: m.create_monitoring_schedule(
                "ep", schedule_cron_expression="NOW", data_analysis_start_time="-PT1H"
            ),
            "data_analysis_start_time",
        ),
        (lambda m: m.describe_schedule(), "monitor_schedule_name"),
        (lambda m: m.baseline_statistics(), "baseline_dataset"),
        (lambda m: m.update_monitoring_schedule(), "monitor_schedule_name"),
    ],
)
def test_what_the_studio_cannot_do_is_refused_by_name(
    sent: FakeJobs, call: Any, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        call(DefaultModelMonitor())
    assert caught.value.field == field
    assert not sent.created
    assert not sent.connection.calls


def test_model_quality_refusals_name_the_argument(sent: FakeJobs) -> None:
    monitor = ModelQualityMonitor()
    for kwargs, field in (
        ({"problem_type": "Ranking"}, "problem_type"),
        ({"problem_type": None}, "problem_type"),
        ({"ground_truth_input": None}, "ground_truth_input"),
    ):
        arguments: dict[str, Any] = {
            "ground_truth_input": "s3://t",
            "problem_type": "Regression",
            **kwargs,
        }
        with pytest.raises(ValidationError) as caught:
            monitor.create_monitoring_schedule("ep", **arguments)
        assert caught.value.field == field
    with pytest.raises(ValidationError) as caught:
        monitor.suggest_baseline("s3://d/x", DatasetFormat.csv(), problem_type="Clustering")
    assert caught.value.field == "problem_type"
    with pytest.raises(ValidationError) as caught:
        EndpointInput("ep", "/x", features_attribute="features")
    assert caught.value.field == "features_attribute"
    assert not sent.created
    assert not sent.connection.calls


def test_a_monitor_has_one_schedule_at_a_time(sent: FakeJobs) -> None:
    monitor = DefaultModelMonitor()
    monitor.create_monitoring_schedule("ep", monitor_schedule_name="one")
    with pytest.raises(ValidationError) as caught:
        monitor.create_monitoring_schedule("ep", monitor_schedule_name="two")
    assert caught.value.field == "monitor_schedule_name"
    monitor.delete_monitoring_schedule()
    assert monitor.monitoring_schedule_name is None
    assert [(m, p) for m, p, _ in sent.connection.calls] == [
        ("POST", "monitoring-schedules"),
        ("DELETE", "monitoring-schedules/one"),
    ]


def test_a_baseline_job_the_studio_refused_is_not_the_latest(
    sent: FakeJobs, monkeypatch: pytest.MonkeyPatch
) -> None:
    def taken(kind: JobKind, request: dict[str, Any]) -> None:
        raise ConflictError(f"job {request['ProcessingJobName']} exists")

    monitor = DefaultModelMonitor()
    monkeypatch.setattr(sent, "create_job", taken)
    with pytest.raises(ConflictError):
        monitor.suggest_baseline("s3://d/x", DatasetFormat.csv(), job_name="taken", wait=False)
    assert monitor.latest_baselining_job is None
    assert monitor.latest_baselining_job_name is None
    assert monitor.baselining_jobs == []


def test_constraints_set_monitoring_and_save_round_trip(tmp_path: Path) -> None:
    body = {
        "version": 0.0,
        "features": [{"name": "a", "inferred_type": "Fractional"}, {"name": "b"}],
        "monitoring_config": {"evaluate_constraints": "Enabled"},
    }
    path = tmp_path / "constraints.json"
    path.write_text(json.dumps(body))
    constraints = Constraints.from_s3_uri(path.as_uri())
    assert constraints.body_dict == body
    constraints.set_monitoring(enable_monitoring=False)
    constraints.set_monitoring(False, feature_name="a")
    constraints.set_monitoring(True, feature_name="b")
    constraints.set_monitoring(True, feature_name="not-a-feature")
    assert constraints.save() == path.as_uri()
    again = Constraints.from_s3_uri(str(path))
    assert again.body_dict["monitoring_config"]["evaluate_constraints"] == "Disabled"
    overrides = [f.get("monitoring_config_overrides") for f in again.body_dict["features"]]
    assert overrides == [{"evaluate_constraints": "Disabled"}, {"evaluate_constraints": "Enabled"}]
    # saved elsewhere: that place becomes the file's URI
    elsewhere = tmp_path / "copy" / "constraints.json"
    assert again.save(str(elsewhere)) == str(elsewhere)
    assert again.file_s3_uri == str(elsewhere)
    assert json.loads(elsewhere.read_text()) == again.body_dict


def test_files_from_strings_and_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLSTUDIO_HOME", str(tmp_path / "home"))
    statistics = Statistics.from_string(json.dumps({"dataset": {"item_count": 3}}))
    assert statistics.body_dict["dataset"]["item_count"] == 3
    assert statistics.file_s3_uri is not None
    kept = Path(statistics.file_s3_uri)
    assert kept.name == "statistics.json"
    assert kept.is_relative_to(tmp_path / "home" / "monitoring")
    violations_file = tmp_path / "v.json"
    violations_file.write_text('{"violations": []}')
    violations = ConstraintViolations.from_file_path(str(violations_file))
    assert violations.body_dict == {"violations": []}
    assert violations.file_s3_uri == str(violations_file)
    with pytest.raises(NotFoundError):
        Statistics.from_s3_uri(str(tmp_path / "missing.json"))
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ValidationError) as caught:
        Statistics.from_s3_uri(str(tmp_path / "bad.json"))
    assert caught.value.field == "file_s3_uri"


def test_the_module_paths_mirror_sagemakers() -> None:
    from jupyter_mlstudio import sdk
    from jupyter_mlstudio.sdk.model_monitor import (
        cron_expression_generator,
        data_capture_config,
        dataset_format,
        model_monitoring,
        monitoring_files,
    )

    assert model_monitoring.DefaultModelMonitor is mm.DefaultModelMonitor is sdk.DefaultModelMonitor
    assert model_monitoring.MonitoringExecution is mm.MonitoringExecution
    assert model_monitoring.BaseliningJob is mm.BaseliningJob
    assert monitoring_files.Constraints is sdk.Constraints
    assert dataset_format.DatasetFormat is sdk.DatasetFormat
    assert cron_expression_generator.CronExpressionGenerator is sdk.CronExpressionGenerator
    assert data_capture_config.DataCaptureConfig is sdk.DataCaptureConfig


def test_predictor_endpoint_is_the_name_monitor_notebooks_pass() -> None:
    from jupyter_mlstudio.sdk import Predictor

    assert Predictor("churn-endpoint").endpoint == "churn-endpoint"
