"""Scale-in drains: the hosts a resize removes leave the instances (so the router's next
table has none of them) before they are stopped, and an endpoint closed meanwhile stops
them too. A recording runner stands in for the model servers."""

from __future__ import annotations

import threading
from pathlib import Path

from jupyter_mlstudio.entities import ContainerDefinition, Model, utcnow
from jupyter_mlstudio.hosting.instances import (
    Instance,
    InstanceStatus,
    VariantInstances,
    VariantPlan,
)
from jupyter_mlstudio.runtime.base import JobHandle


class RecordingRunner:
    """Records each host stopped, and what the variant still routed to at that moment."""

    def __init__(self) -> None:
        self.stopped: list[str] = []
        self.routed_when_stopped: list[list[str]] = []
        self.pool: VariantInstances | None = None
        self.all_stopped = threading.Event()
        self.expected = 0

    def stop(self, handle: JobHandle, grace_seconds: float = 10.0) -> None:
        assert self.pool is not None
        self.routed_when_stopped.append([i.host for i in self.pool.instances])
        self.stopped.append(handle.host)
        if len(self.stopped) >= self.expected:
            self.all_stopped.set()

    def cleanup(self, handle: JobHandle) -> None:
        pass


def pool_of(runner: RecordingRunner, tmp_path: Path, count: int) -> VariantInstances:
    model = Model(
        model_name="m",
        primary_container=ContainerDefinition(image="mlstudio/python:3-sklearn"),
        creation_time=utcnow(),
    )
    plan = VariantPlan(
        endpoint_name="ep",
        variant_name="AllTraffic",
        model=model,
        instance_count=count,
        instance_type="local",
        runtime="process",
        image=None,
        program="inference.py",
        code_source=None,
        environment={},
    )
    pool = VariantInstances(plan, runner, tmp_path / "g1", 1)  # type: ignore[arg-type]
    for index in range(1, count + 1):
        host = f"algo-{index}"
        handle = JobHandle(runtime="process", job_name=pool.job_name, host=host, ref=str(index))
        pool.instances.append(
            Instance(
                host=host, handle=handle, url=f"http://h:{index}", status=InstanceStatus.HEALTHY
            )
        )
    runner.pool = pool
    return pool


def test_surplus_hosts_leave_routing_before_they_stop(tmp_path: Path) -> None:
    runner = RecordingRunner()
    runner.expected = 3
    pool = pool_of(runner, tmp_path, 4)
    pool.resize(1)
    # on return: out of the instances (the router's next table), not stopped yet
    assert [i.host for i in pool.instances] == ["algo-1"]
    assert runner.stopped == []
    assert pool.plan.instance_count == 1
    assert runner.all_stopped.wait(10)
    assert sorted(runner.stopped) == ["algo-2", "algo-3", "algo-4"]
    assert all(routed == ["algo-1"] for routed in runner.routed_when_stopped)


def test_stopping_the_variant_stops_the_hosts_draining(tmp_path: Path) -> None:
    runner = RecordingRunner()
    runner.expected = 3
    pool = pool_of(runner, tmp_path, 3)
    pool.resize(1)
    pool.cancel()  # the studio closes: no drain waits any more
    pool.stop()
    assert runner.all_stopped.wait(10)
    assert sorted(runner.stopped) == ["algo-1", "algo-2", "algo-3"]  # each once
    assert pool.instances == []
