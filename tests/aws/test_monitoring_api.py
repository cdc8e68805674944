"""Model Monitor through boto3's real ``sagemaker`` client: a data quality job definition,
a schedule that names it, its execution over the endpoint's captured requests, listings
(filters, sort, pages) and refusals as SageMaker sends them, each answer checked against
botocore's output shape as sent."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from jupyter_mlstudio.monitoring import ANALYZER_IMAGE
from jupyter_mlstudio.services.studio import Studio

from ..support.monitoring import ENDPOINT, add_endpoint, baseline_rows, make_baseline, write_capture
from .conftest import in_thread
from .test_jobs_api import ROLE, assert_conforms, output_shape, raw_answers

ARN = "arn:aws:sagemaker:us-east-1:000000000000"
RESOURCES = {
    "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 20}
}
ONCE = {
    "ScheduleExpression": "NOW",
    "DataAnalysisStartTime": "-PT1H",
    "DataAnalysisEndTime": "-PT0H",
}


def definition_request(name: str, output: str, baseline: str | None = None) -> dict[str, Any]:
    """A CreateDataQualityJobDefinition request as SageMaker's SDK sends it."""
    request: dict[str, Any] = {
        "JobDefinitionName": name,
        "DataQualityAppSpecification": {
            "ImageUri": ANALYZER_IMAGE,
            "Environment": {"publish_cloudwatch_metrics": "Disabled"},
        },
        "DataQualityJobInput": {
            "EndpointInput": {
                "EndpointName": ENDPOINT,
                "LocalPath": "/opt/ml/processing/input/endpoint",
                "S3InputMode": "File",
                "S3DataDistributionType": "FullyReplicated",
            }
        },
        "DataQualityJobOutputConfig": {
            "MonitoringOutputs": [
                {
                    "S3Output": {
                        "S3Uri": output,
                        "LocalPath": "/opt/ml/processing/output",
                        "S3UploadMode": "Continuous",
                    }
                }
            ]
        },
        "JobResources": RESOURCES,
        "RoleArn": ROLE,
        "StoppingCondition": {"MaxRuntimeInSeconds": 1800},
    }
    if baseline:
        request["DataQualityBaselineConfig"] = {
            "StatisticsResource": {"S3Uri": f"{baseline}/statistics.json"},
            "ConstraintsResource": {"S3Uri": f"{baseline}/constraints.json"},
        }
    return request


def inline_schedule(
    name: str, output: str, expression: str = "cron(0 * ? * * *)"
) -> dict[str, Any]:
    """A CreateMonitoringSchedule request with an inline job definition."""
    definition = definition_request("unused", output)
    return {
        "MonitoringScheduleName": name,
        "MonitoringScheduleConfig": {
            "ScheduleConfig": {"ScheduleExpression": expression},
            "MonitoringJobDefinition": {
                "MonitoringInputs": [definition["DataQualityJobInput"]],
                "MonitoringOutputConfig": definition["DataQualityJobOutputConfig"],
                "MonitoringResources": RESOURCES,
                "MonitoringAppSpecification": {"ImageUri": ANALYZER_IMAGE},
                "RoleArn": ROLE,
            },
            "MonitoringType": "DataQuality",
        },
    }


def code_and_message(error: ClientError) -> tuple[str, str]:
    return error.response["Error"]["Code"], error.response["Error"]["Message"]


async def test_a_named_definition_schedules_runs_and_is_described_as_on_sagemaker(
    sagemaker: Any, studio: Studio, tmp_path: Path
) -> None:
    answers = raw_answers(sagemaker)
    destination = add_endpoint(studio)
    write_capture(destination, datetime.now(timezone.utc) - timedelta(minutes=5), baseline_rows(60))
    baseline = await in_thread(lambda: make_baseline(studio, tmp_path))
    output = studio.artifacts.uri_for("monitor-output")
    request = definition_request("dq-def", output, baseline)

    created = await in_thread(lambda: sagemaker.create_data_quality_job_definition(**request))
    assert created["JobDefinitionArn"] == f"{ARN}:data-quality-job-definition/dq-def"
    described = await in_thread(
        lambda: sagemaker.describe_data_quality_job_definition(JobDefinitionName="dq-def")
    )
    assert_conforms(
        output_shape("DescribeDataQualityJobDefinition"),
        answers["DescribeDataQualityJobDefinition"],
    )
    for member in (
        "DataQualityAppSpecification",
        "DataQualityJobInput",
        "DataQualityJobOutputConfig",
        "DataQualityBaselineConfig",
        "JobResources",
        "RoleArn",
        "StoppingCondition",
    ):
        assert described[member] == request[member], member
    assert described["JobDefinitionArn"] == created["JobDefinitionArn"]
    listed = await in_thread(
        lambda: sagemaker.list_data_quality_job_definitions(EndpointName=ENDPOINT)
    )
    (summary,) = listed["JobDefinitionSummaries"]
    assert summary["MonitoringJobDefinitionName"] == "dq-def"
    assert summary["MonitoringJobDefinitionArn"] == created["JobDefinitionArn"]
    assert summary["EndpointName"] == ENDPOINT
    other = await in_thread(
        lambda: sagemaker.list_data_quality_job_definitions(EndpointName="elsewhere")
    )
    assert other["JobDefinitionSummaries"] == []

    schedule = await in_thread(
        lambda: sagemaker.create_monitoring_schedule(
            MonitoringScheduleName="dq-now",
            MonitoringScheduleConfig={
                "ScheduleConfig": ONCE,
                "MonitoringJobDefinitionName": "dq-def",
                "MonitoringType": "DataQuality",
            },
        )
    )
    assert schedule["MonitoringScheduleArn"] == f"{ARN}:monitoring-schedule/dq-now"
    described = await in_thread(
        lambda: sagemaker.describe_monitoring_schedule(MonitoringScheduleName="dq-now")
    )
    sent = answers["DescribeMonitoringSchedule"]
    assert_conforms(output_shape("DescribeMonitoringSchedule"), sent)
    assert "NextScheduledTime" not in sent
    # as the request gave it: the name and type, not the copy the studio runs
    assert described["MonitoringScheduleConfig"] == {
        "ScheduleConfig": ONCE,
        "MonitoringJobDefinitionName": "dq-def",
        "MonitoringType": "DataQuality",
    }
    assert described["MonitoringScheduleStatus"] == "Scheduled"
    assert described["EndpointName"] == ENDPOINT

    # the scheduler thread may have started the run already; the run is started once
    await in_thread(studio.monitoring.run_due)
    (started,) = studio.store.list_monitoring_executions(schedule_name="dq-now").items
    await in_thread(lambda: studio.jobs.wait(started.processing_job_name, 120))
    executions = await in_thread(
        lambda: sagemaker.list_monitoring_executions(MonitoringScheduleName="dq-now")
    )
    assert_conforms(output_shape("ListMonitoringExecutions"), answers["ListMonitoringExecutions"])
    (execution,) = executions["MonitoringExecutionSummaries"]
    assert execution["MonitoringExecutionStatus"] == "Completed", execution
    assert execution["ProcessingJobArn"] == (f"{ARN}:processing-job/{started.processing_job_name}")
    assert execution["MonitoringJobDefinitionName"] == "dq-def"
    assert execution["EndpointName"] == ENDPOINT
    assert (
        "ViolationCount"
        not in answers["ListMonitoringExecutions"]["MonitoringExecutionSummaries"][0]
    )
    # the SDK reads the job's name back from the ARN
    job_name = execution["ProcessingJobArn"].split(":")[5][len("processing-job/") :]
    job = await in_thread(lambda: sagemaker.describe_processing_job(ProcessingJobName=job_name))
    assert job["ProcessingJobStatus"] == "Completed"
    assert job["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"].startswith(
        f"{output}/{ENDPOINT}/dq-now/"
    )
    described = await in_thread(
        lambda: sagemaker.describe_monitoring_schedule(MonitoringScheduleName="dq-now")
    )
    assert described["LastMonitoringExecutionSummary"] == execution
    by_endpoint = await in_thread(
        lambda: sagemaker.list_monitoring_executions(
            EndpointName=ENDPOINT, StatusEquals="Completed", SortBy="CreationTime"
        )
    )
    assert by_endpoint["MonitoringExecutionSummaries"] == [execution]
    failed = await in_thread(
        lambda: sagemaker.list_monitoring_executions(EndpointName=ENDPOINT, StatusEquals="Failed")
    )
    assert failed["MonitoringExecutionSummaries"] == []

    await in_thread(lambda: sagemaker.stop_monitoring_schedule(MonitoringScheduleName="dq-now"))
    stopped = await in_thread(lambda: sagemaker.list_monitoring_schedules(StatusEquals="Stopped"))
    assert [s["MonitoringScheduleName"] for s in stopped["MonitoringScheduleSummaries"]] == [
        "dq-now"
    ]
    assert_conforms(output_shape("ListMonitoringSchedules"), answers["ListMonitoringSchedules"])
    (summary,) = stopped["MonitoringScheduleSummaries"]
    assert summary["MonitoringScheduleArn"] == schedule["MonitoringScheduleArn"]
    assert summary["MonitoringJobDefinitionName"] == "dq-def"
    await in_thread(lambda: sagemaker.start_monitoring_schedule(MonitoringScheduleName="dq-now"))
    described = await in_thread(
        lambda: sagemaker.describe_monitoring_schedule(MonitoringScheduleName="dq-now")
    )
    assert described["MonitoringScheduleStatus"] == "Scheduled"

    await in_thread(lambda: sagemaker.delete_monitoring_schedule(MonitoringScheduleName="dq-now"))
    with pytest.raises(ClientError) as caught:
        await in_thread(
            lambda: sagemaker.describe_monitoring_schedule(MonitoringScheduleName="dq-now")
        )
    assert code_and_message(caught.value)[0] == "ResourceNotFound"
    await in_thread(
        lambda: sagemaker.delete_data_quality_job_definition(JobDefinitionName="dq-def")
    )
    with pytest.raises(ClientError) as caught:
        await in_thread(
            lambda: sagemaker.describe_data_quality_job_definition(JobDefinitionName="dq-def")
        )
    assert code_and_message(caught.value)[0] == "ResourceNotFound"


async def test_schedules_are_filtered_sorted_and_paged(sagemaker: Any, studio: Studio) -> None:
    add_endpoint(studio)
    add_endpoint(studio, "other-endpoint")
    output = studio.artifacts.uri_for("monitor-output")
    for name in ("alpha-hourly", "beta-hourly", "gamma-daily"):
        request = inline_schedule(name, output)
        if name == "gamma-daily":
            request["MonitoringScheduleConfig"]["MonitoringJobDefinition"]["MonitoringInputs"][0][
                "EndpointInput"
            ]["EndpointName"] = "other-endpoint"
        await in_thread(functools.partial(sagemaker.create_monitoring_schedule, **request))

    def names(**filters: Any) -> list[str]:
        found = sagemaker.list_monitoring_schedules(**filters)["MonitoringScheduleSummaries"]
        return [s["MonitoringScheduleName"] for s in found]

    assert await in_thread(lambda: names(SortBy="Name", SortOrder="Ascending")) == [
        "alpha-hourly",
        "beta-hourly",
        "gamma-daily",
    ]
    assert await in_thread(lambda: names(EndpointName=ENDPOINT, SortBy="Name")) == [
        "beta-hourly",
        "alpha-hourly",
    ]
    assert await in_thread(lambda: names(NameContains="hourly", SortBy="Name")) == [
        "beta-hourly",
        "alpha-hourly",
    ]
    assert await in_thread(lambda: names(MonitoringTypeEquals="ModelQuality")) == []

    first = await in_thread(
        lambda: sagemaker.list_monitoring_schedules(
            SortBy="Name", SortOrder="Ascending", MaxResults=2
        )
    )
    assert [s["MonitoringScheduleName"] for s in first["MonitoringScheduleSummaries"]] == [
        "alpha-hourly",
        "beta-hourly",
    ]
    rest = await in_thread(
        lambda: sagemaker.list_monitoring_schedules(
            SortBy="Name", SortOrder="Ascending", MaxResults=2, NextToken=first["NextToken"]
        )
    )
    assert [s["MonitoringScheduleName"] for s in rest["MonitoringScheduleSummaries"]] == [
        "gamma-daily"
    ]
    assert "NextToken" not in rest
    # an inline schedule answers its definition inline, as given
    described = await in_thread(
        lambda: sagemaker.describe_monitoring_schedule(MonitoringScheduleName="gamma-daily")
    )
    config = described["MonitoringScheduleConfig"]
    assert "MonitoringJobDefinitionName" not in config
    inputs = config["MonitoringJobDefinition"]["MonitoringInputs"]
    assert inputs[0]["EndpointInput"]["EndpointName"] == "other-endpoint"
    assert described["EndpointName"] == "other-endpoint"


async def test_refusals_name_the_member(sagemaker: Any, studio: Studio) -> None:
    add_endpoint(studio)
    add_endpoint(studio, "no-capture", capture=False)
    output = studio.artifacts.uri_for("monitor-output")
    await in_thread(
        lambda: sagemaker.create_monitoring_schedule(**inline_schedule("taken", output))
    )

    async def refused(call: Any) -> tuple[str, str]:
        with pytest.raises(ClientError) as caught:
            await in_thread(call)
        return code_and_message(caught.value)

    code, message = await refused(
        lambda: sagemaker.create_monitoring_schedule(**inline_schedule("taken", output))
    )
    assert code == "ResourceInUse"
    code, message = await refused(
        lambda: sagemaker.create_monitoring_schedule(
            **inline_schedule("bad-cron", output, "cron(0 0 1 * ? *)")
        )
    )
    assert code == "ValidationException"
    assert "MonitoringScheduleConfig.ScheduleConfig.ScheduleExpression" in message
    no_capture = inline_schedule("no-capture-schedule", output)
    no_capture["MonitoringScheduleConfig"]["MonitoringJobDefinition"]["MonitoringInputs"][0][
        "EndpointInput"
    ]["EndpointName"] = "no-capture"
    code, message = await refused(lambda: sagemaker.create_monitoring_schedule(**no_capture))
    assert code == "ValidationException"
    assert "EndpointInput.EndpointName" in message
    assert "capture" in message
    code, message = await refused(
        lambda: sagemaker.create_monitoring_schedule(
            MonitoringScheduleName="named-missing",
            MonitoringScheduleConfig={
                "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
                "MonitoringJobDefinitionName": "nowhere",
                "MonitoringType": "DataQuality",
            },
        )
    )
    assert "MonitoringScheduleConfig.MonitoringJobDefinitionName" in message

    await in_thread(
        lambda: sagemaker.create_data_quality_job_definition(**definition_request("d1", output))
    )
    code, _ = await refused(
        lambda: sagemaker.create_data_quality_job_definition(**definition_request("d1", output))
    )
    assert code == "ResourceInUse"
    bad = definition_request("d2", output)
    bad["DataQualityJobInput"]["EndpointInput"]["EndpointName"] = "no-capture"
    bad["DataQualityAppSpecification"]["ImageUri"] = "my-own-image:1"
    code, message = await refused(lambda: sagemaker.create_data_quality_job_definition(**bad))
    assert code == "ValidationException"
    assert "DataQualityAppSpecification.ImageUri" in message

    for operation, kwargs in (
        (sagemaker.describe_monitoring_schedule, {"MonitoringScheduleName": "nothing"}),
        (sagemaker.stop_monitoring_schedule, {"MonitoringScheduleName": "nothing"}),
        (sagemaker.delete_monitoring_schedule, {"MonitoringScheduleName": "nothing"}),
        (sagemaker.describe_model_quality_job_definition, {"JobDefinitionName": "d1"}),
        (sagemaker.delete_data_quality_job_definition, {"JobDefinitionName": "nothing"}),
    ):
        code, _ = await refused(lambda op=operation, kw=kwargs: op(**kw))
        assert code == "ResourceNotFound", operation
    code, message = await refused(
        lambda: sagemaker.list_monitoring_schedules(NextToken="not-a-token")
    )
    assert (code, "NextToken" in message) == ("ValidationException", True)


async def test_model_quality_definitions_round_trip(sagemaker: Any, studio: Studio) -> None:
    answers = raw_answers(sagemaker)
    add_endpoint(studio)
    output = studio.artifacts.uri_for("monitor-output")
    data_quality = definition_request("mq-def", output)
    endpoint_input = {
        **data_quality["DataQualityJobInput"]["EndpointInput"],
        "InferenceAttribute": "0",
    }
    request = {
        "JobDefinitionName": "mq-def",
        "ModelQualityAppSpecification": {
            "ImageUri": ANALYZER_IMAGE,
            "ProblemType": "Regression",
        },
        "ModelQualityJobInput": {
            "EndpointInput": endpoint_input,
            "GroundTruthS3Input": {"S3Uri": studio.artifacts.uri_for("ground-truth")},
        },
        "ModelQualityJobOutputConfig": data_quality["DataQualityJobOutputConfig"],
        "JobResources": RESOURCES,
        "RoleArn": ROLE,
    }
    created = await in_thread(lambda: sagemaker.create_model_quality_job_definition(**request))
    assert created["JobDefinitionArn"] == f"{ARN}:model-quality-job-definition/mq-def"
    described = await in_thread(
        lambda: sagemaker.describe_model_quality_job_definition(JobDefinitionName="mq-def")
    )
    assert_conforms(
        output_shape("DescribeModelQualityJobDefinition"),
        answers["DescribeModelQualityJobDefinition"],
    )
    for member in ("ModelQualityAppSpecification", "ModelQualityJobInput", "JobResources"):
        assert described[member] == request[member], member
    # a data quality definition of that name there is not
    with pytest.raises(ClientError) as caught:
        await in_thread(
            lambda: sagemaker.describe_data_quality_job_definition(JobDefinitionName="mq-def")
        )
    assert code_and_message(caught.value)[0] == "ResourceNotFound"
    listed = await in_thread(
        lambda: sagemaker.list_model_quality_job_definitions(NameContains="mq", SortBy="Name")
    )
    assert [d["MonitoringJobDefinitionName"] for d in listed["JobDefinitionSummaries"]] == [
        "mq-def"
    ]
    assert (await in_thread(lambda: sagemaker.list_data_quality_job_definitions()))[
        "JobDefinitionSummaries"
    ] == []
    await in_thread(
        lambda: sagemaker.delete_model_quality_job_definition(JobDefinitionName="mq-def")
    )
    listed = await in_thread(lambda: sagemaker.list_model_quality_job_definitions())
    assert listed["JobDefinitionSummaries"] == []


async def test_executions_are_sorted_and_paged(sagemaker: Any, studio: Studio) -> None:
    destination = add_endpoint(studio)
    write_capture(destination, datetime.now(timezone.utc) - timedelta(minutes=5), baseline_rows(20))
    output = studio.artifacts.uri_for("monitor-output")
    for name in ("first-run", "second-run"):
        request = inline_schedule(name, output, "NOW")
        request["MonitoringScheduleConfig"]["ScheduleConfig"] = ONCE
        await in_thread(functools.partial(sagemaker.create_monitoring_schedule, **request))
        await in_thread(studio.monitoring.run_due)
    runs = studio.store.list_monitoring_executions(sort_order="Ascending").items
    assert [r.monitoring_schedule_name for r in runs] == ["first-run", "second-run"]
    for run in runs:
        await in_thread(functools.partial(studio.jobs.wait, run.processing_job_name, 120))

    def page(**kwargs: Any) -> dict[str, Any]:
        answer: dict[str, Any] = sagemaker.list_monitoring_executions(
            EndpointName=ENDPOINT, **kwargs
        )
        return answer

    first = await in_thread(lambda: page(MaxResults=1))
    (newest,) = first["MonitoringExecutionSummaries"]
    assert newest["MonitoringScheduleName"] == "second-run"
    rest = await in_thread(lambda: page(MaxResults=1, NextToken=first["NextToken"]))
    (oldest,) = rest["MonitoringExecutionSummaries"]
    assert oldest["MonitoringScheduleName"] == "first-run"
    assert "NextToken" not in rest
    ascending = await in_thread(lambda: page(SortBy="ScheduledTime", SortOrder="Ascending"))
    assert [e["MonitoringScheduleName"] for e in ascending["MonitoringExecutionSummaries"]] == [
        "first-run",
        "second-run",
    ]
    # an inline schedule names no job definition
    assert all(
        "MonitoringJobDefinitionName" not in e for e in ascending["MonitoringExecutionSummaries"]
    )
    # boto3 sends whole seconds: windows an hour wide either side of the runs
    hour = timedelta(hours=1)
    for after, before, expected in (
        (runs[0].scheduled_time - hour, runs[1].scheduled_time + hour, 2),
        (runs[1].scheduled_time + hour, None, 0),
        (None, runs[0].scheduled_time - hour, 0),
    ):
        window = {"ScheduledTimeAfter": after, "ScheduledTimeBefore": before}
        given = {k: v for k, v in window.items() if v is not None}
        found = await in_thread(functools.partial(page, **given))
        assert len(found["MonitoringExecutionSummaries"]) == expected, window


async def test_a_schedules_tags_are_listed_and_changed(sagemaker: Any, studio: Studio) -> None:
    # DefaultModelMonitor.attach() reads a schedule's tags (ListTags on its ARN)
    add_endpoint(studio)
    request = inline_schedule("tagged", studio.artifacts.uri_for("monitor-output"))
    request["Tags"] = [{"Key": "team", "Value": "ml"}]
    await in_thread(functools.partial(sagemaker.create_monitoring_schedule, **request))
    arn = f"{ARN}:monitoring-schedule/tagged"
    tags = await in_thread(lambda: sagemaker.list_tags(ResourceArn=arn)["Tags"])
    assert tags == [{"Key": "team", "Value": "ml"}]
    await in_thread(
        lambda: sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "stage", "Value": "prod"}])
    )
    assert studio.store.get_monitoring_schedule("tagged").tags == {"team": "ml", "stage": "prod"}
