"""Hyperparameter tuning: the tuner's overhead, and whether its Bayesian search pays.

1. **Overhead.** 20 training jobs of a script that sleeps 0.1 s and prints its
   objective, 4 at a time on the process runtime: ``HyperparameterTuner(...).fit()``
   (Random strategy) against the same 20 ``Estimator.fit()`` calls issued by a plain
   thread pool of 4 (each call waits for its job). Wall time, median of ``--repeats``,
   the two ways alternating; bar: tuning at most 1.2x the pool.
2. **Search quality.** The Branin function (minimum 0.397887) as the objective of a
   script, minimised over x1 ∈ [-5, 10], x2 ∈ [0, 15]: the best value after 20 jobs
   (2 at a time) with ``strategy="Bayesian"`` and with ``"Random"``, for ``--seeds`` seeds
   (``random_seed``), median over the seeds; Bayesian should be lower.

Jobs run as a script outside JupyterLab runs them: tracking in a SQLite file, jobs
through the background studio the SDK starts for the scratch home (stopped at the end).

Run: ``.venv/bin/python benchmarks/bench_tuning.py`` (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import median, scratch_dir

SLEEPER = """
import argparse, time
parser = argparse.ArgumentParser()
parser.add_argument("-x", type=float, default=0.0)  # one letter: -x, as SageMaker passes it
args, _ = parser.parse_known_args()
time.sleep(0.1)
print(f"objective: {-(args.x - 3) ** 2}", flush=True)
"""

BRANIN = """
import argparse, math
parser = argparse.ArgumentParser()
parser.add_argument("--x1", type=float)
parser.add_argument("--x2", type=float)
a = parser.parse_known_args()[0]
b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
value = (a.x2 - b * a.x1 ** 2 + c * a.x1 - 6) ** 2 + 10 * (1 - t) * math.cos(a.x1) + 10
print(f"objective: {value}", flush=True)
"""

METRICS = [{"Name": "objective", "Regex": r"objective: (-?[0-9.e+-]+)"}]
BRANIN_MIN = 0.397887


class Bench:
    """The SDK pointed at a scratch home; jobs go to its background studio."""

    def __init__(self, work: Path) -> None:
        self.home = work / "home"
        os.environ["MLSTUDIO_HOME"] = str(self.home)
        os.environ["MLSTUDIO_ARTIFACT_ROOT"] = str(work / "artifacts")
        os.environ["MLSTUDIO_RUNTIME"] = "process"
        from jupyter_mlstudio.sdk import TrackingClient

        self.tracking = TrackingClient(f"sqlite:///{work / 'studio.db'}")
        self.work = work
        self.count = 0

    def estimator(self, script: str, name: str) -> Any:
        from jupyter_mlstudio.sdk.estimator import Estimator

        path = self.work / f"{name}.py"
        path.write_text(script)
        return Estimator(
            entry_point=str(path),
            metric_definitions=METRICS,
            base_job_name=name,
            sagemaker_session=self.tracking,
        )

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}-{self.count}"

    def tuning(self, jobs: int, parallel: int) -> float:
        from jupyter_mlstudio.sdk.tuner import ContinuousParameter, HyperparameterTuner

        tuner = HyperparameterTuner(
            self.estimator(SLEEPER, "sleeper"),
            "objective",
            {"x": ContinuousParameter(0, 6)},
            strategy="Random",
            max_jobs=jobs,
            max_parallel_jobs=parallel,
        )
        start = time.perf_counter()
        tuner.fit(job_name=self.name("tune"), wait=True)
        elapsed = time.perf_counter() - start
        counters = tuner.describe()["TrainingJobStatusCounters"]
        if counters["Completed"] != jobs:
            raise RuntimeError(f"tuning ran {counters}, not {jobs} completed jobs")
        return elapsed

    def pool(self, jobs: int, parallel: int) -> float:
        prefix = self.name("pool")

        def one(i: int) -> None:
            job = self.estimator(SLEEPER, "sleeper")
            job.set_hyperparameters(x=i % 6)
            job.fit(job_name=f"{prefix}-{i:03d}", wait=True, logs=False)

        start = time.perf_counter()
        with ThreadPoolExecutor(parallel) as threads:
            list(threads.map(one, range(jobs)))
        return time.perf_counter() - start

    def branin(self, strategy: str, seed: int, jobs: int, parallel: int) -> float:
        from jupyter_mlstudio.sdk.tuner import ContinuousParameter, HyperparameterTuner

        tuner = HyperparameterTuner(
            self.estimator(BRANIN, "branin"),
            "objective",
            {"x1": ContinuousParameter(-5, 10), "x2": ContinuousParameter(0, 15)},
            strategy=strategy,
            objective_type="Minimize",
            max_jobs=jobs,
            max_parallel_jobs=parallel,
            random_seed=seed,
        )
        tuner.fit(job_name=self.name(f"branin-{strategy.lower()}"), wait=True)
        best = tuner.describe()["BestTrainingJob"]
        return float(best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"])

    def close(self) -> None:
        from jupyter_mlstudio.ownership import stop_owner

        self.tracking.close()
        stop_owner(self.home)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()

    work = scratch_dir("tuning-")
    bench = Bench(work)
    results: dict[str, Any] = {"jobs": args.jobs, "parallel": args.parallel}
    try:
        bench.tuning(4, 2), bench.pool(4, 2)  # warm-up: the studio, imports, page cache
        tunings: list[float] = []
        pools: list[float] = []
        for i in range(args.repeats):
            order = (bench.tuning, bench.pool) if i % 2 == 0 else (bench.pool, bench.tuning)
            for way in order:
                elapsed = way(args.jobs, args.parallel)
                (tunings if way == bench.tuning else pools).append(elapsed)
        tune_s, pool_s = median(tunings), median(pools)
        ratio = tune_s / pool_s
        verdict = "within" if ratio <= 1.2 else "OVER"
        print(
            f"{args.jobs} jobs of a 0.1 s script, {args.parallel} at a time,"
            f" median of {args.repeats} (s)"
        )
        print(f"  HyperparameterTuner.fit (Random)      {tune_s:7.2f}")
        print(f"  thread pool of Estimator.fit          {pool_s:7.2f}")
        print(f"  ratio tuning / pool                   {ratio:7.2f}x ({verdict} the 1.2x bar)")
        results["overhead"] = {
            "tuning_s": tune_s,
            "pool_s": pool_s,
            "ratio": ratio,
            "tuning_all_s": [round(v, 2) for v in tunings],
            "pool_all_s": [round(v, 2) for v in pools],
        }
        if not args.skip_search:
            found: dict[str, list[float]] = {"Bayesian": [], "Random": []}
            for seed in range(args.seeds):
                for strategy in found:
                    found[strategy].append(bench.branin(strategy, seed, args.jobs, 2))
            print(f"Branin (minimum {BRANIN_MIN}), best after {args.jobs} jobs, {args.seeds} seeds")
            for strategy, values in found.items():
                shown = ", ".join(f"{v:.3f}" for v in values)
                print(f"  {strategy:9s} median {median(values):7.3f}   ({shown})")
            better = median(found["Bayesian"]) < median(found["Random"])
            print(f"  Bayesian {'beats' if better else 'does NOT beat'} Random")
            results["branin"] = {k: {"median": median(v), "all": v} for k, v in found.items()}
    finally:
        bench.close()
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
