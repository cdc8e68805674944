"""UpdateEndpointWeightsAndCapacities: the rules, without I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ...entities import DesiredVariant, EndpointConfig
from ...exceptions import ValidationError
from .requests import MAX_INSTANCES, UpdateEndpointWeightsAndCapacitiesRequest


@dataclass(frozen=True)
class WeightChange:
    weights: dict[str, float]  # variant → new weight (only the ones asked)
    counts: dict[str, int]  # variant → new instance count (only the ones asked)
    desired: dict[str, DesiredVariant]  # every change since the config, to persist


def plan_weight_change(
    endpoint_name: str,
    config: EndpointConfig,
    desired_before: Mapping[str, DesiredVariant],
    request: UpdateEndpointWeightsAndCapacitiesRequest,
) -> WeightChange:
    """Check a weights/capacities request against the endpoint's config and its earlier
    changes; ValidationError names the field (unknown variant, negative weight, count out
    of 1..16, or no variant left with a weight above 0)."""
    if not request.DesiredWeightsAndCapacities:
        raise ValidationError("name at least one variant", field="DesiredWeightsAndCapacities")
    known = {v.variant_name for v in config.production_variants}
    desired = dict(desired_before)
    weights: dict[str, float] = {}
    counts: dict[str, int] = {}
    for i, item in enumerate(request.DesiredWeightsAndCapacities):
        field = f"DesiredWeightsAndCapacities[{i}]"
        if item.VariantName not in known:
            raise ValidationError(
                f"{item.VariantName!r} is not a variant of endpoint {endpoint_name!r}"
                f" (variants: {', '.join(sorted(known))})",
                field=f"{field}.VariantName",
            )
        if item.DesiredWeight is not None and not item.DesiredWeight >= 0:
            raise ValidationError("DesiredWeight must be 0 or more", field=f"{field}.DesiredWeight")
        if item.DesiredInstanceCount is not None and not (
            1 <= item.DesiredInstanceCount <= MAX_INSTANCES
        ):
            raise ValidationError(
                f"DesiredInstanceCount must be between 1 and {MAX_INSTANCES}",
                field=f"{field}.DesiredInstanceCount",
            )
        old = desired.get(item.VariantName) or DesiredVariant()
        desired[item.VariantName] = DesiredVariant(
            desired_weight=item.DesiredWeight
            if item.DesiredWeight is not None
            else old.desired_weight,
            desired_instance_count=item.DesiredInstanceCount or old.desired_instance_count,
        )
        if item.DesiredWeight is not None:
            weights[item.VariantName] = item.DesiredWeight
        if item.DesiredInstanceCount is not None:
            counts[item.VariantName] = item.DesiredInstanceCount
    current = {v.variant_name: v.initial_variant_weight for v in config.production_variants}
    for variant, wish in desired.items():
        if wish.desired_weight is not None:
            current[variant] = wish.desired_weight
    if not any(w > 0 for w in current.values()):
        raise ValidationError(
            "at least one variant must keep a weight above 0", field="DesiredWeightsAndCapacities"
        )
    return WeightChange(weights, counts, desired)
