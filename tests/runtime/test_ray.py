"""The runtime contract on the Ray runtime, against a real 2-node cluster on this machine
(tests/support/ray_cluster.py), and what only it promises: hosts as named actors, a job's
hosts on different nodes, a job no node can hold refused."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.runtime.base import ContainerSpec, JobHandle, JobRunner
from jupyter_mlstudio.testing.runtime_contract import RuntimeContract

from ..support.ray_cluster import RayCluster

ray = pytest.importorskip("ray")

LAUNCH_AND_DIE = """
import os, pickle, signal, sys
from jupyter_mlstudio.runtime.ray import RayRunner
root, address, spec = pickle.loads(open(sys.argv[1], "rb").read())
handle = RayRunner(root, address).launch(spec)
open(sys.argv[2], "wb").write(pickle.dumps(handle))
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.fixture
def cluster(ray_cluster: RayCluster) -> RayCluster:
    return ray_cluster


class TestRayRunner(RuntimeContract):
    image = None
    oom_kills = False
    hosts_resolve = True

    @pytest.fixture
    def make_runner_at(self, cluster: RayCluster) -> Callable[[Path], JobRunner]:
        from jupyter_mlstudio.runtime.ray import RayRunner

        return lambda root: RayRunner(root, cluster.address)

    def assert_loopback_only(self, runner: JobRunner, handle: JobHandle, port: int) -> None:
        address = runner.address(handle)
        assert address == ("127.0.0.1", port)

    def launch_unwatched(
        self, make_runner: Callable[[], JobRunner], spec: ContainerSpec
    ) -> JobHandle:
        """A Ray driver cannot be forked: a fresh Python connects, launches and is killed."""
        runner = make_runner()
        folder = Path(tempfile.mkdtemp())
        (folder / "in").write_bytes(
            pickle.dumps((runner.state_root, runner.address_of_cluster, spec))  # type: ignore[attr-defined]
        )
        subprocess.run(
            [sys.executable, "-c", LAUNCH_AND_DIE, str(folder / "in"), str(folder / "out")],
            timeout=120,
            check=False,
        )
        handle: JobHandle = pickle.loads((folder / "out").read_bytes())
        return handle

    def kill(self, runner: JobRunner, handle: JobHandle) -> None:
        pid = runner._call(handle, "pid")  # type: ignore[attr-defined]
        os.killpg(pid, signal.SIGKILL)


def test_a_job_no_node_can_hold_is_refused(cluster: RayCluster, tmp_path: Path) -> None:
    from jupyter_mlstudio.runtime.ray import RayRunner

    ml_dir = tmp_path / "ml"
    ml_dir.mkdir()
    runner = RayRunner(tmp_path / "state", cluster.address)
    spec = ContainerSpec(job_name="too-big", ml_dir=ml_dir, command=("python", "-c", "1"), cpus=8)
    with pytest.raises(ValidationError) as info:
        runner.launch(spec)
    assert info.value.field == "instance_type"
    assert "8 CPUs" in info.value.message


def test_a_host_whose_actor_is_gone_has_exited_naming_its_node(
    cluster: RayCluster, tmp_path: Path
) -> None:
    from jupyter_mlstudio.runtime.ray import LABEL_NODE_ADDRESS, RayRunner

    ml_dir = tmp_path / "ml"
    ml_dir.mkdir()
    runner = RayRunner(tmp_path / "state", cluster.address)
    spec = ContainerSpec(
        job_name="lost", ml_dir=ml_dir, command=("python", "-c", "import time; time.sleep(60)")
    )
    handle = runner.launch(spec)
    assert runner.poll(handle).running
    assert handle.labels[LABEL_NODE_ADDRESS]
    ray.kill(ray.get_actor("lost/algo-1", namespace=runner.namespace), no_restart=True)
    state = runner.poll(handle)
    assert not state.running
    assert state.exit_code is None
    assert state.detail is not None
    assert f"({handle.labels[LABEL_NODE_ADDRESS]}) running algo-1 is gone" in state.detail
    runner.cleanup(handle)
    assert runner.find() == []


def test_doctor_summarises_the_cluster(cluster: RayCluster) -> None:
    from jupyter_mlstudio.runtime.detect import ray_runtime_info

    info = ray_runtime_info(cluster.address)
    assert info.available, info.detail
    assert info.detail.startswith("2 nodes, ")
    assert "/4 CPUs free" in info.detail
