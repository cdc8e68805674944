"""Rules for experiments, trials and runs (trial components)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime

from ...artifacts.base import ArtifactStore, guess_content_type, normalize_path
from ...entities import (
    Experiment,
    ExperimentSummary,
    MetricPoint,
    Page,
    ParameterValue,
    Trial,
    TrialComponent,
    TrialComponentArtifact,
    TrialComponentPrimaryStatus,
    utcnow,
)
from ...exceptions import NotFoundError, StoreUnavailableError, StudioError, ValidationError
from ...store.base import UNSET, ExperimentSortBy, MetadataStore, SortOrder

log = logging.getLogger(__name__)

#: Where a run's files live in the artifact store: ``runs/<run>/<generation>/<path>``.
RUN_ARTIFACT_PREFIX = "runs"


def run_generation(run: TrialComponent) -> str:
    """The folder of one incarnation of a run name: its creation time to the microsecond.

    A run deleted and created again under the same name gets a new folder, so files the
    old run left behind (a delete whose file removal failed) never reach the new one.
    """
    return run.creation_time.strftime("%Y%m%dT%H%M%S%fZ")


def run_folder(run: TrialComponent) -> str:
    """The artifact-store folder of a run's files: ``runs/<run>/<generation>``."""
    return f"{RUN_ARTIFACT_PREFIX}/{run.trial_component_name}/{run_generation(run)}"


class ExperimentService:
    def __init__(self, store: MetadataStore, artifacts: ArtifactStore | None = None) -> None:
        self._store = store
        self._artifacts = artifacts

    # experiments

    def create_experiment(
        self,
        experiment_name: str,
        *,
        display_name: str | None = None,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Experiment:
        return self._store.create_experiment(
            experiment_name, display_name=display_name, description=description, tags=tags
        )

    def get_experiment(self, experiment_name: str) -> Experiment:
        return self._store.get_experiment(experiment_name)

    def list_experiments(
        self,
        *,
        name_contains: str | None = None,
        tag_key: str | None = None,
        tag_value: str | None = None,
        sort_by: ExperimentSortBy = "CreationTime",
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[ExperimentSummary]:
        if tag_value is not None and tag_key is None:
            raise ValidationError("TagValue needs TagKey", field="TagValue")
        return self._store.list_experiments(
            name_contains=name_contains,
            tag=(tag_key, tag_value) if tag_key is not None else None,
            sort_by=sort_by,
            sort_order=sort_order,
            max_results=max_results,
            next_token=next_token,
        )

    def delete_experiment(self, experiment_name: str) -> None:
        """Delete the experiment, its trials and the runs no other experiment holds (one
        transaction), then the files of the runs that went.

        Raises:
            NotFoundError: no such experiment.
        """
        runs = self._all_runs_of(experiment_name)
        self._store.delete_experiment(experiment_name)
        for run in runs:
            self._delete_run_files(run)

    # trials

    def create_trial(
        self,
        trial_name: str,
        experiment_name: str,
        *,
        display_name: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Trial:
        return self._store.create_trial(
            trial_name, experiment_name, display_name=display_name, tags=tags
        )

    def get_trial(self, trial_name: str) -> Trial:
        return self._store.get_trial(trial_name)

    def list_trials(
        self,
        *,
        experiment_name: str | None = None,
        trial_component_name: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[Trial]:
        return self._store.list_trials(
            experiment_name=experiment_name,
            trial_component_name=trial_component_name,
            sort_order=sort_order,
            max_results=max_results,
            next_token=next_token,
        )

    def delete_trial(self, trial_name: str) -> None:
        """Delete the trial; its runs, and so their files, stay (as in SageMaker)."""
        self._store.delete_trial(trial_name)

    # runs

    def create_trial_component(
        self,
        trial_component_name: str,
        *,
        trial_name: str | None = None,
        display_name: str | None = None,
        status: TrialComponentPrimaryStatus = TrialComponentPrimaryStatus.IN_PROGRESS,
        status_message: str | None = None,
        start_time: datetime | None = None,
        parameters: Mapping[str, ParameterValue] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> TrialComponent:
        """Create a run, in ``trial_name`` when given.

        The trial is checked first so that a missing trial leaves no orphan run behind.
        """
        if trial_name is not None:
            try:
                self._store.get_trial(trial_name)
            except NotFoundError as exc:
                raise NotFoundError(str(exc), field="TrialName") from exc
        if start_time is None and status is TrialComponentPrimaryStatus.IN_PROGRESS:
            start_time = utcnow()
        component = self._store.create_trial_component(
            trial_component_name,
            display_name=display_name,
            status=status,
            status_message=status_message,
            start_time=start_time,
            parameters=parameters,
            tags=tags,
        )
        if trial_name is not None:
            try:
                self._store.associate_trial_component(trial_component_name, trial_name)
            except Exception:
                # The trial vanished in between: undo the run rather than leave half of it.
                self._store.delete_trial_component(trial_component_name)
                raise
            component = self._store.get_trial_component(trial_component_name)
        return component

    def get_trial_component(self, trial_component_name: str) -> TrialComponent:
        return self._store.get_trial_component(trial_component_name)

    def list_trial_components(
        self,
        *,
        experiment_name: str | None = None,
        trial_name: str | None = None,
        status: TrialComponentPrimaryStatus | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[TrialComponent]:
        return self._store.list_trial_components(
            experiment_name=experiment_name,
            trial_name=trial_name,
            status=status,
            sort_order=sort_order,
            max_results=max_results,
            next_token=next_token,
        )

    def update_trial_component(
        self,
        trial_component_name: str,
        *,
        display_name: str | None = UNSET,
        status: TrialComponentPrimaryStatus | None = None,
        status_message: str | None = UNSET,
        start_time: datetime | None = UNSET,
        end_time: datetime | None = UNSET,
        parameters: Mapping[str, ParameterValue] | None = None,
        parameters_to_remove: Sequence[str] = (),
        input_artifacts: Mapping[str, TrialComponentArtifact] | None = None,
        output_artifacts: Mapping[str, TrialComponentArtifact] | None = None,
    ) -> TrialComponent:
        """Set the given fields; merge parameters and artifacts (as the store does)."""
        return self._store.update_trial_component(
            trial_component_name,
            display_name=display_name,
            status=status,
            status_message=status_message,
            start_time=start_time,
            end_time=end_time,
            parameters=parameters,
            parameters_to_remove=parameters_to_remove,
            input_artifacts=input_artifacts,
            output_artifacts=output_artifacts,
        )

    def associate_trial_component(self, trial_component_name: str, trial_name: str) -> None:
        """Put a run in a trial (idempotent)."""
        self._store.associate_trial_component(trial_component_name, trial_name)

    def delete_trial_component(self, trial_component_name: str) -> None:
        """Delete the run with its metrics (one transaction), then its files.

        Raises:
            NotFoundError: no such run.
        """
        run = self._store.get_trial_component(trial_component_name)
        self._store.delete_trial_component(trial_component_name)
        self._delete_run_files(run)

    # metrics

    def log_metrics(self, trial_component_name: str, points: Sequence[MetricPoint]) -> None:
        if not points:
            raise ValidationError("MetricData must hold at least one point", field="MetricData")
        self._store.log_metrics(trial_component_name, points)

    def get_metric_series(self, trial_component_name: str, metric_name: str) -> list[MetricPoint]:
        return self._store.get_metric_series(trial_component_name, metric_name)

    # run artifact files

    def put_run_artifact(
        self,
        trial_component_name: str,
        path: str,
        data: bytes,
        content_type: str | None = None,
    ) -> tuple[str, str]:
        """Store a file of a run in its folder (:func:`run_folder`); return ``(path, uri)``.

        NotFoundError for an unknown run; ``ArtifactPathError`` for a path that would
        leave the run's folder.
        """
        relative = normalize_path(path, field="ArtifactPath")
        key = self._run_artifact_key(trial_component_name, relative)
        self._artifact_store().put_bytes(key, data, content_type)
        return relative, self._artifact_store().uri_for(key)

    def get_run_artifact(self, trial_component_name: str, path: str) -> tuple[bytes, str | None]:
        """The content and media type of a run's file (NotFoundError if missing)."""
        key = self._run_artifact_key(trial_component_name, path)
        store = self._artifact_store()
        data = store.get_bytes(key)
        return data, store.stat(key).content_type or guess_content_type(key)

    def _run_artifact_key(self, trial_component_name: str, path: str) -> str:
        relative = normalize_path(path, field="ArtifactPath")
        run = self._store.get_trial_component(trial_component_name)  # NotFoundError for no run
        return f"{run_folder(run)}/{relative}"

    def _all_runs_of(self, experiment_name: str) -> list[TrialComponent]:
        runs: list[TrialComponent] = []
        token: str | None = None
        while True:
            page = self._store.list_trial_components(
                experiment_name=experiment_name, max_results=100, next_token=token
            )
            runs.extend(page.items)
            token = page.next_token
            if token is None:
                return runs

    def _delete_run_files(self, deleted: TrialComponent) -> None:
        """Delete the files of a run whose metadata is gone, after the transaction.

        Every folder under ``runs/<name>/`` goes except the one of a run that holds the
        name now (a new run), which also sweeps what an earlier failed delete left; a run
        that survived (another experiment's trial holds it) keeps everything. A failure
        is logged, not raised: the run is already deleted, and what is left is in a
        folder no later run reads.
        """
        if self._artifacts is None:
            return
        name = deleted.trial_component_name
        name_folder = f"{RUN_ARTIFACT_PREFIX}/{name}"
        try:
            # Listing first: a run created after the look-up below writes to a folder
            # that is not in this listing, so it is never swept.
            entries = self._artifacts.list(name_folder)
            try:
                current: str | None = run_folder(self._store.get_trial_component(name))
            except NotFoundError:
                current = None
            if current == run_folder(deleted):
                return
            for entry in entries:
                if entry.path == current:
                    continue
                if entry.is_dir:
                    self._artifacts.delete_prefix(entry.path)
                else:
                    self._artifacts.delete(entry.path)
        except StudioError as exc:
            log.warning(
                "run %r is deleted but its files in %s are not: %s",
                name,
                self._artifacts.uri_for(name_folder),
                exc,
            )

    def _artifact_store(self) -> ArtifactStore:
        if self._artifacts is None:
            raise StoreUnavailableError("no artifact store is configured")
        return self._artifacts
