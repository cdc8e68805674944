"""AutoML jobs: create, stop, list their candidates, recover.

An AutoML job is a job of kind ``AutoMLJob`` whose ``Spec`` is its CreateAutoMLJob
request and whose ``Outputs`` hold what DescribeAutoMLJob adds (the secondary status and
the stages reached, ResolvedAttributes, BestCandidate, AutoMLJobArtifacts) plus the
studio's analysis of the table; an :class:`~.supervisor.AutoMLSupervisor` thread in the
studio that owns the home runs it. Its candidates are ordinary training jobs.

scikit-learn and pandas are imported only when an AutoML job runs (they are in the
``notebook`` extra the studio's JupyterLab installs).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ....artifacts import transfer
from ....artifacts.base import ArtifactStore
from ....config import StudioConfig
from ....entities import TERMINAL_JOB_STATUSES, Job, JobKind, JobStatus, utcnow
from ....exceptions import ConflictError, NotFoundError, ValidationError
from ....ownership import OwnerCheck
from ....store.base import MetadataStore
from ..layout import HOST, log_path
from ..requests import JobLogs, parse_request
from ..runs import source_arn
from ..service import JobArtifact, JobService
from .requests import (
    NAME_FIELD,
    CreateAutoMLJobRequest,
    check_automl_request,
    completion,
    request_fields,
)

if TYPE_CHECKING:
    from .supervisor import AutoMLSupervisor

#: Most candidates one ListCandidatesForAutoMLJob page holds.
MAX_PAGE = 100
#: what an AutoML job needs in the studio's Python
REQUIRED_MODULES = ("sklearn", "pandas", "joblib")
#: candidates trained at once unless MLSTUDIO_AUTOML_PARALLEL says otherwise
DEFAULT_PARALLEL = 2


class AutoMLService:
    """AutoML jobs of one studio.

    Args:
        store: The metadata store.
        artifacts: The studio's artifact store (where jobs without an S3OutputPath write).
        config: The studio's configuration (where the jobs' logs go).
        jobs: The training jobs' engine.
        owner_check: Refuses creation in a studio that does not own its home.
    """

    def __init__(
        self,
        store: MetadataStore,
        artifacts: ArtifactStore,
        config: StudioConfig,
        jobs: JobService,
        *,
        owner_check: OwnerCheck | None = None,
    ) -> None:
        self._store = store
        self._artifacts = artifacts
        self._config = config
        self._jobs = jobs
        self._owner_check = owner_check
        self._supervisors: dict[str, AutoMLSupervisor] = {}
        self._lock = threading.Lock()

    # -- create and stop -------------------------------------------------------------------

    def create_automl_job(self, request: CreateAutoMLJobRequest | Mapping[str, Any]) -> Job:
        """Check, record and start an AutoML job; return it (InProgress, Starting).

        Args:
            request: A CreateAutoMLJob request.

        Returns:
            The AutoML job as recorded.

        Raises:
            ValidationError: A bad request, naming the field (nothing is started).
            ConflictError: A job of any kind has that name.
        """
        if self._owner_check is not None:
            self._owner_check.require(NAME_FIELD)
        body = parse_request(CreateAutoMLJobRequest, request)
        check_automl_request(body)
        missing = [m for m in REQUIRED_MODULES if importlib.util.find_spec(m) is None]
        if missing:
            raise ValidationError(
                f"AutoML needs {', '.join(missing)} in the studio's Python:"
                " pip install 'jupyter_mlstudio[notebook]'",
                field=NAME_FIELD,
            )
        for i, channel in enumerate(body.InputDataConfig):
            transfer.check_source(
                channel.DataSource.S3DataSource.S3Uri,
                field=f"InputDataConfig[{i}].DataSource.S3DataSource.S3Uri",
            )
        if body.OutputDataConfig.S3OutputPath:
            transfer.check_destination(
                body.OutputDataConfig.S3OutputPath, field="OutputDataConfig.S3OutputPath"
            )
        name = body.AutoMLJobName
        now = utcnow()
        job = Job(
            job_name=name,
            kind=JobKind.AUTOML,
            status=JobStatus.IN_PROGRESS,
            runtime=self._jobs.runtime_name(),
            spec=request_fields(body),
            outputs={
                "AutoMLJobSecondaryStatus": "Starting",
                "Stages": [{"Stage": "Starting", "StartTime": now.isoformat()}],
                "ResolvedAttributes": {"CompletionCriteria": completion(body)},
            },
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
        self._start(job, body)
        return job

    def stop_automl_job(self, job_name: str) -> Job:
        """Stopping now (its running candidates are stopped), Stopped once they end.

        Raises:
            NotFoundError: No such AutoML job.
            ConflictError: It has ended already.
        """
        job = self._store.get_job(job_name, JobKind.AUTOML)
        if job.status in TERMINAL_JOB_STATUSES:
            raise ConflictError(
                f"AutoML job {job_name!r} is {job.status.value} and cannot be stopped",
                field=NAME_FIELD,
            )
        job = self._store.update_job(
            job_name,
            status=JobStatus.STOPPING,
            status_message="Stopping the AutoML job",
            outputs={"AutoMLJobSecondaryStatus": "Stopping"},
        )
        with self._lock:
            supervisor = self._supervisors.get(job_name)
        if supervisor is not None:
            supervisor.request_stop()
        return job

    def read_logs(self, job_name: str, host: str = HOST, offset: int = 0) -> JobLogs:
        """The AutoML job's log (its stages, candidates and why they ended)."""
        return self._jobs.read_logs(job_name, JobKind.AUTOML, host, offset)

    def open_notebook(self, job_name: str, path: str) -> JobArtifact:
        """One of the job's notebooks (by file name), open for download.

        Raises:
            NotFoundError: No such job, or it has not written that notebook (yet).
        """
        return self._jobs.open_artifact(job_name, JobKind.AUTOML, path)

    # -- candidates ------------------------------------------------------------------------

    def list_candidates(
        self,
        job_name: str,
        *,
        status: str | None = None,
        candidate_name: str | None = None,
        sort_by: str = "CreationTime",
        sort_order: str = "Descending",
        max_results: int = MAX_PAGE,
        next_token: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """ListCandidatesForAutoMLJob: one page of AutoMLCandidate items.

        Args:
            job_name: The AutoML job.
            status: Only candidates in this CandidateStatus (Completed, InProgress, ...).
            candidate_name: Only the candidate of this name.
            sort_by: ``CreationTime``, ``Status`` or ``FinalObjectiveMetricValue`` (best
                first when Descending, candidates without a value last).
            sort_order: ``Ascending`` or ``Descending``.
            max_results: 1 to 100.
            next_token: The previous page's token.

        Returns:
            The candidates and the next page's token (None on the last page).

        Raises:
            NotFoundError: No such AutoML job.
            ValidationError: A bad ``max_results`` or ``next_token``.
        """
        from . import candidates as cand

        job = self._store.get_job(job_name, JobKind.AUTOML)
        if not 1 <= max_results <= MAX_PAGE:
            raise ValidationError(f"MaxResults must be 1 to {MAX_PAGE}", field="MaxResults")
        start = 0
        if next_token is not None:
            if not next_token.isdigit() or len(next_token) > 6:
                raise ValidationError("NextToken is not one this listing gave", field="NextToken")
            start = int(next_token)
        objective = ((job.outputs or {}).get("AutoMLJobObjective") or {}).get("MetricName")
        problem_type = (job.outputs or {}).get("ProblemType") or ""
        maximize = objective_maximizes(objective)
        items = [
            cand.candidate(
                j,
                objective=objective or "",
                maximize=maximize,
                problem_type=problem_type,
                arn=source_arn(j.job_name),
            )
            for j in cand.candidate_jobs(self._store, job_name)
        ]
        if status is not None:
            items = [i for i in items if i["CandidateStatus"] == status]
        if candidate_name is not None:
            items = [i for i in items if i["CandidateName"] == candidate_name]
        items = cand.sort_candidates(items, sort_by, sort_order == "Descending", maximize)
        page = items[start : start + max_results]
        more = start + max_results < len(items)
        return page, (str(start + max_results) if more else None)

    # -- life cycle ------------------------------------------------------------------------

    def recover(self) -> list[str]:
        """Carry on with the AutoML jobs a stopped studio left InProgress or Stopping."""
        carried: list[str] = []
        for status in (JobStatus.IN_PROGRESS, JobStatus.STOPPING):
            page = self._store.list_jobs(kind=JobKind.AUTOML, status=status, max_results=1000)
            for job in page.items:
                with self._lock:
                    if job.job_name in self._supervisors:
                        continue
                try:
                    body = parse_request(CreateAutoMLJobRequest, job.spec)
                    check_automl_request(body)
                except ValidationError as exc:
                    with contextlib.suppress(ConflictError, NotFoundError):
                        self._store.update_job(
                            job.job_name,
                            status=JobStatus.FAILED,
                            failure_reason=f"its request cannot be read again: {exc}",
                            end_time=utcnow(),
                        )
                    continue
                self._start(job, body)
                carried.append(job.job_name)
        return carried

    def wait(self, job_name: str, timeout: float | None = None) -> Job:
        """Wait for this studio's supervisor of ``job_name``; return the AutoML job."""
        with self._lock:
            supervisor = self._supervisors.get(job_name)
        if supervisor is not None:
            supervisor.join(timeout)
        return self._store.get_job(job_name, JobKind.AUTOML)

    def close(self, timeout: float = 5.0) -> None:
        """Let the supervisors go; their AutoML jobs carry on in the next studio."""
        with self._lock:
            supervisors = list(self._supervisors.values())
        for supervisor in supervisors:
            supervisor.detach()
        for supervisor in supervisors:
            supervisor.join(timeout)

    def _start(self, job: Job, body: CreateAutoMLJobRequest) -> None:
        from .supervisor import AutoMLSupervisor

        supervisor = AutoMLSupervisor(
            store=self._store,
            job=job,
            request=body,
            artifacts=self._artifacts,
            create_training_job=self._jobs.create_training_job,
            stop_training_job=lambda name: self._jobs.stop_job(name, JobKind.TRAINING),
            log_file=log_path(self._config, job.job_name, HOST),
            parallel=int(os.environ.get("MLSTUDIO_AUTOML_PARALLEL", DEFAULT_PARALLEL)),
        )
        with self._lock:
            self._supervisors[job.job_name] = supervisor
        supervisor.start()


def objective_maximizes(metric_name: str | None) -> bool:
    """Whether a larger value of the objective is better (the error metrics are not)."""
    return metric_name not in ("MSE", "RMSE", "MAE", "LogLoss")
