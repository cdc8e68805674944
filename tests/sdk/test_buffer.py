"""The metric buffer: batching, the background flusher, errors reported at flush."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from jupyter_mlstudio.exceptions import NotFoundError, StoreUnavailableError, ValidationError
from jupyter_mlstudio.sdk.buffer import BATCH_POINTS, MetricBuffer
from jupyter_mlstudio.store import open_store
from jupyter_mlstudio.store.columns import MetricColumns, micros_of

T = datetime(2024, 1, 1, tzinfo=timezone.utc)
US = micros_of(T)


def point(i: int) -> tuple[str, float, int, int]:
    """Metric ``m`` at step ``i``: name, value, step, timestamp (µs)."""
    return ("m", float(i), i, US)


class Recorder:
    def __init__(self) -> None:
        self.batches: list[tuple[str, list[float]]] = []
        self.fail: Exception | None = None
        self.sent = threading.Event()

    def __call__(self, run: str, points: MetricColumns) -> None:
        if self.fail is not None:
            error, self.fail = self.fail, None
            raise error
        assert len(points.names) == len(points.steps) == len(points.timestamps) == len(points)
        self.batches.append((run, list(points.values)))
        self.sent.set()


def test_background_flush_within_the_interval() -> None:
    sink = Recorder()
    buffer = MetricBuffer(sink, interval=0.05)
    buffer.add("r", *point(1))
    assert sink.sent.wait(2)
    assert sink.batches == [("r", [1.0])]
    buffer.close()


def test_flush_writes_batches_of_at_most_10000_in_order() -> None:
    sink = Recorder()
    buffer = MetricBuffer(sink, interval=60, flush_points=10**9, max_pending=10**9)
    for i in range(BATCH_POINTS + 5):
        buffer.add("r", *point(i))
    buffer.flush()
    assert [len(values) for _, values in sink.batches] == [BATCH_POINTS, 5]
    assert sink.batches[1][1] == [float(i) for i in range(BATCH_POINTS, BATCH_POINTS + 5)]
    assert buffer.pending == 0
    buffer.close()


def test_back_pressure_writes_inline() -> None:
    sink = Recorder()
    buffer = MetricBuffer(sink, interval=60, flush_points=10**9, max_pending=100)
    for i in range(100):
        buffer.add("r", *point(i))
    assert sum(len(v) for _, v in sink.batches) == 100  # written before add returned
    buffer.close()


def test_unavailable_store_keeps_points_other_errors_drop_them() -> None:
    sink = Recorder()
    buffer = MetricBuffer(sink, interval=60, flush_points=10**9)
    buffer.add("r", *point(1))
    sink.fail = StoreUnavailableError("down")
    with pytest.raises(StoreUnavailableError):
        buffer.flush()
    assert buffer.pending == 1
    buffer.flush()
    assert sink.batches == [("r", [1.0])]
    buffer.add("gone", *point(2))
    sink.fail = NotFoundError("no run")
    with pytest.raises(NotFoundError):
        buffer.flush()
    assert buffer.pending == 0
    buffer.flush()  # reported once
    buffer.close()


def test_flusher_wakes_at_the_point_threshold() -> None:
    sink = Recorder()
    buffer = MetricBuffer(sink, interval=60, flush_points=10, max_pending=10**9)
    started = time.monotonic()
    for i in range(10):
        buffer.add("r", *point(i))
    assert sink.sent.wait(5)
    assert time.monotonic() - started < 5
    buffer.close()


def test_a_point_the_store_refuses_costs_only_itself(tmp_path: Path) -> None:
    """The store refuses a batch whole, naming the bad point (``MetricData[i]``): the
    buffer drops that point alone, writes the others and reports the refusal at flush."""
    store = open_store(f"sqlite:///{tmp_path / 'buffer.db'}")
    try:
        store.create_trial_component("r")
        buffer = MetricBuffer(store.log_metric_columns, interval=60)
        for i in range(100):
            buffer.add("r", *point(i))
        buffer.add("r", "m", 1.0, 2**70, US)
        buffer.add("r", *point(100))
        with pytest.raises(ValidationError) as refused:
            buffer.flush()
        assert refused.value.field == "MetricData[100].Step"
        assert [p.value for p in store.get_metric_series("r", "m")] == [
            float(i) for i in range(101)
        ]
        buffer.flush()  # reported once
        buffer.close()
    finally:
        store.close()
