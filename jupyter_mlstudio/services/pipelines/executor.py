"""The thread that runs one pipeline execution: it starts the steps whose predecessors
have succeeded (at most ``PARALLEL`` jobs at once), resolves their arguments against the
finished steps, evaluates conditions, and ends the execution.

Everything it knows is in the store: each step's status, times, metadata and job name are
kept in the execution's ``Outputs["Steps"]``, so a restarted studio carries the execution
on from its finished steps and adopts the jobs still running (job names are derived from
the execution, the step and the attempt, so a job started just before a restart is found
again).

A step whose attempt failed in a way one of its ``RetryPolicies`` names (see
:mod:`.retry`) stays Executing with a ``RetryAt`` time in its record; the loop starts the
next attempt (a new job, named with ``-<attempt>``) once that time has come, without
blocking a stop. ``AttemptCount`` counts the step's attempts (kept across a restart).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ...artifacts import transfer
from ...entities import TERMINAL_JOB_STATUSES, Job, JobKind, JobStatus, utcnow
from ...entities.registry import ARN_PREFIX
from ...exceptions import ConflictError, NotFoundError, StudioError
from ...store.base import MetadataStore
from .cache import cache_key, cached_step, expire_after
from .definition import Definition, StepInfo
from .retry import (
    RETRIED_STEP_TYPES,
    STEP_SERVICE_FAULT,
    exception_types,
    failure_types,
    retry_delay,
)
from .values import Scope, StepValueError, outcome, resolve

log = logging.getLogger(__name__)

#: Seconds between two looks at the running jobs.
POLL_SECONDS = 0.1
#: Most step jobs of one execution running at once.
PARALLEL = 4
#: step type → (job kind, the request field naming the job, the Metadata key)
JOB_STEPS: dict[str, tuple[JobKind, str, str]] = {
    "Training": (JobKind.TRAINING, "TrainingJobName", "TrainingJob"),
    "Processing": (JobKind.PROCESSING, "ProcessingJobName", "ProcessingJob"),
    "Transform": (JobKind.TRANSFORM, "TransformJobName", "TransformJob"),
    "Tuning": (JobKind.TUNING, "HyperParameterTuningJobName", "TuningJob"),
}
#: a job kind → its ARN's resource type
_ARN_TYPE = {
    JobKind.TRAINING: "training-job",
    JobKind.PROCESSING: "processing-job",
    JobKind.TRANSFORM: "transform-job",
    JobKind.TUNING: "hyper-parameter-tuning-job",
}
#: SageMaker's longest tuning job name
TUNING_NAME_MAX = 32
_STATUS = {
    JobStatus.COMPLETED: "Succeeded",
    JobStatus.FAILED: "Failed",
    JobStatus.STOPPED: "Stopped",
}
DONE = frozenset({"Succeeded", "Failed", "Stopped"})


def step_job_name(execution_id: str, step_name: str, attempt: int = 1) -> str:
    """``pipelines-<execution id>-<step>-<hash>``, at most 63 characters (a job's name);
    ``-<attempt>`` is added from the second attempt on."""
    digest = hashlib.sha256(f"{execution_id}/{step_name}".encode()).hexdigest()[:10]
    suffix = f"-{attempt}" if attempt > 1 else ""
    prefix = f"pipelines-{execution_id}-"
    room = 63 - len(prefix) - len(digest) - 1 - len(suffix)
    middle = step_name.replace("_", "-")[:room].strip("-")
    return f"{prefix}{middle}-{digest}{suffix}" if middle else f"{prefix}{digest}{suffix}"


def tuning_job_name(execution_id: str, step_name: str, attempt: int = 1) -> str:
    """``<execution id>-<step>-<hash>`` in the 32 characters a tuning job's name has
    (``-<attempt>`` added from the second attempt on)."""
    digest = hashlib.sha256(f"{execution_id}/{step_name}".encode()).hexdigest()[:8]
    suffix = f"-{attempt}" if attempt > 1 else ""
    room = TUNING_NAME_MAX - len(execution_id) - len(digest) - 2 - len(suffix)
    middle = step_name.replace("_", "-")[:room].strip("-")
    if not middle:
        return f"{execution_id}-{digest}{suffix}"
    return f"{execution_id}-{middle}-{digest}{suffix}"


def job_properties(job: Job) -> dict[str, Any]:
    """A finished job step's properties: its Describe* fields (request, then outputs)."""
    properties: dict[str, Any] = {**job.spec, **job.outputs}
    published = {
        o.get("OutputName"): o.get("S3Uri") for o in job.outputs.get("ProcessingOutputs", [])
    }
    config = job.spec.get("ProcessingOutputConfig")
    if config:  # where each output was published, in the request's shape
        outputs = []
        for output in config.get("Outputs", []):
            uri = published.get(output.get("OutputName"))
            if uri:
                output = {**output, "S3Output": {**output.get("S3Output", {}), "S3Uri": uri}}
            outputs.append(output)
        properties["ProcessingOutputConfig"] = {**config, "Outputs": outputs}
    return properties


@dataclass(frozen=True)
class StepRunners:
    """What the executor calls to run steps.

    Attributes:
        create: Starts a job of a kind from its request.
        stop: Asks a job to stop.
        create_model: CreateModel (a Model step); returns the model's properties (None:
            Model steps fail).
        register: CreateModelPackage (a RegisterModel step); returns DescribeModelPackage
            (None: RegisterModel steps fail).
        training_jobs: A tuning job's TrainingJobSummaries, best first (a Tuning step's
            ``TrainingJobSummaries`` property).
    """

    create: Callable[[JobKind, dict[str, Any]], Job]
    stop: Callable[[str, JobKind], Any]
    create_model: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    register: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    training_jobs: Callable[[str], list[dict[str, Any]]] | None = None


class PipelineExecutor(threading.Thread):
    """Runs the execution ``execution`` until it ends, or until :meth:`detach`.

    Args:
        store: The metadata store.
        execution: The execution's job record (kind PipelineExecution).
        definition: The pipeline's checked definition (as it was at the start).
        parameters: The execution's parameters.
        runners: Starts and stops step jobs.
    """

    def __init__(
        self,
        *,
        store: MetadataStore,
        execution: Job,
        definition: Definition,
        parameters: dict[str, Any],
        runners: StepRunners,
    ) -> None:
        super().__init__(name=f"pipeline-{execution.job_name}", daemon=True)
        self.store = store
        self.execution_id = execution.job_name
        self.definition = definition
        self.runners = runners
        self.steps: dict[str, dict[str, Any]] = dict(execution.outputs.get("Steps") or {})
        #: step → the attempts it made in the runs before a RetryPipelineExecution
        self.attempts_before: dict[str, int] = dict(execution.outputs.get("Attempts") or {})
        #: finished step jobs' properties by job name, and the pipeline's other executions
        self._ended_jobs: dict[str, dict[str, Any]] = {}
        self._earlier: list[Job] | None = None
        self._stop_asked = threading.Event()
        self._let_go = threading.Event()
        pipeline = execution.spec.get("PipelineName", "")
        self.scope = Scope(
            parameters=parameters,
            execution={
                "PipelineExecutionId": self.execution_id,
                "PipelineExecutionArn": execution.spec.get("PipelineExecutionArn", ""),
                "PipelineName": pipeline,
                "PipelineArn": execution.spec.get("PipelineArn", ""),
                "StartDateTime": (execution.start_time or execution.creation_time).isoformat(),
                "CurrentDateTime": utcnow().isoformat(),
            },
            properties=self._properties,
            property_file=self._property_file,
        )
        #: branch step → (its condition, "IfSteps" or "ElseSteps")
        self.branch_of: dict[str, tuple[str, str]] = {}
        for info in definition.steps.values():
            if info.type == "Condition":
                for branch in ("IfSteps", "ElseSteps"):
                    for step in info.step.get("Arguments", {}).get(branch, []):
                        self.branch_of[step["Name"]] = (info.name, branch)

    # -- control ---------------------------------------------------------------------------

    def request_stop(self) -> None:
        self._stop_asked.set()

    def detach(self) -> None:
        """Let go without ending the execution (the studio is closing)."""
        self._let_go.set()

    # -- the loop --------------------------------------------------------------------------

    def run(self) -> None:
        try:
            self._loop()
        except Exception as exc:  # never leave an execution Executing for nothing
            log.exception("pipeline execution %s", self.execution_id)
            self._end(JobStatus.FAILED, f"the executor failed: {exc}")

    def _loop(self) -> None:
        while not self._let_go.is_set():
            self._poll()
            failed = next((n for n, s in self.steps.items() if s["StepStatus"] == "Failed"), None)
            if self._stop_asked.is_set() or failed is not None:
                self._stop_running()
                if self._running():
                    self._let_go.wait(POLL_SECONDS)
                    continue
                if failed is not None and not self._stop_asked.is_set():
                    reason = self.steps[failed].get("FailureReason") or "it failed"
                    self._end(JobStatus.FAILED, f"Step {failed} failed: {reason}")
                else:
                    self._end(JobStatus.STOPPED, None)
                return
            started = self._start_ready()
            if not started and not self._running():
                self._end(JobStatus.COMPLETED, None)
                return
            if not started:
                self._let_go.wait(POLL_SECONDS)

    def _running(self) -> list[str]:
        return [n for n, s in self.steps.items() if s["StepStatus"] not in DONE]

    def _poll(self) -> None:
        for name in self._running():
            record = self.steps[name]
            if "RetryAt" in record:
                due = datetime.fromisoformat(record["RetryAt"]) <= utcnow()
                if due and not self._stop_asked.is_set():
                    self._start(self.definition.steps[name], self.steps.pop(name))
                continue
            info = self.definition.steps[name]
            kind = JOB_STEPS[info.type][0]
            try:
                job = self.store.get_job(record["JobName"], kind)
            except NotFoundError:
                if record["StepStatus"] == "Starting":  # named, not started: start it again
                    if record.get("AttemptCount", 1) > 1:  # a retry: the same attempt
                        record["AttemptCount"] -= 1
                        record["Retries"] = record.get("Retries", 1) - 1
                        record["RetryAt"] = utcnow().isoformat()
                    else:
                        del self.steps[name]
                    continue
                reason = f"its job {record['JobName']} is gone"
                if not self._retry_later(info, record, {STEP_SERVICE_FAULT}, reason):
                    self._finish(name, "Failed", reason)
                continue
            if job.status in TERMINAL_JOB_STATUSES:
                if job.status is JobStatus.FAILED:
                    types = failure_types(job.failure_reason, info.type)
                    if self._retry_later(info, record, types, job.failure_reason):
                        continue
                self._finish(name, _STATUS[job.status], job.failure_reason)
            elif record["StepStatus"] == "Starting":
                record["StepStatus"] = "Executing"
                self._publish()

    def _ready(self) -> list[StepInfo]:
        ready = []
        for info in self.definition.steps.values():
            if info.name in self.steps or info.name in self._skipped():
                continue
            if all(self.steps.get(a, {}).get("StepStatus") == "Succeeded" for a in info.after):
                ready.append(info)
        return ready

    def _skipped(self) -> set[str]:
        """Steps that will not run: an untaken branch and what waits for it."""
        skipped: set[str] = set()
        changed = True
        while changed:
            changed = False
            for info in self.definition.steps.values():
                if info.name in skipped or info.name in self.steps:
                    continue
                branch = self.branch_of.get(info.name)
                untaken = False
                if branch is not None:
                    condition = self.steps.get(branch[0])
                    if condition is not None and condition["StepStatus"] == "Succeeded":
                        taken = condition["Metadata"]["Condition"]["Outcome"] == "True"
                        untaken = (branch[1] == "IfSteps") != taken
                if untaken or info.after & skipped:
                    skipped.add(info.name)
                    changed = True
        return skipped

    def _start_ready(self) -> bool:
        started = False
        for info in self._ready():
            if info.type in JOB_STEPS and len(self._running()) >= PARALLEL:
                continue
            started = True
            self._start(info)
            if any(s["StepStatus"] == "Failed" for s in self.steps.values()):
                break
        return started

    def _start(self, info: StepInfo, previous: dict[str, Any] | None = None) -> None:
        """Start a step; ``previous``: the record of its attempt that failed (a retry)."""
        now = utcnow().isoformat()
        record: dict[str, Any] = {"StepStatus": "Starting", "StartTime": now, "Metadata": {}}
        if previous is not None:
            record.update(
                StartTime=previous["StartTime"],
                AttemptCount=previous.get("AttemptCount", 1) + 1,
                Retries=previous.get("Retries", 0) + 1,
                FailedAttempts=previous.get("FailedAttempts", []),
            )
        else:  # a step re-run by RetryPipelineExecution: its jobs get new names
            record["AttemptCount"] = self.attempts_before.get(info.name, 0) + 1
        self.steps[info.name] = record
        arguments = info.step.get("Arguments", {})
        try:
            if info.type == "Condition":
                result = outcome(arguments, self.scope)
                record["Metadata"] = {"Condition": {"Outcome": "True" if result else "False"}}
                record.update(StepStatus="Succeeded", EndTime=now)
            elif info.type == "Fail":
                message = resolve(arguments.get("ErrorMessage", ""), self.scope)
                record["Metadata"] = {"Fail": {"ErrorMessage": str(message)}}
                record.update(StepStatus="Failed", EndTime=now, FailureReason=str(message))
            elif info.type in JOB_STEPS:
                self._start_job(info, record, resolve(arguments, self.scope))
            elif info.type == "Model":
                request = {
                    **resolve(arguments, self.scope),
                    "ModelName": step_job_name(
                        self.execution_id, info.name, record["AttemptCount"]
                    ),
                }
                properties = self._runner(self.runners.create_model, info)(request)
                arn = f"{ARN_PREFIX}:model/{properties['ModelName']}"
                record.update(Metadata={"Model": {"Arn": arn}}, Properties=properties)
                record.update(StepStatus="Succeeded", EndTime=utcnow().isoformat())
            elif info.type == "RegisterModel":
                register = self._runner(self.runners.register, info)
                properties = register(resolve(arguments, self.scope))
                arn = properties["ModelPackageArn"]
                record.update(Metadata={"RegisterModel": {"Arn": arn}}, Properties=properties)
                record.update(StepStatus="Succeeded", EndTime=utcnow().isoformat())
            else:
                raise StepValueError(f"{info.type} steps do not run in the studio yet")
        except (StepValueError, StudioError) as exc:
            reason = getattr(exc, "message", None) or str(exc)
            if not self._retry_later(info, record, exception_types(exc), reason):
                record.update(StepStatus="Failed", EndTime=utcnow().isoformat())
                record["FailureReason"] = reason
        self._publish()

    def _retry_later(
        self, info: StepInfo, record: dict[str, Any], types: Any, reason: str | None
    ) -> bool:
        """When a policy of the step retries this failure: note the failed attempt and
        when the next one starts (``RetryAt``); the step stays Executing."""
        if info.type not in RETRIED_STEP_TYPES or self._stop_asked.is_set():
            return False
        retries = record.get("Retries", 0)
        elapsed = (utcnow() - datetime.fromisoformat(record["StartTime"])).total_seconds()
        delay = retry_delay(info.step.get("RetryPolicies") or [], types, retries, elapsed)
        if delay is None:
            return False
        failed = {"AttemptCount": record.get("AttemptCount", 1), "FailureReason": reason or ""}
        if "JobName" in record:
            failed["JobName"] = record["JobName"]
        record["FailedAttempts"] = [*record.get("FailedAttempts", []), failed]
        record.update(
            StepStatus="Executing",
            RetryAt=(utcnow() + timedelta(seconds=delay)).isoformat(),
            Retries=retries,
        )
        log.info("step %s of %s failed (%s): retried", info.name, self.execution_id, reason)
        self._publish()
        return True

    def _from_cache(self, info: StepInfo, record: dict[str, Any], ttl: Any) -> bool:
        """Take an earlier execution's result of this step, when there is one."""
        hit = cached_step(self._earlier_executions(), info.name, record["CacheKey"], utcnow(), ttl)
        if hit is None:
            return False
        source, cached = hit
        # the execution where the job ran (a hit of a hit names the first)
        origin = (cached.get("CacheHitResult") or {}).get("SourcePipelineExecutionArn")
        record.update(
            StepStatus="Succeeded",
            EndTime=utcnow().isoformat(),
            JobName=cached["JobName"],
            Metadata=cached.get("Metadata") or {},
            CacheHitResult={
                "SourcePipelineExecutionArn": origin or source.spec.get("PipelineExecutionArn", "")
            },
        )
        return True

    def _earlier_executions(self) -> list[Job]:
        """The pipeline's other executions, every page, read once per run of this one (a
        step of an execution that ends meanwhile is not a cache source for it)."""
        if self._earlier is None:
            pipeline = self.scope.execution["PipelineName"]
            found: list[Job] = []
            token: str | None = None
            while True:
                page = self.store.list_jobs(
                    kind=JobKind.PIPELINE_EXECUTION, max_results=1000, next_token=token
                )
                found.extend(
                    j
                    for j in page.items
                    if j.job_name != self.execution_id and j.spec.get("PipelineName") == pipeline
                )
                token = page.next_token
                if not token:
                    break
            self._earlier = found
        return self._earlier

    @staticmethod
    def _runner(
        runner: Callable[[dict[str, Any]], dict[str, Any]] | None, info: StepInfo
    ) -> Callable[[dict[str, Any]], dict[str, Any]]:
        if runner is None:
            raise StepValueError(f"{info.type} steps do not run in this studio")
        return runner

    def _start_job(self, info: StepInfo, record: dict[str, Any], arguments: Any) -> None:
        kind, field, key = JOB_STEPS[info.type]
        cache = info.step.get("CacheConfig") or {}
        if cache.get("Enabled") is True:
            record["CacheKey"] = cache_key(info.type, arguments)
            if self._from_cache(info, record, expire_after(cache.get("ExpireAfter"))):
                return
        attempt = record["AttemptCount"]
        if kind is JobKind.TUNING:
            name = tuning_job_name(self.execution_id, info.name, attempt)
        else:
            name = step_job_name(self.execution_id, info.name, attempt)
        record["JobName"] = name
        request = {**arguments, field: name}
        self._publish()  # the name is kept before the job exists: a restart finds it
        try:
            job = self.runners.create(kind, request)
        except ConflictError:
            job = self.store.get_job(name, kind)  # started before a restart
        record["Metadata"] = {key: {"Arn": f"{ARN_PREFIX}:{_ARN_TYPE[kind]}/{job.job_name}"}}

    def _finish(self, name: str, status: str, reason: str | None) -> None:
        record = self.steps[name]
        record.update(StepStatus=status, EndTime=utcnow().isoformat())
        if reason and status != "Succeeded":
            record["FailureReason"] = reason
        self._publish()

    def _stop_running(self) -> None:
        for name in self._running():
            record = self.steps[name]
            if record.pop("RetryAt", None) is not None:  # waiting for its next attempt
                self._finish(name, "Stopped", None)
                continue
            if record["StepStatus"] == "Stopping":
                continue
            record["StepStatus"] = "Stopping"
            kind = JOB_STEPS[self.definition.steps[name].type][0]
            with contextlib.suppress(ConflictError, NotFoundError):
                self.runners.stop(record["JobName"], kind)
            self._publish()

    # -- values ----------------------------------------------------------------------------

    def _job_of(self, step: str) -> Job:
        info = self.definition.steps[step]
        return self.store.get_job(self.steps[step]["JobName"], JOB_STEPS[info.type][0])

    def _properties(self, step: str) -> dict[str, Any]:
        record = self.steps.get(step) or {}
        if "Properties" in record:  # a Model or RegisterModel step: kept with the step
            return dict(record["Properties"])
        if "JobName" in record:
            known = self._ended_jobs.get(record["JobName"])
            if known is not None:
                return dict(known)
            job = self._job_of(step)
            properties = job_properties(job)
            if job.kind is JobKind.TUNING and self.runners.training_jobs is not None:
                properties["TrainingJobSummaries"] = self.runners.training_jobs(job.job_name)
            if job.status is JobStatus.COMPLETED:  # it changes no more: read it once
                self._ended_jobs[job.job_name] = properties
            return dict(properties)
        return dict(record.get("Metadata", {}).get("Condition", {}))

    def _property_file(self, step: str, name: str) -> Any:
        info = self.definition.steps[step]
        spec = next(f for f in info.step.get("PropertyFiles", []) if f["PropertyFileName"] == name)
        outputs = job_properties(self._job_of(step))["ProcessingOutputConfig"]["Outputs"]
        output = next((o for o in outputs if o.get("OutputName") == spec["OutputName"]), None)
        if output is None:
            raise StepValueError(f"step {step!r} has no output {spec['OutputName']!r}")
        uri = f"{output['S3Output']['S3Uri'].rstrip('/')}/{spec['FilePath']}"
        with tempfile.TemporaryDirectory() as folder:
            try:
                transfer.fetch(uri, Path(folder))
                return json.loads((Path(folder) / uri.rsplit("/", 1)[1]).read_text())
            except (OSError, ValueError, StudioError) as exc:
                raise StepValueError(
                    f"property file {name!r} ({uri}) cannot be read: {exc}"
                ) from None

    # -- records ---------------------------------------------------------------------------

    def _publish(self) -> None:
        with contextlib.suppress(ConflictError):
            self.store.update_job(self.execution_id, outputs={"Steps": self.steps})

    def _end(self, status: JobStatus, reason: str | None) -> None:
        with contextlib.suppress(ConflictError, NotFoundError):
            self.store.update_job(
                self.execution_id,
                status=status,
                failure_reason=reason,
                outputs={"Steps": self.steps},
                end_time=utcnow(),
            )
