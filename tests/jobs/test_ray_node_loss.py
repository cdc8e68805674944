"""A node of the Ray cluster killed mid-job: the training job whose host ran there ends
Failed, and its FailureReason (an InternalServerError) names the node (its id and
address)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from jupyter_mlstudio.entities import JobKind, JobStatus
from jupyter_mlstudio.services.jobs.service import JobService

from ..support.ray_cluster import extra_node
from .conftest import training_request

pytest.importorskip("ray")


def _until(check: Any, timeout: float, what: str) -> Any:
    """Poll ``check`` until it answers something true; fail naming ``what`` after
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"waited {timeout:g} s for {what}")


def test_a_node_killed_mid_job_fails_the_job_naming_the_node(
    ray_jobs: JobService, ray_cluster: Any
) -> None:
    # ml.m5.xlarge wants 4 CPUs: only the extra node has them, so the host runs there
    with extra_node(ray_cluster, cpus=4) as node:
        body = training_request("ray-lost", "sleep.py")
        body["ResourceConfig"] = {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1}
        ray_jobs.create_training_job(body)
        runner = ray_jobs.runner("ray")
        handles = _until(lambda: runner.reattach("ray-lost"), 60, "the host to launch")
        assert runner.node_of(handles[0])["node_id"] == node.node_id  # type: ignore[attr-defined]
        _until(lambda: "sleeping" in ray_jobs.read_logs("ray-lost").Text, 60, "the script to run")
        assert ray_jobs.get_job("ray-lost", JobKind.TRAINING).status is JobStatus.IN_PROGRESS

        node.kill()
        job = ray_jobs.wait("ray-lost", 60)

    assert job.status is JobStatus.FAILED
    reason = job.failure_reason or ""
    # not the program's failure: an internal error (a pipeline's retry policy retries it)
    assert reason.startswith(f"InternalServerError: the Ray node {node.node_id[:12]} ("), reason
    assert "running algo-1 is gone" in reason, reason
    assert not runner.reattach("ray-lost")  # the host's record is cleaned up
