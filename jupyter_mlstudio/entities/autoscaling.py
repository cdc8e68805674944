"""Endpoint autoscaling's records, as Application Auto Scaling describes them: a scalable
target per endpoint variant (its instance count between a minimum and a maximum), the
target-tracking policies on it and the scaling activities that changed it.

Only SageMaker's dimension exists here: ``ServiceNamespace`` ``sagemaker``, ``ResourceId``
``endpoint/<endpoint>/variant/<variant>``, ``ScalableDimension``
``sagemaker:variant:DesiredInstanceCount``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from .common import Entity

SERVICE_NAMESPACE = "sagemaker"
SCALABLE_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
#: the only policy type the studio runs
TARGET_TRACKING = "TargetTrackingScaling"
#: ARNs of the studio's Application Auto Scaling resources start so
ARN_PREFIX = "arn:mlstudio:autoscaling:local"

ActivityStatus = Literal[
    "Pending", "InProgress", "Successful", "Overridden", "Unfulfilled", "Failed"
]


def resource_id(endpoint_name: str, variant_name: str) -> str:
    """``endpoint/<endpoint>/variant/<variant>``, Application Auto Scaling's id of a
    variant.

    Args:
        endpoint_name: The endpoint.
        variant_name: Its production variant.

    Returns:
        The resource id.
    """
    return f"endpoint/{endpoint_name}/variant/{variant_name}"


class ScalableTarget(Entity):
    """A variant whose instance count autoscaling may change, between its bounds.

    ``suspended_state`` is ``SuspendedState`` as given (``DynamicScalingInSuspended``,
    ``DynamicScalingOutSuspended``, ``ScheduledScalingSuspended``)."""

    endpoint_name: str
    variant_name: str
    min_capacity: int
    max_capacity: int
    role_arn: str | None = None
    suspended_state: dict[str, bool] = Field(default_factory=dict)
    creation_time: datetime

    @property
    def resource_id(self) -> str:
        return resource_id(self.endpoint_name, self.variant_name)

    @property
    def scalable_target_arn(self) -> str:
        return f"{ARN_PREFIX}:scalable-target/{self.endpoint_name}/{self.variant_name}"

    def describe(self) -> dict[str, Any]:
        """DescribeScalableTargets' member: Application Auto Scaling's field names."""
        out: dict[str, Any] = {
            "ServiceNamespace": SERVICE_NAMESPACE,
            "ResourceId": self.resource_id,
            "ScalableDimension": SCALABLE_DIMENSION,
            "MinCapacity": self.min_capacity,
            "MaxCapacity": self.max_capacity,
            "RoleARN": self.role_arn or f"{ARN_PREFIX}:role/autoscaling",
            "CreationTime": self.creation_time,
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
                **self.suspended_state,
            },
            "ScalableTargetARN": self.scalable_target_arn,
        }
        return out


class ScalingPolicy(Entity):
    """A target-tracking policy on a variant. ``configuration`` is
    ``TargetTrackingScalingPolicyConfiguration``, checked and with its defaults."""

    policy_name: str
    endpoint_name: str
    variant_name: str
    policy_type: str = TARGET_TRACKING
    configuration: dict[str, Any]
    #: the uuid in the policy's ARN (a policy put again keeps it)
    policy_id: str
    creation_time: datetime

    @property
    def resource_id(self) -> str:
        return resource_id(self.endpoint_name, self.variant_name)

    @property
    def policy_arn(self) -> str:
        return (
            f"{ARN_PREFIX}:scalingPolicy:{self.policy_id}:resource/sagemaker/"
            f"{self.resource_id}:policyName/{self.policy_name}"
        )

    def describe(self) -> dict[str, Any]:
        """DescribeScalingPolicies' member: Application Auto Scaling's field names."""
        return {
            "PolicyARN": self.policy_arn,
            "PolicyName": self.policy_name,
            "ServiceNamespace": SERVICE_NAMESPACE,
            "ResourceId": self.resource_id,
            "ScalableDimension": SCALABLE_DIMENSION,
            "PolicyType": self.policy_type,
            "TargetTrackingScalingPolicyConfiguration": self.configuration,
            "Alarms": [],
            "CreationTime": self.creation_time,
        }


class ScalingActivity(Entity):
    """One change of a variant's instance count (or an attempt at one)."""

    activity_id: str
    endpoint_name: str
    variant_name: str
    description: str
    cause: str
    status_code: ActivityStatus = "InProgress"
    status_message: str | None = None
    start_time: datetime
    end_time: datetime | None = None
    details: str | None = None

    @property
    def resource_id(self) -> str:
        return resource_id(self.endpoint_name, self.variant_name)

    def describe(self) -> dict[str, Any]:
        """DescribeScalingActivities' member: Application Auto Scaling's field names."""
        out: dict[str, Any] = {
            "ActivityId": self.activity_id,
            "ServiceNamespace": SERVICE_NAMESPACE,
            "ResourceId": self.resource_id,
            "ScalableDimension": SCALABLE_DIMENSION,
            "Description": self.description,
            "Cause": self.cause,
            "StartTime": self.start_time,
            "StatusCode": self.status_code,
        }
        if self.end_time is not None:
            out["EndTime"] = self.end_time
        if self.status_message is not None:
            out["StatusMessage"] = self.status_message
        if self.details is not None:
            out["Details"] = self.details
        return out
