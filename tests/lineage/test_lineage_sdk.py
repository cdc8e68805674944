"""Lineage from the SDK against a real studio: a registered version's, and the errors."""

from __future__ import annotations

import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_mlstudio.exceptions import NotFoundError, ValidationError
from jupyter_mlstudio.sdk import ModelPackage, TrackingClient
from jupyter_mlstudio.sdk.lineage import lineage
from jupyter_mlstudio.sdk.registry_client import registry_client
from tests.sdk.conftest import in_thread, studio_uri

__all__ = ["studio_uri"]


@pytest.fixture
def client(studio_uri: str) -> Iterator[TrackingClient]:
    tracking = TrackingClient(studio_uri)
    yield tracking
    tracking.close()


async def test_a_version_and_its_model_data(client: TrackingClient, tmp_path: Path) -> None:
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz"):
        pass

    def work() -> None:
        described = registry_client(client).create_package(
            {
                "ModelPackageGroupName": "sdk-lineage",
                "InferenceSpecification": {
                    "Containers": [{"Image": "byoc:1", "ModelDataUrl": str(archive)}],
                    "SupportedContentTypes": ["text/csv"],
                    "SupportedResponseMIMETypes": ["application/json"],
                },
            }
        )
        package = ModelPackage(
            model_package_arn=described["ModelPackageArn"], sagemaker_session=client
        )
        found = package.lineage()
        assert [(e.type, e.name, e.depth) for e in found] == [
            ("ModelPackage", "sdk-lineage/1", 0),
            ("Artifact", archive.as_uri(), 1),
        ]
        assert found.entities[0].status == "PendingManualApproval"
        assert found.of_type("Artifact")[0].uri == archive.as_uri()
        assert [(e.source, e.association_type) for e in found.edges] == [
            (archive.as_uri(), "ContributedTo")
        ]
        assert found.truncated is False
        same = lineage(model_package_arn="sdk-lineage/1", sagemaker_session=client)
        assert same == found
        with pytest.raises(NotFoundError) as missing:
            lineage(endpoint_name="nope", sagemaker_session=client)
        assert missing.value.field == "EndpointName"
        with pytest.raises(ValidationError) as none:
            lineage(sagemaker_session=client)
        assert none.value.field == "Arn"

    await in_thread(work)
