"""A run's files go with the run, on every artifact store (issue 19, defect 7).

Deleting a run, or the experiment that holds it, deletes the run's files; a run created
later under the same name starts with none, even when deleting the files failed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_mlstudio.artifacts import ArtifactStore
from jupyter_mlstudio.exceptions import NotFoundError, StoreUnavailableError
from jupyter_mlstudio.services.tracking.experiments import ExperimentService, create_run
from jupyter_mlstudio.store import open_store


@pytest.fixture
def service(artifact_store: ArtifactStore, tmp_path: Path) -> Iterator[ExperimentService]:
    store = open_store(f"sqlite:///{tmp_path / 'metadata' / 'mlstudio.db'}")
    yield ExperimentService(store, artifact_store)
    store.close()


def _files(artifact_store: ArtifactStore) -> list[str]:
    return [info.path for info in artifact_store.list("", recursive=True)]


def _run_with_files(service: ExperimentService, run: str, trial: str | None = None) -> None:
    create_run(service.store, run, trial_name=trial)
    service.put_run_artifact(run, "ok.txt", f"{run} content".encode())
    service.put_run_artifact(run, "plots/roc.json", b"{}")


def _new_run_has_no_files(service: ExperimentService, run: str) -> None:
    service.store.create_trial_component(run)
    with pytest.raises(NotFoundError):
        service.get_run_artifact(run, "ok.txt")


def test_deleting_a_run_deletes_its_files(
    service: ExperimentService, artifact_store: ArtifactStore
) -> None:
    _run_with_files(service, "bi-tc")
    _run_with_files(service, "other")
    service.delete_trial_component("bi-tc")
    assert all("/bi-tc/" not in f"/{path}" for path in _files(artifact_store))
    assert service.get_run_artifact("other", "ok.txt")[0] == b"other content"
    service.delete_trial_component("other")
    assert _files(artifact_store) == []
    _new_run_has_no_files(service, "bi-tc")


def test_deleting_an_experiment_deletes_the_files_of_the_runs_that_go(
    service: ExperimentService, artifact_store: ArtifactStore
) -> None:
    service.store.create_experiment("e")
    service.store.create_experiment("f")
    service.store.create_trial("t", "e")
    service.store.create_trial("t2", "e")
    service.store.create_trial("t-f", "f")
    for run, trial in (("bi-tc", "t"), ("second", "t2"), ("shared", "t"), ("outside", None)):
        _run_with_files(service, run, trial)
    service.store.associate_trial_component("shared", "t-f")

    service.delete_experiment("e")

    for gone in ("bi-tc", "second"):
        with pytest.raises(NotFoundError):
            service.store.get_trial_component(gone)
    # the run another experiment's trial holds stays, with its files
    assert service.get_run_artifact("shared", "ok.txt")[0] == b"shared content"
    assert service.get_run_artifact("outside", "plots/roc.json")[0] == b"{}"
    assert len(_files(artifact_store)) == 4
    service.delete_experiment("f")  # now the last experiment that holds "shared"
    assert len(_files(artifact_store)) == 2
    service.delete_trial_component("outside")
    assert _files(artifact_store) == []
    _new_run_has_no_files(service, "bi-tc")


def test_deleting_a_trial_keeps_its_runs_and_their_files(
    service: ExperimentService, artifact_store: ArtifactStore
) -> None:
    """As in SageMaker, a trial's runs outlive it; so do their files."""
    service.store.create_experiment("e")
    service.store.create_trial("t", "e")
    _run_with_files(service, "bi-tc", "t")
    service.store.delete_trial("t")
    assert service.store.get_trial_component("bi-tc").trial_names == []
    assert service.get_run_artifact("bi-tc", "ok.txt")[0] == b"bi-tc content"
    service.delete_trial_component("bi-tc")
    assert _files(artifact_store) == []


def test_files_left_by_a_failed_delete_never_reach_a_new_run(
    service: ExperimentService, artifact_store: ArtifactStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run is deleted even when its files cannot be; a new run of the same name does
    not see them, and deleting that run sweeps them."""
    _run_with_files(service, "bi-tc")

    def unavailable(prefix: str) -> int:
        raise StoreUnavailableError(f"cannot delete {prefix}")

    with monkeypatch.context() as patch:
        patch.setattr(artifact_store, "delete_prefix", unavailable)
        service.delete_trial_component("bi-tc")
    with pytest.raises(NotFoundError):
        service.store.get_trial_component("bi-tc")
    assert len(_files(artifact_store)) == 2

    _new_run_has_no_files(service, "bi-tc")
    service.put_run_artifact("bi-tc", "new.txt", b"new")
    assert service.get_run_artifact("bi-tc", "new.txt")[0] == b"new"
    assert len(_files(artifact_store)) == 3

    service.delete_trial_component("bi-tc")
    assert _files(artifact_store) == []
