"""The Model Monitor records of ``SqlStore``: monitoring schedules and their executions (a
mixin: it needs the store's ``_session``). An execution's (schedule, scheduled time) is
unique, so a window recorded once is never started again, by this studio or another."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ...entities import (
    MonitoringExecution,
    MonitoringJobDefinition,
    MonitoringSchedule,
    Page,
    utcnow,
    validate_tags,
)
from ...exceptions import ConflictError, NotFoundError
from ..base import UNSET, SortOrder
from .lookups import check_name, get_row, taken
from .models import MonitoringExecutionRow, MonitoringJobDefinitionRow, MonitoringScheduleRow
from .paging import check_max_results, check_sort_order, paginate

#: the field naming a schedule
FIELD = "MonitoringScheduleName"


class MonitoringQueries:
    """The Model Monitor methods of ``SqlStore``."""

    def _session(
        self, *, write: bool = False, conflict: ConflictError | None = None
    ) -> AbstractContextManager[Session]:
        raise NotImplementedError

    # -- schedules ----------------------------------------------------------------------

    def create_monitoring_schedule(self, schedule: MonitoringSchedule) -> MonitoringSchedule:
        name = check_name(MonitoringScheduleRow, schedule.monitoring_schedule_name)
        row = MonitoringScheduleRow(
            name=name,
            endpoint_name=schedule.endpoint_name,
            monitoring_type=schedule.monitoring_type,
            status=schedule.monitoring_schedule_status,
            failure_reason=schedule.failure_reason,
            config=dict(schedule.config),
            tags=validate_tags(schedule.tags),
            creation_time=schedule.creation_time,
            last_modified_time=schedule.last_modified_time,
        )
        with self._session(write=True, conflict=taken(MonitoringScheduleRow, name)) as s:
            s.add(row)
            s.flush()
            return _schedule(row)

    def get_monitoring_schedule(self, schedule_name: str) -> MonitoringSchedule:
        with self._session() as s:
            return _schedule(get_row(s, MonitoringScheduleRow, schedule_name, field=FIELD))

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
        max_results = check_max_results(max_results)
        descending = check_sort_order(sort_order)
        stmt = select(MonitoringScheduleRow)
        scope = f"monitoring-schedules/{sort_order}"
        if endpoint_name:
            stmt = stmt.where(MonitoringScheduleRow.endpoint_name == endpoint_name)
            scope += f"/e={endpoint_name}"
        if name_contains:
            stmt = stmt.where(MonitoringScheduleRow.name.icontains(name_contains, autoescape=True))
            scope += f"/n={name_contains}"
        if status:
            stmt = stmt.where(MonitoringScheduleRow.status == status)
            scope += f"/s={status}"
        with self._session() as s:
            rows, token = paginate(
                s,
                stmt,
                scope=scope,
                sort_column=MonitoringScheduleRow.creation_time,
                id_column=MonitoringScheduleRow.id,
                descending=descending,
                max_results=max_results,
                next_token=next_token,
            )
            return Page[MonitoringSchedule](items=[_schedule(r) for r in rows], next_token=token)

    def update_monitoring_schedule(
        self,
        schedule_name: str,
        *,
        status: str | None = None,
        failure_reason: str | None = UNSET,
    ) -> MonitoringSchedule:
        with self._session(write=True) as s:
            row = get_row(s, MonitoringScheduleRow, schedule_name, field=FIELD, for_update=True)
            if status is not None:
                row.status = status
            if failure_reason is not UNSET:
                row.failure_reason = failure_reason
            row.last_modified_time = utcnow()
            s.flush()
            return _schedule(row)

    def delete_monitoring_schedule(self, schedule_name: str) -> None:
        with self._session(write=True) as s:
            row = get_row(s, MonitoringScheduleRow, schedule_name, field=FIELD, for_update=True)
            s.execute(
                delete(MonitoringExecutionRow).where(
                    MonitoringExecutionRow.schedule_name == row.name
                )
            )
            s.delete(row)

    # -- executions ---------------------------------------------------------------------

    def create_monitoring_execution(self, execution: MonitoringExecution) -> MonitoringExecution:
        conflict = ConflictError(
            f"Monitoring schedule {execution.monitoring_schedule_name!r} has an execution"
            f" scheduled at {execution.scheduled_time.isoformat()} already",
            field="ScheduledTime",
        )
        with self._session(write=True, conflict=conflict) as s:
            get_row(s, MonitoringScheduleRow, execution.monitoring_schedule_name, field=FIELD)
            row = MonitoringExecutionRow(
                schedule_name=execution.monitoring_schedule_name,
                scheduled_time=execution.scheduled_time,
                job_name=execution.processing_job_name,
                endpoint_name=execution.endpoint_name,
                monitoring_type=execution.monitoring_type,
                status=execution.monitoring_execution_status,
                failure_reason=execution.failure_reason,
                violation_count=execution.violation_count,
                output_uri=execution.output_uri,
                creation_time=execution.creation_time,
                last_modified_time=execution.last_modified_time,
            )
            s.add(row)
            s.flush()
            return _execution(row)

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
        max_results = check_max_results(max_results)
        descending = check_sort_order(sort_order)
        stmt = select(MonitoringExecutionRow)
        scope = f"monitoring-executions/{sort_order}"
        for column, value, key in (
            (MonitoringExecutionRow.schedule_name, schedule_name, "m"),
            (MonitoringExecutionRow.endpoint_name, endpoint_name, "e"),
            (MonitoringExecutionRow.status, status, "s"),
        ):
            if value:
                stmt = stmt.where(column == value)
                scope += f"/{key}={value}"
        if scheduled_after is not None:
            stmt = stmt.where(MonitoringExecutionRow.scheduled_time > scheduled_after)
            scope += f"/a={scheduled_after.isoformat()}"
        if scheduled_before is not None:
            stmt = stmt.where(MonitoringExecutionRow.scheduled_time < scheduled_before)
            scope += f"/b={scheduled_before.isoformat()}"
        with self._session() as s:
            rows, token = paginate(
                s,
                stmt,
                scope=scope,
                sort_column=MonitoringExecutionRow.scheduled_time,
                id_column=MonitoringExecutionRow.id,
                descending=descending,
                max_results=max_results,
                next_token=next_token,
            )
            return Page[MonitoringExecution](items=[_execution(r) for r in rows], next_token=token)

    def update_monitoring_execution(
        self,
        processing_job_name: str,
        *,
        status: str | None = None,
        failure_reason: str | None = UNSET,
        violation_count: int | None = UNSET,
    ) -> MonitoringExecution:
        with self._session(write=True) as s:
            row = s.scalars(
                select(MonitoringExecutionRow)
                .where(MonitoringExecutionRow.job_name == processing_job_name)
                .with_for_update()
            ).one_or_none()
            if row is None:
                raise NotFoundError(
                    f"No monitoring execution runs processing job {processing_job_name!r}",
                    field="ProcessingJobName",
                )
            if status is not None:
                row.status = status
            if failure_reason is not UNSET:
                row.failure_reason = failure_reason
            if violation_count is not UNSET:
                row.violation_count = violation_count
            row.last_modified_time = utcnow()
            s.flush()
            return _execution(row)

    # -- job definitions ----------------------------------------------------------------

    def create_monitoring_job_definition(
        self, definition: MonitoringJobDefinition
    ) -> MonitoringJobDefinition:
        name = check_name(MonitoringJobDefinitionRow, definition.job_definition_name)
        row = MonitoringJobDefinitionRow(
            name=name,
            monitoring_type=definition.monitoring_type,
            definition=dict(definition.definition),
            tags=validate_tags(definition.tags),
            creation_time=definition.creation_time,
        )
        with self._session(write=True, conflict=taken(MonitoringJobDefinitionRow, name)) as s:
            s.add(row)
            s.flush()
            return _job_definition(row)

    def get_monitoring_job_definition(
        self, name: str, monitoring_type: str | None = None
    ) -> MonitoringJobDefinition:
        with self._session() as s:
            row = get_row(s, MonitoringJobDefinitionRow, name, field="JobDefinitionName")
            if monitoring_type and row.monitoring_type != monitoring_type:
                raise NotFoundError(
                    f"{monitoring_type} job definition {name!r} does not exist",
                    field="JobDefinitionName",
                )
            return _job_definition(row)

    def list_monitoring_job_definitions(
        self,
        *,
        monitoring_type: str | None = None,
        name_contains: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[MonitoringJobDefinition]:
        max_results = check_max_results(max_results)
        descending = check_sort_order(sort_order)
        stmt = select(MonitoringJobDefinitionRow)
        scope = f"monitoring-job-definitions/{sort_order}"
        if monitoring_type:
            stmt = stmt.where(MonitoringJobDefinitionRow.monitoring_type == monitoring_type)
            scope += f"/t={monitoring_type}"
        if name_contains:
            stmt = stmt.where(
                MonitoringJobDefinitionRow.name.icontains(name_contains, autoescape=True)
            )
            scope += f"/n={name_contains}"
        with self._session() as s:
            rows, token = paginate(
                s,
                stmt,
                scope=scope,
                sort_column=MonitoringJobDefinitionRow.creation_time,
                id_column=MonitoringJobDefinitionRow.id,
                descending=descending,
                max_results=max_results,
                next_token=next_token,
            )
            return Page[MonitoringJobDefinition](
                items=[_job_definition(r) for r in rows], next_token=token
            )

    def delete_monitoring_job_definition(
        self, name: str, monitoring_type: str | None = None
    ) -> None:
        with self._session(write=True) as s:
            row = get_row(
                s, MonitoringJobDefinitionRow, name, field="JobDefinitionName", for_update=True
            )
            if monitoring_type and row.monitoring_type != monitoring_type:
                raise NotFoundError(
                    f"{monitoring_type} job definition {name!r} does not exist",
                    field="JobDefinitionName",
                )
            s.delete(row)


def _job_definition(row: MonitoringJobDefinitionRow) -> MonitoringJobDefinition:
    values: dict[str, Any] = {
        "job_definition_name": row.name,
        "monitoring_type": row.monitoring_type,
        "definition": dict(row.definition),
        "tags": dict(row.tags or {}),
        "creation_time": row.creation_time,
    }
    return MonitoringJobDefinition(**values)


def _schedule(row: MonitoringScheduleRow) -> MonitoringSchedule:
    values: dict[str, Any] = {
        "monitoring_schedule_name": row.name,
        "endpoint_name": row.endpoint_name,
        "monitoring_type": row.monitoring_type,
        "monitoring_schedule_status": row.status,
        "failure_reason": row.failure_reason,
        "config": dict(row.config),
        "tags": dict(row.tags or {}),
        "creation_time": row.creation_time,
        "last_modified_time": row.last_modified_time,
    }
    return MonitoringSchedule(**values)


def _execution(row: MonitoringExecutionRow) -> MonitoringExecution:
    values: dict[str, Any] = {
        "monitoring_schedule_name": row.schedule_name,
        "scheduled_time": row.scheduled_time,
        "processing_job_name": row.job_name,
        "endpoint_name": row.endpoint_name,
        "monitoring_type": row.monitoring_type,
        "monitoring_execution_status": row.status,
        "failure_reason": row.failure_reason,
        "violation_count": row.violation_count,
        "output_uri": row.output_uri,
        "creation_time": row.creation_time,
        "last_modified_time": row.last_modified_time,
    }
    return MonitoringExecution(**values)
