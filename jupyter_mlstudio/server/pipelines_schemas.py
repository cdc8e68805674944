"""Queries and answers of the pipeline routes, in SageMaker's shapes. Request bodies are
:mod:`..services.pipelines.requests`."""

from __future__ import annotations

from pydantic import Field

from .schemas import ApiModel, PageQuery, Tag


class ListPipelinesQuery(PageQuery):
    PipelineNamePrefix: str | None = None


class PipelineSummary(ApiModel):
    PipelineArn: str
    PipelineName: str
    PipelineDisplayName: str | None = None
    PipelineDescription: str | None = None
    RoleArn: str | None = None
    CreationTime: str
    LastModifiedTime: str


class ListPipelinesResponse(ApiModel):
    PipelineSummaries: list[PipelineSummary]
    NextToken: str | None = None


class DescribePipelineResponse(PipelineSummary):
    PipelineDefinition: str = Field(description="the definition's JSON text, as given")
    PipelineStatus: str = Field(description='"Active"')
    Tags: list[Tag] = Field(default_factory=list)
