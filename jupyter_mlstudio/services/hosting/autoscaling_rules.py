"""Target tracking, as Application Auto Scaling runs it for an endpoint variant: pure
rules, no I/O.

Each policy asks for ``ceil(current * metric / target)`` instances; a policy with
``DisableScaleIn`` never asks for fewer than run. The variant scales out when any policy
asks for more and in only when all ask for fewer (the largest wish wins), always within
the target's bounds. A scale-out waits for ``ScaleOutCooldown`` after the last
scale-out; a scale-in waits for ``ScaleInCooldown`` after the last scaling of either
kind. A variant outside its bounds is brought inside them at once, cooldowns or not.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class Wish:
    """What one policy asks for."""

    policy_name: str
    desired: int
    metric: float
    target: float


@dataclass(frozen=True)
class Decision:
    """A change of instance count, and why."""

    desired: int
    cause: str
    #: whether it adds instances (a scale-out)
    out: bool


def policy_wish(name: str, configuration: dict[str, Any], current: int, metric: float) -> Wish:
    """What one target-tracking policy asks for.

    Args:
        name: The policy's name.
        configuration: Its TargetTrackingScalingPolicyConfiguration (checked).
        current: Instances running.
        metric: The tracked metric's value (invocations a minute per instance).

    Returns:
        The instance count the policy asks for (unbounded).
    """
    target = float(configuration["TargetValue"])
    desired = max(1, math.ceil(current * metric / target - 1e-9))
    if configuration.get("DisableScaleIn"):
        desired = max(desired, current)
    return Wish(name, desired, metric, target)


def decide(
    current: int,
    low: int,
    high: int,
    wishes: Sequence[Wish],
    configurations: dict[str, dict[str, Any]],
    now: datetime,
    last_out: datetime | None,
    last_scaling: datetime | None,
) -> Decision | None:
    """The change the variant needs now, if any.

    Args:
        current: Instances running.
        low: The target's MinCapacity.
        high: The target's MaxCapacity.
        wishes: Each policy's wish (none: only the bounds apply).
        configurations: Each policy's configuration, by name (its cooldowns).
        now: The time.
        last_out: When the last scale-out ended.
        last_scaling: When the last scaling of either kind ended.

    Returns:
        The decision, or None to leave the variant as it is.
    """
    if current < low:
        return Decision(low, f"minimum capacity was set to {low}", True)
    if current > high:
        return Decision(high, f"maximum capacity was set to {high}", False)
    if not wishes:
        return None
    best = max(wishes, key=lambda w: w.desired)
    desired = min(high, max(low, best.desired))
    if desired == current:
        return None
    out = desired > current
    if out:
        waits = [configurations[w.policy_name]["ScaleOutCooldown"] for w in wishes]
        since = last_out
    else:
        waits = [configurations[w.policy_name]["ScaleInCooldown"] for w in wishes]
        since = last_scaling
    if since is not None and now - since < timedelta(seconds=max(waits)):
        return None
    state = "AlarmHigh" if out else "AlarmLow"
    return Decision(
        desired,
        f"monitor alarm TargetTracking-{best.policy_name}-{state} in state ALARM (metric"
        f" {best.metric:.4g} against target {best.target:g}) triggered policy"
        f" {best.policy_name}",
        out,
    )
