"""CreatePipeline and UpdatePipeline requests, in SageMaker's field names (unknown fields
are refused so that a typo is not silently dropped)."""

from __future__ import annotations

from pydantic import Field

from ..jobs.requests import MAX_TAGS, JobTag, RequestModel


class CreatePipelineRequest(RequestModel):
    PipelineName: str
    PipelineDefinition: str = Field(
        description='the definition\'s JSON text (Version "2020-12-01")'
    )
    PipelineDisplayName: str | None = None
    PipelineDescription: str | None = None
    RoleArn: str | None = Field(None, description="accepted and kept; the studio runs as you")
    Tags: list[JobTag] = Field(default_factory=list, max_length=MAX_TAGS)


class UpdatePipelineRequest(RequestModel):
    """The fields given are changed; the others are kept."""

    PipelineDefinition: str | None = None
    PipelineDisplayName: str | None = None
    PipelineDescription: str | None = None
    RoleArn: str | None = None
