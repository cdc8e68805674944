"""Batch transform on the docker runtime: a script-mode model trained in a container is
applied to a CSV by two studio-image containers running ``serve``; they are removed at
the end and their logs stay readable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from jupyter_mlstudio.config import resolve_config
from jupyter_mlstudio.entities import JobStatus
from jupyter_mlstudio.services.jobs.transform.supervisor import LABEL_TRANSFORM
from jupyter_mlstudio.services.studio import Studio
from tests.jobs.conftest import SCRIPTS, training_request
from tests.runtime.conftest import docker_host, script_image  # noqa: F401 - fixtures

pytestmark = pytest.mark.docker


@pytest.fixture
def docker_studio(tmp_path: Path, script_image: str) -> Iterator[Studio]:  # noqa: F811
    home = tmp_path / "home"
    home.mkdir()
    studio = Studio.open(resolve_config(home=home, default_runtime="docker"))
    yield studio
    studio.close()


def test_transform_in_containers(docker_studio: Studio, tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(120, 3))
    y = (x[:, 0] - x[:, 2] > 0).astype(int)
    data = tmp_path / "train"
    data.mkdir()
    np.savetxt(data / "train.csv", np.column_stack([y, x]), delimiter=",", fmt="%.5f")
    docker_studio.jobs.create_training_job(
        training_request("dk-tx-train", "train_sklearn.py", data)
    )
    trained = docker_studio.jobs.wait("dk-tx-train", 240)
    assert trained.status is JobStatus.COMPLETED, trained.failure_reason
    docker_studio.endpoints.create_model(
        {
            "ModelName": "dk-tx-model",
            "PrimaryContainer": {
                "ModelDataUrl": trained.outputs["ModelArtifacts"]["S3ModelArtifacts"],
                "Environment": {
                    "SAGEMAKER_PROGRAM": "train_sklearn.py",  # no model_fn: model.joblib
                    "SAGEMAKER_SUBMIT_DIRECTORY": str(SCRIPTS),
                },
            },
        }
    )
    rows = [",".join(f"{v:.5f}" for v in row) for row in x]
    source = tmp_path / "batch" / "rows.csv"
    source.parent.mkdir()
    source.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out"
    docker_studio.transform.create_transform_job(
        {
            "TransformJobName": "dk-tx",
            "ModelName": "dk-tx-model",
            "BatchStrategy": "SingleRecord",
            "TransformInput": {
                "DataSource": {"S3DataSource": {"S3Uri": str(source.parent)}},
                "ContentType": "text/csv",
                "SplitType": "Line",
            },
            "TransformOutput": {
                "S3OutputPath": str(out),
                "Accept": "text/csv",
                "AssembleWith": "Line",
            },
            "TransformResources": {"InstanceType": "local", "InstanceCount": 2},
            "DataProcessing": {"JoinSource": "Input"},
        }
    )
    job = docker_studio.transform.wait("dk-tx", 300)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    assert job.runtime == "docker"
    joined = (out / "rows.csv.out").read_text().splitlines()
    assert [line.rsplit(",", 1)[0] for line in joined] == rows
    predicted = np.array([float(line.rsplit(",", 1)[1]) for line in joined])
    assert (predicted == y).mean() > 0.9  # the trained model's own answers
    assert job.outputs["TransformSettings"]["InstanceCount"] == 2
    for host in ("algo-1", "algo-2"):
        assert "model server: loaded" in docker_studio.transform.read_logs("dk-tx", host).Text
    runner = docker_studio.jobs.runner("docker")
    assert runner.find({LABEL_TRANSFORM: "dk-tx"}) == []
