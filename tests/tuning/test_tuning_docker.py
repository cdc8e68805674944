"""A tuning job whose training jobs run in containers (a real Docker engine)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_mlstudio.artifacts import open_artifact_store
from jupyter_mlstudio.config import StudioConfig, resolve_config
from jupyter_mlstudio.entities import JobKind, JobStatus
from jupyter_mlstudio.services.jobs.service import JobService
from jupyter_mlstudio.services.jobs.tuning.service import TuningService
from jupyter_mlstudio.store.base import MetadataStore
from tests.runtime.conftest import docker_host, script_image  # noqa: F401 - fixtures

from .conftest import objective_of, tuning_request

pytestmark = pytest.mark.docker


@pytest.fixture
def docker_tuning(
    tuning_config: StudioConfig,
    store: MetadataStore,
    script_image: str,  # noqa: F811
) -> Iterator[TuningService]:
    config = resolve_config(
        home=tuning_config.home,
        database_url=tuning_config.database_url,
        artifact_root=tuning_config.artifact_root,
        default_runtime="docker",
    )
    jobs = JobService(store, open_artifact_store(config.artifact_root), config)
    service = TuningService(store, config, jobs)
    yield service
    for job in store.list_jobs(max_results=1000).items:
        if job.status.value in ("InProgress", "Stopping"):
            with contextlib.suppress(Exception):
                if job.kind is JobKind.TUNING:
                    service.stop_tuning_job(job.job_name)
                else:
                    jobs.stop_job(job.job_name, job.kind)
    service.close()
    jobs.close()


def test_tuning_with_early_stopping_in_containers(
    docker_tuning: TuningService, store: MetadataStore, script: Path
) -> None:
    ranges = {"ContinuousParameterRanges": [{"Name": "x", "MinValue": "0", "MaxValue": "12"}]}
    body = tuning_request(
        "tune-docker",
        script,
        max_jobs=6,
        parallel=2,
        ranges=ranges,
        static={"epochs": "8", "sleep": "0.2", "kernel": "rbf"},
        TrainingJobEarlyStoppingType="Auto",
    )
    docker_tuning.create_tuning_job(body)
    job = docker_tuning.wait("tune-docker", 300)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    items, _ = docker_tuning.list_training_jobs("tune-docker", sort_by="FinalObjectiveMetricValue")
    assert len(items) == 6
    for item in items:
        training = store.get_job(item["TrainingJobName"], JobKind.TRAINING)
        assert training.runtime == "docker"
        if item["TrainingJobStatus"] == "Completed":
            x = float(item["TunedHyperParameters"]["x"])
            metric = item["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
            want = -5.0 if x > 6 else objective_of(x, "rbf")
            assert metric == pytest.approx(want, rel=1e-6)
    counters = job.outputs["TrainingJobStatusCounters"]
    assert counters["Completed"] + counters["Stopped"] == 6
    assert job.outputs["TrainingJobsStoppedEarly"] == counters["Stopped"]
    assert job.outputs["BestTrainingJob"]["TrainingJobName"] == items[0]["TrainingJobName"]
