"""Pipeline executions: start, describe, list, stop, retry, their steps, recover.

An execution is a job of kind ``PipelineExecution`` named by its execution id; its
``Spec`` holds the pipeline's name, the definition as it was at the start and the
parameters, its ``Outputs["Steps"]`` each step's record. A
:class:`~.executor.PipelineExecutor` thread in the studio that owns the home runs it.
"""

from __future__ import annotations

import contextlib
import secrets
import string
import threading
from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from typing import Any

from pydantic import Field

from ...entities import TERMINAL_JOB_STATUSES, Job, JobKind, JobStatus, utcnow
from ...entities.pipelines import pipeline_arn
from ...exceptions import ConflictError, NotFoundError, ValidationError
from ...ownership import OwnerCheck
from ...store.base import MetadataStore, Page, SortOrder
from ..hosting.records import HostingRecords
from ..jobs.requests import RequestModel, parse_request
from ..jobs.service import JobService
from ..jobs.transform.service import TransformService
from ..jobs.tuning.service import TuningService
from ..registry.service import RegistryService
from .definition import parse_definition
from .executor import (
    DONE,
    PipelineExecutor,
    StepRunners,
)
from .values import StepValueError, execution_parameters

NAME_FIELD = "PipelineExecutionArn"
#: execution status → SageMaker's PipelineExecutionStatus
EXECUTION_STATUS = {
    JobStatus.IN_PROGRESS: "Executing",
    JobStatus.STOPPING: "Stopping",
    JobStatus.STOPPED: "Stopped",
    JobStatus.FAILED: "Failed",
    JobStatus.COMPLETED: "Succeeded",
}
_ID_CHARS = string.ascii_lowercase + string.digits


class PipelineParameter(RequestModel):
    Name: str
    Value: Any


class StartPipelineExecutionRequest(RequestModel):
    PipelineParameters: list[PipelineParameter] = Field(default_factory=list, max_length=200)
    PipelineExecutionDisplayName: str | None = Field(None, max_length=82)
    PipelineExecutionDescription: str | None = Field(None, max_length=3072)


def register(registry: RegistryService, request: dict[str, Any]) -> dict[str, Any]:
    """A RegisterModel step's CreateModelPackage. A group named (not by ARN) that does not
    exist is created first, as SageMaker's register step does; a group ARN must exist."""
    named = str(request.get("ModelPackageGroupName") or "")
    if named and not named.startswith("arn:"):
        try:
            registry.describe_group(named)
        except NotFoundError:
            with contextlib.suppress(ConflictError):  # created meanwhile
                registry.create_group({"ModelPackageGroupName": named})
    return registry.create_package(request)


def execution_arn(pipeline_name: str, execution_id: str) -> str:
    return f"{pipeline_arn(pipeline_name)}/execution/{execution_id}"


def execution_id_of(arn_or_id: str) -> str:
    """An execution's id, given its ARN or its id."""
    return arn_or_id.rsplit("/", 1)[-1] if arn_or_id.startswith("arn:") else arn_or_id


def describe_execution(job: Job) -> dict[str, Any]:
    """DescribePipelineExecution's answer."""
    pipeline = job.spec.get("PipelineName", "")
    body: dict[str, Any] = {
        "PipelineArn": pipeline_arn(pipeline),
        "PipelineExecutionArn": execution_arn(pipeline, job.job_name),
        "PipelineExecutionStatus": EXECUTION_STATUS[job.status],
        "CreationTime": job.creation_time.isoformat(),
        "LastModifiedTime": job.last_modified_time.isoformat(),
        "PipelineParameters": [
            {"Name": k, "Value": v} for k, v in (job.spec.get("Parameters") or {}).items()
        ],
    }
    for key in ("PipelineExecutionDisplayName", "PipelineExecutionDescription"):
        if job.spec.get(key) is not None:
            body[key] = job.spec[key]
    if job.failure_reason:
        body["FailureReason"] = job.failure_reason
    return body


def execution_summary(job: Job) -> dict[str, Any]:
    """A PipelineExecutionSummary (ListPipelineExecutions)."""
    described = describe_execution(job)
    body: dict[str, Any] = {
        "PipelineExecutionArn": described["PipelineExecutionArn"],
        "PipelineExecutionStatus": described["PipelineExecutionStatus"],
        "StartTime": (job.start_time or job.creation_time).isoformat(),
    }
    if "PipelineExecutionDisplayName" in described:
        body["PipelineExecutionDisplayName"] = described["PipelineExecutionDisplayName"]
    if job.failure_reason:
        body["PipelineExecutionFailureReason"] = job.failure_reason
    return body


def execution_steps(job: Job) -> list[dict[str, Any]]:
    """ListPipelineExecutionSteps' PipelineExecutionSteps, newest first."""
    steps = []
    for name, record in (job.outputs.get("Steps") or {}).items():
        step: dict[str, Any] = {
            "StepName": name,
            "StepStatus": record["StepStatus"],
            "StartTime": record.get("StartTime"),
            "Metadata": record.get("Metadata") or {},
            "AttemptCount": record.get("AttemptCount", 1),
        }
        for key in ("EndTime", "FailureReason", "CacheHitResult"):
            if record.get(key):
                step[key] = record[key]
        steps.append(step)
    return sorted(steps, key=lambda s: s["StartTime"] or "", reverse=True)


class PipelineExecutions:
    """The pipeline executions of one studio.

    Args:
        store: The metadata store.
        jobs: The engine of the step jobs.
        hosting: Creates the models of Model steps (None: such steps fail).
        registry: Registers the versions of RegisterModel steps (None: such steps fail).
        transform: Runs the batch transform jobs of Transform steps (None: they fail).
        tuning: Runs the tuning jobs of Tuning steps (None: they fail).
        owner_check: Refuses starting in a studio that does not own its home.
    """

    def __init__(
        self,
        store: MetadataStore,
        jobs: JobService,
        *,
        hosting: HostingRecords | None = None,
        registry: RegistryService | None = None,
        transform: TransformService | None = None,
        tuning: TuningService | None = None,
        owner_check: OwnerCheck | None = None,
    ) -> None:
        self._store = store
        self._jobs = jobs
        self._tuning = tuning
        self._transform = transform
        self._hosting = hosting
        self._registry = registry
        self._owner_check = owner_check
        self._executors: dict[str, PipelineExecutor] = {}
        self._lock = threading.Lock()
        self._retrying = threading.Lock()

    def start(
        self, pipeline_name: str, request: Mapping[str, Any] | StartPipelineExecutionRequest
    ) -> dict[str, Any]:
        """StartPipelineExecution: the execution as DescribePipelineExecution answers.

        Raises:
            ValidationError: naming ``PipelineParameters[i].Name`` / ``.Value`` for an
                unknown parameter or a value of another type (nothing is started).
            NotFoundError: when there is no such pipeline.
        """
        if self._owner_check is not None:
            self._owner_check.require("PipelineName")
        body = parse_request(StartPipelineExecutionRequest, request)
        pipeline = self._store.get_pipeline(pipeline_name)
        definition = parse_definition(pipeline.pipeline_definition)
        parameters = execution_parameters(
            definition, [p.model_dump() for p in body.PipelineParameters]
        )
        execution_id = "".join(secrets.choice(_ID_CHARS) for _ in range(12))
        now = utcnow()
        spec = {
            "PipelineName": pipeline.pipeline_name,
            "PipelineArn": pipeline.pipeline_arn,
            "PipelineExecutionArn": execution_arn(pipeline.pipeline_name, execution_id),
            "PipelineDefinition": pipeline.pipeline_definition,
            "Parameters": parameters,
            "PipelineExecutionDisplayName": body.PipelineExecutionDisplayName,
            "PipelineExecutionDescription": body.PipelineExecutionDescription,
        }
        job = self._store.create_job(
            Job(
                job_name=execution_id,
                kind=JobKind.PIPELINE_EXECUTION,
                status=JobStatus.IN_PROGRESS,
                spec=spec,
                outputs={"Steps": {}},
                creation_time=now,
                start_time=now,
                last_modified_time=now,
            )
        )
        self._start(job)
        return describe_execution(job)

    def describe(self, execution: str) -> dict[str, Any]:
        """DescribePipelineExecution (by ARN or id)."""
        return describe_execution(self._get(execution))

    def list_executions(
        self,
        pipeline_name: str,
        *,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[dict[str, Any]]:
        """ListPipelineExecutions of a pipeline: PipelineExecutionSummaries, newest first
        (``next_token``: where the previous page ended)."""
        self._store.get_pipeline(pipeline_name)
        if not 1 <= max_results <= 100:
            raise ValidationError("MaxResults must be 1 to 100", field="MaxResults")
        start = 0
        if next_token is not None:
            if not next_token.isdigit() or len(next_token) > 6:
                raise ValidationError("NextToken is not one this listing gave", field="NextToken")
            start = int(next_token)
        jobs = self._store.list_jobs(
            kind=JobKind.PIPELINE_EXECUTION, sort_order=sort_order, max_results=1000
        ).items
        mine = [j for j in jobs if j.spec.get("PipelineName") == pipeline_name]
        items = [execution_summary(j) for j in mine[start : start + max_results]]
        more = start + max_results < len(mine)
        return Page(items=items, next_token=str(start + max_results) if more else None)

    def definition(self, execution: str) -> dict[str, Any]:
        """DescribePipelineDefinitionForExecution: the definition the execution started
        with (a later UpdatePipeline does not change it)."""
        job = self._get(execution)
        return {
            "PipelineDefinition": job.spec["PipelineDefinition"],
            "CreationTime": job.creation_time.isoformat(),
        }

    def list_steps(self, execution: str) -> list[dict[str, Any]]:
        """ListPipelineExecutionSteps."""
        return execution_steps(self._get(execution))

    def stop(self, execution: str) -> dict[str, Any]:
        """StopPipelineExecution: Stopping now (its running jobs are stopped), Stopped
        once they end.

        Raises:
            ConflictError: it has ended already.
        """
        job = self._get(execution)
        if job.status in TERMINAL_JOB_STATUSES:
            raise ConflictError(
                f"pipeline execution {job.job_name!r} is {EXECUTION_STATUS[job.status]}"
                " and cannot be stopped",
                field=NAME_FIELD,
            )
        job = self._store.update_job(job.job_name, status=JobStatus.STOPPING)
        with self._lock:
            executor = self._executors.get(job.job_name)
        if executor is not None:
            executor.request_stop()
        return describe_execution(job)

    def retry(self, execution: str) -> dict[str, Any]:
        """RetryPipelineExecution: run a Failed or Stopped execution again, from where it
        ended. Its succeeded steps are kept (their jobs are not run again); its failed,
        stopped and never-started steps run (with new job names: ``AttemptCount`` goes on
        counting); it is Executing again with the same definition and parameters.

        Args:
            execution: The execution's ARN or id.

        Returns:
            The execution as DescribePipelineExecution answers.

        Raises:
            NotFoundError: when there is no such execution.
            ConflictError: when it is not Failed or Stopped (naming its status).
        """
        if self._owner_check is not None:
            self._owner_check.require(NAME_FIELD)
        with self._retrying:  # two retries at once: the second finds it Executing
            job = self._get(execution)
            if job.status not in (JobStatus.FAILED, JobStatus.STOPPED):
                raise ConflictError(
                    f"pipeline execution {job.job_name!r} is {EXECUTION_STATUS[job.status]}:"
                    " only a Failed or Stopped execution can be retried",
                    field=NAME_FIELD,
                )
            with self._lock:
                ended = self._executors.pop(job.job_name, None)
            if ended is not None:
                ended.join(5.0)  # it has ended the execution: it only returns
            steps = job.outputs.get("Steps") or {}
            kept = {n: r for n, r in steps.items() if r.get("StepStatus") == "Succeeded"}
            attempts = dict(job.outputs.get("Attempts") or {})
            for name, record in steps.items():
                if name not in kept and record.get("StepStatus") in DONE:
                    attempts[name] = int(record.get("AttemptCount", 1))
            retries = int(job.outputs.get("Retries") or 0) + 1
            job = self._store.reopen_job(
                job.job_name, outputs={"Steps": kept, "Attempts": attempts, "Retries": retries}
            )
            try:
                self._start(job)
            except (ValidationError, KeyError) as exc:  # its record cannot be read again
                reason = f"its definition cannot be read again: {exc}"
                self._store.update_job(
                    job.job_name, status=JobStatus.FAILED, failure_reason=reason, end_time=utcnow()
                )
                raise ValidationError(reason, field=NAME_FIELD) from None
            return describe_execution(job)

    def stop_all(self, pipeline_name: str) -> list[str]:
        """Stop every execution of a pipeline still running (as DeletePipeline does);
        return their ids."""
        stopped = []
        for job in self._running_executions():
            if job.spec.get("PipelineName") == pipeline_name and (
                job.status is JobStatus.IN_PROGRESS
            ):
                with contextlib.suppress(ConflictError, NotFoundError):
                    self.stop(job.job_name)
                    stopped.append(job.job_name)
        return stopped

    def recover(self) -> list[str]:
        """Carry on with the executions a stopped studio left Executing or Stopping."""
        carried: list[str] = []
        for job in self._running_executions():
            with self._lock:
                if job.job_name in self._executors:
                    continue
            try:
                self._start(job)
            except (ValidationError, KeyError) as exc:  # a record it cannot read again
                reason = f"its definition cannot be read again: {exc}"
                with contextlib.suppress(ConflictError, NotFoundError):
                    self._store.update_job(
                        job.job_name,
                        status=JobStatus.FAILED,
                        failure_reason=reason,
                        end_time=utcnow(),
                    )
                continue
            if job.status is JobStatus.STOPPING:
                self._executors[job.job_name].request_stop()
            carried.append(job.job_name)
        return carried

    def wait(self, execution: str, timeout: float | None = None) -> dict[str, Any]:
        """Wait for this studio's executor of ``execution``; return its description."""
        execution_id = execution_id_of(execution)
        with self._lock:
            executor = self._executors.get(execution_id)
        if executor is not None:
            executor.join(timeout)
        return self.describe(execution_id)

    def close(self, timeout: float = 5.0) -> None:
        """Let the executors go; their executions carry on in the next studio."""
        with self._lock:
            executors = list(self._executors.values())
        for executor in executors:
            executor.detach()
        for executor in executors:
            executor.join(timeout)

    def _running_executions(self) -> list[Job]:
        """The executions Executing or Stopping."""
        found: list[Job] = []
        for status in (JobStatus.IN_PROGRESS, JobStatus.STOPPING):
            page = self._store.list_jobs(
                kind=JobKind.PIPELINE_EXECUTION, status=status, max_results=1000
            )
            found.extend(page.items)
        return found

    def _get(self, execution: str) -> Job:
        try:
            return self._store.get_job(execution_id_of(execution), JobKind.PIPELINE_EXECUTION)
        except (NotFoundError, ValidationError):
            raise NotFoundError(
                f"no pipeline execution is {execution!r}", field=NAME_FIELD
            ) from None

    def _start(self, job: Job) -> None:
        def create(kind: JobKind, request: dict[str, Any]) -> Job:
            if kind is JobKind.TRAINING:
                return self._jobs.create_training_job(request)
            if kind is JobKind.TRANSFORM:
                if self._transform is None:
                    raise StepValueError("Transform steps do not run in this studio")
                return self._transform.create_transform_job(request)
            if kind is JobKind.TUNING:
                if self._tuning is None:
                    raise StepValueError("Tuning steps do not run in this studio")
                return self._tuning.create_tuning_job(request)
            return self._jobs.create_processing_job(request)

        def stop(job_name: str, kind: JobKind) -> Any:
            if kind is JobKind.TRANSFORM and self._transform is not None:
                return self._transform.stop_transform_job(job_name)
            if kind is JobKind.TUNING and self._tuning is not None:
                return self._tuning.stop_tuning_job(job_name)
            return self._jobs.stop_job(job_name, kind)

        runners = StepRunners(create=create, stop=stop)
        if self._tuning is not None:
            tuning = self._tuning

            def training_jobs(job_name: str) -> list[dict[str, Any]]:
                items, _ = tuning.list_training_jobs(
                    job_name, sort_by="FinalObjectiveMetricValue", max_results=100
                )
                return items

            runners = replace(runners, training_jobs=training_jobs)
        hosting, registry = self._hosting, self._registry
        if hosting is not None:

            def create_model(request: dict[str, Any]) -> dict[str, Any]:
                try:
                    model = hosting.create_model(request)
                except ConflictError:  # created just before a restart
                    model = self._store.get_model(request["ModelName"])
                return {
                    "ModelName": model.model_name,
                    "PrimaryContainer": request.get("PrimaryContainer", {}),
                    "CreationTime": model.creation_time.isoformat(),
                }

            runners = replace(runners, create_model=create_model)
        if registry is not None:
            runners = replace(runners, register=partial(register, registry))
        executor = PipelineExecutor(
            store=self._store,
            execution=job,
            definition=parse_definition(job.spec["PipelineDefinition"]),
            parameters=dict(job.spec.get("Parameters") or {}),
            runners=runners,
        )
        with self._lock:
            self._executors[job.job_name] = executor
        executor.start()
