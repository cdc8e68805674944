"""The Model Monitor part of the metadata store contract.

:class:`MonitoringRecords` is a base of :class:`~.base.MetadataStore`; the rules of the whole
contract hold (thread safety, frozen entities, one transaction a call, the studio's
errors only).
"""

from __future__ import annotations

import abc
from datetime import datetime

from ..entities import MonitoringExecution, MonitoringJobDefinition, MonitoringSchedule, Page
from .arguments import UNSET, SortOrder


class MonitoringRecords(abc.ABC):
    """Monitoring schedules, their executions and job definitions."""

    @abc.abstractmethod
    def create_monitoring_schedule(self, schedule: MonitoringSchedule) -> MonitoringSchedule:
        """Store a checked schedule as given. ConflictError(MonitoringScheduleName) if the
        name is taken; ValidationError for a malformed name."""

    @abc.abstractmethod
    def get_monitoring_schedule(self, schedule_name: str) -> MonitoringSchedule:
        """NotFoundError(MonitoringScheduleName) when there is none of that name."""

    @abc.abstractmethod
    def list_monitoring_schedules(
        self,
        *,
        endpoint_name: str | None = None,
        name_contains: str | None = None,
        status: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[MonitoringSchedule]:
        """Newest first by default (by creation time); ``name_contains`` ignores case."""

    @abc.abstractmethod
    def update_monitoring_schedule(
        self,
        schedule_name: str,
        *,
        status: str | None = None,
        failure_reason: str | None = UNSET,
    ) -> MonitoringSchedule:
        """Set the given fields; the modification time moves on."""

    @abc.abstractmethod
    def delete_monitoring_schedule(self, schedule_name: str) -> None:
        """Delete a schedule and its executions' records (their jobs stay).
        NotFoundError(MonitoringScheduleName) when there is none of that name."""

    @abc.abstractmethod
    def create_monitoring_execution(self, execution: MonitoringExecution) -> MonitoringExecution:
        """Record a schedule's run of one window. ConflictError(ScheduledTime) when the
        schedule has an execution of that scheduled time already (a window runs once);
        NotFoundError(MonitoringScheduleName) when the schedule does not exist."""

    @abc.abstractmethod
    def list_monitoring_executions(
        self,
        *,
        schedule_name: str | None = None,
        endpoint_name: str | None = None,
        status: str | None = None,
        scheduled_after: datetime | None = None,
        scheduled_before: datetime | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[MonitoringExecution]:
        """By scheduled time, newest first by default; the bounds are exclusive."""

    @abc.abstractmethod
    def update_monitoring_execution(
        self,
        processing_job_name: str,
        *,
        status: str | None = None,
        failure_reason: str | None = UNSET,
        violation_count: int | None = UNSET,
    ) -> MonitoringExecution:
        """Set the given fields of the execution that runs ``processing_job_name``.
        NotFoundError(ProcessingJobName) when none does."""

    @abc.abstractmethod
    def create_monitoring_job_definition(
        self, definition: MonitoringJobDefinition
    ) -> MonitoringJobDefinition:
        """Store a checked job definition. ConflictError(JobDefinitionName) if the name
        is taken (by a definition of either type)."""

    @abc.abstractmethod
    def get_monitoring_job_definition(
        self, name: str, monitoring_type: str | None = None
    ) -> MonitoringJobDefinition:
        """NotFoundError(JobDefinitionName) when there is none of that name (and type,
        when given)."""

    @abc.abstractmethod
    def list_monitoring_job_definitions(
        self,
        *,
        monitoring_type: str | None = None,
        name_contains: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[MonitoringJobDefinition]:
        """Newest first by default (by creation time)."""

    @abc.abstractmethod
    def delete_monitoring_job_definition(
        self, name: str, monitoring_type: str | None = None
    ) -> None:
        """NotFoundError(JobDefinitionName) when there is none of that name (and type)."""
