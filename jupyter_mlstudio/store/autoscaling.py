"""The endpoint autoscaling part of the metadata store contract: scalable targets, their
scaling policies and the scaling activities (docs/autoscaling.md).

:class:`AutoscalingRecords` is a base of :class:`~.base.MetadataStore`; the rules of the
whole contract hold (thread safety, frozen entities, one transaction a call, the studio's
errors only). A variant is named by its endpoint and variant names; the store checks
neither against the endpoints (the autoscaling service does).
"""

from __future__ import annotations

import abc
from datetime import datetime

from ..entities import Page
from ..entities.autoscaling import ActivityStatus, ScalableTarget, ScalingActivity, ScalingPolicy


class AutoscalingRecords(abc.ABC):
    """Scalable targets, scaling policies and scaling activities."""

    @abc.abstractmethod
    def put_scalable_target(self, target: ScalableTarget) -> ScalableTarget:
        """Record a target, or change the bounds and suspended state of the variant's
        existing one (its creation time stays).

        Args:
            target: The target, checked.

        Returns:
            The target as stored.
        """

    @abc.abstractmethod
    def get_scalable_target(self, endpoint_name: str, variant_name: str) -> ScalableTarget:
        """The variant's target; NotFoundError(ResourceId) when it has none."""

    @abc.abstractmethod
    def list_scalable_targets(self, *, endpoint_name: str | None = None) -> list[ScalableTarget]:
        """Every target (of ``endpoint_name`` when given), oldest first."""

    @abc.abstractmethod
    def delete_scalable_target(self, endpoint_name: str, variant_name: str) -> None:
        """Delete the variant's target and its policies (its activities stay);
        NotFoundError(ResourceId) when it has none."""

    @abc.abstractmethod
    def put_scaling_policy(self, policy: ScalingPolicy) -> ScalingPolicy:
        """Record a policy, or replace the configuration of the variant's policy of that
        name (its id and creation time stay). NotFoundError(ResourceId) when the variant
        has no scalable target.

        Args:
            policy: The policy, checked.

        Returns:
            The policy as stored.
        """

    @abc.abstractmethod
    def list_scaling_policies(
        self, *, endpoint_name: str | None = None, variant_name: str | None = None
    ) -> list[ScalingPolicy]:
        """Every policy (of the endpoint, of its variant when given), oldest first."""

    @abc.abstractmethod
    def delete_scaling_policy(
        self, endpoint_name: str, variant_name: str, policy_name: str
    ) -> None:
        """NotFoundError(PolicyName) when the variant has no policy of that name."""

    @abc.abstractmethod
    def create_scaling_activity(self, activity: ScalingActivity) -> ScalingActivity:
        """Record an activity as given; ConflictError(ActivityId) when its id is taken."""

    @abc.abstractmethod
    def update_scaling_activity(
        self,
        activity_id: str,
        *,
        status_code: ActivityStatus,
        status_message: str | None = None,
        end_time: datetime | None = None,
    ) -> ScalingActivity:
        """Set an activity's outcome; NotFoundError(ActivityId) when there is none."""

    @abc.abstractmethod
    def list_scaling_activities(
        self,
        *,
        endpoint_name: str | None = None,
        variant_name: str | None = None,
        max_results: int = 50,
        next_token: str | None = None,
    ) -> Page[ScalingActivity]:
        """Newest first (by start time)."""
