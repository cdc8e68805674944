"""The store contract at the edges of its inputs, as reusable pytest tests.

Values at the top of the float range, datetimes at the ends of the calendar, crafted
page tokens and names taken twice: a store answers each with a correct result or with
the documented error naming the field, never with a database error, and never hands
out an entity that JSON cannot carry (NaN or infinity).

:class:`TrackingLimitsContract` calls only
:class:`~jupyter_mlstudio.store.base.TrackingStore` methods (it is part of
``TrackingContract``); :class:`RecordLimitsContract` covers the jobs, models and
endpoints of a :class:`~jupyter_mlstudio.store.base.MetadataStore` (part of
``StoreContract``). Both need a ``store`` fixture yielding a fresh, empty store.
"""

from __future__ import annotations

import base64
import json
import math
import sys
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

import pytest

from ..entities import (
    ContainerDefinition,
    DesiredVariant,
    Entity,
    JobKind,
    MetricPoint,
    ProductionVariant,
)
from ..exceptions import ConflictError, NotFoundError, ValidationError
from ..store.base import MetadataStore, TrackingStore
from .store_contract_jobs import make_job, variant
from .store_helpers import T0, expect

BIG = sys.float_info.max


def exact(values: Sequence[float]) -> tuple[float, float]:
    """The mean and population standard deviation, computed exactly, then rounded."""
    count = len(values)
    mean = sum(map(Fraction, values), Fraction(0)) / count
    variance = sum(((Fraction(v) - mean) ** 2 for v in values), Fraction(0)) / count
    with localcontext() as context:
        context.prec = 40
        std_dev = (Decimal(variance.numerator) / Decimal(variance.denominator)).sqrt()
    return float(mean), float(std_dev)


def close(got: float, want: float, scale: float) -> bool:
    """Equal up to rounding: relative to the value, or to the values' magnitude."""
    return math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12 * scale)


def assert_strict_json(entity: Entity) -> None:
    """The entity's API form is JSON without NaN or infinity."""
    json.dumps(entity.to_api(), allow_nan=False)


def point(value: float, step: int | None = None, second: int = 0) -> MetricPoint:
    return MetricPoint(
        metric_name="m", value=value, step=step, timestamp=T0 + timedelta(seconds=second)
    )


def token(body: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")


HUGE_SERIES = [
    [1e200, -1e200],
    [BIG, -BIG],
    [BIG, BIG, BIG],
    [1.5e308, -1.5e308, 1.5e308, 1e-300, -3.0],
    [1e-310, 3e-310, -2e-310],
]

# Bodies of crafted page tokens (with the scope of a listing added): each is refused.
CRAFTED_TOKENS: list[dict[str, Any]] = [
    {"k": "not a time", "i": 1},
    {"k": {"dt": "not-a-time"}, "i": 1},
    {"k": {"dt": 5}, "i": 1},
    {"k": {"dt": "2024-01-01T00:00:00+00:00"}, "i": 2**70},
    {"k": {"dt": "2024-01-01T00:00:00+00:00"}, "i": -(2**70)},
    {"k": {"dt": "2024-01-01T00:00:00+00:00"}, "i": 1.5},
    {"k": {"dt": "0001-01-01T00:00:00+01:00"}, "i": 1},
    {"k": "exp-1", "i": 2**63},
    {"k": "bad\x00name", "i": 1},
    {"k": "x" * 300, "i": 1},
    {"k": 12, "i": 1},
    {"k": None, "i": 1},
    {"k": ["exp-1"], "i": 1},
]


def key_of_another_type(scope: str) -> Any:
    """A sort key of the wrong type for the listing ``scope``: a time for a name-sorted
    listing, a name for the others (sorted by creation time)."""
    return {"dt": "2024-01-01T00:00:00+00:00"} if "/Name/" in scope else "exp-1"


def assert_conflicts_name_the_field(creations: Sequence[tuple[str, Callable[[], Any]]]) -> None:
    """Each creation succeeds once, then raises ConflictError naming its field.

    Args:
        creations: ``(field, create)`` pairs, run in order (a later one may need an
            earlier one's record).
    """
    for field, create in creations:
        create()
        with expect(ConflictError, field):
            create()


class TrackingLimitsContract:
    """Huge metric values, edge datetimes, crafted tokens of the tracking listings and
    the fields of conflicts, for any TrackingStore."""

    # -- metric values at the top of the float range ---------------------------------

    @pytest.mark.parametrize("values", HUGE_SERIES)
    @pytest.mark.parametrize("batch", [1, 2, 100])
    def test_summary_of_huge_values(
        self, store: TrackingStore, values: list[float], batch: int
    ) -> None:
        store.create_trial_component("run")
        logged = [point(v, i, i) for i, v in enumerate(values)]
        for start in range(0, len(logged), batch):
            store.log_metrics("run", logged[start : start + batch])
        run = store.get_trial_component("run")
        (summary,) = run.metrics
        want_mean, want_std = exact(values)
        scale = max(map(abs, values))
        assert close(summary.avg, want_mean, scale), (summary.avg, want_mean)
        assert close(summary.std_dev, want_std, scale), (summary.std_dev, want_std)
        assert (summary.count, summary.min, summary.max) == (len(values), min(values), max(values))
        assert_strict_json(run)
        for listed in store.list_trial_components().items:
            assert_strict_json(listed)

    def test_std_dev_of_two_opposite_values(self, store: TrackingStore) -> None:
        store.create_trial_component("run")
        store.log_metrics("run", [point(1e200), point(-1e200)])
        (summary,) = store.get_trial_component("run").metrics
        assert summary.avg == 0.0
        assert summary.std_dev == pytest.approx(1e200, rel=1e-15)

    @pytest.mark.parametrize("batch", [1, 7, 1000])
    def test_chart_of_huge_values(self, store: TrackingStore, batch: int) -> None:
        store.create_trial_component("run")
        values = [BIG if i % 3 else -1.5e308 for i in range(300)]
        values[40] = 1e-300
        logged = [point(v, i) for i, v in enumerate(values)]
        logged.append(point(BIG, 7))  # a second point at a step
        for start in range(0, len(logged), batch):
            store.log_metrics("run", logged[start : start + batch])
        for max_points, width in ((10, 64), (100, 16), (1000, 1)):
            series = store.get_metric_chart(["run"], "m", max_points=max_points)["run"]
            assert series.bucket_width == width
            assert_strict_json(series)
            groups: dict[int, list[float]] = {}
            for p in logged:
                assert p.step is not None
                groups.setdefault(p.step // width, []).append(p.value)
            wanted = [exact(groups[key])[0] for key in sorted(groups)]
            assert len(series.avg) == len(wanted)
            for got, want in zip(series.avg, wanted, strict=True):
                assert close(got, want, BIG), (got, want)

    def test_chart_merging_neighbour_buckets_of_huge_values(self, store: TrackingStore) -> None:
        store.create_trial_component("run")
        # Steps so far apart that even the coarsest buckets are too many: neighbours merge.
        store.log_metrics("run", [point(BIG, i * 2**40) for i in range(30)])
        series = store.get_metric_chart(["run"], "m", max_points=10)["run"]
        assert len(series.steps) == 10
        assert series.avg == [BIG] * 10
        assert_strict_json(series)

    def test_a_batch_over_thousands_of_stored_buckets(self, store: TrackingStore) -> None:
        store.create_trial_component("run")
        steps = [16 * i for i in range(6000)]  # one level-0 bucket per step
        first = [point(float(i), step) for i, step in enumerate(steps)]
        second = [point(2.0 * i, step, 1) for i, step in enumerate(steps)]
        store.log_metrics("run", first)
        store.log_metrics("run", second)  # merges into ~8,000 stored buckets
        for max_points, width in ((10_000, 16), (100, 1024)):
            series = store.get_metric_chart(["run"], "m", max_points=max_points)["run"]
            assert (series.exact, series.bucket_width) == (False, width)
            groups: dict[int, list[float]] = {}
            for p in first + second:
                assert p.step is not None
                groups.setdefault(p.step // width, []).append(p.value)
            assert series.count == [len(groups[key]) for key in sorted(groups)]
            for got, key in zip(series.avg, sorted(groups), strict=True):
                assert close(got, exact(groups[key])[0], 1.0), (got, key)

    # -- datetimes at the ends of the calendar -----------------------------------------

    @pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
    def test_metric_time_outside_utc_is_refused(self, store: TrackingStore, stamp: str) -> None:
        store.create_trial_component("run")
        bad = MetricPoint(metric_name="m", value=1.0, timestamp=datetime.fromisoformat(stamp))
        with expect(ValidationError, "MetricData[1].Timestamp"):
            store.log_metrics("run", [point(0.5), bad])
        assert store.get_metric_series("run", "m") == []

    @pytest.mark.parametrize("field", ["StartTime", "EndTime"])
    @pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
    def test_run_time_outside_utc_is_refused(
        self, store: TrackingStore, field: str, stamp: str
    ) -> None:
        value = datetime.fromisoformat(stamp)
        changes: dict[str, Any] = {{"StartTime": "start_time", "EndTime": "end_time"}[field]: value}
        store.create_trial_component("run")
        with expect(ValidationError, field):
            store.update_trial_component("run", **changes)
        if field == "StartTime":
            with expect(ValidationError, field):
                store.create_trial_component("run-2", start_time=value)

    def test_times_at_the_ends_of_utc_are_kept(self, store: TrackingStore) -> None:
        first = datetime.fromisoformat("0001-01-01T00:00:00-01:00")
        last = datetime.fromisoformat("9999-12-31T23:59:59+01:00")
        run = store.create_trial_component("run", start_time=first)
        run = store.update_trial_component("run", end_time=last)
        assert run.start_time == first
        assert run.end_time == last
        store.log_metrics("run", [MetricPoint(metric_name="m", value=1.0, timestamp=first)])
        store.log_metrics("run", [MetricPoint(metric_name="m", value=2.0, timestamp=last)])
        (summary,) = store.get_trial_component("run").metrics
        assert (summary.last, summary.time_stamp) == (2.0, last)

    # -- page tokens --------------------------------------------------------------

    def _tracking_listings(self, store: TrackingStore) -> dict[str, Callable[[str], Any]]:
        """Scope of each listing's tokens (descending, the default) → the listing."""
        return {
            "experiments/CreationTime/Descending": lambda t: store.list_experiments(next_token=t),
            "experiments/Name/Descending": lambda t: store.list_experiments(
                next_token=t, sort_by="Name"
            ),
            "trials/Descending": lambda t: store.list_trials(next_token=t),
            "trial-components/Descending": lambda t: store.list_trial_components(next_token=t),
        }

    @pytest.mark.parametrize("body", CRAFTED_TOKENS)
    def test_crafted_next_token_is_refused(
        self, store: TrackingStore, body: dict[str, Any]
    ) -> None:
        store.create_experiment("exp-1")
        store.create_trial("trial-1", "exp-1")
        store.create_trial_component("run-1")
        for scope, listing in self._tracking_listings(store).items():
            with expect(ValidationError, "NextToken"):
                listing(token({"s": scope, **body}))

    def test_next_token_with_a_key_of_another_type_is_refused(self, store: TrackingStore) -> None:
        store.create_experiment("exp-1")
        for scope, listing in self._tracking_listings(store).items():
            with expect(ValidationError, "NextToken"):
                listing(token({"s": scope, "k": key_of_another_type(scope), "i": 1}))

    def test_next_token_still_pages(self, store: TrackingStore) -> None:
        for i in range(3):
            store.create_experiment(f"exp-{i}")
        page = store.list_experiments(sort_by="Name", max_results=2)
        rest = store.list_experiments(sort_by="Name", max_results=2, next_token=page.next_token)
        assert [s.experiment_name for s in rest.items] == ["exp-0"]

    # -- the fields of conflicts and missing parents --------------------------------

    def test_conflicts_name_the_field(self, store: TrackingStore) -> None:
        creations: list[tuple[str, Callable[[], Any]]] = [
            ("ExperimentName", lambda: store.create_experiment("exp")),
            ("TrialName", lambda: store.create_trial("trial", "exp")),
            ("TrialComponentName", lambda: store.create_trial_component("run")),
        ]
        assert_conflicts_name_the_field(creations)

    def test_trial_in_a_missing_experiment_names_the_experiment(self, store: TrackingStore) -> None:
        with expect(NotFoundError, "ExperimentName"):
            store.create_trial("trial", "no-such-experiment")


class RecordLimitsContract:
    """Crafted tokens of the jobs listing, the fields of model and endpoint conflicts and
    non-finite numbers in job and endpoint records, for a MetadataStore."""

    # -- page tokens --------------------------------------------------------------

    @pytest.mark.parametrize("body", CRAFTED_TOKENS)
    def test_crafted_next_token_of_jobs_is_refused(
        self, store: MetadataStore, body: dict[str, Any]
    ) -> None:
        store.create_job(make_job("job-1"))
        with expect(ValidationError, "NextToken"):
            store.list_jobs(next_token=token({"s": "jobs/Descending", **body}))

    def test_next_token_of_jobs_with_a_key_of_another_type_is_refused(
        self, store: MetadataStore
    ) -> None:
        store.create_job(make_job("job-1"))
        scope = "jobs/Descending"
        with expect(ValidationError, "NextToken"):
            store.list_jobs(next_token=token({"s": scope, "k": key_of_another_type(scope), "i": 1}))

    # -- the fields of conflicts ----------------------------------------------------

    def test_conflicts_of_models_and_endpoints_name_the_field(self, store: MetadataStore) -> None:
        container = ContainerDefinition(image="img")
        assert_conflicts_name_the_field(
            [
                ("ModelName", lambda: store.create_model("model-a", container)),
                ("EndpointConfigName", lambda: store.create_endpoint_config("cfg", [variant()])),
                ("EndpointName", lambda: store.create_endpoint("ep", "cfg")),
            ]
        )

    # -- numbers that JSON cannot carry ----------------------------------------------

    @pytest.mark.parametrize("bad", [math.nan, math.inf])
    def test_non_finite_numbers_in_records_are_refused(
        self, store: MetadataStore, bad: float
    ) -> None:
        weighted = ProductionVariant(variant_name="v", model_name="m", initial_variant_weight=bad)
        with expect(ValidationError, "ProductionVariants[0].InitialVariantWeight"):
            store.create_endpoint_config("cfg", [weighted])
        with expect(ValidationError, "DataCaptureConfig"):
            store.create_endpoint_config("cfg", [variant()], data_capture_config={"x": bad})
        with expect(ValidationError, "Spec"):
            store.create_job(make_job("job-1", JobKind.TRAINING, spec={"x": [bad]}))
        store.create_job(make_job("job-2"))
        with expect(ValidationError, "Outputs"):
            store.update_job("job-2", outputs={"x": bad})
        store.create_endpoint_config("cfg", [variant()])
        store.create_endpoint("ep", "cfg")
        with expect(ValidationError, "DesiredVariants"):
            store.update_endpoint(
                "ep", desired_variants={"AllTraffic": DesiredVariant(desired_weight=bad)}
            )
        assert [c.endpoint_config_name for c in store.list_endpoint_configs().items] == ["cfg"]
