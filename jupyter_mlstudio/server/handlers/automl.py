"""ListCandidatesForAutoMLJob: an AutoML job's candidates, as AutoMLCandidate items."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from jupyter_server.auth.decorator import authorized
from pydantic import Field
from tornado.web import authenticated

from ...services.jobs.automl.service import MAX_PAGE
from .. import schemas as s
from .base import Operation, StudioHandler


class ListCandidatesQuery(s.ApiModel):
    SortBy: Literal["CreationTime", "Status", "FinalObjectiveMetricValue"] = Field(
        default="CreationTime",
        description="FinalObjectiveMetricValue: best first when Descending (worst first when"
        " Ascending); candidates without an objective come last",
    )
    SortOrder: s.SortOrderParam = "Descending"
    StatusEquals: Literal["Completed", "InProgress", "Failed", "Stopped", "Stopping"] | None = None
    CandidateNameEquals: str | None = None
    MaxResults: int = Field(default=MAX_PAGE, ge=1, le=MAX_PAGE)
    NextToken: str | None = None


class ListCandidatesResponse(s.ApiModel):
    Candidates: list[dict[str, Any]] = Field(
        description="AutoMLCandidate items (SageMaker's field names: CandidateName,"
        " FinalAutoMLJobObjectiveMetric, ObjectiveStatus, CandidateStatus, CandidateSteps,"
        " InferenceContainers, CandidateProperties.CandidateMetrics, ...) plus"
        " CandidateDefinition (Algorithm, Preprocessing, HyperParameters)"
    )
    NextToken: str | None = None


class AutoMLCandidatesHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "List an AutoML job's candidates with their objective, metrics and containers",
            "listCandidatesForAutoMLJob",
            query=ListCandidatesQuery,
            response=ListCandidatesResponse,
            errors=(400, 403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self, job_name: str) -> None:
        q = self.parse_query(ListCandidatesQuery)
        items, token = await self.run(
            self.studio.automl.list_candidates,
            job_name,
            status=q.StatusEquals,
            candidate_name=q.CandidateNameEquals,
            sort_by=q.SortBy,
            sort_order=q.SortOrder,
            max_results=q.MaxResults,
            next_token=q.NextToken,
        )
        self.send(ListCandidatesResponse(Candidates=items, NextToken=token))
