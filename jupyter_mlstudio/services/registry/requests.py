"""CreateModelPackageGroup, CreateModelPackage and UpdateModelPackage requests, in
SageMaker's field names (the fields a local studio can keep; unknown ones are refused so
that a typo is not silently dropped)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ...entities import ModelApprovalStatus as ApprovalStatus
from ..jobs.requests import MAX_TAGS, JobTag, RequestModel


class CreateModelPackageGroupRequest(RequestModel):
    ModelPackageGroupName: str
    ModelPackageGroupDescription: str | None = None
    Tags: list[JobTag] = Field(default_factory=list, max_length=MAX_TAGS)


class PackageContainer(RequestModel):
    Image: str | None = Field(None, description="none: the studio's script-mode serving")
    ModelDataUrl: str | None = None
    Environment: dict[str, str] = Field(default_factory=dict)
    ContainerHostname: str | None = None
    Framework: str | None = None
    FrameworkVersion: str | None = None
    NearestModelName: str | None = None


class InferenceSpecificationSpec(RequestModel):
    Containers: list[PackageContainer] = Field(min_length=1, max_length=15)
    SupportedContentTypes: list[str] = Field(default_factory=list)
    SupportedResponseMIMETypes: list[str] = Field(default_factory=list)
    SupportedRealtimeInferenceInstanceTypes: list[str] = Field(default_factory=list)
    SupportedTransformInstanceTypes: list[str] = Field(default_factory=list)


class MetricsSourceSpec(RequestModel):
    ContentType: str
    S3Uri: str
    ContentDigest: str | None = None


class CreateModelPackageRequest(RequestModel):
    """A new version of a group (``ModelPackageGroupName``: its name or ARN)."""

    ModelPackageGroupName: str
    ModelPackageDescription: str | None = None
    InferenceSpecification: InferenceSpecificationSpec | None = None
    ModelApprovalStatus: ApprovalStatus = ApprovalStatus.PENDING_MANUAL_APPROVAL
    ModelMetrics: dict[str, dict[str, MetricsSourceSpec]] | None = Field(
        None, description="ModelQuality, ModelDataQuality, Bias, Explainability: metrics sources"
    )
    DriftCheckBaselines: dict[str, Any] | None = None
    CustomerMetadataProperties: dict[str, str] | None = None
    MetadataProperties: dict[str, str] | None = None
    Domain: str | None = None
    Task: str | None = None
    SamplePayloadUrl: str | None = None
    CertifyForMarketplace: bool | None = None
    ValidationSpecification: dict[str, Any] | None = Field(None, description="kept as given")
    SkipModelValidation: str | None = None
    SourceUri: str | None = None
    ClientToken: str | None = None
    Tags: list[JobTag] = Field(default_factory=list, max_length=MAX_TAGS)


class UpdateModelPackageRequest(RequestModel):
    """Only the fields present are changed; customer metadata is merged."""

    ModelApprovalStatus: ApprovalStatus | None = None
    ApprovalDescription: str | None = None
    CustomerMetadataProperties: dict[str, str] | None = None
    CustomerMetadataPropertiesToRemove: list[str] = Field(default_factory=list)
