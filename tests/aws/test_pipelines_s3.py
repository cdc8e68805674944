"""CreatePipeline and UpdatePipeline with ``PipelineDefinitionS3Location``, on a studio
whose artifact store is S3 (SeaweedFS): an object under the artifact root is read, one
elsewhere is refused naming the member."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from jupyter_mlstudio.artifacts import open_artifact_store
from jupyter_mlstudio.services.studio import Studio
from tests.artifacts.conftest import s3_env, s3_uri, seaweedfs  # noqa: F401 - fixtures

from .conftest import in_thread
from .test_jobs_api import ROLE
from .test_pipelines import wait

pytestmark = pytest.mark.s3


def fail_definition(message: str) -> str:
    """A one-step pipeline that fails with ``Why`` (default ``message``)."""
    return json.dumps(
        {
            "Version": "2020-12-01",
            "Parameters": [{"Name": "Why", "Type": "String", "DefaultValue": message}],
            "Steps": [
                {
                    "Name": "Stop",
                    "Type": "Fail",
                    "Arguments": {"ErrorMessage": {"Get": "Parameters.Why"}},
                }
            ],
        }
    )


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


async def test_a_definition_read_from_the_artifact_store(
    sagemaker: Any,
    studio: Studio,
    s3_uri: str,  # noqa: F811 - the fixture
) -> None:
    bucket, _, prefix = s3_uri.removeprefix("s3://").partition("/")
    with open_artifact_store(s3_uri) as store:
        store.put_bytes("artifacts/defs/first.json", fail_definition("first").encode())
        store.put_bytes("artifacts/defs/second.json", fail_definition("second").encode())
        store.put_bytes("elsewhere/p.json", fail_definition("elsewhere").encode())

    def location(key: str) -> dict[str, str]:
        return {"Bucket": bucket, "ObjectKey": f"{prefix}/{key}"}

    def work() -> None:
        sagemaker.create_pipeline(
            PipelineName="from-s3",
            PipelineDefinitionS3Location=location("artifacts/defs/first.json"),
            RoleArn=ROLE,
        )
        described = sagemaker.describe_pipeline(PipelineName="from-s3")
        assert json.loads(described["PipelineDefinition"]) == json.loads(fail_definition("first"))
        arn = sagemaker.start_pipeline_execution(PipelineName="from-s3")["PipelineExecutionArn"]
        failed = wait(sagemaker, arn)
        assert failed["PipelineExecutionStatus"] == "Failed"
        assert "first" in failed["FailureReason"]

        sagemaker.update_pipeline(
            PipelineName="from-s3",
            PipelineDefinitionS3Location=location("artifacts/defs/second.json"),
        )
        described = sagemaker.describe_pipeline(PipelineName="from-s3")
        assert json.loads(described["PipelineDefinition"]) == json.loads(fail_definition("second"))

        for key, words in (
            ("elsewhere/p.json", "artifact root"),
            ("artifacts/defs/missing.json", "missing.json"),
        ):
            with pytest.raises(ClientError) as refused:
                sagemaker.create_pipeline(
                    PipelineName="refused", PipelineDefinitionS3Location=location(key), RoleArn=ROLE
                )
            error = refused.value.response["Error"]
            assert error["Code"] == "ValidationException"
            assert "PipelineDefinitionS3Location" in error["Message"]
            assert words in error["Message"]

    await in_thread(work)
    assert [p["PipelineName"] for p in studio.pipelines.list().items] == ["from-s3"]
