"""AutoML: the studio's AutoML job against FLAML on the same split, the same metric.

1. **Studio.** A 50,000-row binary table (``tests/support/automl_data.py``: numeric,
   categorical and missing values, an identifier and a constant column) is written under
   ``build/bench-tmp/``, and an AutoML job of ``MaxCandidates`` 10 (Mode
   HYPERPARAMETER_TUNING, objective F1, the default) runs on the process runtime through an
   in-process :class:`AutoMLService` over a scratch home, as ``tests/automl`` runs one.
   Figures: the wall time from ``create_automl_job`` to Completed, the best candidate's F1
   on the job's holdout, and each candidate's algorithm, F1, job time and fit time.
2. **FLAML** (``flaml[automl]``) in one process of its own venv (``build/flaml-venv``,
   created on first use by ``benchmarks/setup_flaml.sh``), given exactly the job's split:
   the ``Outputs.DataLocation`` ``Train`` file as its training data and ``Validation`` as
   ``X_val``/``y_val`` (so it also selects on that holdout), ``task="classification"``,
   ``metric="f1"`` (FLAML label-encodes the target in sorted order, so its positive class
   is the second sorted label, as the studio's F1), ``retrain_full=False`` (the model is
   not refitted on the holdout). Its F1 is computed on the holdout with scikit-learn,
   ``pos_label`` = the second sorted label. Two runs: (a) ``time_budget`` = the studio's
   wall time, (b) ``max_iter`` = the studio's candidates, no time limit.

Prints the studio's wall and F1, FLAML (a)'s F1 and the objective ratio studio / FLAML
(aim ≥ 0.99), FLAML (b)'s wall and F1 and the wall-time ratio studio / FLAML (b) (aim
≤ 1.5). FLAML's wall is timed inside its process from reading the two CSV files to the
holdout's predictions (its interpreter start and imports are printed apart).

Run: ``.venv/bin/python benchmarks/bench_autopilot.py`` (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
# the repository root, for the table generator in tests/support (not in the package)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import ROOT, run_child, scratch_dir

from tests.support.automl_data import TARGETS, write_table

FLAML_VENV = ROOT / "build" / "flaml-venv"
FLAML_PYTHON = FLAML_VENV / "bin" / "python"
JOB_NAME = "bench-churn"

# Runs in build/flaml-venv; prints one JSON line last.
FLAML_CHILD = """
import json, sys, time
began = time.perf_counter()
import pandas as pd
from flaml import AutoML
import flaml
from sklearn.metrics import f1_score
imported = time.perf_counter()
args = json.loads(sys.argv[1])
train = pd.read_csv(args["train"], low_memory=False)
holdout = pd.read_csv(args["validation"], low_memory=False)
target = args["target"]
x_train = train.drop(columns=[target])
y_train = train[target].astype(str)
x_val = holdout.drop(columns=[target])
y_val = holdout[target].astype(str)
positive = sorted(set(y_train))[1]
settings = dict(
    task="classification",
    metric="f1",
    X_val=x_val,
    y_val=y_val,
    retrain_full=False,
    seed=args["seed"],
    verbose=0,
    n_jobs=-1,
)
if args["time_budget"] is not None:
    settings["time_budget"] = args["time_budget"]
else:
    settings.update(time_budget=-1, max_iter=args["max_iter"])
automl = AutoML()
searched = time.perf_counter()
automl.fit(x_train, y_train, **settings)
fitted = time.perf_counter()
predicted = automl.predict(x_val)
done = time.perf_counter()
assert list(automl.classes_) == sorted(automl.classes_), automl.classes_
print(json.dumps({
    "version": flaml.__version__,
    "import_s": imported - began,
    "wall_s": done - imported,
    "search_s": fitted - searched,
    "f1": float(f1_score(y_val, predicted, pos_label=positive)),
    "flaml_best_f1": 1.0 - float(automl.best_loss),
    "positive": positive,
    # config_history holds only the improvements; _iter_per_learner counts every trial
    "trials": sum(automl._iter_per_learner.values()),
    "trials_per_learner": {k: v for k, v in automl._iter_per_learner.items() if v},
    "best_estimator": automl.best_estimator,
    "best_config": automl.best_config,
}, default=str))
"""


def ensure_flaml() -> Path:
    """The FLAML venv's python, creating the venv with setup_flaml.sh when missing.

    Returns:
        The path of ``build/flaml-venv/bin/python``.
    """
    if not FLAML_PYTHON.exists():
        subprocess.run(["bash", str(ROOT / "benchmarks" / "setup_flaml.sh")], check=True)
    return FLAML_PYTHON


def run_studio(
    work: Path, table: Path, candidates: int, timeout: float, omp_threads: int | None = None
) -> dict[str, Any]:
    """One AutoML job on an in-process AutoMLService over a scratch home.

    Args:
        work: The scratch folder (the home goes in ``work/home``).
        table: The CSV to learn from.
        candidates: MaxCandidates.
        timeout: Seconds to wait for the job at most.
        omp_threads: ``OMP_NUM_THREADS`` in this process's environment while the job runs
            (the process runtime passes it on to the candidates); None leaves it alone.

    Returns:
        The wall time, the best F1, the split's file paths, the stages and the candidates.
    """
    from jupyter_mlstudio.artifacts import open_artifact_store
    from jupyter_mlstudio.artifacts.transfer import local_path
    from jupyter_mlstudio.config import resolve_config
    from jupyter_mlstudio.entities import JobKind, JobStatus
    from jupyter_mlstudio.services.jobs.automl.candidates import candidate_jobs, metric_values
    from jupyter_mlstudio.services.jobs.automl.service import AutoMLService
    from jupyter_mlstudio.services.jobs.service import JobService
    from jupyter_mlstudio.store import open_store

    home = work / "home"
    home.mkdir(parents=True, exist_ok=True)
    config = resolve_config(home=home, default_runtime="process")
    store = open_store(config.database_url)
    artifacts = open_artifact_store(config.artifact_root)
    jobs = JobService(store, artifacts, config)
    automl = AutoMLService(store, artifacts, config, jobs)
    body = {
        "AutoMLJobName": JOB_NAME,
        "InputDataConfig": [
            {
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": str(table)}},
                "TargetAttributeName": TARGETS["binary"],
            }
        ],
        "AutoMLJobConfig": {
            "CompletionCriteria": {"MaxCandidates": candidates},
            "Mode": "HYPERPARAMETER_TUNING",
        },
    }
    saved = os.environ.get("OMP_NUM_THREADS")
    try:
        if omp_threads is not None:
            os.environ["OMP_NUM_THREADS"] = str(omp_threads)
        load = os.getloadavg()[0]
        start = time.perf_counter()
        automl.create_automl_job(body)
        job = automl.wait(JOB_NAME, timeout)
        wall = time.perf_counter() - start
        if job.status is not JobStatus.COMPLETED:
            raise RuntimeError(f"the AutoML job ended {job.status.value}: {job.failure_reason}")
        outputs = job.outputs or {}
        best = outputs["BestCandidate"]
        rows = []
        for candidate in candidate_jobs(store, JOB_NAME):
            log = jobs.read_logs(candidate.job_name, JobKind.TRAINING).Text
            fitted = re.search(r"fitted in ([0-9.]+)s", log)
            began = candidate.start_time or candidate.creation_time
            model = ((candidate.outputs or {}).get("ModelArtifacts") or {}).get("S3ModelArtifacts")
            rows.append(
                {
                    "name": candidate.job_name,
                    "algorithm": (candidate.spec.get("HyperParameters") or {}).get("algorithm"),
                    "f1": metric_values(candidate).get("F1"),
                    "job_s": (
                        (candidate.end_time - began).total_seconds() if candidate.end_time else None
                    ),
                    "fit_s": float(fitted.group(1)) if fitted else None,
                    "model_mb": (
                        local_path(model, field="model").stat().st_size / 1e6 if model else None
                    ),
                }
            )
        data = outputs["DataLocation"]
        return {
            "wall_s": wall,
            "omp_threads": omp_threads,
            "load": (load, os.getloadavg()[0]),
            "f1": float(best["FinalAutoMLJobObjectiveMetric"]["Value"]),
            "best": best["CandidateName"],
            "secondary_status": outputs.get("AutoMLJobSecondaryStatus"),
            "train": str(local_path(data["Train"], field="Train")),
            "validation": str(local_path(data["Validation"], field="Validation")),
            "stages": _stage_seconds(outputs.get("Stages") or [], job.end_time),
            "candidates": rows,
        }
    finally:
        os.environ.pop("OMP_NUM_THREADS", None)
        if saved is not None:
            os.environ["OMP_NUM_THREADS"] = saved
        automl.close()
        jobs.close()
        store.close()


def _stage_seconds(stages: list[dict[str, Any]], end: Any) -> dict[str, float]:
    from datetime import datetime

    out: dict[str, float] = {}
    for stage in stages:
        began = datetime.fromisoformat(stage["StartTime"])
        ended = datetime.fromisoformat(stage["EndTime"]) if stage.get("EndTime") else end
        if ended is not None:
            out[stage["Stage"]] = (ended - began).total_seconds()
    return out


def run_flaml(
    split: dict[str, Any], *, time_budget: float | None, max_iter: int, seed: int
) -> dict[str, Any]:
    """FLAML on the studio's split in a fresh interpreter of build/flaml-venv.

    Args:
        split: The studio's figures (``train`` and ``validation`` file paths).
        time_budget: FLAML's ``time_budget`` in seconds, or None for ``max_iter`` trials.
        max_iter: Trials when there is no time budget.
        seed: FLAML's seed.

    Returns:
        What the child printed (wall, F1, trials, the best estimator), plus ``process_s``,
        the child's whole life.
    """
    args = {
        "train": split["train"],
        "validation": split["validation"],
        "target": TARGETS["binary"],
        "time_budget": time_budget,
        "max_iter": max_iter,
        "seed": seed,
    }
    load = os.getloadavg()[0]
    start = time.perf_counter()
    out: dict[str, Any] = run_child(ensure_flaml(), _with_argument(FLAML_CHILD, args))
    out["process_s"] = time.perf_counter() - start
    out["load"] = (load, os.getloadavg()[0])
    return out


def _with_argument(code: str, args: dict[str, Any]) -> str:
    # run_child takes code only: hand the arguments over as sys.argv[1]
    return f"import sys\nsys.argv[1:] = [{json.dumps(json.dumps(args))}]\n" + code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--candidates", type=int, default=10)
    parser.add_argument("--parallel", type=int, default=None, help="MLSTUDIO_AUTOML_PARALLEL")
    parser.add_argument("--seed", type=int, default=0, help="FLAML's seed")
    parser.add_argument(
        "--omp-threads",
        type=int,
        default=None,
        help="OMP_NUM_THREADS for the studio's candidates (a diagnostic; FLAML keeps its own)",
    )
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--skip-budget", action="store_true", help="no FLAML run (a)")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    if args.parallel is not None:
        os.environ["MLSTUDIO_AUTOML_PARALLEL"] = str(args.parallel)

    ensure_flaml()
    work = scratch_dir("autopilot-")
    results: dict[str, Any] = {"rows": args.rows, "candidates": args.candidates}
    try:
        table = write_table(work / "data" / "customers.csv", rows=args.rows)
        studio = run_studio(work, table, args.candidates, args.timeout, args.omp_threads)
        results["studio"] = studio
        _print_studio(studio, args.rows)
        if not args.skip_budget:
            budget = round(studio["wall_s"])
            found = run_flaml(studio, time_budget=budget, max_iter=args.candidates, seed=args.seed)
            results["flaml_budget"] = {"time_budget": budget, **found}
            ratio = studio["f1"] / found["f1"]
            verdict = "meets" if ratio >= 0.99 else "MISSES"
            print(f"FLAML (a) time_budget={budget}s")
            _print_flaml(found)
            print(f"  objective ratio studio / FLAML (a)  {ratio:7.4f} ({verdict} the 0.99 aim)")
            results["objective_ratio"] = ratio
        found = run_flaml(studio, time_budget=None, max_iter=args.candidates, seed=args.seed)
        results["flaml_trials"] = found
        ratio = studio["wall_s"] / found["wall_s"]
        verdict = "meets" if ratio <= 1.5 else "MISSES"
        print(f"FLAML (b) max_iter={args.candidates}")
        _print_flaml(found)
        print(f"  wall ratio studio / FLAML (b)       {ratio:7.2f}x ({verdict} the 1.5x aim)")
        print(f"  objective ratio studio / FLAML (b)  {studio['f1'] / found['f1']:7.4f}")
        results["wall_ratio"] = ratio
    finally:
        if args.keep:
            print(f"scratch kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))


def _print_studio(studio: dict[str, Any], rows: int) -> None:
    threads = studio.get("omp_threads")
    shown = f", OMP_NUM_THREADS={threads}" if threads is not None else ""
    print(f"studio AutoML job, {rows:,} rows, {len(studio['candidates'])} candidates{shown}")
    print(f"  wall, create -> Completed           {studio['wall_s']:7.1f} s")
    print(f"  best F1 (holdout)                   {studio['f1']:7.4f}  ({studio['best']})")
    stages = ", ".join(f"{k} {v:.1f}" for k, v in studio["stages"].items())
    print(f"  stages (s): {stages}; load average {_load(studio['load'])}")
    for row in studio["candidates"]:
        f1 = f"{row['f1']:.4f}" if row["f1"] is not None else "-"
        job = f"{row['job_s']:.1f}" if row["job_s"] is not None else "-"
        fit = f"{row['fit_s']:.1f}" if row["fit_s"] is not None else "-"
        size = f"{row['model_mb']:.1f}" if row["model_mb"] is not None else "-"
        print(
            f"    {row['name']:26s} {row['algorithm']:22s} F1 {f1}  job {job:>5s} s"
            f"  fit {fit:>5s} s  model.tar.gz {size:>5s} MB"
        )
    jobs = sum(r["job_s"] or 0.0 for r in studio["candidates"])
    fits = sum(r["fit_s"] or 0.0 for r in studio["candidates"])
    print(
        f"  candidates' jobs {jobs:.1f} s in all, of which fitting {fits:.1f} s (the rest:"
        " process start, imports, reading the split, scoring, saving, packing model.tar.gz)"
    )


def _print_flaml(found: dict[str, Any]) -> None:
    print(f"  wall, read CSVs -> predictions      {found['wall_s']:7.1f} s", end="")
    print(f"  (search {found['search_s']:.1f} s; imports {found['import_s']:.1f} s,", end="")
    print(f" whole process {found['process_s']:.1f} s)")
    print(
        f"  F1 (holdout)                        {found['f1']:7.4f}"
        f"  ({found['trials']} trials, best {found['best_estimator']};"
        f" FLAML's own best {found['flaml_best_f1']:.4f})"
    )
    shown = ", ".join(f"{k} {v}" for k, v in found["trials_per_learner"].items())
    print(f"  trials: {shown}; load average {_load(found['load'])}")


def _load(pair: tuple[float, float]) -> str:
    return f"{pair[0]:.1f} before, {pair[1]:.1f} after"


if __name__ == "__main__":
    main()
