"""8 processes log 50,000 points each through the SDK into one SQLite file at once.

Every process also races the others to create the shared experiment and run group, and
logs into its own run plus one run they all share. Counts read back must be exact.
"""

from __future__ import annotations

import math
import multiprocessing
import time
from pathlib import Path

from jupyter_mlstudio.sdk import Run, TrackingClient

PROCESSES = 8
POINTS = 50_000  # per process: 40,000 into its own run, 10,000 into the shared one
OWN = 40_000
SHARED = POINTS - OWN


def _work(uri: str, worker: int, errors: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    try:
        client = TrackingClient(uri)
        with Run("load", f"w{worker}", sagemaker_session=client) as run:
            for i in range(OWN // 2):
                run.log_metric("loss", float(i), step=i)
                run.log_metric("acc", worker + i / OWN, step=i)
        shared = Run("load", "shared", sagemaker_session=client)
        for i in range(SHARED):
            shared.log_metric("points", float(worker), step=worker * SHARED + i)
        client.close()  # writes what is still buffered
    except BaseException as exc:
        errors.put(f"worker {worker}: {type(exc).__name__}: {exc}")


def test_eight_processes_log_into_one_sqlite_file(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'shared.db'}"
    context = multiprocessing.get_context("spawn")
    errors = context.Queue()
    started = time.monotonic()
    workers = [context.Process(target=_work, args=(uri, w, errors)) for w in range(PROCESSES)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=240)
    elapsed = time.monotonic() - started
    messages = []
    while not errors.empty():
        messages.append(errors.get())
    assert messages == []
    assert [w.exitcode for w in workers] == [0] * PROCESSES

    client = TrackingClient(uri)
    half = OWN // 2
    for w in range(PROCESSES):
        tc = client.get_trial_component(f"load-w{w}")
        assert tc.status.primary_status == "Completed"
        summaries = {m.metric_name: m for m in tc.metrics}
        assert {name: s.count for name, s in summaries.items()} == {"loss": half, "acc": half}
        assert len(client.get_metric_series(f"load-w{w}", "loss")) == half
        assert len(client.get_metric_series(f"load-w{w}", "acc")) == half
        loss = summaries["loss"]
        assert (loss.min, loss.max) == (0.0, float(half - 1))
        assert math.isclose(loss.avg, (half - 1) / 2, rel_tol=1e-12)
    (points,) = client.get_trial_component("load-shared").metrics
    assert points.count == PROCESSES * SHARED
    assert len(client.get_metric_series("load-shared", "points")) == PROCESSES * SHARED
    assert math.isclose(points.avg, (PROCESSES - 1) / 2, rel_tol=1e-12)
    assert {t.trial_name for t in client.iter_trials(experiment_name="load")} == {
        "Default-Run-Group-load"
    }
    client.close()
    print(f"{PROCESSES} x {POINTS} points in {elapsed:.1f} s")
