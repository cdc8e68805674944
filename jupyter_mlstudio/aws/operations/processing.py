"""Processing jobs: CreateProcessingJob, DescribeProcessingJob, ListProcessingJobs,
StopProcessingJob, over the studio's processing jobs."""

from __future__ import annotations

import copy
from typing import Any

from ...entities import Job, JobKind
from ...services.jobs.requests import CreateProcessingJobRequest
from ..errors import validation
from ..jobs import JobApi, create_job, list_jobs, project, stop_job
from ..registry import SAGEMAKER, Call

PROCESSING = JobApi(
    kind=JobKind.PROCESSING,
    resource="processing-job",
    prefix="ProcessingJob",
    image_field="AppSpecification.ImageUri",
    start_member="ProcessingStartTime",
    end_member="ProcessingEndTime",
)


@SAGEMAKER.operation("CreateProcessingJob")
def create_processing_job(call: Call) -> dict[str, Any]:
    """Create and start a processing job.

    Args:
        call: A CreateProcessingJob request.

    Returns:
        ``ProcessingJobArn``.

    Raises:
        AwsError: ``ValidationException`` for inputs or outputs the studio cannot use
            (DatasetDefinition, FeatureStoreOutput).
    """
    params = call.params
    for i, item in enumerate(params.get("ProcessingInputs") or []):
        if "S3Input" not in item:
            raise validation(f"ProcessingInputs[{i}]: the studio reads S3Input only")
    outputs = (params.get("ProcessingOutputConfig") or {}).get("Outputs") or []
    for i, item in enumerate(outputs):
        if "S3Output" not in item:
            raise validation(
                f"ProcessingOutputConfig.Outputs[{i}]: the studio writes S3Output only"
            )
    job = create_job(call, PROCESSING, project(CreateProcessingJobRequest, params))
    return {"ProcessingJobArn": PROCESSING.arn(call, job.job_name)}


@SAGEMAKER.operation("DescribeProcessingJob")
def describe_processing_job(call: Call) -> dict[str, Any]:
    """Describe a processing job; an output the request sent to the artifact store
    shows where it went.

    Args:
        call: A DescribeProcessingJob request.

    Returns:
        The job in DescribeProcessingJob's output shape.
    """
    job = call.studio.job_kinds[JobKind.PROCESSING].describe(call.params["ProcessingJobName"])
    spec = copy.deepcopy(job.spec)
    written = {
        item.get("OutputName"): item.get("S3Uri")
        for item in (job.outputs or {}).get("ProcessingOutputs") or []
    }
    for output in (spec.get("ProcessingOutputConfig") or {}).get("Outputs") or []:
        s3 = output.get("S3Output") or {}
        if not s3.get("S3Uri") and written.get(output.get("OutputName")):
            s3["S3Uri"] = written[output.get("OutputName")]
    out = {**spec, **PROCESSING.status_members(call, job)}
    if job.exit_code not in (None, 0):
        out["ExitMessage"] = f"the job's command exited with code {job.exit_code}"
    return out


@SAGEMAKER.operation("ListProcessingJobs")
def list_processing_jobs(call: Call) -> dict[str, Any]:
    """List processing jobs (filters, sort and pages as on SageMaker).

    Args:
        call: A ListProcessingJobs request.

    Returns:
        ``ProcessingJobSummaries`` and ``NextToken``.
    """

    def summary(job: Job) -> dict[str, Any]:
        return PROCESSING.status_members(call, job)

    return list_jobs(call, PROCESSING, summary)


@SAGEMAKER.operation("StopProcessingJob")
def stop_processing_job(call: Call) -> dict[str, Any]:
    """Stop a processing job: Stopping now, Stopped once its hosts have exited.

    Args:
        call: A StopProcessingJob request.

    Returns:
        Nothing (the operation has no output).
    """
    return stop_job(call, PROCESSING)
