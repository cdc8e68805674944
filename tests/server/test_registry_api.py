"""The model registry through the REST API (jp_fetch): groups, versions, approval."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.hosting.test_endpoints import code, csv_rows, trained  # noqa: F401 - fixtures

from .test_api import call
from .test_endpoints_api import _until_in_service as until_in_service

GROUPS = "model-package-groups"

PACKAGE = {
    "ModelPackageDescription": "random forest",
    "InferenceSpecification": {
        "Containers": [{"ModelDataUrl": "file:///models/model.tar.gz"}],
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


async def test_groups_versions_and_approval(jp_fetch: Any) -> None:
    status, group = await call(
        jp_fetch, "POST", GROUPS, body={"ModelPackageGroupName": "churn", "Tags": []}
    )
    assert status == 201, group
    assert group["ModelPackageGroupArn"].endswith(":model-package-group/churn")
    status, err = await call(jp_fetch, "POST", GROUPS, body={"ModelPackageGroupName": "churn"})
    assert (status, err["field"]) == (409, "ModelPackageGroupName")

    path = (GROUPS, "churn", "model-packages")
    status, first = await call(jp_fetch, "POST", *path, body=PACKAGE)
    assert status == 201, first
    assert (first["ModelPackageVersion"], first["ModelApprovalStatus"]) == (
        1,
        "PendingManualApproval",
    )
    spec = first["InferenceSpecification"]
    assert spec["Containers"] == [
        {"ModelDataUrl": "file:///models/model.tar.gz", "Environment": {}}
    ]
    assert spec["SupportedContentTypes"] == ["text/csv"]
    assert first["ModelMetrics"] == PACKAGE["ModelMetrics"]
    # the group by ARN, as SageMaker takes either
    by_arn = {**PACKAGE, "ModelPackageGroupName": group["ModelPackageGroupArn"]}
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


async def test_bad_input_names_the_field(jp_fetch: Any) -> None:
    status, err = await call(jp_fetch, "POST", GROUPS, "nope", "model-packages", body=PACKAGE)
    assert (status, err["field"]) == (404, "ModelPackageGroupName")
    await call(jp_fetch, "POST", GROUPS, body={"ModelPackageGroupName": "g"})
    path = (GROUPS, "g", "model-packages")
    status, err = await call(
        jp_fetch, "POST", *path, body={**PACKAGE, "ModelApprovalStatus": "Maybe"}
    )
    assert (status, err["field"]) == (400, "ModelApprovalStatus")
    status, err = await call(jp_fetch, "POST", *path, body={**PACKAGE, "Typo": 1})
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
