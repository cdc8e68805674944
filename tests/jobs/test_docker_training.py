"""The same script-mode training job on the docker runtime (a real engine)."""

from __future__ import annotations

import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_mlstudio.artifacts import open_artifact_store
from jupyter_mlstudio.config import StudioConfig, resolve_config
from jupyter_mlstudio.entities import JobStatus
from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.services.jobs.service import JobService
from jupyter_mlstudio.store.base import MetadataStore
from tests.runtime.conftest import docker_host, script_image  # noqa: F401 - fixtures

from .conftest import training_request

pytestmark = pytest.mark.docker


@pytest.fixture
def docker_jobs(
    job_config: StudioConfig,
    job_store: MetadataStore,
    script_image: str,  # noqa: F811
) -> Iterator[JobService]:
    config = resolve_config(
        home=job_config.home,
        database_url=job_config.database_url,
        artifact_root=job_config.artifact_root,
        default_runtime="docker",
    )
    service = JobService(job_store, open_artifact_store(config.artifact_root), config)
    yield service
    for job in job_store.list_jobs().items:
        if job.status.value in ("InProgress", "Stopping"):
            service.stop_job(job.job_name)
            service.wait(job.job_name, 60)
    service.close()


def test_sklearn_script_trains_in_a_container(
    docker_jobs: JobService, job_store: MetadataStore, train_data: Path
) -> None:
    created = docker_jobs.create_training_job(
        training_request("dk-1", "train_sklearn.py", train_data)
    )
    assert created.runtime == "docker"
    job = docker_jobs.wait("dk-1", 240)
    logs = docker_jobs.read_logs("dk-1").Text
    assert job.status is JobStatus.COMPLETED, (job.failure_reason, logs)
    assert "val_accuracy=" in logs
    uri = job.outputs["ModelArtifacts"]["S3ModelArtifacts"]
    with tarfile.open(uri.removeprefix("file://")) as tar:
        assert tar.getnames() == ["model.joblib"]
    assert job_store.get_metric_series("dk-1-aws-training-job", "validation:accuracy")


def test_unknown_image_is_refused_before_launch(
    docker_jobs: JobService, job_store: MetadataStore
) -> None:
    body = {
        "TrainingJobName": "dk-img",
        "AlgorithmSpecification": {"TrainingImage": "mlstudio/no-such-image:1"},
    }
    with pytest.raises(ValidationError) as info:
        docker_jobs.create_training_job(body)
    assert info.value.field == "AlgorithmSpecification.TrainingImage"
    assert "never pulled" in info.value.message
    assert job_store.list_jobs().items == []


def test_processing_script_with_fixed_paths_runs_in_a_container(
    docker_jobs: JobService, train_data: Path, tmp_path: Path
) -> None:
    from .test_processing import processing_request

    out = tmp_path / "published"
    body = processing_request("dk-prep", train_data, out)
    body["AppSpecification"].pop("ContainerArguments")  # the script's /opt/ml defaults
    docker_jobs.create_processing_job(body)
    job = docker_jobs.wait("dk-prep", 240)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    assert len((out / "clean.csv").read_text().splitlines()) == 60


def test_hosts_of_a_multi_instance_job_reach_each_other_by_name(
    docker_jobs: JobService, job_store: MetadataStore
) -> None:
    body = training_request("dk-multi", "multi_host.py")
    body["HyperParameters"] = {"resolve": "yes", "sleep": 3}  # algo-1 lives while asked
    body["ResourceConfig"] = {"InstanceType": "local", "InstanceCount": 2}
    docker_jobs.create_training_job(body)
    job = docker_jobs.wait("dk-multi", 240)
    logs = {h: docker_jobs.read_logs("dk-multi", host=h).Text for h in ("algo-1", "algo-2")}
    assert job.status is JobStatus.COMPLETED, (job.failure_reason, logs)
    assert "host=algo-1 hosts=algo-1,algo-2" in logs["algo-1"]
    assert "config_host=algo-2 config_hosts=algo-1,algo-2" in logs["algo-2"]
    assert "resolved algo-1=" in logs["algo-2"]
    assert "resolved algo-1=None" not in logs["algo-2"]
    uri = job.outputs["ModelArtifacts"]["S3ModelArtifacts"]
    with tarfile.open(Path(uri.removeprefix("file://"))) as tar:
        member = tar.extractfile("host.txt")
        assert member is not None
        assert member.read() == b"algo-1"
    import docker

    client = docker.from_env()
    try:
        # removed with the hosts (the engine's name ends with the home's id)
        assert not [n for n in client.networks.list() if n.name.startswith("mlstudio-dk-multi")]
        assert not client.containers.list(all=True, filters={"label": "mlstudio.job=dk-multi"})
    finally:
        client.close()


def test_checkpoints_outside_opt_ml_are_mounted_and_resume_a_stopped_job(
    docker_jobs: JobService, tmp_path: Path
) -> None:
    from .test_checkpoints import stop_mid_run_then_resume

    location = tmp_path / "checkpoints"

    def listing() -> list[str]:
        return sorted(p.name for p in location.glob("*")) if location.is_dir() else []

    stop_mid_run_then_resume(docker_jobs, str(location), listing, LocalPath="/checkpoints")


def test_processing_instances_get_their_shards_in_containers(
    docker_jobs: JobService, tmp_path: Path
) -> None:
    from .test_processing_instances import HOSTS, check_shards, reports_of, sharded_request

    parts = tmp_path / "parts"
    (parts / "more").mkdir(parents=True)
    for i in range(5):
        (parts / f"part-{i}.csv").write_text(f"{i}\n")
    for i in range(2):
        (parts / "more" / f"extra-{i}.csv").write_text(f"x{i}\n")
    out = tmp_path / "published"
    docker_jobs.create_processing_job(sharded_request("dk-pi", parts, out))
    job = docker_jobs.wait("dk-pi", 240)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    check_shards(reports_of(docker_jobs, "dk-pi"), parts)
    assert sorted(p.name for p in out.iterdir()) == [f"{h}.txt" for h in HOSTS]


def test_load_run_in_a_container_logs_to_the_jobs_run(
    docker_jobs: JobService, job_store: MetadataStore
) -> None:
    from .test_job_channel import check_tracked_run, tracked_request

    body = tracked_request("dk-track", ExperimentConfig={"ExperimentName": "dk", "RunName": "t"})
    docker_jobs.create_training_job(body)
    job = docker_jobs.wait("dk-track", 240)
    assert job.status is JobStatus.COMPLETED, (
        job.failure_reason,
        docker_jobs.read_logs("dk-track").Text,
    )
    check_tracked_run(job_store, "dk-t")
