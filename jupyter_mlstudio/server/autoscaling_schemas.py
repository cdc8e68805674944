"""The requests and answers of the endpoint autoscaling routes, in Application Auto
Scaling's member names (the endpoint view's Autoscaling panel reads exactly these)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field

from .schemas import ApiModel

ActivityStatus = Literal[
    "Pending", "InProgress", "Successful", "Overridden", "Unfulfilled", "Failed"
]
#: the operations ``POST /application-autoscaling/{Operation}`` answers
AutoscalingOperation = Literal[
    "RegisterScalableTarget",
    "DescribeScalableTargets",
    "DeregisterScalableTarget",
    "PutScalingPolicy",
    "DescribeScalingPolicies",
    "DeleteScalingPolicy",
    "DescribeScalingActivities",
]


class SuspendedState(ApiModel):
    DynamicScalingInSuspended: bool = False
    DynamicScalingOutSuspended: bool = False
    ScheduledScalingSuspended: bool = False


class ScalableTarget(ApiModel):
    ServiceNamespace: Literal["sagemaker"] = "sagemaker"
    ResourceId: str = Field(description="endpoint/<EndpointName>/variant/<VariantName>")
    ScalableDimension: Literal["sagemaker:variant:DesiredInstanceCount"] = (
        "sagemaker:variant:DesiredInstanceCount"
    )
    MinCapacity: int
    MaxCapacity: int
    RoleARN: str
    CreationTime: datetime
    SuspendedState: SuspendedState
    ScalableTargetARN: str


class PredefinedMetricSpecification(ApiModel):
    PredefinedMetricType: Literal["SageMakerVariantInvocationsPerInstance"]


class TargetTrackingConfiguration(ApiModel):
    TargetValue: float = Field(description="Invocations a minute per instance to keep to")
    PredefinedMetricSpecification: PredefinedMetricSpecification
    ScaleOutCooldown: int = Field(description="Seconds after a scale-out before another")
    ScaleInCooldown: int = Field(description="Seconds after any scaling before a scale-in")
    DisableScaleIn: bool


class ScalingPolicy(ApiModel):
    PolicyARN: str
    PolicyName: str
    ServiceNamespace: Literal["sagemaker"] = "sagemaker"
    ResourceId: str
    ScalableDimension: str
    PolicyType: Literal["TargetTrackingScaling"]
    TargetTrackingScalingPolicyConfiguration: TargetTrackingConfiguration
    Alarms: list[dict[str, str]] = Field(default_factory=list)
    CreationTime: datetime


class ScalingActivity(ApiModel):
    ActivityId: str
    ServiceNamespace: Literal["sagemaker"] = "sagemaker"
    ResourceId: str
    ScalableDimension: str
    Description: str = Field(description='"Setting desired instance count to N."')
    Cause: str
    StartTime: datetime
    EndTime: datetime | None = None
    StatusCode: ActivityStatus
    StatusMessage: str | None = None
    Details: str | None = Field(default=None, description='"from N to M instances"')


class EndpointAutoscaling(ApiModel):
    ScalableTargets: list[ScalableTarget]
    ScalingPolicies: list[ScalingPolicy]
    ScalingActivities: list[ScalingActivity] = Field(description="Newest first (up to 50)")


class PutEndpointAutoscalingBody(ApiModel):
    """Register a variant's scalable target and, with TargetValue, put its
    target-tracking policy on SageMakerVariantInvocationsPerInstance."""

    VariantName: str
    MinCapacity: int
    MaxCapacity: int
    TargetValue: float | None = Field(
        default=None, description="Invocations a minute per instance; none: bounds only"
    )
    PolicyName: str = "SageMakerEndpointInvocationScalingPolicy"
    ScaleOutCooldown: int = 300
    ScaleInCooldown: int = 300
    DisableScaleIn: bool = False


class DeleteEndpointAutoscalingQuery(ApiModel):
    VariantName: str | None = Field(
        default=None, description="The variant to deregister (none: every variant)"
    )


class AutoscalingRequest(ApiModel):
    """Any member of the operation's request, as boto3's application-autoscaling client
    takes it."""

    model_config = ConfigDict(extra="allow", frozen=True)


class AutoscalingAnswer(ApiModel):
    """The operation's answer, as Application Auto Scaling sends it (times in ISO 8601)."""

    model_config = ConfigDict(extra="allow", frozen=True)
