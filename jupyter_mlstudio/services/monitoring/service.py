"""``MonitoringService``: Model Monitor's schedules, their executions and the thread that
runs them (docs/monitoring.md).

A schedule is a record; the scheduler thread (only in the studio that owns the home)
looks at every ``Scheduled`` schedule, finds the last time its cron expression fired and,
when that run has no execution yet, records one and starts its processing job. The
execution's record is written first and (schedule, scheduled time) is unique in the
store, so a window never runs twice, whichever studio or restart gets there; a studio
that was down when a run was due starts the latest one it missed (one, not every one).
Executions follow their job: Completed becomes CompletedWithViolations when the
analyzer reported violations.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from ...artifacts.base import ArtifactStore
from ...entities import (
    MonitoringExecution,
    MonitoringJobDefinition,
    MonitoringSchedule,
    Page,
    utcnow,
)
from ...entities.monitoring import ACTIVE_EXECUTION_STATUSES
from ...exceptions import ConflictError, NotFoundError, StudioError, ValidationError
from ...ownership import OwnerCheck
from ...store.base import MetadataStore, SortOrder
from ..hosting.service import HostingService
from ..jobs.service import JobService
from . import executions as runs
from .cron import parse_schedule, window
from .definitions import check_definition, definition_endpoint
from .reports import execution_report
from .schedules import ENDPOINT_FIELD, check_request, offsets
from .views import execution_summary, schedule_description, schedule_summary

log = logging.getLogger(__name__)

#: how often the thread looks again while executions run
BUSY_POLL_S = 1.0
#: the longest it sleeps otherwise (a new schedule wakes it at once)
IDLE_POLL_S = 60.0
#: an execution whose job never started is Failed after this long
START_GRACE = timedelta(minutes=2)
_JOB_STATUS = {"InProgress": "InProgress", "Stopping": "Stopping", "Stopped": "Stopped"}

Clock = Callable[[], datetime]


class MonitoringService:
    """Monitoring schedules and executions.

    Args:
        store: The metadata store.
        artifacts: The artifact store (where executions write by default).
        jobs: Starts the executions' processing jobs.
        endpoints: Says where an endpoint captures its data.
        owner_check: Refuses new schedules in a studio that does not own its home.
        clock: The time (tests move it on).
    """

    def __init__(
        self,
        store: MetadataStore,
        artifacts: ArtifactStore,
        jobs: JobService,
        endpoints: HostingService,
        *,
        owner_check: OwnerCheck | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self._store = store
        self._artifacts = artifacts
        self._jobs = jobs
        self._endpoints = endpoints
        self._owner_check = owner_check
        self._clock = clock
        self._wake = threading.Event()
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None
        #: held while a round starts jobs: reads see an execution once its job exists
        self._tick = threading.RLock()

    # -- schedules --------------------------------------------------------------------

    def create_schedule(self, body: Mapping[str, Any]) -> MonitoringSchedule:
        """Check and record a schedule; it runs from its next cron time (NOW: at once).

        Args:
            body: SageMaker's CreateMonitoringSchedule request.

        Returns:
            The schedule, ``Scheduled``.

        Raises:
            ValidationError: A member is wrong (named), or the endpoint captures no data.
            NotFoundError: The endpoint does not exist.
            ConflictError: The name is taken.
        """
        if self._owner_check is not None:
            self._owner_check.require("MonitoringScheduleName")
        checked = check_request(body, self._artifacts.uri_for("monitoring"), self._resolve)
        try:
            capture = self._endpoints.capture_settings(checked.endpoint_name)
        except NotFoundError:
            raise NotFoundError(
                f"Endpoint {checked.endpoint_name!r} does not exist", field=ENDPOINT_FIELD
            ) from None
        if capture is None or not capture.capture_input:
            raise ValidationError(
                f"endpoint {checked.endpoint_name!r} does not capture its requests: deploy it"
                " with a DataCaptureConfig that captures Input",
                field=ENDPOINT_FIELD,
            )
        now = self._clock()
        schedule = self._store.create_monitoring_schedule(
            MonitoringSchedule(
                monitoring_schedule_name=checked.name,
                endpoint_name=checked.endpoint_name,
                monitoring_type=checked.monitoring_type,
                monitoring_schedule_status="Scheduled",
                config=checked.config,
                tags=checked.tags,
                creation_time=now,
                last_modified_time=now,
            )
        )
        self._wake.set()
        return schedule

    def _resolve(self, name: str, monitoring_type: str) -> dict[str, Any]:
        try:
            found = self._store.get_monitoring_job_definition(name, monitoring_type)
        except NotFoundError as exc:
            raise NotFoundError(
                exc.message, field="MonitoringScheduleConfig.MonitoringJobDefinitionName"
            ) from None
        return dict(found.definition)

    # -- job definitions --------------------------------------------------------------

    def create_job_definition(
        self, monitoring_type: str, body: Mapping[str, Any]
    ) -> MonitoringJobDefinition:
        """Check and record a named job definition (CreateDataQualityJobDefinition,
        CreateModelQualityJobDefinition) for schedules to name.

        Args:
            monitoring_type: DataQuality or ModelQuality.
            body: SageMaker's request.

        Returns:
            The definition, kept in the inline form a schedule copies.

        Raises:
            ValidationError: A member is wrong, named as in the request.
            ConflictError: The name is taken.
        """
        name, inline = check_definition(
            monitoring_type, body, self._artifacts.uri_for("monitoring")
        )
        tags = {
            str(t.get("Key")): str(t.get("Value", ""))
            for t in body.get("Tags") or []
            if isinstance(t, Mapping)
        }
        return self._store.create_monitoring_job_definition(
            MonitoringJobDefinition(
                job_definition_name=name,
                monitoring_type=monitoring_type,
                definition=inline,
                tags=tags,
                creation_time=self._clock(),
            )
        )

    def describe_job_definition(self, monitoring_type: str, name: str) -> MonitoringJobDefinition:
        """A job definition of ``monitoring_type``; NotFoundError(JobDefinitionName)."""
        return self._store.get_monitoring_job_definition(name, monitoring_type)

    def list_job_definitions(
        self,
        monitoring_type: str,
        *,
        endpoint_name: str | None = None,
        name_contains: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[MonitoringJobDefinition]:
        """A page of job definitions of ``monitoring_type`` (of one endpoint's, if given:
        a page may then hold fewer than ``max_results`` and still have a next one)."""
        page = self._store.list_monitoring_job_definitions(
            monitoring_type=monitoring_type,
            name_contains=name_contains,
            sort_order=sort_order,
            max_results=max_results,
            next_token=next_token,
        )
        items = [
            d
            for d in page.items
            if endpoint_name is None or definition_endpoint(d.definition) == endpoint_name
        ]
        return Page[MonitoringJobDefinition](items=items, next_token=page.next_token)

    def delete_job_definition(self, monitoring_type: str, name: str) -> None:
        """Delete a job definition (schedules made from it keep their copy)."""
        self._store.delete_monitoring_job_definition(name, monitoring_type)

    # -- schedules (reads) ------------------------------------------------------------

    def describe_schedule(self, name: str) -> dict[str, Any]:
        """DescribeMonitoringSchedule's answer, with ``NextScheduledTime``."""
        with self._tick:
            self.sync()
            schedule = self._store.get_monitoring_schedule(name)
            return schedule_description(schedule, self._latest(name), self._next_run(schedule))

    def list_schedules(
        self,
        *,
        endpoint_name: str | None = None,
        name_contains: str | None = None,
        status: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> dict[str, Any]:
        """ListMonitoringSchedules' answer (newest first), with each schedule's next run
        and latest execution."""
        with self._tick:
            self.sync()
            page = self._store.list_monitoring_schedules(
                endpoint_name=endpoint_name,
                name_contains=name_contains,
                status=status,
                sort_order=sort_order,
                max_results=max_results,
                next_token=next_token,
            )
            summaries = [
                schedule_summary(s, self._latest(s.monitoring_schedule_name), self._next_run(s))
                for s in page.items
            ]
        answer: dict[str, Any] = {"MonitoringScheduleSummaries": summaries}
        if page.next_token:
            answer["NextToken"] = page.next_token
        return answer

    def start_schedule(self, name: str) -> None:
        """Scheduled again; it runs from its next cron time."""
        self._store.update_monitoring_schedule(name, status="Scheduled", failure_reason=None)
        self._wake.set()

    def stop_schedule(self, name: str) -> None:
        """Stopped: no new executions (a running one carries on)."""
        self._store.update_monitoring_schedule(name, status="Stopped")

    def delete_schedule(self, name: str) -> None:
        """Delete a schedule and its executions' records (their jobs and files stay)."""
        self._store.delete_monitoring_schedule(name)

    # -- executions -------------------------------------------------------------------

    def list_executions(
        self,
        *,
        schedule_name: str | None = None,
        endpoint_name: str | None = None,
        status: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> dict[str, Any]:
        """ListMonitoringExecutions' answer, by scheduled time (newest first)."""
        if schedule_name:
            self._store.get_monitoring_schedule(schedule_name)
        with self._tick:
            self.sync()
            page = self._store.list_monitoring_executions(
                schedule_name=schedule_name,
                endpoint_name=endpoint_name,
                status=status,
                sort_order=sort_order,
                max_results=max_results,
                next_token=next_token,
            )
        answer: dict[str, Any] = {
            "MonitoringExecutionSummaries": [execution_summary(e) for e in page.items]
        }
        if page.next_token:
            answer["NextToken"] = page.next_token
        return answer

    def report(self, name: str, processing_job_name: str | None = None) -> dict[str, Any]:
        """What the Monitoring tab draws for one execution (the latest that completed by
        default): per feature the baseline and window distributions and the distance,
        the violations, and every completed execution's distances."""
        self._store.get_monitoring_schedule(name)
        self.sync()
        done = [
            e
            for e in self._store.list_monitoring_executions(
                schedule_name=name, sort_order="Ascending", max_results=1000
            ).items
            if e.monitoring_execution_status in ("Completed", "CompletedWithViolations")
        ]
        chosen = done[-1] if done else None
        if processing_job_name:
            found = [e for e in done if e.processing_job_name == processing_job_name]
            if not found:
                raise NotFoundError(
                    f"schedule {name!r} has no completed execution {processing_job_name!r}",
                    field="ProcessingJobName",
                )
            chosen = found[0]
        return execution_report(name, chosen, done)

    # -- running ----------------------------------------------------------------------

    def run_due(self) -> list[MonitoringExecution]:
        """Start the run every ``Scheduled`` schedule owes now, then bring the executions
        that have not ended up to date with their jobs.

        Returns:
            The executions started.
        """
        with self._tick:
            now = self._clock()
            started = []
            for schedule in self._scheduled():
                due = self._due(schedule, now)
                if due is not None:
                    execution = self._start(schedule, due)
                    if execution is not None:
                        started.append(execution)
            self.sync()
            return started

    def sync(self) -> None:
        """Every execution that has not ended takes its job's status."""
        with self._tick:
            for status in ACTIVE_EXECUTION_STATUSES:
                for execution in self._store.list_monitoring_executions(
                    status=status, max_results=1000
                ).items:
                    self._follow(execution)

    def start(self) -> None:
        """Start the scheduler thread (the studio that owns the home does, on open)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._loop, name="mlstudio-monitoring", daemon=True
            )
            self._thread.start()

    def close(self) -> None:
        self._closed.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._closed.is_set():
            try:
                self.run_due()
                wait = self._sleep_for()
            except Exception:
                log.exception("monitoring schedules: a round failed")
                wait = IDLE_POLL_S / 4
            self._wake.wait(wait)
            self._wake.clear()

    def _sleep_for(self) -> float:
        busy = any(
            self._store.list_monitoring_executions(status=s, max_results=1).items
            for s in ACTIVE_EXECUTION_STATUSES
        )
        if busy:
            return BUSY_POLL_S
        now = self._clock()
        upcoming = [n for n in (self._next_run(s) for s in self._scheduled()) if n is not None]
        if not upcoming:
            return IDLE_POLL_S
        return max(0.05, min(IDLE_POLL_S, (min(upcoming) - now).total_seconds() + 0.05))

    def _scheduled(self) -> list[MonitoringSchedule]:
        found: list[MonitoringSchedule] = []
        token = None
        while True:
            page = self._store.list_monitoring_schedules(
                status="Scheduled", max_results=100, next_token=token
            )
            found.extend(page.items)
            token = page.next_token
            if not token:
                return found

    def _due(self, schedule: MonitoringSchedule, now: datetime) -> datetime | None:
        plan = parse_schedule(schedule.schedule_expression, field="ScheduleExpression")
        if plan.once:
            return schedule.creation_time  # its window ends when it was created
        latest = plan.latest(now)
        # a run falls due once the schedule is active: created, or started again
        return latest if latest > schedule.last_modified_time else None

    def _next_run(self, schedule: MonitoringSchedule) -> datetime | None:
        if schedule.monitoring_schedule_status != "Scheduled":
            return None
        plan = parse_schedule(schedule.schedule_expression, field="ScheduleExpression")
        if plan.once:
            return None
        return plan.next(max(self._clock(), schedule.last_modified_time))

    def _latest(self, name: str) -> MonitoringExecution | None:
        items = self._store.list_monitoring_executions(schedule_name=name, max_results=1).items
        return items[0] if items else None

    def _start(self, schedule: MonitoringSchedule, due: datetime) -> MonitoringExecution | None:
        name = schedule.monitoring_schedule_name
        try:
            capture = self._endpoints.capture_settings(schedule.endpoint_name)
        except NotFoundError:
            capture = None
        target = runs.Target(
            name,
            schedule.endpoint_name,
            capture.destination if capture is not None else "",
            schedule.monitoring_type,
            schedule.config["MonitoringJobDefinition"],
        )
        now = self._clock()
        job_name = runs.job_name(name, due)
        try:
            self._store.create_monitoring_execution(
                MonitoringExecution(
                    monitoring_schedule_name=name,
                    scheduled_time=due,
                    processing_job_name=job_name,
                    endpoint_name=schedule.endpoint_name,
                    monitoring_type=schedule.monitoring_type,
                    output_uri=runs.output_uri(target, due),
                    creation_time=now,
                    last_modified_time=now,
                )
            )
        except ConflictError:
            return None  # this window ran already
        if capture is None:
            return self._store.update_monitoring_execution(
                job_name,
                status="Failed",
                failure_reason=f"endpoint {schedule.endpoint_name!r} no longer captures data",
            )
        start, end = offsets(schedule.config)
        try:
            request = runs.execution_request(target, due, window(due, start, end))
            self._jobs.create_processing_job(request)
        except StudioError as exc:
            log.warning("monitoring execution %s did not start: %s", job_name, exc.message)
            return self._store.update_monitoring_execution(
                job_name, status="Failed", failure_reason=f"the job did not start: {exc.message}"
            )
        return self._store.update_monitoring_execution(job_name, status="InProgress")

    def _follow(self, execution: MonitoringExecution) -> None:
        name = execution.processing_job_name
        try:
            job = self._store.get_job(name)
        except NotFoundError:
            if self._clock() - execution.creation_time > START_GRACE:
                self._store.update_monitoring_execution(
                    name, status="Failed", failure_reason="the execution's job never started"
                )
            return
        status = job.status.value
        if status in _JOB_STATUS:
            if _JOB_STATUS[status] != execution.monitoring_execution_status:
                self._store.update_monitoring_execution(name, status=_JOB_STATUS[status])
            return
        if status == "Failed":
            self._store.update_monitoring_execution(
                name, status="Failed", failure_reason=job.failure_reason or "the analysis failed"
            )
            return
        count = runs.violation_count(execution.output_uri or "")
        self._store.update_monitoring_execution(
            name,
            status="CompletedWithViolations" if count else "Completed",
            violation_count=count,
        )
