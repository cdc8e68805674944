"""The chart part of the tracking store contract, as reusable pytest tests.

:class:`StoreChartContract` is part of ``TrackingContract`` (and so of ``StoreContract``,
both in ``store_contract``); subclassed on its own, it needs a ``store`` fixture yielding
a fresh, empty :class:`~jupyter_mlstudio.store.base.TrackingStore`. Expected series are
computed here from the raw points, so any store that keeps downsampled series must agree
with a plain recomputation, whatever the batch order.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest

from ..entities import ChartSeries, MetricPoint
from ..exceptions import NotFoundError, ValidationError
from ..store.base import TrackingStore
from .store_helpers import T0, expect, points

WIDTHS = [16 * 4**level for level in range(10)]


def point(name: str, value: float, step: int | None, second: int = 0) -> MetricPoint:
    return MetricPoint(
        metric_name=name, value=value, step=step, timestamp=T0 + timedelta(seconds=second)
    )


def reference(
    logged: Sequence[tuple[int | None, float]], width: int
) -> list[tuple[int, int, float, float, float, float]]:
    """``(step, count, min, max, last, avg)`` per bucket of ``width`` steps, recomputed.

    ``logged`` is every point of the series in logging order; a point without a step
    counts at its sequence number. ``step`` is the greatest step of the bucket and
    ``last`` the value there (the later-logged point wins a tie).
    """
    buckets: dict[int, list[Any]] = {}
    for number, (step, value) in enumerate(logged):
        at = number if step is None else step
        b = buckets.setdefault(at // width, [at, [], value])
        b[1].append(value)
        if at >= b[0]:
            b[0], b[2] = at, value
    return [
        (b[0], len(b[1]), min(b[1]), max(b[1]), b[2], math.fsum(b[1]) / len(b[1]))
        for _, b in sorted(buckets.items())
    ]


def columns(series: ChartSeries) -> list[tuple[int, int, float, float, float, float]]:
    return list(
        zip(
            series.steps,
            series.count,
            series.min,
            series.max,
            series.last,
            series.avg,
            strict=True,
        )
    )


def assert_matches(series: ChartSeries, expected: list[Any]) -> None:
    got = columns(series)
    assert [g[:5] for g in got] == [e[:5] for e in expected]
    for g, e in zip(got, expected, strict=True):
        assert g[5] == pytest.approx(e[5], rel=1e-12, abs=1e-12)


class StoreChartContract:
    """Chart data: exact short series, bucketed long ones, run selection, errors."""

    def test_short_series_is_exact(self, store: TrackingStore) -> None:
        store.create_trial_component("run")
        batch = [point("loss", 0.3, 3), point("loss", 0.1, 1), point("loss", 0.2, 2)]
        batch += [point("loss", 0.5, 2, 1), point("acc", 0.9, 1)]
        store.log_metrics("run", batch)
        chart = store.get_metric_chart(["run"], "loss")
        assert list(chart) == ["run"]
        series = chart["run"]
        assert series.exact
        assert series.bucket_width == 1
        assert series.point_count == 4
        assert series.metric_name == "loss"
        assert series.trial_component_name == "run"
        assert_matches(series, reference([(3, 0.3), (1, 0.1), (2, 0.2), (2, 0.5)], 1))
        assert series.last == [0.1, 0.5, 0.3]
        api = series.to_api()
        assert set(api) >= {"TrialComponentName", "Steps", "Min", "Max", "Last", "Avg", "Exact"}

    def test_long_series_comes_from_buckets(self, store: TrackingStore) -> None:
        store.create_trial_component("run")
        rng = random.Random(7)
        logged = [(step, rng.uniform(-5, 5)) for step in range(3000)]
        # Out of order, in uneven batches, with a step logged twice.
        shuffled = logged[:]
        rng.shuffle(shuffled)
        shuffled.append((1500, 42.0))
        start = 0
        for size in (1, 7, 500, 1234, 10, 2000):
            chunk = shuffled[start : start + size]
            store.log_metrics("run", [point("loss", v, s) for s, v in chunk])
            start += size
        assert start >= len(shuffled)
        for max_points, width in ((200, 16), (1000, 16), (100, 64), (10, 1024)):
            series = store.get_metric_chart(["run"], "loss", max_points=max_points)["run"]
            assert not series.exact
            assert series.point_count == 3001
            assert series.bucket_width == width, max_points
            assert len(series.steps) <= max_points
            assert_matches(series, reference(shuffled, width))
        assert store.get_metric_chart(["run"], "loss", max_points=5000)["run"].exact

    def test_points_without_step_use_their_sequence_number(self, store: TrackingStore) -> None:
        store.create_trial_component("run")
        logged: list[tuple[int | None, float]] = [(None, float(i)) for i in range(30)]
        logged += [(100, 7.0), (None, -1.0)]  # the last one is point number 31
        store.log_metrics("run", [point("m", v, s) for s, v in logged[:5]])
        store.log_metrics("run", [point("m", v, s) for s, v in logged[5:]])
        exact = store.get_metric_chart(["run"], "m", max_points=100)["run"]
        assert exact.steps == [*range(30), 31, 100]
        assert_matches(exact, reference(logged, 1))
        bucketed = store.get_metric_chart(["run"], "m", max_points=10)["run"]
        assert bucketed.bucket_width == 16
        assert_matches(bucketed, reference(logged, 16))

    def test_negative_steps_are_refused_and_huge_steps_kept(self, store: TrackingStore) -> None:
        store.create_trial_component("run")
        logged: list[tuple[int | None, float]] = [(s, float(s % 13)) for s in range(0, 80)]
        with expect(ValidationError, "MetricData[1].Step"):
            store.log_metrics("run", [point("m", 1.0, 0), point("m", 2.0, -1)])
        store.log_metrics("run", [point("m", v, s) for s, v in logged])
        series = store.get_metric_chart(["run"], "m", max_points=10)["run"]
        assert_matches(series, reference(logged, 16))
        # Steps far apart: even the coarsest level has too many buckets; neighbours merge.
        store.create_trial_component("sparse")
        far = [(i * 10**8, float(i)) for i in range(600)]
        store.log_metrics("sparse", [point("m", v, s) for s, v in far])
        merged = store.get_metric_chart(["sparse"], "m", max_points=100)["sparse"]
        assert len(merged.steps) == 100
        assert sum(merged.count) == 600
        assert merged.steps[-1] == 599 * 10**8
        assert merged.last[-1] == 599.0
        assert (min(merged.min), max(merged.max)) == (0.0, 599.0)
        assert merged.bucket_width == WIDTHS[-1] * 6

    @pytest.mark.parametrize(
        "fields",
        [
            ["Last"],
            ["Avg"],
            ["Count"],
            ["Min", "Max"],
            ["Last", "Avg"],
            ["Max", "Count", "Avg", "Min"],
            ["Last", "Last"],
            [],
        ],
    )
    def test_fields_fill_only_their_columns(self, store: TrackingStore, fields: list[str]) -> None:
        """Each asked column equals the all-columns answer's; the others come back empty,
        for exact series, bucketed ones and ones merged beyond the coarsest level."""
        rng = random.Random(11)
        logged: dict[str, Sequence[tuple[int | None, float]]] = {
            "short": [(s % 7, rng.uniform(-1, 1)) for s in range(40)],  # exact, steps repeat
            "long": [(s, rng.uniform(-5, 5)) for s in range(3000)] + [(1500, 42.0)],
            # one bucket a point (two for every 7th) even at the coarsest level: merged
            "sparse": [(i * 10**8, rng.uniform(0, 9)) for i in range(600)]
            + [(i * 10**8 + 1, rng.uniform(0, 9)) for i in range(0, 600, 7)],
            "unstepped": [(None, rng.uniform(0, 1)) for _ in range(500)],
        }
        for name, values in logged.items():
            store.create_trial_component(name)
            store.log_metrics(name, [point("m", v, s) for s, v in values])
        attributes = {"Min": "min", "Max": "max", "Last": "last", "Avg": "avg", "Count": "count"}
        for max_points in (100, 10, 1000):
            whole = store.get_metric_chart(list(logged), "m", max_points=max_points)
            some = store.get_metric_chart(list(logged), "m", max_points=max_points, fields=fields)
            assert list(some) == list(whole)
            if max_points == 100:
                assert [whole[n].exact for n in logged] == [True, False, False, False]
                # The coarsest level has 600 buckets of "sparse", merged six by six.
                assert whole["sparse"].bucket_width == WIDTHS[-1] * 6
                assert_matches(whole["sparse"], reference(logged["sparse"], 6 * 10**8))
            for name, series in some.items():
                full = whole[name]
                assert series.steps == full.steps
                assert (series.exact, series.bucket_width, series.point_count) == (
                    full.exact,
                    full.bucket_width,
                    full.point_count,
                )
                for api, attribute in attributes.items():
                    got = getattr(series, attribute)
                    assert got == (getattr(full, attribute) if api in fields else []), (
                        name,
                        max_points,
                        api,
                    )
                assert series.to_api()["Steps"] == full.to_api()["Steps"]

    def test_unknown_field_is_refused(self, store: TrackingStore) -> None:
        store.create_trial_component("run")
        store.log_metrics("run", points("loss", [1.0, 2.0]))
        with expect(ValidationError, "Fields[1]"):
            store.get_metric_chart(["run"], "loss", fields=["Last", "Steps"])
        assert store.get_metric_chart(["run"], "loss", fields="Last")["run"].last == [1.0, 2.0]

    def test_runs_of_an_experiment_and_named_runs(self, store: TrackingStore) -> None:
        store.create_experiment("exp")
        store.create_trial("trial-1", "exp")
        store.create_trial("trial-2", "exp")
        for name, trial in (("b-run", "trial-1"), ("a-run", "trial-2"), ("c-run", "trial-1")):
            store.create_trial_component(name)
            store.associate_trial_component(name, trial)
        store.associate_trial_component("a-run", "trial-1")  # in two trials: listed once
        store.create_trial_component("outside")
        for name in ("a-run", "b-run", "outside"):
            store.log_metrics(name, points("loss", [1.0, 2.0]))
        store.log_metrics("c-run", points("acc", [0.5]))
        chart = store.get_metric_chart([], "loss", experiment_name="exp")
        assert list(chart) == ["a-run", "b-run"]  # c-run has no loss
        chart = store.get_metric_chart(["outside", "b-run"], "loss", experiment_name="exp")
        assert list(chart) == ["outside", "b-run", "a-run"]
        assert store.get_metric_chart([], "loss") == {}
        assert store.get_metric_chart(["c-run"], "loss") == {}
        assert store.list_metric_names(experiment_name="exp") == ["acc", "loss"]
        assert store.list_metric_names(["outside"]) == ["loss"]
        assert store.list_metric_names() == []

    def test_deleted_run_leaves_no_chart(self, store: TrackingStore) -> None:
        store.create_trial_component("run")
        store.log_metrics("run", points("loss", [float(i) for i in range(100)]))
        store.delete_trial_component("run")
        store.create_trial_component("run")
        store.log_metrics("run", points("loss", [5.0] * 20))
        series = store.get_metric_chart(["run"], "loss", max_points=10)["run"]
        assert series.point_count == 20
        assert sum(series.count) == 20
        assert set(series.max) == {5.0}

    @pytest.mark.parametrize("max_points", [0, 9, 10_001, 1.5, True])
    def test_max_points_range(self, store: TrackingStore, max_points: Any) -> None:
        store.create_trial_component("run")
        with expect(ValidationError, "MaxPoints"):
            store.get_metric_chart(["run"], "loss", max_points=max_points)

    def test_chart_errors(self, store: TrackingStore) -> None:
        store.create_trial_component("run")
        with expect(NotFoundError):
            store.get_metric_chart(["run", "missing"], "loss")
        with expect(NotFoundError):
            store.get_metric_chart([], "loss", experiment_name="missing")
        with expect(NotFoundError):
            store.list_metric_names(experiment_name="missing")
        with expect(ValidationError, "TrialComponentName"):
            store.get_metric_chart(["bad name"], "loss")
        with expect(ValidationError, "TrialComponentName"):
            store.get_metric_chart([f"run-{i}" for i in range(1001)], "loss")
        with expect(ValidationError, "MetricName"):
            store.get_metric_chart(["run"], "")
        with expect(ValidationError, "MetricName"):
            store.get_metric_chart(["run"], "x" * 256)
