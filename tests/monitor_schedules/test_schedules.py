"""Monitoring schedules end to end on the process runtime: a baseline made by the
analyzer, executions over captured records as real processing jobs, the cron schedule
across a studio restart, and the refusals."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from jupyter_mlstudio.artifacts import open_artifact_store
from jupyter_mlstudio.exceptions import ConflictError, NotFoundError, ValidationError
from jupyter_mlstudio.monitoring import ANALYZER_IMAGE
from jupyter_mlstudio.services.monitoring.schedules import ENDPOINT_FIELD
from jupyter_mlstudio.services.studio import Studio

from ..support.monitoring import (
    T0,
    add_endpoint,
    baseline_rows,
    make_baseline,
    schedule_request,
    write_capture,
)
from .conftest import Clock


def _finish(studio: Studio, schedule: str) -> dict:
    """Wait for the schedule's newest execution's job, then sync; its summary."""
    summaries = studio.monitoring.list_executions(schedule_name=schedule)
    newest = summaries["MonitoringExecutionSummaries"][0]
    studio.jobs.wait(newest["ProcessingJobName"], 120)
    studio.monitoring.sync()
    return studio.monitoring.list_executions(schedule_name=schedule)[
        "MonitoringExecutionSummaries"
    ][0]


def test_hourly_schedule_runs_its_next_window_once_across_a_restart(
    open_studio: Callable[[], Studio], clock: Clock, tmp_path: Path
) -> None:
    studio = open_studio()
    destination = add_endpoint(studio)
    baseline = make_baseline(studio, tmp_path)
    studio.monitoring.create_schedule(schedule_request("hourly", baseline))
    assert studio.monitoring.run_due() == []  # 10:00 fired before the schedule existed
    described = studio.monitoring.describe_schedule("hourly")
    assert described["MonitoringScheduleStatus"] == "Scheduled"
    assert described["NextScheduledTime"] == (T0.replace(minute=0) + timedelta(hours=1)).isoformat()
    # traffic in 10:00-11:00, read by the 11:00 run
    write_capture(destination, T0, baseline_rows(200, seed=1))
    studio.close()

    clock.now = T0 + timedelta(minutes=40)  # 11:10: the studio was down at 11:00
    studio = open_studio()
    studio.monitoring.run_due()  # the thread may have started it already: once either way
    summary = _finish(studio, "hourly")
    executions = studio.monitoring.list_executions(schedule_name="hourly")
    assert len(executions["MonitoringExecutionSummaries"]) == 1
    assert summary["ScheduledTime"] == (T0.replace(minute=0) + timedelta(hours=1)).isoformat()
    assert summary["MonitoringExecutionStatus"] == "Completed", summary
    assert summary["ViolationCount"] == 0
    # SageMaker's layout: <output>/<endpoint>/<schedule>/yyyy/mm/dd/hh
    assert summary["OutputS3Uri"].endswith("/churn-endpoint/hourly/2026/12/06/11")
    with open_artifact_store(summary["OutputS3Uri"]) as out:
        stats = json.loads(out.get_bytes("statistics.json"))
    assert stats["dataset"]["item_count"] == 200
    # the same window never runs again; the next one comes at 12:00
    clock.now = T0 + timedelta(minutes=55)
    assert studio.monitoring.run_due() == []
    assert len(studio.monitoring.list_executions()["MonitoringExecutionSummaries"]) == 1
    next_run = studio.monitoring.describe_schedule("hourly")["NextScheduledTime"]
    assert next_run == (T0.replace(minute=0) + timedelta(hours=2)).isoformat()
    # stopped: nothing runs and nothing is due
    studio.monitoring.stop_schedule("hourly")
    clock.now = T0 + timedelta(hours=2)
    assert studio.monitoring.run_due() == []
    assert studio.monitoring.describe_schedule("hourly")["NextScheduledTime"] is None


def test_one_time_schedule_reports_drift_and_type_violations(
    open_studio: Callable[[], Studio], clock: Clock, tmp_path: Path
) -> None:
    studio = open_studio()
    destination = add_endpoint(studio)
    baseline = make_baseline(studio, tmp_path)
    shifted = [[t + 40, c * 2, p] for t, c, p in baseline_rows(150, seed=2)]
    shifted += [["many", 61.0, "a"] for _ in range(10)]  # a string in an integral column
    write_capture(destination, T0 - timedelta(minutes=20), shifted)
    studio.monitoring.create_schedule(
        schedule_request(
            "once",
            baseline,
            "NOW",
            DataAnalysisStartTime="-PT1H",
            DataAnalysisEndTime="-PT0H",
        )
    )
    studio.monitoring.run_due()
    summary = _finish(studio, "once")
    assert summary["MonitoringExecutionStatus"] == "CompletedWithViolations", summary
    report = studio.monitoring.report("once")
    checks = {(v["FeatureName"], v["ConstraintCheckType"]) for v in report["Violations"]}
    assert ("charges", "baseline_drift_check") in checks
    assert ("tenure", "data_type_check") in checks
    assert summary["ViolationCount"] == len(report["Violations"])
    charges = next(f for f in report["Features"] if f["Name"] == "charges")
    assert charges["Distance"] > charges["Threshold"]
    assert sum(b["BaselineCount"] for b in charges["Bins"]) > 0
    assert [p["ProcessingJobName"] for p in report["DriftHistory"]] == [
        summary["ProcessingJobName"]
    ]
    # a one-time schedule runs once
    clock.now = T0 + timedelta(hours=3)
    assert studio.monitoring.run_due() == []


def test_an_empty_window_fails_with_a_reason(
    open_studio: Callable[[], Studio], tmp_path: Path
) -> None:
    studio = open_studio()
    add_endpoint(studio)
    studio.monitoring.create_schedule(
        schedule_request(
            "empty", None, "NOW", DataAnalysisStartTime="-PT1H", DataAnalysisEndTime="-PT0H"
        )
    )
    studio.monitoring.run_due()
    summary = _finish(studio, "empty")
    assert summary["MonitoringExecutionStatus"] == "Failed"
    assert "no captured records between 2026-12-06T09:30:00" in summary["FailureReason"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            lambda r: r["MonitoringScheduleConfig"]["ScheduleConfig"].update(
                ScheduleExpression="cron(30 * ? * * *)"
            ),
            "MonitoringScheduleConfig.ScheduleConfig.ScheduleExpression",
        ),
        (
            lambda r: r["MonitoringScheduleConfig"]["ScheduleConfig"].update(
                ScheduleExpression="NOW"
            ),
            "MonitoringScheduleConfig.ScheduleConfig.DataAnalysisStartTime",
        ),
        (
            lambda r: r["MonitoringScheduleConfig"].update(MonitoringType="Bias"),
            "MonitoringScheduleConfig.MonitoringType",
        ),
        (
            lambda r: r["MonitoringScheduleConfig"]["MonitoringJobDefinition"]["MonitoringInputs"][
                0
            ]["EndpointInput"].update(StartTimeOffset="PT1H"),
            "MonitoringScheduleConfig.MonitoringJobDefinition.MonitoringInputs[0]"
            ".EndpointInput.StartTimeOffset",
        ),
        (
            lambda r: r.update(MonitoringScheduleName="bad name"),
            "MonitoringScheduleName",
        ),
    ],
)
def test_bad_requests_name_their_field(
    open_studio: Callable[[], Studio], change: Callable[[dict], None], field: str
) -> None:
    studio = open_studio()
    add_endpoint(studio)
    request = schedule_request("bad", None)
    change(request)
    with pytest.raises(ValidationError) as caught:
        studio.monitoring.create_schedule(request)
    assert caught.value.field == field
    assert studio.store.list_monitoring_schedules().items == []


def test_endpoint_must_exist_and_capture(open_studio: Callable[[], Studio]) -> None:
    studio = open_studio()
    field = ENDPOINT_FIELD
    with pytest.raises(NotFoundError) as missing:
        studio.monitoring.create_schedule(schedule_request("s", None))
    assert missing.value.field == field
    add_endpoint(studio, capture=False)
    with pytest.raises(ValidationError) as no_capture:
        studio.monitoring.create_schedule(schedule_request("s", None))
    assert no_capture.value.field == field
    assert "DataCaptureConfig" in no_capture.value.message


def test_a_name_in_use_is_refused(open_studio: Callable[[], Studio]) -> None:
    studio = open_studio()
    add_endpoint(studio)
    studio.monitoring.create_schedule(schedule_request("taken", None))
    with pytest.raises(ConflictError) as caught:
        studio.monitoring.create_schedule(schedule_request("taken", None))
    assert caught.value.field == "MonitoringScheduleName"


def test_a_baseline_of_parquet_is_refused_before_it_starts(
    open_studio: Callable[[], Studio],
) -> None:
    studio = open_studio()
    with pytest.raises(ValidationError) as caught:
        studio.jobs.create_processing_job(
            {
                "ProcessingJobName": "parquet-baseline",
                "AppSpecification": {"ImageUri": ANALYZER_IMAGE},
                "Environment": {"dataset_format": json.dumps({"parquet": {}})},
            }
        )
    assert caught.value.field == "Environment.dataset_format"
    assert studio.store.list_jobs().items == []


def _data_quality_definition(name: str, baseline: str | None = None) -> dict:
    """CreateDataQualityJobDefinition's request, as SageMaker's SDK sends it."""
    body: dict = {
        "JobDefinitionName": name,
        "DataQualityAppSpecification": {
            "ImageUri": "156813124566.dkr.ecr.us-east-1.amazonaws.com/"
            "sagemaker-model-monitor-analyzer",
            "Environment": {"publish_cloudwatch_metrics": "Disabled"},
        },
        "DataQualityJobInput": {
            "EndpointInput": {
                "EndpointName": "churn-endpoint",
                "LocalPath": "/opt/ml/processing/input/endpoint",
            }
        },
        "DataQualityJobOutputConfig": {
            "MonitoringOutputs": [
                {"S3Output": {"S3Uri": "s3://bucket/out", "LocalPath": "/opt/ml/processing/output"}}
            ]
        },
        "JobResources": {
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.xlarge",
                "VolumeSizeInGB": 20,
            }
        },
        "RoleArn": "arn:aws:iam::111122223333:role/r",
    }
    if baseline:
        body["DataQualityBaselineConfig"] = {
            "StatisticsResource": {"S3Uri": f"{baseline}/statistics.json"},
            "ConstraintsResource": {"S3Uri": f"{baseline}/constraints.json"},
        }
    return body


def test_a_schedule_can_name_a_job_definition(open_studio: Callable[[], Studio]) -> None:
    studio = open_studio()
    add_endpoint(studio)
    made = studio.monitoring.create_job_definition(
        "DataQuality", _data_quality_definition("dq-def", "file:///tmp/base")
    )
    assert made.job_definition_arn.endswith(":data-quality-job-definition/dq-def")
    inline = made.definition
    assert inline["MonitoringInputs"][0]["EndpointInput"]["EndpointName"] == "churn-endpoint"
    assert inline["MonitoringResources"]["ClusterConfig"]["VolumeSizeInGB"] == 20
    assert (
        inline["BaselineConfig"]["StatisticsResource"]["S3Uri"]
        == "file:///tmp/base/statistics.json"
    )
    items = studio.monitoring.list_job_definitions(
        "DataQuality", endpoint_name="churn-endpoint"
    ).items
    assert [d.job_definition_name for d in items] == ["dq-def"]
    assert studio.monitoring.list_job_definitions("ModelQuality").items == []
    schedule = studio.monitoring.create_schedule(
        {
            "MonitoringScheduleName": "named",
            "MonitoringScheduleConfig": {
                "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
                "MonitoringJobDefinitionName": "dq-def",
                "MonitoringType": "DataQuality",
            },
        }
    )
    assert schedule.endpoint_name == "churn-endpoint"
    assert schedule.config["MonitoringJobDefinition"]["RoleArn"].endswith(":role/r")
    with pytest.raises(NotFoundError) as missing:
        studio.monitoring.create_schedule(
            {
                "MonitoringScheduleName": "other",
                "MonitoringScheduleConfig": {
                    "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
                    "MonitoringJobDefinitionName": "dq-def",
                    "MonitoringType": "ModelQuality",
                },
            }
        )
    assert missing.value.field == "MonitoringScheduleConfig.MonitoringJobDefinitionName"


def test_a_bad_job_definition_names_its_own_member(open_studio: Callable[[], Studio]) -> None:
    studio = open_studio()
    body = _data_quality_definition("bad-def")
    body["DataQualityJobInput"]["EndpointInput"]["StartTimeOffset"] = "PT1H"
    with pytest.raises(ValidationError) as caught:
        studio.monitoring.create_job_definition("DataQuality", body)
    assert caught.value.field == "DataQualityJobInput.EndpointInput.StartTimeOffset"
    body = _data_quality_definition("bad-def")
    body["DataQualityAppSpecification"]["ImageUri"] = "my/monitor:1"
    with pytest.raises(ValidationError) as caught:
        studio.monitoring.create_job_definition("DataQuality", body)
    assert caught.value.field == "DataQualityAppSpecification.ImageUri"
    assert studio.store.list_monitoring_job_definitions().items == []
