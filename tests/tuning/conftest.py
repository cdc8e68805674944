"""Fixtures of the tuning tests: a tuning service on the process runtime, and a training
script whose objective is a known function of its hyperparameters."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.artifacts import open_artifact_store
from jupyter_mlstudio.config import StudioConfig, resolve_config
from jupyter_mlstudio.entities import JobKind
from jupyter_mlstudio.services.jobs.service import JobService
from jupyter_mlstudio.services.jobs.tuning.service import TuningService
from jupyter_mlstudio.store import open_store
from jupyter_mlstudio.store.base import MetadataStore

#: prints ``objective: <value>`` once per epoch; the value peaks at x=3 (and is better
#: with kernel "rbf"); a "plateau" run (x > 6) stays flat and low every epoch
SCRIPT = """
import argparse, sys, time
parser = argparse.ArgumentParser()
parser.add_argument("-x", type=float, default=0.0)  # one letter: -x, as SageMaker passes it
parser.add_argument("--n-estimators", type=int, default=1)
parser.add_argument("--kernel", default="linear")
parser.add_argument("--epochs", type=int, default=1)
parser.add_argument("--sleep", type=float, default=0.0)
parser.add_argument("--fail-above", type=float, default=1e9)
args, _ = parser.parse_known_args()
if args.x > args.fail_above:
    sys.exit("x is too large")
final = 10 - (args.x - 3) ** 2 + (1 if args.kernel == "rbf" else 0) + args.n_estimators / 1000
for epoch in range(1, args.epochs + 1):
    value = -5.0 if args.x > 6 else final * epoch / args.epochs
    stream = sys.stderr if epoch % 2 else sys.stdout
    print(f"epoch {epoch} objective: {value}", file=stream, flush=True)
    time.sleep(args.sleep)
"""


def objective_of(x: float, kernel: str = "linear", n_estimators: int = 1) -> float:
    return 10 - (x - 3) ** 2 + (1 if kernel == "rbf" else 0) + n_estimators / 1000


@pytest.fixture
def tuning_config(tmp_path: Path) -> StudioConfig:
    home = tmp_path / "home"
    home.mkdir()
    return resolve_config(home=home, default_runtime="process")


@pytest.fixture
def store(tuning_config: StudioConfig) -> Iterator[MetadataStore]:
    opened = open_store(tuning_config.database_url)
    yield opened
    opened.close()


@pytest.fixture
def tuning(tuning_config: StudioConfig, store: MetadataStore) -> Iterator[TuningService]:
    artifacts = open_artifact_store(tuning_config.artifact_root)
    jobs = JobService(store, artifacts, tuning_config)
    service = TuningService(store, tuning_config, jobs)
    yield service
    for job in store.list_jobs(kind=JobKind.TUNING, max_results=100).items:
        if job.status.value in ("InProgress", "Stopping"):
            with contextlib.suppress(Exception):
                service.stop_tuning_job(job.job_name)
            service.wait(job.job_name, 60)
    service.close()
    for job in store.list_jobs(max_results=1000).items:
        if job.status.value in ("InProgress", "Stopping"):
            with contextlib.suppress(Exception):
                jobs.stop_job(job.job_name, job.kind)
            jobs.wait(job.job_name, 30)
    jobs.close()


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "code" / "train.py"
    path.parent.mkdir()
    path.write_text(SCRIPT)
    return path


def tuning_request(
    name: str,
    script: Path,
    *,
    strategy: str = "Random",
    max_jobs: int = 4,
    parallel: int = 2,
    static: dict[str, str] | None = None,
    ranges: dict[str, Any] | None = None,
    **config: Any,
) -> dict[str, Any]:
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": {
            "Strategy": strategy,
            "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "objective"},
            "ResourceLimits": {
                "MaxNumberOfTrainingJobs": max_jobs,
                "MaxParallelTrainingJobs": parallel,
            },
            "ParameterRanges": ranges
            or {
                "ContinuousParameterRanges": [
                    {"Name": "x", "MinValue": "0", "MaxValue": "6", "ScalingType": "Linear"}
                ],
                "IntegerParameterRanges": [
                    {"Name": "n-estimators", "MinValue": "10", "MaxValue": "200"}
                ],
            },
            "RandomSeed": 7,
            **config,
        },
        "TrainingJobDefinition": {
            "StaticHyperParameters": static or {},
            "ScriptMode": {"EntryPoint": str(script)},
            "AlgorithmSpecification": {
                "MetricDefinitions": [{"Name": "objective", "Regex": r"objective: (-?[0-9.]+)"}]
            },
        },
    }
