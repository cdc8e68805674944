"""Fixtures of the lineage tests: a studio on the process runtime (a fresh home each) and
the scripts of a tiny prepare → train → serve chain."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.config import StudioConfig, resolve_config
from jupyter_mlstudio.entities import JobStatus
from jupyter_mlstudio.services.studio import Studio

CODE = "/opt/ml/processing/input/code"
PREPARED = "/opt/ml/processing/output/prepared"
#: writes a CSV to its output folder (its argument: the runtime maps /opt/ml paths)
PREPARE = """
import os, sys
with open(os.path.join(sys.argv[1], "train.csv"), "w") as f:
    f.write("1,0.5\\n0,0.1\\n")
"""
#: reads its train channel, writes a model file
TRAIN = """
import os
rows = open(os.path.join(os.environ["SM_CHANNEL_TRAIN"], "train.csv")).read().splitlines()
with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w") as f:
    f.write(str(len(rows)))
"""
#: serves the model file's number
INFERENCE = """
import os


def model_fn(model_dir):
    return open(os.path.join(model_dir, "model.txt")).read()


def predict_fn(data, model):
    return [model]
"""


@pytest.fixture
def config(tmp_path: Path) -> StudioConfig:
    home = tmp_path / "home"
    home.mkdir()
    return resolve_config(home=home, default_runtime="process")


@pytest.fixture
def studio(config: StudioConfig) -> Iterator[Studio]:
    opened = Studio.open(config)
    yield opened
    opened.close()


@pytest.fixture
def scripts(tmp_path: Path) -> Path:
    folder = tmp_path / "code"
    folder.mkdir()
    (folder / "prepare.py").write_text(PREPARE)
    (folder / "train.py").write_text(TRAIN)
    (folder / "inference.py").write_text(INFERENCE)
    return folder


def prepare_request(name: str, scripts: Path, out: Path) -> dict[str, Any]:
    """A processing job running prepare.py, its output ``prepared`` going to ``out``."""
    return {
        "ProcessingJobName": name,
        "AppSpecification": {
            "ContainerEntrypoint": ["python3", f"{CODE}/prepare.py"],
            "ContainerArguments": [PREPARED],
        },
        "ProcessingInputs": [
            {"InputName": "code", "S3Input": {"S3Uri": str(scripts), "LocalPath": CODE}}
        ],
        "ProcessingOutputConfig": {
            "Outputs": [
                {
                    "OutputName": "prepared",
                    "S3Output": {"S3Uri": out.as_uri(), "LocalPath": PREPARED},
                }
            ]
        },
    }


def train_request(name: str, scripts: Path, data: str) -> dict[str, Any]:
    """A training job running train.py on channel ``train`` at ``data``."""
    return {
        "TrainingJobName": name,
        "ScriptMode": {"EntryPoint": str(scripts / "train.py")},
        "InputDataConfig": [
            {"ChannelName": "train", "DataSource": {"S3DataSource": {"S3Uri": data}}}
        ],
    }


def finished(studio: Studio, name: str) -> Any:
    """Wait for job ``name``; it must have completed."""
    job = studio.jobs.wait(name, 120)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    return job
