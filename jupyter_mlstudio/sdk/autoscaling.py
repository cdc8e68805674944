"""Endpoint autoscaling from a notebook, with the method names, keyword arguments and
answers of boto3's ``application-autoscaling`` client::

    from jupyter_mlstudio.sdk import autoscaling_client

    client = autoscaling_client()
    client.register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId="endpoint/my-endpoint/variant/AllTraffic",
        ScalableDimension="sagemaker:variant:DesiredInstanceCount",
        MinCapacity=1,
        MaxCapacity=4,
    )

Each call is one ``POST /mlstudio/api/application-autoscaling/<Operation>`` to the studio
that owns the session's home; times come back as ``datetime`` objects, as boto3 gives
them (docs/autoscaling.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from .client import resolve_client
from .transport import StudioConnection

#: the members that carry times
TIME_MEMBERS = frozenset({"CreationTime", "StartTime", "EndTime"})


class AutoscalingClient:
    """Application Auto Scaling's operations on one studio's endpoint variants.

    Args:
        connection: The studio.
    """

    def __init__(self, connection: StudioConnection) -> None:
        self.connection = connection

    def _call(self, operation: str, **members: Any) -> dict[str, Any]:
        body = {k: v for k, v in members.items() if v is not None}
        answer = self.connection.json("POST", f"application-autoscaling/{operation}", body=body)
        return dict(_times(answer or {}))

    def register_scalable_target(
        self,
        *,
        ServiceNamespace: str,
        ResourceId: str,
        ScalableDimension: str,
        MinCapacity: int | None = None,
        MaxCapacity: int | None = None,
        RoleARN: str | None = None,
        SuspendedState: Mapping[str, bool] | None = None,
        Tags: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """RegisterScalableTarget: a variant's instance count between MinCapacity and
        MaxCapacity (registered again: what is given changes).

        Args:
            ServiceNamespace: ``sagemaker``.
            ResourceId: ``endpoint/<endpoint>/variant/<variant>``.
            ScalableDimension: ``sagemaker:variant:DesiredInstanceCount``.
            MinCapacity: The fewest instances (required the first time).
            MaxCapacity: The most instances (required the first time).
            RoleARN: Kept and described; the studio needs no role.
            SuspendedState: ``DynamicScalingInSuspended`` / ``DynamicScalingOutSuspended``.
            Tags: Accepted and ignored.

        Returns:
            ``{"ScalableTargetARN"}``.
        """
        return self._call(
            "RegisterScalableTarget",
            ServiceNamespace=ServiceNamespace,
            ResourceId=ResourceId,
            ScalableDimension=ScalableDimension,
            MinCapacity=MinCapacity,
            MaxCapacity=MaxCapacity,
            RoleARN=RoleARN,
            SuspendedState=dict(SuspendedState) if SuspendedState else None,
            Tags=dict(Tags) if Tags else None,
        )

    def describe_scalable_targets(
        self,
        *,
        ServiceNamespace: str,
        ResourceIds: Sequence[str] | None = None,
        ScalableDimension: str | None = None,
        MaxResults: int | None = None,
        NextToken: str | None = None,
    ) -> dict[str, Any]:
        """DescribeScalableTargets.

        Args:
            ServiceNamespace: ``sagemaker``.
            ResourceIds: Only these variants.
            ScalableDimension: ``sagemaker:variant:DesiredInstanceCount``.
            MaxResults: Page size (up to 50).
            NextToken: From the previous page.

        Returns:
            ``{"ScalableTargets": [...], "NextToken"?}``.
        """
        return self._call(
            "DescribeScalableTargets",
            ServiceNamespace=ServiceNamespace,
            ResourceIds=list(ResourceIds) if ResourceIds else None,
            ScalableDimension=ScalableDimension,
            MaxResults=MaxResults,
            NextToken=NextToken,
        )

    def deregister_scalable_target(
        self, *, ServiceNamespace: str, ResourceId: str, ScalableDimension: str
    ) -> dict[str, Any]:
        """DeregisterScalableTarget: the target and its policies go (the instance count
        stays).

        Args:
            ServiceNamespace: ``sagemaker``.
            ResourceId: ``endpoint/<endpoint>/variant/<variant>``.
            ScalableDimension: ``sagemaker:variant:DesiredInstanceCount``.

        Returns:
            ``{}``.
        """
        return self._call(
            "DeregisterScalableTarget",
            ServiceNamespace=ServiceNamespace,
            ResourceId=ResourceId,
            ScalableDimension=ScalableDimension,
        )

    def put_scaling_policy(
        self,
        *,
        PolicyName: str,
        ServiceNamespace: str,
        ResourceId: str,
        ScalableDimension: str,
        PolicyType: str | None = None,
        TargetTrackingScalingPolicyConfiguration: Mapping[str, Any] | None = None,
        StepScalingPolicyConfiguration: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """PutScalingPolicy: a target-tracking policy on
        SageMakerVariantInvocationsPerInstance (put again: replaced).

        Args:
            PolicyName: The policy's name.
            ServiceNamespace: ``sagemaker``.
            ResourceId: ``endpoint/<endpoint>/variant/<variant>``.
            ScalableDimension: ``sagemaker:variant:DesiredInstanceCount``.
            PolicyType: ``TargetTrackingScaling`` (the only type the studio runs).
            TargetTrackingScalingPolicyConfiguration: TargetValue,
                PredefinedMetricSpecification, ScaleOutCooldown, ScaleInCooldown,
                DisableScaleIn.
            StepScalingPolicyConfiguration: Refused (step scaling is not supported).

        Returns:
            ``{"PolicyARN", "Alarms"}``.
        """
        return self._call(
            "PutScalingPolicy",
            PolicyName=PolicyName,
            ServiceNamespace=ServiceNamespace,
            ResourceId=ResourceId,
            ScalableDimension=ScalableDimension,
            PolicyType=PolicyType,
            TargetTrackingScalingPolicyConfiguration=_plain(
                TargetTrackingScalingPolicyConfiguration
            ),
            StepScalingPolicyConfiguration=_plain(StepScalingPolicyConfiguration),
        )

    def describe_scaling_policies(
        self,
        *,
        ServiceNamespace: str,
        PolicyNames: Sequence[str] | None = None,
        ResourceId: str | None = None,
        ScalableDimension: str | None = None,
        MaxResults: int | None = None,
        NextToken: str | None = None,
    ) -> dict[str, Any]:
        """DescribeScalingPolicies.

        Args:
            ServiceNamespace: ``sagemaker``.
            PolicyNames: Only these policies.
            ResourceId: Only this variant's.
            ScalableDimension: ``sagemaker:variant:DesiredInstanceCount``.
            MaxResults: Page size (up to 50).
            NextToken: From the previous page.

        Returns:
            ``{"ScalingPolicies": [...], "NextToken"?}``.
        """
        return self._call(
            "DescribeScalingPolicies",
            ServiceNamespace=ServiceNamespace,
            PolicyNames=list(PolicyNames) if PolicyNames else None,
            ResourceId=ResourceId,
            ScalableDimension=ScalableDimension,
            MaxResults=MaxResults,
            NextToken=NextToken,
        )

    def delete_scaling_policy(
        self, *, PolicyName: str, ServiceNamespace: str, ResourceId: str, ScalableDimension: str
    ) -> dict[str, Any]:
        """DeleteScalingPolicy.

        Args:
            PolicyName: The policy's name.
            ServiceNamespace: ``sagemaker``.
            ResourceId: ``endpoint/<endpoint>/variant/<variant>``.
            ScalableDimension: ``sagemaker:variant:DesiredInstanceCount``.

        Returns:
            ``{}``.
        """
        return self._call(
            "DeleteScalingPolicy",
            PolicyName=PolicyName,
            ServiceNamespace=ServiceNamespace,
            ResourceId=ResourceId,
            ScalableDimension=ScalableDimension,
        )

    def describe_scaling_activities(
        self,
        *,
        ServiceNamespace: str,
        ResourceId: str | None = None,
        ScalableDimension: str | None = None,
        MaxResults: int | None = None,
        NextToken: str | None = None,
        IncludeNotScaledActivities: bool | None = None,
    ) -> dict[str, Any]:
        """DescribeScalingActivities, newest first.

        Args:
            ServiceNamespace: ``sagemaker``.
            ResourceId: Only this variant's.
            ScalableDimension: ``sagemaker:variant:DesiredInstanceCount``.
            MaxResults: Page size (up to 50).
            NextToken: From the previous page.
            IncludeNotScaledActivities: Accepted; the studio records only scalings.

        Returns:
            ``{"ScalingActivities": [...], "NextToken"?}``.
        """
        return self._call(
            "DescribeScalingActivities",
            ServiceNamespace=ServiceNamespace,
            ResourceId=ResourceId,
            ScalableDimension=ScalableDimension,
            MaxResults=MaxResults,
            NextToken=NextToken,
            IncludeNotScaledActivities=IncludeNotScaledActivities,
        )


def autoscaling_client(session: Any = None) -> AutoscalingClient:
    """The autoscaling client of a ``sagemaker_session``, as
    ``boto3.client("application-autoscaling")`` is used.

    Args:
        session: None (the default client), a Session, a TrackingClient or a URI.

    Returns:
        A client of the studio that owns the session's home.
    """
    return AutoscalingClient(resolve_client(session).studio)


def _plain(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if value is None else dict(value)


def _times(value: Any) -> Any:
    """The answer with ISO 8601 times as ``datetime`` objects, as boto3 gives them."""
    if isinstance(value, dict):
        return {
            k: datetime.fromisoformat(v) if k in TIME_MEMBERS and isinstance(v, str) else _times(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_times(v) for v in value]
    return value
