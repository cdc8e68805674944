"""Lineage from notebooks: what produced an endpoint, a model, a registered version or a
job (``GET /mlstudio/api/lineage``)::

    from jupyter_mlstudio.sdk.lineage import lineage

    for entity in lineage(endpoint_name="churn"):
        print(entity.depth, entity.type, entity.name, entity.status or "")
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .client import resolve_client


@dataclass(frozen=True)
class LineageEntity:
    """One entity of a lineage.

    Args:
        id: Its key in the edges (its ARN, an artifact's URI, a step's id).
        type: ``Endpoint``, ``EndpointConfig``, ``Model``, ``ModelPackage``,
            ``TrainingJob``, ``ProcessingJob``, ``TransformJob``,
            ``HyperParameterTuningJob``, ``PipelineExecution``, ``PipelineStep``,
            ``Artifact`` or ``Run``.
        name: Its name (an artifact's is its URI, a version's ``<group>/<version>``).
        arn: Its ARN, when it has one.
        status: Its status, when it has one (a version's approval status).
        uri: An artifact's location.
        depth: Hops from the entity asked about (0 for that entity).
        details: More fields (a step's ``PipelineExecutionArn``, ``Deleted``).
    """

    id: str
    type: str
    name: str
    arn: str | None = None
    status: str | None = None
    uri: str | None = None
    depth: int = 0
    details: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LineageEdge:
    """``source`` contributed to, produced, or is associated with ``destination``.

    Args:
        source: The id of the entity upstream.
        destination: The id of the entity downstream.
        association_type: ``ContributedTo``, ``Produced``, ``DerivedFrom`` or
            ``AssociatedWith``.
    """

    source: str
    destination: str
    association_type: str


@dataclass(frozen=True)
class Lineage:
    """A lineage: iterate it for its entities, nearest first.

    Args:
        entities: The entity asked about first, then what produced it.
        edges: The associations between them.
        truncated: The walk stopped at its bounds; more may exist.
    """

    entities: list[LineageEntity]
    edges: list[LineageEdge]
    truncated: bool = False

    def __iter__(self) -> Iterator[LineageEntity]:
        return iter(self.entities)

    def __len__(self) -> int:
        return len(self.entities)

    def of_type(self, entity_type: str) -> list[LineageEntity]:
        """The entities of one type, nearest first.

        Args:
            entity_type: ``TrainingJob``, ``Artifact``, ``Run``, ...

        Returns:
            Those entities.
        """
        return [e for e in self.entities if e.type == entity_type]

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> Lineage:
        """The lineage of the route's answer.

        Args:
            body: ``{"Entities": [...], "Edges": [...], "Truncated": ...}``.

        Returns:
            The lineage.
        """
        entities = [
            LineageEntity(
                id=e["Id"],
                type=e["Type"],
                name=e["Name"],
                arn=e.get("Arn"),
                status=e.get("Status"),
                uri=e.get("Uri"),
                depth=int(e.get("Depth") or 0),
                details=dict(e.get("Details") or {}),
            )
            for e in body.get("Entities") or []
        ]
        edges = [
            LineageEdge(e["Source"], e["Destination"], e["AssociationType"])
            for e in body.get("Edges") or []
        ]
        return cls(entities, edges, bool(body.get("Truncated")))


def lineage(
    *,
    endpoint_name: str | None = None,
    model_name: str | None = None,
    model_package_arn: str | None = None,
    arn: str | None = None,
    sagemaker_session: Any = None,
) -> Lineage:
    """What produced an endpoint, a model, a registered version or a job: its endpoint
    config, models, version, model data, the jobs that wrote it and their inputs, the
    pipeline execution and steps that ran them, and their runs.

    Args:
        endpoint_name: An endpoint's name.
        model_name: A model's name.
        model_package_arn: A version's ARN or ``<group>/<version>``.
        arn: An endpoint's, model's, version's or job's ARN.
        sagemaker_session: None (the default client), a Session, a TrackingClient or a
            tracking URI: the studio asked.

    Returns:
        The lineage, nearest first.

    Raises:
        ValidationError: Naming the argument's field when none or several are given.
        NotFoundError: When the entity does not exist.
    """
    query = {
        "EndpointName": endpoint_name,
        "ModelName": model_name,
        "ModelPackageArn": model_package_arn,
        "Arn": arn,
    }
    connection = resolve_client(sagemaker_session).studio
    return Lineage.from_api(dict(connection.json("GET", "lineage", query=query)))
