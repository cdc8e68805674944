"""A real 2-node Ray cluster on this machine for the tests: a head and a second node,
each with its own node id and 2 CPUs, started with ``ray start`` from the studio's Python
and stopped by their own processes only (``ray stop`` would end every cluster of the
machine)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil


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


@contextlib.contextmanager
def ray_cluster(cpus_per_node: int = 2) -> Iterator[RayCluster]:
    """A head and one more node; their processes are killed on exit."""
    temp_dir = Path(tempfile.mkdtemp(prefix="ray-", dir="/tmp"))  # sockets want short paths
    port = _free_port()
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_ENABLE_UV_RUN_RUNTIME_ENV": "0"}
    ray = _ray_command()
    common = [f"--num-cpus={cpus_per_node}", "--disable-usage-stats"]
    before = {p.pid for p in psutil.process_iter()}
    try:
        subprocess.run(
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
            check=True,
            capture_output=True,
            timeout=120,
        )
        subprocess.run(
            [ray, "start", f"--address=127.0.0.1:{port}", *common],
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
        yield RayCluster(f"127.0.0.1:{port}", temp_dir)
    finally:
        _kill_new(before, str(temp_dir), port)
        shutil.rmtree(temp_dir, ignore_errors=True)


def _kill_new(before: set[int], temp_dir: str, port: int) -> None:
    """Kill the processes of this cluster: those started since ``before`` whose command
    names its folder or its head's port, and their children."""
    marks = (temp_dir, f":{port}", f"={port}")
    roots = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        if process.pid in before:
            continue
        command = " ".join(process.info.get("cmdline") or ())
        if any(mark in command for mark in marks):
            roots.append(process)
    mine = {p.pid: p for p in roots}
    for process in roots:
        with contextlib.suppress(psutil.Error):
            mine.update({c.pid: c for c in process.children(recursive=True)})
    for process in mine.values():
        with contextlib.suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(list(mine.values()), timeout=10)
