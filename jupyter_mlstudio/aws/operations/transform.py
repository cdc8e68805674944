"""Batch transform jobs: CreateTransformJob, DescribeTransformJob, ListTransformJobs,
StopTransformJob, over the studio's transform jobs (``Studio.transform``): the model's
servers start, the input's records go through them, ``<input file>.out`` is written under
``TransformOutput.S3OutputPath``.
"""

from __future__ import annotations

from typing import Any

from ...entities import Job, JobKind
from ...exceptions import NotFoundError
from ...services.jobs.transform.requests import CreateTransformJobRequest
from ..errors import validation
from ..jobs import JobApi, create_job, list_jobs, project, stop_job
from ..registry import SAGEMAKER, Call

TRANSFORM = JobApi(
    kind=JobKind.TRANSFORM,
    resource="transform-job",
    prefix="TransformJob",
    # the image is the model's: one the studio cannot run refuses the call (ModelName)
    image_field="",
    start_member="TransformStartTime",
    end_member="TransformEndTime",
)
#: request members that would change what runs, which the studio does not do
_UNSUPPORTED = ("DataCaptureConfig", "BatchDataCaptureConfig")


@SAGEMAKER.operation("CreateTransformJob")
def create_transform_job(call: Call) -> dict[str, Any]:
    """Create and start a batch transform job with a model's servers.

    Args:
        call: A CreateTransformJob request.

    Returns:
        ``TransformJobArn``.
    """
    params = call.params
    for member in _UNSUPPORTED:
        if params.get(member):
            raise validation(f"{member} is not supported by the studio")
    request = project(CreateTransformJobRequest, params)
    model = params["ModelName"]
    try:
        call.studio.endpoints.get_model(model)
    except NotFoundError:
        raise validation(
            f'Could not find model "{call.arn("model", model)}".'  # as SageMaker says it
        ) from None
    job = create_job(call, TRANSFORM, request)
    return {"TransformJobArn": TRANSFORM.arn(call, job.job_name)}


@SAGEMAKER.operation("DescribeTransformJob")
def describe_transform_job(call: Call) -> dict[str, Any]:
    """Describe a transform job, with where its outputs went.

    Args:
        call: A DescribeTransformJob request.

    Returns:
        The job in DescribeTransformJob's output shape.
    """
    job = call.studio.job_kinds[JobKind.TRANSFORM].describe(call.params["TransformJobName"])
    out: dict[str, Any] = {**job.spec, **TRANSFORM.status_members(call, job)}
    written = (job.outputs or {}).get("TransformOutput") or {}
    output = dict(out.get("TransformOutput") or {})
    if written.get("S3OutputPath"):
        output["S3OutputPath"] = written["S3OutputPath"]
    out["TransformOutput"] = output
    out.setdefault("TransformResources", {"InstanceType": "local", "InstanceCount": 1})
    return out


@SAGEMAKER.operation("ListTransformJobs")
def list_transform_jobs(call: Call) -> dict[str, Any]:
    """List transform jobs (filters, sort and pages as on SageMaker).

    Args:
        call: A ListTransformJobs request.

    Returns:
        ``TransformJobSummaries`` and ``NextToken``.
    """

    def summary(job: Job) -> dict[str, Any]:
        return TRANSFORM.status_members(call, job)

    return list_jobs(call, TRANSFORM, summary)


@SAGEMAKER.operation("StopTransformJob")
def stop_transform_job(call: Call) -> dict[str, Any]:
    """Stop a transform job: Stopping now, Stopped once its model servers are gone.

    Args:
        call: A StopTransformJob request.

    Returns:
        Nothing (the operation has no output).
    """
    return stop_job(call, TRANSFORM)
