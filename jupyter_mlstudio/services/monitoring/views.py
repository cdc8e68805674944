"""The API forms of schedules and executions (SageMaker's member names; times as the rest
of the REST API gives them), with the studio's additions: ``NextScheduledTime``, an
execution's ``ProcessingJobName``, ``ViolationCount`` and ``OutputS3Uri``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ...entities import JobKind, MonitoringExecution, MonitoringSchedule
from ..jobs.runs import source_arn


def _time(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def execution_summary(execution: MonitoringExecution) -> dict[str, Any]:
    """A MonitoringExecutionSummary."""
    summary: dict[str, Any] = {
        "MonitoringScheduleName": execution.monitoring_schedule_name,
        "ScheduledTime": _time(execution.scheduled_time),
        "CreationTime": _time(execution.creation_time),
        "LastModifiedTime": _time(execution.last_modified_time),
        "MonitoringExecutionStatus": execution.monitoring_execution_status,
        "ProcessingJobArn": source_arn(execution.processing_job_name, JobKind.PROCESSING),
        "ProcessingJobName": execution.processing_job_name,
        "EndpointName": execution.endpoint_name,
        "MonitoringType": execution.monitoring_type,
        "ViolationCount": execution.violation_count,
        "OutputS3Uri": execution.output_uri,
    }
    if execution.failure_reason:
        summary["FailureReason"] = execution.failure_reason
    return summary


def schedule_summary(
    schedule: MonitoringSchedule,
    latest: MonitoringExecution | None,
    next_run: datetime | None,
) -> dict[str, Any]:
    """A MonitoringScheduleSummary with the schedule's expression, next run and latest
    execution."""
    return {
        "MonitoringScheduleName": schedule.monitoring_schedule_name,
        "MonitoringScheduleArn": schedule.monitoring_schedule_arn,
        "CreationTime": _time(schedule.creation_time),
        "LastModifiedTime": _time(schedule.last_modified_time),
        "MonitoringScheduleStatus": schedule.monitoring_schedule_status,
        "EndpointName": schedule.endpoint_name,
        "MonitoringType": schedule.monitoring_type,
        "ScheduleExpression": schedule.schedule_expression,
        "NextScheduledTime": _time(next_run),
        "LastMonitoringExecutionSummary": execution_summary(latest) if latest else None,
    }


def schedule_description(
    schedule: MonitoringSchedule,
    latest: MonitoringExecution | None,
    next_run: datetime | None,
) -> dict[str, Any]:
    """DescribeMonitoringSchedule's answer with ``NextScheduledTime``."""
    described: dict[str, Any] = {
        "MonitoringScheduleArn": schedule.monitoring_schedule_arn,
        "MonitoringScheduleName": schedule.monitoring_schedule_name,
        "MonitoringScheduleStatus": schedule.monitoring_schedule_status,
        "MonitoringType": schedule.monitoring_type,
        "CreationTime": _time(schedule.creation_time),
        "LastModifiedTime": _time(schedule.last_modified_time),
        "MonitoringScheduleConfig": schedule.config,
        "EndpointName": schedule.endpoint_name,
        "NextScheduledTime": _time(next_run),
        "Tags": [{"Key": k, "Value": v} for k, v in schedule.tags.items()],
    }
    if schedule.failure_reason:
        described["FailureReason"] = schedule.failure_reason
    if latest is not None:
        described["LastMonitoringExecutionSummary"] = execution_summary(latest)
    return described
