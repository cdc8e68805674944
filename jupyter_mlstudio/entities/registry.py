"""The model registry: model package groups and their versioned model packages, as
SageMaker's CreateModelPackageGroup / DescribeModelPackage describe them."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import Field

from ..exceptions import ValidationError
from .common import Entity

#: SageMaker's ARN prefix, with the studio standing for the region and account.
ARN_PREFIX = "arn:mlstudio:sagemaker:local"
#: Most characters of a model package group's name (SageMaker: 63).
GROUP_NAME_MAX = 63


class ModelApprovalStatus(str, Enum):
    APPROVED = "Approved"
    REJECTED = "Rejected"
    PENDING_MANUAL_APPROVAL = "PendingManualApproval"


def package_of(name_or_arn: str, field: str) -> tuple[str, int]:
    """``(group, version)`` of a version's ARN or of ``<group>/<version>``.

    Raises:
        ValidationError: naming ``field``, for anything else.
    """
    text = name_or_arn
    prefix = f"{ARN_PREFIX}:model-package/"
    if text.startswith("arn:"):
        if not text.startswith(prefix):
            raise ValidationError(f"{text!r} is not a model package ARN", field=field)
        text = text[len(prefix) :]
    group, _, version = text.partition("/")
    if not group or not version.isdigit() or len(version) > 10:
        raise ValidationError(
            f"{name_or_arn!r} names no version: give its ARN or <group>/<version>", field=field
        )
    return group, int(version)


def group_arn(group_name: str) -> str:
    return f"{ARN_PREFIX}:model-package-group/{group_name}"


def package_arn(group_name: str, version: int) -> str:
    return f"{ARN_PREFIX}:model-package/{group_name}/{version}"


class ModelPackageGroup(Entity):
    model_package_group_name: str
    model_package_group_description: str | None = None
    creation_time: datetime
    tags: dict[str, str] = Field(default_factory=dict)

    @property
    def model_package_group_arn(self) -> str:
        return group_arn(self.model_package_group_name)


class ModelPackage(Entity):
    """One version of a group. ``spec`` keeps CreateModelPackage's other fields as given
    (InferenceSpecification, ModelMetrics, CustomerMetadataProperties, Domain, Task,
    SamplePayloadUrl, MetadataProperties, ...)."""

    model_package_group_name: str
    model_package_version: int
    model_package_description: str | None = None
    model_approval_status: ModelApprovalStatus
    approval_description: str | None = None
    spec: dict[str, Any] = Field(default_factory=dict)
    creation_time: datetime
    last_modified_time: datetime
    tags: dict[str, str] = Field(default_factory=dict)

    @property
    def model_package_arn(self) -> str:
        return package_arn(self.model_package_group_name, self.model_package_version)
