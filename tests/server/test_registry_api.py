"""The model registry through the REST API (jp_fetch): groups, versions, approval."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from tests.hosting.test_endpoints import code, csv_rows, trained  # noqa: F401 - fixtures

from .test_api import call
from .test_endpoints_api import _until_in_service as until_in_service

GROUPS = "model-package-groups"

PACKAGE = {
    "ModelPackageDescription": "random forest",
    "InferenceSpecification": {
        "Containers": [{"ModelDataUrl": "<the archive>"}],
        "SupportedContentTypes": ["text/csv"],
        "SupportedResponseMIMETypes": ["application/json"],
        "SupportedRealtimeInferenceInstanceTypes": ["ml.m5.large"],
    },
    "ModelMetrics": {
        "ModelQuality": {
            "Statistics": {"ContentType": "application/json", "S3Uri": "file:///eval.json"}
        }
    },
    "CustomerMetadataProperties": {"team": "churn"},
}


@pytest.fixture
def package(tmp_path: Path) -> dict[str, Any]:
    """PACKAGE with a model archive that exists (versions are checked for their data)."""
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz"):
        pass
    spec = {**PACKAGE["InferenceSpecification"], "Containers": [{"ModelDataUrl": str(archive)}]}
    return {**PACKAGE, "InferenceSpecification": spec}


async def test_groups_versions_and_approval(jp_fetch: Any, package: dict[str, Any]) -> None:
    status, group = await call(
        jp_fetch, "POST", GROUPS, body={"ModelPackageGroupName": "churn", "Tags": []}
    )
    assert status == 201, group
    assert group["ModelPackageGroupArn"].endswith(":model-package-group/churn")
    status, err = await call(jp_fetch, "POST", GROUPS, body={"ModelPackageGroupName": "churn"})
    assert (status, err["field"]) == (409, "ModelPackageGroupName")

    path = (GROUPS, "churn", "model-packages")
    status, first = await call(jp_fetch, "POST", *path, body=package)
    assert status == 201, first
    assert (first["ModelPackageVersion"], first["ModelApprovalStatus"]) == (
        1,
        "PendingManualApproval",
    )
    spec = first["InferenceSpecification"]
    assert spec["Containers"] == [
        {**package["InferenceSpecification"]["Containers"][0], "Environment": {}}
    ]
    assert spec["SupportedContentTypes"] == ["text/csv"]
    assert first["ModelMetrics"] == package["ModelMetrics"]
    # the group by ARN, as SageMaker takes either
    by_arn = {**package, "ModelPackageGroupName": group["ModelPackageGroupArn"]}
    status, second = await call(jp_fetch, "POST", *path, body=by_arn)
    assert (status, second["ModelPackageVersion"]) == (201, 2)

    status, page = await call(jp_fetch, "GET", *path)
    assert [p["ModelPackageVersion"] for p in page["ModelPackageSummaryList"]] == [2, 1]

    status, approved = await call(
        jp_fetch,
        "PATCH",
        *path,
        "1",
        body={"ModelApprovalStatus": "Approved", "ApprovalDescription": "auc 0.91"},
    )
    assert status == 200, approved
    assert (approved["ModelApprovalStatus"], approved["ApprovalDescription"]) == (
        "Approved",
        "auc 0.91",
    )
    params = {"ModelApprovalStatus": "Approved"}
    status, page = await call(jp_fetch, "GET", *path, params=params)
    assert [p["ModelPackageVersion"] for p in page["ModelPackageSummaryList"]] == [1]
    status, described = await call(jp_fetch, "GET", *path, "1")
    assert described["CustomerMetadataProperties"] == {"team": "churn"}
    assert described["ModelPackageArn"].endswith(":model-package/churn/1")

    status, err = await call(jp_fetch, "DELETE", GROUPS, "churn")
    assert (status, err["field"]) == (409, "ModelPackageGroupName")
    for version in ("1", "2"):
        status, _ = await call(jp_fetch, "DELETE", *path, version)
        assert status == 204
    status, _ = await call(jp_fetch, "DELETE", GROUPS, "churn")
    assert status == 204


async def test_bad_input_names_the_field(jp_fetch: Any, package: dict[str, Any]) -> None:
    status, err = await call(jp_fetch, "POST", GROUPS, "nope", "model-packages", body=package)
    assert (status, err["field"]) == (404, "ModelPackageGroupName")
    await call(jp_fetch, "POST", GROUPS, body={"ModelPackageGroupName": "g"})
    path = (GROUPS, "g", "model-packages")
    status, err = await call(
        jp_fetch, "POST", *path, body={**package, "ModelApprovalStatus": "Maybe"}
    )
    assert (status, err["field"]) == (400, "ModelApprovalStatus")
    status, err = await call(jp_fetch, "POST", *path, body={**package, "Typo": 1})
    assert (status, err["field"]) == (400, "Typo")
    status, err = await call(jp_fetch, "PATCH", *path, "x", body={})
    assert (status, err["field"]) == (400, "ModelPackageVersion")
    status, err = await call(jp_fetch, "GET", *path, "7")
    assert (status, err["field"]) == (404, "ModelPackageVersion")
    status, page = await call(jp_fetch, "GET", *path)
    assert page["ModelPackageSummaryList"] == []


async def test_an_approved_version_deploys_and_answers(
    jp_fetch: Any,
    trained: tuple,  # noqa: F811 - the fixture
    code: Path,  # noqa: F811 - the fixture
) -> None:
    """CreateModel with ``ModelPackageName`` takes the version's container (as SageMaker
    does), so a registered model deploys like any other."""
    model, x, archive = trained
    await call(jp_fetch, "POST", GROUPS, body={"ModelPackageGroupName": "iris"})
    container = {
        "ModelDataUrl": str(archive),
        "Environment": {
            "SAGEMAKER_PROGRAM": "inference.py",
            "SAGEMAKER_SUBMIT_DIRECTORY": str(code),
        },
    }
    body = {"InferenceSpecification": {"Containers": [container]}}
    status, version = await call(jp_fetch, "POST", GROUPS, "iris", "model-packages", body=body)
    assert status == 201, version
    await call(
        jp_fetch,
        "PATCH",
        GROUPS,
        "iris",
        "model-packages",
        "1",
        body={"ModelApprovalStatus": "Approved"},
    )
    status, created = await call(
        jp_fetch,
        "POST",
        "models",
        body={
            "ModelName": "iris-v1",
            "PrimaryContainer": {
                "ModelPackageName": version["ModelPackageArn"],
                "Environment": {"EXTRA": "1"},
            },
        },
    )
    assert status == 201, created
    assert created["PrimaryContainer"]["ModelDataUrl"] == str(archive)
    assert created["PrimaryContainer"]["Environment"]["EXTRA"] == "1"
    assert created["PrimaryContainer"]["Environment"]["SAGEMAKER_PROGRAM"] == "inference.py"
    variant = {"VariantName": "AllTraffic", "ModelName": "iris-v1"}
    await call(
        jp_fetch,
        "POST",
        "endpoint-configs",
        body={"EndpointConfigName": "iris-cfg", "ProductionVariants": [variant]},
    )
    await call(
        jp_fetch,
        "POST",
        "endpoints",
        body={"EndpointName": "iris", "EndpointConfigName": "iris-cfg"},
    )
    described = await until_in_service(jp_fetch, "iris")
    assert described["EndpointStatus"] == "InService", described
    answer = await jp_fetch(
        "mlstudio",
        "api",
        "endpoints",
        "iris",
        "invocations",
        method="POST",
        body=csv_rows(x[:3]),
        headers={"Content-Type": "text/csv", "Accept": "application/json"},
    )
    assert json.loads(answer.body) == model.predict(x[:3]).tolist()
    await call(jp_fetch, "DELETE", "endpoints", "iris")
    # a name that is no version is refused, naming the field
    status, err = await call(
        jp_fetch,
        "POST",
        "models",
        body={"ModelName": "m2", "PrimaryContainer": {"ModelPackageName": "iris/9"}},
    )
    assert (status, err["field"]) == (400, "PrimaryContainer.ModelPackageName")


async def test_a_versions_code_is_frozen_when_it_is_registered(
    jp_fetch: Any,
    code: Path,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    """Editing the code folder after registering never changes the version: its
    SAGEMAKER_SUBMIT_DIRECTORY is a copy in the artifact store."""
    await call(jp_fetch, "POST", GROUPS, body={"ModelPackageGroupName": "frozen"})
    env = {"SAGEMAKER_PROGRAM": "inference.py", "SAGEMAKER_SUBMIT_DIRECTORY": str(code)}
    body = {"InferenceSpecification": {"Containers": [{"Environment": env}]}}
    status, version = await call(jp_fetch, "POST", GROUPS, "frozen", "model-packages", body=body)
    assert status == 201, version
    kept = version["InferenceSpecification"]["Containers"][0]["Environment"]
    assert kept["SAGEMAKER_SUBMIT_DIRECTORY"].endswith("/sourcedir.tar.gz")
    assert kept["SAGEMAKER_SUBMIT_DIRECTORY"] != str(code)
    missing = {**env, "SAGEMAKER_SUBMIT_DIRECTORY": str(tmp_path / "gone")}
    body = {"InferenceSpecification": {"Containers": [{"Environment": missing}]}}
    status, err = await call(jp_fetch, "POST", GROUPS, "frozen", "model-packages", body=body)
    field = "InferenceSpecification.Containers[0].Environment.SAGEMAKER_SUBMIT_DIRECTORY"
    assert (status, err["field"]) == (400, field)
    body = {"InferenceSpecification": {"Containers": [{"ModelDataUrl": "/nope.tar.gz"}]}}
    status, err = await call(jp_fetch, "POST", GROUPS, "frozen", "model-packages", body=body)
    assert (status, err["field"]) == (400, "InferenceSpecification.Containers[0].ModelDataUrl")
    status, page = await call(jp_fetch, "GET", GROUPS, "frozen", "model-packages")
    assert [p["ModelPackageVersion"] for p in page["ModelPackageSummaryList"]] == [1]
