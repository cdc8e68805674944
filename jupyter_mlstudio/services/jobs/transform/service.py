"""Batch transform jobs (CreateTransformJob): the model's servers applied to files.

A request is checked whole before anything is recorded or started (the field is named:
the model, the input and output locations, strategy, payload, instance count, filters);
the job is then recorded (kind TransformJob, InProgress/Starting, the request as
``spec``) and a :class:`~.transform_job.TransformSupervisor` thread in this process runs
it on the studio's runtime (the same one endpoints use). Describe, logs and the job
statuses are those of training jobs. A transform job does not survive the studio: at
start-up :meth:`TransformService.recover` marks the ones left InProgress Failed (and
removes their model servers).

Thread-safe: the server calls these methods from its executor threads.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import threading
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from ....artifacts import open_artifact_store, transfer
from ....artifacts.base import ArtifactStore, normalize_path
from ....config import StudioConfig
from ....entities import (
    TERMINAL_JOB_STATUSES,
    Job,
    JobKind,
    JobStatus,
    Page,
    SecondaryStatus,
    SecondaryStatusTransition,
    utcnow,
)
from ....exceptions import ConflictError, NotFoundError, StudioError, ValidationError
from ....hosting.instances import VariantPlan, plan_variant
from ....hosting.pipeline import with_environment
from ....ownership import OwnerCheck
from ....runtime.base import JobRunner
from ....store.base import MetadataStore, SortOrder
from ..layout import job_dir, supervisor_alive
from ..requests import JobLogs, parse_request
from ..service import JobArtifact, JobService, artifact_content_type
from .requests import (
    CreateTransformJobRequest,
    TransformSettings,
    check_transform_request,
    tags_of,
)
from .supervisor import TransformSupervisor

log = logging.getLogger(__name__)

RESTART_REASON = (
    "the studio restarted while the transform job ran; transform jobs do not resume: start it again"
)
CLOSE_REASON = (
    "the studio stopped while the transform job ran; transform jobs do not resume: start it again"
)
_NAME_FIELD = "TransformJobName"


class TransformService:
    def __init__(
        self,
        store: MetadataStore,
        artifacts: ArtifactStore,
        config: StudioConfig,
        *,
        runner: Callable[[str], JobRunner],
        runtime_name: Callable[[], str],
        jobs: JobService,
        owner_check: OwnerCheck | None = None,
    ) -> None:
        self._owner_check = owner_check
        self._store = store
        self._artifacts = artifacts
        self._config = config
        self._runner = runner
        self._runtime_name = runtime_name
        self._jobs = jobs
        self._supervisors: dict[str, TransformSupervisor] = {}
        self._lock = threading.Lock()

    # -- read side --------------------------------------------------------------------------
    def get_transform_job(self, job_name: str) -> Job:
        return self._store.get_job(job_name, JobKind.TRANSFORM)

    def list_transform_jobs(
        self,
        *,
        status: JobStatus | None = None,
        name_contains: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[Job]:
        return self._store.list_jobs(
            kind=JobKind.TRANSFORM,
            status=status,
            name_contains=name_contains,
            sort_order=sort_order,
            max_results=max_results,
            next_token=next_token,
        )

    def read_logs(self, job_name: str, host: str = "algo-1", offset: int = 0) -> JobLogs:
        """An instance's log from byte ``offset`` on (as for training jobs)."""
        return self._jobs.read_logs(job_name, JobKind.TRANSFORM, host, offset)

    # -- create -------------------------------------------------------------------------------
    def create_transform_job(self, request: CreateTransformJobRequest | Mapping[str, Any]) -> Job:
        """Check, record and start a transform job; return it (InProgress, Starting).

        ValidationError (field named) and ConflictError (the name is taken) come before
        anything is written or started."""
        if self._owner_check is not None:
            self._owner_check.require(_NAME_FIELD)
        settings = check_transform_request(parse_request(CreateTransformJobRequest, request))
        name = settings.job_name
        if self._exists(name):
            raise ConflictError(f"a job named {name!r} exists already", field=_NAME_FIELD)
        runtime = self._runtime_name()
        runner = self._runner(runtime)
        plan = self._plan(settings, runtime, runner)
        output_uri = self._output_uri(settings)
        job = self._new_job(settings, runtime, output_uri)
        try:
            job = self._store.create_job(job)
        except ConflictError:
            raise ConflictError(f"a job named {name!r} exists already", field=_NAME_FIELD) from None
        shutil.rmtree(job_dir(self._config, name), ignore_errors=True)  # an older job's
        supervisor = TransformSupervisor(
            store=self._store,
            config=self._config,
            settings=settings,
            plan=plan,
            runner=runner,
            output_uri=output_uri,
        )
        with self._lock:
            self._supervisors[name] = supervisor
        supervisor.start()
        return job

    def _exists(self, name: str) -> bool:
        try:
            self._store.get_job(name)
        except NotFoundError:
            return False
        return True

    def _plan(self, settings: TransformSettings, runtime: str, runner: JobRunner) -> VariantPlan:
        try:
            model = self._store.get_model(settings.request.ModelName)
        except NotFoundError:
            raise ValidationError(
                f"Could not find model {settings.request.ModelName!r}", field="ModelName"
            ) from None
        try:
            plan = plan_variant(
                settings.job_name,
                model.model_name,
                model,
                settings.instance_count,
                settings.instance_type,
                runtime,
                field_prefix="TransformResources",
                timeout_s=settings.timeout_s,
            )
            check = getattr(runner, "check_image", None)
            images = {c.image for c in plan.containers} | {plan.image}
            for image in sorted(i for i in images if i):
                if check is not None:
                    check(image)
        except ValidationError as exc:
            field = exc.field or "ModelName"
            if not field.endswith(".InstanceType"):
                field = "ModelName"
            raise ValidationError(exc.message, field=field) from None
        extra = {**_batch_environment(settings), **settings.environment}
        return replace(
            plan,
            environment={**plan.environment, **extra},
            containers=with_environment(plan.containers, extra),  # every container of a pipeline
        )

    def _output_uri(self, settings: TransformSettings) -> str:
        uri = settings.output_uri
        if uri is None:
            return self._artifacts.uri_for(f"jobs/{settings.job_name}/output")
        if transfer.is_s3(uri):
            return uri.rstrip("/")
        path = transfer.local_path(uri, field="TransformOutput.S3OutputPath")
        if path.exists() and not path.is_dir():
            raise ValidationError(
                f"TransformOutput.S3OutputPath: {path} is a file, not a folder",
                field="TransformOutput.S3OutputPath",
            )
        return path.as_uri()

    def _new_job(self, settings: TransformSettings, runtime: str, output_uri: str) -> Job:
        now = utcnow()
        req = settings.request
        experiment = req.ExperimentConfig.ExperimentName if req.ExperimentConfig else None
        if experiment is not None:
            try:
                self._store.get_experiment(experiment)
            except NotFoundError:
                experiment = None
        count = settings.instance_count
        return Job(
            job_name=settings.job_name,
            kind=JobKind.TRANSFORM,
            status=JobStatus.IN_PROGRESS,
            secondary_status=SecondaryStatus.STARTING,
            runtime=runtime,
            spec=req.model_dump(mode="json", exclude_none=True),
            outputs={"TransformOutput": {"S3OutputPath": output_uri}},
            experiment_name=experiment,
            creation_time=now,
            last_modified_time=now,
            secondary_status_transitions=[
                SecondaryStatusTransition(
                    status=SecondaryStatus.STARTING,
                    start_time=now,
                    status_message=f"Starting {count} model server(s) for model {req.ModelName}",
                )
            ],
            tags=tags_of(req.Tags),
        )

    # -- stop ---------------------------------------------------------------------------------
    def stop_transform_job(self, job_name: str) -> Job:
        """Stopping now, Stopped once its model servers are gone. ConflictError when the
        job has already ended."""
        job = self._store.get_job(job_name, JobKind.TRANSFORM)
        if job.status in TERMINAL_JOB_STATUSES:
            raise ConflictError(
                f"transform job {job_name!r} is {job.status.value} and cannot be stopped",
                field=_NAME_FIELD,
            )
        if job.status is not JobStatus.STOPPING:
            self._store.update_job(
                job_name,
                status=JobStatus.STOPPING,
                secondary_status=SecondaryStatus.STOPPING,
                status_message="Stopping the transform job",
            )
        with self._lock:
            supervisor = self._supervisors.get(job_name)
        if supervisor is not None and supervisor.is_alive():
            supervisor.request_stop()
        elif not supervisor_alive(job_dir(self._config, job_name)):
            self._remove_servers(job)  # nobody runs it any more
            with contextlib.suppress(ConflictError):
                self._store.update_job(
                    job_name,
                    status=JobStatus.STOPPED,
                    secondary_status=SecondaryStatus.STOPPED,
                    status_message="Transform job stopped",
                    end_time=utcnow(),
                )
        # else another process (a notebook) runs it and sees Stopping in the store
        return self._store.get_job(job_name, JobKind.TRANSFORM)

    def wait(self, job_name: str, timeout: float | None = None) -> Job:
        """Wait until this process's supervisor of the job has finished (tests, SDK)."""
        with self._lock:
            supervisor = self._supervisors.get(job_name)
        if supervisor is not None:
            supervisor.join(timeout)
        return self._store.get_job(job_name, JobKind.TRANSFORM)

    # -- outputs ------------------------------------------------------------------------------
    def open_output(self, job_name: str, path: str) -> JobArtifact:
        """Open an output file of the job (``<input file>.out``) where it was written.
        NotFoundError until the job has written it; ArtifactPathError for escapes."""
        relative = normalize_path(path, field="ArtifactPath")
        job = self._store.get_job(job_name, JobKind.TRANSFORM)
        base = (job.outputs.get("TransformOutput") or {}).get("S3OutputPath")
        written = "OutputFileCount" in job.outputs  # set once the outputs are in place
        if not written or not base or not relative.endswith(".out"):
            raise NotFoundError(
                f"transform job {job_name!r} has no output file {relative!r}",
                field="ArtifactPath",
            )
        store = open_artifact_store(str(base))
        try:
            info = store.stat(relative)
            reader = store.open_read(relative)
        except BaseException:
            store.close()
            raise
        name = relative.rsplit("/", 1)[-1]
        return JobArtifact(reader, name, artifact_content_type(name), info.size, store)

    # -- start-up and shutdown ----------------------------------------------------------------
    def recover(self) -> list[str]:
        """Transform jobs left InProgress or Stopping by a studio that is gone: their
        model servers are removed; they end Failed (Stopped if a stop was asked)."""
        ended: list[str] = []
        for status in (JobStatus.IN_PROGRESS, JobStatus.STOPPING):
            token: str | None = None
            while True:
                page = self._store.list_jobs(
                    kind=JobKind.TRANSFORM, status=status, max_results=100, next_token=token
                )
                for job in page.items:
                    if self._recover_one(job):
                        ended.append(job.job_name)
                token = page.next_token
                if not token:
                    break
        return ended

    def _recover_one(self, job: Job) -> bool:
        with self._lock:
            if job.job_name in self._supervisors:
                return False
        if supervisor_alive(job_dir(self._config, job.job_name)):
            return False  # a notebook process runs it
        self._remove_servers(job)
        stopped = job.status is JobStatus.STOPPING
        with contextlib.suppress(ConflictError, NotFoundError):
            self._store.update_job(
                job.job_name,
                status=JobStatus.STOPPED if stopped else JobStatus.FAILED,
                secondary_status=SecondaryStatus.STOPPED if stopped else SecondaryStatus.FAILED,
                status_message="Transform job stopped" if stopped else RESTART_REASON,
                failure_reason=None if stopped else RESTART_REASON,
                end_time=utcnow(),
            )
        return True

    def _remove_servers(self, job: Job) -> None:
        try:
            runner = self._runner(job.runtime or self._runtime_name())
            for handle in runner.reattach(job.job_name):
                with contextlib.suppress(StudioError):
                    runner.stop(handle, grace_seconds=2.0)
                runner.cleanup(handle)
        except StudioError:
            log.warning("could not remove the model servers of transform job %s", job.job_name)
        shutil.rmtree(job_dir(self._config, job.job_name) / "instances", ignore_errors=True)

    def close(self, timeout: float = 15.0) -> None:
        """End the transform jobs this process runs (Failed: they do not resume)."""
        with self._lock:
            running = [s for s in self._supervisors.values() if s.is_alive()]
        for supervisor in running:
            supervisor.request_stop(CLOSE_REASON)
        for supervisor in running:
            supervisor.join(timeout)


def _batch_environment(settings: TransformSettings) -> dict[str, str]:
    """What SageMaker tells a batch transform container about the job."""
    env = {"SAGEMAKER_BATCH": "true"}
    if settings.max_payload_mb is not None:
        env["SAGEMAKER_MAX_PAYLOAD_IN_MB"] = str(settings.max_payload_mb)
    if settings.strategy is not None:
        env["SAGEMAKER_BATCH_STRATEGY"] = (
            "SINGLE_RECORD" if settings.strategy == "SingleRecord" else "MULTI_RECORD"
        )
    if settings.max_concurrent is not None:
        env["SAGEMAKER_MAX_CONCURRENT_TRANSFORMS"] = str(settings.max_concurrent)
    return env
