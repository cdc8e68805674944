"""Which variant and which instance answer a request: pure rules, no I/O.

A :class:`RoutingTable` is an immutable snapshot of an endpoint's variants (weights and the
instances able to answer). The router swaps whole tables (on a weight change, an update,
an instance going down or coming back), so a request sees one consistent table.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..exceptions import NoHealthyInstanceError, ValidationError


@dataclass(frozen=True)
class Target:
    """One instance a request may go to."""

    host: str
    url: str  # http://127.0.0.1:<port>


@dataclass(frozen=True)
class RoutedVariant:
    name: str
    weight: float
    targets: tuple[Target, ...]
    # round robin over targets; shared by the copies of a table that keep these targets
    _turn: itertools.count = field(default_factory=itertools.count, compare=False, repr=False)

    def next_target(self) -> Target:
        if not self.targets:
            raise NoHealthyInstanceError(f"Variant {self.name!r} has no healthy instance")
        return self.targets[next(self._turn) % len(self.targets)]


@dataclass(frozen=True)
class RoutingTable:
    variants: tuple[RoutedVariant, ...]

    def by_name(self, name: str) -> RoutedVariant | None:
        for variant in self.variants:
            if variant.name == name:
                return variant
        return None

    def choose(
        self, target_variant: str | None = None, rng: random.Random | None = None
    ) -> RoutedVariant:
        """The variant named by ``target_variant`` (ValidationError if there is none), else
        one drawn by weight among the variants that have healthy instances."""
        if target_variant:
            variant = self.by_name(target_variant)
            if variant is None:
                names = ", ".join(v.name for v in self.variants)
                raise ValidationError(
                    f"TargetVariant {target_variant!r} is not a variant of this endpoint"
                    f" (variants: {names})",
                    field="TargetVariant",
                )
            return variant
        live = [v for v in self.variants if v.targets and v.weight > 0]
        if not live:
            if any(v.targets for v in self.variants):
                raise NoHealthyInstanceError("Every variant with instances has weight 0")
            raise NoHealthyInstanceError("The endpoint has no healthy instance")
        if len(live) == 1:
            return live[0]
        return (rng or random).choices(live, weights=[v.weight for v in live])[0]


def traffic_shares(weights: Sequence[float]) -> list[float]:
    """Each weight's share of the total (0 for all when the total is 0)."""
    total = sum(weights)
    return [w / total if total > 0 else 0.0 for w in weights]
