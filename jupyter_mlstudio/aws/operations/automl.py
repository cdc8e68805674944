"""AutoML jobs: CreateAutoMLJob, DescribeAutoMLJob, ListAutoMLJobs, StopAutoMLJob,
ListCandidatesForAutoMLJob.

Over the studio's AutoML jobs (``Studio.automl``, ``Studio.job_kinds``): a job created here
shows in the Jobs section, its candidates are ordinary training jobs (DescribeTrainingJob
describes them), and a candidate's ``InferenceContainers`` make an inference pipeline
model (CreateModel with ``Containers``) as the SageMaker SDK's ``AutoML.deploy`` builds it.
"""

from __future__ import annotations

from typing import Any

from ...entities import Job, JobKind
from ...services.jobs.automl.requests import CreateAutoMLJobRequest
from ..errors import RESOURCE_NOT_FOUND, validation
from ..jobs import JobApi, list_jobs, project, stop_job
from ..registry import SAGEMAKER, Call
from ..service_model import to_datetime

AUTOML = JobApi(
    kind=JobKind.AUTOML,
    resource="automl-job",
    prefix="AutoMLJob",
    image_field="AutoMLJobName",  # no image: nothing is refused for it
    start_member="AutoMLJobStartTime",  # no such member: dropped from answers
    end_member="EndTime",
)
_TIMES = ("CreationTime", "EndTime", "LastModifiedTime")


@SAGEMAKER.operation("CreateAutoMLJob")
def create_auto_ml_job(call: Call) -> dict[str, Any]:
    """Create and start an AutoML job over a CSV table.

    Args:
        call: A CreateAutoMLJob request.

    Returns:
        ``AutoMLJobArn``.
    """
    name = call.params["AutoMLJobName"]
    call.studio.job_kinds[JobKind.AUTOML].create(project(CreateAutoMLJobRequest, call.params))
    return {"AutoMLJobArn": AUTOML.arn(call, name)}


def candidate_answer(call: Call, item: dict[str, Any]) -> dict[str, Any]:
    """An AutoMLCandidate as SageMaker answers it: AWS ARNs, times as datetimes, without
    the studio's CandidateDefinition."""
    out = {k: v for k, v in item.items() if k != "CandidateDefinition"}
    for key in _TIMES:
        if out.get(key) is not None:
            out[key] = to_datetime(out[key])
    out["CandidateSteps"] = [
        {**step, "CandidateStepArn": call.arn("training-job", step["CandidateStepName"])}
        for step in item.get("CandidateSteps") or []
    ]
    return out


@SAGEMAKER.operation("DescribeAutoMLJob", not_found=RESOURCE_NOT_FOUND)
def describe_auto_ml_job(call: Call) -> dict[str, Any]:
    """Describe an AutoML job: its request, status and secondary status, ResolvedAttributes,
    BestCandidate and the two notebooks' locations.

    Args:
        call: A DescribeAutoMLJob request.

    Returns:
        The job in DescribeAutoMLJob's output shape.
    """
    job = call.studio.job_kinds[JobKind.AUTOML].describe(call.params["AutoMLJobName"])
    outputs = job.outputs or {}
    out: dict[str, Any] = {**job.spec, **_status(call, job)}
    out.setdefault("RoleArn", call.arn("role", "mlstudio"))
    out.setdefault("OutputDataConfig", {"S3OutputPath": ""})
    for member in ("ProblemType", "AutoMLJobObjective", "AutoMLJobArtifacts"):
        if outputs.get(member):
            out[member] = outputs[member]
    resolved = outputs.get("ResolvedAttributes")
    if resolved:
        out["ResolvedAttributes"] = resolved
    best = outputs.get("BestCandidate")
    if best:
        out["BestCandidate"] = candidate_answer(call, best)
    return out


def _status(call: Call, job: Job) -> dict[str, Any]:
    members = AUTOML.status_members(call, job)
    members["AutoMLJobSecondaryStatus"] = (job.outputs or {}).get(
        "AutoMLJobSecondaryStatus", "Starting"
    )
    return members


@SAGEMAKER.operation("ListAutoMLJobs")
def list_auto_ml_jobs(call: Call) -> dict[str, Any]:
    """List AutoML jobs (filters, sort and pages as on SageMaker).

    Args:
        call: A ListAutoMLJobs request.

    Returns:
        ``AutoMLJobSummaries`` and ``NextToken``.
    """
    return list_jobs(call, AUTOML, lambda job: _status(call, job))


@SAGEMAKER.operation("StopAutoMLJob", not_found=RESOURCE_NOT_FOUND)
def stop_auto_ml_job(call: Call) -> dict[str, Any]:
    """Stop an AutoML job: Stopping now (its running candidates are stopped), Stopped once
    they have.

    Args:
        call: A StopAutoMLJob request.

    Returns:
        Nothing (the operation has no output).
    """
    return stop_job(call, AUTOML)


@SAGEMAKER.operation("ListCandidatesForAutoMLJob", not_found=RESOURCE_NOT_FOUND)
def list_candidates_for_auto_ml_job(call: Call) -> dict[str, Any]:
    """List an AutoML job's candidates: StatusEquals, CandidateNameEquals, SortBy
    (CreationTime, Status, FinalObjectiveMetricValue: best first when Descending),
    SortOrder and pages.

    Args:
        call: A ListCandidatesForAutoMLJob request.

    Returns:
        ``Candidates`` and ``NextToken``.
    """
    params = call.params
    items, token = call.studio.automl.list_candidates(
        params["AutoMLJobName"],
        status=params.get("StatusEquals"),
        candidate_name=params.get("CandidateNameEquals"),
        sort_by=params.get("SortBy") or "CreationTime",
        sort_order=params.get("SortOrder") or "Ascending",
        max_results=params.get("MaxResults") or 100,
        next_token=params.get("NextToken"),
    )
    return {"Candidates": [candidate_answer(call, i) for i in items], "NextToken": token}


@SAGEMAKER.operation("CreateAutoMLJobV2")
def create_auto_ml_job_v2(call: Call) -> dict[str, Any]:
    """Create and start an AutoML job from the V2 request (tabular problems only): the
    same job as CreateAutoMLJob's.

    Args:
        call: A CreateAutoMLJobV2 request.

    Returns:
        ``AutoMLJobArn``.
    """
    params = call.params
    problem = params.get("AutoMLProblemTypeConfig") or {}
    tabular = problem.get("TabularJobConfig")
    if not tabular:
        other = ", ".join(sorted(problem)) or "none"
        raise validation(
            f"AutoMLProblemTypeConfig: the studio runs TabularJobConfig jobs (given: {other})"
        )
    target = tabular["TargetAttributeName"]
    channels = [
        {
            "DataSource": channel.get("DataSource"),
            "TargetAttributeName": target,
            "ContentType": channel.get("ContentType"),
            "CompressionType": channel.get("CompressionType"),
            "ChannelType": channel.get("ChannelType"),
            "SampleWeightAttributeName": tabular.get("SampleWeightAttributeName"),
        }
        for channel in params["AutoMLJobInputDataConfig"]
    ]
    config = {
        "CompletionCriteria": tabular.get("CompletionCriteria"),
        "CandidateGenerationConfig": tabular.get("CandidateGenerationConfig"),
        "Mode": tabular.get("Mode"),
        "DataSplitConfig": params.get("DataSplitConfig"),
    }
    request = {
        "AutoMLJobName": params["AutoMLJobName"],
        "InputDataConfig": [{k: v for k, v in c.items() if v is not None} for c in channels],
        "OutputDataConfig": params.get("OutputDataConfig"),
        "ProblemType": tabular.get("ProblemType"),
        "AutoMLJobObjective": params.get("AutoMLJobObjective"),
        "AutoMLJobConfig": {k: v for k, v in config.items() if v is not None},
        "RoleArn": params.get("RoleArn"),
        "GenerateCandidateDefinitionsOnly": tabular.get("GenerateCandidateDefinitionsOnly"),
        "Tags": params.get("Tags"),
        "ModelDeployConfig": params.get("ModelDeployConfig"),
    }
    clean = {k: v for k, v in request.items() if v is not None}
    call.studio.job_kinds[JobKind.AUTOML].create(project(CreateAutoMLJobRequest, clean))
    return {"AutoMLJobArn": AUTOML.arn(call, params["AutoMLJobName"])}


@SAGEMAKER.operation("DescribeAutoMLJobV2", not_found=RESOURCE_NOT_FOUND)
def describe_auto_ml_job_v2(call: Call) -> dict[str, Any]:
    """Describe an AutoML job in the V2 shape (``AutoMLProblemTypeConfig.TabularJobConfig``).

    Args:
        call: A DescribeAutoMLJobV2 request.

    Returns:
        The job in DescribeAutoMLJobV2's output shape.
    """
    v1 = describe_auto_ml_job(call)
    channels = v1.get("InputDataConfig") or []
    config = v1.get("AutoMLJobConfig") or {}
    tabular: dict[str, Any] = {
        "TargetAttributeName": channels[0]["TargetAttributeName"] if channels else "",
        "CompletionCriteria": config.get("CompletionCriteria"),
        "CandidateGenerationConfig": config.get("CandidateGenerationConfig"),
        "Mode": config.get("Mode"),
        "ProblemType": v1.get("ProblemType"),
        "GenerateCandidateDefinitionsOnly": v1.get("GenerateCandidateDefinitionsOnly"),
    }
    out: dict[str, Any] = {
        key: v1[key]
        for key in (
            "AutoMLJobName",
            "AutoMLJobArn",
            "OutputDataConfig",
            "RoleArn",
            "AutoMLJobObjective",
            "CreationTime",
            "EndTime",
            "LastModifiedTime",
            "FailureReason",
            "BestCandidate",
            "AutoMLJobStatus",
            "AutoMLJobSecondaryStatus",
            "AutoMLJobArtifacts",
            "ModelDeployConfig",
        )
        if v1.get(key) is not None
    }
    out["AutoMLJobInputDataConfig"] = [
        {k: c[k] for k in ("ChannelType", "ContentType", "CompressionType", "DataSource") if k in c}
        for c in channels
    ]
    out["AutoMLProblemTypeConfig"] = {
        "TabularJobConfig": {k: v for k, v in tabular.items() if v is not None}
    }
    out["AutoMLProblemTypeConfigName"] = "Tabular"
    if config.get("DataSplitConfig"):
        out["DataSplitConfig"] = config["DataSplitConfig"]
    resolved = v1.get("ResolvedAttributes") or {}
    if resolved:
        out["ResolvedAttributes"] = {
            "AutoMLJobObjective": resolved.get("AutoMLJobObjective"),
            "CompletionCriteria": resolved.get("CompletionCriteria"),
            "AutoMLProblemTypeResolvedAttributes": {
                "TabularResolvedAttributes": {"ProblemType": resolved.get("ProblemType")}
            },
        }
        out["ResolvedAttributes"] = {
            k: v for k, v in out["ResolvedAttributes"].items() if v is not None
        }
    return out
