"""What a studio started again finds of its jobs, and how it finishes them (process
runtime, through the job service; ``test_crash.py`` kills a real server)."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from jupyter_mlstudio.artifacts import open_artifact_store
from jupyter_mlstudio.config import StudioConfig
from jupyter_mlstudio.entities import Job, JobKind, JobStatus, SecondaryStatus, utcnow
from jupyter_mlstudio.runtime.base import ContainerSpec
from jupyter_mlstudio.services.jobs import layout, training
from jupyter_mlstudio.services.jobs.service import JobService
from jupyter_mlstudio.services.jobs.training_plan import LABEL_KIND
from jupyter_mlstudio.store.base import MetadataStore

TRAINS = """
import os
with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w") as f:
    f.write("weights")
print("done", flush=True)
"""


def test_a_job_whose_studio_died_while_uploading_is_finished_by_the_next(
    jobs: JobService,
    job_store: MetadataStore,
    job_config: StudioConfig,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    script = tmp_path / "trains.py"
    script.write_text(TRAINS)
    publish = training.transfer.publish
    uploading, release = threading.Event(), threading.Event()

    def stalled(*args: Any, **kwargs: Any) -> str:
        """The first studio's upload never ends (until the test is over): as if the
        studio had been killed while it uploaded."""
        if not uploading.is_set():
            uploading.set()
            release.wait(60)
        return publish(*args, **kwargs)

    monkeypatch.setattr(training.transfer, "publish", stalled)
    jobs.create_training_job(
        {"TrainingJobName": "upload-1", "ScriptMode": {"EntryPoint": str(script)}}
    )
    try:
        assert uploading.wait(60)
        assert job_store.get_job("upload-1").secondary_status is SecondaryStatus.UPLOADING
        again = JobService(job_store, open_artifact_store(job_config.artifact_root), job_config)
        try:
            assert again.recover() == ["upload-1"]
            job = again.wait("upload-1", 60)
        finally:
            again.close()
    finally:
        release.set()
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    assert job.exit_code == 0
    uri = job.outputs["ModelArtifacts"]["S3ModelArtifacts"]
    with tarfile.open(uri.removeprefix("file://")) as tar:
        assert tar.getnames() == ["model.txt"]
    assert jobs.wait("upload-1", 60).status is JobStatus.COMPLETED  # the first one agrees
    assert jobs.runner("process").reattach("upload-1") == []


def test_the_hosts_of_an_ended_job_left_by_a_dead_studio_are_removed(
    jobs: JobService, job_store: MetadataStore, job_config: StudioConfig, tmp_path: Path
) -> None:
    # a studio that died right after it recorded the job's end, before its clean-up;
    # and hosts of no job record (an endpoint's, a job being created): they stay
    runner = jobs.runner("process")
    ml_dir = tmp_path / "ml"
    ml_dir.mkdir()
    for name in ("ended-1", "other-1"):
        spec = ContainerSpec(
            name, ml_dir, command=("python", "-c", "pass"), labels={LABEL_KIND: "TrainingJob"}
        )
        runner.wait(runner.launch(spec), 30)
    now = utcnow()
    job_store.create_job(
        Job(
            job_name="ended-1",
            kind=JobKind.TRAINING,
            status=JobStatus.COMPLETED,
            runtime="process",
            creation_time=now,
            last_modified_time=now,
        )
    )
    again = JobService(job_store, open_artifact_store(job_config.artifact_root), job_config)
    try:
        assert again.recover() == []
        assert again.runner("process").reattach("ended-1") == []
        assert [h.job_name for h in again.runner("process").reattach("other-1")] == ["other-1"]
    finally:
        again.close()


def test_a_studio_killed_but_not_yet_reaped_supervises_nothing(tmp_path: Path) -> None:
    started = time.time()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        deadline = time.monotonic() + 30
        while psutil.Process(dead.pid).status() != psutil.STATUS_ZOMBIE:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        body = {"pid": dead.pid, "started_at": started + 1}
        (tmp_path / layout.SUPERVISOR_FILE).write_text(json.dumps(body))
        assert not layout.supervisor_alive(tmp_path)
    finally:
        dead.wait()
