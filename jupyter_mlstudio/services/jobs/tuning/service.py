"""Hyperparameter tuning jobs: create, stop, list their training jobs, recover.

A tuning job is a job of kind ``HyperParameterTuningJob`` whose ``Spec`` is its
CreateHyperParameterTuningJob request and whose ``Outputs`` hold SageMaker's counters and
best training job; a :class:`~.supervisor.TuningSupervisor` thread in the studio that owns
the home runs it. Its training jobs are ordinary training jobs (``JobService``), named
``<tuning job>-<NNN>-<8 hex>`` and tagged with the tuning job's name.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Mapping
from typing import Any

from ....config import StudioConfig
from ....entities import TERMINAL_JOB_STATUSES, Job, JobKind, JobStatus, utcnow
from ....exceptions import ConflictError, NotFoundError, ValidationError
from ....ownership import OwnerCheck
from ....store.base import MetadataStore
from ..layout import HOST, log_path
from ..requests import CreateTrainingJobRequest, JobLogs, parse_request
from ..service import JobService
from ..training_plan import plan_training_job
from .requests import (
    CreateHyperParameterTuningJobRequest,
    check_tuning_request,
    request_fields,
)
from .summaries import Objective, SortBy, sort_summaries, summary, training_jobs_of
from .supervisor import TuningSupervisor

log = logging.getLogger(__name__)

NAME_FIELD = "HyperParameterTuningJobName"
#: Most summaries one ListTrainingJobsForHyperParameterTuningJob page holds.
MAX_PAGE = 100


class TuningService:
    """Tuning jobs of one studio.

    Args:
        store: The metadata store.
        config: The studio's configuration (where the tuners' logs go).
        jobs: The training jobs' engine.
        owner_check: Refuses creation in a studio that does not own its home.
    """

    def __init__(
        self,
        store: MetadataStore,
        config: StudioConfig,
        jobs: JobService,
        *,
        owner_check: OwnerCheck | None = None,
    ) -> None:
        self._store = store
        self._config = config
        self._jobs = jobs
        self._owner_check = owner_check
        self._supervisors: dict[str, TuningSupervisor] = {}
        self._lock = threading.Lock()

    # -- create and stop -------------------------------------------------------------------

    def create_tuning_job(
        self, request: CreateHyperParameterTuningJobRequest | Mapping[str, Any]
    ) -> Job:
        """Check, record and start a tuning job; return it (InProgress).

        Args:
            request: A CreateHyperParameterTuningJob request.

        Returns:
            The tuning job as recorded.

        Raises:
            ValidationError: A bad request, naming the field (nothing is started).
            ConflictError: A job of any kind has that name.
        """
        if self._owner_check is not None:
            self._owner_check.require(NAME_FIELD)
        body = parse_request(CreateHyperParameterTuningJobRequest, request)
        ranges = check_tuning_request(body)
        name = body.HyperParameterTuningJobName
        self._check_definition(body)
        self._check_parents(body)
        now = utcnow()
        job = Job(
            job_name=name,
            kind=JobKind.TUNING,
            status=JobStatus.IN_PROGRESS,
            runtime=self._jobs.runtime_name(),
            spec=request_fields(body),
            outputs={},
            experiment_name=name,
            creation_time=now,
            start_time=now,
            last_modified_time=now,
            tags={t.Key: t.Value for t in body.Tags},
        )
        try:
            job = self._store.create_job(job)
        except ConflictError:
            raise ConflictError(f"a job named {name!r} exists already", field=NAME_FIELD) from None
        self._start(job, body, ranges)
        return job

    def stop_tuning_job(self, job_name: str) -> Job:
        """Stopping now (its running training jobs are stopped), Stopped once they end.

        Raises:
            NotFoundError: No such tuning job.
            ConflictError: It has ended already.
        """
        job = self._store.get_job(job_name, JobKind.TUNING)
        if job.status in TERMINAL_JOB_STATUSES:
            raise ConflictError(
                f"tuning job {job_name!r} is {job.status.value} and cannot be stopped",
                field=NAME_FIELD,
            )
        job = self._store.update_job(
            job_name, status=JobStatus.STOPPING, status_message="Stopping the tuning job"
        )
        with self._lock:
            supervisor = self._supervisors.get(job_name)
        if supervisor is not None:
            supervisor.request_stop()
        return job

    def read_logs(self, job_name: str, host: str = HOST, offset: int = 0) -> JobLogs:
        """The tuner's log (what it started, stopped and why) from byte ``offset`` on."""
        return self._jobs.read_logs(job_name, JobKind.TUNING, host, offset)

    # -- the training jobs -----------------------------------------------------------------

    def list_training_jobs(
        self,
        job_name: str,
        *,
        sort_by: SortBy = "CreationTime",
        sort_order: str = "Descending",
        status: JobStatus | None = None,
        max_results: int = MAX_PAGE,
        next_token: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """ListTrainingJobsForHyperParameterTuningJob: one page of summaries.

        Args:
            job_name: The tuning job.
            sort_by: ``Name``, ``CreationTime``, ``Status`` or ``FinalObjectiveMetricValue``.
            sort_order: ``Ascending`` or ``Descending``.
            status: Only jobs in this status.
            max_results: 1 to 100.
            next_token: The previous page's token.

        Returns:
            The summaries and the next page's token (None on the last page).

        Raises:
            NotFoundError: No such tuning job.
            ValidationError: A bad ``max_results`` or ``next_token``.
        """
        job = self._store.get_job(job_name, JobKind.TUNING)
        if not 1 <= max_results <= MAX_PAGE:
            raise ValidationError(f"MaxResults must be 1 to {MAX_PAGE}", field="MaxResults")
        start = 0
        if next_token is not None:
            if not next_token.isdigit() or len(next_token) > 6:
                raise ValidationError("NextToken is not one this listing gave", field="NextToken")
            start = int(next_token)
        jobs = training_jobs_of(self._store, job_name)
        if status is not None:
            jobs = [j for j in jobs if j.status is status]
        objective, tuned = _objective_and_ranges(job)
        items = [summary(j, job_name, tuned, objective) for j in jobs]
        items = sort_summaries(items, sort_by, sort_order == "Descending", objective)
        page = items[start : start + max_results]
        more = start + max_results < len(items)
        return page, (str(start + max_results) if more else None)

    # -- life cycle ------------------------------------------------------------------------

    def recover(self) -> list[str]:
        """Carry on with the tuning jobs a stopped studio left InProgress or Stopping."""
        carried: list[str] = []
        for status in (JobStatus.IN_PROGRESS, JobStatus.STOPPING):
            page = self._store.list_jobs(kind=JobKind.TUNING, status=status, max_results=1000)
            for job in page.items:
                with self._lock:
                    if job.job_name in self._supervisors:
                        continue
                try:
                    body = parse_request(CreateHyperParameterTuningJobRequest, job.spec)
                    ranges = check_tuning_request(body)
                except ValidationError as exc:
                    with contextlib.suppress(ConflictError, NotFoundError):
                        self._store.update_job(
                            job.job_name,
                            status=JobStatus.FAILED,
                            failure_reason=f"its request cannot be read again: {exc}",
                            end_time=utcnow(),
                        )
                    continue
                self._start(job, body, ranges)
                carried.append(job.job_name)
        return carried

    def wait(self, job_name: str, timeout: float | None = None) -> Job:
        """Wait for this studio's supervisor of ``job_name``; return the tuning job."""
        with self._lock:
            supervisor = self._supervisors.get(job_name)
        if supervisor is not None:
            supervisor.join(timeout)
        return self._store.get_job(job_name, JobKind.TUNING)

    def close(self, timeout: float = 5.0) -> None:
        """Let the tuners go; their tuning jobs carry on in the next studio."""
        with self._lock:
            supervisors = list(self._supervisors.values())
        for supervisor in supervisors:
            supervisor.detach()
        for supervisor in supervisors:
            supervisor.join(timeout)

    # -- helpers ---------------------------------------------------------------------------

    def _start(
        self, job: Job, body: CreateHyperParameterTuningJobRequest, ranges: list[Any]
    ) -> None:
        supervisor = TuningSupervisor(
            store=self._store,
            job=job,
            request=body,
            ranges=ranges,
            create_training_job=self._jobs.create_training_job,
            stop_training_job=lambda name: self._jobs.stop_job(name, JobKind.TRAINING),
            log_file=log_path(self._config, job.job_name, HOST),
            room_for=self._room_for,
        )
        with self._lock:
            self._supervisors[job.job_name] = supervisor
        supervisor.start()

    def _room_for(self, instance_type: str, instance_count: int) -> int | None:
        """How many more training jobs of that shape the runtime they run on can place
        now (None: no limit known)."""
        return self._jobs.runner(self._jobs.runtime_name()).room_for(instance_type, instance_count)

    def _check_definition(self, body: CreateHyperParameterTuningJobRequest) -> None:
        """The training jobs' request is sound (checked as one of them would be)."""
        definition = body.TrainingJobDefinition.model_dump(mode="json", exclude_none=True)
        static = definition.pop("StaticHyperParameters", {})
        sample = {
            **definition,
            "TrainingJobName": f"{body.HyperParameterTuningJobName}-001-00000000",
            "HyperParameters": static,
        }
        try:
            parsed = parse_request(CreateTrainingJobRequest, sample)
            plan_training_job(parsed, self._jobs.runtime_name())
        except ValidationError as exc:
            field = exc.field if exc.field not in (None, "TrainingJobName") else None
            raise ValidationError(
                f"TrainingJobDefinition: {exc.message}",
                field=f"TrainingJobDefinition.{field}" if field else "TrainingJobDefinition",
            ) from None

    def _check_parents(self, body: CreateHyperParameterTuningJobRequest) -> None:
        if body.WarmStartConfig is None:
            return
        for i, parent in enumerate(body.WarmStartConfig.ParentHyperParameterTuningJobs):
            field = f"WarmStartConfig.ParentHyperParameterTuningJobs[{i}].{NAME_FIELD}"
            try:
                found = self._store.get_job(parent.HyperParameterTuningJobName, JobKind.TUNING)
            except NotFoundError:
                raise ValidationError(
                    f"no tuning job is named {parent.HyperParameterTuningJobName!r}", field=field
                ) from None
            if found.status not in TERMINAL_JOB_STATUSES:
                raise ValidationError(
                    f"parent tuning job {found.job_name!r} is {found.status.value}: warm start"
                    " takes tuning jobs that have ended",
                    field=field,
                )


def _objective_and_ranges(job: Job) -> tuple[Objective, list[str]]:
    config = job.spec.get("HyperParameterTuningJobConfig") or {}
    objective = config.get("HyperParameterTuningJobObjective") or {}
    ranges = config.get("ParameterRanges") or {}
    names = [
        r.get("Name", "")
        for key in ("IntegerParameterRanges", "ContinuousParameterRanges")
        for r in ranges.get(key) or []
    ] + [r.get("Name", "") for r in ranges.get("CategoricalParameterRanges") or []]
    return Objective(objective.get("MetricName", ""), objective.get("Type") == "Maximize"), names
