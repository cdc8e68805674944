"""Fixtures of the pipeline tests: pipelines and their executions on the process runtime
(a fresh home each), and tiny scripts for the steps."""

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
from jupyter_mlstudio.services.pipelines.executions import PipelineExecutions
from jupyter_mlstudio.services.pipelines.service import PipelineService
from jupyter_mlstudio.store import open_store
from jupyter_mlstudio.store.base import MetadataStore

CODE = "/opt/ml/processing/input/code"
OUTPUT = "/opt/ml/processing/output/evaluation"
#: writes {"accuracy": <--accuracy>} to the evaluation output; exits 1 on --fail
EVALUATE = """
import argparse, json, os, sys
parser = argparse.ArgumentParser()
parser.add_argument("--accuracy", type=float, default=0.0)
parser.add_argument("--fail", default="")
parser.add_argument("--output", default="/opt/ml/processing/output/evaluation")
args = parser.parse_args()
if args.fail:
    sys.exit(args.fail)
with open(os.path.join(args.output, "evaluation.json"), "w") as f:
    json.dump({"metrics": {"accuracy": args.accuracy}}, f)
"""
#: prints its hyperparameters, sleeps --sleep seconds, writes a model file
TRAIN = """
import argparse, os, sys, time
parser = argparse.ArgumentParser()
parser.add_argument("--sleep", type=float, default=0.0)
parser.add_argument("--base", default="")
args, _ = parser.parse_known_args()
print("base=" + args.base, flush=True)
time.sleep(args.sleep)
with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w") as f:
    f.write("model")
"""


@pytest.fixture
def pipeline_config(tmp_path: Path) -> StudioConfig:
    home = tmp_path / "home"
    home.mkdir()
    return resolve_config(home=home, default_runtime="process")


@pytest.fixture
def scripts(tmp_path: Path) -> Path:
    folder = tmp_path / "code"
    folder.mkdir()
    (folder / "evaluate.py").write_text(EVALUATE)
    (folder / "train.py").write_text(TRAIN)
    return folder


@pytest.fixture
def store(pipeline_config: StudioConfig) -> Iterator[MetadataStore]:
    opened = open_store(pipeline_config.database_url)
    yield opened
    opened.close()


@pytest.fixture
def jobs(pipeline_config: StudioConfig, store: MetadataStore) -> Iterator[JobService]:
    artifacts = open_artifact_store(pipeline_config.artifact_root)
    service = JobService(store, artifacts, pipeline_config)
    yield service
    for job in store.list_jobs(max_results=1000).items:
        if job.kind is not JobKind.PIPELINE_EXECUTION and job.status.value in (
            "InProgress",
            "Stopping",
        ):
            with contextlib.suppress(Exception):
                service.stop_job(job.job_name, job.kind)
            service.wait(job.job_name, 30)
    service.close()


@pytest.fixture
def pipelines(store: MetadataStore) -> PipelineService:
    return PipelineService(store)


@pytest.fixture
def executions(store: MetadataStore, jobs: JobService) -> Iterator[PipelineExecutions]:
    service = PipelineExecutions(store, jobs)
    yield service
    for job in store.list_jobs(kind=JobKind.PIPELINE_EXECUTION, max_results=100).items:
        if job.status.value == "InProgress":
            with contextlib.suppress(Exception):
                service.stop(job.job_name)
        service.wait(job.job_name, 60)
    service.close()


def evaluate_step(
    name: str, scripts: Path, out: Path, accuracy: Any, **extra: Any
) -> dict[str, Any]:
    """A processing step running evaluate.py with ``--accuracy`` (a value or a Get)."""
    arguments = ["--output", OUTPUT, "--accuracy", accuracy, *extra.pop("more_arguments", [])]
    return {
        "Name": name,
        "Type": "Processing",
        "Arguments": {
            "AppSpecification": {
                "ContainerEntrypoint": ["python3", f"{CODE}/evaluate.py"],
                "ContainerArguments": arguments,
            },
            "ProcessingInputs": [
                {"InputName": "code", "S3Input": {"S3Uri": str(scripts), "LocalPath": CODE}}
            ],
            "ProcessingOutputConfig": {
                "Outputs": [
                    {
                        "OutputName": "evaluation",
                        "S3Output": {"S3Uri": out.as_uri(), "LocalPath": OUTPUT},
                    }
                ]
            },
            "ProcessingResources": {"ClusterConfig": {"InstanceType": "local", "InstanceCount": 1}},
        },
        "PropertyFiles": [
            {
                "PropertyFileName": "Report",
                "OutputName": "evaluation",
                "FilePath": "evaluation.json",
            }
        ],
        **extra,
    }


def train_step(name: str, scripts: Path, **hyperparameters: Any) -> dict[str, Any]:
    return {
        "Name": name,
        "Type": "Training",
        "Arguments": {
            "ScriptMode": {"EntryPoint": str(scripts / "train.py")},
            "HyperParameters": hyperparameters,
            "ResourceConfig": {"InstanceType": "local", "InstanceCount": 1},
        },
    }
