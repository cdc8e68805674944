"""The profiler's part of the runtime contract (mixed into
:class:`.runtime_contract.RuntimeContract`): ``sample`` measures a running host.

A running host gives a :class:`~jupyter_mlstudio.runtime.base.HostSample` whose CPU shows
a busy loop and whose memory is the host's; counters never go back; an exited host gives
None; a cleaned-up one raises NotFoundError, as ``poll`` does.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from ..exceptions import NotFoundError
from ..runtime.base import ContainerSpec, HostSample, JobHandle, JobRunner

#: one core kept busy for two minutes, after saying so
BUSY_LOOP = """
import time
print("busy", flush=True)
end = time.time() + 120
count = 0
while time.time() < end:
    count += 1
"""


def sample_when(
    runner: JobRunner, handle: JobHandle, ok: Any, timeout: float = 30.0
) -> list[HostSample]:
    """Sample ``handle`` until ``ok(sample)``; every sample taken (the last passes).
    AssertionError with the samples seen when none passes within ``timeout`` s."""
    seen: list[HostSample] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = runner.sample(handle)
        assert found is not None, "a running host gave no sample"
        seen.append(found)
        if ok(found):
            return seen
        time.sleep(0.2)
    raise AssertionError(f"no sample passed within {timeout} s: {seen[-5:]}")


class SamplingContract:
    """``sample`` on a runtime; see the module docstring."""

    def spec(
        self, runner: JobRunner, job_root: Path, token: str, script: str, **fields: Any
    ) -> ContainerSpec:  # pragma: no cover - RuntimeContract's
        raise NotImplementedError

    def test_sample_of_a_busy_host(self, runner: JobRunner, job_root: Path, token: str) -> None:
        handle = runner.launch(self.spec(runner, job_root, token, BUSY_LOOP))
        deadline = time.monotonic() + 60
        while "busy" not in runner.logs(handle)[0]:
            assert time.monotonic() < deadline, runner.logs(handle)[0]
            assert runner.poll(handle).running, runner.logs(handle)[0]
            time.sleep(0.05)
        seen = sample_when(runner, handle, lambda s: s.cpu_percent > 50)
        busy = seen[-1]
        assert abs(busy.t - time.time()) < 5
        assert busy.cpu_percent < 100 * 64  # a rate, not a counter
        assert busy.memory_bytes > 1 << 20  # a Python's resident memory at least
        assert 0 < busy.memory_percent <= 100
        assert all(0 <= core <= 100 for core in busy.cpu_cores)
        for name in ("disk_read_bytes", "disk_write_bytes", "net_rx_bytes", "net_tx_bytes"):
            values = [getattr(s, name) for s in seen]
            known = [v for v in values if v is not None]
            assert all(v >= 0 for v in known), (name, values)
            assert known == sorted(known), f"{name} went back: {values}"
        assert busy.gpus == [] or all("utilization_percent" in g for g in busy.gpus)
        runner.stop(handle, grace_seconds=0)
        assert runner.sample(handle) is None  # exited
        runner.cleanup(handle)
        with pytest.raises(NotFoundError):
            runner.sample(handle)
