"""Model Monitor: what the analyzer costs against a hand-rolled pandas profile.

Two workloads, each run by the studio's analyzer (``python -m
jupyter_mlstudio.monitoring`` configured by environment variables, in a fresh
interpreter) and by pandas in another fresh interpreter:

- **baseline**: a ``--rows``-row (default 1,000,000), 20-column CSV with a header (8
  Fractional, 8 Integral, 4 String columns); the analyzer writes statistics.json (KLL,
  HLL and frequent-strings sketches per column) and constraints.json; pandas does
  ``read_csv`` + ``describe()`` + ``value_counts()`` of every column (the floor a
  hand-rolled profile would reach).
- **execution**: ``--records`` (default 100,000) captured records (SageMaker's capture JSON
  lines, one CSV row of 19 feature columns a record, the label in endpointOutput) checked
  against that baseline (statistics.json of the window, constraint_violations.json,
  feature_drift.json); pandas parses the same JSON lines, reads the CSV payloads with
  ``read_csv`` and runs ``describe()`` + ``value_counts()``.

Rows/s are rows over the wall time of the work (reading included; the interpreter's
start-up and imports excluded), the ratio is studio / pandas (aim: >= 0.5), and each side's
peak RSS is its own process's ``ru_maxrss``. Data goes to ``build/bench-tmp/monitor-*``
(deleted afterwards unless ``--keep``). ``--workers 1`` keeps the analyzer on one core.

Run: ``.venv/bin/python benchmarks/bench_monitor.py`` (``--rows 200000 --records 20000``
for a smoke run; see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import STUDIO_PYTHON, fmt_rate, run_child, scratch_dir

AIM = 0.5
FRACTIONAL, INTEGRAL, STRINGS = 8, 8, 4
CITIES = np.array(["berlin", "paris", "rome", "madrid", "lisbon", "vienna", "oslo", "bern"])

STUDIO_CODE = """
import json, os, resource, time
from jupyter_mlstudio.monitoring.program import main
env = json.loads(os.environ["BENCH_ENV"])
_r = resource.getrusage(resource.RUSAGE_SELF)
CPU0 = _r.ru_utime + _r.ru_stime
start = time.perf_counter()
rc = main({**os.environ, **env})
wall = time.perf_counter() - start
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
me = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime - CPU0
print(json.dumps({"rc": rc, "wall": wall, "rss_kb": hwm, "workers_rss_kb": kids.ru_maxrss,
                  "cpu": cpu}))
"""

PANDAS_BASELINE = """
import json, os, resource, time
import pandas as pd
_r = resource.getrusage(resource.RUSAGE_SELF)
CPU0 = _r.ru_utime + _r.ru_stime
start = time.perf_counter()
df = pd.read_csv(os.environ["BENCH_CSV"])
described = df.describe()
counts = {c: df[c].value_counts() for c in df.columns}
wall = time.perf_counter() - start
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
me = resource.getrusage(resource.RUSAGE_SELF)
cpu = me.ru_utime + me.ru_stime - CPU0
print(json.dumps({"rows": len(df), "wall": wall, "rss_kb": hwm, "workers_rss_kb": 0,
                  "cpu": cpu}))
"""

PANDAS_CAPTURE = """
import io, json, os, resource, time
from pathlib import Path
import pandas as pd
_r = resource.getrusage(resource.RUSAGE_SELF)
CPU0 = _r.ru_utime + _r.ru_stime
start = time.perf_counter()
rows = []
for path in sorted(Path(os.environ["BENCH_CAPTURE"]).rglob("*.jsonl")):
    with open(path, "rb") as f:
        for line in f:
            record = json.loads(line)
            rows.append(record["captureData"]["endpointInput"]["data"])
df = pd.read_csv(io.StringIO("\\n".join(rows)), header=None)
described = df.describe()
counts = {c: df[c].value_counts() for c in df.columns}
wall = time.perf_counter() - start
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
me = resource.getrusage(resource.RUSAGE_SELF)
cpu = me.ru_utime + me.ru_stime - CPU0
print(json.dumps({"rows": len(df), "wall": wall, "rss_kb": hwm, "workers_rss_kb": 0,
                  "cpu": cpu}))
"""


def _columns(rng: np.random.Generator, n: int, shift: float) -> list[np.ndarray]:
    cols: list[np.ndarray] = []
    for i in range(FRACTIONAL):
        cols.append(np.char.mod("%.4f", rng.normal(10 * i + shift, 1 + i, n)))
    for i in range(INTEGRAL):
        cols.append(rng.integers(0, 10 ** (1 + i % 4), n).astype(str))
    for _ in range(STRINGS):
        cols.append(CITIES[rng.integers(0, len(CITIES), n)])
    return cols


def write_baseline(path: Path, rows: int, seed: int = 0) -> None:
    """The baseline CSV: ``label`` (Integral) first, then 19 features."""
    rng = np.random.default_rng(seed)
    names = ["label"] + [f"f{i}" for i in range(FRACTIONAL - 1)]
    names += [f"i{i}" for i in range(INTEGRAL)] + [f"s{i}" for i in range(STRINGS)]
    with open(path, "w") as f:
        f.write(",".join(names) + "\n")
        for start in range(0, rows, 100_000):
            n = min(100_000, rows - start)
            cols = _columns(rng, n, 0.0)
            cols[0] = rng.integers(0, 2, n).astype(str)
            lines = [",".join(r) for r in zip(*cols, strict=True)]
            f.write("\n".join(lines) + "\n")


def write_capture(folder: Path, records: int, seed: int = 1) -> None:
    """Captured records in SageMaker's layout, one hour, half of them shifted."""
    rng = np.random.default_rng(seed)
    hour = folder / "bench-ep" / "AllTraffic" / "2026" / "12" / "06" / "10"
    hour.mkdir(parents=True)
    done = 0
    part = 0
    while done < records:
        n = min(50_000, records - done)
        cols = _columns(rng, n, 0.5 if part % 2 else 0.0)
        labels = rng.random(n)
        with open(hour / f"{part:04d}.jsonl", "w") as f:
            for i, row in enumerate(zip(*cols[1:], strict=True)):
                k = done + i
                record = {
                    "captureData": {
                        "endpointInput": {
                            "observedContentType": "text/csv",
                            "mode": "INPUT",
                            "data": ",".join(row),
                            "encoding": "CSV",
                        },
                        "endpointOutput": {
                            "observedContentType": "text/csv",
                            "mode": "OUTPUT",
                            "data": f"{labels[i]:.4f}",
                            "encoding": "CSV",
                        },
                    },
                    "eventMetadata": {
                        "eventId": f"event-{k}",
                        "inferenceTime": f"2026-12-06T10:{k // 3600 % 60:02d}:{k % 60:02d}Z",
                    },
                    "eventVersion": "0",
                }
                f.write(json.dumps(record) + "\n")
        done += n
        part += 1


WORKERS: dict[str, str] = {}


def studio(env: dict[str, str]) -> dict[str, Any]:
    """Run the analyzer in a fresh interpreter with ``env``."""
    env = {**env, **WORKERS}
    result: dict[str, Any] = run_child(
        STUDIO_PYTHON, STUDIO_CODE, env={"BENCH_ENV": json.dumps(env)}
    )
    if result["rc"] != 0:
        raise RuntimeError("the analyzer failed")
    return result


def main() -> None:
    """Generate the data, run both sides of both workloads, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument(
        "--workers", type=int, default=0, help="the analyzer's worker processes (0: its default)"
    )
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.workers:
        WORKERS["MLSTUDIO_MONITOR_WORKERS"] = str(args.workers)
    work = scratch_dir("monitor-")
    try:
        csv_path = work / "baseline.csv"
        write_baseline(csv_path, args.rows)
        write_capture(work / "capture", args.records)
        size = csv_path.stat().st_size / 1e6
        print(f"data: {args.rows:,} rows x 20 columns ({size:.0f} MB), {args.records:,} records")
        out = work / "baseline-out"
        base = studio(
            {
                "dataset_format": '{"csv": {"header": true, "output_columns_position": "START"}}',
                "dataset_source": str(csv_path),
                "output_path": str(out),
            }
        )
        pandas_base = run_child(STUDIO_PYTHON, PANDAS_BASELINE, env={"BENCH_CSV": str(csv_path)})
        execution = studio(
            {
                "dataset_format": '{"sagemakerCaptureJson": {"captureIndexNames": '
                '["endpointInput", "endpointOutput"]}}',
                "dataset_source": str(work / "capture"),
                "output_path": str(work / "execution-out"),
                "baseline_statistics": str(out / "statistics.json"),
                "baseline_constraints": str(out / "constraints.json"),
                "start_time": "2026-12-06T10:00:00Z",
                "end_time": "2026-12-06T11:00:00Z",
            }
        )
        pandas_exec = run_child(
            STUDIO_PYTHON, PANDAS_CAPTURE, env={"BENCH_CAPTURE": str(work / "capture")}
        )
        violations = json.loads((work / "execution-out" / "constraint_violations.json").read_text())
        figures: dict[str, Any] = {}
        for name, ours, theirs, rows in (
            ("baseline", base, pandas_base, args.rows),
            ("execution", execution, pandas_exec, args.records),
        ):
            ratio = theirs["wall"] / ours["wall"]
            figures[name] = {
                "rows": rows,
                "studio_s": ours["wall"],
                "studio_cpu_s": ours["cpu"],
                "studio_rows_per_s": rows / ours["wall"],
                "studio_peak_rss_mb": ours["rss_kb"] / 1024,
                "studio_worker_peak_rss_mb": ours["workers_rss_kb"] / 1024,
                "pandas_s": theirs["wall"],
                "pandas_cpu_s": theirs["cpu"],
                "pandas_rows_per_s": rows / theirs["wall"],
                "pandas_peak_rss_mb": theirs["rss_kb"] / 1024,
                "ratio": ratio,
                "cpu_ratio": theirs["cpu"] / ours["cpu"],
            }
            print(
                f"{name:9s} studio {fmt_rate(rows / ours['wall'])} rows/s "
                f"({ours['wall']:.2f} s, CPU {ours['cpu']:.2f} s, peak RSS "
                f"{ours['rss_kb'] / 1024:.0f} MB + workers <= "
                f"{ours['workers_rss_kb'] / 1024:.0f} MB each) | pandas "
                f"{fmt_rate(rows / theirs['wall'])} rows/s ({theirs['wall']:.2f} s, CPU "
                f"{theirs['cpu']:.2f} s, peak RSS {theirs['rss_kb'] / 1024:.0f} MB) | ratio "
                f"{ratio:.2f}x ({'meets' if ratio >= AIM else 'misses'} >= {AIM}x; CPU "
                f"{theirs['cpu'] / ours['cpu']:.2f}x)"
            )
        print(f"execution violations: {len(violations['violations'])}")
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2))
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
