"""Model Monitor: the monitoring schedules' operations (Create, Describe, List, Start,
Stop, Delete), ListMonitoringExecutions and the data quality and model quality job
definitions' (Create, Describe, List, Delete), over ``Studio.monitoring``, so a schedule
made with boto3 or SageMaker's SDK shows on the endpoint's Monitoring tab and runs on the
studio's scheduler.

The service answers in the REST API's forms: studio ARNs, ISO times, the inline
``MonitoringJobDefinition`` a schedule keeps, and members of its own
(``NextScheduledTime``, ``ProcessingJobName``, ``ViolationCount``, ``OutputS3Uri``).
This module answers SageMaker's: AWS ARNs, the configuration as the request gave it (a
schedule made from a named definition answers ``MonitoringJobDefinitionName`` and
``MonitoringType``), and a job definition in its request's members. The studio's extra
members are left out by the output shape. UpdateMonitoringSchedule is not answered: the
service keeps a schedule's configuration as created.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterator
from typing import Any

from ...entities import MonitoringJobDefinition
from ...services.monitoring.definitions import definition_endpoint, request_members
from ..errors import RESOURCE_NOT_FOUND
from ..listing import read_all, select
from ..registry import SAGEMAKER, Call
from ..service_model import to_datetime

SCHEDULE_RESOURCE = "monitoring-schedule"
PROCESSING_RESOURCE = "processing-job"
DEFINITION_RESOURCES = {
    "DataQuality": "data-quality-job-definition",
    "ModelQuality": "model-quality-job-definition",
}
#: the service's page size while reading a whole listing
READ_PAGE = 100


def _pages(fetch: Callable[..., dict[str, Any]], member: str, **filters: Any) -> Iterator[Any]:
    """Every item of a service listing that answers ``{member: [...], NextToken}``."""
    token: str | None = None
    while True:
        page = fetch(max_results=READ_PAGE, next_token=token, **filters)
        yield from page[member]
        token = page.get("NextToken")
        if not token:
            return


def _definition_names(call: Call) -> dict[str, str]:
    """Schedule name → the job definition it was made from (schedules that named one)."""
    return {
        s.monitoring_schedule_name: str(s.config["MonitoringJobDefinitionName"])
        for s in read_all(call.studio.store.list_monitoring_schedules)
        if s.config.get("MonitoringJobDefinitionName")
    }


def _execution(call: Call, summary: dict[str, Any], definition: str | None) -> dict[str, Any]:
    """A MonitoringExecutionSummary in SageMaker's members (the processing job's ARN keeps
    the job's name, which the SDK reads back from it)."""
    out = {
        k: v
        for k, v in summary.items()
        if k not in ("ProcessingJobName", "ViolationCount", "OutputS3Uri")
    }
    job = summary.get("ProcessingJobName")
    out["ProcessingJobArn"] = call.arn(PROCESSING_RESOURCE, job) if job else None
    out["MonitoringJobDefinitionName"] = definition
    return out


def _config_as_given(config: dict[str, Any]) -> dict[str, Any]:
    """A schedule's configuration as its request gave it: a named definition without the
    inline copy the studio keeps; an inline one without the studio's extra members."""
    given = copy.deepcopy(config)
    if given.get("MonitoringJobDefinitionName"):
        given.pop("MonitoringJobDefinition", None)
    else:
        given.pop("MonitoringJobDefinitionName", None)
    return given


@SAGEMAKER.operation("CreateMonitoringSchedule")
def create_monitoring_schedule(call: Call) -> dict[str, Any]:
    """Create a monitoring schedule of an endpoint that captures its requests.

    Args:
        call: A CreateMonitoringSchedule request (an inline ``MonitoringJobDefinition``,
            or ``MonitoringJobDefinitionName`` with ``MonitoringType``).

    Returns:
        ``MonitoringScheduleArn``.
    """
    schedule = call.studio.monitoring.create_schedule(call.params)
    return {"MonitoringScheduleArn": call.arn(SCHEDULE_RESOURCE, schedule.monitoring_schedule_name)}


@SAGEMAKER.operation("DescribeMonitoringSchedule", not_found=RESOURCE_NOT_FOUND)
def describe_monitoring_schedule(call: Call) -> dict[str, Any]:
    """Describe a monitoring schedule, with its latest execution.

    Args:
        call: A DescribeMonitoringSchedule request.

    Returns:
        DescribeMonitoringSchedule's members.
    """
    described = call.studio.monitoring.describe_schedule(call.params["MonitoringScheduleName"])
    name = described["MonitoringScheduleName"]
    config = described.get("MonitoringScheduleConfig") or {}
    out = {**described, "MonitoringScheduleArn": call.arn(SCHEDULE_RESOURCE, name)}
    out["MonitoringScheduleConfig"] = _config_as_given(config)
    latest = described.get("LastMonitoringExecutionSummary")
    if latest:
        named = config.get("MonitoringJobDefinitionName")
        out["LastMonitoringExecutionSummary"] = _execution(call, latest, named)
    return out


@SAGEMAKER.operation("ListMonitoringSchedules")
def list_monitoring_schedules(call: Call) -> dict[str, Any]:
    """List monitoring schedules (filters, sort and pages as on SageMaker).

    Args:
        call: A ListMonitoringSchedules request.

    Returns:
        ``MonitoringScheduleSummaries`` and ``NextToken``.
    """
    params = call.params
    summaries = list(
        _pages(
            call.studio.monitoring.list_schedules,
            "MonitoringScheduleSummaries",
            endpoint_name=params.get("EndpointName"),
            name_contains=params.get("NameContains"),
            status=params.get("StatusEquals"),
        )
    )
    named = params.get("MonitoringJobDefinitionName")
    names = _definition_names(call) if summaries else {}
    kept = [
        {
            **s,
            "MonitoringScheduleArn": call.arn(SCHEDULE_RESOURCE, s["MonitoringScheduleName"]),
            "MonitoringJobDefinitionName": names.get(s["MonitoringScheduleName"]),
        }
        for s in summaries
        if params.get("MonitoringTypeEquals") in (None, s["MonitoringType"])
        and (named is None or names.get(s["MonitoringScheduleName"]) == named)
    ]
    page, token = select(
        kept,
        params,
        sort_keys={
            "CreationTime": lambda s: to_datetime(s["CreationTime"]),
            "Name": lambda s: s["MonitoringScheduleName"],
            "Status": lambda s: s["MonitoringScheduleStatus"],
        },
        times={
            "CreationTime": lambda s: s["CreationTime"],
            "LastModifiedTime": lambda s: s["LastModifiedTime"],
        },
    )
    return {"MonitoringScheduleSummaries": page, "NextToken": token}


@SAGEMAKER.operation("StartMonitoringSchedule", not_found=RESOURCE_NOT_FOUND)
def start_monitoring_schedule(call: Call) -> dict[str, Any]:
    """Schedule a stopped schedule again.

    Args:
        call: A StartMonitoringSchedule request.

    Returns:
        Nothing (the operation has no output).
    """
    call.studio.monitoring.start_schedule(call.params["MonitoringScheduleName"])
    return {}


@SAGEMAKER.operation("StopMonitoringSchedule", not_found=RESOURCE_NOT_FOUND)
def stop_monitoring_schedule(call: Call) -> dict[str, Any]:
    """Stop a schedule: no new executions (a running one carries on).

    Args:
        call: A StopMonitoringSchedule request.

    Returns:
        Nothing (the operation has no output).
    """
    call.studio.monitoring.stop_schedule(call.params["MonitoringScheduleName"])
    return {}


@SAGEMAKER.operation("DeleteMonitoringSchedule", not_found=RESOURCE_NOT_FOUND)
def delete_monitoring_schedule(call: Call) -> dict[str, Any]:
    """Delete a schedule and its executions' records (their jobs and files stay).

    Args:
        call: A DeleteMonitoringSchedule request.

    Returns:
        Nothing (the operation has no output).
    """
    call.studio.monitoring.delete_schedule(call.params["MonitoringScheduleName"])
    return {}


@SAGEMAKER.operation("ListMonitoringExecutions", not_found=RESOURCE_NOT_FOUND)
def list_monitoring_executions(call: Call) -> dict[str, Any]:
    """List monitoring executions (filters, sort and pages as on SageMaker; by
    ``ScheduledTime``, newest first, by default).

    Args:
        call: A ListMonitoringExecutions request.

    Returns:
        ``MonitoringExecutionSummaries`` and ``NextToken``.
    """
    params = call.params
    summaries = list(
        _pages(
            call.studio.monitoring.list_executions,
            "MonitoringExecutionSummaries",
            schedule_name=params.get("MonitoringScheduleName"),
            endpoint_name=params.get("EndpointName"),
            status=params.get("StatusEquals"),
        )
    )
    names = _definition_names(call) if summaries else {}
    named = params.get("MonitoringJobDefinitionName")
    kept = [
        _execution(call, s, names.get(s["MonitoringScheduleName"]))
        for s in summaries
        if params.get("MonitoringTypeEquals") in (None, s.get("MonitoringType"))
        and (named is None or names.get(s["MonitoringScheduleName"]) == named)
    ]
    page, token = select(
        kept,
        params,
        sort_keys={
            "ScheduledTime": lambda s: to_datetime(s["ScheduledTime"]),
            "CreationTime": lambda s: to_datetime(s["CreationTime"]),
            "Status": lambda s: s["MonitoringExecutionStatus"],
        },
        times={
            "ScheduledTime": lambda s: s["ScheduledTime"],
            "CreationTime": lambda s: s["CreationTime"],
            "LastModifiedTime": lambda s: s["LastModifiedTime"],
        },
    )
    return {"MonitoringExecutionSummaries": page, "NextToken": token}


# -- job definitions ------------------------------------------------------------------


def _as_request(call: Call, found: MonitoringJobDefinition) -> dict[str, Any]:
    """A job definition in Describe*JobDefinition's members (its request's)."""
    kind = found.monitoring_type
    return {
        "JobDefinitionArn": call.arn(DEFINITION_RESOURCES[kind], found.job_definition_name),
        "JobDefinitionName": found.job_definition_name,
        "CreationTime": found.creation_time,
        **request_members(kind, found.definition),
    }


def _create_definition(call: Call, kind: str) -> dict[str, Any]:
    found = call.studio.monitoring.create_job_definition(kind, call.params)
    return {"JobDefinitionArn": call.arn(DEFINITION_RESOURCES[kind], found.job_definition_name)}


def _describe_definition(call: Call, kind: str) -> dict[str, Any]:
    name = call.params["JobDefinitionName"]
    return _as_request(call, call.studio.monitoring.describe_job_definition(kind, name))


def _list_definitions(call: Call, kind: str) -> dict[str, Any]:
    params = call.params
    found = read_all(
        functools.partial(call.studio.monitoring.list_job_definitions, kind),
        endpoint_name=params.get("EndpointName"),
        name_contains=params.get("NameContains"),
    )
    page, next_token = select(
        found,
        params,
        sort_keys={
            "CreationTime": lambda d: d.creation_time,
            "Name": lambda d: d.job_definition_name,
        },
        times={"CreationTime": lambda d: d.creation_time},
    )
    summaries = [
        {
            "MonitoringJobDefinitionName": d.job_definition_name,
            "MonitoringJobDefinitionArn": call.arn(
                DEFINITION_RESOURCES[kind], d.job_definition_name
            ),
            "CreationTime": d.creation_time,
            "EndpointName": definition_endpoint(d.definition),
        }
        for d in page
    ]
    return {"JobDefinitionSummaries": summaries, "NextToken": next_token}


def _delete_definition(call: Call, kind: str) -> dict[str, Any]:
    call.studio.monitoring.delete_job_definition(kind, call.params["JobDefinitionName"])
    return {}


@SAGEMAKER.operation("CreateDataQualityJobDefinition")
def create_data_quality_job_definition(call: Call) -> dict[str, Any]:
    """Create a data quality job definition for schedules to name.

    Args:
        call: A CreateDataQualityJobDefinition request.

    Returns:
        ``JobDefinitionArn``.
    """
    return _create_definition(call, "DataQuality")


@SAGEMAKER.operation("DescribeDataQualityJobDefinition", not_found=RESOURCE_NOT_FOUND)
def describe_data_quality_job_definition(call: Call) -> dict[str, Any]:
    """Describe a data quality job definition.

    Args:
        call: A DescribeDataQualityJobDefinition request.

    Returns:
        The definition in its request's members, with its ARN and creation time.
    """
    return _describe_definition(call, "DataQuality")


@SAGEMAKER.operation("ListDataQualityJobDefinitions")
def list_data_quality_job_definitions(call: Call) -> dict[str, Any]:
    """List data quality job definitions (of one endpoint's, if named).

    Args:
        call: A ListDataQualityJobDefinitions request.

    Returns:
        ``JobDefinitionSummaries`` and ``NextToken``.
    """
    return _list_definitions(call, "DataQuality")


@SAGEMAKER.operation("DeleteDataQualityJobDefinition", not_found=RESOURCE_NOT_FOUND)
def delete_data_quality_job_definition(call: Call) -> dict[str, Any]:
    """Delete a data quality job definition (schedules made from it keep running).

    Args:
        call: A DeleteDataQualityJobDefinition request.

    Returns:
        Nothing (the operation has no output).
    """
    return _delete_definition(call, "DataQuality")


@SAGEMAKER.operation("CreateModelQualityJobDefinition")
def create_model_quality_job_definition(call: Call) -> dict[str, Any]:
    """Create a model quality job definition for schedules to name.

    Args:
        call: A CreateModelQualityJobDefinition request.

    Returns:
        ``JobDefinitionArn``.
    """
    return _create_definition(call, "ModelQuality")


@SAGEMAKER.operation("DescribeModelQualityJobDefinition", not_found=RESOURCE_NOT_FOUND)
def describe_model_quality_job_definition(call: Call) -> dict[str, Any]:
    """Describe a model quality job definition.

    Args:
        call: A DescribeModelQualityJobDefinition request.

    Returns:
        The definition in its request's members, with its ARN and creation time.
    """
    return _describe_definition(call, "ModelQuality")


@SAGEMAKER.operation("ListModelQualityJobDefinitions")
def list_model_quality_job_definitions(call: Call) -> dict[str, Any]:
    """List model quality job definitions (of one endpoint's, if named).

    Args:
        call: A ListModelQualityJobDefinitions request.

    Returns:
        ``JobDefinitionSummaries`` and ``NextToken``.
    """
    return _list_definitions(call, "ModelQuality")


@SAGEMAKER.operation("DeleteModelQualityJobDefinition", not_found=RESOURCE_NOT_FOUND)
def delete_model_quality_job_definition(call: Call) -> dict[str, Any]:
    """Delete a model quality job definition (schedules made from it keep running).

    Args:
        call: A DeleteModelQualityJobDefinition request.

    Returns:
        Nothing (the operation has no output).
    """
    return _delete_definition(call, "ModelQuality")
