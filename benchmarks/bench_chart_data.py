"""Chart data for 100 runs x 10,000 steps of "loss" (1,000,000 points), over HTTP.

* studio: ``GET /mlstudio/api/charts/metrics`` with the 100 runs (``TrialComponentName``
  repeated, ``MaxPoints=500``, the default) from a real ``jupyter server`` subprocess with
  the extension, token auth; with ``--max-points N`` (repeatable) also ``POST`` with the
  runs in the body at ``MaxPoints=N`` -- the compare view's request, whose ``MaxPoints`` is
  half the chart's width in pixels -- once with every column and once with
  ``Fields=["Last"]``, the only column the compare view's lines draw;
* MLflow: ``GET /ajax-api/2.0/mlflow/metrics/get-history-bulk-interval`` with the 100
  ``run_ids`` and ``max_results=320`` (the UI's default) from a real ``mlflow server``
  subprocess (one worker) on a SQLite store holding the same points, logged with
  ``log_batch``.

Both servers run at once and bind to 127.0.0.1. Each request is timed from the client on
localhost (request sent → whole body read); after one warm-up request each, the requests
go round-robin (studio, studio, MLflow, …) and the median of 5 is reported.

With ``--in-process`` no server runs: one process opens the studio's store and times
``get_metric_chart`` for the runs by name (every column, then ``fields=["Last"]``) and the
route's JSON encoding of its answer, at ``MaxPoints`` 500 or each ``--max-points``.

Run: ``.venv/bin/python benchmarks/bench_chart_data.py`` (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    STUDIO_PYTHON,
    ensure_mlflow,
    free_port,
    median,
    mlflow_version,
    run_child,
    scratch_dir,
)

STUDIO_SEED = """
import json, time
from datetime import datetime, timedelta, timezone
from jupyter_mlstudio.entities import MetricPoint
from jupyter_mlstudio.store import open_store
RUNS, STEPS, DB = {runs}, {steps}, {db!r}
store = open_store("sqlite:///" + DB)
store.create_experiment("bench")
store.create_trial("bench-trial", "bench")
t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
start = time.perf_counter()
for r in range(RUNS):
    name = f"run-{{r:04d}}"
    store.create_trial_component(name)
    store.associate_trial_component(name, "bench-trial")
    for s in range(0, STEPS, 10_000):
        store.log_metrics(name, [
            MetricPoint.model_construct(metric_name="loss", value=1.0 / (1 + i) + r * 1e-3,
                                        step=i, timestamp=t0 + timedelta(seconds=i))
            for i in range(s, min(s + 10_000, STEPS))
        ])
print(json.dumps({{"seconds": time.perf_counter() - start}}))
"""

MLFLOW_SEED = """
import json, logging, time, warnings
warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)
from mlflow import MlflowClient
from mlflow.entities import Metric
RUNS, STEPS, DB = {runs}, {steps}, {db!r}
client = MlflowClient(tracking_uri="sqlite:///" + DB)
experiment_id = client.create_experiment("bench")
t0 = 1_767_225_600_000
run_ids = []
start = time.perf_counter()
for r in range(RUNS):
    run_id = client.create_run(experiment_id, run_name=f"run-{{r:04d}}").info.run_id
    run_ids.append(run_id)
    for s in range(0, STEPS, 1000):
        client.log_batch(run_id, metrics=[
            Metric("loss", 1.0 / (1 + i) + r * 1e-3, t0 + i * 1000, i)
            for i in range(s, min(s + 1000, STEPS))
        ])
    client.set_terminated(run_id)
print(json.dumps({{"seconds": time.perf_counter() - start, "run_ids": run_ids}}))
"""


IN_PROCESS = """
import json, time
from jupyter_mlstudio.server import charts_schemas as cs
from jupyter_mlstudio.store import open_store
RUNS, DB, REPEATS, MAX_POINTS = {runs}, {db!r}, {repeats}, {max_points!r}
store = open_store("sqlite:///" + DB)
names = [f"run-{{r:04d}}" for r in range(RUNS)]
results = []
for max_points in MAX_POINTS:
    for fields in (None, ["Last"]):
        def once():
            start = time.perf_counter()
            chart = store.get_metric_chart(names, "loss", max_points=max_points, fields=fields)
            read = time.perf_counter()
            series = list(chart.values())
            body = cs.MetricChartResponse.model_construct(MetricName="loss", Series=series)
            text = body.model_dump_json(by_alias=True, exclude_none=True)
            assert len(series) == RUNS, len(series)
            points = sum(len(s.steps) for s in series)
            return read - start, time.perf_counter() - read, len(text), points
        once()  # warm-up
        timed = [once() for _ in range(REPEATS)]
        results.append({{
            "max_points": max_points, "fields": fields,
            "chart": [t[0] for t in timed], "encode": [t[1] for t in timed],
            "bytes": timed[0][2], "points": timed[0][3],
        }})
print(json.dumps(results))
"""


def wait_http(url: str, headers: dict[str, str], process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


@contextlib.contextmanager
def server(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def timed_get(url: str, headers: dict[str, str]) -> tuple[float, bytes]:
    """One request (a POST when ``url`` ends in ``#`` + a JSON body), timed to its last byte."""
    url, _, body = url.partition("#")
    request = urllib.request.Request(
        url,
        headers={**headers, "Content-Type": "application/json"} if body else headers,
        data=body.encode() if body else None,
    )
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        body = response.read()
    return time.perf_counter() - start, body


Target = tuple[str, str, dict[str, str], Callable[[Any], int]]  # label, url, headers, count


def measure_all(targets: list[Target], repeats: int) -> list[dict[str, Any]]:
    """One warm-up request each, then ``repeats`` rounds with one request to each target
    in turn, so a change in the machine's load hits every target alike."""
    points, sizes = {}, {}
    for label, url, headers, count in targets:
        _, body = timed_get(url, headers)
        points[label], sizes[label] = count(json.loads(body)), len(body)
    times: dict[str, list[float]] = {label: [] for label, *_ in targets}
    for i in range(repeats):
        for label, url, headers, _count in targets:
            seconds, _ = timed_get(url, headers)
            times[label].append(seconds)
            print(f"  [{i + 1}/{repeats}] {label}: {seconds:.3f} s", flush=True)
    return [
        {
            "name": label,
            "times": times[label],
            "median": median(times[label]),
            "points": points[label],
            "bytes": sizes[label],
        }
        for label, *_ in targets
    ]


def studio_home(args: argparse.Namespace, work: Path) -> Path:
    """The studio's home in ``work``, its store holding the runs (logged unless reused)."""
    home = work / "studio-home"
    if (home / "mlstudio.db").exists():
        print(f"  studio: reusing {home}", flush=True)
    else:
        home.mkdir(parents=True)
        seeded = run_child(
            STUDIO_PYTHON,
            STUDIO_SEED.format(runs=args.runs, steps=args.steps, db=str(home / "mlstudio.db")),
        )
        print(f"  studio: logged the data in {seeded['seconds']:.1f} s", flush=True)
    return home


def in_process(args: argparse.Namespace, work: Path) -> list[dict[str, Any]]:
    """``get_metric_chart`` and the JSON encoding timed in one process (no HTTP)."""
    db = studio_home(args, work) / "mlstudio.db"
    max_points = args.max_points or [500]
    code = IN_PROCESS.format(
        runs=args.runs, db=str(db), repeats=args.repeats, max_points=max_points
    )
    results: list[dict[str, Any]] = run_child(STUDIO_PYTHON, code)
    print(f"\nIn one process (median of {args.repeats}; all runs by name):")
    for r in results:
        label = f"MaxPoints={r['max_points']}" + (", Fields=Last" if r["fields"] else "")
        print(
            f"  get_metric_chart, {label:<28} {median(r['chart']):7.3f} s "
            f"(fastest {min(r['chart']):.3f})  JSON {median(r['encode']):6.3f} s  "
            f"{r['points']:>9,} points  {r['bytes'] / 1e6:5.2f} MB",
            flush=True,
        )
    return results


def studio_side(args: argparse.Namespace, work: Path, stack: contextlib.ExitStack) -> list[Target]:
    home = studio_home(args, work)
    port, token = free_port(), secrets.token_hex(16)
    jupyter = Path(sys.executable).with_name("jupyter")
    command = [
        str(jupyter),
        "server",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={work}",
        f"--StudioApp.home={home}",
        "--StudioApp.default_runtime=process",
    ]
    headers = {"Authorization": f"token {token}"}
    base = f"http://127.0.0.1:{port}/mlstudio/api"
    runs = [("TrialComponentName", f"run-{r:04d}") for r in range(args.runs)]

    def count(body: dict) -> int:
        assert len(body["Series"]) == args.runs, len(body["Series"])
        return sum(len(s["Steps"]) for s in body["Series"])

    process = stack.enter_context(
        server(command, {"MLSTUDIO_HOME": str(home)}, work / "jupyter.log")
    )
    wait_http(f"{base}/health", headers, process, 120)
    named = urlencode([("MetricName", "loss"), ("MaxPoints", "500"), *runs])
    by_experiment = urlencode(
        [("MetricName", "loss"), ("MaxPoints", "500"), ("ExperimentName", "bench")]
    )
    targets: list[Target] = [
        (
            f"studio /charts/metrics, {args.runs} runs by name",
            f"{base}/charts/metrics?{named}",
            headers,
            count,
        ),
        (
            "studio /charts/metrics, ExperimentName",
            f"{base}/charts/metrics?{by_experiment}",
            headers,
            count,
        ),
    ]
    names = [name for _, name in runs]
    for max_points in args.max_points:
        for fields in ([], ["Last"]):
            body = {"MetricName": "loss", "MaxPoints": max_points, "TrialComponentName": names}
            label = f"studio POST /charts/metrics, {args.runs} runs, MaxPoints={max_points}"
            if fields:
                body["Fields"] = fields
                label += ", Fields=Last"
            targets.append((label, f"{base}/charts/metrics#{json.dumps(body)}", headers, count))
    return targets


def mlflow_side(args: argparse.Namespace, work: Path, stack: contextlib.ExitStack) -> Target:
    python = ensure_mlflow()
    db = work / "mlflow.db"
    ids_file = work / "mlflow-run-ids.json"
    if db.exists():
        print(f"  MLflow: reusing {db}", flush=True)
        if not ids_file.exists():
            with contextlib.closing(sqlite3.connect(db)) as connection:
                rows = connection.execute("SELECT run_uuid FROM runs ORDER BY name").fetchall()
            ids_file.write_text(json.dumps([row[0] for row in rows]))
        run_ids = json.loads(ids_file.read_text())
    else:
        print("  MLflow: logging the data with log_batch (2 to 4 minutes)...", flush=True)
        seeded = run_child(python, MLFLOW_SEED.format(runs=args.runs, steps=args.steps, db=str(db)))
        print(f"  MLflow: logged the data in {seeded['seconds']:.1f} s", flush=True)
        run_ids = seeded["run_ids"]
        ids_file.write_text(json.dumps(run_ids))
    port = free_port()
    command = [
        str(python.with_name("mlflow")),
        "server",
        "--backend-store-uri",
        f"sqlite:///{db}",
        "--default-artifact-root",
        (work / "mlflow-artifacts").as_uri(),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    base = f"http://127.0.0.1:{port}"
    query = urlencode(
        [("metric_key", "loss"), ("max_results", "320")]
        + [("run_ids", run_id) for run_id in run_ids]
    )

    def count(body: dict) -> int:
        return len(body.get("metrics", []))

    process = stack.enter_context(server(command, {}, work / "mlflow-server.log"))
    wait_http(f"{base}/health", {}, process, 180)
    return (
        f"MLflow {mlflow_version()} get-history-bulk-interval (max_results=320)",
        f"{base}/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?{query}",
        {},
        count,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-mlflow", action="store_true")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="time get_metric_chart and the JSON encoding in one process instead (no servers)",
    )
    parser.add_argument(
        "--max-points",
        type=int,
        action="append",
        default=[],
        help="also POST the runs by name at this MaxPoints (repeatable)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--work", type=Path, help="data folder of an earlier run to reuse (same --runs/--steps)"
    )
    args = parser.parse_args()
    print(f"Chart data: {args.runs} runs x {args.steps:,} steps of 'loss'", flush=True)
    work = args.work.resolve() if args.work else scratch_dir("charts-")
    print(f"  data in {work} (pass --work {work} to reuse it)", flush=True)
    if args.in_process:
        results = in_process(args, work)
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))
        return
    with contextlib.ExitStack() as stack:
        targets = studio_side(args, work, stack)
        if not args.skip_mlflow:
            targets.append(mlflow_side(args, work, stack))
        results = measure_all(targets, args.repeats)
    print(f"\nResults (median of {args.repeats}, client-side wall time on localhost):")
    for r in results:
        print(
            f"  {r['name']:<62} {r['median']:8.3f} s  {r['points']:>7,} points  "
            f"{r['bytes'] / 1e6:5.2f} MB"
        )
    if not args.skip_mlflow:
        mlflow = results[-1]["median"]
        print("\nRatios (MLflow time / studio time):")
        for r in results[:-1]:
            print(f"  {r['name']:<46} {mlflow / r['median']:8.1f}x faster (aim >= 10x)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
