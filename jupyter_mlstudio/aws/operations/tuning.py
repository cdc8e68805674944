"""Hyperparameter tuning jobs: CreateHyperParameterTuningJob,
DescribeHyperParameterTuningJob, ListHyperParameterTuningJobs,
StopHyperParameterTuningJob, ListTrainingJobsForHyperParameterTuningJob.

Over the studio's tuning jobs (``Studio.tuning``, ``Studio.job_kinds``), so a tuning job
created here shows in the Jobs section and its training jobs are ordinary training jobs
(``<tuning job>-<NNN>-<8 hex>``, described by DescribeTrainingJob). The training job
definition is read as CreateTrainingJob reads a request (:func:`.training.training_request`):
script mode from the ``sagemaker_program`` and ``sagemaker_submit_directory`` static
hyperparameters, SageMaker's framework image URIs run as the studio's images. A source
archive is unpacked under the studio home (``aws-sources/``), since the tuner starts
training jobs from it for as long as the tuning job runs.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from ...entities import Job, JobKind, JobStatus
from ...services.jobs.tuning.requests import (
    CreateHyperParameterTuningJobRequest,
    TrainingJobDefinitionSpec,
)
from ..errors import RESOURCE_NOT_FOUND, AwsError, validation
from ..jobs import JobApi, list_jobs, project, stop_job
from ..registry import SAGEMAKER, Call
from .training import training_request

TUNING = JobApi(
    kind=JobKind.TUNING,
    resource="hyper-parameter-tuning-job",
    prefix="HyperParameterTuningJob",
    image_field="TrainingJobDefinition.AlgorithmSpecification.TrainingImage",
    start_member="HyperParameterTuningStartTime",  # no such member: dropped from answers
    end_member="HyperParameterTuningEndTime",
)
#: where source archives of tuning jobs are unpacked, under the studio home
SOURCES = "aws-sources"
#: TrainingJobDefinition members of several-definition tuning the studio does not run
_MULTI = ("DefinitionName", "TuningObjective", "HyperParameterRanges")
_ZERO_STATUS = {
    "Completed": 0,
    "InProgress": 0,
    "RetryableError": 0,
    "NonRetryableError": 0,
    "Stopped": 0,
}
_ZERO_OBJECTIVES = {"Succeeded": 0, "Pending": 0, "Failed": 0}


@SAGEMAKER.operation("CreateHyperParameterTuningJob")
def create_hyper_parameter_tuning_job(call: Call) -> dict[str, Any]:
    """Create and start a tuning job (one TrainingJobDefinition; Bayesian, Random,
    Hyperband or Grid).

    Args:
        call: A CreateHyperParameterTuningJob request.

    Returns:
        ``HyperParameterTuningJobArn``.
    """
    params = call.params
    name = params["HyperParameterTuningJobName"]
    if params.get("TrainingJobDefinitions"):
        raise validation(
            "TrainingJobDefinitions: the studio tunes one training job definition;"
            " give TrainingJobDefinition"
        )
    definition = params.get("TrainingJobDefinition")
    if not definition:
        raise validation("TrainingJobDefinition: the training jobs' definition is required")
    for member in _MULTI:
        if definition.get(member):
            raise validation(f"TrainingJobDefinition.{member} is not supported by the studio")
    if definition.get("HyperParameterTuningResourceConfig") and not definition.get(
        "ResourceConfig"
    ):
        raise validation(
            "TrainingJobDefinition.HyperParameterTuningResourceConfig is not supported by the"
            " studio; give ResourceConfig"
        )
    root = call.studio.config.home / SOURCES
    root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"{name[:32]}-", dir=root))
    try:
        request = project(CreateHyperParameterTuningJobRequest, params)
        request["TrainingJobDefinition"] = _definition(name, definition, scratch)
        call.studio.job_kinds[JobKind.TUNING].create(request)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    shutil.rmtree(scratch / "download", ignore_errors=True)
    if not any(scratch.iterdir()):
        scratch.rmdir()  # no archive was unpacked
    return {"HyperParameterTuningJobArn": TUNING.arn(call, name)}


def _definition(name: str, definition: dict[str, Any], scratch: Path) -> dict[str, Any]:
    """The definition as the studio's, read as CreateTrainingJob reads a request."""
    static = definition.get("StaticHyperParameters") or {}
    as_training = {**definition, "TrainingJobName": name, "HyperParameters": static}
    try:
        request = training_request(as_training, scratch)
    except AwsError as exc:
        raise validation(f"TrainingJobDefinition: {exc.message}") from None
    request.pop("TrainingJobName", None)
    request["StaticHyperParameters"] = request.pop("HyperParameters", None) or {}
    result: dict[str, Any] = project(TrainingJobDefinitionSpec, request)
    return result


def _summary_arn(call: Call, item: Any) -> Any:
    """A HyperParameterTrainingJobSummary with SageMaker's training job ARN."""
    if isinstance(item, dict) and item.get("TrainingJobName"):
        return {**item, "TrainingJobArn": call.arn("training-job", item["TrainingJobName"])}
    return item


@SAGEMAKER.operation("DescribeHyperParameterTuningJob", not_found=RESOURCE_NOT_FOUND)
def describe_hyper_parameter_tuning_job(call: Call) -> dict[str, Any]:
    """Describe a tuning job: its request, status, counters and best training job
    (ResourceNotFound if there is none).

    Args:
        call: A DescribeHyperParameterTuningJob request.

    Returns:
        The job in DescribeHyperParameterTuningJob's output shape.
    """
    job = call.studio.job_kinds[JobKind.TUNING].describe(call.params["HyperParameterTuningJobName"])
    outputs = job.outputs or {}
    out: dict[str, Any] = {**job.spec, **outputs, **TUNING.status_members(call, job)}
    out["TrainingJobStatusCounters"] = outputs.get("TrainingJobStatusCounters") or _ZERO_STATUS
    out["ObjectiveStatusCounters"] = outputs.get("ObjectiveStatusCounters") or _ZERO_OBJECTIVES
    for member in ("BestTrainingJob", "OverallBestTrainingJob"):
        out[member] = _summary_arn(call, outputs.get(member))
    return out


@SAGEMAKER.operation("ListHyperParameterTuningJobs")
def list_hyper_parameter_tuning_jobs(call: Call) -> dict[str, Any]:
    """List tuning jobs (filters, sort and pages as on SageMaker).

    Args:
        call: A ListHyperParameterTuningJobs request.

    Returns:
        ``HyperParameterTuningJobSummaries`` and ``NextToken``.
    """

    def summary(job: Job) -> dict[str, Any]:
        config = job.spec.get("HyperParameterTuningJobConfig") or {}
        outputs = job.outputs or {}
        return {
            **TUNING.status_members(call, job),
            "Strategy": config.get("Strategy"),
            "ResourceLimits": config.get("ResourceLimits"),
            "TrainingJobStatusCounters": outputs.get("TrainingJobStatusCounters") or _ZERO_STATUS,
            "ObjectiveStatusCounters": outputs.get("ObjectiveStatusCounters") or _ZERO_OBJECTIVES,
        }

    return list_jobs(call, TUNING, summary)


@SAGEMAKER.operation("StopHyperParameterTuningJob", not_found=RESOURCE_NOT_FOUND)
def stop_hyper_parameter_tuning_job(call: Call) -> dict[str, Any]:
    """Stop a tuning job: Stopping now (its running training jobs are stopped), Stopped
    once they have.

    Args:
        call: A StopHyperParameterTuningJob request.

    Returns:
        Nothing (the operation has no output).
    """
    return stop_job(call, TUNING)


@SAGEMAKER.operation("ListTrainingJobsForHyperParameterTuningJob", not_found=RESOURCE_NOT_FOUND)
def list_training_jobs_for_hyper_parameter_tuning_job(call: Call) -> dict[str, Any]:
    """List a tuning job's training jobs: StatusEquals, SortBy (Name, CreationTime,
    Status, FinalObjectiveMetricValue: jobs without an objective last), SortOrder and
    pages.

    Args:
        call: A ListTrainingJobsForHyperParameterTuningJob request.

    Returns:
        ``TrainingJobSummaries`` and ``NextToken``.
    """
    params = call.params
    status = params.get("StatusEquals")
    items, token = call.studio.tuning.list_training_jobs(
        params["HyperParameterTuningJobName"],
        sort_by=params.get("SortBy") or "Name",
        sort_order=params.get("SortOrder") or "Ascending",
        status=JobStatus(status) if status else None,
        max_results=params.get("MaxResults") or 100,
        next_token=params.get("NextToken"),
    )
    return {"TrainingJobSummaries": [_summary_arn(call, i) for i in items], "NextToken": token}
