"""Queries and answers of the model registry routes, in SageMaker's shapes. Request bodies
are :mod:`..services.registry.requests`."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from ..entities import ModelApprovalStatus as ApprovalStatus
from .schemas import ApiModel, PageQuery, Tag


class ListModelPackageGroupsQuery(PageQuery):
    NameContains: str | None = None


class ModelPackageGroupBody(ApiModel):
    ModelPackageGroupName: str
    ModelPackageGroupArn: str
    ModelPackageGroupDescription: str | None = None
    CreationTime: str
    ModelPackageGroupStatus: str
    Tags: list[Tag] = Field(default_factory=list)


class ListModelPackageGroupsResponse(ApiModel):
    ModelPackageGroupSummaryList: list[ModelPackageGroupBody]
    NextToken: str | None = None


class ListModelPackagesQuery(PageQuery):
    ModelApprovalStatus: ApprovalStatus | None = None


class ModelPackageSummary(ApiModel):
    ModelPackageName: str
    ModelPackageGroupName: str
    ModelPackageVersion: int
    ModelPackageArn: str
    ModelPackageDescription: str | None = None
    CreationTime: str
    ModelPackageStatus: str
    ModelApprovalStatus: ApprovalStatus


class ListModelPackagesResponse(ApiModel):
    ModelPackageSummaryList: list[ModelPackageSummary]
    NextToken: str | None = None


class DescribeModelPackageResponse(ModelPackageSummary):
    """The summary, the approval, and the CreateModelPackage fields kept as given."""

    model_config = ConfigDict(extra="allow", frozen=True)

    InferenceSpecification: dict[str, Any] | None = None
    ModelMetrics: dict[str, Any] | None = None
    CustomerMetadataProperties: dict[str, str] | None = None
    ApprovalDescription: str | None = None
    LastModifiedTime: str
    ModelPackageStatusDetails: dict[str, Any]
    Tags: list[Tag] = Field(default_factory=list)
