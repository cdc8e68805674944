"""Request and response bodies of the REST API.

Handlers parse requests with these models and the OpenAPI document is generated from
them, so the document and the code cannot drift apart. Field names are SageMaker's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat

from ..entities import (
    Endpoint,
    Experiment,
    ExperimentSummary,
    JobStatus,
    MetricPoint,
    Trial,
    TrialComponent,
    TrialComponentArtifact,
    TrialComponentPrimaryStatus,
    TrialComponentSource,
)
from ..entities.endpoints import EndpointStatus
from ..services.jobs.requests import MAX_TAGS

#: Most parameters one request may set on a run (SageMaker's TrialComponentParameters
#: holds at most 300 entries).
MAX_PARAMETERS = 300


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ErrorResponse(ApiModel):
    code: str = Field(description="Machine-readable error code, e.g. ValidationException")
    message: str
    field: str | None = Field(default=None, description="The request field that is wrong")


class Tag(ApiModel):
    Key: str
    Value: str = ""


#: ``Tags``: SageMaker's list of ``{Key, Value}`` or a mapping, at most ``MAX_TAGS`` of them.
TagsInput = (
    Annotated[list[Tag], Field(max_length=MAX_TAGS)]
    | Annotated[dict[str, str], Field(max_length=MAX_TAGS)]
)
TagsField = Annotated[TagsInput | None, Field(description=f"At most {MAX_TAGS} tags")]


#: ``Parameters`` of a run: numbers or strings by name, at most ``MAX_PARAMETERS``.
ParametersField = Annotated[
    dict[str, StrictFloat | str] | None,
    Field(
        max_length=MAX_PARAMETERS,
        description=f"At most {MAX_PARAMETERS} parameters per request, as on SageMaker",
    ),
]


def tags_to_dict(tags: TagsInput | None) -> dict[str, str] | None:
    if tags is None:
        return None
    if isinstance(tags, dict):
        return dict(tags)
    return {t.Key: t.Value for t in tags}


# -- paging and sorting -------------------------------------------------------------

SortOrderParam = Literal["Ascending", "Descending"]


class PageQuery(ApiModel):
    MaxResults: int = Field(default=100, ge=1, le=1000)
    NextToken: str | None = None
    SortOrder: SortOrderParam = "Descending"


# -- experiments --------------------------------------------------------------------


class ListExperimentsQuery(PageQuery):
    NameContains: str | None = None
    TagKey: str | None = None
    TagValue: str | None = None
    SortBy: Literal["Name", "CreationTime"] = "CreationTime"


class ListExperimentsResponse(ApiModel):
    ExperimentSummaries: list[ExperimentSummary]
    NextToken: str | None = None


class CreateExperimentRequest(ApiModel):
    ExperimentName: str
    DisplayName: str | None = None
    Description: str | None = None
    Tags: TagsField = None


class UpdateExperimentRequest(ApiModel):
    """Only the fields present are changed; null clears one."""

    DisplayName: str | None = None
    Description: str | None = None


class ListTrialsQuery(PageQuery):
    ExperimentName: str | None = None
    TrialComponentName: str | None = None


class ListTrialsResponse(ApiModel):
    TrialSummaries: list[Trial]
    NextToken: str | None = None


class CreateTrialRequest(ApiModel):
    TrialName: str
    ExperimentName: str
    DisplayName: str | None = None
    Tags: TagsField = None


class UpdateTrialRequest(ApiModel):
    """Only the fields present are changed; null clears one."""

    DisplayName: str | None = None


class StatusBody(ApiModel):
    PrimaryStatus: TrialComponentPrimaryStatus = TrialComponentPrimaryStatus.IN_PROGRESS
    Message: str | None = None


class CreateTrialComponentRequest(ApiModel):
    TrialComponentName: str
    DisplayName: str | None = None
    TrialName: str | None = Field(default=None, description="Put the new run in this trial")
    Status: StatusBody | None = None
    StartTime: datetime | None = None
    EndTime: datetime | None = None
    Parameters: ParametersField = None
    InputArtifacts: dict[str, TrialComponentArtifact] | None = None
    OutputArtifacts: dict[str, TrialComponentArtifact] | None = None
    Source: TrialComponentSource | None = Field(
        default=None, description="The job that made the run (set by the studio for its jobs)"
    )
    Tags: TagsField = None


class ListTrialComponentsQuery(PageQuery):
    ExperimentName: str | None = None
    TrialName: str | None = None
    SourceArn: str | None = Field(default=None, description="Only the runs of this job")
    Status: TrialComponentPrimaryStatus | None = None


class ListTrialComponentsResponse(ApiModel):
    TrialComponentSummaries: list[TrialComponent]
    NextToken: str | None = None


class MetricDatum(ApiModel):
    MetricName: str
    Value: float
    Step: int | None = Field(default=None, ge=0)
    Timestamp: datetime | None = None


class MetricColumnsBody(ApiModel):
    """A batch as columns of equal length: point ``i`` is the ``i``-th item of each."""

    MetricName: list[str] = Field(min_length=1, max_length=10_000)
    Value: list[float] = Field(min_length=1, max_length=10_000)
    Step: list[int | None] = Field(
        min_length=1, max_length=10_000, description="Each point's step (≥ 0), or null"
    )
    Timestamp: list[int] = Field(
        min_length=1,
        max_length=10_000,
        description="Each point's time in microseconds since 1970-01-01 UTC",
    )


class LogMetricsRequest(ApiModel):
    """Exactly one of ``MetricData`` (a point an object) and ``Columns`` (the compact
    form the SDK sends)."""

    MetricData: list[MetricDatum] | None = Field(default=None, min_length=1, max_length=10_000)
    Columns: MetricColumnsBody | None = None


class MetricSeriesResponse(ApiModel):
    TrialComponentName: str
    MetricName: str
    Points: list[MetricPoint]


class StatusChange(ApiModel):
    """A present field is set (a null ``Message`` clears it); an absent one stays."""

    PrimaryStatus: TrialComponentPrimaryStatus | None = None
    Message: str | None = None


class UpdateTrialComponentRequest(ApiModel):
    """Only the fields present are changed; parameters and artifacts are merged."""

    DisplayName: str | None = None
    Status: StatusChange | None = None
    StartTime: datetime | None = None
    EndTime: datetime | None = None
    Parameters: ParametersField = None
    ParametersToRemove: list[str] = Field(default_factory=list)
    InputArtifacts: dict[str, TrialComponentArtifact] | None = None
    OutputArtifacts: dict[str, TrialComponentArtifact] | None = None


class AssociateTrialComponentRequest(ApiModel):
    TrialComponentName: str


class PutRunArtifactResponse(ApiModel):
    TrialComponentName: str
    ArtifactPath: str = Field(description="Path of the file inside the run's folder")
    ArtifactUri: str = Field(description="Where the artifact store keeps it")


# -- jobs and endpoints ---------------------------------------------------------------


class ListJobsQuery(PageQuery):
    StatusEquals: JobStatus | None = None
    NameContains: str | None = None


class ListEndpointsQuery(PageQuery):
    StatusEquals: EndpointStatus | None = None
    NameContains: str | None = None


class ListEndpointsResponse(ApiModel):
    Endpoints: list[Endpoint]
    NextToken: str | None = None


# -- system ---------------------------------------------------------------------------


class StoreHealthBody(ApiModel):
    Backend: str
    Url: str
    Ok: bool
    SchemaRevision: str | None = None
    HeadRevision: str | None = None
    Detail: str | None = None


class ArtifactHealthBody(ApiModel):
    Uri: str
    Ok: bool
    Detail: str | None = None


class RuntimeBody(ApiModel):
    Name: str
    Available: bool
    Detail: str | None = None


class HealthResponse(ApiModel):
    Version: str
    Store: StoreHealthBody
    ArtifactRoot: ArtifactHealthBody
    Runtimes: list[RuntimeBody]
    DefaultRuntime: str


OpenApiDocument = dict[str, Any]

__all__ = [
    "ApiModel",
    "AssociateTrialComponentRequest",
    "CreateExperimentRequest",
    "CreateTrialComponentRequest",
    "CreateTrialRequest",
    "ErrorResponse",
    "Experiment",
    "HealthResponse",
    "ListEndpointsQuery",
    "ListEndpointsResponse",
    "ListExperimentsQuery",
    "ListExperimentsResponse",
    "ListJobsQuery",
    "ListTrialComponentsQuery",
    "ListTrialComponentsResponse",
    "ListTrialsQuery",
    "ListTrialsResponse",
    "LogMetricsRequest",
    "MetricSeriesResponse",
    "PutRunArtifactResponse",
    "UpdateTrialComponentRequest",
]
