"""The metric buffer: batching, the background flusher, errors reported at flush."""

from __future__ import annotations

import os
import subprocess
import sys
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


def test_points_logged_after_an_outage_follow_the_kept_ones() -> None:
    sink = Recorder()
    buffer = MetricBuffer(sink, interval=60, flush_points=10**9)
    buffer.add("r", *point(1))
    buffer.add("r", *point(2))
    sink.fail = StoreUnavailableError("down")
    with pytest.raises(StoreUnavailableError):
        buffer.flush()
    buffer.add("r", *point(3))
    assert buffer.pending == 3
    buffer.flush()
    assert sink.batches == [("r", [1.0, 2.0, 3.0])]
    buffer.close()


# A script that logs N points with no flush and no ``with`` block, then ends as told.
EXIT_SCRIPT = """
import os, sys
from jupyter_mlstudio.sdk import Run, TrackingClient
client = TrackingClient(sys.argv[1])
run = Run("exit", "r", sagemaker_session=client)
for i in range(int(sys.argv[2])):
    run.log_metric("loss", 1.0 / (i + 1), step=i)
if sys.argv[3] == "flush-then-kill":
    run.flush()
    for i in range(10):
        run.log_metric("loss", 0.5, step=10**6 + i)
    os._exit(0)
"""


def _logged(tmp_path: Path, points: int, ending: str) -> int:
    uri = f"sqlite:///{tmp_path / 'exit.db'}"
    subprocess.run(
        [sys.executable, "-c", EXIT_SCRIPT, uri, str(points), ending],
        check=True,
        timeout=300,
        env={**os.environ, "MLSTUDIO_ARTIFACT_ROOT": str(tmp_path / "artifacts")},
    )
    store = open_store(uri)
    try:
        return store.get_trial_component("exit-r").metrics[0].count
    finally:
        store.close()


def test_a_normal_exit_writes_every_point(tmp_path: Path) -> None:
    """No flush, no ``with``: the interpreter's exit (atexit) writes all 25,000 points,
    more than two batches and beyond the background flusher's threshold."""
    assert _logged(tmp_path, 25_000, "exit") == 25_000


def test_a_hard_kill_loses_only_what_was_not_yet_written(tmp_path: Path) -> None:
    """``os._exit`` right after ten more points: the flushed 1,000 are kept; the ten are
    lost whole or written whole (a batch is one transaction), never in part."""
    assert _logged(tmp_path, 1_000, "flush-then-kill") in (1_000, 1_010)
