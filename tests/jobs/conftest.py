"""Fixtures of the job tests: a job service on a fresh studio home, training data."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from jupyter_mlstudio.artifacts import open_artifact_store
from jupyter_mlstudio.config import StudioConfig, resolve_config
from jupyter_mlstudio.services.jobs.service import JobService
from jupyter_mlstudio.store import open_store
from jupyter_mlstudio.store.base import MetadataStore

SCRIPTS = Path(__file__).parent / "scripts"


@pytest.fixture
def job_config(tmp_path: Path) -> StudioConfig:
    home = tmp_path / "home"
    home.mkdir()
    return resolve_config(home=home, default_runtime="process")


@pytest.fixture
def job_store(job_config: StudioConfig) -> Iterator[MetadataStore]:
    store = open_store(job_config.database_url)
    yield store
    store.close()


@pytest.fixture
def jobs(job_config: StudioConfig, job_store: MetadataStore) -> Iterator[JobService]:
    artifacts = open_artifact_store(job_config.artifact_root)
    service = JobService(job_store, artifacts, job_config)
    yield service
    for job in job_store.list_jobs(max_results=100).items:
        if job.status.value in ("InProgress", "Stopping"):
            with contextlib.suppress(Exception):
                service.stop_job(job.job_name, job.kind)
            service.wait(job.job_name, 30)
    service.close()


@pytest.fixture
def ray_jobs(
    job_config: StudioConfig, job_store: MetadataStore, ray_cluster: Any
) -> Iterator[JobService]:
    """A job service on the test home whose jobs run on the session's Ray cluster."""
    config = resolve_config(
        home=job_config.home,
        database_url=job_config.database_url,
        artifact_root=job_config.artifact_root,
        default_runtime="ray",
        ray_address=ray_cluster.address,
    )
    service = JobService(job_store, open_artifact_store(config.artifact_root), config)
    yield service
    for job in job_store.list_jobs().items:
        if job.status.value in ("InProgress", "Stopping"):
            service.stop_job(job.job_name, job.kind)
            service.wait(job.job_name, 60)
    service.close()


@pytest.fixture
def train_data(tmp_path: Path) -> Path:
    folder = tmp_path / "data" / "train"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 3))
    y = (x[:, 0] + x[:, 1] > 0).astype(float)
    np.savetxt(folder / "train.csv", np.column_stack([y, x]), delimiter=",", fmt="%.5f")
    return folder


def training_request(name: str, script: str, data: Path | None = None, **extra: object) -> dict:
    body: dict = {
        "TrainingJobName": name,
        "ScriptMode": {"EntryPoint": str(SCRIPTS / script)},
        "HyperParameters": {"C": 0.5, "epochs": 2},
        "AlgorithmSpecification": {
            "MetricDefinitions": [
                {"Name": "validation:accuracy", "Regex": r"val_accuracy=([0-9.]+)"},
                {"Name": "train:loss", "Regex": r"loss=([0-9.]+)"},
            ]
        },
        "ResourceConfig": {"InstanceType": "local", "InstanceCount": 1},
    }
    if data is not None:
        body["InputDataConfig"] = [
            {
                "ChannelName": "train",
                "DataSource": {"S3DataSource": {"S3Uri": data.as_uri()}},
                "ContentType": "text/csv",
            }
        ]
    body.update(extra)
    return body
