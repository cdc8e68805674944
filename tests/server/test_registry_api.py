"""The model registry through the REST API (jp_fetch): groups, versions, approval."""

from __future__ import annotations

from typing import Any

from .test_api import call

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
