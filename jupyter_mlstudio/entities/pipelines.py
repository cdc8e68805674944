"""Pipelines, as SageMaker's CreatePipeline / DescribePipeline describe them: a name and a
definition (the JSON text as given) with display name, description, role and tags."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from .common import Entity
from .registry import ARN_PREFIX

#: Most characters of a pipeline's name (SageMaker: 256).
PIPELINE_NAME_MAX = 256
#: Most characters of a definition (SageMaker: 1 MB).
DEFINITION_MAX = 1_048_576


def pipeline_arn(pipeline_name: str) -> str:
    """The ARN of a pipeline (SageMaker lowercases the name in it)."""
    return f"{ARN_PREFIX}:pipeline/{pipeline_name.lower()}"


class Pipeline(Entity):
    """A pipeline. ``pipeline_definition`` is the definition's JSON text, kept as given."""

    pipeline_name: str
    pipeline_definition: str
    pipeline_display_name: str | None = None
    pipeline_description: str | None = None
    role_arn: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    creation_time: datetime
    last_modified_time: datetime

    @property
    def pipeline_arn(self) -> str:
        return pipeline_arn(self.pipeline_name)
