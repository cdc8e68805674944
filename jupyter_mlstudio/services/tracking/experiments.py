"""Rules of tracking that span more than one record, or records and files.

Plain reads and writes of experiments, trials, runs and metrics go to the
:class:`~jupyter_mlstudio.store.base.TrackingStore` itself; what is here composes them:
creating a run in a trial (:func:`create_run`), and run files with the deletes that take
them along (:class:`RunFiles`).
"""

from __future__ import annotations

import abc
import logging
from typing import Any

from ...artifacts.base import ArtifactStore, guess_content_type, normalize_path
from ...entities import TrialComponent, TrialComponentPrimaryStatus, utcnow
from ...exceptions import NotFoundError, StoreUnavailableError, StudioError
from ...store.base import TrackingStore

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


class RunFiles(abc.ABC):
    """A run's files, and the deletes that take a run's files with its records.

    Two implementations: :class:`ExperimentService` (the metadata store and the artifact
    store, in this process: the server's, and the SDK's on a SQL tracking URI) and
    :class:`~jupyter_mlstudio.sdk.rest_store.RestRunFiles` (a studio's REST API).
    """

    @abc.abstractmethod
    def put_run_artifact(
        self, trial_component_name: str, path: str, data: bytes, content_type: str | None = None
    ) -> tuple[str, str]:
        """Store a file in the run's folder (:func:`run_folder`).

        Args:
            trial_component_name: The run.
            path: The file's path in the run's folder.
            data: Its content.
            content_type: Its media type; None guesses it from the name when read.

        Returns:
            The normalised path and the file's artifact URI.

        Raises:
            NotFoundError: No such run.
            ArtifactPathError: ``path`` would leave the run's folder.
        """

    @abc.abstractmethod
    def get_run_artifact(self, trial_component_name: str, path: str) -> tuple[bytes, str | None]:
        """The content and media type of a run's file.

        Args:
            trial_component_name: The run.
            path: The file's path in the run's folder.

        Returns:
            The bytes and the media type.

        Raises:
            NotFoundError: No such run or file.
        """

    @abc.abstractmethod
    def delete_experiment(self, experiment_name: str) -> None:
        """Delete the experiment, its trials and the runs no other experiment holds (one
        transaction), then the files of the runs that went.

        Args:
            experiment_name: The experiment.

        Raises:
            NotFoundError: No such experiment.
        """

    @abc.abstractmethod
    def delete_trial_component(self, trial_component_name: str) -> None:
        """Delete the run with its metrics (one transaction), then its files.

        Args:
            trial_component_name: The run.

        Raises:
            NotFoundError: No such run.
        """


def create_run(
    store: TrackingStore,
    trial_component_name: str,
    *,
    trial_name: str | None = None,
    **fields: Any,
) -> TrialComponent:
    """Create a run, in ``trial_name`` when given; an in-progress run starts now.

    The trial is checked first so that a missing trial leaves no run behind, and a trial
    that goes in between takes the new run with it (it is deleted again).

    Args:
        store: Where the run is written.
        trial_component_name: The run's name.
        trial_name: The trial to put it in.
        fields: The other arguments of ``TrackingStore.create_trial_component``.

    Returns:
        The run, with its trial.

    Raises:
        NotFoundError: ``field="TrialName"``, no such trial.
        ConflictError: The name is taken.
    """
    if trial_name is not None:
        try:
            store.get_trial(trial_name)
        except NotFoundError as exc:
            raise NotFoundError(str(exc), field="TrialName") from exc
    status = fields.get("status", TrialComponentPrimaryStatus.IN_PROGRESS)
    if fields.get("start_time") is None and status is TrialComponentPrimaryStatus.IN_PROGRESS:
        fields["start_time"] = utcnow()
    component = store.create_trial_component(trial_component_name, **fields)
    if trial_name is None:
        return component
    try:
        store.associate_trial_component(trial_component_name, trial_name)
    except Exception:
        # The trial vanished in between: undo the run rather than leave half of it.
        store.delete_trial_component(trial_component_name)
        raise
    return store.get_trial_component(trial_component_name)


class ExperimentService(RunFiles):
    """The rules of tracking that span records and files; plain reads and writes of
    records go to the store itself.

    Args:
        store: The metadata store.
        artifacts: Where run files live; None when the caller handles no files.
    """

    def __init__(self, store: TrackingStore, artifacts: ArtifactStore | None = None) -> None:
        self._store = store
        self._artifacts = artifacts

    @property
    def store(self) -> TrackingStore:
        """The records this service keeps files for."""
        return self._store

    def delete_experiment(self, experiment_name: str) -> None:
        runs = self._all_runs_of(experiment_name)
        self._store.delete_experiment(experiment_name)
        for run in runs:
            self._delete_run_files(run)

    def delete_trial_component(self, trial_component_name: str) -> None:
        run = self._store.get_trial_component(trial_component_name)
        self._store.delete_trial_component(trial_component_name)
        self._delete_run_files(run)

    # run artifact files

    def put_run_artifact(
        self, trial_component_name: str, path: str, data: bytes, content_type: str | None = None
    ) -> tuple[str, str]:
        relative = normalize_path(path, field="ArtifactPath")
        key = self._run_artifact_key(trial_component_name, relative)
        self._artifact_store().put_bytes(key, data, content_type)
        return relative, self._artifact_store().uri_for(key)

    def get_run_artifact(self, trial_component_name: str, path: str) -> tuple[bytes, str | None]:
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
