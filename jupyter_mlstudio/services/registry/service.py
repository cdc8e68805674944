"""Model package groups and versions, shaped as SageMaker's registry API answers.

A version is CreateModelPackage's request kept as given (its ``spec``) with the studio's
number, approval status and times; :func:`describe_package` and :func:`package_summary`
are DescribeModelPackage's and ListModelPackages' shapes of it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from ...artifacts import transfer
from ...artifacts.base import ArtifactStore
from ...entities import ModelApprovalStatus, ModelPackage, ModelPackageGroup
from ...entities.registry import ARN_PREFIX
from ...exceptions import NotFoundError, StudioError, ValidationError
from ...store.base import UNSET, MetadataStore, Page, SortOrder
from ..hosting.records import snapshot_code
from ..jobs.requests import parse_request
from .requests import (
    CreateModelPackageGroupRequest,
    CreateModelPackageRequest,
    UpdateModelPackageRequest,
)

#: CreateModelPackage fields that are the version's own columns, not its kept spec
_COLUMNS = ("ModelPackageGroupName", "ModelPackageDescription", "ModelApprovalStatus", "Tags")


def group_name_of(name_or_arn: str, field: str = "ModelPackageGroupName") -> str:
    """A group's name, given its name or its ARN (as SageMaker takes either)."""
    prefix = f"{ARN_PREFIX}:model-package-group/"
    if name_or_arn.startswith("arn:"):
        if not name_or_arn.startswith(prefix):
            raise ValidationError(f"{name_or_arn!r} is not a model package group ARN", field=field)
        return name_or_arn[len(prefix) :]
    return name_or_arn


def parse_version(text: str) -> int:
    """A version from a path segment; ValidationError(ModelPackageVersion) otherwise."""
    if not text.isdigit() or len(text) > 10:
        raise ValidationError(
            "ModelPackageVersion must be a whole number from 1", field="ModelPackageVersion"
        )
    return int(text)


def group_body(group: ModelPackageGroup) -> dict[str, Any]:
    """DescribeModelPackageGroup's answer."""
    body: dict[str, Any] = {
        "ModelPackageGroupName": group.model_package_group_name,
        "ModelPackageGroupArn": group.model_package_group_arn,
        "CreationTime": group.creation_time.isoformat(),
        "ModelPackageGroupStatus": "Completed",
        "Tags": [{"Key": k, "Value": v} for k, v in group.tags.items()],
    }
    if group.model_package_group_description is not None:
        body["ModelPackageGroupDescription"] = group.model_package_group_description
    return body


def package_summary(package: ModelPackage) -> dict[str, Any]:
    """A ModelPackageSummary (ListModelPackages)."""
    body: dict[str, Any] = {
        "ModelPackageName": package.model_package_group_name,
        "ModelPackageGroupName": package.model_package_group_name,
        "ModelPackageVersion": package.model_package_version,
        "ModelPackageArn": package.model_package_arn,
        "CreationTime": package.creation_time.isoformat(),
        "ModelPackageStatus": "Completed",
        "ModelApprovalStatus": package.model_approval_status.value,
    }
    if package.model_package_description is not None:
        body["ModelPackageDescription"] = package.model_package_description
    return body


def describe_package(package: ModelPackage) -> dict[str, Any]:
    """DescribeModelPackage's answer: the summary, the kept request fields and approval."""
    body = {**package.spec, **package_summary(package)}
    body["LastModifiedTime"] = package.last_modified_time.isoformat()
    body["ModelPackageStatusDetails"] = {"ValidationStatuses": [], "ImageScanStatuses": []}
    if package.approval_description is not None:
        body["ApprovalDescription"] = package.approval_description
    body["Tags"] = [{"Key": k, "Value": v} for k, v in package.tags.items()]
    return body


class RegistryService:
    """The registry of one studio.

    Args:
        store: The metadata store that keeps the groups and versions.
        artifacts: Where a version's script-mode code is copied (None: kept as given).
    """

    def __init__(self, store: MetadataStore, artifacts: ArtifactStore | None = None) -> None:
        self._store = store
        self._artifacts = artifacts

    def create_group(
        self, request: Mapping[str, Any] | CreateModelPackageGroupRequest
    ) -> dict[str, Any]:
        """CreateModelPackageGroup; the group as DescribeModelPackageGroup answers."""
        body = parse_request(CreateModelPackageGroupRequest, request)
        group = self._store.create_model_package_group(
            body.ModelPackageGroupName,
            description=body.ModelPackageGroupDescription,
            tags={t.Key: t.Value for t in body.Tags},
        )
        return group_body(group)

    def describe_group(self, group: str) -> dict[str, Any]:
        """DescribeModelPackageGroup (by name or ARN)."""
        return group_body(self._store.get_model_package_group(group_name_of(group)))

    def list_groups(
        self,
        *,
        name_contains: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[dict[str, Any]]:
        page = self._store.list_model_package_groups(
            name_contains=name_contains,
            sort_order=sort_order,
            max_results=max_results,
            next_token=next_token,
        )
        return Page(items=[group_body(g) for g in page.items], next_token=page.next_token)

    def create_package(
        self, request: Mapping[str, Any] | CreateModelPackageRequest, *, group: str | None = None
    ) -> dict[str, Any]:
        """CreateModelPackage: the group's next version, as DescribeModelPackage answers.

        Args:
            request: The request (its ``ModelPackageGroupName`` may be an ARN).
            group: The group named by the route, which the request must agree with.
        """
        if group is not None and isinstance(request, Mapping):
            request = {"ModelPackageGroupName": group, **request}
        body = parse_request(CreateModelPackageRequest, request)
        name = group_name_of(body.ModelPackageGroupName)
        if group is not None and name != group:
            raise ValidationError(
                f"the request names group {name!r}, the path {group!r}",
                field="ModelPackageGroupName",
            )
        spec = {
            k: v
            for k, v in body.model_dump(mode="json", exclude_none=True).items()
            if k not in _COLUMNS
        }
        try:  # a missing group is said before the containers are checked
            self._store.get_model_package_group(name)
        except NotFoundError as exc:
            raise NotFoundError(str(exc), field="ModelPackageGroupName") from None
        copies = self._freeze_code(name, spec)
        try:
            package = self._store.create_model_package(
                name,
                approval_status=body.ModelApprovalStatus,
                description=body.ModelPackageDescription,
                spec=spec,
                tags={t.Key: t.Value for t in body.Tags},
            )
        except BaseException:
            for prefix in copies:
                with contextlib.suppress(StudioError):
                    self._artifact_store().delete_prefix(prefix)
            raise
        return describe_package(package)

    def _freeze_code(self, group: str, spec: dict[str, Any]) -> list[str]:
        """Check each container's model data and copy its script-mode code folder into the
        artifact store, so that later edits of the code never change a version; return
        the prefixes written."""
        containers = (spec.get("InferenceSpecification") or {}).get("Containers") or []
        written: list[str] = []
        try:
            for i, container in enumerate(containers):
                field = f"InferenceSpecification.Containers[{i}]"
                if container.get("ModelDataUrl"):
                    transfer.check_source(container["ModelDataUrl"], field=f"{field}.ModelDataUrl")
                env = container.get("Environment") or {}
                code = env.get("SAGEMAKER_SUBMIT_DIRECTORY")
                if not code or self._artifacts is None:
                    continue
                try:
                    frozen, prefix = snapshot_code(
                        self._artifacts, f"registry-{group}", code, env.get("SAGEMAKER_PROGRAM")
                    )
                except ValidationError as exc:
                    key = str(exc.field or "").rsplit(".", 1)[-1]
                    raise ValidationError(exc.message, field=f"{field}.Environment.{key}") from None
                env["SAGEMAKER_SUBMIT_DIRECTORY"] = frozen
                if prefix is not None:
                    written.append(prefix)
        except BaseException:
            for prefix in written:
                with contextlib.suppress(StudioError):
                    self._artifact_store().delete_prefix(prefix)
            raise
        return written

    def _artifact_store(self) -> ArtifactStore:
        assert self._artifacts is not None
        return self._artifacts

    def list_packages(
        self,
        group: str,
        *,
        approval_status: ModelApprovalStatus | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[dict[str, Any]]:
        page = self._store.list_model_packages(
            group_name_of(group),
            approval_status=approval_status,
            sort_order=sort_order,
            max_results=max_results,
            next_token=next_token,
        )
        return Page(items=[package_summary(p) for p in page.items], next_token=page.next_token)

    def describe_package(self, group: str, version: int) -> dict[str, Any]:
        return describe_package(self._store.get_model_package(group_name_of(group), version))

    def update_package(
        self, group: str, version: int, request: Mapping[str, Any] | UpdateModelPackageRequest
    ) -> dict[str, Any]:
        """UpdateModelPackage: approval status and description, customer metadata."""
        body = parse_request(UpdateModelPackageRequest, request)
        described = (
            body.ApprovalDescription if "ApprovalDescription" in body.model_fields_set else UNSET
        )
        package = self._store.update_model_package(
            group_name_of(group),
            version,
            approval_status=body.ModelApprovalStatus,
            approval_description=described,
            customer_metadata=body.CustomerMetadataProperties,
            customer_metadata_to_remove=body.CustomerMetadataPropertiesToRemove,
        )
        return describe_package(package)
