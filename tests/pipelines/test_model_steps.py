"""Model and RegisterModel steps: the trained model becomes a model and a registered
version, their ARNs in the steps' Metadata; a group given by name is created, a missing
group given by ARN fails the step."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.artifacts import open_artifact_store
from jupyter_mlstudio.config import StudioConfig
from jupyter_mlstudio.entities import JobKind
from jupyter_mlstudio.entities.registry import ARN_PREFIX
from jupyter_mlstudio.services.hosting.records import HostingRecords
from jupyter_mlstudio.services.jobs.service import JobService
from jupyter_mlstudio.services.pipelines.executions import PipelineExecutions
from jupyter_mlstudio.services.pipelines.service import PipelineService
from jupyter_mlstudio.services.registry.service import RegistryService
from jupyter_mlstudio.store.base import MetadataStore

from .conftest import train_step

ARTIFACTS = {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}


@pytest.fixture
def registry(store: MetadataStore, pipeline_config: StudioConfig) -> RegistryService:
    return RegistryService(store, open_artifact_store(pipeline_config.artifact_root))


@pytest.fixture
def full(
    store: MetadataStore,
    jobs: JobService,
    registry: RegistryService,
    pipeline_config: StudioConfig,
) -> Iterator[PipelineExecutions]:
    hosting = HostingRecords(store, open_artifact_store(pipeline_config.artifact_root))
    service = PipelineExecutions(store, jobs, hosting=hosting, registry=registry)
    yield service
    service.close()


def model_pipeline(scripts: Path, group: str) -> str:
    model = {
        "Name": "Model",
        "Type": "Model",
        "Arguments": {"PrimaryContainer": {"Image": "byoc:1", "ModelDataUrl": ARTIFACTS}},
    }
    register = {
        "Name": "Register",
        "Type": "RegisterModel",
        "Arguments": {
            "ModelPackageGroupName": group,
            "InferenceSpecification": {
                "Containers": [{"Image": "byoc:1", "ModelDataUrl": ARTIFACTS}],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["application/json"],
            },
            "ModelApprovalStatus": "PendingManualApproval",
            "CustomerMetadataProperties": {
                "model": {"Get": "Steps.Model.ModelName"},
            },
        },
    }
    return json.dumps(
        {"Version": "2020-12-01", "Steps": [train_step("Train", scripts), model, register]}
    )


def test_model_and_register_steps(
    full: PipelineExecutions,
    pipelines: PipelineService,
    registry: RegistryService,
    store: MetadataStore,
    scripts: Path,
) -> None:
    registry.create_group({"ModelPackageGroupName": "churn"})
    pipelines.create(
        {"PipelineName": "ship", "PipelineDefinition": model_pipeline(scripts, "churn")}
    )
    arn = full.start("ship", {})["PipelineExecutionArn"]
    done = full.wait(arn, 120)
    steps: dict[str, Any] = {s["StepName"]: s for s in full.list_steps(arn)}
    assert done["PipelineExecutionStatus"] == "Succeeded", (done, steps)
    model_name = steps["Model"]["Metadata"]["Model"]["Arn"].rsplit("/", 1)[1]
    model = store.get_model(model_name)
    train_name = steps["Train"]["Metadata"]["TrainingJob"]["Arn"].rsplit("/", 1)[1]
    trained = store.get_job(train_name, JobKind.TRAINING).outputs["ModelArtifacts"]
    assert model.primary_container.model_data_url == trained["S3ModelArtifacts"]
    package_arn = steps["Register"]["Metadata"]["RegisterModel"]["Arn"]
    assert package_arn.endswith(":model-package/churn/1")
    version = registry.describe_package("churn", 1)
    assert version["ModelApprovalStatus"] == "PendingManualApproval"
    assert version["CustomerMetadataProperties"] == {"model": model_name}


def test_a_group_named_is_created_and_a_missing_group_arn_fails_the_step(
    full: PipelineExecutions, pipelines: PipelineService, registry: RegistryService, scripts: Path
) -> None:
    pipelines.create({"PipelineName": "new", "PipelineDefinition": model_pipeline(scripts, "new")})
    arn = full.start("new", {})["PipelineExecutionArn"]
    assert full.wait(arn, 120)["PipelineExecutionStatus"] == "Succeeded"
    assert registry.describe_package("new", 1)["ModelPackageGroupName"] == "new"

    missing = f"{ARN_PREFIX}:model-package-group/none"
    pipelines.create(
        {"PipelineName": "ship", "PipelineDefinition": model_pipeline(scripts, missing)}
    )
    arn = full.start("ship", {})["PipelineExecutionArn"]
    done = full.wait(arn, 120)
    assert done["PipelineExecutionStatus"] == "Failed"
    assert done["FailureReason"].startswith("Step Register failed:")
    assert "'none'" in done["FailureReason"]
