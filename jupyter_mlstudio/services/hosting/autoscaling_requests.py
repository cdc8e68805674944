"""Application Auto Scaling's requests for endpoint variants, checked: the namespace, the
resource id, the dimension, a target's bounds and a target-tracking policy's
configuration. Pure rules, no I/O; ValidationError names the member at fault.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...entities.autoscaling import SCALABLE_DIMENSION, SERVICE_NAMESPACE, TARGET_TRACKING
from ...exceptions import ValidationError
from .requests import MAX_INSTANCES

#: CloudWatch's SageMakerVariantInvocationsPerInstance: requests a minute per instance
INVOCATIONS_PER_INSTANCE = "SageMakerVariantInvocationsPerInstance"
#: the metrics a policy may track here
METRICS = (INVOCATIONS_PER_INSTANCE,)
#: Application Auto Scaling's default cooldowns for SageMaker variants (seconds)
DEFAULT_COOLDOWN_S = 300
#: the longest cooldown Application Auto Scaling takes (seconds)
MAX_COOLDOWN_S = 3600


@dataclass(frozen=True)
class Variant:
    """A variant named by a resource id ``endpoint/<endpoint>/variant/<variant>``."""

    endpoint_name: str
    variant_name: str


def check_namespace(params: Mapping[str, Any]) -> None:
    """Refuse a service namespace other than ``sagemaker``.

    Args:
        params: The request.

    Raises:
        ValidationError: ServiceNamespace.
    """
    namespace = params.get("ServiceNamespace")
    if namespace != SERVICE_NAMESPACE:
        raise ValidationError(
            f"ServiceNamespace {namespace!r} is not supported: the studio scales SageMaker"
            f" endpoint variants ({SERVICE_NAMESPACE!r})",
            field="ServiceNamespace",
        )


def check_dimension(params: Mapping[str, Any], *, required: bool = True) -> None:
    """Refuse a scalable dimension other than a variant's instance count.

    Args:
        params: The request.
        required: Whether the request must name one.

    Raises:
        ValidationError: ScalableDimension.
    """
    dimension = params.get("ScalableDimension")
    if dimension is None and not required:
        return
    if dimension != SCALABLE_DIMENSION:
        raise ValidationError(
            f"ScalableDimension {dimension!r} is not supported; use {SCALABLE_DIMENSION!r}",
            field="ScalableDimension",
        )


def parse_resource_id(value: Any, field: str = "ResourceId") -> Variant:
    """The variant of ``endpoint/<endpoint>/variant/<variant>``.

    Args:
        value: The resource id.
        field: The member it came in.

    Returns:
        The endpoint and variant names.

    Raises:
        ValidationError: Not a variant's resource id.
    """
    parts = value.split("/") if isinstance(value, str) else []
    if len(parts) != 4 or parts[0] != "endpoint" or parts[2] != "variant" or not all(parts):
        raise ValidationError(
            f"{value!r} is not a variant's resource id (endpoint/<endpoint>/variant/<variant>)",
            field=field,
        )
    return Variant(parts[1], parts[3])


def check_bounds(low: Any, high: Any, *, old: tuple[int, int] | None = None) -> tuple[int, int]:
    """A target's MinCapacity and MaxCapacity; a target registered again keeps what the
    request leaves out.

    Args:
        low: MinCapacity as given (None: keep).
        high: MaxCapacity as given (None: keep).
        old: The bounds of the target registered before, if any.

    Returns:
        ``(min, max)``.

    Raises:
        ValidationError: Missing on a new target, out of 1..16, or min above max.
    """
    if old is None and (low is None or high is None):
        raise ValidationError(
            "MinCapacity and MaxCapacity are required to register a new scalable target",
            field="MinCapacity" if low is None else "MaxCapacity",
        )
    low = old[0] if low is None and old else low
    high = old[1] if high is None and old else high
    for name, value in (("MinCapacity", low), ("MaxCapacity", high)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(f"{name} must be an integer", field=name)
        if not 1 <= value <= MAX_INSTANCES:
            raise ValidationError(
                f"{name} must be between 1 and {MAX_INSTANCES} for an endpoint variant",
                field=name,
            )
    if low > high:
        raise ValidationError(
            f"MinCapacity ({low}) must not be greater than MaxCapacity ({high})",
            field="MinCapacity",
        )
    return low, high


def check_tracking(params: Mapping[str, Any]) -> dict[str, Any]:
    """A PutScalingPolicy request's TargetTrackingScalingPolicyConfiguration, with its
    defaults filled in.

    Args:
        params: The request.

    Returns:
        The configuration: TargetValue, PredefinedMetricSpecification, ScaleOutCooldown,
        ScaleInCooldown, DisableScaleIn.

    Raises:
        ValidationError: Another policy type, no configuration, a metric not tracked
            here, a target value that is not above 0, a cooldown out of range.
    """
    policy_type = params.get("PolicyType") or "StepScaling"
    if policy_type != TARGET_TRACKING:
        raise ValidationError(
            f"PolicyType {policy_type!r} is not supported; use {TARGET_TRACKING!r}",
            field="PolicyType",
        )
    field = "TargetTrackingScalingPolicyConfiguration"
    config = params.get(field)
    if not isinstance(config, Mapping):
        raise ValidationError(f"{field} is required for a {TARGET_TRACKING} policy", field=field)
    if config.get("CustomizedMetricSpecification") is not None:
        raise ValidationError(
            "CustomizedMetricSpecification is not supported; use PredefinedMetricSpecification",
            field=f"{field}.CustomizedMetricSpecification",
        )
    spec = config.get("PredefinedMetricSpecification")
    metric = spec.get("PredefinedMetricType") if isinstance(spec, Mapping) else None
    if metric not in METRICS:
        raise ValidationError(
            f"PredefinedMetricType {metric!r} is not supported; use {', '.join(METRICS)}",
            field=f"{field}.PredefinedMetricSpecification.PredefinedMetricType",
        )
    target = config.get("TargetValue")
    if (
        isinstance(target, bool)
        or not isinstance(target, (int, float))
        or not math.isfinite(target)
        or target <= 0
    ):
        raise ValidationError("TargetValue must be a number above 0", field=f"{field}.TargetValue")
    out: dict[str, Any] = {
        "TargetValue": float(target),
        "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
    }
    for name in ("ScaleOutCooldown", "ScaleInCooldown"):
        value = config.get(name, DEFAULT_COOLDOWN_S)
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 0 <= value <= MAX_COOLDOWN_S
        ):
            raise ValidationError(
                f"{name} must be whole seconds from 0 to {MAX_COOLDOWN_S}",
                field=f"{field}.{name}",
            )
        out[name] = value
    disable = config.get("DisableScaleIn", False)
    if not isinstance(disable, bool):
        raise ValidationError(
            "DisableScaleIn must be true or false", field=f"{field}.DisableScaleIn"
        )
    out["DisableScaleIn"] = disable
    return out


def check_policy_name(value: Any) -> str:
    """A PolicyName: 1 to 256 printable characters without ``:`` (ARNs use it)."""
    if not isinstance(value, str) or not 1 <= len(value) <= 256 or not value.isprintable():
        raise ValidationError(
            "PolicyName must be 1 to 256 printable characters", field="PolicyName"
        )
    if ":" in value or "/" in value:
        raise ValidationError("PolicyName must not contain ':' or '/'", field="PolicyName")
    return value
