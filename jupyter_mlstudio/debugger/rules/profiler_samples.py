"""The profiler's samples on disk, as the studio's sampler writes them and rules read them.

``<job>/profiler/<host>.jsonl``: one JSON object a line, appended every interval while the
host runs (the studio's :class:`jupyter_mlstudio.services.jobs.profiler.ProfilerSampler`)::

    {"t": 1733500000.123, "cpu_percent": 98.5, "cpu_cores": [100.0, 3.2],
     "memory_bytes": 18681856, "memory_percent": 0.07,
     "disk_read_bytes": 0, "disk_write_bytes": 4096, "net_rx_bytes": null,
     "net_tx_bytes": null, "io_wait_percent": 0.0,
     "gpus": [{"index": 0, "utilization_percent": 35.0,
               "memory_used_bytes": 1293942784, "memory_total_bytes": 17179869184}]}

``t`` is epoch seconds; ``cpu_percent`` the host's own CPU (100 = one core);
``cpu_cores`` each core's use in % (may be empty); the byte figures are cumulative
counters since the host started (null when unknown). A line that is not such an object
(half-written, corrupt) is skipped. Standard library only: rule jobs read it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

#: the cumulative counters of a sample
COUNTERS = ("disk_read_bytes", "disk_write_bytes", "net_rx_bytes", "net_tx_bytes")


def parse_sample(line: str) -> dict[str, Any] | None:
    """One line of a samples file as a sample, or None when it is not one."""
    try:
        sample = json.loads(line)
    except ValueError:
        return None
    if not isinstance(sample, dict):
        return None
    for key in ("t", "cpu_percent", "memory_percent"):
        value = sample.get(key)
        if not _number(value):
            return None
    if not isinstance(sample.get("cpu_cores", []), list):
        return None
    if not isinstance(sample.get("gpus", []), list):
        return None
    return sample


def _number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def number(sample: dict[str, Any], key: str) -> float | None:
    """``sample[key]`` when it is a finite number, else None."""
    value = sample.get(key)
    return float(value) if isinstance(value, (int, float)) and _number(value) else None


def gpus(sample: dict[str, Any]) -> list[dict[str, Any]]:
    """The sample's GPUs that carry an index and a utilization."""
    return [
        gpu
        for gpu in sample.get("gpus") or ()
        if isinstance(gpu, dict) and _number(gpu.get("index"))
        if _number(gpu.get("utilization_percent"))
    ]


class SampleFile:
    """Reads a samples file incrementally: each :meth:`read_new` returns the complete
    lines written since the previous call (a line still being written waits). ``parse``
    reads one line (None: not one to keep); samples by default."""

    def __init__(
        self, path: Path, parse: Callable[[str], dict[str, Any] | None] = parse_sample
    ) -> None:
        self.path = Path(path)
        self.parse = parse
        self.offset = 0
        #: lines that were not samples
        self.skipped = 0

    def read_new(self) -> list[dict[str, Any]]:
        """The samples appended since the last call (none when the file is missing)."""
        try:
            with open(self.path, "rb") as file:
                file.seek(0, 2)
                if file.tell() < self.offset:  # replaced by a shorter file: start over
                    self.offset = 0
                file.seek(self.offset)
                data = file.read()
        except OSError:
            return []
        end = data.rfind(b"\n")
        if end < 0:
            return []
        self.offset += end + 1
        samples = []
        for raw in data[:end].split(b"\n"):
            if not raw.strip():
                continue
            sample = self.parse(raw.decode("utf-8", errors="replace"))
            if sample is None:
                self.skipped += 1
            else:
                samples.append(sample)
        return samples


def read_samples(path: Path) -> tuple[list[dict[str, Any]], int]:
    """Every sample of a file in time order, and how many lines were skipped."""
    reader = SampleFile(path)
    samples = reader.read_new()
    samples.sort(key=lambda s: float(s["t"]))
    return samples, reader.skipped


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) with linear interpolation (numpy's default)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class Reservoir:
    """The values of a figure over a run in bounded memory: all of them up to
    ``capacity``, then every second one kept (and so on), evenly over time. The count
    and the maximum are exact; percentiles are over the kept values."""

    def __init__(self, capacity: int = 20_000) -> None:
        self.capacity = capacity
        self.values: list[float] = []
        self.count = 0
        self.maximum: float | None = None
        self._stride = 1

    def add(self, value: float) -> None:
        """Record one value."""
        self.count += 1
        self.maximum = value if self.maximum is None else max(self.maximum, value)
        if (self.count - 1) % self._stride:
            return
        self.values.append(value)
        if len(self.values) >= self.capacity:
            self.values = self.values[::2]
            self._stride *= 2

    def extend(self, values: Iterable[float]) -> None:
        """Record each of ``values``."""
        for value in values:
            self.add(value)

    def summary(self) -> dict[str, float] | None:
        """``{"p50", "p95", "max"}``, or None before any value."""
        if not self.values or self.maximum is None:
            return None
        return {
            "p50": round(percentile(self.values, 50), 2),
            "p95": round(percentile(self.values, 95), 2),
            "max": round(self.maximum, 2),
        }


def rate(
    before: dict[str, Any], after: dict[str, Any], key: str, minimum_dt: float = 1e-6
) -> float | None:
    """A counter's rate per second between two samples; None when either does not know
    it or it went back (a restarted counter)."""
    a, b = number(before, key), number(after, key)
    dt = float(after["t"]) - float(before["t"])
    if a is None or b is None or dt < minimum_dt or b < a:
        return None
    return (b - a) / dt
