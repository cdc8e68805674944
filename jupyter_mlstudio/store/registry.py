"""The model registry part of the metadata store contract.

:class:`RegistryRecords` is a base of :class:`~.base.MetadataStore`; the rules of the whole
contract hold (thread safety, frozen entities, one transaction a call, the studio's
errors only).
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from typing import Any

from ..entities import ModelApprovalStatus, ModelPackage, ModelPackageGroup, Page
from .arguments import UNSET, SortOrder


class RegistryRecords(abc.ABC):
    """Model package groups and their versioned model packages."""

    @abc.abstractmethod
    def create_model_package_group(
        self,
        group_name: str,
        *,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> ModelPackageGroup:
        """ConflictError if the name is taken; ValidationError for a bad name."""

    @abc.abstractmethod
    def get_model_package_group(self, group_name: str) -> ModelPackageGroup: ...

    @abc.abstractmethod
    def list_model_package_groups(
        self,
        *,
        name_contains: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[ModelPackageGroup]:
        """Newest first by default (by creation time)."""

    @abc.abstractmethod
    def delete_model_package_group(self, group_name: str) -> None:
        """ConflictError while the group holds versions (delete them first, as on
        SageMaker)."""

    @abc.abstractmethod
    def create_model_package(
        self,
        group_name: str,
        *,
        approval_status: ModelApprovalStatus = ModelApprovalStatus.PENDING_MANUAL_APPROVAL,
        description: str | None = None,
        spec: Mapping[str, Any] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> ModelPackage:
        """The group's next version (1, 2, ...: never reused, even after a delete), in one
        transaction with the version count. NotFoundError(field ModelPackageGroupName)
        when the group is missing; ValidationError for a ``spec`` JSON cannot carry."""

    @abc.abstractmethod
    def get_model_package(self, group_name: str, version: int) -> ModelPackage:
        """NotFoundError when the group or the version is missing."""

    @abc.abstractmethod
    def list_model_packages(
        self,
        group_name: str,
        *,
        approval_status: ModelApprovalStatus | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[ModelPackage]:
        """A group's versions, newest first by default. NotFoundError for a missing group."""

    @abc.abstractmethod
    def update_model_package(
        self,
        group_name: str,
        version: int,
        *,
        approval_status: ModelApprovalStatus | None = None,
        approval_description: str | None = UNSET,
        customer_metadata: Mapping[str, str] | None = None,
        customer_metadata_to_remove: Sequence[str] = (),
    ) -> ModelPackage:
        """Set the approval status and its description; merge CustomerMetadataProperties
        (kept in the spec) and remove the keys named."""

    @abc.abstractmethod
    def delete_model_package(self, group_name: str, version: int) -> None: ...
