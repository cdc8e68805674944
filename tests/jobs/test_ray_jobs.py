"""Training jobs on the Ray runtime against a real 2-node cluster: a 2-instance job is
gang-scheduled with one host on each node, the hosts reach each other by name, and the
job completes with its model from algo-1."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.entities import JobStatus
from jupyter_mlstudio.services.jobs.service import JobService

from .conftest import training_request

pytest.importorskip("ray")


def test_two_hosts_on_two_nodes_talk_by_name(ray_jobs: JobService, train_data: Path) -> None:
    body = training_request("ray-2", "multi_host.py", train_data)
    body["HyperParameters"] = {"port": 29501, "resolve": 1, "sleep": 1}
    body["ResourceConfig"] = {"InstanceType": "local", "InstanceCount": 2}
    ray_jobs.create_training_job(body)
    runner = ray_jobs.runner("ray")
    handles: list[Any] = []
    started = time.monotonic()
    while len(handles) < 2 and time.monotonic() - started < 60:  # both hosts launched
        handles = runner.reattach("ray-2")
        time.sleep(0.1)
    nodes = {h.host: runner.node_of(h)["node_id"] for h in handles}  # type: ignore[attr-defined]
    job = ray_jobs.wait("ray-2", 120)
    logs = {h: ray_jobs.read_logs("ray-2", host=h).Text for h in ("algo-1", "algo-2")}
    assert job.status is JobStatus.COMPLETED, (job.failure_reason, logs)
    assert len(set(nodes.values())) == 2, nodes  # one host a node
    recorded = {h["Host"]: h["Node"] for h in job.outputs["Hosts"]}  # kept past the end
    assert {host: node["NodeId"] for host, node in recorded.items()} == nodes
    assert all(node["Address"] for node in recorded.values())
    assert "resolved algo-1=" in logs["algo-2"]
    assert "done algo-2" in logs["algo-2"]
    assert job.outputs["ModelArtifacts"]["S3ModelArtifacts"].endswith("model.tar.gz")


def test_an_instance_type_no_node_has_fails_with_why(
    ray_jobs: JobService, train_data: Path
) -> None:
    body = training_request("ray-big", "multi_host.py", train_data)
    body["ResourceConfig"] = {"InstanceType": "ml.m5.4xlarge", "InstanceCount": 1}
    ray_jobs.create_training_job(body)
    job = ray_jobs.wait("ray-big", 120)
    assert job.status is JobStatus.FAILED
    assert "no node of the Ray cluster has 16 CPUs" in (job.failure_reason or "")
