"""``Experiment``: create, load, list and delete experiments (SageMaker's ``_Experiment``)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from ..entities import Experiment as ExperimentRecord
from ..entities import ExperimentSummary, Trial, validate_tags, validate_time
from ..exceptions import ValidationError
from ..store.base import ExperimentSortBy, SortOrder
from .client import TrackingClient, resolve_client


class Experiment:
    """An experiment of the studio; its runs are listed by :func:`.run.list_runs`.

    Made by :meth:`create` and :meth:`load`, not by calling the class.

    Args:
        record: The experiment as the studio keeps it.
        client: The tracking client it came from.
    """

    def __init__(self, record: ExperimentRecord, client: TrackingClient) -> None:
        self._record = record
        self._client = client

    @property
    def experiment_name(self) -> str:
        """The experiment's name."""
        return self._record.experiment_name

    @property
    def display_name(self) -> str | None:
        """The name shown in the studio."""
        return self._record.display_name

    @property
    def description(self) -> str | None:
        """The experiment's description."""
        return self._record.description

    @property
    def tags(self) -> dict[str, str]:
        """A copy of the experiment's tags, by key."""
        return dict(self._record.tags)

    @property
    def creation_time(self) -> datetime:
        """When the experiment was created (UTC)."""
        return self._record.creation_time

    @property
    def last_modified_time(self) -> datetime:
        """When it last changed (UTC)."""
        return self._record.last_modified_time

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
        """Create an experiment.

        Args:
            experiment_name: Its name (SageMaker's rule, at most 120 characters).
            display_name: The name shown; default the name.
            description: A description.
            tags: ``[{"Key": ..., "Value": ...}]`` or a mapping.
            sagemaker_session: None (the default client), a :class:`~.session.Session`, a
                :class:`~.client.TrackingClient` or a tracking URI.

        Returns:
            The experiment.

        Raises:
            ValidationError: A bad argument, naming it.
            ConflictError: The name is taken.
        """
        client = resolve_client(sagemaker_session)
        record = client.store.create_experiment(
            experiment_name,
            display_name=display_name,
            description=description,
            tags=validate_tags(tags, field="tags") or None,
        )
        return cls(record, client)

    @classmethod
    def load(cls, experiment_name: str, sagemaker_session: Any = None) -> Experiment:
        """An existing experiment.

        Args:
            experiment_name: Its name.
            sagemaker_session: As for :meth:`create`.

        Returns:
            The experiment.

        Raises:
            NotFoundError: There is none by that name.
        """
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
        """Summaries of every experiment.

        Args:
            created_before: Only experiments created before (naive means UTC).
            created_after: Only experiments created after (naive means UTC).
            sort_by: ``CreationTime`` or ``Name``.
            sort_order: ``Ascending`` or ``Descending``.
            sagemaker_session: As for :meth:`create`.

        Returns:
            Each experiment with its trial and run counts.

        Raises:
            ValidationError: A bad argument, naming it.
        """
        if sort_order not in ("Ascending", "Descending"):
            raise ValidationError("sort_order must be Ascending or Descending", field="sort_order")
        if sort_by not in ("Name", "CreationTime"):
            raise ValidationError("sort_by must be Name or CreationTime", field="sort_by")
        client = resolve_client(sagemaker_session)
        before = validate_time(created_before, field="created_before")
        after = validate_time(created_after, field="created_after")
        return [
            s
            for s in client.iter_experiments(
                sort_by=cast(ExperimentSortBy, sort_by), sort_order=cast(SortOrder, sort_order)
            )
            if (before is None or s.creation_time < before)
            and (after is None or s.creation_time > after)
        ]

    def list_trials(self) -> builtins.list[Trial]:
        """The experiment's trials (its run group ``Default-Run-Group-<experiment>``, ...).

        Returns:
            The trials.
        """
        return list(self._client.iter_trials(experiment_name=self.experiment_name))

    def delete(self) -> None:
        """Delete the experiment, its trials, and the runs that belong to it only.

        Pending metrics are written first; the deleted runs' files go too.

        Raises:
            NotFoundError: It was deleted already.
        """
        self._client.flush()
        self._client.delete_experiment(self.experiment_name)

    def delete_all(self, action: str = "--force") -> None:
        """SageMaker's spelling of :meth:`delete` (runs go with the experiment).

        Args:
            action: ``"--force"``, as SageMaker asks.

        Raises:
            ValidationError: Another ``action``.
        """
        if action != "--force":
            raise ValidationError('pass action="--force" to delete everything', field="action")
        self.delete()
