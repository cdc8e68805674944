"""Seed a wide experiment for the compare-view measurement (ui-tests/tests/perf.spec.ts).

Writes through the SDK's REST store (``RestStore``: one request a run and metric, 10,000
points each) from a few threads, so 1,000 runs x 10,000 steps (10,000,000 points) take
minutes rather than the hours a request a point would. Prints one JSON line: the
seconds taken and the points written.

Run: ``python ui-tests/perf_seed.py --url http://localhost:8899 --experiment perf-1k``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

from jupyter_mlstudio.entities import MetricPoint
from jupyter_mlstudio.exceptions import NotFoundError
from jupyter_mlstudio.sdk.rest_store import RestStore
from jupyter_mlstudio.sdk.transport import StudioConnection

#: Points a request carries.
BATCH = 10_000
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def curve(metric: int, run: int, step: int) -> float:
    """A loss-like curve per run (metric 0) and an accuracy-like one (metric 1)."""
    rate = 0.0005 * (1 + run % 50)
    if metric == 0:
        return 1.0 / (1.0 + step * rate) + 0.01 * math.sin(step / 50 + run)
    return 1.0 - 0.5 * math.exp(-step * rate) + 0.005 * math.cos(step / 40 + run)


def seed_run(store: RestStore, args: argparse.Namespace, trial: str, run: int) -> int:
    """One run with its parameters and every point of each metric.

    Args:
        store: The studio's store over REST.
        args: The command line (experiment, steps, metrics).
        trial: The trial the run joins.
        run: The run's number.

    Returns:
        The points written.
    """
    name = f"{args.experiment}-{run}"
    store.create_trial_component(name, parameters={"lr": 0.0001 * (1 + run), "depth": 2 + run % 8})
    store.associate_trial_component(name, trial)
    written = 0
    for m, metric in enumerate(args.metrics):
        for start in range(0, args.steps, BATCH):
            steps = range(start, min(start + BATCH, args.steps))
            store.log_metrics(
                name,
                [
                    MetricPoint.model_construct(
                        metric_name=metric,
                        value=curve(m, run, s),
                        step=s,
                        timestamp=T0 + timedelta(seconds=s),
                    )
                    for s in steps
                ],
            )
            written += len(steps)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the Jupyter server's base URL")
    parser.add_argument("--token", default="", help="its token (none by default)")
    parser.add_argument("--experiment", required=True)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--metrics", nargs="+", default=["loss", "accuracy"])
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    store = RestStore(StudioConnection(args.url, token=args.token))
    start = time.perf_counter()
    with contextlib.suppress(NotFoundError):
        store.delete_experiment(args.experiment)
    store.create_experiment(args.experiment, display_name=args.experiment)
    trial = f"{args.experiment}-trial"
    store.create_trial(trial, args.experiment)
    with ThreadPoolExecutor(args.threads) as pool:
        points = sum(pool.map(lambda r: seed_run(store, args, trial, r), range(args.runs)))
    print(json.dumps({"seconds": time.perf_counter() - start, "points": points}))


if __name__ == "__main__":
    main()
