"""Jobs: listing and describing them, creating and stopping training and processing jobs,
their logs, downloading their published files (:meth:`JobService.open_artifact`).

A job is checked whole before anything is written or started (:mod:`.training_plan`,
:mod:`.processing`), recorded InProgress/Starting with its request as ``spec``, then
driven by a supervisor thread in this process (:mod:`.training`). The runtime is
the configured ``default_runtime`` (``auto``: docker when an engine answers, else process).
:meth:`JobService.recover` (at studio start) re-attaches jobs left InProgress whose
process or container still exists (also when it has ended meanwhile: its supervisor then
finishes it from its exit code and files, uploads included) and marks the others Failed.

Thread-safe: the server calls these methods from its executor threads.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import shutil
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from ...artifacts import open_artifact_store
from ...artifacts.base import ArtifactStore, guess_content_type, normalize_path
from ...config import StudioConfig
from ...entities import (
    TERMINAL_JOB_STATUSES,
    Job,
    JobKind,
    JobStatus,
    SecondaryStatus,
    SecondaryStatusTransition,
    utcnow,
)
from ...exceptions import ConflictError, NotFoundError, StudioError, ValidationError
from ...ownership import OwnerCheck
from ...runtime.base import JobHandle, JobRunner, Mount, decode_complete
from ...runtime.detect import available_runtimes, resolve_runtime
from ...store.base import MetadataStore
from . import analyzer, debugging, rule_jobs
from .layout import HOST, job_dir, jobs_root, log_path, supervisor_alive
from .processing import (
    ProcessingSupervisor,
    plan_processing_job,
    processing_spec,
    write_processing_folder,
)
from .requests import (
    CreateProcessingJobRequest,
    CreateTrainingJobRequest,
    JobLogs,
    parse_request,
)
from .runs import prepare_run, run_needed_before_launch
from .training import TrainingSupervisor
from .training_plan import LABEL_KIND, container_spec, plan_training_job, write_job_folder

RunnerFactory = Callable[[str], JobRunner]
LOST_REASON = "the studio restarted and the job's process or container no longer exists"
MAX_LOG_READ = 1024 * 1024


@dataclass
class JobArtifact:
    """A published file of a job, open for reading; :meth:`close` releases it."""

    reader: BinaryIO
    filename: str
    content_type: str
    size: int | None
    _store: ArtifactStore | None = field(default=None, repr=False)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.reader.close()
        if self._store is not None:
            with contextlib.suppress(Exception):
                self._store.close()


def artifact_content_type(name: str) -> str:
    """``model.tar.gz`` → ``application/gzip`` (never a gzip *encoding*), else by name."""
    lower = name.lower()
    if lower.endswith((".tar.gz", ".tgz", ".gz")):
        return "application/gzip"
    return guess_content_type(name) or "application/octet-stream"


@dataclass(frozen=True)
class _KindRules:
    """What differs between training and processing jobs."""

    request: type[Any]
    name_field: str
    image_field: str
    plan: Callable[..., Any]
    write_folder: Callable[[Any, Path, Path], Path]
    spec: Callable[..., Any]
    supervisor: type[TrainingSupervisor]


_KINDS: dict[JobKind, _KindRules] = {
    JobKind.TRAINING: _KindRules(
        CreateTrainingJobRequest,
        "TrainingJobName",
        "AlgorithmSpecification.TrainingImage",
        plan_training_job,
        write_job_folder,
        container_spec,
        TrainingSupervisor,
    ),
    JobKind.PROCESSING: _KindRules(
        CreateProcessingJobRequest,
        "ProcessingJobName",
        "AppSpecification.ImageUri",
        plan_processing_job,
        write_processing_folder,
        processing_spec,
        ProcessingSupervisor,
    ),
}


class JobService:
    def __init__(
        self,
        store: MetadataStore,
        artifacts: ArtifactStore | None = None,
        config: StudioConfig | None = None,
        *,
        runner_factory: RunnerFactory | None = None,
        owner_check: OwnerCheck | None = None,
    ) -> None:
        self._owner_check = owner_check
        self._store = store
        self._artifacts = artifacts
        self._config = config
        self._runner_factory = runner_factory
        self._runners: dict[str, JobRunner] = {}
        self._supervisors: dict[str, TrainingSupervisor] = {}
        self._lock = threading.RLock()
        self._runtime: str | None = None

    # -- read side ------------------------------------------------------------------------
    def get_job(self, job_name: str, kind: JobKind) -> Job:
        return self._store.get_job(job_name, kind)

    # -- runtimes -------------------------------------------------------------------------
    def _studio_config(self) -> StudioConfig:
        if self._config is None or self._artifacts is None:
            raise StudioError("this studio is read-only: it has no home folder for jobs")
        return self._config

    def runtime_name(self) -> str:
        with self._lock:
            if self._runtime is None:
                choice = self._studio_config().default_runtime
                runtimes = available_runtimes() if choice == "auto" else []
                self._runtime = resolve_runtime(choice, runtimes)
            return self._runtime

    def runner(self, name: str) -> JobRunner:
        with self._lock:
            runner = self._runners.get(name)
            if runner is None:
                runner = self._runners[name] = self._make_runner(name)
            return runner

    def _make_runner(self, name: str) -> JobRunner:
        if self._runner_factory is not None:
            return self._runner_factory(name)
        state_root = self._studio_config().home / "runtime" / name
        if name == "process":
            from ...runtime.process import ProcessRunner

            return ProcessRunner(state_root)
        if name == "docker":
            from ...runtime.docker import DockerRunner

            return DockerRunner(state_root)
        if name == "ray":
            from ...runtime.ray import RayRunner

            config = self._studio_config()
            return RayRunner(
                state_root,
                config.ray_address,
                artifact_root=config.artifact_root,
                shared_disk=config.ray_shared_disk,
            )
        raise ValidationError(f"unknown runtime {name!r}", field="runtime")

    # -- training jobs --------------------------------------------------------------------
    def create_training_job(self, request: CreateTrainingJobRequest | Mapping[str, Any]) -> Job:
        """Check, record and start a training job; return it (InProgress, Starting).

        ValidationError (field named) and ConflictError (the name is taken) come before
        anything is written or started.
        """
        return self._create(JobKind.TRAINING, request)

    def create_processing_job(
        self,
        request: CreateProcessingJobRequest | Mapping[str, Any],
        *,
        mounts: tuple[Mount, ...] = (),
    ) -> Job:
        """Check, record and start a processing job (as :meth:`create_training_job`);
        ``mounts`` are folders of the studio's it reads (a rule evaluation job's). A job
        that names Model Monitor's analyzer runs it on the process runtime (analyzer.py)."""
        body = parse_request(CreateProcessingJobRequest, request)
        analyzer_job = analyzer.as_analyzer_job(body)
        if analyzer_job is not None:
            return self._create(JobKind.PROCESSING, analyzer_job, mounts, analyzer.RUNTIME)
        return self._create(JobKind.PROCESSING, body, mounts)

    def _create(
        self,
        kind: JobKind,
        request: Any,
        mounts: tuple[Mount, ...] = (),
        runtime: str | None = None,
    ) -> Job:
        rules = _KINDS[kind]
        config = self._studio_config()
        if self._owner_check is not None:
            self._owner_check.require(rules.name_field)
        body = parse_request(rules.request, request)
        runtime = runtime or self.runtime_name()
        plan = rules.plan(body, runtime)
        if mounts:
            plan = dataclasses.replace(plan, mounts=mounts)
        assert self._artifacts is not None
        plan = debugging.with_debug_output(plan, self._artifacts.uri_for("jobs"))
        runner = self.runner(runtime)
        self._check_image(runner, plan, rules.image_field)
        taken = ConflictError(
            f"a job named {plan.job_name!r} exists already", field=rules.name_field
        )
        staging = jobs_root(config) / f".staging-{uuid.uuid4().hex}"
        final = job_dir(config, plan.job_name)
        # every job record has its folder: without one the insert below is the check
        # (a record left without its folder is found there, and the launch is undone)
        if final.exists():
            try:
                self._store.get_job(plan.job_name)
            except NotFoundError:
                pass
            else:
                raise taken
        named_run = run_needed_before_launch(plan)
        try:
            rules.write_folder(plan, staging, final)
            rules.spec(plan, runner, staging / "ml", config)  # env and limits are sound
            # a named run may be loaded by the script at once; the job's own run is
            # created by the supervisor right after the launch (job_runs module)
            owns_run = prepare_run(self._store, plan, kind) if named_run else None
            if named_run:
                job = self._create_record(plan, runtime, kind, taken)
            if final.exists():  # left by a job record that no longer exists
                shutil.rmtree(final)
            staging.rename(final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        supervisor = self._supervisor(kind, plan, runner, owns_run)
        # with nothing to download the hosts start here, before the job's record is
        # written: the interpreter's start then overlaps the store's insert (the name was
        # checked above; losing a race to another studio stops what was started)
        supervisor.launch_early()
        if not named_run:
            try:
                job = self._create_record(plan, runtime, kind, taken)
            except BaseException:
                supervisor.discard_launch()
                raise
        self._start(supervisor)
        debug = getattr(plan, "debug", None)
        if debug is not None and debug.rules:
            rule_jobs.start_rule_jobs(
                self._store, plan, debug, final, job.creation_time, self.create_processing_job
            )
        return job

    def _create_record(self, plan: Any, runtime: str, kind: JobKind, taken: Exception) -> Job:
        try:
            return self._store.create_job(self._new_job(plan, runtime, kind))
        except ConflictError:
            raise taken from None

    def _check_image(self, runner: JobRunner, plan: Any, field: str) -> None:
        check = getattr(runner, "check_image", None)  # the docker runner's image lookup
        if runner.name != "docker" or check is None:
            return
        from ...runtime.images import DEFAULT_TAG

        try:
            check(plan.image or DEFAULT_TAG)
        except ValidationError as exc:
            # a SageMaker framework image runs as the studio's: say so
            note = f" ({plan.image_note})" if plan.image_note else ""
            raise ValidationError(exc.message + note, field=field) from None

    def _new_job(self, plan: Any, runtime: str, kind: JobKind) -> Job:
        now = utcnow()
        debug = getattr(plan, "debug", None)
        return Job(
            job_name=plan.job_name,
            kind=kind,
            status=JobStatus.IN_PROGRESS,
            secondary_status=SecondaryStatus.STARTING,
            runtime=runtime,
            spec=plan.request.model_dump(mode="json", exclude_none=True),
            experiment_name=plan.run.experiment_name,
            trial_component_name=plan.run.trial_component_name,
            creation_time=now,
            last_modified_time=now,
            secondary_status_transitions=[
                SecondaryStatusTransition(
                    status=SecondaryStatus.STARTING,
                    start_time=now,
                    status_message="; ".join(
                        m for m in ("Preparing the instances", plan.image_note) if m
                    ),
                )
            ],
            tags={t.Key: t.Value for t in plan.request.Tags},
            outputs=debugging.initial_statuses(debug, now) if debug is not None else {},
        )

    def _supervise(
        self,
        kind: JobKind,
        plan: Any,
        runner: JobRunner,
        owns_run: bool | None,
        handles: list[JobHandle] | None = None,
    ) -> TrainingSupervisor:
        return self._start(self._supervisor(kind, plan, runner, owns_run, handles))

    def _supervisor(
        self,
        kind: JobKind,
        plan: Any,
        runner: JobRunner,
        owns_run: bool | None,
        handles: list[JobHandle] | None = None,
    ) -> TrainingSupervisor:
        assert self._artifacts is not None
        extra: dict[str, Any] = {}
        supervisor = _KINDS[kind].supervisor
        if kind is JobKind.PROCESSING and rule_jobs.is_rule_job(plan):
            supervisor = rule_jobs.RuleSupervisor
            extra["stopper"] = self._request_stop
        return supervisor(
            **extra,
            store=self._store,
            artifacts=self._artifacts,
            config=self._studio_config(),
            runner=runner,
            plan=plan,
            owns_run=owns_run,
            handles=handles,
        )

    def _start(self, supervisor: TrainingSupervisor) -> TrainingSupervisor:
        with self._lock:
            self._supervisors[supervisor.plan.job_name] = supervisor
        supervisor.start()
        return supervisor

    def _request_stop(self, job_name: str) -> bool:
        """Ask this process's supervisor of ``job_name`` to stop it; False when none."""
        with self._lock:
            supervisor = self._supervisors.get(job_name)
        if supervisor is None or not supervisor.is_alive():
            return False
        supervisor.request_stop()
        return True

    def stop_job(self, job_name: str, kind: JobKind = JobKind.TRAINING) -> Job:
        """Ask a job to stop: Stopping now, Stopped once its hosts have exited.

        ConflictError when the job is already Completed, Failed or Stopped."""
        job = self._store.get_job(job_name, kind)
        if job.status in TERMINAL_JOB_STATUSES:
            raise ConflictError(
                f"job {job_name!r} is {job.status.value} and cannot be stopped", field="JobName"
            )
        if job.status is not JobStatus.STOPPING:
            job = self._store.update_job(
                job_name,
                status=JobStatus.STOPPING,
                secondary_status=SecondaryStatus.STOPPING,
                status_message="Stopping the job",
            )
        with self._lock:
            supervisor = self._supervisors.get(job_name)
        if supervisor is not None and supervisor.is_alive():
            supervisor.request_stop()
        elif not supervisor_alive(job_dir(self._studio_config(), job_name)):
            self._stop_unsupervised(job)  # nobody watches it: stop it here
        # else another studio on this home supervises it (the owner, when this one does not
        # own the home, or a studio that does not own it and started the job): it reads
        # Stopping from the store and stops the hosts itself
        return self._store.get_job(job_name, kind)

    def _stop_unsupervised(self, job: Job) -> None:
        if job.runtime:
            runner = self.runner(job.runtime)
            for handle in runner.reattach(job.job_name):
                runner.stop(handle, grace_seconds=2.0)
                runner.cleanup(handle)
        self._store.update_job(
            job.job_name,
            status=JobStatus.STOPPED,
            secondary_status=SecondaryStatus.STOPPED,
            end_time=utcnow(),
        )

    def read_logs(
        self, job_name: str, kind: JobKind = JobKind.TRAINING, host: str = HOST, offset: int = 0
    ) -> JobLogs:
        """Log text from byte ``offset`` on (at most 1 MiB per call)."""
        if offset < 0:
            raise ValidationError("Offset must be at least 0", field="Offset")
        job = self._store.get_job(job_name, kind)
        path = log_path(self._studio_config(), job_name, host)
        data = b""
        size = 0
        if path.exists():
            with open(path, "rb") as handle:
                size = handle.seek(0, 2)
                handle.seek(min(offset, size))
                data = handle.read(MAX_LOG_READ)
        text, used = decode_complete(data)
        next_offset = min(offset, size) + used
        complete = job.status in TERMINAL_JOB_STATUSES and next_offset >= size
        return JobLogs(Text=text, NextOffset=next_offset, Complete=complete)

    # -- published files ------------------------------------------------------------------
    def open_artifact(self, job_name: str, kind: JobKind, path: str) -> JobArtifact:
        """Open a file the job published: for a training job ``model.tar.gz`` and
        ``output.tar.gz`` (or any file next to them, under ``<output path>/<job>/output``);
        for a processing job ``<OutputName>/<file>`` under that output's S3Uri.

        ArtifactPathError (field ArtifactPath) for paths that leave the job's files,
        NotFoundError when the job or the file does not exist (or nothing is published yet).
        """
        relative = normalize_path(path, field="ArtifactPath")
        job = self._store.get_job(job_name, kind)
        base = self._artifact_base(job, relative)
        if base is None:
            raise NotFoundError(f"job {job_name!r} has no file {relative!r}", field="ArtifactPath")
        base_uri, key = base
        store, own = self._store_for(base_uri)  # an ArtifactStore or a _PrefixedStore
        try:
            info = store.stat(key)
            if info.is_dir:
                raise NotFoundError(f"{relative!r} is a folder, not a file", field="ArtifactPath")
            reader = store.open_read(key)
        except NotFoundError:
            if own:
                store.close()
            raise NotFoundError(
                f"job {job_name!r} has no file {relative!r}", field="ArtifactPath"
            ) from None
        except BaseException:
            if own:
                store.close()
            raise
        name = key.rsplit("/", 1)[-1]
        return JobArtifact(
            reader, name, artifact_content_type(name), info.size, store if own else None
        )

    @staticmethod
    def _artifact_base(job: Job, relative: str) -> tuple[str, str] | None:
        """(the URI of the folder the file is in, its path below that folder)."""
        outputs = job.outputs or {}
        if job.kind is JobKind.AUTOML:  # its notebooks, by file name
            for uri in (outputs.get("AutoMLJobArtifacts") or {}).values():
                folder, _, name = str(uri).rpartition("/")
                if name == relative and folder:
                    return folder, relative
            return None
        if job.kind is JobKind.PROCESSING:
            name, _, rest = relative.partition("/")
            for item in outputs.get("ProcessingOutputs") or []:
                if item.get("OutputName") == name and item.get("S3Uri") and rest:
                    return str(item["S3Uri"]).rstrip("/"), rest
            return None
        model = (outputs.get("ModelArtifacts") or {}).get("S3ModelArtifacts")
        if not model or "/" not in str(model):
            return None
        return str(model).rsplit("/", 1)[0], relative

    def _store_for(self, base_uri: str) -> tuple[Any, bool]:
        """The store holding ``base_uri`` and whether the caller must close it. Below the
        studio's artifact root, the studio's store (with its S3 options) with a prefix."""
        studio = self._artifacts
        if studio is not None:
            root = studio.root_uri.rstrip("/")
            if base_uri == root or base_uri.startswith(root + "/"):
                prefix = base_uri[len(root) :].strip("/")
                return (_PrefixedStore(studio, prefix) if prefix else studio), False
        return open_artifact_store(base_uri), True

    def wait(self, job_name: str, timeout: float | None = None) -> Job:
        """Wait for this process's supervisor of ``job_name`` to finish; return the job."""
        with self._lock:
            supervisor = self._supervisors.get(job_name)
        if supervisor is not None:
            supervisor.join(timeout)
        return self._store.get_job(job_name)

    # -- start-up and shutdown ------------------------------------------------------------
    def recover(self) -> list[str]:
        """Re-attach or fail the jobs left InProgress/Stopping; return their names. Then
        remove what the runtimes still keep of jobs that have ended (a studio that died
        between a job's end and the clean-up of its hosts)."""
        if self._config is None or self._artifacts is None:
            return []
        seen: list[str] = []
        for kind, status in itertools.product(_KINDS, (JobStatus.IN_PROGRESS, JobStatus.STOPPING)):
            token: str | None = None
            while True:
                page = self._store.list_jobs(
                    kind=kind, status=status, max_results=100, next_token=token
                )
                for job in page.items:
                    if self._recover_one(job):
                        seen.append(job.job_name)
                token = page.next_token
                if not token:
                    break
        self._clean_ended()
        return seen

    def _clean_ended(self) -> None:
        """Clean up the hosts of ended training and processing jobs found in the runtimes'
        state folders (``<home>/runtime/<runtime>/<job>``)."""
        kinds = {kind.value for kind in _KINDS}  # the hosts' mlstudio.kind labels
        root = self._studio_config().home / "runtime"
        for folder in sorted(p for p in root.glob("*/*") if p.is_dir()):
            try:
                if self._store.get_job(folder.name).status not in TERMINAL_JOB_STATUSES:
                    continue
                runner = self.runner(folder.parent.name)
                for handle in runner.reattach(folder.name):
                    if handle.labels.get(LABEL_KIND) in kinds:
                        runner.cleanup(handle)
            except StudioError:  # no such job (an endpoint's hosts), or runtime
                continue

    def _recover_one(self, job: Job) -> bool:
        config = self._studio_config()
        with self._lock:
            if job.job_name in self._supervisors:
                return False
        if supervisor_alive(job_dir(config, job.job_name)):
            # a studio that does not own the home (a second JupyterLab on it) still runs
            # the jobs started through it, and finishes them: a second supervisor here
            # would finish the job twice
            return False
        handles = []
        if job.runtime:
            try:
                handles = self.runner(job.runtime).reattach(job.job_name)
            except StudioError:
                handles = []
        if not handles:
            self._store.update_job(
                job.job_name,
                status=JobStatus.FAILED,
                secondary_status=SecondaryStatus.FAILED,
                failure_reason=LOST_REASON,
                status_message=LOST_REASON,
                end_time=utcnow(),
            )
            debugging.write_ended(job_dir(config, job.job_name), JobStatus.FAILED)
            rule_jobs.record_lost(self._store, job, LOST_REASON)
            return True
        try:
            rules = _KINDS[job.kind]
            request = parse_request(rules.request, job.spec)
            plan = rules.plan(request, job.runtime or "process", check_paths=False)
        except ValidationError as exc:
            self._store.update_job(
                job.job_name,
                status=JobStatus.FAILED,
                failure_reason=f"cannot re-attach: {exc.message}",
                end_time=utcnow(),
            )
            return True
        # owns_run None: the supervisor finds (or, if the studio stopped before it could,
        # creates) the job's run
        self._supervise(job.kind, plan, self.runner(job.runtime or "process"), None, handles)
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Stop watching jobs (they keep running) and release the runners."""
        with self._lock:
            supervisors = list(self._supervisors.values())
        for supervisor in supervisors:
            supervisor.detach()
        for supervisor in supervisors:
            supervisor.join(timeout)
        with self._lock:
            runners = list(self._runners.values())
            self._runners.clear()
        for runner in runners:
            runner.close()


class _PrefixedStore:
    """The few reads :meth:`JobService.open_artifact` needs, below a prefix of a store."""

    def __init__(self, store: ArtifactStore, prefix: str) -> None:
        self._store = store
        self._prefix = prefix

    def stat(self, key: str) -> Any:
        return self._store.stat(f"{self._prefix}/{key}")

    def open_read(self, key: str) -> BinaryIO:
        return self._store.open_read(f"{self._prefix}/{key}")

    def close(self) -> None:
        return None
