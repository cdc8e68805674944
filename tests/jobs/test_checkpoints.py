"""Checkpoints: synced to the checkpoint location while the job runs and at its end, so a
job started again with the same CheckpointConfig resumes from the last checkpoint."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from jupyter_mlstudio.entities import JobKind, JobStatus
from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.services.jobs import checkpoints
from jupyter_mlstudio.services.jobs.service import JobService
from tests.artifacts.conftest import s3_env, s3_uri, seaweedfs  # noqa: F401 - fixtures

from .conftest import training_request
from .test_training import finished, wait_for


def checkpoint_request(name: str, uri: str, epochs: int, sleep: float, **config: str) -> dict:
    body = training_request(name, "checkpointed.py")
    body["HyperParameters"] = {"epochs": epochs, "sleep": sleep}
    body["CheckpointConfig"] = {"S3Uri": uri, **config}
    return body


def last_epoch(text: str) -> int:
    return max(int(n) for n in re.findall(r"^epoch=(\d+)$", text, flags=re.M))


def stop_mid_run_then_resume(
    jobs: JobService, uri: str, listing: Callable[[], list[str]], **config: str
) -> None:
    """Run A until checkpoints reached the location while it runs, stop it, then B resumes."""
    jobs.create_training_job(checkpoint_request("ckpt-a", uri, epochs=200, sleep=0.4, **config))
    wait_for(lambda: "epoch=2" in jobs.read_logs("ckpt-a").Text)
    # synced during the run: files appear at the location while A is still training
    wait_for(lambda: "epoch-0.ckpt" in listing(), timeout=20)
    assert jobs.get_job("ckpt-a", JobKind.TRAINING).status is JobStatus.IN_PROGRESS
    jobs.stop_job("ckpt-a")
    stopped = finished(jobs, "ckpt-a", 40)
    assert stopped.status is JobStatus.STOPPED
    reached = last_epoch(jobs.read_logs("ckpt-a").Text)
    assert f"epoch-{reached}.ckpt" in listing()  # the last checkpoint, saved at the stop
    assert not any(name.endswith(".tmp") for name in listing())

    jobs.create_training_job(
        checkpoint_request("ckpt-b", uri, epochs=reached + 3, sleep=0, **config)
    )
    job = finished(jobs, "ckpt-b")
    logs = jobs.read_logs("ckpt-b").Text
    assert job.status is JobStatus.COMPLETED, (job.failure_reason, logs)
    assert f"resuming at epoch {reached + 1}" in logs
    assert [int(n) for n in re.findall(r"^epoch=(\d+)$", logs, flags=re.M)] == [
        reached + 1,
        reached + 2,
    ]
    assert f"epoch-{reached + 2}.ckpt" in listing()


def test_a_stopped_job_resumes_from_its_last_checkpoint(jobs: JobService, tmp_path: Path) -> None:
    location = tmp_path / "checkpoints"

    def listing() -> list[str]:
        return sorted(p.name for p in location.glob("*")) if location.is_dir() else []

    stop_mid_run_then_resume(jobs, str(location), listing)


@pytest.mark.s3
def test_checkpoints_in_s3(jobs: JobService, s3_uri: str) -> None:  # noqa: F811
    from jupyter_mlstudio.artifacts import open_artifact_store

    def listing() -> list[str]:
        with open_artifact_store(s3_uri) as store:
            return [info.path.rsplit("/", 1)[-1] for info in store.list("", recursive=True)]

    stop_mid_run_then_resume(jobs, s3_uri, listing)


def test_a_local_path_below_opt_ml_is_mapped_into_the_job_folder(
    jobs: JobService, tmp_path: Path
) -> None:
    location = tmp_path / "ckpt"
    (location).mkdir()
    (location / "epoch-4.ckpt").write_text("from an earlier job\n")
    body = checkpoint_request(
        "ckpt-local", str(location), epochs=6, sleep=0, LocalPath="/opt/ml/state/ckpt"
    )
    jobs.create_training_job(body)
    job = finished(jobs, "ckpt-local")
    logs = jobs.read_logs("ckpt-local").Text
    assert job.status is JobStatus.COMPLETED, (job.failure_reason, logs)
    assert "resuming at epoch 5" in logs
    folder = jobs._studio_config().home / "jobs" / "ckpt-local" / "ml" / "state" / "ckpt"
    assert sorted(p.name for p in folder.iterdir()) == ["epoch-4.ckpt", "epoch-5.ckpt"]
    assert (location / "epoch-5.ckpt").read_text() == "weights after epoch 5\n"


@pytest.mark.parametrize("local_path", ["/tmp/ckpt", "relative/ckpt", "/opt/ml/../etc", "/"])
def test_a_local_path_the_process_runtime_cannot_map_is_refused(
    jobs: JobService, tmp_path: Path, local_path: str
) -> None:
    body = checkpoint_request("ckpt-bad", str(tmp_path), epochs=1, sleep=0, LocalPath=local_path)
    with pytest.raises(ValidationError) as info:
        jobs.create_training_job(body)
    assert info.value.field == "CheckpointConfig.LocalPath"


def test_only_changed_and_settled_files_are_uploaded(tmp_path: Path) -> None:
    folder, location = tmp_path / "local", tmp_path / "remote"
    location.mkdir()
    (location / "old.ckpt").write_text("restored")
    sync = checkpoints.CheckpointSync(folder, str(location))
    assert sync.restore() == 1
    assert sync.sync() == []  # what was restored is not sent back
    (folder / "sub").mkdir()
    (folder / "sub" / "a.ckpt").write_text("a")
    assert sync.sync(settle_s=30) == []  # just written: waits for a later round
    assert sync.sync() == ["sub/a.ckpt"]
    assert sync.sync() == []
    time.sleep(0.01)
    (folder / "sub" / "a.ckpt").write_text("a2")
    assert sync.sync() == ["sub/a.ckpt"]
    assert (location / "sub" / "a.ckpt").read_text() == "a2"
    (folder / "old.ckpt").unlink()
    assert sync.sync() == []
    assert (location / "old.ckpt").exists()  # deletions are not mirrored
    sync.close()
