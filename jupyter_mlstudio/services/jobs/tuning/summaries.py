"""A tuning job's training jobs as SageMaker lists them: HyperParameterTrainingJobSummary,
the status and objective counters, the best job, and the listing's sort orders."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ....entities import Job, JobKind, JobStatus
from ....store.base import MetadataStore
from ..runs import source_arn

#: the tag that ties a training job to its tuning job
TUNING_TAG = "mlstudio:tuning-job"
#: Outputs key of a training job that early stopping stopped
EARLY_STOPPING_KEY = "TrainingJobEarlyStoppingType"

SortBy = Literal["Name", "CreationTime", "Status", "FinalObjectiveMetricValue"]


def training_job_name(tuning_job_name: str, number: int, suffix: str) -> str:
    """``<tuning job>-<NNN>-<8 hex>``, as SageMaker names a tuning job's training jobs."""
    return f"{tuning_job_name}-{number:03d}-{suffix}"


def job_number(tuning_job_name: str, training_job_name: str) -> int | None:
    """The ``NNN`` of a training job's name, when the tuning job named it."""
    match = re.fullmatch(re.escape(tuning_job_name) + r"-(\d{3,})-[0-9a-f]{8}", training_job_name)
    return int(match.group(1)) if match else None


def training_jobs_of(
    store: MetadataStore, tuning_job_name: str, tag: str = TUNING_TAG
) -> list[Job]:
    """The training jobs a tuning job (or, with ``tag``, an AutoML job) started and named
    :func:`training_job_name`'s way, oldest first."""
    jobs: list[Job] = []
    token: str | None = None
    while True:
        page = store.list_jobs(
            kind=JobKind.TRAINING,
            name_contains=f"{tuning_job_name}-",
            sort_order="Ascending",
            max_results=1000,
            next_token=token,
        )
        jobs.extend(
            j
            for j in page.items
            if j.tags.get(tag) == tuning_job_name
            and job_number(tuning_job_name, j.job_name) is not None
        )
        token = page.next_token
        if not token:
            return jobs


def final_objective(job: Job, metric_name: str) -> float | None:
    """The objective's last value, as the job's metric definitions found it."""
    for item in (job.outputs or {}).get("FinalMetricDataList") or []:
        if item.get("MetricName") == metric_name:
            value = item.get("Value")
            if isinstance(value, int | float) and math.isfinite(value):
                return float(value)
    return None


def stopped_early(job: Job) -> bool:
    """Early stopping stopped the job (it asked, and the job ended Stopped)."""
    return job.status is JobStatus.STOPPED and bool((job.outputs or {}).get(EARLY_STOPPING_KEY))


def objective_status(job: Job, value: float | None) -> str:
    """``Pending`` while the job runs, then ``Succeeded`` with an objective, else ``Failed``."""
    if job.status in (JobStatus.IN_PROGRESS, JobStatus.STOPPING):
        return "Pending"
    if job.status is JobStatus.FAILED or value is None:
        return "Failed"
    return "Succeeded"


@dataclass(frozen=True)
class Objective:
    metric_name: str
    maximize: bool

    @property
    def type(self) -> str:
        return "Maximize" if self.maximize else "Minimize"

    def better(self, a: float, b: float) -> bool:
        """``a`` is strictly better than ``b``."""
        return a > b if self.maximize else a < b


def summary(
    job: Job, tuning_job_name: str, tuned: Iterable[str], objective: Objective
) -> dict[str, Any]:
    """One training job as HyperParameterTrainingJobSummary (SageMaker's field names)."""
    value = final_objective(job, objective.metric_name)
    hyperparameters = job.spec.get("HyperParameters") or {}
    body: dict[str, Any] = {
        "TrainingJobName": job.job_name,
        "TrainingJobArn": source_arn(job.job_name),
        "TuningJobName": tuning_job_name,
        "CreationTime": job.creation_time.isoformat(),
        "TrainingJobStatus": job.status.value,
        "TunedHyperParameters": {k: str(hyperparameters[k]) for k in tuned if k in hyperparameters},
        "ObjectiveStatus": objective_status(job, value),
    }
    number = job_number(tuning_job_name, job.job_name)
    if number is not None:
        body["TrainingJobNumber"] = number
    if job.start_time is not None:
        body["TrainingStartTime"] = job.start_time.isoformat()
    if job.end_time is not None:
        body["TrainingEndTime"] = job.end_time.isoformat()
    if job.failure_reason:
        body["FailureReason"] = job.failure_reason
    if value is not None:
        body["FinalHyperParameterTuningJobObjectiveMetric"] = {
            "Type": objective.type,
            "MetricName": objective.metric_name,
            "Value": value,
        }
    if stopped_early(job):
        body[EARLY_STOPPING_KEY] = job.outputs[EARLY_STOPPING_KEY]
    return body


def objective_value(item: dict[str, Any]) -> float | None:
    metric = item.get("FinalHyperParameterTuningJobObjectiveMetric")
    return None if metric is None else float(metric["Value"])


def best(items: Iterable[dict[str, Any]], objective: Objective) -> dict[str, Any] | None:
    """The summary with the best objective (the earliest of equals), or None."""
    chosen: dict[str, Any] | None = None
    for item in items:
        value = objective_value(item)
        if value is None or item.get("ObjectiveStatus") != "Succeeded":
            continue
        if chosen is None or objective.better(value, objective_value(chosen) or 0.0):
            chosen = item
    return chosen


def counters(jobs: Sequence[Job], objective: Objective) -> dict[str, Any]:
    """``TrainingJobStatusCounters`` and ``ObjectiveStatusCounters``."""
    status = {"Completed": 0, "InProgress": 0, "RetryableError": 0, "NonRetryableError": 0}
    status["Stopped"] = 0
    objectives = {"Succeeded": 0, "Pending": 0, "Failed": 0}
    early = 0
    for job in jobs:
        key = {
            JobStatus.COMPLETED: "Completed",
            JobStatus.FAILED: "NonRetryableError",
            JobStatus.STOPPED: "Stopped",
        }.get(job.status, "InProgress")
        status[key] += 1
        objectives[objective_status(job, final_objective(job, objective.metric_name))] += 1
        early += stopped_early(job)
    return {
        "TrainingJobStatusCounters": status,
        "ObjectiveStatusCounters": objectives,
        "TrainingJobsStoppedEarly": early,
    }


def sort_summaries(
    items: list[dict[str, Any]], sort_by: SortBy, descending: bool, objective: Objective
) -> list[dict[str, Any]]:
    """Sorted as ListTrainingJobsForHyperParameterTuningJob sorts; by objective, jobs
    without one come last whatever the order."""
    if sort_by == "FinalObjectiveMetricValue":
        scored = [i for i in items if objective_value(i) is not None]
        rest = [i for i in items if objective_value(i) is None]
        scored.sort(key=lambda i: (objective_value(i), i["TrainingJobName"]), reverse=descending)
        rest.sort(key=lambda i: i["CreationTime"], reverse=True)
        return scored + rest
    field = {"Name": "TrainingJobName", "CreationTime": "CreationTime"}.get(
        sort_by, "TrainingJobStatus"
    )
    return sorted(items, key=lambda i: (i[field], i["TrainingJobName"]), reverse=descending)
