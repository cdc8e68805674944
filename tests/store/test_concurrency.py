"""Several processes log metrics into one SQLite file at once: nothing lost, nothing locked."""

from __future__ import annotations

import math
import multiprocessing
from datetime import timedelta
from pathlib import Path

from jupyter_mlstudio.entities import MetricPoint, utcnow
from jupyter_mlstudio.store import open_store

PROCESSES = 4
BATCHES = 15
BATCH_SIZE = 200


def _log(url: str, worker: int, errors: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    try:
        store = open_store(url)
        start = utcnow()
        for batch in range(BATCHES):
            first = batch * BATCH_SIZE
            store.log_metrics(
                "shared-run",
                [
                    MetricPoint(
                        metric_name=name,
                        value=float(worker * 100_000 + first + i),
                        step=first + i,
                        timestamp=start + timedelta(microseconds=first + i),
                    )
                    for i in range(BATCH_SIZE)
                    for name in ("loss", f"worker-{worker}")
                ],
            )
            # Readers run alongside the writers.
            store.get_trial_component("shared-run")
        store.close()
    except BaseException as exc:  # report everything to the parent
        errors.put(f"worker {worker}: {type(exc).__name__}: {exc}")


def test_processes_log_into_one_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    store = open_store(url)
    store.create_trial_component("shared-run")
    context = multiprocessing.get_context("spawn")
    errors = context.Queue()
    workers = [context.Process(target=_log, args=(url, w, errors)) for w in range(PROCESSES)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert all(w.exitcode == 0 for w in workers), [w.exitcode for w in workers]
    messages = []
    while not errors.empty():
        messages.append(errors.get())
    assert messages == []

    per_worker = BATCHES * BATCH_SIZE
    summaries = {m.metric_name: m for m in store.get_trial_component("shared-run").metrics}
    values = [float(w * 100_000 + i) for w in range(PROCESSES) for i in range(per_worker)]
    loss = summaries["loss"]
    assert loss.count == len(values) == len(store.get_metric_series("shared-run", "loss"))
    assert loss.min == min(values)
    assert loss.max == max(values)
    # The downsampled series saw every point too.
    chart = store.get_metric_chart(["shared-run"], "loss", max_points=10)["shared-run"]
    assert (sum(chart.count), min(chart.min), max(chart.max)) == (len(values), loss.min, loss.max)
    mean = math.fsum(values) / len(values)
    assert math.isclose(loss.avg, mean, rel_tol=1e-12)
    std = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / len(values))
    assert math.isclose(loss.std_dev, std, rel_tol=1e-12)
    for w in range(PROCESSES):
        own = summaries[f"worker-{w}"]
        assert own.count == per_worker
        assert own.min == w * 100_000
        assert own.last == w * 100_000 + per_worker - 1
    store.close()
