"""The query and answer of the lineage route: the entities that produced an endpoint, a
model, a registered version or a job, and the edges between them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .schemas import ApiModel

EntityType = Literal[
    "Endpoint",
    "EndpointConfig",
    "Model",
    "ModelPackage",
    "TrainingJob",
    "ProcessingJob",
    "TransformJob",
    "HyperParameterTuningJob",
    "AutoMLJob",
    "PipelineExecution",
    "PipelineStep",
    "Artifact",
    "Run",
]


class LineageQuery(ApiModel):
    """Exactly one of the four names where the walk starts."""

    Arn: str | None = Field(
        None, description="An endpoint's, model's, model package version's or job's ARN"
    )
    EndpointName: str | None = None
    ModelName: str | None = None
    ModelPackageArn: str | None = Field(
        None, description="A model package version's ARN or <group>/<version>"
    )


class LineageEntityBody(ApiModel):
    Id: str = Field(description="The key the edges use: the ARN, an artifact's URI, a step's id")
    Type: EntityType
    Name: str
    Arn: str | None = None
    Status: str | None = None
    Uri: str | None = Field(None, description="An artifact's location")
    Depth: int = Field(description="Hops from the entity asked about (0: that entity)")
    Details: dict[str, str] | None = Field(
        None,
        description="PipelineName (an execution, a step), PipelineExecutionArn (a step),"
        " CacheHitSource (a step taken from an earlier execution), Deleted (a record named"
        " by another that no longer exists)",
    )


class LineageEdgeBody(ApiModel):
    Source: str = Field(description="The Id of the entity upstream")
    Destination: str = Field(description="The Id of the entity downstream")
    AssociationType: Literal["ContributedTo", "Produced", "DerivedFrom", "AssociatedWith"]


class LineageResponse(ApiModel):
    Entities: list[LineageEntityBody] = Field(
        description="The entity asked about first, then what produced it, nearest first"
    )
    Edges: list[LineageEdgeBody]
    Truncated: bool = Field(description="The walk stopped at its bounds (depth, entities)")
