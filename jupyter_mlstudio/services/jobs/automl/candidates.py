"""An AutoML job's candidates as SageMaker describes them (AutoMLCandidate), from the
training jobs that trained them.

A candidate is a training job tagged with its AutoML job's name; its objective is the
last value of its ``validation:<objective>`` metric; its inference containers are the
two halves of the fitted pipeline, served from the job's ``model.tar.gz`` by the
studio's scikit-learn image (feature transform, then algorithm).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from ....entities import Job, JobStatus
from ....runtime.images import DEFAULT_TAG
from ....store.base import MetadataStore
from ..tuning.summaries import training_jobs_of

#: the tag that ties a candidate's training job to its AutoML job
AUTOML_TAG = "mlstudio:automl-job"
#: the candidate's entry point and serving program (in the job code and in model.tar.gz)
ENTRY_POINT = "automl_candidate.py"
SERVING_PROGRAM = "automl_inference.py"
CONTAINER_ENV = "MLSTUDIO_AUTOML_CONTAINER"
CLASSIFICATION_KEYS = "predicted_label,probability,probabilities,labels"
REGRESSION_KEYS = "predicted_label"
METRIC_PREFIX = "validation:"
_STATUS = {
    JobStatus.IN_PROGRESS: "InProgress",
    JobStatus.COMPLETED: "Completed",
    JobStatus.FAILED: "Failed",
    JobStatus.STOPPING: "Stopping",
    JobStatus.STOPPED: "Stopped",
}


def candidate_jobs(store: MetadataStore, automl_job_name: str) -> list[Job]:
    """The training jobs an AutoML job started, oldest first."""
    return training_jobs_of(store, automl_job_name, tag=AUTOML_TAG)


def metric_values(job: Job) -> dict[str, float]:
    """The candidate's holdout metrics (name → last value)."""
    out: dict[str, float] = {}
    for item in (job.outputs or {}).get("FinalMetricDataList") or []:
        name = str(item.get("MetricName", ""))
        value = item.get("Value")
        numeric = isinstance(value, int | float) and math.isfinite(value)
        if name.startswith(METRIC_PREFIX) and numeric:
            out[name[len(METRIC_PREFIX) :]] = float(value)
    return out


def objective_value(job: Job, objective: str) -> float | None:
    return metric_values(job).get(objective)


def inference_containers(job: Job, problem_type: str) -> list[dict[str, Any]]:
    """The feature transform and the algorithm, each from the job's model.tar.gz."""
    model = ((job.outputs or {}).get("ModelArtifacts") or {}).get("S3ModelArtifacts")
    if not model:
        return []
    keys = REGRESSION_KEYS if problem_type == "Regression" else CLASSIFICATION_KEYS
    common = {
        "SAGEMAKER_PROGRAM": SERVING_PROGRAM,
        "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code",
        "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "text/csv",
    }
    return [
        {
            "Image": DEFAULT_TAG,
            "ModelDataUrl": model,
            "Environment": {**common, CONTAINER_ENV: "feature-transform"},
        },
        {
            "Image": DEFAULT_TAG,
            "ModelDataUrl": model,
            "Environment": {
                **common,
                CONTAINER_ENV: "algorithm",
                "SAGEMAKER_INFERENCE_OUTPUT": "predicted_label",
                "SAGEMAKER_INFERENCE_SUPPORTED": keys,
            },
        },
    ]


def candidate(
    job: Job, *, objective: str, maximize: bool, problem_type: str, arn: str
) -> dict[str, Any]:
    """One AutoMLCandidate, plus the studio's ``CandidateDefinition`` (algorithm,
    preprocessing, hyperparameters) that the leaderboard shows."""
    value = objective_value(job, objective)
    hyperparameters = {k: str(v) for k, v in (job.spec.get("HyperParameters") or {}).items()}
    out: dict[str, Any] = {
        "CandidateName": job.job_name,
        "ObjectiveStatus": (
            "Succeeded"
            if value is not None
            else ("Failed" if job.status is JobStatus.FAILED else "Pending")
        ),
        "CandidateSteps": [
            {
                "CandidateStepType": "AWS::SageMaker::TrainingJob",
                "CandidateStepArn": arn,
                "CandidateStepName": job.job_name,
            }
        ],
        "CandidateStatus": _STATUS[job.status],
        "CreationTime": job.creation_time,
        "LastModifiedTime": job.last_modified_time,
        "CandidateProperties": {
            "CandidateMetrics": [
                {"MetricName": name, "StandardMetricName": name, "Value": v, "Set": "Validation"}
                for name, v in metric_values(job).items()
            ]
        },
        "CandidateDefinition": {
            "Algorithm": hyperparameters.get("algorithm"),
            "Preprocessing": hyperparameters.get("preprocessing"),
            "HyperParameters": hyperparameters,
        },
    }
    if value is not None:
        out["FinalAutoMLJobObjectiveMetric"] = {
            "Type": "Maximize" if maximize else "Minimize",
            "MetricName": objective,
            "Value": value,
            "StandardMetricName": objective,
        }
    if job.end_time is not None:
        out["EndTime"] = job.end_time
    if job.failure_reason:
        out["FailureReason"] = job.failure_reason
    if job.status is JobStatus.COMPLETED:
        out["InferenceContainers"] = inference_containers(job, problem_type)
    return out


def sort_candidates(
    items: Iterable[dict[str, Any]], sort_by: str, descending: bool, maximize: bool
) -> list[dict[str, Any]]:
    """``FinalObjectiveMetricValue``: best first when Descending (worst first when
    Ascending), candidates without a value last; ``CreationTime``; ``Status``."""
    rows = list(items)
    if sort_by == "FinalObjectiveMetricValue":

        def key(item: dict[str, Any]) -> tuple[int, float]:
            metric = item.get("FinalAutoMLJobObjectiveMetric")
            if metric is None:
                return (1, 0.0)
            value = float(metric["Value"])
            better_first = -value if maximize else value
            return (0, better_first if descending else -better_first)

        return sorted(rows, key=key)
    field = {"CreationTime": "CreationTime", "Status": "CandidateStatus"}.get(sort_by, sort_by)
    return sorted(rows, key=lambda item: str(item.get(field, "")), reverse=descending)


def best(items: Iterable[dict[str, Any]], maximize: bool) -> dict[str, Any] | None:
    """The completed candidate with the best objective (the first trained on a tie)."""
    done = [
        i
        for i in items
        if i.get("FinalAutoMLJobObjectiveMetric") and i.get("CandidateStatus") == "Completed"
    ]
    if not done:
        return None
    ranked = sort_candidates(done, "FinalObjectiveMetricValue", True, maximize)
    return ranked[0]
