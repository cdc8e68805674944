"""Application Auto Scaling for endpoint variants: RegisterScalableTarget,
DescribeScalableTargets, DeregisterScalableTarget, PutScalingPolicy,
DescribeScalingPolicies, DeleteScalingPolicy and DescribeScalingActivities over
``Studio.autoscaling``, so ``boto3.client("application-autoscaling")`` pointed at the
studio registers targets and policies that its controller runs (docs/autoscaling.md).

The service answers in Application Auto Scaling's members already; this module only
writes AWS's ARNs (``arn:aws:application-autoscaling:...:scalable-target/...``,
``arn:aws:autoscaling:...:scalingPolicy:...``) in place of the studio's, and sends
``ObjectNotFoundException`` for a target or policy that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...entities.autoscaling import ARN_PREFIX
from ..registry import AUTOSCALING, Call

NOT_FOUND = "ObjectNotFoundException"


def _arns(call: Call, answer: Any) -> Any:
    """``answer`` with the studio's ARNs written as AWS's, at any depth."""
    if isinstance(answer, dict):
        return {k: _arns(call, v) for k, v in answer.items()}
    if isinstance(answer, list):
        return [_arns(call, v) for v in answer]
    if isinstance(answer, str) and answer.startswith(ARN_PREFIX):
        rest = answer[len(ARN_PREFIX) :]
        service = "autoscaling" if rest.startswith(":scalingPolicy:") else "application-autoscaling"
        return f"arn:aws:{service}:{call.region}:{call.account_id}{rest}"
    return answer


def _answer(call: Call, operation: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    answer: dict[str, Any] = _arns(call, operation(call.params))
    return answer


@AUTOSCALING.operation("RegisterScalableTarget")
def register_scalable_target(call: Call) -> dict[str, Any]:
    """Register an endpoint variant's instance count as a scalable target, between
    MinCapacity and MaxCapacity (registered again: changed)."""
    return _answer(call, call.studio.autoscaling.register_scalable_target)


@AUTOSCALING.operation("DescribeScalableTargets")
def describe_scalable_targets(call: Call) -> dict[str, Any]:
    """The scalable targets (of ResourceIds), in pages."""
    return _answer(call, call.studio.autoscaling.describe_scalable_targets)


@AUTOSCALING.operation("DeregisterScalableTarget", not_found=NOT_FOUND)
def deregister_scalable_target(call: Call) -> dict[str, Any]:
    """Deregister a variant's scalable target and delete its scaling policies."""
    return _answer(call, call.studio.autoscaling.deregister_scalable_target)


@AUTOSCALING.operation("PutScalingPolicy", not_found=NOT_FOUND)
def put_scaling_policy(call: Call) -> dict[str, Any]:
    """Create or replace a target-tracking policy on SageMakerVariantInvocationsPerInstance
    (TargetValue, ScaleOutCooldown, ScaleInCooldown, DisableScaleIn)."""
    return _answer(call, call.studio.autoscaling.put_scaling_policy)


@AUTOSCALING.operation("DescribeScalingPolicies")
def describe_scaling_policies(call: Call) -> dict[str, Any]:
    """The scaling policies (of a ResourceId, of PolicyNames), in pages."""
    return _answer(call, call.studio.autoscaling.describe_scaling_policies)


@AUTOSCALING.operation("DeleteScalingPolicy", not_found=NOT_FOUND)
def delete_scaling_policy(call: Call) -> dict[str, Any]:
    """Delete a scaling policy of a variant."""
    return _answer(call, call.studio.autoscaling.delete_scaling_policy)


@AUTOSCALING.operation("DescribeScalingActivities")
def describe_scaling_activities(call: Call) -> dict[str, Any]:
    """The scaling activities (of a ResourceId), newest first, in pages."""
    return _answer(call, call.studio.autoscaling.describe_scaling_activities)
