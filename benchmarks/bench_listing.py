"""The first screen of an experiment of 10,000 runs and of a list of 10,000 experiments.

Seeds a SQLite store in bulk (Core inserts: 10,000 runs with two parameters and two
metric summaries each, in one experiment among 10,000), then times in one process,
median of 5 after one warm-up:

* before: what the sidebar did to show an experiment -- every run, 100 a request
  (``list_trial_components(experiment_name=...)`` until no ``NextToken``), sorted in the
  browser;
* after: the first page of 50 from ``list_experiment_runs`` sorted by creation time,
  name, a parameter and a metric summary, and a page 5,000 runs deep (keyset token);
* the first page of 100 of 10,000 experiments, and the last page (keyset token).

Run: ``.venv/bin/python benchmarks/bench_listing.py`` (see benchmarks/README.md).
``--seed-url URL`` only seeds that store (the Galata perf spec uses it) and prints JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import median, scratch_dir

from jupyter_mlstudio.entities import TrialComponentPrimaryStatus
from jupyter_mlstudio.store import open_store
from jupyter_mlstudio.store.base import RunRange
from jupyter_mlstudio.store.sql.models import (
    ExperimentRow,
    MetricSummaryRow,
    ParameterRow,
    TrialComponentRow,
    TrialComponentTrialRow,
    TrialRow,
)
from jupyter_mlstudio.store.sql.store import SqlStore

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def seed(
    url: str, *, experiment: str, runs: int, experiments: int, prefix: str = "run"
) -> dict[str, Any]:
    """Insert ``runs`` runs into a new ``experiment`` (one trial, the newest experiment)
    and ``experiments - 1`` older empty experiments ``<experiment>-x<i>``; returns the
    seconds it took."""
    store = open_store(url)
    assert isinstance(store, SqlStore)
    start = time.perf_counter()
    with store.engine.begin() as db:
        rows = [
            {
                "name": experiment if i == 0 else f"{experiment}-x{i:05d}",
                "display_name": None,
                "creation_time": T0 + timedelta(seconds=experiments - i),  # 0: newest
                "last_modified_time": T0,
            }
            for i in range(experiments)
        ]
        db.execute(insert(ExperimentRow), rows)
        experiment_id = db.scalar(select(ExperimentRow.id).where(ExperimentRow.name == experiment))
        db.execute(
            insert(TrialRow),
            [
                {
                    "name": f"{experiment}-trial",
                    "experiment_id": experiment_id,
                    "creation_time": T0,
                    "last_modified_time": T0,
                }
            ],
        )
        trial_id = db.scalar(select(TrialRow.id).where(TrialRow.name == f"{experiment}-trial"))
        statuses = ("Completed", "Completed", "Failed", "InProgress")
        db.execute(
            insert(TrialComponentRow),
            [
                {
                    "name": f"{prefix}-{i}",
                    "display_name": None,
                    "status": statuses[i % 4],
                    "start_time": T0 + timedelta(seconds=i),
                    "creation_time": T0 + timedelta(seconds=i),
                    "last_modified_time": T0 + timedelta(seconds=i),
                }
                for i in range(runs)
            ],
        )
        ids = db.execute(
            select(TrialComponentRow.id, TrialComponentRow.name).where(
                TrialComponentRow.name.startswith(f"{prefix}-")
            )
        ).all()
        db.execute(
            insert(TrialComponentTrialRow),
            [{"trial_id": trial_id, "trial_component_id": i, "creation_time": T0} for i, _ in ids],
        )
        number = {name: int(name.rsplit("-", 1)[1]) for _, name in ids}
        db.execute(
            insert(ParameterRow),
            [
                {"trial_component_id": i, "name": key, "number_value": value, "string_value": None}
                for i, name in ids
                for key, value in (
                    ("lr", 0.001 * (1 + number[name] % 100)),
                    ("seed", float(number[name])),
                )
            ],
        )
        db.execute(
            insert(MetricSummaryRow),
            [
                {
                    "trial_component_id": i,
                    "metric_name": metric,
                    "count": 100,
                    "mean": value,
                    "std_dev": 0.1,
                    "min": value / 2,
                    "max": value * 2,
                    "last": value,
                    "time_stamp": T0,
                }
                for i, name in ids
                for metric, value in (
                    ("loss", 1 / (1 + number[name] % 997)),
                    ("accuracy", (number[name] % 1000) / 1000),
                )
            ],
        )
    store.close()
    return {"seconds": time.perf_counter() - start, "runs": runs, "experiments": experiments}


def timed(fn: Callable[[], Any], repeats: int = 5) -> float:
    """Median milliseconds of ``repeats`` calls after one warm-up."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--experiments", type=int, default=10_000)
    parser.add_argument("--page", type=int, default=50)
    parser.add_argument("--seed-url", help="only seed this store and print JSON")
    parser.add_argument("--experiment", default="bench")
    parser.add_argument("--prefix", default="run")
    args = parser.parse_args()
    if args.seed_url:
        seeded = seed(
            args.seed_url,
            experiment=args.experiment,
            runs=args.runs,
            experiments=args.experiments,
            prefix=args.prefix,
        )
        print(json.dumps(seeded))
        return
    url = f"sqlite:///{scratch_dir('listing-') / 'mlstudio.db'}"
    seeded = seed(url, experiment="bench", runs=args.runs, experiments=args.experiments)
    print(
        f"seeded {args.runs:,} runs, {args.experiments:,} experiments in {seeded['seconds']:.1f} s"
    )
    store = open_store(url)

    def every_run() -> int:
        count, token = 0, None
        while True:
            page = store.list_trial_components(
                experiment_name="bench", max_results=100, next_token=token
            )
            count += len(page.items)
            token = page.next_token
            if token is None:
                return count

    results: dict[str, float] = {"before: every run, 100 a page": timed(every_run, 3)}
    for sort_by in ("CreationTime", "Name", "Parameters.lr", "Metrics.loss.Last"):
        results[f"after: first {args.page}, {sort_by}"] = timed(
            partial(store.list_experiment_runs, "bench", sort_by=sort_by, max_results=args.page)
        )
    token = None
    for _ in range(args.runs // 2 // 1000):
        token = store.list_experiment_runs(
            "bench", sort_by="Metrics.loss.Last", max_results=1000, next_token=token
        ).next_token
    results[f"after: {args.page} at run {args.runs // 2:,}, Metrics.loss.Last"] = timed(
        lambda: store.list_experiment_runs(
            "bench", sort_by="Metrics.loss.Last", max_results=args.page, next_token=token
        )
    )
    results["after: filtered (loss 0.001..0.01, Completed), first 50"] = timed(
        lambda: store.list_experiment_runs(
            "bench",
            status=TrialComponentPrimaryStatus.COMPLETED,
            ranges=[RunRange("Metrics.loss.Last", 0.001, 0.01)],
            max_results=args.page,
        )
    )
    results["experiments: first 100 of 10,000"] = timed(
        lambda: store.list_experiments(max_results=100)
    )
    token = None
    for _ in range(args.experiments // 1000 - 1):
        token = store.list_experiments(max_results=1000, next_token=token).next_token
    results["experiments: 100 after 9,000 (keyset token)"] = timed(
        lambda: store.list_experiments(max_results=100, next_token=token)
    )
    width = max(map(len, results))
    for label, ms in results.items():
        print(f"{label:<{width}}  {ms:8.1f} ms")
    store.close()


if __name__ == "__main__":
    main()
