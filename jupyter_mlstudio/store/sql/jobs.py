"""Jobs: rows from ``Job`` entities, lookups, listing and the status rules of updates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ...entities import (
    TERMINAL_JOB_STATUSES,
    Job,
    JobKind,
    JobStatus,
    SecondaryStatus,
    utcnow,
    validate_tags,
    validate_time,
)
from ...exceptions import ConflictError, NotFoundError, ValidationError
from ..base import UNSET
from .lookups import check_name, get_row
from .models import JobRow, JobStatusTransitionRow, JobTagRow
from .paging import check_max_results, check_sort_order, paginate
from .validation import enum_value, json_object

FAILURE_REASON_MAX = 1024
_LOAD = (selectinload(JobRow.tags), selectinload(JobRow.transitions))


def _failure_reason(value: Any) -> str | None:
    """Failure reasons come from job output: kept, but cut to SageMaker's 1024 characters."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError("FailureReason must be a string", field="FailureReason")
    return value[:FAILURE_REASON_MAX]


def new_row(job: Job) -> JobRow:
    if not isinstance(job, Job):
        raise ValidationError("job must be a Job", field="Job")
    name = check_name(JobRow, job.job_name)
    return JobRow(
        name=name,
        kind=JobKind(job.kind).value,
        status=JobStatus(job.status).value,
        secondary_status=job.secondary_status.value if job.secondary_status else None,
        failure_reason=_failure_reason(job.failure_reason),
        exit_code=job.exit_code,
        runtime=job.runtime,
        spec=json_object(job.spec, "Spec"),
        outputs=json_object(job.outputs, "Outputs"),
        experiment_name=job.experiment_name,
        trial_component_name=job.trial_component_name,
        creation_time=job.creation_time,
        start_time=job.start_time,
        end_time=job.end_time,
        last_modified_time=job.last_modified_time,
        tags=[JobTagRow(key=k, value=v) for k, v in validate_tags(job.tags).items()],
        transitions=[
            JobStatusTransitionRow(
                position=i,
                status=t.status.value,
                start_time=t.start_time,
                end_time=t.end_time,
                status_message=t.status_message,
            )
            for i, t in enumerate(job.secondary_status_transitions)
        ],
    )


def get(session: Session, name: str, kind: JobKind | None, *, for_update: bool = False) -> JobRow:
    row = get_row(session, JobRow, name, *_LOAD, for_update=for_update)
    if kind is not None and row.kind != enum_value(JobKind, kind, "Kind").value:
        raise NotFoundError(f"{JobKind(kind).value} {name!r} does not exist")
    return row


def page(
    session: Session,
    *,
    kind: JobKind | None,
    status: JobStatus | None,
    name_contains: str | None,
    sort_order: str,
    max_results: int,
    next_token: str | None,
) -> tuple[Sequence[JobRow], str | None]:
    max_results = check_max_results(max_results)
    descending = check_sort_order(sort_order)
    stmt = select(JobRow).options(*_LOAD)
    if kind is not None:
        stmt = stmt.where(JobRow.kind == enum_value(JobKind, kind, "Kind").value)
    if status is not None:
        stmt = stmt.where(JobRow.status == enum_value(JobStatus, status, "StatusEquals").value)
    if name_contains:
        stmt = stmt.where(JobRow.name.icontains(name_contains, autoescape=True))
    return paginate(
        session,
        stmt,
        scope=f"jobs/{sort_order}",
        sort_column=JobRow.creation_time,
        id_column=JobRow.id,
        descending=descending,
        max_results=max_results,
        next_token=next_token,
    )


def apply_update(
    row: JobRow,
    *,
    status: JobStatus | None,
    secondary_status: SecondaryStatus | None,
    status_message: str | None,
    failure_reason: Any,
    exit_code: Any,
    runtime: Any,
    outputs: Mapping[str, Any] | None,
    start_time: Any,
    end_time: Any,
) -> None:
    """Apply ``update_job``'s rules to ``row``.

    * A job in a terminal status (Completed, Failed, Stopped) cannot move to another
      status: ConflictError. Setting the same status again is allowed.
    * A new secondary status closes the open transition and appends one; the same
      secondary status again only updates the open transition's message.
    * Reaching a terminal status closes the open transition.
    """
    now = utcnow()
    new_status = None
    if status is not None:
        new_status = enum_value(JobStatus, status, "Status")
        current = JobStatus(row.status)
        if current in TERMINAL_JOB_STATUSES and new_status != current:
            raise ConflictError(
                f"Job {row.name!r} is {current.value} and cannot become {new_status.value}"
            )
    if status_message is not None and not isinstance(status_message, str):
        raise ValidationError("StatusMessage must be a string", field="StatusMessage")
    if secondary_status is not None:
        secondary = enum_value(SecondaryStatus, secondary_status, "SecondaryStatus")
        if secondary.value != row.secondary_status or not row.transitions:
            _close_open_transitions(row, now)
            row.transitions.append(
                JobStatusTransitionRow(
                    position=len(row.transitions),
                    status=secondary.value,
                    start_time=now,
                    status_message=status_message,
                )
            )
            row.secondary_status = secondary.value
        elif status_message is not None:
            row.transitions[-1].status_message = status_message
    elif status_message is not None and row.transitions:
        row.transitions[-1].status_message = status_message
    if new_status is not None:
        row.status = new_status.value
        if new_status in TERMINAL_JOB_STATUSES:
            _close_open_transitions(row, now)
    if failure_reason is not UNSET:
        row.failure_reason = _failure_reason(failure_reason)
    if exit_code is not UNSET:
        if exit_code is not None and (
            isinstance(exit_code, bool) or not isinstance(exit_code, int)
        ):
            raise ValidationError("ExitCode must be an integer", field="ExitCode")
        row.exit_code = exit_code
    if runtime is not UNSET:
        row.runtime = runtime
    if outputs:
        row.outputs = {**row.outputs, **json_object(outputs, "Outputs")}
    for field, value in (("StartTime", start_time), ("EndTime", end_time)):
        if value is not UNSET:
            checked = validate_time(value, field=field)
            setattr(row, "start_time" if field == "StartTime" else "end_time", checked)
    row.last_modified_time = now


def apply_reopen(row: JobRow, outputs: Mapping[str, Any] | None) -> None:
    """Apply ``reopen_job``'s rule to ``row``: Failed or Stopped → InProgress."""
    current = JobStatus(row.status)
    if current not in (JobStatus.FAILED, JobStatus.STOPPED):
        raise ConflictError(
            f"Job {row.name!r} is {current.value}: only a Failed or Stopped job can run again"
        )
    row.status = JobStatus.IN_PROGRESS.value
    row.failure_reason = None
    row.end_time = None
    if outputs:
        row.outputs = {**row.outputs, **json_object(outputs, "Outputs")}
    row.last_modified_time = utcnow()


def _close_open_transitions(row: JobRow, now: datetime) -> None:
    for transition in row.transitions:
        if transition.end_time is None:
            transition.end_time = now
