"""The profiler's sampler on real processes, and the series read back from its files."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from jupyter_mlstudio.debugger.rules.profiler_samples import parse_sample, read_samples
from jupyter_mlstudio.exceptions import NotFoundError, StoreUnavailableError
from jupyter_mlstudio.runtime.base import ContainerSpec, HostSample, JobHandle, JobRunner
from jupyter_mlstudio.runtime.process import ProcessRunner
from jupyter_mlstudio.services.jobs.profiler import (
    ProfilerSampler,
    read_profile,
    report_file,
    sample_line,
)

BUSY = "import time\nend = time.time() + 60\nwhile time.time() < end:\n    pass\n"


@pytest.fixture
def runner(tmp_path: Path) -> Iterator[ProcessRunner]:
    runner = ProcessRunner(tmp_path / "state", warm_start=False)
    yield runner
    for handle in runner.find():
        runner.cleanup(handle)
    runner.close()


def _launch(runner: ProcessRunner, tmp_path: Path, host: str, code: str) -> JobHandle:
    ml_dir = tmp_path / "job" / host
    ml_dir.mkdir(parents=True)
    spec = ContainerSpec(job_name="busy", ml_dir=ml_dir, command=("python", "-c", code), host=host)
    return runner.launch(spec)


def _lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_samples_a_busy_job_and_stops_at_once(runner: ProcessRunner, tmp_path: Path) -> None:
    handles = [_launch(runner, tmp_path, host, BUSY) for host in ("algo-1", "algo-2")]
    folder = tmp_path / "training-job"
    sampler = ProfilerSampler(runner, handles, folder, interval_ms=100)
    sampler.start()
    files = [folder / "profiler" / f"{h}.jsonl" for h in ("algo-1", "algo-2")]
    deadline = time.monotonic() + 30
    while not all(any(s["cpu_percent"] > 50 for s in _lines(f)[1:]) for f in files):
        assert time.monotonic() < deadline, [_lines(f)[-3:] for f in files]
        time.sleep(0.1)
    started = time.monotonic()
    sampler.stop()
    assert time.monotonic() - started < 1.0
    assert not sampler.is_alive()
    for file in files:
        samples, skipped = read_samples(file)
        assert skipped == 0
        assert len(samples) >= 2
        assert [s["t"] for s in samples] == sorted(s["t"] for s in samples)
        assert all(s["memory_bytes"] > 0 and s["net_rx_bytes"] is None for s in samples)
    assert sampler.written == {
        host: len(_lines(f)) for host, f in zip(("algo-1", "algo-2"), files, strict=False)
    }


def test_ends_by_itself_when_the_hosts_have_ended(runner: ProcessRunner, tmp_path: Path) -> None:
    handle = _launch(runner, tmp_path, "algo-1", "print('done')")
    runner.wait(handle, 30)
    sampler = ProfilerSampler(runner, [handle], tmp_path / "training-job", interval_ms=100)
    sampler.start()
    sampler.join(5)
    assert not sampler.is_alive()
    assert sampler.written == {}


class _Flaky:
    """A runner whose engine fails once, then gives two samples, then the host is gone."""

    def __init__(self) -> None:
        self.calls = 0

    def sample(self, handle: JobHandle) -> HostSample | None:
        self.calls += 1
        if self.calls == 1:
            raise StoreUnavailableError("the engine does not answer")
        if self.calls in (2, 3):
            return HostSample(
                t=1000.0 + self.calls, cpu_percent=12.5, memory_bytes=1, memory_percent=0.5
            )
        if self.calls == 4:
            return HostSample(t=1003.0, cpu_percent=1.0, memory_bytes=1, memory_percent=0.5)
        raise NotFoundError("cleaned up")


def test_engine_errors_are_retried_and_ended_hosts_dropped(tmp_path: Path) -> None:
    runner = _Flaky()
    handle = JobHandle("docker", "job", "algo-1", "abc")
    sampler = ProfilerSampler(cast(JobRunner, runner), [handle], tmp_path, interval_ms=100)
    sampler.start()
    sampler.join(10)
    assert not sampler.is_alive()
    # the same reading (t=1003) twice is written once
    assert [s["t"] for s in _lines(tmp_path / "profiler" / "algo-1.jsonl")] == [1002.0, 1003.0]


def test_a_sample_line_reads_back() -> None:
    sample = HostSample(
        t=1733500000.12345,
        cpu_percent=98.456,
        memory_bytes=1 << 30,
        memory_percent=12.3456,
        cpu_cores=[100.0, 3.21],
        disk_read_bytes=10,
        disk_write_bytes=20,
        gpus=[
            {
                "index": 0,
                "utilization_percent": 35.0,
                "memory_used_bytes": 1,
                "memory_total_bytes": 2,
            }
        ],
    )
    line = sample_line(sample)
    assert "\n" not in line
    assert parse_sample(line) == {
        "t": 1733500000.123,
        "cpu_percent": 98.46,
        "cpu_cores": [100.0, 3.21],
        "memory_bytes": 1 << 30,
        "memory_percent": 12.346,
        "disk_read_bytes": 10,
        "disk_write_bytes": 20,
        "net_rx_bytes": None,
        "net_tx_bytes": None,
        "io_wait_percent": None,
        "gpus": [
            {
                "index": 0,
                "utilization_percent": 35.0,
                "memory_used_bytes": 1,
                "memory_total_bytes": 2,
            }
        ],
    }


def _write(folder: Path, host: str, samples: list[dict[str, Any]], extra: str = "") -> None:
    path = folder / "profiler" / f"{host}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(s) + "\n" for s in samples) + extra)


def _sample(i: int, **more: Any) -> dict[str, Any]:
    return {
        "t": 100.0 + i,
        "cpu_percent": float(i),
        "cpu_cores": [float(i), 0.0],
        "memory_bytes": 1000 + i,
        "memory_percent": 1.0,
        "disk_read_bytes": 100 * i,
        "disk_write_bytes": None,
        "net_rx_bytes": 10 * i * i,
        "net_tx_bytes": None,
        "io_wait_percent": None,
        "gpus": [],
        **more,
    }


def test_read_profile_shapes(tmp_path: Path) -> None:
    gpu = {
        "index": 0,
        "utilization_percent": 40.0,
        "memory_used_bytes": 25,
        "memory_total_bytes": 100,
    }
    _write(
        tmp_path,
        "algo-1",
        [_sample(i, gpus=[gpu]) for i in range(5)],
        extra='not json\n{"t": "soon"}\n[1, 2]\n{"t": 200, "cpu_percent": 1, "memory_per',
    )
    profile = read_profile(tmp_path, ["algo-1", "algo-2"])
    one, two = profile["Hosts"]
    assert one["Host"] == "algo-1"
    assert one["Timestamps"] == [100.0, 101.0, 102.0, 103.0, 104.0]
    assert one["Skipped"] == 3  # the unfinished last line is not read yet
    series = one["Series"]
    assert series["cpu_percent"] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert series["memory_bytes"] == [1000, 1001, 1002, 1003, 1004]
    assert series["disk_read_bytes_per_second"] == [None, 100.0, 100.0, 100.0, 100.0]
    assert series["net_rx_bytes_per_second"] == [None, 10.0, 30.0, 50.0, 70.0]
    assert series["core0_percent"] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert series["gpu0_utilization_percent"] == [40.0] * 5
    assert series["gpu0_memory_percent"] == [25.0] * 5
    assert "disk_write_bytes_per_second" not in series  # never known
    assert "io_wait_percent" not in series
    assert two == {
        "Host": "algo-2",
        "Timestamps": [],
        "Series": {"cpu_percent": [], "memory_percent": [], "memory_bytes": []},
        "Skipped": 0,
    }


def test_read_profile_downsamples_evenly_and_reads_since(tmp_path: Path) -> None:
    _write(tmp_path, "algo-1", [_sample(i) for i in range(5001)])
    profile = read_profile(tmp_path, ["algo-1"], max_points=2000)["Hosts"][0]
    times = profile["Timestamps"]
    assert len(times) == 2000
    assert times[0] == 100.0
    assert times[-1] == 5100.0
    gaps = {round(b - a) for a, b in itertools.pairwise(times)}
    assert gaps <= {2, 3}  # evenly spread
    rates = profile["Series"]["disk_read_bytes_per_second"]
    assert rates[0] is None
    assert set(rates[1:]) == {100.0}
    later = read_profile(tmp_path, ["algo-1"], since=5098.0)["Hosts"][0]
    assert later["Timestamps"] == [5099.0, 5100.0]
    assert later["Series"]["disk_read_bytes_per_second"] == [100.0, 100.0]  # from the last before


def test_report_file(tmp_path: Path) -> None:
    assert report_file(tmp_path) == tmp_path / "profiler-output" / "profiler-report.html"
