"""The model registry through boto3's real ``sagemaker`` client: a group, two versions,
a filtered listing, an approval, a model from the approved version's ARN, deletes."""

from __future__ import annotations

import tarfile
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from jupyter_mlstudio.runtime.images import DEFAULT_TAG
from jupyter_mlstudio.services.studio import Studio

from .conftest import in_thread
from .test_jobs_api import ROLE, assert_conforms, output_shape, raw_answers

ARN = "arn:aws:sagemaker:us-east-1:000000000000"


def model_data(tmp_path: Path) -> str:
    """A model archive, as a training job leaves it."""
    (tmp_path / "model.json").write_text('{"w": 1}')
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "model.json", arcname="model.json")
    return archive.as_uri()


def package_request(group: str, data: str, **changes: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "ModelPackageGroupName": group,
        "ModelPackageDescription": "a tree",
        "InferenceSpecification": {
            "Containers": [{"Image": DEFAULT_TAG, "ModelDataUrl": data}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        "ModelMetrics": {
            "ModelQuality": {
                "Statistics": {"ContentType": "application/json", "S3Uri": "s3://b/stats.json"}
            }
        },
        "CustomerMetadataProperties": {"owner": "ana"},
    }
    request.update(changes)
    return request


async def test_a_group_its_versions_an_approval_and_a_model_from_the_arn(
    sagemaker: Any, studio: Studio, tmp_path: Path
) -> None:
    answers = raw_answers(sagemaker)
    data = model_data(tmp_path)
    created = await in_thread(
        lambda: sagemaker.create_model_package_group(
            ModelPackageGroupName="Churn",
            ModelPackageGroupDescription="churn models",
            Tags=[{"Key": "team", "Value": "fraud"}],
        )
    )
    group_arn = f"{ARN}:model-package-group/churn"
    assert created["ModelPackageGroupArn"] == group_arn
    first = await in_thread(
        lambda: sagemaker.create_model_package(**package_request("Churn", data))
    )
    assert first["ModelPackageArn"] == f"{ARN}:model-package/churn/1"
    second = await in_thread(  # the group named by its ARN, as the SageMaker SDK may
        lambda: sagemaker.create_model_package(
            **package_request(group_arn, data, ModelApprovalStatus="Rejected")
        )
    )
    assert second["ModelPackageArn"] == f"{ARN}:model-package/churn/2"

    group = await in_thread(
        lambda: sagemaker.describe_model_package_group(ModelPackageGroupName=group_arn)
    )
    assert group["ModelPackageGroupName"] == "Churn"
    assert group["ModelPackageGroupDescription"] == "churn models"
    assert group["ModelPackageGroupStatus"] == "Completed"
    groups = await in_thread(lambda: sagemaker.list_model_package_groups(NameContains="hur"))
    assert [g["ModelPackageGroupArn"] for g in groups["ModelPackageGroupSummaryList"]] == [
        group_arn
    ]

    pending = await in_thread(
        lambda: sagemaker.list_model_packages(
            ModelPackageGroupName="Churn", ModelApprovalStatus="PendingManualApproval"
        )
    )
    assert [p["ModelPackageVersion"] for p in pending["ModelPackageSummaryList"]] == [1]
    ascending = await in_thread(
        lambda: sagemaker.list_model_packages(
            ModelPackageGroupName="Churn",
            SortBy="CreationTime",
            SortOrder="Ascending",
            MaxResults=1,
        )
    )
    (oldest,) = ascending["ModelPackageSummaryList"]
    assert oldest["ModelPackageArn"] == first["ModelPackageArn"]
    following = await in_thread(
        lambda: sagemaker.list_model_packages(
            ModelPackageGroupName="Churn",
            SortBy="CreationTime",
            SortOrder="Ascending",
            NextToken=ascending["NextToken"],
        )
    )
    assert [p["ModelApprovalStatus"] for p in following["ModelPackageSummaryList"]] == ["Rejected"]
    everywhere = await in_thread(lambda: sagemaker.list_model_packages(ModelPackageType="Both"))
    assert len(everywhere["ModelPackageSummaryList"]) == 2

    await in_thread(
        lambda: sagemaker.update_model_package(
            ModelPackageArn=first["ModelPackageArn"],
            ModelApprovalStatus="Approved",
            ApprovalDescription="looks good",
            CustomerMetadataProperties={"stage": "prod"},
            CustomerMetadataPropertiesToRemove=["owner"],
        )
    )
    described = await in_thread(
        lambda: sagemaker.describe_model_package(ModelPackageName=first["ModelPackageArn"])
    )
    assert described["ModelApprovalStatus"] == "Approved"
    assert described["ApprovalDescription"] == "looks good"
    assert described["CustomerMetadataProperties"] == {"stage": "prod"}
    assert described["ModelPackageGroupName"] == "Churn"
    assert described["ModelPackageVersion"] == 1
    assert described["ModelPackageArn"] == first["ModelPackageArn"]
    assert described["InferenceSpecification"]["Containers"][0]["ModelDataUrl"] == data
    assert described["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"] == "s3://b/stats.json"
    by_name = await in_thread(lambda: sagemaker.describe_model_package(ModelPackageName="Churn/2"))
    assert by_name["ModelApprovalStatus"] == "Rejected"
    approved = await in_thread(
        lambda: sagemaker.list_model_packages(
            ModelPackageGroupName="Churn", ModelApprovalStatus="Approved"
        )
    )
    assert [p["ModelPackageArn"] for p in approved["ModelPackageSummaryList"]] == [
        first["ModelPackageArn"]
    ]

    model = await in_thread(
        lambda: sagemaker.create_model(
            ModelName="churn-model",
            ExecutionRoleArn=ROLE,
            PrimaryContainer={"ModelPackageName": first["ModelPackageArn"]},
        )
    )
    assert model["ModelArn"] == f"{ARN}:model/churn-model"
    record = studio.endpoints.get_model("churn-model")
    assert record.primary_container.model_data_url == data
    assert record.primary_container.model_package_name == "Churn/1"
    answered = await in_thread(lambda: sagemaker.describe_model(ModelName="churn-model"))
    assert answered["PrimaryContainer"]["ModelPackageName"] == first["ModelPackageArn"]

    for operation in (
        "DescribeModelPackageGroup",
        "ListModelPackageGroups",
        "DescribeModelPackage",
        "ListModelPackages",
    ):
        assert_conforms(output_shape(operation), answers[operation], operation)

    with pytest.raises(ClientError) as in_use:  # the group still holds versions
        await in_thread(lambda: sagemaker.delete_model_package_group(ModelPackageGroupName="Churn"))
    assert in_use.value.response["Error"]["Code"] == "ConflictException"
    for version in (first, second):
        arn: str = version["ModelPackageArn"]
        await in_thread(partial(sagemaker.delete_model_package, ModelPackageName=arn))
    await in_thread(lambda: sagemaker.delete_model_package_group(ModelPackageGroupName=group_arn))
    assert studio.store.list_model_package_groups().items == []
    assert studio.endpoints.get_model("churn-model").model_name == "churn-model"


async def test_registry_errors_are_sagemakers(
    sagemaker: Any, studio: Studio, tmp_path: Path
) -> None:
    data = model_data(tmp_path)

    async def error(fn: Any) -> dict[str, str]:
        with pytest.raises(ClientError) as raised:
            await in_thread(fn)
        return {key: str(value) for key, value in raised.value.response["Error"].items()}

    missing = await error(lambda: sagemaker.create_model_package(**package_request("nope", data)))
    assert missing["Code"] == "ValidationException"
    assert "nope" in missing["Message"]
    no_group = await error(
        lambda: sagemaker.describe_model_package_group(ModelPackageGroupName="nope")
    )
    assert no_group["Code"] == "ValidationException"

    await in_thread(lambda: sagemaker.create_model_package_group(ModelPackageGroupName="g"))
    taken = await error(lambda: sagemaker.create_model_package_group(ModelPackageGroupName="g"))
    assert taken["Code"] == "ValidationException"
    assert "already exists" in taken["Message"]
    bad_status = await error(
        lambda: sagemaker.create_model_package(
            **package_request("g", data, ModelApprovalStatus="Maybe")
        )
    )
    assert bad_status["Code"] == "ValidationException"
    assert "ModelApprovalStatus" in bad_status["Message"]
    assert studio.store.list_model_packages("g").items == []

    created = await in_thread(lambda: sagemaker.create_model_package(**package_request("g", data)))
    bad_update = await error(
        lambda: sagemaker.update_model_package(
            ModelPackageArn=created["ModelPackageArn"], ModelApprovalStatus="Maybe"
        )
    )
    assert bad_update["Code"] == "ValidationException"
    assert "ModelApprovalStatus" in bad_update["Message"]
    no_version = await error(
        lambda: sagemaker.describe_model_package(ModelPackageName=f"{ARN}:model-package/g/9")
    )
    assert no_version["Code"] == "ValidationException"
    unversioned = await error(lambda: sagemaker.describe_model_package(ModelPackageName="g"))
    assert "version" in unversioned["Message"]
    no_model = await error(
        lambda: sagemaker.create_model(
            ModelName="m",
            ExecutionRoleArn=ROLE,
            PrimaryContainer={"ModelPackageName": f"{ARN}:model-package/g/9"},
        )
    )
    assert no_model["Code"] == "ValidationException"
    assert "ModelPackageName" in no_model["Message"]
    assert studio.store.list_models().items == []
    described = await in_thread(
        lambda: sagemaker.describe_model_package(ModelPackageName=created["ModelPackageArn"])
    )
    assert described["ModelApprovalStatus"] == "PendingManualApproval"
