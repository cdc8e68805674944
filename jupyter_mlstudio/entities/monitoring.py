"""Model Monitor's records, as SageMaker's DescribeMonitoringSchedule and
ListMonitoringExecutions describe them: a monitoring schedule (its configuration kept as
the request gave it, once checked) and its executions, one processing job each."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from .common import Entity
from .registry import ARN_PREFIX

#: Most characters of a schedule's name (SageMaker: 63).
SCHEDULE_NAME_MAX = 63

MonitoringScheduleStatus = Literal["Pending", "Failed", "Scheduled", "Stopped"]
MonitoringExecutionStatus = Literal[
    "Pending", "InProgress", "Completed", "CompletedWithViolations", "Failed", "Stopping", "Stopped"
]
MonitoringType = Literal["DataQuality", "ModelQuality"]
#: the execution statuses that still follow their job (the others are final)
ACTIVE_EXECUTION_STATUSES = ("Pending", "InProgress", "Stopping")


def monitoring_schedule_arn(schedule_name: str) -> str:
    """The ARN of a monitoring schedule (SageMaker lowercases the name in it)."""
    return f"{ARN_PREFIX}:monitoring-schedule/{schedule_name.lower()}"


class MonitoringSchedule(Entity):
    """A monitoring schedule. ``config`` is SageMaker's ``MonitoringScheduleConfig``."""

    monitoring_schedule_name: str
    endpoint_name: str
    monitoring_type: MonitoringType = "DataQuality"
    monitoring_schedule_status: MonitoringScheduleStatus = "Pending"
    failure_reason: str | None = None
    config: dict[str, Any]
    tags: dict[str, str] = Field(default_factory=dict)
    creation_time: datetime
    last_modified_time: datetime

    @property
    def monitoring_schedule_arn(self) -> str:
        return monitoring_schedule_arn(self.monitoring_schedule_name)

    @property
    def schedule_expression(self) -> str:
        return str(self.config.get("ScheduleConfig", {}).get("ScheduleExpression", ""))


class MonitoringJobDefinition(Entity):
    """A named job definition (CreateDataQualityJobDefinition or
    CreateModelQualityJobDefinition): the request as given, once checked."""

    job_definition_name: str
    monitoring_type: MonitoringType
    definition: dict[str, Any]
    tags: dict[str, str] = Field(default_factory=dict)
    creation_time: datetime

    @property
    def job_definition_arn(self) -> str:
        return job_definition_arn(self.job_definition_name, self.monitoring_type)


def job_definition_arn(name: str, monitoring_type: str) -> str:
    """The ARN of a job definition (``data-quality-job-definition/<name>``, ...)."""
    kind = "data-quality" if monitoring_type == "DataQuality" else "model-quality"
    return f"{ARN_PREFIX}:{kind}-job-definition/{name.lower()}"


class MonitoringExecution(Entity):
    """One run of a schedule over one window: the processing job that analysed it."""

    monitoring_schedule_name: str
    scheduled_time: datetime
    processing_job_name: str
    endpoint_name: str
    monitoring_type: MonitoringType = "DataQuality"
    monitoring_execution_status: MonitoringExecutionStatus = "Pending"
    failure_reason: str | None = None
    #: how many violations the analysis reported (None until it completed)
    violation_count: int | None = None
    #: where the execution's files are written
    output_uri: str | None = None
    creation_time: datetime
    last_modified_time: datetime
