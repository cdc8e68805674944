"""Turning what nvidia-smi and the Docker engine say into host samples."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.runtime.sampling import GpuProbe, docker_sample, parse_nvidia_smi

#: ``nvidia-smi --query-gpu=index,utilization.gpu,memory.used,memory.total
#: --format=csv,noheader,nounits`` on a machine with two GPUs, one of which cannot say
NVIDIA_SMI = """0, 87, 10240, 16384
1, 3, 512, 16384
2, [N/A], [N/A], 16384
"""


def test_nvidia_smi_output_is_parsed() -> None:
    assert parse_nvidia_smi(NVIDIA_SMI) == [
        {
            "index": 0,
            "utilization_percent": 87.0,
            "memory_used_bytes": 10240 << 20,
            "memory_total_bytes": 16384 << 20,
        },
        {
            "index": 1,
            "utilization_percent": 3.0,
            "memory_used_bytes": 512 << 20,
            "memory_total_bytes": 16384 << 20,
        },
    ]
    assert parse_nvidia_smi("NVIDIA-SMI has failed\n") == []


def test_gpus_are_followed_from_one_looping_nvidia_smi(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = tmp_path / "calls"
    fake = tmp_path / "nvidia-smi"
    fake.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {calls}\n'
        "n=0\n"
        "while true; do\n"
        "  n=$((n + 1))\n"
        '  echo "0, $n, 10240, 16384"\n'
        '  echo "1, 3, 512, 16384"\n'
        "  sleep 0.05\n"
        "done\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    probe = GpuProbe(interval_ms=50, idle_s=0.5)
    try:
        deadline = time.monotonic() + 20
        while not (found := probe.read()) or found[0]["utilization_percent"] < 3:
            assert time.monotonic() < deadline, found
            time.sleep(0.05)
        assert [g["index"] for g in found] == [0, 1]
        assert found[1] == {
            "index": 1,
            "utilization_percent": 3.0,
            "memory_used_bytes": 512 << 20,
            "memory_total_bytes": 16384 << 20,
        }
        found[1]["utilization_percent"] = -1  # a copy: the probe's reading stays
        assert probe.read()[1]["utilization_percent"] == 3.0
        assert calls.read_text().splitlines() == [  # started once, reporting every 50 ms
            "--query-gpu=index,utilization.gpu,memory.used,memory.total"
            " --format=csv,noheader,nounits --loop-ms=50"
        ]
        process = probe._process
        assert process is not None
        process.wait(20)  # nobody reads: it ends after idle_s
    finally:
        probe.close()


def test_no_nvidia_smi_means_no_gpus() -> None:
    probe = GpuProbe()
    probe._program = None  # as shutil.which answers on a machine without the driver
    assert probe.read() == []


def _stats(read: str, total: int, percpu: list[int] | None, **more: Any) -> dict[str, Any]:
    usage: dict[str, Any] = {"total_usage": total}
    if percpu is not None:
        usage["percpu_usage"] = percpu
    return {
        "read": read,
        "cpu_stats": {"cpu_usage": usage, "online_cpus": 2},
        "memory_stats": {
            "usage": 300 << 20,
            "limit": 1000 << 20,
            "stats": {"total_inactive_file": 100 << 20},
        },
        "blkio_stats": {
            "io_service_bytes_recursive": [
                {"major": 8, "minor": 0, "op": "Read", "value": 4096},
                {"major": 8, "minor": 0, "op": "Write", "value": 8192},
                {"major": 8, "minor": 0, "op": "Total", "value": 12288},
            ]
        },
        "networks": {
            "eth0": {"rx_bytes": 1000, "tx_bytes": 10},
            "eth1": {"rx_bytes": 1, "tx_bytes": 2},
        },
        **more,
    }


def test_docker_stats_cgroup_v1() -> None:
    first = docker_sample(
        _stats("2026-01-01T00:00:10.000000000Z", 5 * 10**9, [1 * 10**9, 4 * 10**9]),
        None,
        started_at=1767225600.0,  # 10 s earlier
    )
    assert first is not None
    sample, reading = first
    assert sample.t == 1767225610.0
    assert round(sample.cpu_percent) == 50  # 5 CPU-seconds over 10 s since the start
    assert sample.cpu_cores == []  # per core needs a previous reading
    assert sample.memory_bytes == 200 << 20  # usage less the inactive page cache
    assert sample.memory_percent == 20.0
    assert (sample.disk_read_bytes, sample.disk_write_bytes) == (4096, 8192)
    assert (sample.net_rx_bytes, sample.net_tx_bytes) == (1001, 12)
    second = docker_sample(
        _stats("2026-01-01T00:00:11.000000000Z", 6_500_000_000, [1_100_000_000, 5_400_000_000]),
        reading,
        started_at=1767225600.0,
    )
    assert second is not None
    assert round(second[0].cpu_percent) == 150  # 1.5 CPU-seconds in one second
    assert second[0].cpu_cores == [10.0, 100.0]


def test_docker_stats_cgroup_v2_and_no_network() -> None:
    stats = _stats("2026-01-01T00:00:10.5Z", 10**9, None, networks=None)
    stats["memory_stats"]["stats"] = {"inactive_file": 50 << 20}
    stats["blkio_stats"] = {
        "io_service_bytes_recursive": [
            {"op": "read", "value": 1},
            {"op": "write", "value": 2},
        ]
    }
    found = docker_sample(stats, None, started_at=1767225600.0)
    assert found is not None
    sample = found[0]
    assert sample.memory_bytes == 250 << 20
    assert (sample.disk_read_bytes, sample.disk_write_bytes) == (1, 2)
    assert (sample.net_rx_bytes, sample.net_tx_bytes) == (None, None)
    stats["blkio_stats"] = {"io_service_bytes_recursive": None}
    assert docker_sample(stats, None, 0.0)[0].disk_read_bytes is None  # type: ignore[index]


def test_a_stopped_container_gives_no_sample() -> None:
    stopped = {
        "read": "0001-01-01T00:00:00Z",
        "cpu_stats": {"cpu_usage": {"total_usage": 0}},
        "memory_stats": {},
    }
    assert docker_sample(stopped, None, started_at=0.0) is None
