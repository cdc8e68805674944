"""``Experiment``: create, load, list and delete experiments (SageMaker's ``_Experiment``)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..entities import Experiment as ExperimentRecord
from ..entities import ExperimentSummary, Trial, validate_tags, validate_time
from ..exceptions import ValidationError
from .client import TrackingClient, resolve_client


class Experiment:
    """An experiment of the studio; its runs are listed by :func:`.run.list_runs`."""

    def __init__(self, record: ExperimentRecord, client: TrackingClient) -> None:
        self._record = record
        self._client = client

    experiment_name = property(lambda self: self._record.experiment_name)
    display_name = property(lambda self: self._record.display_name)
    description = property(lambda self: self._record.description)
    tags = property(lambda self: dict(self._record.tags))
    creation_time = property(lambda self: self._record.creation_time)
    last_modified_time = property(lambda self: self._record.last_modified_time)

    def __repr__(self) -> str:
        return f"Experiment(experiment_name={self.experiment_name!r})"

    @classmethod
    def create(
        cls,
        experiment_name: str,
        display_name: str | None = None,
        description: str | None = None,
        tags: Mapping[str, str] | list[dict[str, str]] | None = None,
        sagemaker_session: Any = None,
    ) -> Experiment:
        """ConflictError if the name is taken."""
        client = resolve_client(sagemaker_session)
        record = client.create_experiment(
            experiment_name,
            display_name=display_name,
            description=description,
            tags=validate_tags(tags, field="tags") or None,
        )
        return cls(record, client)

    @classmethod
    def load(cls, experiment_name: str, sagemaker_session: Any = None) -> Experiment:
        """NotFoundError if there is none by that name."""
        client = resolve_client(sagemaker_session)
        return cls(client.get_experiment(experiment_name), client)

    @classmethod
    def list(
        cls,
        created_before: datetime | None = None,
        created_after: datetime | None = None,
        sort_by: str = "CreationTime",
        sort_order: str = "Descending",
        sagemaker_session: Any = None,
    ) -> builtins.list[ExperimentSummary]:
        """Summaries (with trial and run counts) of every experiment."""
        if sort_order not in ("Ascending", "Descending"):
            raise ValidationError("sort_order must be Ascending or Descending", field="sort_order")
        client = resolve_client(sagemaker_session)
        before = validate_time(created_before, field="created_before")
        after = validate_time(created_after, field="created_after")
        return [
            s
            for s in client.iter_experiments(sort_by=sort_by, sort_order=sort_order)
            if (before is None or s.creation_time < before)
            and (after is None or s.creation_time > after)
        ]

    def list_trials(self) -> builtins.list[Trial]:
        return list(self._client.iter_trials(experiment_name=self.experiment_name))

    def delete(self) -> None:
        """Delete the experiment, its trials, and the runs that belong to it only."""
        self._client.flush()
        self._client.delete_experiment(self.experiment_name)

    def delete_all(self, action: str = "--force") -> None:
        """SageMaker's spelling of :meth:`delete` (runs go with the experiment)."""
        if action != "--force":
            raise ValidationError('pass action="--force" to delete everything', field="action")
        self.delete()
