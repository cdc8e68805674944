"""A real 2-node Ray cluster on this machine for the tests: a head and a second node,
each with its own node id and 2 CPUs, started with ``ray start`` from the studio's Python
and stopped by their own processes only (``ray stop`` would end every cluster of the
machine). :func:`extra_node` joins one more node for a while, with its own temporary
folder and resources, and :meth:`RayNode.kill` ends exactly that node's processes (as a
machine of a cluster that goes down)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

#: seconds a ``ray start`` may take (its agents start slowly on a busy machine)
START_TIMEOUT_S = 240


@dataclass(frozen=True)
class RayCluster:
    """Where the cluster answers (a GCS address) and its temporary folder."""

    address: str
    temp_dir: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _ray_command() -> str:
    found = shutil.which("ray", path=str(Path(sys.executable).parent))
    if found is None:
        raise RuntimeError("Ray is not installed in the studio's environment")
    return found


def _env() -> dict[str, str]:
    """The environment of ``ray start``: no usage stats, no uv, and a raylet that waits
    longer for its agents (their Python starts slowly on a busy machine)."""
    return {
        **os.environ,
        "RAY_USAGE_STATS_ENABLED": "0",
        "RAY_ENABLE_UV_RUN_RUNTIME_ENV": "0",
        "RAY_raylet_start_wait_time_s": "120",
    }


@contextlib.contextmanager
def ray_cluster(cpus_per_node: int = 2) -> Iterator[RayCluster]:
    """A head and one more node; their processes are killed on exit."""
    temp_dir = Path(tempfile.mkdtemp(prefix="ray-", dir="/tmp"))  # sockets want short paths
    port = _free_port()
    env = _env()
    ray = _ray_command()
    common = [f"--num-cpus={cpus_per_node}", "--disable-usage-stats"]
    before = {p.pid for p in psutil.process_iter()}
    try:
        for _attempt in range(3):  # a cluster starting meanwhile may take a port it picked
            head = subprocess.run(
                [
                    ray,
                    "start",
                    "--head",
                    f"--port={port}",
                    f"--temp-dir={temp_dir}",
                    "--include-dashboard=false",
                    *common,
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=START_TIMEOUT_S,
            )
            if head.returncode == 0:
                break
            _kill_new(before, str(temp_dir), port)
            port = _free_port()
        else:
            raise RuntimeError(
                f"ray start --head failed: {head.stdout[-1500:]}{head.stderr[-1500:]}"
            )
        subprocess.run(
            [ray, "start", f"--address=127.0.0.1:{port}", *common],
            env=env,
            check=True,
            capture_output=True,
            timeout=START_TIMEOUT_S,
        )
        yield RayCluster(f"127.0.0.1:{port}", temp_dir)
    finally:
        _kill_new(before, str(temp_dir), port)
        shutil.rmtree(temp_dir, ignore_errors=True)


def _kill_new(before: set[int], temp_dir: str, port: int) -> None:
    """Kill the processes of this cluster: those started since ``before`` whose command
    names its folder or its head's port, or that write a file in its folder (an agent
    renames its command, and outlives a raylet that failed to start), and children."""
    marks = (temp_dir, f":{port}", f"={port}")
    roots = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        if process.pid in before:
            continue
        command = " ".join(process.info.get("cmdline") or ())
        if any(mark in command for mark in marks) or _writes_under(process, temp_dir):
            roots.append(process)
    mine = {p.pid: p for p in roots}
    for process in roots:
        with contextlib.suppress(psutil.Error):
            mine.update({c.pid: c for c in process.children(recursive=True)})
    for process in mine.values():
        with contextlib.suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(list(mine.values()), timeout=10)


def _writes_under(process: psutil.Process, folder: str) -> bool:
    """Whether ``process`` has a file open under ``folder`` (its logs)."""
    try:
        return any(f.path.startswith(folder) for f in process.open_files())
    except psutil.Error:
        return False


@dataclass(frozen=True)
class RayNode:
    """One more node of a running cluster: its folder (every process of the node names
    it, or descends from one that does) and its Ray node id."""

    temp_dir: Path
    node_id: str

    def processes(self) -> list[psutil.Process]:
        """The node's processes: raylet, agents, log monitor, workers and their children
        (a job's processes included)."""
        roots = []
        folder = str(self.temp_dir)
        for process in psutil.process_iter(["pid", "cmdline"]):
            command = " ".join(process.info.get("cmdline") or ())
            if folder in command or _writes_under(process, folder):
                roots.append(process)
        found = {p.pid: p for p in roots}
        for process in roots:
            with contextlib.suppress(psutil.Error):
                found.update({c.pid: c for c in process.children(recursive=True)})
        return list(found.values())

    def kill(self) -> None:
        """SIGKILL every process of the node at once, as when its machine goes down."""
        processes = self.processes()
        for process in processes:
            with contextlib.suppress(psutil.Error):
                process.kill()
        psutil.wait_procs(processes, timeout=10)


@contextlib.contextmanager
def extra_node(
    cluster: RayCluster, cpus: int = 4, memory_gib: float = 24.0, resources: dict | None = None
) -> Iterator[RayNode]:
    """One more node joined to ``cluster`` with ``cpus`` CPUs, ``memory_gib`` of memory and
    custom ``resources`` (more CPUs than the session cluster's nodes steer a job of a
    larger instance type there); killed on exit if it still runs."""
    temp_dir = Path(tempfile.mkdtemp(prefix="ray-node-", dir="/tmp"))
    env = _env()
    command = [
        _ray_command(),
        "start",
        f"--address={cluster.address}",
        f"--temp-dir={temp_dir}",
        f"--num-cpus={cpus}",
        f"--memory={int(memory_gib * 1024**3)}",
        f"--resources={json.dumps(resources or {})}",
        "--disable-usage-stats",
    ]
    node = RayNode(temp_dir, "")
    try:
        subprocess.run(command, env=env, check=True, capture_output=True, timeout=START_TIMEOUT_S)
        node = RayNode(temp_dir, _node_id(node))
        yield node
    finally:
        node.kill()
        _wait_marked_dead(node)
        shutil.rmtree(temp_dir, ignore_errors=True)


def _wait_marked_dead(node: RayNode, timeout: float = 60.0) -> None:
    """Wait until the cluster has marked the killed node dead (its heartbeats missed, some
    seconds), when this process is one of its drivers: the next test sees living nodes
    only."""
    ray = sys.modules.get("ray")
    if not node.node_id or ray is None or not ray.is_initialized():
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(n["NodeID"] == node.node_id and n.get("Alive") for n in ray.nodes()):
            return
        time.sleep(0.2)


def _node_id(node: RayNode) -> str:
    """The node's id, from the files its raylet names after it in its session folder."""
    for path in (node.temp_dir / "session_latest").glob("metrics_agent_port_*"):
        return path.name.rsplit("_", 1)[1]
    raise RuntimeError(f"the Ray node in {node.temp_dir} wrote no file naming its id")
