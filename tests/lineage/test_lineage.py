"""Lineage walks over real records: processing → training → registered version → model →
endpoint on the process runtime, and a pipeline that trains, makes a model and registers
it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.entities import EndpointStatus, JobKind
from jupyter_mlstudio.exceptions import NotFoundError, ValidationError
from jupyter_mlstudio.services.lineage.service import LineageService
from jupyter_mlstudio.services.studio import Studio
from tests.pipelines.conftest import TRAIN, train_step
from tests.pipelines.definitions import VERSION

from .conftest import finished, prepare_request, train_request


def by_type(answer: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for entity in answer["Entities"]:
        found.setdefault(entity["Type"], []).append(entity)
    return found


def edges(answer: dict[str, Any]) -> set[tuple[str, str, str]]:
    names = {e["Id"]: f"{e['Type']}:{e['Name']}" for e in answer["Entities"]}
    return {
        (names[e["Source"]], e["AssociationType"], names[e["Destination"]]) for e in answer["Edges"]
    }


@pytest.fixture
def deployed(studio: Studio, scripts: Path, tmp_path: Path) -> dict[str, str]:
    """prepare (processing) → train (training) → churn/1 → model → endpoint ``churn-ep``."""
    prepared = tmp_path / "prepared"
    studio.jobs.create_processing_job(prepare_request("prepare", scripts, prepared))
    finished(studio, "prepare")
    # the channel names the output as a plain path: the same location as its file:// URI
    studio.jobs.create_training_job(train_request("train", scripts, str(prepared)))
    model_data = finished(studio, "train").outputs["ModelArtifacts"]["S3ModelArtifacts"]
    studio.registry.create_group({"ModelPackageGroupName": "churn"})
    env = {"SAGEMAKER_PROGRAM": "inference.py", "SAGEMAKER_SUBMIT_DIRECTORY": str(scripts)}
    version = studio.registry.create_package(
        {
            "ModelPackageGroupName": "churn",
            "InferenceSpecification": {
                "Containers": [{"ModelDataUrl": model_data, "Environment": env}],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["application/json"],
            },
            "ModelApprovalStatus": "Approved",
        }
    )
    studio.endpoints.create_model(
        {
            "ModelName": "churn-model",
            "PrimaryContainer": {"ModelPackageName": version["ModelPackageArn"]},
        }
    )
    studio.endpoints.create_endpoint_config(
        {
            "EndpointConfigName": "churn-config",
            "ProductionVariants": [{"VariantName": "main", "ModelName": "churn-model"}],
        }
    )
    studio.endpoints.create_endpoint(
        {"EndpointName": "churn-ep", "EndpointConfigName": "churn-config"}
    )
    done = studio.endpoints.wait("churn-ep", timeout=120)
    assert done.endpoint_status is EndpointStatus.IN_SERVICE, done.failure_reason
    return {"package": version["ModelPackageArn"], "model_data": model_data, "data": str(prepared)}


def test_an_endpoint_lists_what_produced_it(studio: Studio, deployed: dict[str, str]) -> None:
    answer = LineageService(studio.store).lineage(endpoint_name="churn-ep")
    assert answer["Truncated"] is False
    order = [(e["Type"], e["Name"]) for e in answer["Entities"]]
    prepared = Path(deployed["data"]).as_uri()
    # nearest first: endpoint, config, model, version, model data, training job, ...
    assert order[:6] == [
        ("Endpoint", "churn-ep"),
        ("EndpointConfig", "churn-config"),
        ("Model", "churn-model"),
        ("ModelPackage", "churn/1"),
        ("Artifact", deployed["model_data"]),
        ("TrainingJob", "train"),
    ]
    found = by_type(answer)
    assert found["Endpoint"][0]["Status"] == "InService"
    assert found["ModelPackage"][0]["Status"] == "Approved"
    assert found["ModelPackage"][0]["Arn"] == deployed["package"]
    assert found["TrainingJob"][0]["Status"] == "Completed"
    assert [p["Name"] for p in found["ProcessingJob"]] == ["prepare"]
    artifacts = {a["Uri"] for a in found["Artifact"]}
    assert {deployed["model_data"], prepared} <= artifacts
    runs = {r["Name"] for r in found["Run"]}
    assert {"train-aws-training-job", "prepare-aws-processing-job"} <= runs
    assert "PipelineExecution" not in found
    assert {
        ("EndpointConfig:churn-config", "ContributedTo", "Endpoint:churn-ep"),
        ("Model:churn-model", "ContributedTo", "EndpointConfig:churn-config"),
        ("ModelPackage:churn/1", "DerivedFrom", "Model:churn-model"),
        (f"Artifact:{deployed['model_data']}", "ContributedTo", "ModelPackage:churn/1"),
        ("TrainingJob:train", "Produced", f"Artifact:{deployed['model_data']}"),
        (f"Artifact:{prepared}", "ContributedTo", "TrainingJob:train"),
        ("ProcessingJob:prepare", "Produced", f"Artifact:{prepared}"),
        ("TrainingJob:train", "AssociatedWith", "Run:train-aws-training-job"),
        ("ProcessingJob:prepare", "AssociatedWith", "Run:prepare-aws-processing-job"),
    } <= edges(answer)
    # every edge joins two listed entities; depths grow along the walk
    ids = {e["Id"] for e in answer["Entities"]}
    assert all(e["Source"] in ids and e["Destination"] in ids for e in answer["Edges"])
    depths = [e["Depth"] for e in answer["Entities"]]
    assert depths == sorted(depths)
    assert depths[0] == 0


def test_every_start_and_its_errors(studio: Studio, deployed: dict[str, str]) -> None:
    service = LineageService(studio.store)
    by_version = service.lineage(model_package_arn="churn/1")
    assert [e["Type"] for e in by_version["Entities"][:3]] == [
        "ModelPackage",
        "Artifact",
        "TrainingJob",
    ]
    assert service.lineage(arn=deployed["package"])["Entities"] == by_version["Entities"]
    by_model = service.lineage(model_name="churn-model")
    assert by_model["Entities"][0]["Type"] == "Model"
    job_arn = by_version["Entities"][2]["Arn"]
    by_job = service.lineage(arn=job_arn)
    assert by_job["Entities"][0]["Name"] == "train"
    assert "ProcessingJob" in by_type(by_job)
    with pytest.raises(ValidationError) as none:
        service.lineage()
    assert none.value.field == "Arn"
    with pytest.raises(ValidationError) as several:
        service.lineage(endpoint_name="churn-ep", model_name="churn-model")
    assert several.value.field == "ModelName"
    with pytest.raises(NotFoundError) as missing:
        service.lineage(endpoint_name="nope")
    assert missing.value.field == "EndpointName"
    with pytest.raises(ValidationError) as other:
        service.lineage(arn="arn:mlstudio:sagemaker:local:pipeline/p")
    assert other.value.field == "Arn"


def test_a_deleted_model_stays_in_the_lineage_as_deleted(
    studio: Studio, deployed: dict[str, str]
) -> None:
    studio.endpoints.delete_endpoint("churn-ep")  # the config still names the model
    studio.endpoints.delete_model("churn-model")
    studio.store.create_endpoint("again", "churn-config")
    answer = LineageService(studio.store).lineage(endpoint_name="again")
    model = by_type(answer)["Model"][0]
    assert (model["Name"], model["Details"]) == ("churn-model", {"Deleted": "true"})


def test_the_walk_is_bounded(studio: Studio, deployed: dict[str, str]) -> None:
    short = LineageService(studio.store, max_depth=2).lineage(endpoint_name="churn-ep")
    assert short["Truncated"] is True
    assert [e["Type"] for e in short["Entities"]] == ["Endpoint", "EndpointConfig", "Model"]
    few = LineageService(studio.store, max_entities=4).lineage(endpoint_name="churn-ep")
    assert (len(few["Entities"]), few["Truncated"]) == (4, True)


def test_a_pipeline_lists_its_execution_and_steps(studio: Studio, tmp_path: Path) -> None:
    scripts = tmp_path / "pipeline-code"
    scripts.mkdir()
    (scripts / "train.py").write_text(TRAIN)
    artifacts = {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}
    container = {"Image": "byoc:1", "ModelDataUrl": artifacts}
    steps = [
        train_step("Train", scripts),
        {"Name": "Model", "Type": "Model", "Arguments": {"PrimaryContainer": container}},
        {
            "Name": "Register",
            "Type": "RegisterModel",
            "Arguments": {
                "ModelPackageGroupName": "ship",
                "InferenceSpecification": {
                    "Containers": [container],
                    "SupportedContentTypes": ["text/csv"],
                    "SupportedResponseMIMETypes": ["application/json"],
                },
            },
        },
    ]
    studio.registry.create_group({"ModelPackageGroupName": "ship"})
    studio.pipelines.create(
        {
            "PipelineName": "ship",
            "PipelineDefinition": json.dumps({"Version": VERSION, "Steps": steps}),
        }
    )
    arn = studio.pipeline_executions.start("ship", {})["PipelineExecutionArn"]
    done = studio.pipeline_executions.wait(arn, 120)
    assert done["PipelineExecutionStatus"] == "Succeeded", done.get("FailureReason")

    answer = LineageService(studio.store).lineage(model_package_arn="ship/1")
    found = by_type(answer)
    assert [(e["Name"], e["Status"]) for e in found["PipelineExecution"]] == [
        (arn.rsplit("/", 1)[1], "Succeeded")
    ]
    assert found["PipelineExecution"][0]["Arn"] == arn
    assert found["PipelineExecution"][0]["Details"] == {"PipelineName": "ship"}
    assert {(s["Name"], s["Status"]) for s in found["PipelineStep"]} == {
        ("Train", "Succeeded"),
        ("Model", "Succeeded"),
        ("Register", "Succeeded"),
    }
    assert all(
        s["Details"] == {"PipelineExecutionArn": arn, "PipelineName": "ship"}
        for s in found["PipelineStep"]
    )
    train = found["TrainingJob"][0]["Name"]
    assert train.startswith("pipelines-")
    assert studio.store.get_job(train, JobKind.TRAINING).status.value == "Completed"
    assert {
        ("PipelineStep:Register", "Produced", "ModelPackage:ship/1"),
        ("PipelineStep:Train", "AssociatedWith", f"TrainingJob:{train}"),
        ("PipelineExecution:" + arn.rsplit("/", 1)[1], "AssociatedWith", "PipelineStep:Train"),
        ("PipelineExecution:" + arn.rsplit("/", 1)[1], "AssociatedWith", "PipelineStep:Model"),
    } <= edges(answer)
    # the Model step's model was made before the version: it is not derived from it
    model_name = next(
        s["Metadata"]["Model"]["Arn"]
        for s in studio.pipeline_executions.list_steps(arn)
        if s["StepName"] == "Model"
    ).rsplit("/", 1)[1]
    of_model = LineageService(studio.store).lineage(model_name=model_name)
    assert "ModelPackage" not in by_type(of_model)
    assert ("PipelineStep:Model", "Produced", f"Model:{model_name}") in edges(of_model)
    assert ("TrainingJob:" + train) in {f"{e['Type']}:{e['Name']}" for e in of_model["Entities"]}
