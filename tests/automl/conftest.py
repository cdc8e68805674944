"""Fixtures of the AutoML tests: an AutoML service on the process runtime, over a home of
its own, and the example's kind of table."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from jupyter_mlstudio.artifacts import open_artifact_store
from jupyter_mlstudio.artifacts.base import ArtifactStore
from jupyter_mlstudio.config import StudioConfig, resolve_config
from jupyter_mlstudio.entities import JobKind
from jupyter_mlstudio.services.jobs.automl.service import AutoMLService
from jupyter_mlstudio.services.jobs.service import JobService
from jupyter_mlstudio.store import open_store
from jupyter_mlstudio.store.base import MetadataStore


@dataclass
class AutoMLStudio:
    config: StudioConfig
    store: MetadataStore
    artifacts: ArtifactStore
    jobs: JobService
    automl: AutoMLService

    def reopen(self) -> AutoMLService:
        """A new service over the same home (a restarted studio)."""
        self.automl = AutoMLService(self.store, self.artifacts, self.config, self.jobs)
        return self.automl

    def close(self) -> None:
        for job in self.store.list_jobs(kind=JobKind.AUTOML, max_results=100).items:
            if job.status.value in ("InProgress", "Stopping"):
                with contextlib.suppress(Exception):
                    self.automl.stop_automl_job(job.job_name)
                self.automl.wait(job.job_name, 60)
        self.automl.close()
        for job in self.store.list_jobs(max_results=1000).items:
            if job.status.value in ("InProgress", "Stopping"):
                with contextlib.suppress(Exception):
                    self.jobs.stop_job(job.job_name, job.kind)
                self.jobs.wait(job.job_name, 30)
        self.jobs.close()
        self.store.close()


def open_automl_studio(home: Path) -> AutoMLStudio:
    home.mkdir(parents=True, exist_ok=True)
    config = resolve_config(home=home, default_runtime="process")
    store = open_store(config.database_url)
    artifacts = open_artifact_store(config.artifact_root)
    jobs = JobService(store, artifacts, config)
    service = AutoMLService(store, artifacts, config, jobs)
    return AutoMLStudio(config, store, artifacts, jobs, service)


@pytest.fixture(scope="module")
def module_studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AutoMLStudio]:
    """One studio for a module's tests (AutoML jobs take seconds: share them)."""
    studio = open_automl_studio(tmp_path_factory.mktemp("automl") / "home")
    yield studio
    studio.close()


@pytest.fixture
def studio(tmp_path: Path) -> Iterator[AutoMLStudio]:
    opened = open_automl_studio(tmp_path / "home")
    yield opened
    opened.close()


def request(name: str, table: Path, target: str, **config: object) -> dict[str, object]:
    """A CreateAutoMLJob request over ``table`` (a local CSV)."""
    body: dict[str, object] = {
        "AutoMLJobName": name,
        "InputDataConfig": [
            {
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": str(table)}},
                "TargetAttributeName": target,
            }
        ],
    }
    if config:
        body["AutoMLJobConfig"] = config
    return body
