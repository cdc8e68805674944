"""Per-variant figures: totals, 4xx/5xx, latency percentiles and 10-second series."""

from __future__ import annotations

from jupyter_mlstudio.hosting.figures import VariantFigures, percentile


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 90) == 90.0
    assert percentile(values, 99) == 99.0
    assert percentile([], 50) is None
    assert percentile([4.0], 99) == 4.0


def test_totals_errors_and_series_buckets() -> None:
    clock = Clock(1_000_000.0)
    figures = VariantFigures(clock=clock)
    for i in range(10):
        figures.record(200, model_ms=float(i + 1), overhead_ms=0.5)
    figures.record(424, model_ms=3.0, overhead_ms=0.5)  # the model answered 4xx
    figures.record(503, model_ms=None, overhead_ms=0.2)  # never reached a model
    clock.now += 10  # next bucket
    figures.record(200, model_ms=100.0, overhead_ms=1.0)
    snap = figures.snapshot(minutes=15)
    assert (snap["Invocations"], snap["Invocation4XXErrors"], snap["Invocation5XXErrors"]) == (
        13,
        1,
        1,
    )
    series = snap["Series"]
    assert series["Time"] == [1_000_000, 1_000_010]
    assert series["Invocations"] == [12, 1]
    assert series["Errors"] == [2, 0]
    assert series["ModelLatencyP50"] == [5.0, 100.0]  # 11 samples 1..10 and 3 → median 5
    assert snap["ModelLatency"]["P99"] == 100.0
    assert snap["OverheadLatency"]["P50"] == 0.5


def test_old_buckets_leave_the_window() -> None:
    clock = Clock(2_000_000.0)
    figures = VariantFigures(clock=clock)
    figures.record(200, 1.0, 0.1)
    clock.now += 20 * 60
    figures.record(200, 2.0, 0.1)
    snap = figures.snapshot(minutes=15)
    assert snap["Series"]["Invocations"] == [1]
    assert snap["ModelLatency"]["P50"] == 2.0
    assert snap["Invocations"] == 2  # totals count everything
