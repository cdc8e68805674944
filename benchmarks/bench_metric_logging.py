"""Logging 1,000,000 points of one metric from one run: into SQLite, and over HTTP.

Ways, each timed in a fresh interpreter on a fresh database (only the logging is timed,
the points are built before the clock starts except for the SDK loop):

* studio store: ``SqlStore.log_metrics`` in batches of 10,000 (points, summaries and the
  downsampled series, one transaction a batch);
* studio SDK: ``Run.log_metric`` once a point (buffered, sent as columnar batches of
  10,000 by a background thread), into SQLite (``MLSTUDIO_TRACKING_URI=sqlite:///``);
* studio SDK over HTTP: the same loop with ``MLSTUDIO_TRACKING_URI`` a running studio
  (``jupyter server`` subprocess on 127.0.0.1, its own SQLite store): one ``POST
  .../metrics`` with a ``Columns`` body a batch;
* MLflow over HTTP: ``MlflowClient(tracking_uri=http://...).log_batch`` with 1,000
  metrics a call (REST ``runs/log-batch``, its maximum) to an ``mlflow server`` subprocess
  (SQLite backend, 1 worker) on the same machine;
* MLflow 3.x: ``MlflowClient().log_batch`` with 1,000 metrics a call (its maximum) into a
  ``sqlite:///`` tracking store, run from ``build/mlflow-venv``;
* raw: ``sqlite3`` ``executemany`` into MLflow's own ``metrics`` table (the DDL is copied
  from a database MLflow created), WAL, ``synchronous=NORMAL`` as the studio uses, 10,000
  rows a transaction — the limit for this layout in one Python process.

Run: ``.venv/bin/python benchmarks/bench_metric_logging.py`` (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import (
    STUDIO_PYTHON,
    ensure_mlflow,
    fmt_rate,
    free_port,
    median,
    mlflow_version,
    run_child,
    scratch_dir,
)

from tests.support.studio_server import StudioServer, wait_http

STUDIO_STORE = """
import json, time
from datetime import datetime, timedelta, timezone
from jupyter_mlstudio.entities import MetricPoint
from jupyter_mlstudio.store import open_store
N, B, DB = {n}, {b}, {db!r}
store = open_store("sqlite:///" + DB)
store.create_trial_component("bench-run")
t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
batches = [
    [MetricPoint(metric_name="loss", value=1.0 / (i + 1), step=i,
                 timestamp=t0 + timedelta(microseconds=i)) for i in range(s, min(s + B, N))]
    for s in range(0, N, B)
]
start = time.perf_counter()
for batch in batches:
    store.log_metrics("bench-run", batch)
elapsed = time.perf_counter() - start
(summary,) = store.get_trial_component("bench-run").metrics
assert summary.count == N, summary
print(json.dumps({{"seconds": elapsed}}))
"""

STUDIO_SDK = """
import json, os, time
os.environ["MLSTUDIO_TRACKING_URI"] = "sqlite:///" + {db!r}
try:
    from jupyter_mlstudio.sdk import Run
except ImportError as exc:
    print(json.dumps({{"missing": str(exc)}}))
    raise SystemExit(0)
N = {n}
with Run(experiment_name="bench", run_name="sdk-run") as run:
    start = time.perf_counter()
    log = run.log_metric
    for i in range(N):
        log("loss", 1.0 / (i + 1), step=i)
    run.flush()
    elapsed = time.perf_counter() - start
from jupyter_mlstudio.store import open_store
store = open_store("sqlite:///" + {db!r})
(tc,) = store.list_trial_components().items
assert tc.metrics[0].count == N, tc.metrics
print(json.dumps({{"seconds": elapsed}}))
"""

STUDIO_SDK_HTTP = """
import json, os, secrets, time, urllib.request
os.environ["MLSTUDIO_TRACKING_URI"] = {url!r}
os.environ["MLSTUDIO_TOKEN"] = {token!r}
from jupyter_mlstudio.sdk import Run
N = {n}
with Run(experiment_name="bench", run_name="sdk-" + secrets.token_hex(4)) as run:
    start = time.perf_counter()
    log = run.log_metric
    for i in range(N):
        log("loss", 1.0 / (i + 1), step=i)
    run.flush()
    elapsed = time.perf_counter() - start
request = urllib.request.Request(
    {url!r} + "mlstudio/api/trial-components/" + run.trial_component_name,
    headers={{"Authorization": "token " + {token!r}}},
)
with urllib.request.urlopen(request) as answer:
    (summary,) = json.load(answer)["Metrics"]
assert summary["Count"] == N, summary
print(json.dumps({{"seconds": elapsed}}))
"""

MLFLOW_LOG_BATCH = """
import json, logging, time, warnings
warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)
from mlflow import MlflowClient
from mlflow.entities import Metric
N, B, DB = {n}, 1000, {db!r}
uri = {uri!r} or "sqlite:///" + DB
client = MlflowClient(tracking_uri=uri)
experiment_id = client.get_experiment_by_name("bench")
experiment_id = experiment_id.experiment_id if experiment_id else client.create_experiment("bench")
run_id = client.create_run(experiment_id).info.run_id
t0 = 1_767_225_600_000
batches = [
    [Metric("loss", 1.0 / (i + 1), t0 + i, i) for i in range(s, min(s + B, N))]
    for s in range(0, N, B)
]
start = time.perf_counter()
for batch in batches:
    client.log_batch(run_id, metrics=batch)
elapsed = time.perf_counter() - start
count = len(client.get_metric_history(run_id, "loss")) if N <= 25_000 else None
print(json.dumps({{"seconds": elapsed, "run_id": run_id, "count": count}}))
"""

MLFLOW_SCHEMA = """
import json, logging, sqlite3, warnings
warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)
from mlflow import MlflowClient
MlflowClient(tracking_uri="sqlite:///" + {db!r}).search_experiments()
with sqlite3.connect({db!r}) as c:
    ddl = [r[0] for r in c.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'metrics' AND sql IS NOT NULL "
        "ORDER BY type DESC")]
print(json.dumps({{"ddl": ddl}}))
"""

RAW_SQLITE = """
import json, sqlite3, time
N, B, DB = {n}, {b}, {db!r}
ddl = {ddl!r}
c = sqlite3.connect(DB, isolation_level=None)
c.execute("PRAGMA journal_mode = WAL")
c.execute("PRAGMA synchronous = NORMAL")
for statement in ddl:
    c.execute(statement)
columns = [r[1] for r in c.execute("PRAGMA table_info(metrics)")]
t0 = 1_767_225_600_000
run = "0123456789abcdef0123456789abcdef"
def row(i):
    values = {{"key": "loss", "value": 1.0 / (i + 1), "timestamp": t0 + i, "run_uuid": run,
              "step": i, "is_nan": False}}
    return tuple(values[name] for name in columns)
batches = [[row(i) for i in range(s, min(s + B, N))] for s in range(0, N, B)]
sql = f"INSERT INTO metrics ({{', '.join(columns)}}) VALUES ({{', '.join('?' * len(columns))}})"
start = time.perf_counter()
for batch in batches:
    c.execute("BEGIN")
    c.executemany(sql, batch)
    c.execute("COMMIT")
elapsed = time.perf_counter() - start
assert c.execute("SELECT COUNT(*) FROM metrics").fetchone()[0] == N
print(json.dumps({{"seconds": elapsed}}))
"""


def measure_once(name: str, python: Path, template: str, **fields: Any) -> float | str:
    """Points/s of one fresh run, or the reason it could not run."""
    db = scratch_dir("logging-") / "bench.db"
    out = run_child(python, template.format(db=str(db), **fields))
    if "missing" in out:
        return str(out["missing"])
    rate = float(fields["n"]) / out["seconds"]
    print(f"  {name}: {fmt_rate(rate)} points/s", flush=True)
    return rate


def measure(ways: list[tuple[str, Path, str, dict[str, Any], int]]) -> list[dict[str, Any]]:
    """Round-robin: repeat ``i`` of every way runs before repeat ``i + 1`` of any, so a
    change in the machine's load hits all ways alike."""
    rates: dict[str, list[float]] = {name: [] for name, *_ in ways}
    missing: dict[str, str] = {}
    for i in range(max(way[4] for way in ways)):
        for name, python, template, fields, repeats in ways:
            if i >= repeats or name in missing:
                continue
            got = measure_once(f"{name} [{i + 1}/{repeats}]", python, template, **fields)
            if isinstance(got, str):
                print(f"  {name}: not measured ({got})", flush=True)
                missing[name] = got
            else:
                rates[name].append(got)
    return [
        {"name": name, "missing": missing[name]}
        if name in missing
        else {"name": name, "rates": rates[name], "median": median(rates[name])}
        for name, *_ in ways
    ]


@contextlib.contextmanager
def mlflow_server(python: Path) -> Iterator[str]:
    """``mlflow server`` on a fresh SQLite database, 1 worker, on 127.0.0.1; its URL."""
    work = scratch_dir("mlflow-server-")
    port = free_port()
    command = [
        str(python.with_name("mlflow")),
        "server",
        "--backend-store-uri",
        f"sqlite:///{work / 'mlflow.db'}",
        "--default-artifact-root",
        (work / "artifacts").as_uri(),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    with (work / "mlflow-server.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_http(f"http://127.0.0.1:{port}/health", process, timeout=180)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--mlflow-repeats", type=int, default=1, help="MLflow takes ~100 s a run at 1M points"
    )
    parser.add_argument("--skip-mlflow", action="store_true")
    parser.add_argument("--skip-sdk", action="store_true")
    parser.add_argument("--skip-http", action="store_true", help="no studio or mlflow server")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    n, batch = args.points, 10_000
    print(f"Logging {n:,} points of one metric from one run (SQLite; HTTP on 127.0.0.1)")

    mlflow_python = ensure_mlflow()
    schema = run_child(
        mlflow_python, MLFLOW_SCHEMA.format(db=str(scratch_dir("schema-") / "mlflow.db"))
    )
    version = mlflow_version()
    names = {
        "store": "studio store.log_metrics (10k a batch)",
        "raw": "raw sqlite3 executemany, MLflow metrics table (10k a txn)",
        "sdk": "studio SDK Run.log_metric loop, SQLite",
        "mlflow": f"MLflow {version} MlflowClient.log_batch (1,000 a call), SQLite",
        "sdk_http": "studio SDK Run.log_metric loop, HTTP to a studio",
        "mlflow_http": f"MLflow {version} REST log-batch (1,000 a call) to mlflow server",
    }
    with contextlib.ExitStack() as stack:
        ways: list[tuple[str, Path, str, dict[str, Any], int]] = [
            (names["store"], STUDIO_PYTHON, STUDIO_STORE, {"n": n, "b": batch}, args.repeats),
            (
                names["raw"],
                STUDIO_PYTHON,
                RAW_SQLITE,
                {"n": n, "b": batch, "ddl": schema["ddl"]},
                args.repeats,
            ),
        ]
        if not args.skip_sdk:
            ways.append((names["sdk"], STUDIO_PYTHON, STUDIO_SDK, {"n": n}, args.repeats))
        if not args.skip_mlflow:
            fields = {"n": n, "uri": ""}
            ways.append((names["mlflow"], mlflow_python, MLFLOW_LOG_BATCH, fields, 1))
        if not args.skip_http and not args.skip_sdk:
            studio = stack.enter_context(StudioServer(scratch_dir("studio-server-")))
            fields = {"n": n, "url": f"http://127.0.0.1:{studio.port}/", "token": studio.token}
            ways.append((names["sdk_http"], STUDIO_PYTHON, STUDIO_SDK_HTTP, fields, args.repeats))
        if not args.skip_http and not args.skip_mlflow:
            uri = stack.enter_context(mlflow_server(mlflow_python))
            fields = {"n": n, "uri": uri}
            ways.append(
                (names["mlflow_http"], mlflow_python, MLFLOW_LOG_BATCH, fields, args.mlflow_repeats)
            )
        results = measure(ways)

    by = {key: r for key, name in names.items() for r in results if r["name"] == name}
    print("\nResults (points/s, median):")
    for r in results:
        shown = fmt_rate(r["median"]) if "median" in r else "not measured"
        print(f"  {r['name']:<66} {shown:>12}")

    def rate(key: str) -> float | None:
        found = by.get(key)
        return found["median"] if found and "median" in found else None

    print("\nRatios and aims:")
    pairs = [
        ("studio store / raw sqlite3 limit", "store", "raw", "aim >= 0.3x"),
        ("studio store / MLflow log_batch", "store", "mlflow", "aim >= 10x"),
        ("studio SDK (SQLite) / raw sqlite3 limit", "sdk", "raw", ""),
        ("studio SDK (SQLite) / MLflow log_batch", "sdk", "mlflow", ""),
        ("studio SDK (HTTP) / MLflow REST log-batch", "sdk_http", "mlflow_http", ""),
        ("studio SDK (HTTP) / studio SDK (SQLite)", "sdk_http", "sdk", ""),
    ]
    for label, top, bottom, aim in pairs:
        a, b = rate(top), rate(bottom)
        if a and b:
            print(f"  {label:<44} {a / b:6.2f}x  {aim}")
    for label, key, floor in (
        ("studio SDK loop into SQLite", "sdk", 100_000),
        ("studio SDK loop over HTTP", "sdk_http", 50_000),
    ):
        got = rate(key)
        if got:
            verdict = "met" if got >= floor else f"missed by {1 - got / floor:.0%}"
            print(f"  {label:<44} {fmt_rate(got):>9}/s  aim >= {floor:,}: {verdict}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
