"""ListTrainingJobsForHyperParameterTuningJob: a tuning job's training jobs, as summaries."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from jupyter_server.auth.decorator import authorized
from pydantic import Field
from tornado.web import authenticated

from ...entities import JobStatus
from ...services.jobs.tuning.service import MAX_PAGE
from .. import schemas as s
from .base import Operation, StudioHandler


class ListTuningTrainingJobsQuery(s.ApiModel):
    SortBy: Literal["Name", "CreationTime", "Status", "FinalObjectiveMetricValue"] = Field(
        default="CreationTime",
        description="FinalObjectiveMetricValue: best first when Descending on Maximize "
        "(ascending values otherwise); jobs without an objective come last",
    )
    SortOrder: s.SortOrderParam = "Descending"
    StatusEquals: JobStatus | None = None
    MaxResults: int = Field(default=MAX_PAGE, ge=1, le=MAX_PAGE)
    NextToken: str | None = None


class ListTuningTrainingJobsResponse(s.ApiModel):
    TrainingJobSummaries: list[dict[str, Any]] = Field(
        description="HyperParameterTrainingJobSummary items (SageMaker's field names, plus"
        " TrainingJobNumber and, for a job early stopping stopped,"
        " TrainingJobEarlyStoppingType)"
    )
    NextToken: str | None = None


class TuningTrainingJobsHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "List a tuning job's training jobs with their tuned hyperparameters and objective",
            "listTrainingJobsForHyperParameterTuningJob",
            query=ListTuningTrainingJobsQuery,
            response=ListTuningTrainingJobsResponse,
            errors=(400, 403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self, job_name: str) -> None:
        q = self.parse_query(ListTuningTrainingJobsQuery)
        items, token = await self.run(
            self.studio.tuning.list_training_jobs,
            job_name,
            sort_by=q.SortBy,
            sort_order=q.SortOrder,
            status=q.StatusEquals,
            max_results=q.MaxResults,
            next_token=q.NextToken,
        )
        self.send(ListTuningTrainingJobsResponse(TrainingJobSummaries=items, NextToken=token))
