"""What the tracking client needs from a studio, and the direct implementation.

A :class:`TrackingBackend` is picked from a tracking URI by
:func:`.tracking_uri.open_backend` (the way MLflow's store registry does): ``http(s)://``
talks to a running studio's REST API (:class:`.http.HttpBackend`); ``sqlite:///`` and
``postgresql://`` URLs, or no URI at all (the studio's resolved configuration:
``MLSTUDIO_DATABASE_URL``, ``MLSTUDIO_HOME``), go straight to the metadata and artifact
stores through the same service the server uses (:class:`DirectBackend`).

Every method raises :mod:`jupyter_mlstudio.exceptions` errors only, over either backend.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from typing import Any

from ..artifacts import open_artifact_store
from ..config import resolve_config
from ..entities import (
    Experiment,
    ExperimentSummary,
    MetricPoint,
    Page,
    Trial,
    TrialComponent,
)
from ..exceptions import ValidationError
from ..services.tracking.experiments import ExperimentService
from ..store import open_store
from ..store.base import SortOrder


class TrackingBackend(abc.ABC):
    """Experiments, trials, runs, metrics and run files of one studio. Thread-safe."""

    #: The URI the backend was opened with (passwords and tokens left out).
    uri: str = ""

    @abc.abstractmethod
    def create_experiment(
        self,
        experiment_name: str,
        *,
        display_name: str | None = None,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Experiment: ...

    @abc.abstractmethod
    def get_experiment(self, experiment_name: str) -> Experiment: ...

    @abc.abstractmethod
    def list_experiments(
        self,
        *,
        sort_by: str = "CreationTime",
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[ExperimentSummary]: ...

    @abc.abstractmethod
    def delete_experiment(self, experiment_name: str) -> None: ...

    @abc.abstractmethod
    def create_trial(
        self,
        trial_name: str,
        experiment_name: str,
        *,
        display_name: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Trial: ...

    @abc.abstractmethod
    def get_trial(self, trial_name: str) -> Trial: ...

    @abc.abstractmethod
    def list_trials(
        self,
        *,
        experiment_name: str | None = None,
        trial_component_name: str | None = None,
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[Trial]: ...

    @abc.abstractmethod
    def create_trial_component(
        self,
        trial_component_name: str,
        *,
        trial_name: str | None = None,
        display_name: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> TrialComponent:
        """Create a run (status InProgress, started now), in ``trial_name`` when given."""

    @abc.abstractmethod
    def get_trial_component(self, trial_component_name: str) -> TrialComponent: ...

    @abc.abstractmethod
    def update_trial_component(self, trial_component_name: str, **changes: Any) -> TrialComponent:
        """``changes`` as :meth:`MetadataStore.update_trial_component` takes them."""

    @abc.abstractmethod
    def list_trial_components(
        self,
        *,
        experiment_name: str | None = None,
        trial_name: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[TrialComponent]: ...

    @abc.abstractmethod
    def associate_trial_component(self, trial_component_name: str, trial_name: str) -> None: ...

    @abc.abstractmethod
    def log_metrics(self, trial_component_name: str, points: Sequence[MetricPoint]) -> None:
        """Write at most 10,000 points in one transaction (all or nothing)."""

    @abc.abstractmethod
    def get_metric_series(
        self, trial_component_name: str, metric_name: str
    ) -> list[MetricPoint]: ...

    @abc.abstractmethod
    def put_run_artifact(
        self, trial_component_name: str, path: str, data: bytes, content_type: str | None
    ) -> str:
        """Store a run's file under ``runs/<run>/<path>``; return its artifact URI."""

    @abc.abstractmethod
    def get_run_artifact(self, trial_component_name: str, path: str) -> bytes: ...

    def close(self) -> None:  # noqa: B027 - nothing to release by default
        """Release connections."""


class DirectBackend(TrackingBackend):
    """Straight to the metadata store and artifact store, through ``ExperimentService``."""

    def __init__(self, database_url: str | None = None, artifact_root: str | None = None) -> None:
        config = resolve_config(database_url=database_url, artifact_root=artifact_root)
        if config.database_url.startswith("sqlite:"):
            config.home.mkdir(parents=True, exist_ok=True)
        self._store = open_store(config.database_url)
        try:
            self._artifacts = open_artifact_store(config.artifact_root)
        except Exception:
            self._store.close()
            raise
        self._service = ExperimentService(self._store, self._artifacts)
        self.uri = self._store.health().url
        #: the store and artifact root, as given to a studio that serves them
        self.database_url = config.database_url
        self.artifact_root = config.artifact_root

    def create_experiment(
        self,
        experiment_name: str,
        *,
        display_name: str | None = None,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Experiment:
        return self._service.create_experiment(
            experiment_name, display_name=display_name, description=description, tags=tags
        )

    def get_experiment(self, experiment_name: str) -> Experiment:
        return self._service.get_experiment(experiment_name)

    def list_experiments(
        self,
        *,
        sort_by: str = "CreationTime",
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[ExperimentSummary]:
        if sort_by not in ("Name", "CreationTime"):
            raise ValidationError("sort_by must be Name or CreationTime", field="SortBy")
        return self._service.list_experiments(
            sort_by=sort_by,  # type: ignore[arg-type]
            sort_order=sort_order,
            max_results=max_results,
            next_token=next_token,
        )

    def delete_experiment(self, experiment_name: str) -> None:
        self._service.delete_experiment(experiment_name)

    def create_trial(
        self,
        trial_name: str,
        experiment_name: str,
        *,
        display_name: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Trial:
        return self._service.create_trial(
            trial_name, experiment_name, display_name=display_name, tags=tags
        )

    def get_trial(self, trial_name: str) -> Trial:
        return self._service.get_trial(trial_name)

    def list_trials(
        self,
        *,
        experiment_name: str | None = None,
        trial_component_name: str | None = None,
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[Trial]:
        return self._service.list_trials(
            experiment_name=experiment_name,
            trial_component_name=trial_component_name,
            max_results=max_results,
            next_token=next_token,
        )

    def create_trial_component(
        self,
        trial_component_name: str,
        *,
        trial_name: str | None = None,
        display_name: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> TrialComponent:
        return self._service.create_trial_component(
            trial_component_name, trial_name=trial_name, display_name=display_name, tags=tags
        )

    def get_trial_component(self, trial_component_name: str) -> TrialComponent:
        return self._service.get_trial_component(trial_component_name)

    def update_trial_component(self, trial_component_name: str, **changes: Any) -> TrialComponent:
        return self._service.update_trial_component(trial_component_name, **changes)

    def list_trial_components(
        self,
        *,
        experiment_name: str | None = None,
        trial_name: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[TrialComponent]:
        return self._service.list_trial_components(
            experiment_name=experiment_name,
            trial_name=trial_name,
            sort_order=sort_order,
            max_results=max_results,
            next_token=next_token,
        )

    def associate_trial_component(self, trial_component_name: str, trial_name: str) -> None:
        self._service.associate_trial_component(trial_component_name, trial_name)

    def log_metrics(self, trial_component_name: str, points: Sequence[MetricPoint]) -> None:
        self._service.log_metrics(trial_component_name, points)

    def get_metric_series(self, trial_component_name: str, metric_name: str) -> list[MetricPoint]:
        return self._service.get_metric_series(trial_component_name, metric_name)

    def put_run_artifact(
        self, trial_component_name: str, path: str, data: bytes, content_type: str | None
    ) -> str:
        return self._service.put_run_artifact(trial_component_name, path, data, content_type)[1]

    def get_run_artifact(self, trial_component_name: str, path: str) -> bytes:
        return self._service.get_run_artifact(trial_component_name, path)[0]

    def close(self) -> None:
        self._artifacts.close()
        self._store.close()
