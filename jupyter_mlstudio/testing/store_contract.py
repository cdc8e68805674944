"""The metadata store contract as reusable pytest tests.

Two suites, by what the store implements (``jupyter_mlstudio.store.base``):

* :class:`TrackingContract`: what every
  :class:`~jupyter_mlstudio.store.base.TrackingStore` passes (experiments, trials, trial
  components, metrics and chart data: :class:`RunsContract`, ``StoreChartContract`` of
  ``store_contract_charts``, ``TrackingLimitsContract`` of ``store_contract_limits`` and
  ``MetricColumnsContract`` of ``store_contract_columns``);
* :class:`StoreContract`: what every :class:`~jupyter_mlstudio.store.base.MetadataStore`
  passes: the tracking suite plus jobs, models and endpoints (``JobsEndpointsContract``
  of ``store_contract_jobs``, ``RecordLimitsContract`` of ``store_contract_limits``).

A new backend subclasses the suite of its interface in a test module and provides a
``store`` fixture that yields a fresh, empty store of that kind::

    class TestMyStore(StoreContract):  # a MetadataStore
        pass


    class TestMyTrackingStore(TrackingContract):  # a TrackingStore only
        pass

The parts can be subclassed on their own too (a test module per part, as this
repository's own tests do). Every implementation passes its suite before it is used.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Any

import pydantic
import pytest

from ..entities import (
    MetricPoint,
    TrialComponentArtifact,
    TrialComponentPrimaryStatus,
    TrialComponentSource,
)
from ..exceptions import ConflictError, NotFoundError, ValidationError
from ..store.base import TrackingStore
from .store_contract_charts import StoreChartContract
from .store_contract_columns import MetricColumnsContract
from .store_contract_jobs import JobsEndpointsContract, make_job, variant
from .store_contract_limits import RecordLimitsContract, TrackingLimitsContract
from .store_contract_monitoring import MonitoringContract
from .store_contract_pipelines import PipelineContract
from .store_contract_registry import RegistryContract
from .store_helpers import T0, assert_aware, expect, points

__all__ = [
    "T0",
    "RunsContract",
    "StoreContract",
    "TrackingContract",
    "assert_aware",
    "expect",
    "make_job",
    "points",
    "variant",
]


class RunsContract:
    """Experiments, trials, trial components and metrics: TrackingStore methods only."""

    # -- lifecycle ---------------------------------------------------------------

    def test_health(self, store: TrackingStore) -> None:
        health = store.health()
        assert health.ok, health.detail
        assert health.schema_revision is not None
        assert health.schema_revision == health.head_revision

    def test_health_after_close_does_not_raise(self, store: TrackingStore) -> None:
        store.close()
        health = store.health()
        assert not health.ok
        assert health.detail

    # -- experiments -------------------------------------------------------------

    def test_create_and_get_experiment(self, store: TrackingStore) -> None:
        created = store.create_experiment(
            "exp-1", display_name="Exp one", description="d", tags={"team": "vision"}
        )
        got = store.get_experiment("exp-1")
        assert got == created
        assert got.display_name == "Exp one"
        assert got.description == "d"
        assert got.tags == {"team": "vision"}
        assert_aware(got.creation_time)
        assert_aware(got.last_modified_time)

    def test_entities_are_frozen(self, store: TrackingStore) -> None:
        experiment = store.create_experiment("exp-1")
        run = store.create_trial_component("run-1", parameters={"lr": 0.1})
        for entity, attr in ((experiment, "display_name"), (run, "display_name")):
            with pytest.raises(pydantic.ValidationError):
                setattr(entity, attr, "changed")

    def test_experiment_name_conflict(self, store: TrackingStore) -> None:
        store.create_experiment("exp-1")
        with pytest.raises(ConflictError):
            store.create_experiment("exp-1")

    @pytest.mark.parametrize("name", ["", "has space", "-lead", "trail-", "x" * 121, "under_score"])
    def test_experiment_name_invalid(self, store: TrackingStore, name: str) -> None:
        with expect(ValidationError, "ExperimentName"):
            store.create_experiment(name)

    def test_experiment_name_max_length(self, store: TrackingStore) -> None:
        assert store.create_experiment("x" * 120).experiment_name == "x" * 120

    def test_experiment_not_found(self, store: TrackingStore) -> None:
        with pytest.raises(NotFoundError):
            store.get_experiment("missing")
        with pytest.raises(NotFoundError):
            store.update_experiment("missing", description="x")
        with pytest.raises(NotFoundError):
            store.delete_experiment("missing")

    def test_update_experiment_changes_given_fields_only(self, store: TrackingStore) -> None:
        created = store.create_experiment("exp-1", display_name="A", description="B")
        updated = store.update_experiment("exp-1", description="C")
        assert updated.display_name == "A"
        assert updated.description == "C"
        assert updated.last_modified_time >= created.last_modified_time
        cleared = store.update_experiment("exp-1", display_name=None)
        assert cleared.display_name is None
        assert cleared.description == "C"

    def test_invalid_tags(self, store: TrackingStore) -> None:
        with expect(ValidationError, "Tags"):
            store.create_experiment("exp-1", tags={"": "v"})
        with expect(ValidationError, "Tags"):
            store.create_experiment("exp-1", tags={"k": "v" * 257})

    def test_list_experiments_counts(self, store: TrackingStore) -> None:
        store.create_experiment("exp-a")
        store.create_experiment("exp-b")
        store.create_trial("t1", "exp-a")
        store.create_trial("t2", "exp-a")
        for name in ("r1", "r2", "r3"):
            store.create_trial_component(name)
        store.associate_trial_component("r1", "t1")
        store.associate_trial_component("r2", "t1")
        store.associate_trial_component("r2", "t2")  # counted once
        summaries = {s.experiment_name: s for s in store.list_experiments().items}
        assert summaries["exp-a"].trial_count == 2
        assert summaries["exp-a"].trial_component_count == 2
        assert summaries["exp-b"].trial_count == 0
        assert summaries["exp-b"].trial_component_count == 0

    def test_list_experiments_filters(self, store: TrackingStore) -> None:
        store.create_experiment("Vision-Exp", tags={"team": "cv"})
        store.create_experiment("nlp-exp", tags={"team": "nlp"})
        store.create_experiment("other", tags={"owner": "me"})
        names = lambda page: sorted(s.experiment_name for s in page.items)  # noqa: E731
        assert names(store.list_experiments(name_contains="EXP")) == ["Vision-Exp", "nlp-exp"]
        assert names(store.list_experiments(name_contains="vision")) == ["Vision-Exp"]
        assert names(store.list_experiments(name_contains="%")) == []
        assert names(store.list_experiments(tag=("team", None))) == ["Vision-Exp", "nlp-exp"]
        assert names(store.list_experiments(tag=("team", "nlp"))) == ["nlp-exp"]
        assert names(store.list_experiments(tag=("missing", None))) == []

    def test_list_experiments_sorting(self, store: TrackingStore) -> None:
        for name in ("b-exp", "c-exp", "a-exp"):
            store.create_experiment(name)
        by = lambda **kw: [s.experiment_name for s in store.list_experiments(**kw).items]  # noqa: E731
        assert by(sort_by="Name", sort_order="Ascending") == ["a-exp", "b-exp", "c-exp"]
        assert by(sort_by="Name", sort_order="Descending") == ["c-exp", "b-exp", "a-exp"]
        assert by(sort_by="CreationTime", sort_order="Ascending") == ["b-exp", "c-exp", "a-exp"]
        assert by() == ["a-exp", "c-exp", "b-exp"]  # newest first by default

    @pytest.mark.parametrize("sort_by", ["Name", "CreationTime"])
    @pytest.mark.parametrize("sort_order", ["Ascending", "Descending"])
    def test_list_experiments_paging(
        self, store: TrackingStore, sort_by: Any, sort_order: Any
    ) -> None:
        for i in range(7):
            store.create_experiment(f"exp-{i}")
        seen: list[str] = []
        token = None
        pages = 0
        while True:
            page = store.list_experiments(
                sort_by=sort_by, sort_order=sort_order, max_results=3, next_token=token
            )
            seen += [s.experiment_name for s in page.items]
            pages += 1
            token = page.next_token
            if token is None:
                break
        assert pages == 3
        expected = [f"exp-{i}" for i in range(7)]
        assert seen == (expected if sort_order == "Ascending" else expected[::-1])

    def test_paging_is_stable_under_inserts(self, store: TrackingStore) -> None:
        for i in range(4):
            store.create_experiment(f"exp-{i}")
        first = store.list_experiments(max_results=2)  # newest first: exp-3, exp-2
        store.create_experiment("exp-new")
        second = store.list_experiments(max_results=2, next_token=first.next_token)
        assert [s.experiment_name for s in first.items] == ["exp-3", "exp-2"]
        assert [s.experiment_name for s in second.items] == ["exp-1", "exp-0"]

    @pytest.mark.parametrize("token", ["garbage!", "eyJ4IjoxfQ", "", "bm90IGpzb24"])
    def test_malformed_next_token(self, store: TrackingStore, token: str) -> None:
        with expect(ValidationError, "NextToken"):
            store.list_experiments(next_token=token)

    def test_next_token_of_another_listing(self, store: TrackingStore) -> None:
        for i in range(3):
            store.create_experiment(f"exp-{i}")
        token = store.list_experiments(max_results=1, sort_by="Name").next_token
        with expect(ValidationError, "NextToken"):
            store.list_experiments(next_token=token, sort_by="CreationTime")
        with expect(ValidationError, "NextToken"):
            store.list_trials(next_token=token)

    @pytest.mark.parametrize("max_results", [0, -1, 1001, True])
    def test_max_results_range(self, store: TrackingStore, max_results: int) -> None:
        for call in (store.list_experiments, store.list_trials, store.list_trial_components):
            with expect(ValidationError, "MaxResults"):
                call(max_results=max_results)

    def test_max_results_bounds_accepted(self, store: TrackingStore) -> None:
        store.create_experiment("exp-1")
        assert len(store.list_experiments(max_results=1).items) == 1
        assert len(store.list_experiments(max_results=1000).items) == 1

    def test_delete_experiment_cascade(self, store: TrackingStore) -> None:
        store.create_experiment("exp-a")
        store.create_experiment("exp-b")
        store.create_trial("ta", "exp-a")
        store.create_trial("tb", "exp-b")
        for name in ("only-a", "shared", "loose"):
            store.create_trial_component(name)
        store.log_metrics("only-a", points("loss", [1.0, 2.0]))
        store.associate_trial_component("only-a", "ta")
        store.associate_trial_component("shared", "ta")
        store.associate_trial_component("shared", "tb")
        store.delete_experiment("exp-a")
        with pytest.raises(NotFoundError):
            store.get_experiment("exp-a")
        with pytest.raises(NotFoundError):
            store.get_trial("ta")
        with pytest.raises(NotFoundError):
            store.get_trial_component("only-a")
        with pytest.raises(NotFoundError):
            store.get_metric_series("only-a", "loss")
        assert store.get_trial_component("shared").trial_names == ["tb"]
        assert store.get_trial_component("loose").trial_names == []
        assert store.get_trial("tb").experiment_name == "exp-b"
        # The name is free again, with nothing left behind.
        store.create_experiment("exp-a")
        store.create_trial_component("only-a")
        assert store.get_metric_series("only-a", "loss") == []

    # -- trials ------------------------------------------------------------------

    def test_trials(self, store: TrackingStore) -> None:
        store.create_experiment("exp-1")
        trial = store.create_trial("trial-1", "exp-1", display_name="T", tags={"k": "v"})
        assert trial.experiment_name == "exp-1"
        assert store.get_trial("trial-1") == trial
        assert_aware(trial.creation_time)
        with pytest.raises(ConflictError):
            store.create_trial("trial-1", "exp-1")
        with pytest.raises(NotFoundError):
            store.create_trial("trial-2", "missing")
        with expect(ValidationError, "TrialName"):
            store.create_trial("bad name", "exp-1")
        with pytest.raises(NotFoundError):
            store.get_trial("missing")

    def test_update_missing_trial(self, store: TrackingStore) -> None:
        with pytest.raises(NotFoundError):
            store.update_trial("missing", display_name="x")

    def test_update_trial_changes_given_field_only(self, store: TrackingStore) -> None:
        store.create_experiment("exp-1")
        created = store.create_trial("trial-1", "exp-1", display_name="A", tags={"k": "v"})
        renamed = store.update_trial("trial-1", display_name="B")
        assert renamed.display_name == "B"
        assert (renamed.experiment_name, renamed.tags) == ("exp-1", {"k": "v"})
        assert renamed.creation_time == created.creation_time
        assert renamed.last_modified_time >= created.last_modified_time
        assert store.get_trial("trial-1") == renamed
        assert store.update_trial("trial-1").display_name == "B"
        with expect(ValidationError, "DisplayName"):
            store.update_trial("trial-1", display_name="x" * 121)
        assert store.get_trial("trial-1").display_name == "B"

    def test_update_trial_none_clears_display_name(self, store: TrackingStore) -> None:
        store.create_experiment("exp-1")
        store.create_trial("trial-1", "exp-1", display_name="A")
        assert store.update_trial("trial-1", display_name=None).display_name is None
        assert store.get_trial("trial-1").display_name is None

    def test_list_trials(self, store: TrackingStore) -> None:
        store.create_experiment("exp-1")
        store.create_experiment("exp-2")
        for i in range(5):
            store.create_trial(f"t{i}", "exp-1")
        store.create_trial("other", "exp-2")
        store.create_trial_component("run")
        store.associate_trial_component("run", "t1")
        store.associate_trial_component("run", "other")
        page1 = store.list_trials(experiment_name="exp-1", max_results=3, sort_order="Ascending")
        page2 = store.list_trials(
            experiment_name="exp-1",
            max_results=3,
            sort_order="Ascending",
            next_token=page1.next_token,
        )
        assert [t.trial_name for t in page1.items + page2.items] == [f"t{i}" for i in range(5)]
        assert page2.next_token is None
        assert sorted(
            t.trial_name for t in store.list_trials(trial_component_name="run").items
        ) == [
            "other",
            "t1",
        ]
        assert len(store.list_trials().items) == 6
        with pytest.raises(NotFoundError):
            store.list_trials(experiment_name="missing")

    def test_delete_trial_keeps_components(self, store: TrackingStore) -> None:
        store.create_experiment("exp-1")
        store.create_trial("t1", "exp-1")
        store.create_trial_component("run")
        store.associate_trial_component("run", "t1")
        store.delete_trial("t1")
        with pytest.raises(NotFoundError):
            store.get_trial("t1")
        assert store.get_trial_component("run").trial_names == []
        with pytest.raises(NotFoundError):
            store.delete_trial("t1")

    # -- trial components ----------------------------------------------------------

    def test_create_trial_component_full(self, store: TrackingStore) -> None:
        start = datetime(2024, 1, 2, 3, 4, 5, 678, tzinfo=timezone(timedelta(hours=2)))
        run = store.create_trial_component(
            "run-1",
            display_name="Run 1",
            status=TrialComponentPrimaryStatus.COMPLETED,
            status_message="done",
            start_time=start,
            end_time=start + timedelta(minutes=5),
            parameters={"lr": 0.01, "epochs": 10, "optimizer": "adam"},
            input_artifacts={
                "train": TrialComponentArtifact(value="s3://b/train", media_type="text/csv")
            },
            output_artifacts={"model": TrialComponentArtifact(value="file:///m.tar.gz")},
            source=TrialComponentSource(source_arn="arn:job/x", source_type="TrainingJob"),
            tags={"k": "v"},
        )
        assert store.get_trial_component("run-1") == run
        assert run.status.primary_status is TrialComponentPrimaryStatus.COMPLETED
        assert run.status.message == "done"
        assert run.start_time == start
        assert_aware(run.start_time)
        assert run.parameters == {"lr": 0.01, "epochs": 10.0, "optimizer": "adam"}
        assert run.input_artifacts["train"].media_type == "text/csv"
        assert run.output_artifacts["model"].value == "file:///m.tar.gz"
        assert run.source is not None
        assert run.source.source_arn == "arn:job/x"
        assert run.metrics == []
        assert run.tags == {"k": "v"}

    def test_trial_component_errors(self, store: TrackingStore) -> None:
        store.create_trial_component("run-1")
        with pytest.raises(ConflictError):
            store.create_trial_component("run-1")
        with expect(ValidationError, "TrialComponentName"):
            store.create_trial_component("x" * 121)
        for missing in (
            lambda: store.get_trial_component("missing"),
            lambda: store.update_trial_component("missing", display_name="x"),
            lambda: store.delete_trial_component("missing"),
            lambda: store.log_metrics("missing", points("m", [1.0])),
            lambda: store.get_metric_series("missing", "m"),
        ):
            with pytest.raises(NotFoundError):
                missing()

    @pytest.mark.parametrize(
        "value", [math.nan, math.inf, -math.inf, True, None, [1], {"a": 1}], ids=repr
    )
    def test_parameter_values_refused(self, store: TrackingStore, value: Any) -> None:
        with expect(ValidationError, "Parameters.p"):
            store.create_trial_component("run-1", parameters={"p": value})
        with pytest.raises(NotFoundError):
            store.get_trial_component("run-1")  # nothing half-written

    def test_update_trial_component_merges(self, store: TrackingStore) -> None:
        store.create_trial_component(
            "run-1",
            parameters={"a": 1, "b": "x", "c": 3},
            input_artifacts={"in": TrialComponentArtifact(value="file:///in")},
            status_message="starting",
        )
        end = T0 + timedelta(hours=1)
        run = store.update_trial_component(
            "run-1",
            status=TrialComponentPrimaryStatus.FAILED,
            end_time=end,
            parameters={"b": "y", "d": 4.5},
            parameters_to_remove=["c"],
            output_artifacts={"out": TrialComponentArtifact(value="file:///out")},
        )
        assert run.parameters == {"a": 1.0, "b": "y", "d": 4.5}
        assert set(run.input_artifacts) == {"in"}
        assert set(run.output_artifacts) == {"out"}
        assert run.status.primary_status is TrialComponentPrimaryStatus.FAILED
        assert run.status.message == "starting"  # unset fields stay
        assert run.end_time == end
        assert store.get_trial_component("run-1") == run
        cleared = store.update_trial_component("run-1", end_time=None, status_message=None)
        assert cleared.end_time is None
        assert cleared.status.message is None
        with expect(ValidationError, "Parameters.z"):
            store.update_trial_component("run-1", parameters={"z": math.nan})

    def test_associations(self, store: TrackingStore) -> None:
        store.create_experiment("exp-1")
        store.create_trial("t1", "exp-1")
        store.create_trial("t2", "exp-1")
        store.create_trial_component("run")
        store.associate_trial_component("run", "t1")
        store.associate_trial_component("run", "t1")  # idempotent
        store.associate_trial_component("run", "t2")
        assert store.get_trial_component("run").trial_names == ["t1", "t2"]
        store.disassociate_trial_component("run", "t1")
        store.disassociate_trial_component("run", "t1")  # idempotent
        assert store.get_trial_component("run").trial_names == ["t2"]
        with pytest.raises(NotFoundError):
            store.associate_trial_component("run", "missing")
        with pytest.raises(NotFoundError):
            store.associate_trial_component("missing", "t1")
        with pytest.raises(NotFoundError):
            store.disassociate_trial_component("run", "missing")
        with pytest.raises(NotFoundError):
            store.disassociate_trial_component("missing", "t2")

    def test_list_trial_components(self, store: TrackingStore) -> None:
        store.create_experiment("exp-1")
        store.create_experiment("exp-2")
        store.create_trial("t1", "exp-1")
        store.create_trial("t2", "exp-1")
        store.create_trial("t3", "exp-2")
        for i in range(5):
            store.create_trial_component(f"run-{i}", parameters={"i": i})
            store.log_metrics(f"run-{i}", points("loss", [float(i), float(i + 1)]))
        store.associate_trial_component("run-0", "t1")
        store.associate_trial_component("run-1", "t2")
        store.associate_trial_component("run-1", "t1")
        store.associate_trial_component("run-2", "t3")
        store.create_trial_component(
            "run-src",
            source=TrialComponentSource(source_arn="arn:x"),
            status=TrialComponentPrimaryStatus.COMPLETED,
        )
        runs = store.list_trial_components(experiment_name="exp-1", sort_order="Ascending").items
        assert [r.trial_component_name for r in runs] == ["run-0", "run-1"]
        assert runs[1].parameters == {"i": 1.0}
        assert runs[1].trial_names == ["t1", "t2"]
        assert [(m.metric_name, m.count, m.max) for m in runs[1].metrics] == [("loss", 2, 2.0)]
        by_trial = store.list_trial_components(trial_name="t3").items
        assert [r.trial_component_name for r in by_trial] == ["run-2"]
        by_source = store.list_trial_components(source_arn="arn:x").items
        assert [r.trial_component_name for r in by_source] == ["run-src"]
        done = store.list_trial_components(status=TrialComponentPrimaryStatus.COMPLETED).items
        assert [r.trial_component_name for r in done] == ["run-src"]
        names: list[str] = []
        token = None
        while True:
            page = store.list_trial_components(max_results=2, next_token=token)
            names += [r.trial_component_name for r in page.items]
            token = page.next_token
            if token is None:
                break
        assert names == ["run-src", "run-4", "run-3", "run-2", "run-1", "run-0"]
        with pytest.raises(NotFoundError):
            store.list_trial_components(experiment_name="missing")

    def test_delete_trial_component(self, store: TrackingStore) -> None:
        store.create_experiment("exp-1")
        store.create_trial("t1", "exp-1")
        store.create_trial_component("run")
        store.associate_trial_component("run", "t1")
        store.log_metrics("run", points("m", [1.0]))
        store.delete_trial_component("run")
        with pytest.raises(NotFoundError):
            store.get_trial_component("run")
        assert store.list_experiments().items[0].trial_component_count == 0
        store.create_trial_component("run")
        assert store.get_trial_component("run").metrics == []

    # -- metrics -----------------------------------------------------------------

    def test_metric_summary_exact(self, store: TrackingStore) -> None:
        store.create_trial_component("run")
        values = [float(v) for v in range(1, 11)]
        store.log_metrics("run", points("acc", values[:3]))
        store.log_metrics("run", points("acc", values[3:4], start=3))
        store.log_metrics("run", points("acc", values[4:], start=4))
        (summary,) = store.get_trial_component("run").metrics
        assert summary.metric_name == "acc"
        assert summary.count == 10
        assert summary.min == 1.0
        assert summary.max == 10.0
        assert summary.last == 10.0
        assert summary.avg == pytest.approx(5.5, rel=1e-12)
        assert summary.std_dev == pytest.approx(math.sqrt(8.25), rel=1e-12)
        assert summary.time_stamp == T0 + timedelta(seconds=9)
        assert_aware(summary.time_stamp)

    def test_metric_last_is_latest_timestamp(self, store: TrackingStore) -> None:
        store.create_trial_component("run")
        store.log_metrics("run", points("m", [5.0], start=10))
        store.log_metrics("run", points("m", [7.0], start=2))  # an older point, logged late
        (summary,) = store.get_trial_component("run").metrics
        assert summary.last == 5.0
        assert summary.time_stamp == T0 + timedelta(seconds=10)

    def test_metric_series(self, store: TrackingStore) -> None:
        store.create_trial_component("run")
        batch = [
            MetricPoint(metric_name="loss", value=0.3, step=3, timestamp=T0),
            MetricPoint(metric_name="loss", value=0.1, step=1, timestamp=T0),
            MetricPoint(metric_name="acc", value=0.9, step=1, timestamp=T0),
            MetricPoint(metric_name="loss", value=0.2, step=2, timestamp=T0.replace(tzinfo=None)),
        ]
        store.log_metrics("run", batch)
        series = store.get_metric_series("run", "loss")
        assert [(p.step, p.value) for p in series] == [(1, 0.1), (2, 0.2), (3, 0.3)]
        for point in series:
            assert point.timestamp == T0  # naive input counts as UTC
            assert_aware(point.timestamp)
        assert [m.metric_name for m in store.get_trial_component("run").metrics] == ["acc", "loss"]
        assert store.get_metric_series("run", "missing") == []
        store.log_metrics("run", [])  # nothing to do

    @pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
    def test_metric_non_finite_refused(self, store: TrackingStore, bad: float) -> None:
        store.create_trial_component("run")
        batch = points("m", [1.0, 2.0, bad, 4.0])
        with expect(ValidationError, "MetricData[2].Value"):
            store.log_metrics("run", batch)
        assert store.get_metric_series("run", "m") == []
        assert store.get_trial_component("run").metrics == []

    def test_metric_name_refused(self, store: TrackingStore) -> None:
        store.create_trial_component("run")
        batch = points("m", [1.0]) + points("x" * 256, [2.0])
        with expect(ValidationError, "MetricData[1].MetricName"):
            store.log_metrics("run", batch)
        assert store.get_metric_series("run", "m") == []
        store.log_metrics("run", points("x" * 255, [1.0]))


class TrackingContract(
    RunsContract, StoreChartContract, TrackingLimitsContract, MetricColumnsContract
):
    """What every TrackingStore passes: runs, chart data and the edges of their inputs.

    Its tests call only :class:`~jupyter_mlstudio.store.base.TrackingStore` methods, so
    the ``store`` fixture may yield any TrackingStore (a MetadataStore is one too).
    """


class StoreContract(
    TrackingContract,
    JobsEndpointsContract,
    RecordLimitsContract,
    RegistryContract,
    PipelineContract,
    MonitoringContract,
):
    """The whole contract: what every MetadataStore passes (tracking, jobs, endpoints,
    the model registry, pipelines)."""
