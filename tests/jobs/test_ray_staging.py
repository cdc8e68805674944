"""Jobs on Ray nodes that do not share the studio's disk: the host's files travel through
an ``s3://`` artifact root (SeaweedFS here) and the host runs in a folder of the node's own;
the model, the output and the checkpoints come back, so a second job resumes from the
first one's last checkpoint. Without an ``s3://`` root the job fails saying what to set.

The test cluster's nodes do share this machine's disk, so the runner is told they do not
(``MLSTUDIO_RAY_SHARED_DISK=no``); what it would ask each node is checked separately."""

from __future__ import annotations

import io
import json
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.artifacts import open_artifact_store
from jupyter_mlstudio.config import StudioConfig, resolve_config
from jupyter_mlstudio.entities import JobStatus
from jupyter_mlstudio.runtime.ray import RayRunner
from jupyter_mlstudio.services.jobs.service import JobService
from jupyter_mlstudio.store.base import MetadataStore

from ..support.seaweedfs import SeaweedS3, run_seaweedfs, weed_or_skip
from .conftest import training_request

pytest.importorskip("ray")
pytestmark = pytest.mark.s3


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
    with run_seaweedfs(tmp_path_factory.mktemp("weed"), weed=weed_or_skip()) as server:
        yield server


def _service(
    config: StudioConfig, store: MetadataStore, cluster: Any, artifact_root: str
) -> JobService:
    studio = resolve_config(
        home=config.home,
        database_url=config.database_url,
        artifact_root=artifact_root,
        default_runtime="ray",
        ray_address=cluster.address,
        ray_shared_disk="no",
    )
    return JobService(store, open_artifact_store(studio.artifact_root), studio)


@pytest.fixture
def staged_jobs(
    job_config: StudioConfig,
    job_store: MetadataStore,
    ray_cluster: Any,
    s3: SeaweedS3,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[JobService]:
    for name, value in s3.env().items():
        monkeypatch.setenv(name, value)
    service = _service(job_config, job_store, ray_cluster, f"s3://{s3.bucket}/studio")
    yield service
    service.close()


def _model(s3: SeaweedS3, uri: str) -> dict[str, Any]:
    bucket, key = uri[len("s3://") :].split("/", 1)
    body = s3.client().get_object(Bucket=bucket, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(body)) as archive:
        member = archive.extractfile("model.json")
        assert member is not None
        return dict(json.load(member))


def _keys(s3: SeaweedS3, prefix: str) -> list[str]:
    listing = s3.client().list_objects_v2(Bucket=s3.bucket, Prefix=prefix)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def test_files_travel_to_the_node_and_back(
    staged_jobs: JobService, s3: SeaweedS3, train_data: Path, job_config: StudioConfig
) -> None:
    checkpoints = {"S3Uri": f"s3://{s3.bucket}/checkpoints/staged"}
    first = training_request("staged-1", "staged.py", train_data)
    first["HyperParameters"] = {"epochs": 2}
    first["CheckpointConfig"] = checkpoints
    staged_jobs.create_training_job(first)
    job = staged_jobs.wait("staged-1", 120)
    log = staged_jobs.read_logs("staged-1").Text
    assert job.status is JobStatus.COMPLETED, (job.failure_reason, log)

    model = _model(s3, job.outputs["ModelArtifacts"]["S3ModelArtifacts"])
    assert model["files"] == ["train.csv"]
    assert model["rows"] == 60
    assert model["start"] == 0
    assert "starting from scratch" in log
    # the host ran in the node's own folder, not in the studio's home
    assert "/mlstudio-ray/" in model["ran_in"], model
    assert not model["ran_in"].startswith(str(job_config.home))
    assert _keys(s3, "checkpoints/staged/") == [
        "checkpoints/staged/epoch-0.ckpt",
        "checkpoints/staged/epoch-1.ckpt",
    ]

    second = training_request("staged-2", "staged.py", train_data)
    second["HyperParameters"] = {"epochs": 4}
    second["CheckpointConfig"] = checkpoints
    staged_jobs.create_training_job(second)
    job = staged_jobs.wait("staged-2", 120)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    model = _model(s3, job.outputs["ModelArtifacts"]["S3ModelArtifacts"])
    assert model["start"] == 2  # resumed from the first job's last checkpoint
    assert len(_keys(s3, "checkpoints/staged/")) == 4

    deadline = time.monotonic() + 30  # the hosts' files in transit go with their clean-up
    while _keys(s3, "studio/ray-staging/") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _keys(s3, "studio/ray-staging/") == []


def test_without_an_s3_root_the_job_fails_saying_what_to_set(
    job_config: StudioConfig, job_store: MetadataStore, ray_cluster: Any, train_data: Path
) -> None:
    service = _service(job_config, job_store, ray_cluster, job_config.artifact_root)
    try:
        service.create_training_job(training_request("unstaged", "staged.py", train_data))
        job = service.wait("unstaged", 60)
    finally:
        service.close()
    assert job.status is JobStatus.FAILED
    reason = job.failure_reason or ""
    assert "do not share the studio's disk" in reason, reason
    assert "s3:// artifact root" in reason
    assert "MLSTUDIO_RAY_SHARED_DISK=yes" in reason


def test_each_node_is_asked_whether_it_shares_the_disk(tmp_path: Path, ray_cluster: Any) -> None:
    asked = RayRunner(tmp_path / "state", ray_cluster.address)
    assert asked.unshared_nodes() == []  # both nodes of this machine read the probe
    assert (tmp_path / "state" / ".disk-probe").is_file()
    told = RayRunner(tmp_path / "told", ray_cluster.address, shared_disk=False)
    assert len(told.unshared_nodes()) == 2
    assert RayRunner(tmp_path / "yes", ray_cluster.address, shared_disk=True).unshared_nodes() == []
