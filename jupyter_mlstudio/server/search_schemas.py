"""Request and response bodies of the search routes (``/search``, ``/search/names``):
SageMaker's ``Search`` members, answered in SageMaker's shapes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from ..entities.search import DEFAULT_SEARCH_RESULTS, DEFAULT_SORT, MAX_SEARCH_RESULTS
from .schemas import ApiModel

SearchResource = Literal["ExperimentTrialComponent", "TrainingJob"]


class SearchRequest(ApiModel):
    Resource: SearchResource
    SearchExpression: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "SageMaker's SearchExpression: Filters ({Name, Operator, Value}), NestedFilters"
            " (on Parents), SubExpressions and Operator (And, Or). Names: Metrics.<name>"
            ".<Max|Min|Last|Avg|Count|StdDev>, Parameters.<name> (HyperParameters.<name>"
            " for training jobs), Tags.<key>, Parents.TrialName, Parents.ExperimentName,"
            " names, statuses and times"
        ),
    )
    SortBy: str = Field(default=DEFAULT_SORT, description="A property name, as in filters")
    SortOrder: Literal["Ascending", "Descending"] = "Descending"
    MaxResults: int = Field(default=DEFAULT_SEARCH_RESULTS, ge=1, le=MAX_SEARCH_RESULTS)
    NextToken: str | None = None


class TotalHits(ApiModel):
    Value: int
    Relation: Literal["EqualTo"] = "EqualTo"


class SearchResponse(ApiModel):
    Results: list[dict[str, Any]] = Field(
        description="{TrialComponent: {...}} or {TrainingJob: {...}} records, in order"
    )
    TotalHits: TotalHits
    NextToken: str | None = None


class SearchNamesQuery(ApiModel):
    Resource: SearchResource = "ExperimentTrialComponent"


class SearchNamesResponse(ApiModel):
    Parameters: list[str] = Field(description="Parameter (hyperparameter) names that exist")
    Metrics: list[str] = Field(description="Metric names that exist")
    Tags: list[str] = Field(description="Tag keys that exist")
