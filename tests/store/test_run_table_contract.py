"""``list_experiment_runs`` on every backend: server-side sort by a column, parameter or
metric summary, filters, and keyset pages that neither repeat nor skip a run."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_mlstudio.entities import MetricPoint, TrialComponentPrimaryStatus, utcnow
from jupyter_mlstudio.exceptions import NotFoundError, ValidationError
from jupyter_mlstudio.store.base import MetadataStore, RunRange


def _seed(store: MetadataStore) -> None:
    """Runs r0..r6 in exp (two trials, r1 in both); r3 has no lr, odd runs no loss."""
    store.create_experiment("exp")
    store.create_experiment("other")
    store.create_trial("t1", "exp")
    store.create_trial("t2", "exp")
    store.create_trial("t3", "other")
    for i in range(7):
        store.create_trial_component(
            f"r{i}",
            display_name=f"Run {i}" if i != 5 else "special",
            parameters={"lr": i / 10} if i != 3 else {"lr": "auto"},
            status=TrialComponentPrimaryStatus.COMPLETED
            if i % 3 == 0
            else TrialComponentPrimaryStatus.IN_PROGRESS,
        )
        store.associate_trial_component(f"r{i}", "t1" if i < 4 else "t2")
        if i % 2 == 0:
            now = utcnow()
            store.log_metrics(
                f"r{i}",
                [
                    MetricPoint(metric_name="loss", value=10.0 - i, step=0, timestamp=now),
                    MetricPoint(metric_name="loss", value=i % 4, step=1, timestamp=now),
                ],
            )
    store.associate_trial_component("r1", "t2")
    store.create_trial_component("stranger")
    store.associate_trial_component("stranger", "t3")


def _all(store: MetadataStore, page_size: int = 2, **kw: Any) -> list[str]:
    names: list[str] = []
    token = None
    while True:
        page = store.list_experiment_runs("exp", max_results=page_size, next_token=token, **kw)
        assert len(page.items) <= page_size
        names += [r.trial_component_name for r in page.items]
        token = page.next_token
        if token is None:
            return names


@pytest.mark.parametrize(
    ("sort_by", "ascending"),
    [
        ("CreationTime", ["r0", "r1", "r2", "r3", "r4", "r5", "r6"]),
        ("Name", ["r0", "r1", "r2", "r3", "r4", "r5", "r6"]),
        # r3's lr is a string: no number, so it sorts last in either order
        ("Parameters.lr", ["r0", "r1", "r2", "r4", "r5", "r6", "r3"]),
        # Last: r0 0, r2 2, r4 0, r6 2 (ties by creation); odd runs have no loss
        ("Metrics.loss.Last", ["r0", "r4", "r2", "r6", "r1", "r3", "r5"]),
        ("Metrics.loss.Max", ["r6", "r4", "r2", "r0", "r1", "r3", "r5"]),
        ("Metrics.loss.Avg", ["r4", "r6", "r0", "r2", "r1", "r3", "r5"]),  # 3, 3, 5, 5
    ],
)
def test_sort_and_pages(store: MetadataStore, sort_by: str, ascending: list[str]) -> None:
    _seed(store)
    assert _all(store, sort_by=sort_by, sort_order="Ascending") == ascending
    for size in (1, 3, 100):
        assert _all(store, size, sort_by=sort_by, sort_order="Ascending") == ascending
    present = [n for n in ascending if n not in ("r1", "r3", "r5")] if "loss" in sort_by else []
    descending = _all(store, sort_by=sort_by, sort_order="Descending")
    if sort_by in ("CreationTime", "Name"):
        assert descending == ascending[::-1]
    elif present:  # values reversed, ties newest first; runs without the value still last
        values = descending[: len(present)]
        assert sorted(values) == sorted(present)
        assert descending[len(present) :] == ["r5", "r3", "r1"]
    else:
        assert descending == ["r6", "r5", "r4", "r2", "r1", "r0", "r3"]


def test_a_page_is_whole_runs(store: MetadataStore) -> None:
    _seed(store)
    page = store.list_experiment_runs("exp", sort_by="Metrics.loss.Min", max_results=1)
    (run,) = page.items
    assert run.trial_component_name == "r6"  # min 2, the largest
    assert run.parameters == {"lr": 0.6}
    assert [(m.metric_name, m.count, m.min, m.last) for m in run.metrics] == [("loss", 2, 2.0, 2.0)]
    assert run.trial_names == ["t2"]
    both = store.list_experiment_runs("exp", name_contains="r1").items
    assert [r.trial_names for r in both] == [["t1", "t2"]]


def test_filters(store: MetadataStore) -> None:
    _seed(store)
    assert _all(store, name_contains="SPEC") == ["r5"]
    assert _all(store, name_contains="r") == ["r6", "r5", "r4", "r3", "r2", "r1", "r0"]
    assert _all(store, name_contains="%") == []
    done = TrialComponentPrimaryStatus.COMPLETED
    assert _all(store, status=done) == ["r6", "r3", "r0"]
    lr = RunRange("Parameters.lr", 0.15, 0.45)
    assert _all(store, ranges=[lr]) == ["r4", "r2"]
    assert _all(store, ranges=[RunRange("Parameters.lr", None, 0.1)]) == ["r1", "r0"]
    loss = RunRange("Metrics.loss.Last", 1.5, None)
    assert _all(store, ranges=[loss]) == ["r6", "r2"]
    assert _all(store, ranges=[loss, lr], sort_by="Name", sort_order="Ascending") == ["r2"]
    assert _all(store, ranges=[loss], status=done) == ["r6"]


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"sort_by": "Status"}, "SortBy"),
        ({"sort_by": "Metrics.loss"}, "SortBy"),
        ({"sort_by": "Metrics.loss.Median"}, "SortBy"),
        ({"sort_by": "Parameters."}, "SortBy"),
        ({"ranges": [RunRange("Name", 0, 1)]}, "Range"),
        ({"ranges": [RunRange("Metrics.loss.Last", float("nan"))]}, "Range"),
        ({"max_results": 0}, "MaxResults"),
        ({"sort_order": "Up"}, "SortOrder"),
        ({"next_token": "garbage"}, "NextToken"),
    ],
)
def test_validation(store: MetadataStore, kw: dict[str, Any], field: str) -> None:
    _seed(store)
    with pytest.raises(ValidationError) as raised:
        store.list_experiment_runs("exp", **kw)
    assert raised.value.field == field


def test_tokens_belong_to_their_listing(store: MetadataStore) -> None:
    _seed(store)
    token = store.list_experiment_runs("exp", max_results=2).next_token
    assert token is not None
    for kw in (
        {"sort_by": "Name"},
        {"sort_order": "Ascending"},
        {"sort_by": "Metrics.loss.Last"},
    ):
        with pytest.raises(ValidationError) as raised:
            store.list_experiment_runs("exp", next_token=token, **kw)  # type: ignore[arg-type]
        assert raised.value.field == "NextToken"
    with pytest.raises(ValidationError):
        store.list_experiment_runs("other", next_token=token)
    with pytest.raises(NotFoundError):
        store.list_experiment_runs("missing")


def test_pages_hold_when_runs_arrive(store: MetadataStore) -> None:
    _seed(store)
    first = store.list_experiment_runs("exp", sort_by="Name", sort_order="Ascending", max_results=3)
    store.create_trial_component("r00")  # sorts before the page's last row: never shown
    store.associate_trial_component("r00", "t1")
    store.create_trial_component("r9")
    store.associate_trial_component("r9", "t1")
    rest = _all(store, 100, sort_by="Name", sort_order="Ascending")
    names = [r.trial_component_name for r in first.items]
    assert names == ["r0", "r00", "r1"] or names == ["r0", "r1", "r2"]
    page = store.list_experiment_runs(
        "exp", sort_by="Name", sort_order="Ascending", next_token=first.next_token
    )
    assert [r.trial_component_name for r in page.items] == rest[rest.index(names[-1]) + 1 :]
