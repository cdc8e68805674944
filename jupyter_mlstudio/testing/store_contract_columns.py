"""The contract of ``TrackingStore.log_metric_columns``: a columnar batch is written as
``log_metrics`` writes the same points, validated whole, naming the bad point."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import pytest

from ..exceptions import NotFoundError, ValidationError
from ..store.base import TrackingStore
from ..store.columns import MAX_MICROS, MIN_MICROS, MetricColumns, micros_of
from .store_helpers import T0, assert_aware, expect, points

US0 = micros_of(T0)


def columns(name: str, values: list[float], *, start: int = 0) -> MetricColumns:
    """``values`` as one metric's columns: steps ``start…``, a second apart from T0."""
    n = len(values)
    return MetricColumns(
        [name] * n,
        list(values),
        list(range(start, start + n)),
        [US0 + (start + i) * 1_000_000 for i in range(n)],
    )


class MetricColumnsContract:
    """Columnar batches (the SDK's buffer sends them)."""

    def test_columns_write_what_log_metrics_writes(self, store: TrackingStore) -> None:
        store.create_trial_component("a")
        store.create_trial_component("b")
        values = [0.5, 2.0, -1.25, 3.0]
        store.log_metric_columns("a", columns("m", values))
        store.log_metrics("b", points("m", values))
        got = store.get_metric_series("a", "m")
        assert got == store.get_metric_series("b", "m")
        assert [(p.step, p.value) for p in got] == [(i, v) for i, v in enumerate(values)]
        assert got[3].timestamp == T0 + timedelta(seconds=3)
        assert_aware(got[3].timestamp)
        (summary,) = store.get_trial_component("a").metrics
        (expected,) = store.get_trial_component("b").metrics
        assert summary == expected
        assert summary.count == 4
        assert summary.last == 3.0
        chart_a = store.get_metric_chart(["a"], "m")["a"]
        chart_b = store.get_metric_chart(["b"], "m")["b"]
        assert (chart_a.steps, chart_a.last) == (chart_b.steps, chart_b.last)

    def test_columns_mixed_names_no_steps_microseconds(self, store: TrackingStore) -> None:
        store.create_trial_component("run")
        stamps = [US0 + 1, US0 + 2, US0 - 999_999, US0 + 3]
        batch = MetricColumns(
            ["loss", "acc", "loss", "loss"], [1, 0.5, 2.0, 3.0], [None] * 4, stamps
        )
        store.log_metric_columns("run", batch)
        store.log_metric_columns("run", MetricColumns(["loss"], [4.0], [None], [US0 + 4]))
        loss = store.get_metric_series("run", "loss")
        assert [p.value for p in loss] == [2.0, 1.0, 3.0, 4.0]  # by time (no steps)
        assert [p.step for p in loss] == [None] * 4
        assert loss[0].timestamp == T0 - timedelta(microseconds=999_999)
        assert loss[1].timestamp == T0 + timedelta(microseconds=1)
        assert isinstance(loss[1].value, float)  # an int value is kept as a float
        chart = store.get_metric_chart(["run"], "loss")["run"]
        assert chart.steps == [0, 1, 2, 3]  # sequence numbers across batches
        summaries = {s.metric_name: s for s in store.get_trial_component("run").metrics}
        assert summaries["loss"].count == 4
        assert summaries["loss"].last == 4.0
        assert summaries["acc"].count == 1
        store.log_metric_columns("run", MetricColumns([], [], [], []))  # nothing to do
        assert store.get_trial_component("run").metrics[1].count == 4

    def test_columns_last_is_the_latest_time_not_the_last_point(self, store: TrackingStore) -> None:
        store.create_trial_component("run")
        batch = MetricColumns(["m"] * 3, [1.0, 2.0, 3.0], [0, 1, 2], [US0 + 9, US0 + 9, US0])
        store.log_metric_columns("run", batch)
        (summary,) = store.get_trial_component("run").metrics
        assert (summary.last, summary.count, summary.avg) == (2.0, 3, 2.0)
        assert summary.time_stamp == T0 + timedelta(microseconds=9)
        store.log_metric_columns("run", columns("m", [4.0, 5.0], start=3))
        (summary,) = store.get_trial_component("run").metrics
        assert (summary.last, summary.count, summary.min, summary.max) == (5.0, 5, 1.0, 5.0)

    def test_columns_the_whole_time_range(self, store: TrackingStore) -> None:
        store.create_trial_component("run")
        batch = MetricColumns(["m", "m"], [1.0, 2.0], [0, 1], [MIN_MICROS, MAX_MICROS])
        store.log_metric_columns("run", batch)
        first, last = store.get_metric_series("run", "m")
        assert first.timestamp.year == 1
        assert (last.timestamp.year, last.timestamp.microsecond) == (9999, 999_999)

    @pytest.mark.parametrize(
        ("column", "bad", "field"),
        [
            ("values", math.nan, "MetricData[2].Value"),
            ("values", -math.inf, "MetricData[2].Value"),
            ("steps", -1, "MetricData[2].Step"),
            ("steps", 2**63, "MetricData[2].Step"),
            ("timestamps", MAX_MICROS + 1, "MetricData[2].Timestamp"),
            ("timestamps", MIN_MICROS - 1, "MetricData[2].Timestamp"),
            ("names", "x" * 256, "MetricData[2].MetricName"),
            ("names", "", "MetricData[2].MetricName"),
        ],
    )
    def test_columns_bad_point_named_nothing_written(
        self, store: TrackingStore, column: str, bad: object, field: str
    ) -> None:
        store.create_trial_component("run")
        batch = columns("m", [1.0, 2.0, 3.0, 4.0])
        cells: dict[str, list[Any]] = {
            "names": list(batch.names),
            "values": list(batch.values),
            "steps": list(batch.steps),
            "timestamps": list(batch.timestamps),
        }
        cells[column][2] = bad
        with expect(ValidationError, field):
            store.log_metric_columns("run", MetricColumns(**cells))
        assert store.get_metric_series("run", "m") == []
        assert store.get_trial_component("run").metrics == []

    def test_columns_of_unequal_length_refused(self, store: TrackingStore) -> None:
        store.create_trial_component("run")
        batch = MetricColumns(["m", "m"], [1.0, 2.0], [0], [US0, US0])
        with expect(ValidationError, "MetricData"):
            store.log_metric_columns("run", batch)
        assert store.get_metric_series("run", "m") == []

    def test_columns_unknown_run(self, store: TrackingStore) -> None:
        with pytest.raises(NotFoundError):
            store.log_metric_columns("missing", columns("m", [1.0]))
