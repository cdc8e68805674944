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

#: marks a shared folder and waits (at most 90 s) until ``--together`` jobs have marked it,
#: so that the first jobs surely run at once whatever a launch costs, and 3 s more; then
#: reports an objective of ``x``
TOGETHER = """
import argparse, os, pathlib, time
parser = argparse.ArgumentParser()
parser.add_argument("-x", type=float, default=0.0)
parser.add_argument("--folder")
parser.add_argument("--together", type=int)
args, _ = parser.parse_known_args()
folder = pathlib.Path(args.folder)
(folder / f"{os.getpid()}-{time.time_ns()}").write_text("")
deadline = time.monotonic() + 90
while len(list(folder.iterdir())) < args.together and time.monotonic() < deadline:
    time.sleep(0.05)
time.sleep(3)  # all together for a while: the tuner sees the cluster full
print(f"objective: {10 - (args.x - 3) ** 2}", flush=True)
"""


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
    script.write_text(TOGETHER)
    folder = tmp_path / "together"
    folder.mkdir()
    static = {"folder": str(folder), "together": "4"}
    ranges = {
        "ContinuousParameterRanges": [
            {"Name": "x", "MinValue": "0", "MaxValue": "6", "ScalingType": "Linear"}
        ]
    }
    body = tuning_request("ray-tune", script, max_jobs=8, parallel=8, static=static, ranges=ranges)
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
    # the cluster's 4 CPUs, not MaxParallelTrainingJobs 8 (the first 4 wait for each other)
    assert most_at_once(training) == 4
    nodes = {h["Node"]["NodeId"] for j in training for h in j.outputs[HOSTS_KEY]}
    assert len(nodes) == 2, nodes  # spread over both nodes
    log = tuning.read_logs("ray-tune").Text
    assert (
        "waiting for the cluster: no room for a training job of 1 x local now"
        " (4 running, MaxParallelTrainingJobs 8)"
    ) in log, log
    assert "the cluster has room again" in log, log


def test_tuning_with_an_instance_type_no_node_has_fails_saying_why(
    ray_tuning: tuple[TuningService, JobService], tmp_path: Path
) -> None:
    tuning, jobs = ray_tuning
    assert jobs.runner("ray").room_for("ml.m5.4xlarge", 1) == 0  # 16 CPUs: never fits
    script = tmp_path / "code" / "train.py"
    script.parent.mkdir()
    script.write_text(SCRIPT)
    body = tuning_request("ray-big", script, max_jobs=2, parallel=2)
    body["TrainingJobDefinition"]["ResourceConfig"] = {"InstanceType": "ml.m5.4xlarge"}
    tuning.create_tuning_job(body)

    job = tuning.wait("ray-big", 120)  # one job tries, rather than none ever

    assert job.status is JobStatus.FAILED
    assert "no node of the Ray cluster has 16 CPUs" in (job.failure_reason or "")
