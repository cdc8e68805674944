"""Training jobs: CreateTrainingJob, DescribeTrainingJob, ListTrainingJobs, StopTrainingJob.

Over the studio's training jobs (``Studio.job_kinds``), so a job created here shows in
the Jobs section and one started from the UI or the SDK is described here. Script mode
comes as the SageMaker SDKs send it: the ``sagemaker_program`` and
``sagemaker_submit_directory`` hyperparameters (JSON-quoted or not) name the entry point
and its folder or source archive (``sourcedir.tar.gz``, in S3 or local).
"""

from __future__ import annotations

import json
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ...entities import Job, JobKind
from ...services.jobs.requests import MAX_TAGS, CreateTrainingJobRequest
from ..errors import validation
from ..jobs import JobApi, create_job, list_jobs, project, stop_job
from ..registry import SAGEMAKER, Call
from ..sources import is_archive, unpack_source

TRAINING = JobApi(
    kind=JobKind.TRAINING,
    resource="training-job",
    prefix="TrainingJob",
    image_field="AlgorithmSpecification.TrainingImage",
    start_member="TrainingStartTime",
    end_member="TrainingEndTime",
)
PROGRAM = "sagemaker_program"
SUBMIT_DIRECTORY = "sagemaker_submit_directory"
#: the SDK's own hyperparameters (``sagemaker_*``) are not the script's: the studio keeps
#: them in hidden tags under this prefix and DescribeTrainingJob answers them, as
#: SageMaker does (the SDK v2's ``Estimator.attach`` reads them back)
SDK_HYPERPARAMETER_TAG = "mlstudio:hyperparameter:"


@SAGEMAKER.operation("CreateTrainingJob")
def create_training_job(call: Call) -> dict[str, Any]:
    """Create and start a training job.

    Args:
        call: A CreateTrainingJob request.

    Returns:
        ``TrainingJobArn``.
    """
    with tempfile.TemporaryDirectory(prefix="mlstudio-source-") as scratch:
        # the studio copies the code into the job's folder as it creates the job
        job = create_job(call, TRAINING, training_request(call.params, Path(scratch)))
    return {"TrainingJobArn": TRAINING.arn(call, job.job_name)}


def training_request(params: dict[str, Any], scratch: Path) -> dict[str, Any]:
    """A CreateTrainingJob request as the studio's request (script mode recognised).

    Args:
        params: The request, valid for botocore's model.
        scratch: Where a source archive is unpacked (kept until the job is created).

    Returns:
        The studio's CreateTrainingJob request.

    Raises:
        AwsError: ``ValidationException`` for what the studio cannot run (an AlgorithmName,
            a data source other than S3DataSource, a source archive it cannot read).
    """
    algorithm = params.get("AlgorithmSpecification") or {}
    if algorithm.get("AlgorithmName"):
        raise validation(
            "AlgorithmSpecification.AlgorithmName: the studio runs no built-in or"
            " marketplace algorithms; give TrainingImage"
        )
    hyperparameters = dict(params.get("HyperParameters") or {})
    if not algorithm.get("TrainingImage") and PROGRAM not in hyperparameters:
        raise validation(
            "AlgorithmSpecification.TrainingImage: give the training image (or script mode's"
            f" {PROGRAM} and {SUBMIT_DIRECTORY} hyperparameters)"
        )
    for i, channel in enumerate(params.get("InputDataConfig") or []):
        if "S3DataSource" not in (channel.get("DataSource") or {}):
            raise validation(f"InputDataConfig[{i}].DataSource: the studio reads S3DataSource only")
    request = project(CreateTrainingJobRequest, params)
    if PROGRAM in hyperparameters:
        request["ScriptMode"] = _script_mode(hyperparameters, scratch)
        request["HyperParameters"] = {
            k: v for k, v in hyperparameters.items() if not k.startswith("sagemaker_")
        }
        sdk_own = {k: v for k, v in hyperparameters.items() if k.startswith("sagemaker_")}
        tags = list(request.get("Tags") or [])
        if len(tags) + len(sdk_own) <= MAX_TAGS:  # else only the script's are answered
            tags += [{"Key": SDK_HYPERPARAMETER_TAG + k, "Value": v} for k, v in sdk_own.items()]
            request["Tags"] = tags
    return request


def _script_mode(hyperparameters: dict[str, str], scratch: Path) -> dict[str, Any]:
    program = _unquote(hyperparameters[PROGRAM])
    directory = _unquote(hyperparameters.get(SUBMIT_DIRECTORY, ""))
    where = f"HyperParameters.{SUBMIT_DIRECTORY}"
    if not directory:
        raise validation(f"{where}: script mode ({PROGRAM}) needs the code's folder or archive")
    if is_archive(directory):
        folder = unpack_source(directory, scratch, field=where)
        return {"EntryPoint": program, "SourceDir": str(folder)}
    parsed = urlparse(directory)
    if parsed.scheme not in ("", "file"):
        raise validation(
            f"{where}: give a local folder (file:///path/to/src) or a .tar.gz archive,"
            f" not {directory!r}"
        )
    folder = Path(parsed.path if parsed.scheme else directory)
    return {"EntryPoint": program, "SourceDir": str(folder)}


def _unquote(value: str) -> str:
    """The SageMaker SDK JSON-encodes its hyperparameters (``'"train.py"'``)."""
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return decoded if isinstance(decoded, str) else value


@SAGEMAKER.operation("DescribeTrainingJob")
def describe_training_job(call: Call) -> dict[str, Any]:
    """Describe a training job (ValidationException "Requested resource not found." if
    there is none, as on SageMaker).

    Args:
        call: A DescribeTrainingJob request.

    Returns:
        The job in DescribeTrainingJob's output shape.
    """
    job = call.studio.job_kinds[JobKind.TRAINING].describe(call.params["TrainingJobName"])
    out: dict[str, Any] = {**job.spec, **TRAINING.status_members(call, job)}
    sdk_own = {
        key.removeprefix(SDK_HYPERPARAMETER_TAG): value
        for key, value in job.tags.items()
        if key.startswith(SDK_HYPERPARAMETER_TAG)
    }
    if sdk_own:
        out["HyperParameters"] = {**(job.spec.get("HyperParameters") or {}), **sdk_own}
    # members SageMaker always answers, with their defaults (Estimator.attach reads them)
    out["OutputDataConfig"] = {"KmsKeyId": "", **(job.spec.get("OutputDataConfig") or {})}
    for flag in (
        "EnableNetworkIsolation",
        "EnableInterContainerTrafficEncryption",
        "EnableManagedSpotTraining",
    ):
        out.setdefault(flag, False)
    out["SecondaryStatus"] = _secondary(job)
    out["SecondaryStatusTransitions"] = [
        {
            "Status": t.status.value,
            "StartTime": t.start_time,
            "EndTime": t.end_time,
            # SageMaker sends one on every transition, and the SDK's fit() reads it
            "StatusMessage": t.status_message or f"Training job {t.status.value.lower()}",
        }
        for t in job.secondary_status_transitions
    ]
    outputs = job.outputs or {}
    out["ModelArtifacts"] = outputs.get("ModelArtifacts")
    out["FinalMetricDataList"] = outputs.get("FinalMetricDataList")
    for key in ("DebugRuleEvaluationStatuses", "ProfilerRuleEvaluationStatuses"):
        if outputs.get(key):
            out[key] = [_rule_status(call, entry) for entry in outputs[key]]
    profiler = job.spec.get("ProfilerConfig") or {}
    out["ProfilingStatus"] = "Disabled" if profiler.get("DisableProfiler") else "Enabled"
    if job.start_time and job.end_time:
        seconds = int((job.end_time - job.start_time).total_seconds())
        out["TrainingTimeInSeconds"] = seconds
        out["BillableTimeInSeconds"] = seconds
    return out


def _rule_status(call: Call, entry: dict[str, Any]) -> dict[str, Any]:
    """A rule's entry as SageMaker's RuleEvaluationStatus (the studio's extras left out;
    the evaluation job is a processing job)."""
    out: dict[str, Any] = {
        "RuleConfigurationName": entry.get("RuleConfigurationName"),
        "RuleEvaluationStatus": entry.get("RuleEvaluationStatus"),
        "StatusDetails": entry.get("StatusDetails"),
    }
    if entry.get("RuleEvaluationJobName"):
        out["RuleEvaluationJobArn"] = call.arn("processing-job", entry["RuleEvaluationJobName"])
    if entry.get("LastModifiedTime"):
        out["LastModifiedTime"] = datetime.fromisoformat(str(entry["LastModifiedTime"]))
    return {k: v for k, v in out.items() if v is not None}


def _secondary(job: Job) -> str:
    return job.secondary_status.value if job.secondary_status else "Starting"


@SAGEMAKER.operation("ListTrainingJobs")
def list_training_jobs(call: Call) -> dict[str, Any]:
    """List training jobs (filters, sort and pages as on SageMaker).

    Args:
        call: A ListTrainingJobs request.

    Returns:
        ``TrainingJobSummaries`` and ``NextToken``.
    """

    def summary(job: Job) -> dict[str, Any]:
        return {**TRAINING.status_members(call, job), "SecondaryStatus": _secondary(job)}

    return list_jobs(call, TRAINING, summary)


@SAGEMAKER.operation("StopTrainingJob")
def stop_training_job(call: Call) -> dict[str, Any]:
    """Stop a training job: Stopping now, Stopped once its hosts have exited.

    Args:
        call: A StopTrainingJob request.

    Returns:
        Nothing (the operation has no output).
    """
    return stop_job(call, TRAINING)
