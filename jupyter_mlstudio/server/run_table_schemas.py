"""Query and response of ``GET /experiments/{ExperimentName}/runs``: an experiment's runs
as the experiment view's table asks for them (sorted, filtered, one keyset page)."""

from __future__ import annotations

from pydantic import Field, Json

from ..entities import TrialComponent, TrialComponentPrimaryStatus
from .schemas import ApiModel, PageQuery


class RunRangeParam(ApiModel):
    Key: str = Field(description="Parameters.<name> or Metrics.<name>.<Last|Min|Max|Avg>")
    Min: float | None = None
    Max: float | None = None


class ListExperimentRunsQuery(PageQuery):
    SortBy: str = Field(
        default="CreationTime",
        description=(
            "CreationTime, Name, Parameters.<name> (number values) or "
            "Metrics.<name>.<Last|Min|Max|Avg>; runs without the value come last"
        ),
    )
    NameContains: str | None = Field(
        default=None, max_length=256, description="Text of the run's name or display name"
    )
    Status: TrialComponentPrimaryStatus | None = None
    Ranges: Json[list[RunRangeParam]] | None = Field(
        default=None,
        description='JSON list of {"Key", "Min", "Max"}: every run listed lies in each range',
    )


class ListExperimentRunsResponse(ApiModel):
    TrialComponentSummaries: list[TrialComponent]
    NextToken: str | None = None
