"""Serving throughput and latency: an endpoint through the studio vs its model server
called directly vs ``mlflow models serve``, with wrk on loopback.

Model: ``DecisionTreeClassifier(random_state=0)`` trained on iris, one-row JSON request
``{"instances": [[5.1, 3.5, 1.4, 0.2]]}`` (the same body for every server), as in the
serving baseline of benchmarks/README.md. Servers, all on 127.0.0.1:

* studio: a real ``jupyter server`` with the extension (fresh studio home, token, process
  runtime); the model (``model.tar.gz`` with ``model.joblib``, a script-mode
  ``inference.py`` defining only ``model_fn``), endpoint config and endpoint are created
  through the REST API; wrk loads ``POST /mlstudio/api/endpoints/{name}/invocations`` with
  ``Authorization: token <t>``. The path: tornado handler → router (its keep-alive
  client, hosting/upstream.py) → the instance's model server;
* direct: ``jupyter_mlstudio/hosting/model_server.py`` started by this script with the
  environment the process runtime gives an instance, on the very model folder the studio
  unpacked for its instance (same model, same code); wrk loads ``POST /invocations``;
* mlflow: ``mlflow models serve --env-manager local -w 1`` from ``build/mlflow-venv`` on
  the same fitted estimator saved with ``mlflow.sklearn.save_model`` (skipped, and said
  so, when MLflow is missing).

wrk (``-t2 -c32 -d15s`` by default, ``benchmarks/wrk_invoke.lua``) runs in its own
process. After a short warm-up of each server, the rounds go studio, direct, mlflow,
studio, ... so that a change in the machine's load hits every server alike; the median of
the rounds is reported. The CPU time each server's processes spent per request is read
from /proc around every run (it shows where a request's time goes), and the load average
is printed with every run: this machine is shared, and wrk, the router and the model
server compete for its 2 cores.

Run: ``.venv/bin/python benchmarks/bench_serving.py`` (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
# the repository root, for the studio launcher in tests/support (not in the package)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import MLFLOW_PYTHON, ROOT, median, scratch_dir

from tests.support.studio_server import (
    IrisModel,
    ModelServer,
    StudioServer,
    build_iris_model,
    free_port,
    predictions_of,
    stop_process,
    wait_http,
)

LUA = Path(__file__).resolve().parent / "wrk_invoke.lua"
BODY = json.dumps({"instances": [[5.1, 3.5, 1.4, 0.2]]})
ENDPOINT = "bench-iris"
#: iris rows checked on every server before the load: (row index, expected class)
CHECK_ROWS = (0, 50, 100)

#: saves the estimator with mlflow.sklearn, then becomes `mlflow models serve` (one child
#: process from the start, so MLflow's imports overlap the studio's start-up)
MLFLOW_SAVE_AND_SERVE = """
import logging, os, sys, warnings
warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)
import joblib, mlflow, mlflow.sklearn
model_file, path, port = sys.argv[1:4]
mlflow.sklearn.save_model(
    joblib.load(model_file), path, skops_trusted_types=["sklearn.tree._tree.Tree"]
)
print(f"MLFLOW_VERSION={mlflow.__version__}", flush=True)
cli = os.path.join(os.path.dirname(sys.executable), "mlflow")
os.execv(cli, [cli, "models", "serve", "-m", path, "--env-manager", "local",
               "-h", "127.0.0.1", "-p", port, "-w", "1"])
"""


@dataclass
class Side:
    """One server under load."""

    name: str
    label: str
    url: str
    authorization: str
    process: psutil.Process  # its CPU time (with its children's) is read around each run

    def cpu_seconds(self) -> float:
        total = 0.0
        try:
            processes = [self.process, *self.process.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0.0
        for p in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                t = p.cpu_times()
                total += t.user + t.system
        return total

    def cpu_by_process(self) -> dict[str, float]:
        """CPU seconds per process of this side (named by role), for the breakdown."""
        out: dict[str, float] = {}
        with contextlib.suppress(psutil.NoSuchProcess):
            for p in [self.process, *self.process.children(recursive=True)]:
                with contextlib.suppress(psutil.NoSuchProcess):
                    role = _role(p)
                    t = p.cpu_times()
                    out[role] = out.get(role, 0.0) + t.user + t.system
        return out


def _role(p: psutil.Process) -> str:
    cmd = " ".join(p.cmdline())
    if "model_server.py" in cmd:
        return "model server"
    if "jupyter_server" in cmd or "jupyter-server" in cmd:
        return "jupyter (router)"
    if "uvicorn" in cmd or "mlflow" in cmd:
        return "mlflow/uvicorn"
    return p.name()


def loadavg() -> str:
    return "/".join(f"{v:.2f}" for v in os.getloadavg())


def run_wrk(
    side: Side, args: argparse.Namespace, duration: float, *, threads: int = 0, connections: int = 0
) -> dict[str, Any]:
    before_cpu, before_each = side.cpu_seconds(), side.cpu_by_process()
    load_before = loadavg()
    command = [
        "wrk",
        f"-t{threads or args.threads}",
        f"-c{connections or args.connections}",
        f"-d{duration:g}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        side.url,
        "--",
        BODY,
        side.authorization,
    ]
    out = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stderr}\n{out.stdout}")
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"no figures from wrk:\n{out.stdout}\n{out.stderr}")
    result = json.loads(lines[-1])
    cpu = side.cpu_seconds() - before_cpu
    after_each = side.cpu_by_process()
    result["cpu_ms_per_request"] = 1000 * cpu / max(1, result["requests"])
    result["cpu_ms_per_request_by_process"] = {
        role: round(
            1000 * (after_each[role] - before_each.get(role, 0.0)) / max(1, result["requests"]), 3
        )
        for role in after_each
    }
    result["loadavg_before"] = load_before
    result["errors_total"] = sum(result["errors"].values())
    return result


def check_answers(side: Side, model: IrisModel) -> None:
    """Every server answers the iris rows with the model's own predictions."""
    for index in CHECK_ROWS:
        body = json.dumps({"instances": [model.rows[index]]}).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if side.authorization:
            headers["Authorization"] = side.authorization
        request = urllib.request.Request(side.url, data=body, headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=30) as answer:
            got = predictions_of(json.loads(answer.read()))
        if [int(v) for v in got] != [model.predictions[index]]:
            raise RuntimeError(
                f"{side.name}: row {index} answered {got}, expected {model.predictions[index]}"
            )


@contextlib.contextmanager
def mlflow_server(model: IrisModel, work: Path) -> Iterator[_MlflowPending | None]:
    if not MLFLOW_PYTHON.exists():
        print(
            f"  mlflow: {MLFLOW_PYTHON} is missing; skipping that column"
            " (benchmarks/setup_mlflow.sh creates it)",
            flush=True,
        )
        yield None
        return
    port = free_port()
    log = work / "mlflow-serve.log"
    command = [
        str(MLFLOW_PYTHON),
        "-c",
        MLFLOW_SAVE_AND_SERVE,
        str(model.model_file),
        str(work / "mlflow-model"),
        str(port),
    ]
    env = {
        **os.environ,
        # mlflow runs `uvicorn` from PATH: the one of its own venv
        "PATH": f"{MLFLOW_PYTHON.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "MLFLOW_TRACKING_URI": (work / "mlruns").as_uri(),
    }
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        yield _MlflowPending(process, port, log)
    finally:
        _stop_tree(process)


@dataclass
class _MlflowPending:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def ready(self) -> Side:
        wait_http(f"http://127.0.0.1:{self.port}/ping", self.process, timeout=180, log=self.log)
        text = self.log.read_text(errors="replace")
        version = (
            text.split("MLFLOW_VERSION=", 1)[1].split()[0] if "MLFLOW_VERSION=" in text else "?"
        )
        return Side(
            "mlflow",
            f"mlflow models serve {version} (--env-manager local, 1 worker)",
            f"http://127.0.0.1:{self.port}/invocations",
            "",
            psutil.Process(self.process.pid),
        )


def _stop_tree(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process; then its leftover children (mlflow's uvicorn worker), by pid."""
    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    stop_process(process)
    for child in children:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.terminate()
    psutil.wait_procs(children, timeout=10)


def studio_figures(studio: StudioServer) -> dict[str, Any]:
    """The router's own figures of the endpoint (ModelLatency, OverheadLatency)."""
    status, figures = studio.call("GET", f"endpoints/{ENDPOINT}/metrics?Minutes=15")
    if status != 200 or not figures.get("Variants"):
        return {}
    variant = figures["Variants"][0]
    return {
        "Invocations": variant.get("Invocations"),
        "ModelLatency": variant.get("ModelLatency"),
        "OverheadLatency": variant.get("OverheadLatency"),
    }


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    def med(key: str) -> float:
        return median([r[key] for r in runs])

    roles = {role for r in runs for role in r["cpu_ms_per_request_by_process"]}
    return {
        "rps": med("rps"),
        "p50_ms": med("p50_us") / 1000,
        "p90_ms": med("p90_us") / 1000,
        "p99_ms": med("p99_us") / 1000,
        "errors": sum(r["errors_total"] for r in runs),
        "requests": sum(r["requests"] for r in runs),
        "cpu_ms_per_request": med("cpu_ms_per_request"),
        "cpu_ms_per_request_by_process": {
            role: median([r["cpu_ms_per_request_by_process"].get(role, 0.0) for r in runs])
            for role in sorted(roles)
        },
        "rps_all": [round(r["rps"], 1) for r in runs],
        "p50_ms_all": [r["p50_us"] / 1000 for r in runs],
        "p99_ms_all": [r["p99_us"] / 1000 for r in runs],
        "loadavg_all": [r["loadavg_before"] for r in runs],
    }


def measure(
    sides: list[Side],
    args: argparse.Namespace,
    *,
    repeats: int,
    duration: float,
    threads: int = 0,
    connections: int = 0,
    tag: str = "",
) -> dict[str, dict[str, Any]]:
    """``repeats`` rounds of one wrk run per side, interleaved; medians per side."""
    runs: dict[str, list[dict[str, Any]]] = {side.name: [] for side in sides}
    for round_ in range(repeats):
        for side in sides:
            result = run_wrk(side, args, duration, threads=threads, connections=connections)
            runs[side.name].append(result)
            print(
                f"  {tag}[{round_ + 1}/{repeats}] {side.name:<7} {result['rps']:8.1f} req/s"
                f"  p50 {result['p50_us'] / 1000:7.2f} ms  p99 {result['p99_us'] / 1000:7.2f} ms"
                f"  errors {result['errors_total']}"
                f"  CPU {result['cpu_ms_per_request']:.3f} ms/req"
                f"  (loadavg {result['loadavg_before']})",
                flush=True,
            )
    return {name: summarize(r) for name, r in runs.items()}


def start_sides(
    args: argparse.Namespace, model: IrisModel, work: Path, stack: contextlib.ExitStack
) -> tuple[list[Side], StudioServer]:
    """Start the studio (and deploy), the direct model server and mlflow; check answers."""
    pending = None
    if not args.skip_mlflow:
        pending = stack.enter_context(mlflow_server(model, work))  # starts in the background
    studio = stack.enter_context(StudioServer(work, extra_args=tuple(args.studio_arg)))
    t0 = time.monotonic()
    studio.deploy(model, ENDPOINT)
    print(f"  studio: jupyter server up, endpoint InService in {time.monotonic() - t0:.1f} s")
    assert studio.process is not None
    (model_dir,) = studio.instance_model_dirs(ENDPOINT)
    direct = stack.enter_context(ModelServer(model_dir, model.program, work / "model-server.log"))
    assert direct.process is not None
    print(f"  direct: model server on {direct.url} serving {model_dir}", flush=True)
    sides = [
        Side(
            "studio",
            "studio POST /mlstudio/api/endpoints/{name}/invocations",
            studio.invocation_url(ENDPOINT),
            studio.authorization,
            psutil.Process(studio.process.pid),
        ),
        Side(
            "direct",
            "model_server.py directly, POST /invocations",
            f"{direct.url}/invocations",
            "",
            psutil.Process(direct.process.pid),
        ),
    ]
    if pending is not None:
        sides.append(pending.ready())
        print("  mlflow: models serve up", flush=True)
    for side in sides:
        check_answers(side, model)
    print(f"  every server answers rows {list(CHECK_ROWS)} with the model's predictions")
    return sides, studio


def ratios(load: dict[str, dict[str, Any]], one: dict[str, dict[str, Any]]) -> dict[str, Any]:
    studio, direct = load["studio"], load["direct"]
    out: dict[str, Any] = {
        "studio_over_direct_rps": studio["rps"] / direct["rps"],
        "added_p50_ms": studio["p50_ms"] - direct["p50_ms"],
        "added_p99_ms": studio["p99_ms"] - direct["p99_ms"],
        "studio_cpu_over_direct_cpu": studio["cpu_ms_per_request"] / direct["cpu_ms_per_request"],
    }
    if one:
        out["added_p50_ms_one_connection"] = one["studio"]["p50_ms"] - one["direct"]["p50_ms"]
        out["added_p99_ms_one_connection"] = one["studio"]["p99_ms"] - one["direct"]["p99_ms"]
    if "mlflow" in load:
        out["studio_over_mlflow_rps"] = studio["rps"] / load["mlflow"]["rps"]
        out["direct_over_mlflow_rps"] = direct["rps"] / load["mlflow"]["rps"]
    return out


def report(
    sides: list[Side],
    load: dict[str, dict[str, Any]],
    one: dict[str, dict[str, Any]],
    rel: dict[str, Any],
    figures: dict[str, Any],
    args: argparse.Namespace,
) -> dict[str, bool]:
    print(
        f"\nUnder load: wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s,"
        f" median of {args.repeats} (loadavg now {loadavg()}):"
    )
    columns = ("req/s", "p50 ms", "p99 ms")
    print(f"  {'server':<58} " + " ".join(f"{c:>8}" for c in columns) + " CPU ms/req  errors")
    for side in sides:
        r = load[side.name]
        print(
            f"  {side.label:<58} {r['rps']:8.1f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f}"
            f" {r['cpu_ms_per_request']:10.3f} {r['errors']:7d}"
        )
        for role, ms in r["cpu_ms_per_request_by_process"].items():
            print(f"  {'':<4}{role:<54} {'':>8} {'':>8} {'':>8} {ms:10.3f}")
    if one:
        print(
            f"\nOne connection: wrk -t1 -c1 -d{args.latency_duration:g}s, median of"
            f" {args.latency_repeats} (no queueing: the router's own latency):"
        )
        for side in sides:
            if side.name in one:
                r = one[side.name]
                print(
                    f"  {side.label:<58} {r['rps']:8.1f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f}"
                    f" {r['cpu_ms_per_request']:10.3f} {r['errors']:7d}"
                )
    aims = {
        "rps_ratio_ge_0_8": rel["studio_over_direct_rps"] >= 0.8,
        "added_p50_le_2ms": rel["added_p50_ms"] <= 2.0,
    }
    if one:
        aims["added_p50_le_2ms_one_connection"] = rel["added_p50_ms_one_connection"] <= 2.0

    def verdict(key: str) -> str:
        return "meets" if aims[key] else "MISSES"

    def row(label: str, text: str) -> None:
        print(f"  {label:<38}{text}")

    print("\nRatios:")
    row(
        "studio / direct throughput",
        f"{rel['studio_over_direct_rps']:7.2f}    ({verdict('rps_ratio_ge_0_8')} the >= 0.80 aim)",
    )
    row(
        f"added p50, -c{args.connections}",
        f"{rel['added_p50_ms']:7.2f} ms ({verdict('added_p50_le_2ms')} the <= 2 ms aim; at"
        f" saturation p50 is mostly queueing, ~{args.connections} / req/s)",
    )
    row(f"added p99, -c{args.connections}", f"{rel['added_p99_ms']:7.2f} ms")
    if one:
        row(
            "added p50, one connection",
            f"{rel['added_p50_ms_one_connection']:7.2f} ms"
            f" ({verdict('added_p50_le_2ms_one_connection')} the <= 2 ms aim)",
        )
        row("added p99, one connection", f"{rel['added_p99_ms_one_connection']:7.2f} ms")
    row(
        "CPU per request, studio / direct",
        f"{rel['studio_cpu_over_direct_cpu']:7.2f}x   (the studio's processes vs the model server)",
    )
    if "studio_over_mlflow_rps" in rel:
        row("studio / mlflow throughput", f"{rel['studio_over_mlflow_rps']:7.2f}x   (aim >= 3x)")
        row("direct / mlflow throughput", f"{rel['direct_over_mlflow_rps']:7.2f}x")
    if figures:
        row(
            "the router's own figures",
            f"ModelLatency P50 {figures['ModelLatency']['P50']} ms,"
            f" OverheadLatency P50 {figures['OverheadLatency']['P50']} ms",
        )
    return aims


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=15, help="seconds per wrk run")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t")
    parser.add_argument("--connections", type=int, default=32, help="wrk -c")
    parser.add_argument("--repeats", type=int, default=3, help="rounds (median reported)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up per server")
    parser.add_argument(
        "--latency-duration", type=float, default=3, help="seconds per one-connection run"
    )
    parser.add_argument(
        "--latency-repeats", type=int, default=2, help="one-connection rounds (0: none)"
    )
    parser.add_argument("--skip-mlflow", action="store_true")
    parser.add_argument(
        "--studio-arg",
        action="append",
        default=[],
        help="extra jupyter server argument, e.g. --studio-arg=--log-level=DEBUG",
    )
    parser.add_argument("--json", type=Path, default=ROOT / "build" / "bench-serving.json")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk (Debian package 'wrk')")

    started = time.monotonic()
    work = scratch_dir("serving-")
    print(
        f"Serving: iris DecisionTreeClassifier, one-row JSON, wrk -t{args.threads}"
        f" -c{args.connections} -d{args.duration:g}s, {args.repeats} rounds;"
        f" {psutil.cpu_count()} CPUs, loadavg {loadavg()}",
        flush=True,
    )
    print(f"  scratch: {work}", flush=True)
    model = build_iris_model(work / "iris")
    one: dict[str, dict[str, Any]] = {}
    with contextlib.ExitStack() as stack:
        sides, studio = start_sides(args, model, work, stack)
        print(f"  servers ready after {time.monotonic() - started:.0f} s", flush=True)
        for side in sides:
            run_wrk(side, args, args.warmup)
        load = measure(sides, args, repeats=args.repeats, duration=args.duration)
        if args.latency_repeats > 0:
            one = measure(
                [s for s in sides if s.name in ("studio", "direct")],
                args,
                repeats=args.latency_repeats,
                duration=args.latency_duration,
                threads=1,
                connections=1,
                tag="c1 ",
            )
        figures = studio_figures(studio)
        print(f"  measured after {time.monotonic() - started:.0f} s; stopping the servers")
    rel = ratios(load, one)
    aims = report(sides, load, one, rel, figures, args)
    elapsed = time.monotonic() - started
    print(f"  total {elapsed:.0f} s; loadavg {loadavg()}")
    out = {
        "settings": {
            "wrk": f"-t{args.threads} -c{args.connections} -d{args.duration:g}s",
            "repeats": args.repeats,
            "one_connection": f"-t1 -c1 -d{args.latency_duration:g}s x {args.latency_repeats}",
            "body": BODY,
            "cpus": psutil.cpu_count(),
            "studio_args": args.studio_arg,
        },
        "servers": {side.name: {"label": side.label, **load[side.name]} for side in sides},
        "one_connection": one,
        "ratios": rel,
        "aims": aims,
        "studio_figures": figures,
        "seconds": round(elapsed, 1),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, indent=2))
    print(f"  figures written to {args.json}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
