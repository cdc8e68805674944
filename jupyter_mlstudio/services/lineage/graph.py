"""The answer of a lineage walk: entities in the order they were reached and the edges
between them, with SageMaker's association types.

Every edge points downstream: its ``Source`` contributed to, produced or is associated
with its ``Destination`` (an input artifact ``ContributedTo`` a training job, the job
``Produced`` the model artifact, a model ``DerivedFrom`` a registered version, a job is
``AssociatedWith`` its run).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

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
AssociationType = Literal["ContributedTo", "Produced", "DerivedFrom", "AssociatedWith"]

#: Most entities one answer holds.
MAX_ENTITIES = 300
#: Most hops from the entity asked about.
MAX_DEPTH = 24


@dataclass
class LineageEntity:
    """One entity of a lineage.

    Attributes:
        id: Its key in the edges: its ARN when it has one, else an artifact's URI or a
            step's ``<execution ARN>/step/<name>``.
        type: What it is (``TrainingJob``, ``Artifact``, ...).
        name: Its name (an artifact's is its URI, a version's ``<group>/<version>``).
        arn: Its ARN, when it has one.
        status: Its status, when it has one (a version's approval status).
        uri: An artifact's URI.
        depth: Hops from the entity asked about (0 for that entity).
        details: A few more fields the views use (a step's execution, a missing record).
    """

    id: str
    type: EntityType
    name: str
    arn: str | None = None
    status: str | None = None
    uri: str | None = None
    depth: int = 0
    details: dict[str, str] = field(default_factory=dict)

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {"Id": self.id, "Type": self.type, "Name": self.name}
        for key, value in (("Arn", self.arn), ("Status", self.status), ("Uri", self.uri)):
            if value is not None:
                body[key] = value
        body["Depth"] = self.depth
        if self.details:
            body["Details"] = dict(self.details)
        return body


@dataclass(frozen=True)
class LineageEdge:
    source: str
    destination: str
    association_type: AssociationType

    def to_api(self) -> dict[str, Any]:
        return {
            "Source": self.source,
            "Destination": self.destination,
            "AssociationType": self.association_type,
        }


class LineageGraph:
    """Entities and edges as a walk finds them, each entity once (by id), bounded by
    :data:`MAX_ENTITIES`; ``truncated`` tells that something was left out."""

    def __init__(self, max_entities: int = MAX_ENTITIES) -> None:
        self.entities: dict[str, LineageEntity] = {}
        self.edges: list[LineageEdge] = []
        self._edge_keys: set[tuple[str, str, str]] = set()
        self.max_entities = max_entities
        self.truncated = False

    def add(self, entity: LineageEntity) -> bool:
        """Keep ``entity``; False when it was there already or there is no room."""
        if entity.id in self.entities:
            return False
        if len(self.entities) >= self.max_entities:
            self.truncated = True
            return False
        self.entities[entity.id] = entity
        return True

    def link(self, source: str, destination: str, association: AssociationType) -> None:
        """An edge between two kept entities (ignored when either was left out)."""
        key = (source, destination, association)
        if source == destination or key in self._edge_keys:
            return
        if source not in self.entities or destination not in self.entities:
            return
        self._edge_keys.add(key)
        self.edges.append(LineageEdge(source, destination, association))

    def to_api(self) -> dict[str, Any]:
        """``{"Entities": [...], "Edges": [...], "Truncated": bool}``, entities in the
        order they were found (nearest first)."""
        return {
            "Entities": [e.to_api() for e in self.entities.values()],
            "Edges": [e.to_api() for e in self.edges],
            "Truncated": self.truncated,
        }
