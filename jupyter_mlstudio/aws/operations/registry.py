"""The model registry: model package groups and their versions (CreateModelPackageGroup,
DescribeModelPackageGroup, ListModelPackageGroups, DeleteModelPackageGroup,
CreateModelPackage, DescribeModelPackage, ListModelPackages, UpdateModelPackage,
DeleteModelPackage), over the studio's registry (``Studio.registry``), whose shapes are
SageMaker's already; a version registered here shows in the Registry section.

The studio keeps versioned packages only (a version of a group); ARNs are translated at
the boundary by :mod:`..model_packages` (SageMaker's form answered, either form taken).
"""

from __future__ import annotations

from typing import Any

from ...entities import ModelApprovalStatus, ModelPackage, ModelPackageGroup
from ...exceptions import ConflictError
from ...services.registry.requests import CreateModelPackageRequest
from ..errors import AwsError, validation
from ..jobs import project
from ..listing import read_all, select
from ..model_packages import group_arn, group_name, package_arn, package_of
from ..registry import SAGEMAKER, Call

CONFLICT = "ConflictException"
#: UpdateModelPackage members the studio cannot change on a version
_FIXED = (
    "InferenceSpecification",
    "AdditionalInferenceSpecificationsToAdd",
    "SourceUri",
    "ModelCard",
    "ModelLifeCycle",
    "ModelPackageRegistrationType",
)
#: CreateModelPackage members the studio does not keep (refused: they change behaviour)
_UNSUPPORTED = (
    "SourceAlgorithmSpecification",
    "AdditionalInferenceSpecifications",
    "ModelCard",
    "ModelLifeCycle",
    "SecurityConfig",
)


def _tags(params: dict[str, Any]) -> list[dict[str, str]]:
    return [{"Key": t["Key"], "Value": t.get("Value", "")} for t in params.get("Tags") or []]


@SAGEMAKER.operation("CreateModelPackageGroup")
def create_model_package_group(call: Call) -> dict[str, Any]:
    """Create a model package group (a ValidationException if the name is taken, as on
    SageMaker).

    Args:
        call: A CreateModelPackageGroup request.

    Returns:
        ``ModelPackageGroupArn``.
    """
    params = call.params
    name = params["ModelPackageGroupName"]
    request = {
        "ModelPackageGroupName": name,
        "ModelPackageGroupDescription": params.get("ModelPackageGroupDescription"),
        "Tags": _tags(params),
    }
    try:
        call.studio.registry.create_group(request)
    except ConflictError:
        raise validation(f"Model Package Group already exists: {group_arn(call, name)}") from None
    return {"ModelPackageGroupArn": group_arn(call, name)}


def _group_answer(call: Call, group: ModelPackageGroup) -> dict[str, Any]:
    return {
        "ModelPackageGroupName": group.model_package_group_name,
        "ModelPackageGroupArn": group_arn(call, group.model_package_group_name),
        "ModelPackageGroupDescription": group.model_package_group_description,
        "CreationTime": group.creation_time,
        "ModelPackageGroupStatus": "Completed",
    }


@SAGEMAKER.operation("DescribeModelPackageGroup")
def describe_model_package_group(call: Call) -> dict[str, Any]:
    """Describe a model package group, by name or ARN.

    Args:
        call: A DescribeModelPackageGroup request.

    Returns:
        The group in DescribeModelPackageGroup's output shape.
    """
    name = group_name(call, call.params["ModelPackageGroupName"])
    return _group_answer(call, call.studio.store.get_model_package_group(name))


@SAGEMAKER.operation("ListModelPackageGroups")
def list_model_package_groups(call: Call) -> dict[str, Any]:
    """List model package groups (NameContains, the creation-time filters, SortBy Name or
    CreationTime, SortOrder, pages; newest first by default).

    Args:
        call: A ListModelPackageGroups request.

    Returns:
        ``ModelPackageGroupSummaryList`` and ``NextToken``.
    """
    params = call.params
    groups = read_all(
        call.studio.store.list_model_package_groups,
        name_contains=params.get("NameContains") or None,
    )
    page, token = select(
        groups,
        params,
        sort_keys={
            "CreationTime": lambda g: g.creation_time,
            "Name": lambda g: g.model_package_group_name,
        },
        times={"CreationTime": lambda g: g.creation_time},
    )
    return {
        "ModelPackageGroupSummaryList": [_group_answer(call, g) for g in page],
        "NextToken": token,
    }


@SAGEMAKER.operation("DeleteModelPackageGroup")
def delete_model_package_group(call: Call) -> dict[str, Any]:
    """Delete a model package group that holds no versions (ConflictException otherwise:
    delete its versions first, as on SageMaker).

    Args:
        call: A DeleteModelPackageGroup request.

    Returns:
        Nothing (the operation has no output).
    """
    name = group_name(call, call.params["ModelPackageGroupName"])
    try:
        call.studio.store.delete_model_package_group(name)
    except ConflictError as exc:
        raise AwsError(CONFLICT, exc.message) from None
    return {}


@SAGEMAKER.operation("CreateModelPackage")
def create_model_package(call: Call) -> dict[str, Any]:
    """Register a version in a group (ModelPackageGroupName, a name or an ARN): its
    inference specification, metrics, approval status and metadata.

    Args:
        call: A CreateModelPackage request.

    Returns:
        ``ModelPackageArn`` (``model-package/<group>/<version>``).
    """
    params = call.params
    if not params.get("ModelPackageGroupName"):
        raise validation(
            "ModelPackageGroupName: the studio registers versions of a group only"
            " (no unversioned model packages)"
        )
    for member in _UNSUPPORTED:
        if params.get(member):
            raise validation(f"{member} is not supported by the studio")
    request = project(CreateModelPackageRequest, params)
    for member in ("ModelMetrics", "DriftCheckBaselines"):  # maps of maps: kept as given
        if params.get(member):
            request[member] = params[member]
    request["ModelPackageGroupName"] = group_name(call, params["ModelPackageGroupName"])
    answer = call.studio.registry.create_package(request)
    return {
        "ModelPackageArn": package_arn(
            call, answer["ModelPackageGroupName"], answer["ModelPackageVersion"]
        )
    }


def _package_answer(call: Call, package: ModelPackage) -> dict[str, Any]:
    group = package.model_package_group_name
    return {
        "ModelPackageName": group,
        "ModelPackageGroupName": group,
        "ModelPackageVersion": package.model_package_version,
        "ModelPackageArn": package_arn(call, group, package.model_package_version),
        "ModelPackageDescription": package.model_package_description,
        "CreationTime": package.creation_time,
        "ModelPackageStatus": "Completed",
        "ModelApprovalStatus": package.model_approval_status.value,
    }


def _describe(call: Call, package: ModelPackage) -> dict[str, Any]:
    return {
        **package.spec,
        **_package_answer(call, package),
        "LastModifiedTime": package.last_modified_time,
        "ApprovalDescription": package.approval_description,
        "ModelPackageStatusDetails": {"ValidationStatuses": [], "ImageScanStatuses": []},
    }


@SAGEMAKER.operation("DescribeModelPackage")
def describe_model_package(call: Call) -> dict[str, Any]:
    """Describe a version, by its ARN (either form) or ``<group>/<version>``.

    Args:
        call: A DescribeModelPackage request.

    Returns:
        The version in DescribeModelPackage's output shape.
    """
    group, version = package_of(call, call.params["ModelPackageName"])
    return _describe(call, call.studio.store.get_model_package(group, version))


@SAGEMAKER.operation("ListModelPackages")
def list_model_packages(call: Call) -> dict[str, Any]:
    """List a group's versions (ModelPackageGroupName; or every group's with
    ModelPackageType Versioned or Both), ModelApprovalStatus, NameContains, the
    creation-time filters, SortBy, SortOrder (newest first by default) and pages.

    Args:
        call: A ListModelPackages request.

    Returns:
        ``ModelPackageSummaryList`` and ``NextToken``.
    """
    params = call.params
    store = call.studio.store
    approval = params.get("ModelApprovalStatus")
    status = ModelApprovalStatus(approval) if approval else None
    if params.get("ModelPackageGroupName"):
        groups = [group_name(call, params["ModelPackageGroupName"])]
    elif params.get("ModelPackageType") in ("Versioned", "Both"):
        groups = [g.model_package_group_name for g in read_all(store.list_model_package_groups)]
    else:
        groups = []  # SageMaker lists unversioned packages by default; the studio has none
    packages: list[ModelPackage] = []
    for group in groups:
        packages.extend(
            read_all(store.list_model_packages, group_name=group, approval_status=status)
        )
    contains = (params.get("NameContains") or "").lower()
    packages = [p for p in packages if contains in p.model_package_group_name.lower()]
    page, token = select(
        packages,
        params,
        sort_keys={
            "CreationTime": lambda p: (p.creation_time, p.model_package_version),
            "Name": lambda p: (p.model_package_group_name, p.model_package_version),
        },
        times={"CreationTime": lambda p: p.creation_time},
    )
    return {"ModelPackageSummaryList": [_package_answer(call, p) for p in page], "NextToken": token}


@SAGEMAKER.operation("UpdateModelPackage")
def update_model_package(call: Call) -> dict[str, Any]:
    """Update a version: its approval status and ApprovalDescription, and its customer
    metadata (merged; CustomerMetadataPropertiesToRemove removed).

    Args:
        call: An UpdateModelPackage request.

    Returns:
        ``ModelPackageArn``.
    """
    params = call.params
    for member in _FIXED:
        if params.get(member):
            raise validation(f"{member}: the studio does not change a version's {member}")
    group, version = package_of(call, params["ModelPackageArn"], "ModelPackageArn")
    request: dict[str, Any] = {
        key: params[key]
        for key in (
            "ModelApprovalStatus",
            "ApprovalDescription",
            "CustomerMetadataProperties",
            "CustomerMetadataPropertiesToRemove",
        )
        if key in params
    }
    call.studio.registry.update_package(group, version, request)
    return {"ModelPackageArn": package_arn(call, group, version)}


@SAGEMAKER.operation("DeleteModelPackage")
def delete_model_package(call: Call) -> dict[str, Any]:
    """Delete a version (models created from it keep their container, as on SageMaker).

    Args:
        call: A DeleteModelPackage request.

    Returns:
        Nothing (the operation has no output).
    """
    group, version = package_of(call, call.params["ModelPackageName"])
    try:
        call.studio.store.delete_model_package(group, version)
    except ConflictError as exc:
        raise AwsError(CONFLICT, exc.message) from None
    return {}
