"""Search over 10,000 runs x 20 parameters x 5 metrics (SQLite), a 2-clause filter and a
sort: the store's one SQL query against the in-Python filtering SageMaker's Search used
before (every record read, filtered and sorted in Python).

The filter is the search box's ``metrics.accuracy.max > 0.9 and parameters.lr < 0.01``
(SageMaker's ``Metrics.accuracy.Max GreaterThan 0.9`` and ``Parameters.lr LessThan
0.01``), sorted by ``Metrics.accuracy.Max`` descending, 100 results a page. Both sides
answer the whole Search operation of the SageMaker-compatible API (``Search`` with the
page's records in Search's shapes); the in-Python side is the same operation with the
indexed path switched off. Also timed: the first page through the service alone (names
only), the last page (``NextToken`` at 9,900 of an unfiltered sort), and the names route's
query (completion). Each figure is the median of 5 after one warm-up.

The runs are written straight into the store's tables (runs, parameters, metric
summaries, one experiment and 100 trials) so that seeding takes seconds; the summaries
are what logging 10 points a metric would leave.

Run: ``.venv/bin/python benchmarks/bench_search.py [--runs 10000]``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import median, scratch_dir
from sqlalchemy import insert

from jupyter_mlstudio.aws.operations import search as operation
from jupyter_mlstudio.aws.registry import Call, Caller
from jupyter_mlstudio.services.tracking.search import SearchService
from jupyter_mlstudio.store import open_store
from jupyter_mlstudio.store.sql.models import (
    ExperimentRow,
    MetricSummaryRow,
    ParameterRow,
    TrialComponentRow,
    TrialComponentTrialRow,
    TrialRow,
)

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
PARAMETERS = 20
METRICS = ("accuracy", "loss", "f1", "precision", "recall")
REPEATS = 5
REQUEST: dict[str, Any] = {
    "Resource": "ExperimentTrialComponent",
    "SearchExpression": {
        "Filters": [
            {"Name": "Metrics.accuracy.Max", "Operator": "GreaterThan", "Value": "0.9"},
            {"Name": "Parameters.lr", "Operator": "LessThan", "Value": "0.01"},
        ]
    },
    "SortBy": "Metrics.accuracy.Max",
    "SortOrder": "Descending",
    "MaxResults": 100,
}


def seed(url: str, runs: int) -> None:
    """``runs`` runs of one experiment (100 trials), 20 parameters and 5 metrics each."""
    rng = random.Random(18)
    store = open_store(url)
    engine = store.engine  # type: ignore[attr-defined]
    store.close()
    with engine.begin() as db:
        db.execute(
            insert(ExperimentRow),
            [{"id": 1, "name": "bench", "creation_time": T0, "last_modified_time": T0}],
        )
        trials = min(100, runs)
        db.execute(
            insert(TrialRow),
            [
                {
                    "id": t + 1,
                    "name": f"trial-{t}",
                    "experiment_id": 1,
                    "creation_time": T0,
                    "last_modified_time": T0,
                }
                for t in range(trials)
            ],
        )
        components, links, parameters, summaries = [], [], [], []
        for i in range(runs):
            at = T0 + timedelta(seconds=i)
            components.append(
                {
                    "id": i + 1,
                    "name": f"run-{i:05d}",
                    "status": "Completed",
                    "creation_time": at,
                    "last_modified_time": at,
                }
            )
            links.append(
                {"trial_id": i % trials + 1, "trial_component_id": i + 1, "creation_time": at}
            )
            parameters.append(
                {
                    "trial_component_id": i + 1,
                    "name": "lr",
                    "number_value": 10 ** rng.uniform(-4, -1),
                    "string_value": None,
                }
            )
            parameters.append(
                {
                    "trial_component_id": i + 1,
                    "name": "optimizer",
                    "number_value": None,
                    "string_value": rng.choice(["adam", "sgd"]),
                }
            )
            for p in range(PARAMETERS - 2):
                parameters.append(
                    {
                        "trial_component_id": i + 1,
                        "name": f"p{p:02d}",
                        "number_value": rng.random(),
                        "string_value": None,
                    }
                )
            for metric in METRICS:
                values = [rng.random() for _ in range(10)]
                mean = sum(values) / len(values)
                summaries.append(
                    {
                        "trial_component_id": i + 1,
                        "metric_name": metric,
                        "count": len(values),
                        "mean": mean,
                        "std_dev": (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5,
                        "min": min(values),
                        "max": max(values),
                        "last": values[-1],
                        "time_stamp": at,
                    }
                )
        db.execute(insert(TrialComponentRow), components)
        db.execute(insert(TrialComponentTrialRow), links)
        db.execute(insert(ParameterRow), parameters)
        db.execute(insert(MetricSummaryRow), summaries)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    fn()  # warm-up
    times, answer = [], None
    for _ in range(REPEATS):
        start = time.perf_counter()
        answer = fn()
        times.append(time.perf_counter() - start)
    return median(times), answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    args = parser.parse_args()
    url = f"sqlite:///{scratch_dir('search-') / 'studio.db'}"
    start = time.perf_counter()
    seed(url, args.runs)
    print(
        f"seeded {args.runs:,} runs x {PARAMETERS} parameters x {len(METRICS)} metrics"
        f" in {time.perf_counter() - start:.1f} s"
    )
    store = open_store(url)
    studio = SimpleNamespace(store=store)
    call = Call(
        studio=studio,  # type: ignore[arg-type]
        params=REQUEST,
        region="us-east-1",
        account_id="000000000000",
        caller=Caller("bench", signed=False),
    )
    service = SearchService(store)

    indexed_s, indexed = timed(lambda: operation.search(call))
    page_s, page = timed(lambda: service.search(REQUEST))
    unfiltered = {
        "Resource": REQUEST["Resource"],
        "SortBy": "Metrics.accuracy.Max",
        "MaxResults": 100,
    }
    token = service.search(unfiltered).next_token
    for _ in range(args.runs // 100 - 2):
        token = service.search({**unfiltered, "NextToken": token}).next_token
    last_s, last = timed(lambda: service.search({**unfiltered, "NextToken": token}))
    names_s, names = timed(lambda: service.names(REQUEST["Resource"]))

    indexed_check = operation.indexed
    operation.indexed = lambda params: False  # type: ignore[assignment]
    try:
        python_s, in_python = timed(lambda: operation.search(call))
    finally:
        operation.indexed = indexed_check
    store.close()

    def page_names(answer: dict[str, Any]) -> list[str]:
        return [r["TrialComponent"]["TrialComponentName"] for r in answer["Results"]]

    assert page_names(indexed) == page_names(in_python), "the two paths disagree"
    assert indexed["TotalHits"] == in_python["TotalHits"]
    hits = indexed["TotalHits"]["Value"]
    print(
        f"filter: Metrics.accuracy.Max > 0.9 and Parameters.lr < 0.01 -> {hits:,} runs,"
        " sorted by Metrics.accuracy.Max, 100 a page; median of 5"
    )
    rows = [
        ("Search, indexed (one SQL query + 100 records)", indexed_s, ""),
        ("Search, in Python (every record read)", python_s, ""),
        ("service page (names only)", page_s, f" ({len(page.names)} names)"),
        (f"last page of the unfiltered sort (offset {args.runs - 100:,})", last_s, ""),
        ("names for completion", names_s, f" ({len(names.parameters)} parameters)"),
    ]
    for label, seconds, note in rows:
        print(f"  {label:<58} {seconds * 1000:8.1f} ms{note}")
    print(f"  {'ratio in Python / indexed':<58} {python_s / indexed_s:8.1f}x")
    assert len(last.names) == 100


if __name__ == "__main__":
    main()
