"""A tuning job on the Ray runtime against the real 2-node cluster (2 CPUs a node): its
parallelism is bounded by the cluster's free resources, not only by
MaxParallelTrainingJobs, and its training jobs run on both nodes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.artifacts import open_artifact_store
from jupyter_mlstudio.config import StudioConfig, resolve_config
from jupyter_mlstudio.entities import Job, JobKind, JobStatus
from jupyter_mlstudio.services.jobs.placement import HOSTS_KEY
from jupyter_mlstudio.services.jobs.service import JobService
from jupyter_mlstudio.services.jobs.tuning.service import TuningService
from jupyter_mlstudio.store.base import MetadataStore

from ..tuning.conftest import SCRIPT, tuning_request

pytest.importorskip("ray")


@pytest.fixture
def ray_tuning(
    job_config: StudioConfig, job_store: MetadataStore, ray_cluster: Any
) -> Iterator[tuple[TuningService, JobService]]:
    config = resolve_config(
        home=job_config.home,
        database_url=job_config.database_url,
        artifact_root=job_config.artifact_root,
        default_runtime="ray",
        ray_address=ray_cluster.address,
    )
    jobs = JobService(job_store, open_artifact_store(config.artifact_root), config)
    tuning = TuningService(job_store, config, jobs)
    yield tuning, jobs
    for job in job_store.list_jobs(kind=JobKind.TUNING).items:
        if job.status.value in ("InProgress", "Stopping"):
            with contextlib.suppress(Exception):
                tuning.stop_tuning_job(job.job_name)
            tuning.wait(job.job_name, 60)
    tuning.close()
    for job in job_store.list_jobs(max_results=100).items:
        if job.status.value in ("InProgress", "Stopping"):
            with contextlib.suppress(Exception):
                jobs.stop_job(job.job_name, job.kind)
            jobs.wait(job.job_name, 60)
    jobs.close()


def most_at_once(jobs: list[Job]) -> int:
    """The most training jobs in progress at one moment, from their records (created ..
    ended; an end and a start at the same moment do not overlap)."""
    events: list[tuple[datetime, int]] = []
    for job in jobs:
        assert job.end_time is not None, job.job_name
        events += [(job.creation_time, 1), (job.end_time, -1)]
    most = now = 0
    for _, change in sorted(events):  # -1 sorts before +1 at the same time
        now += change
        most = max(most, now)
    return most


def test_tuning_runs_as_many_jobs_as_the_cluster_has_room_for_on_both_nodes(
    ray_tuning: tuple[TuningService, JobService], job_store: MetadataStore, tmp_path: Path
) -> None:
    tuning, jobs = ray_tuning
    assert jobs.runner("ray").room_for("local", 1) == 4  # 1 CPU a job, 2 nodes of 2 CPUs
    assert jobs.runner("ray").room_for("local", 2) == 2
    assert jobs.runner("ray").room_for("ml.m5.large", 1) == 2  # 2 CPUs: one a node
    assert jobs.runner("ray").room_for("ml.m5.xlarge", 1) == 0  # 4 CPUs: no node has them
    script = tmp_path / "code" / "train.py"
    script.parent.mkdir()
    script.write_text(SCRIPT)
    body = tuning_request(
        "ray-tune", script, max_jobs=8, parallel=8, static={"epochs": "2", "sleep": "5"}
    )
    body["TrainingJobDefinition"]["ResourceConfig"] = {"InstanceType": "local", "InstanceCount": 1}
    tuning.create_tuning_job(body)

    job = tuning.wait("ray-tune", 240)

    assert job.status is JobStatus.COMPLETED, job.failure_reason
    assert job.outputs["TrainingJobStatusCounters"]["Completed"] == 8
    training = [
        j
        for j in job_store.list_jobs(kind=JobKind.TRAINING, max_results=100).items
        if j.job_name.startswith("ray-tune-")
    ]
    assert len(training) == 8
    # the cluster's 4 CPUs, not MaxParallelTrainingJobs 8; the tuner found it full
    assert most_at_once(training) <= 4
    nodes = {h["Node"]["NodeId"] for j in training for h in j.outputs[HOSTS_KEY]}
    assert len(nodes) == 2, nodes  # spread over both nodes
    log = tuning.read_logs("ray-tune").Text
    assert (
        "waiting for the cluster: no room for a training job of 1 x local now"
        " (4 running, MaxParallelTrainingJobs 8)"
    ) in log, log
    assert "the cluster has room again" in log, log
