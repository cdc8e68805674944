"""A training job from boto3 with s3:// data and output, on a studio whose artifact
store is S3 (SeaweedFS)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.artifacts import open_artifact_store
from jupyter_mlstudio.entities import JobStatus
from jupyter_mlstudio.services.studio import Studio
from tests.artifacts.conftest import s3_env, s3_uri, seaweedfs  # noqa: F401 - fixtures

from .conftest import in_thread
from .test_jobs_api import source_archive, training_request

pytestmark = pytest.mark.s3


@pytest.fixture
def jp_server_config(
    jp_server_config: dict[str, Any],
    studio_home: Path,
    s3_uri: str,  # noqa: F811 - the fixture
) -> dict[str, Any]:
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyter_mlstudio": True},
            "allow_unauthenticated_access": False,
        },
        "StudioApp": {
            "home": str(studio_home),
            "default_runtime": "process",
            "artifact_root": f"{s3_uri}/artifacts",
        },
    }


async def test_s3_input_and_output(
    sagemaker: Any,
    studio: Studio,
    tmp_path: Path,
    s3_uri: str,  # noqa: F811 - the fixture
) -> None:
    archive = source_archive(tmp_path / "sourcedir.tar.gz", "train.py")
    with open_artifact_store(s3_uri) as store:
        store.put_bytes("data/rows.csv", b"1,2\n3,4\n")
        store.put_file("code/sourcedir.tar.gz", archive)
    request = training_request("boto-s3", tmp_path)
    # as the SageMaker SDK sends script mode: the archive it uploaded to S3
    request["HyperParameters"]["sagemaker_submit_directory"] = f'"{s3_uri}/code/sourcedir.tar.gz"'
    request["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] = f"{s3_uri}/data/"
    request["OutputDataConfig"] = {"S3OutputPath": f"{s3_uri}/output"}
    await in_thread(lambda: sagemaker.create_training_job(**request))
    job = await in_thread(lambda: studio.jobs.wait("boto-s3", timeout=120))
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    described = await in_thread(lambda: sagemaker.describe_training_job(TrainingJobName="boto-s3"))
    model = described["ModelArtifacts"]["S3ModelArtifacts"]
    assert model.startswith(f"{s3_uri}/output/boto-s3/")
    assert {m["MetricName"]: m["Value"] for m in described["FinalMetricDataList"]} == {
        "train:score": 4.0  # 2 rows x scale 2
    }
    with open_artifact_store(s3_uri) as store:
        assert store.exists(model.removeprefix(s3_uri + "/"))
