"""Per-variant figures of an endpoint: invocations, 4xx/5xx, model and overhead latency.

Kept in memory by the router (they restart from zero with the studio): totals since the
variant started, and 10-second buckets for the last hour from which percentiles and chart
series are computed. ``record`` is called once per request on the event loop; it is O(1).
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

BUCKET_SECONDS = 10
KEEP_SECONDS = 3600
#: latency samples kept per bucket (a uniform reservoir beyond that)
SAMPLES_PER_BUCKET = 2000


@dataclass
class _Bucket:
    start: int
    invocations: int = 0
    errors_4xx: int = 0
    errors_5xx: int = 0
    seen: int = 0
    model_ms: list[float] = field(default_factory=list)
    overhead_ms: list[float] = field(default_factory=list)

    def add_latency(self, model_ms: float, overhead_ms: float) -> None:
        self.seen += 1
        if len(self.model_ms) < SAMPLES_PER_BUCKET:
            self.model_ms.append(model_ms)
            self.overhead_ms.append(overhead_ms)
            return
        slot = random.randrange(self.seen)
        if slot < SAMPLES_PER_BUCKET:
            self.model_ms[slot] = model_ms
            self.overhead_ms[slot] = overhead_ms


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile ``q`` (0 to 100) of sorted values; None when empty."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


class VariantFigures:
    """Figures of one production variant. Thread-safe."""

    def __init__(self, clock: Any = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: deque[_Bucket] = deque()
        self.invocations = 0
        self.errors_4xx = 0
        self.errors_5xx = 0

    def _bucket(self, now: float) -> _Bucket:
        start = int(now) // BUCKET_SECONDS * BUCKET_SECONDS
        if not self._buckets or self._buckets[-1].start != start:
            self._buckets.append(_Bucket(start))
            while self._buckets and self._buckets[0].start <= start - KEEP_SECONDS:
                self._buckets.popleft()
        return self._buckets[-1]

    def record(self, status: int, model_ms: float | None, overhead_ms: float) -> None:
        """One answered request: the status the client got, the model's time (None when
        the model was never reached) and the studio's own time."""
        with self._lock:
            bucket = self._bucket(self._clock())
            bucket.invocations += 1
            self.invocations += 1
            if 400 <= status < 500:
                bucket.errors_4xx += 1
                self.errors_4xx += 1
            elif status >= 500:
                bucket.errors_5xx += 1
                self.errors_5xx += 1
            if model_ms is not None:
                bucket.add_latency(model_ms, overhead_ms)

    def snapshot(self, minutes: float = 15) -> dict[str, Any]:
        """Totals, latency percentiles over the last ``minutes`` and the bucket series."""
        with self._lock:
            since = self._clock() - minutes * 60
            buckets = [b for b in self._buckets if b.start + BUCKET_SECONDS > since]
            series_time = [b.start for b in buckets]
            series = {
                "Time": series_time,
                "Invocations": [b.invocations for b in buckets],
                "Errors": [b.errors_4xx + b.errors_5xx for b in buckets],
                "ModelLatencyP50": [_round(percentile(sorted(b.model_ms), 50)) for b in buckets],
                "OverheadLatencyP50": [
                    _round(percentile(sorted(b.overhead_ms), 50)) for b in buckets
                ],
            }
            model = sorted(v for b in buckets for v in b.model_ms)
            overhead = sorted(v for b in buckets for v in b.overhead_ms)
            totals = (self.invocations, self.errors_4xx, self.errors_5xx)
        return {
            "Invocations": totals[0],
            "Invocation4XXErrors": totals[1],
            "Invocation5XXErrors": totals[2],
            "ModelLatency": {f"P{q}": _round(percentile(model, q)) for q in (50, 90, 99)},
            "OverheadLatency": {f"P{q}": _round(percentile(overhead, q)) for q in (50, 90, 99)},
            "Series": series,
        }


#: latency samples kept per model of a multi-model endpoint (the newest ones)
MODEL_SAMPLES = 1000


class ModelFigures:
    """Figures of one model on one instance of a multi-model endpoint: invocations,
    errors, model latency (of the newest :data:`MODEL_SAMPLES`), loads and their time,
    evictions. Thread-safe.

    Args:
        clock: Seconds since the epoch (``time.time``; tests give their own).
    """

    def __init__(self, clock: Any = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._latency: deque[float] = deque(maxlen=MODEL_SAMPLES)
        self.invocations = 0
        self.errors_4xx = 0
        self.errors_5xx = 0
        self.loads = 0
        self.load_ms_total = 0.0
        self.last_load_ms: float | None = None
        self.evictions = 0
        self.loaded_at: float | None = None
        self.last_invoked_at: float | None = None

    def record(self, status: int, model_ms: float | None) -> None:
        """One invocation of the model: the status and the time it took (None when the
        model was never reached)."""
        with self._lock:
            self.invocations += 1
            self.last_invoked_at = self._clock()
            if 400 <= status < 500:
                self.errors_4xx += 1
            elif status >= 500:
                self.errors_5xx += 1
            if model_ms is not None:
                self._latency.append(model_ms)

    def record_load(self, load_ms: float) -> None:
        """The model was loaded (fetched, unpacked and loaded by the model server)."""
        with self._lock:
            self.loads += 1
            self.load_ms_total += load_ms
            self.last_load_ms = load_ms
            self.loaded_at = self._clock()

    def record_eviction(self) -> None:
        """The model was unloaded to make room for another."""
        with self._lock:
            self.evictions += 1
            self.loaded_at = None

    def snapshot(self) -> dict[str, Any]:
        """Totals, latency percentiles and load times (milliseconds)."""
        with self._lock:
            latency = sorted(self._latency)
            mean = self.load_ms_total / self.loads if self.loads else None
            return {
                "Invocations": self.invocations,
                "Invocation4XXErrors": self.errors_4xx,
                "Invocation5XXErrors": self.errors_5xx,
                "ModelLatency": {f"P{q}": _round(percentile(latency, q)) for q in (50, 90, 99)},
                "Loads": self.loads,
                "LoadTime": {"Last": _round(self.last_load_ms), "Mean": _round(mean)},
                "Evictions": self.evictions,
                "LoadedAt": self.loaded_at,
                "LastInvokedAt": self.last_invoked_at,
            }
