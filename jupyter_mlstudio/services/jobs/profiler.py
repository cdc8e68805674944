"""The profiler's studio side: sampling a training job's hosts, reading the series back.

:class:`ProfilerSampler` is a thread the training supervisor starts beside a job: every
``interval_ms`` it asks the runner for a :class:`~jupyter_mlstudio.runtime.base.HostSample`
of each host and appends it as one JSON line to ``<job folder>/profiler/<host>.jsonl``
(the format: :mod:`jupyter_mlstudio.debugger.rules.profiler_samples`). A host that has
ended (the runner gives None, or NotFoundError once cleaned up) is no longer sampled; the
thread ends when every host has, or at :meth:`ProfilerSampler.stop`. The docker engine
reads a container once a second: a reading already written is not written again.

:func:`read_profile` turns those files into the series of the REST route
``GET training-jobs/{name}/profiler`` (``Hosts``); :func:`report_file` says where a
ProfilerReport rule job leaves its HTML report.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from ...debugger.rules.base import PROFILER_DIR
from ...debugger.rules.profiler_report import REPORT_DIR, REPORT_NAME
from ...debugger.rules.profiler_samples import COUNTERS, gpus, number, rate, read_samples
from ...exceptions import NotFoundError
from ...runtime.base import HostSample, JobHandle, JobRunner

log = logging.getLogger(__name__)

#: the shortest interval the sampler honours (SageMaker's minimum is 100 ms)
MIN_INTERVAL_MS = 100


def sample_line(sample: HostSample) -> str:
    """One sample as its line in a samples file (without the newline)."""
    body: dict[str, Any] = {
        "t": round(sample.t, 3),
        "cpu_percent": round(sample.cpu_percent, 2),
        "cpu_cores": [round(core, 2) for core in sample.cpu_cores],
        "memory_bytes": int(sample.memory_bytes),
        "memory_percent": round(sample.memory_percent, 3),
        "disk_read_bytes": sample.disk_read_bytes,
        "disk_write_bytes": sample.disk_write_bytes,
        "net_rx_bytes": sample.net_rx_bytes,
        "net_tx_bytes": sample.net_tx_bytes,
        "io_wait_percent": None
        if sample.io_wait_percent is None
        else round(sample.io_wait_percent, 2),
        "gpus": sample.gpus,
    }
    return json.dumps(body, separators=(",", ":"))


class ProfilerSampler(threading.Thread):
    """Samples the hosts ``handles`` of a job into ``<folder>/profiler/<host>.jsonl``.

    Args:
        runner: The runner that started the hosts.
        handles: One handle per host.
        folder: The training job's folder.
        interval_ms: How often each host is sampled (ProfilerConfig's
            ``SystemMonitorIntervalInMilliseconds``; at least 100).
    """

    def __init__(
        self,
        runner: JobRunner,
        handles: Sequence[JobHandle],
        folder: Path,
        interval_ms: int = 500,
    ) -> None:
        super().__init__(name=f"mlstudio-profiler-{Path(folder).name}", daemon=True)
        self.runner = runner
        self.handles = list(handles)
        self.folder = Path(folder)
        self.interval = max(int(interval_ms), MIN_INTERVAL_MS) / 1000.0
        #: how many samples were written, per host
        self.written: dict[str, int] = {}
        #: the CPU time the sampling thread used (s), known once it has ended
        self.cpu_seconds: float | None = None
        self._halt = threading.Event()

    def run(self) -> None:
        started = time.thread_time()
        try:
            self._sample_until_stopped()
        finally:
            self.cpu_seconds = time.thread_time() - started

    def _sample_until_stopped(self) -> None:
        out = self.folder / PROFILER_DIR
        files: dict[str, IO[str]] = {}
        last_t: dict[str, float] = {}
        active = list(self.handles)
        failing: set[str] = set()
        next_at = time.monotonic()
        try:
            out.mkdir(parents=True, exist_ok=True)
            while active and not self._halt.is_set():
                for handle in list(active):
                    try:
                        sample = self.runner.sample(handle)
                    except NotFoundError:
                        sample = None
                    except Exception as exc:  # the engine did not answer: try again
                        if handle.host not in failing:
                            failing.add(handle.host)
                            log.warning("profiler: cannot sample %s: %s", handle.host, exc)
                        continue
                    if sample is None:  # ended
                        active.remove(handle)
                        continue
                    if last_t.get(handle.host) == sample.t:
                        continue  # the engine has not read the container again yet
                    last_t[handle.host] = sample.t
                    file = files.get(handle.host)
                    if file is None:
                        file = files[handle.host] = open(  # noqa: SIM115 - kept open
                            out / f"{handle.host}.jsonl", "a", encoding="utf-8"
                        )
                    file.write(sample_line(sample) + "\n")
                    file.flush()
                    self.written[handle.host] = self.written.get(handle.host, 0) + 1
                next_at += self.interval
                now = time.monotonic()
                if next_at < now:  # behind (a slow engine): skip the missed beats
                    next_at = now + self.interval
                self._halt.wait(next_at - now)
        except OSError as exc:  # the job's folder went away
            log.warning("profiler: cannot write samples of %s: %s", self.folder.name, exc)
        finally:
            for file in files.values():
                with contextlib.suppress(OSError):
                    file.close()

    def stop(self, timeout: float = 5.0) -> None:
        """End the sampling and wait (at most ``timeout`` s) for the thread."""
        self._halt.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout)


def _pick(count: int, most: int) -> list[int]:
    """Indexes of ``most`` of ``count`` points, evenly spread, first and last kept."""
    if count <= most:
        return list(range(count))
    if most <= 1:
        return [count - 1]
    return sorted({round(i * (count - 1) / (most - 1)) for i in range(most)})


def _host_series(
    samples: list[dict[str, Any]], base: dict[str, Any] | None
) -> dict[str, list[float | None]]:
    series: dict[str, list[float | None]] = {
        "cpu_percent": [number(s, "cpu_percent") for s in samples],
        "memory_percent": [number(s, "memory_percent") for s in samples],
        "memory_bytes": [number(s, "memory_bytes") for s in samples],
        "io_wait_percent": [number(s, "io_wait_percent") for s in samples],
    }
    previous = [base, *samples[:-1]]
    for key in COUNTERS:
        series[f"{key}_per_second"] = [
            None if before is None else rate(before, after, key)
            for before, after in zip(previous, samples, strict=True)
        ]
    cores = max((len(s.get("cpu_cores") or ()) for s in samples), default=0)
    for core in range(cores):
        series[f"core{core}_percent"] = [_core(s, core) for s in samples]
    indexes = sorted({int(g["index"]) for s in samples for g in gpus(s)})
    for index in indexes:
        found = [{int(g["index"]): g for g in gpus(s)}.get(index) for s in samples]
        series[f"gpu{index}_utilization_percent"] = [
            None if g is None else number(g, "utilization_percent") for g in found
        ]
        series[f"gpu{index}_memory_used_bytes"] = [
            None if g is None else number(g, "memory_used_bytes") for g in found
        ]
        series[f"gpu{index}_memory_percent"] = [_gpu_memory_percent(g) for g in found]
    return {
        name: [None if v is None else round(v, 3) for v in values]
        for name, values in series.items()
        if name in ("cpu_percent", "memory_percent", "memory_bytes")
        or any(v is not None for v in values)
    }


def _core(sample: dict[str, Any], core: int) -> float | None:
    cores = sample.get("cpu_cores") or []
    value = cores[core] if core < len(cores) else None
    return float(value) if isinstance(value, (int, float)) else None


def _gpu_memory_percent(gpu: dict[str, Any] | None) -> float | None:
    if gpu is None:
        return None
    used, total = number(gpu, "memory_used_bytes"), number(gpu, "memory_total_bytes")
    return None if used is None or not total else 100.0 * used / total


def read_profile(
    folder: Path,
    hosts: Sequence[str],
    since: float | None = None,
    max_points: int = 2000,
) -> dict[str, Any]:
    """The profiler's series of a training job, per host.

    Args:
        folder: The training job's folder.
        hosts: Its hosts (``algo-1`` ...); a host without samples has empty series.
        since: Only samples after this time (epoch s); rates of the first one are
            measured from the last sample before it.
        max_points: At most this many points per host: above it, points evenly spread
            over the run (the first and the last kept); the rates between two kept
            points are the averages over the time between them.

    Returns:
        ``{"Hosts": [{"Host", "Timestamps": [epoch s], "Series": {name: [value or
        None]}, "Skipped": lines not read}]}``. Series: ``cpu_percent`` (100 = one core),
        ``memory_percent``, ``memory_bytes`` always; ``io_wait_percent``,
        ``disk_read_bytes_per_second``, ``disk_write_bytes_per_second``,
        ``net_rx_bytes_per_second``, ``net_tx_bytes_per_second``, ``core<i>_percent``,
        ``gpu<i>_utilization_percent``, ``gpu<i>_memory_used_bytes``,
        ``gpu<i>_memory_percent`` when the samples have them.
    """
    out = []
    for host in hosts:
        samples, skipped = read_samples(Path(folder) / PROFILER_DIR / f"{host}.jsonl")
        base = None
        if since is not None:
            before = [s for s in samples if float(s["t"]) <= since]
            base = before[-1] if before else None
            samples = samples[len(before) :]
        picked = [samples[i] for i in _pick(len(samples), max(1, max_points))]
        out.append(
            {
                "Host": host,
                "Timestamps": [round(float(s["t"]), 3) for s in picked],
                "Series": _host_series(picked, base)
                if picked
                else {"cpu_percent": [], "memory_percent": [], "memory_bytes": []},
                "Skipped": skipped,
            }
        )
    return {"Hosts": out}


def report_file(rule_job_output: Path) -> Path:
    """Where a ProfilerReport rule job writes its HTML report.

    Args:
        rule_job_output: The rule evaluation job's output folder (its ``OutputPath``).

    Returns:
        ``<output>/profiler-output/profiler-report.html`` (it may not exist yet).
    """
    return Path(rule_job_output) / REPORT_DIR / REPORT_NAME
