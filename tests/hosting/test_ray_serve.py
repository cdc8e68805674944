"""Endpoints on Ray Serve against a real 2-node cluster: a variant's instances are Serve
replicas spread over the nodes, behind the studio's router; a killed replica is replaced
while every request answers; the replica count changes live; delete removes the Serve
application and its model servers."""

from __future__ import annotations

import os
import tarfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from jupyter_mlstudio.config import resolve_config
from jupyter_mlstudio.entities import EndpointStatus
from jupyter_mlstudio.hosting.serve import ENV_SERVE_PORT, ServeVariant
from jupyter_mlstudio.runtime.process import free_port
from jupyter_mlstudio.services.studio import Studio
from tests.hosting.conftest import model_request, variant
from tests.hosting.test_endpoints import INFERENCE, csv_rows

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def serve_port() -> Iterator[int]:
    """Serve's proxy on a free port (one Serve a cluster: the first start fixes it)."""
    port = free_port()
    before = os.environ.get(ENV_SERVE_PORT)
    os.environ[ENV_SERVE_PORT] = str(port)
    yield port
    if before is None:
        os.environ.pop(ENV_SERVE_PORT, None)
    else:
        os.environ[ENV_SERVE_PORT] = before


@pytest.fixture
def studio(tmp_path: Path, ray_cluster: Any, serve_port: int) -> Iterator[Studio]:
    home = tmp_path / "home"
    home.mkdir()
    config = resolve_config(home=home, default_runtime="ray", ray_address=ray_cluster.address)
    opened = Studio.open(config)
    yield opened
    opened.close()


@pytest.fixture
def model(tmp_path: Path) -> tuple[LogisticRegression, np.ndarray, Path, Path]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 4))
    y = (x[:, 0] > 0).astype(int)
    fitted = LogisticRegression().fit(x, y)
    joblib.dump(fitted, tmp_path / "model.joblib")
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "model.joblib", arcname="model.joblib")
    code = tmp_path / "code"
    code.mkdir()
    (code / "inference.py").write_text(INFERENCE)
    return fitted, x, archive, code


def deploy(studio: Studio, model: tuple, name: str, count: int) -> ServeVariant:
    _, _, archive, code = model
    hosting = studio.endpoints
    hosting.create_model(model_request(f"{name}-model", archive, code))
    hosting.create_endpoint_config(
        {
            "EndpointConfigName": f"{name}-config",
            "ProductionVariants": [variant("AllTraffic", f"{name}-model", count=count)],
        }
    )
    hosting.create_endpoint({"EndpointName": name, "EndpointConfigName": f"{name}-config"})
    done = hosting.wait(name, timeout=120)
    assert done.endpoint_status is EndpointStatus.IN_SERVICE, done.failure_reason
    pool = hosting.engine.get(name).variants["AllTraffic"].pool
    assert isinstance(pool, ServeVariant)
    return pool


class Client:
    """Invokes the endpoint in a loop on its own thread; every answer is checked."""

    def __init__(self, studio: Studio, name: str, x: np.ndarray, expected: list[int]) -> None:
        self.studio, self.name, self.x, self.expected = studio, name, x, expected
        self.ok = 0
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        body = csv_rows(self.x)
        while not self._stop.is_set():
            try:
                answer = self.studio.endpoints.invoke_sync(
                    self.name, body, content_type="text/csv", accept="text/csv"
                )
                got = [int(float(v)) for v in answer.body.decode().split()]
                assert got == self.expected, got
                self.ok += 1
            except Exception as exc:
                self.errors.append(f"{type(exc).__name__}: {exc}")

    def __enter__(self) -> Client:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def wait_for(self, more: int) -> None:
        """Until ``more`` further requests answered."""
        target = self.ok + more
        deadline = time.monotonic() + 30
        while self.ok < target and not self.errors and time.monotonic() < deadline:
            time.sleep(0.01)
        assert self.ok >= target, self.errors[:3]


def wait_until(check: Any, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def group_alive(group: int) -> bool:
    """Whether a model server's process group (its supervisor's pid) has a process left."""
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def instances(studio: Studio, name: str) -> list[dict[str, Any]]:
    (only,) = studio.endpoints.describe_endpoint(name)["ProductionVariants"]
    return list(only["Instances"])


def replaced(described: list[dict[str, Any]], victim: str) -> bool:
    """Two replicas again, the victim not among them."""
    return len(described) == 2 and victim not in {i["Host"] for i in described}


def test_replicas_on_both_nodes_keep_answering_when_one_is_killed(
    studio: Studio, model: tuple
) -> None:
    fitted, x, _, _ = model
    pool = deploy(studio, model, "ep-serve", 2)
    expected = fitted.predict(x[:10]).tolist()
    answer = studio.endpoints.invoke_sync(
        "ep-serve", csv_rows(x[:10]), content_type="text/csv", accept="text/csv"
    )
    assert [int(float(v)) for v in answer.body.decode().split()] == expected
    assert answer.variant == "AllTraffic"
    described = instances(studio, "ep-serve")
    assert len(described) == 2
    assert {i["Status"] for i in described} == {"Healthy"}
    nodes = {i["Node"]["NodeId"] for i in described}
    assert len(nodes) == 2, described  # one replica a node
    assert all(i["Node"]["Address"] for i in described)
    (victim, survivor) = pool.replicas()
    with Client(studio, "ep-serve", x[:10], expected) as client:
        client.wait_for(20)
        ray.kill(ray.get_actor(victim["actor"], namespace="serve"), no_restart=True)
        # Serve starts a new replica; the router keeps answering through the other one
        wait_until(lambda: replaced(instances(studio, "ep-serve"), victim["host"]))
        client.wait_for(20)
    assert client.errors == []
    hosts = {i["Host"] for i in instances(studio, "ep-serve")}
    assert victim["host"] not in hosts
    assert survivor["host"] in hosts
    assert pool.replaced == 1
    # the killed replica's model server (it outlives its actor) was stopped on its node
    wait_until(lambda: not group_alive(int(victim["handle"]["ref"])), timeout=30)
    figures = studio.endpoints.figures("ep-serve")["Variants"][0]
    assert figures["Invocations"] == client.ok + 1
    studio.endpoints.delete_endpoint("ep-serve")


def test_resize_live_then_delete_removes_the_application(studio: Studio, model: tuple) -> None:
    from ray import serve

    fitted, x, _, _ = model
    pool = deploy(studio, model, "ep-size", 2)
    expected = fitted.predict(x[:5]).tolist()
    hosting = studio.endpoints
    with Client(studio, "ep-size", x[:5], expected) as client:
        client.wait_for(10)
        for count in (3, 1):
            hosting.update_endpoint_weights_and_capacities(
                "ep-size", [{"VariantName": "AllTraffic", "DesiredInstanceCount": count}]
            )
            done = hosting.wait("ep-size", 120)
            assert done.endpoint_status is EndpointStatus.IN_SERVICE, done.failure_reason
            assert len(instances(studio, "ep-size")) == count
            (only,) = hosting.describe_endpoint("ep-size")["ProductionVariants"]
            assert only["DesiredInstanceCount"] == count
            client.wait_for(10)
    assert client.errors == []  # scale-in drained what the stopped replicas had
    assert pool.app in serve.status().applications
    servers = [int(r["handle"]["ref"]) for r in pool.replicas()]
    hosting.delete_endpoint("ep-size")
    assert pool.app not in serve.status().applications
    wait_until(lambda: not any(group_alive(group) for group in servers), timeout=30)
    assert not pool.folder.exists()


def test_describe_shows_the_node_of_a_host_the_ray_runner_started(tmp_path: Path) -> None:
    """Instances that are not Serve replicas (a pipeline's or multi-model variant's hosts
    on the ray runtime) show their node from their handle's labels."""
    from jupyter_mlstudio.entities import ContainerDefinition, Model, utcnow
    from jupyter_mlstudio.hosting.engine import HostingEngine, LiveEndpoint, LiveVariant
    from jupyter_mlstudio.hosting.instances import (
        Instance,
        InstanceStatus,
        VariantInstances,
        VariantPlan,
    )
    from jupyter_mlstudio.runtime.base import JobHandle
    from jupyter_mlstudio.runtime.ray import LABEL_NODE, LABEL_NODE_ADDRESS

    model = Model(
        model_name="m",
        primary_container=ContainerDefinition(image="mlstudio/python:3-sklearn"),
        creation_time=utcnow(),
    )
    plan = VariantPlan("ep", "AllTraffic", model, 2, "local", "ray", None, "inference.py", None, {})
    pool = VariantInstances(plan, None, tmp_path / "g1", 1)  # type: ignore[arg-type]
    labels = {LABEL_NODE: "node-a", LABEL_NODE_ADDRESS: "10.0.0.7"}
    pool.instances = [
        Instance("algo-1", JobHandle("ray", pool.job_name, "algo-1", "r1", labels=labels)),
        Instance("algo-2", JobHandle("process", pool.job_name, "algo-2", "7")),
    ]
    pool.instances[0].status = InstanceStatus.HEALTHY
    engine = HostingEngine(tmp_path / "endpoints")
    try:
        live = LiveEndpoint("ep", "ep-config", {"AllTraffic": LiveVariant("AllTraffic", 1.0, pool)})
        engine._endpoints["ep"] = live
        (described,) = engine.describe_variants("ep")
        first, second = described["Instances"]
        assert first["Node"] == {"NodeId": "node-a", "Address": "10.0.0.7"}
        assert "Node" not in second  # a host of another runtime has none
    finally:
        engine._endpoints.clear()
        engine.close()


def test_nodes_without_the_studios_disk_fail_the_endpoint_saying_why(
    tmp_path: Path, ray_cluster: Any, model: tuple
) -> None:
    home = tmp_path / "unshared"
    home.mkdir()
    config = resolve_config(
        home=home, default_runtime="ray", ray_address=ray_cluster.address, ray_shared_disk="no"
    )
    studio = Studio.open(config)
    try:
        _, _, archive, code = model
        hosting = studio.endpoints
        hosting.create_model(model_request("apart-model", archive, code))
        hosting.create_endpoint_config(
            {
                "EndpointConfigName": "apart-config",
                "ProductionVariants": [variant("AllTraffic", "apart-model", count=1)],
            }
        )
        hosting.create_endpoint({"EndpointName": "apart", "EndpointConfigName": "apart-config"})
        done = hosting.wait("apart", timeout=120)
    finally:
        studio.close()
    assert done.endpoint_status is EndpointStatus.FAILED
    assert "do not share" in (done.failure_reason or ""), done.failure_reason
