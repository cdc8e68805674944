"""PipelineService: pipelines as records in SageMaker's shapes; a bad definition or request
is refused naming the field, with nothing written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_mlstudio.exceptions import ConflictError, NotFoundError, ValidationError
from jupyter_mlstudio.services.pipelines.service import PipelineService
from jupyter_mlstudio.store import open_store

from .definitions import definition, pipeline_of_four, training


@pytest.fixture
def service(tmp_path: Path) -> Iterator[PipelineService]:
    store = open_store(f"sqlite:///{tmp_path / 'mlstudio.db'}")
    yield PipelineService(store)
    store.close()


def test_create_describe_update_list_delete(service: PipelineService) -> None:
    text = pipeline_of_four()
    made = service.create(
        {
            "PipelineName": "churn",
            "PipelineDefinition": text,
            "PipelineDisplayName": "Churn",
            "RoleArn": "arn:aws:iam::111111111111:role/SageMaker",
            "Tags": [{"Key": "team", "Value": "ml"}],
        }
    )
    assert made["PipelineArn"].endswith(":pipeline/churn")
    assert (made["PipelineDefinition"], made["PipelineStatus"]) == (text, "Active")
    assert made["Tags"] == [{"Key": "team", "Value": "ml"}]
    assert service.describe("churn") == made

    changed = definition(training("Only"))
    updated = service.update("churn", {"PipelineDefinition": changed, "PipelineDescription": "d"})
    assert (updated["PipelineDefinition"], updated["PipelineDescription"]) == (changed, "d")
    assert updated["PipelineDisplayName"] == "Churn"  # not given: kept
    assert updated["LastModifiedTime"] >= made["LastModifiedTime"]

    service.create({"PipelineName": "other", "PipelineDefinition": changed})
    page = service.list()
    assert [p["PipelineName"] for p in page.items] == ["other", "churn"]
    assert "PipelineDefinition" not in page.items[0]  # summaries only
    assert [p["PipelineName"] for p in service.list(name_prefix="chu").items] == ["churn"]

    service.delete("churn")
    with pytest.raises(NotFoundError):
        service.describe("churn")


def test_bad_requests_name_the_field_and_write_nothing(service: PipelineService) -> None:
    bad = json.loads(pipeline_of_four())
    bad["Steps"][2]["DependsOn"] = ["Nowhere"]
    with pytest.raises(ValidationError) as info:
        service.create({"PipelineName": "p", "PipelineDefinition": json.dumps(bad)})
    assert info.value.field == "PipelineDefinition.Steps[2].DependsOn"
    with pytest.raises(ValidationError) as info:
        service.create({"PipelineName": "p", "PipelineDefinition": "{}", "Colour": "red"})
    assert info.value.field == "Colour"
    with pytest.raises(ValidationError) as info:
        service.create({"PipelineName": "p"})
    assert info.value.field == "PipelineDefinition"
    assert service.list().items == []

    service.create({"PipelineName": "p", "PipelineDefinition": pipeline_of_four()})
    with pytest.raises(ConflictError):
        service.create({"PipelineName": "p", "PipelineDefinition": pipeline_of_four()})
    with pytest.raises(ValidationError) as info:
        service.update("p", {"PipelineDefinition": json.dumps({"Version": "1"})})
    assert info.value.field == "PipelineDefinition.Version"
    assert service.describe("p")["PipelineDefinition"] == pipeline_of_four()  # unchanged
    with pytest.raises(NotFoundError):
        service.update("none", {"PipelineDescription": "x"})
