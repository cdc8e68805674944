"""``AutoscalingService``: endpoint autoscaling with Application Auto Scaling's operations
(RegisterScalableTarget, PutScalingPolicy, DescribeScalingActivities, ...) and the
controller thread that runs the policies (docs/autoscaling.md).

The operations take and answer Application Auto Scaling's members, so the compatible API,
the REST routes and the SDK share them. The controller runs in the studio that owns the
home: every evaluation period (60 s, CloudWatch's, by default) it reads each registered
variant's invocations from the router's figures, computes invocations a minute per
instance (CloudWatch's ``SageMakerVariantInvocationsPerInstance``), applies the rule of
:mod:`.autoscaling_rules` and changes the instance count through the same path as
UpdateEndpointWeightsAndCapacities' DesiredInstanceCount, recording a scaling activity
that becomes Successful or Failed once the endpoint is InService again. The targets of an
endpoint that no longer exists are deregistered.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ...entities import EndpointStatus, utcnow
from ...entities.autoscaling import ScalableTarget, ScalingActivity, ScalingPolicy
from ...exceptions import NotFoundError, StudioError, ValidationError
from ...ownership import OwnerCheck
from ...store.base import MetadataStore
from . import autoscaling_requests as checks
from .autoscaling_rules import Decision, decide, policy_wish
from .service import HostingService

log = logging.getLogger(__name__)

#: how often the controller evaluates the policies by default (CloudWatch's period)
DEFAULT_PERIOD_S = 60.0
#: activities the endpoint view shows
VIEW_ACTIVITIES = 50
#: the newest activities a starting controller looks at for ones left in progress
ORPHAN_SCAN = 1000
Clock = Callable[[], datetime]
#: (invocations answered since the variant started, instances it runs) of a live
#: variant, None when it does not run here
Figures = Callable[[str, str], "tuple[int, int] | None"]


@dataclass
class _Pending:
    activity_id: str
    desired: int
    out: bool


@dataclass
class _VariantState:
    """What the controller remembers of a variant between rounds (not persisted: a studio
    that restarts measures afresh)."""

    baseline: tuple[datetime, int] | None = None
    last_out: datetime | None = None
    last_scaling: datetime | None = None
    pending: _Pending | None = None


class AutoscalingService:
    """Scalable targets, scaling policies, scaling activities and the controller.

    Args:
        store: The metadata store.
        endpoints: The hosting service (endpoints' records, the router's figures, and
            UpdateEndpointWeightsAndCapacities).
        period_s: Seconds between evaluations.
        clock: The time (tests give their own).
        figures: Reads a live variant's figures (default: the router's).
        owner_check: Refuses registrations in a studio that does not own its home.
    """

    def __init__(
        self,
        store: MetadataStore,
        endpoints: HostingService,
        *,
        period_s: float = DEFAULT_PERIOD_S,
        clock: Clock = utcnow,
        figures: Figures | None = None,
        owner_check: OwnerCheck | None = None,
    ) -> None:
        if not period_s > 0:
            raise ValidationError("the evaluation period must be above 0 s", field="period_s")
        self._store = store
        self._endpoints = endpoints
        self.period_s = period_s
        self._clock = clock
        self._figures = figures or self._router_figures
        self._owner_check = owner_check
        self._states: dict[tuple[str, str], _VariantState] = {}
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None

    # -- scalable targets ---------------------------------------------------------------

    def register_scalable_target(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """RegisterScalableTarget: a variant's bounds (registered again: changed).

        Args:
            params: The request (ServiceNamespace, ResourceId, ScalableDimension,
                MinCapacity, MaxCapacity, RoleARN, SuspendedState).

        Returns:
            ``{"ScalableTargetARN"}``.

        Raises:
            ValidationError: A member is wrong (named), or the endpoint or variant does
                not exist.
        """
        if self._owner_check is not None:
            self._owner_check.require("ResourceId")
        checks.check_namespace(params)
        checks.check_dimension(params)
        variant = self._existing_variant(params.get("ResourceId"))
        try:
            old = self._store.get_scalable_target(variant.endpoint_name, variant.variant_name)
        except NotFoundError:
            old = None
        low, high = checks.check_bounds(
            params.get("MinCapacity"),
            params.get("MaxCapacity"),
            old=(old.min_capacity, old.max_capacity) if old else None,
        )
        suspended = params.get("SuspendedState")
        target = self._store.put_scalable_target(
            ScalableTarget(
                endpoint_name=variant.endpoint_name,
                variant_name=variant.variant_name,
                min_capacity=low,
                max_capacity=high,
                role_arn=params.get("RoleARN") or (old.role_arn if old else None),
                suspended_state=dict(suspended)
                if isinstance(suspended, Mapping)
                else (dict(old.suspended_state) if old else {}),
                creation_time=self._clock(),
            )
        )
        return {"ScalableTargetARN": target.scalable_target_arn}

    def describe_scalable_targets(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """DescribeScalableTargets (ResourceIds filter; one page: MaxResults, NextToken).

        Returns:
            ``{"ScalableTargets": [...], "NextToken"?}``.
        """
        checks.check_namespace(params)
        checks.check_dimension(params, required=False)
        wanted = params.get("ResourceIds") or []
        for i, value in enumerate(wanted):
            checks.parse_resource_id(value, f"ResourceIds[{i}]")
        targets = [t for t in self._targets() if not wanted or t.resource_id in wanted]
        items, token = _page([t.describe() for t in targets], params)
        return {"ScalableTargets": items, **token}

    def deregister_scalable_target(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """DeregisterScalableTarget: the target and its policies (the instance count
        stays as it is).

        Raises:
            NotFoundError: No target of that resource id (ObjectNotFoundException).
        """
        checks.check_namespace(params)
        checks.check_dimension(params)
        variant = checks.parse_resource_id(params.get("ResourceId"))
        self._store.delete_scalable_target(variant.endpoint_name, variant.variant_name)
        with self._lock:
            self._states.pop((variant.endpoint_name, variant.variant_name), None)
        return {}

    def deregister_endpoint(self, endpoint_name: str) -> int:
        """Deregister every target of an endpoint (it was deleted).

        Args:
            endpoint_name: The endpoint.

        Returns:
            How many targets were deregistered.
        """
        count = 0
        for target in self._store.list_scalable_targets(endpoint_name=endpoint_name):
            try:
                self._store.delete_scalable_target(endpoint_name, target.variant_name)
                count += 1
            except NotFoundError:
                pass  # deregistered meanwhile
            with self._lock:
                self._states.pop((endpoint_name, target.variant_name), None)
        return count

    # -- scaling policies ---------------------------------------------------------------

    def put_scaling_policy(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """PutScalingPolicy: a target-tracking policy on a registered variant (put again:
        its configuration replaced).

        Returns:
            ``{"PolicyARN", "Alarms"}``.

        Raises:
            ValidationError: A member is wrong (named).
            NotFoundError: The variant has no scalable target (ObjectNotFoundException).
        """
        checks.check_namespace(params)
        checks.check_dimension(params)
        name = checks.check_policy_name(params.get("PolicyName"))
        variant = checks.parse_resource_id(params.get("ResourceId"))
        configuration = checks.check_tracking(params)
        policy = self._store.put_scaling_policy(
            ScalingPolicy(
                policy_name=name,
                endpoint_name=variant.endpoint_name,
                variant_name=variant.variant_name,
                configuration=configuration,
                policy_id=str(uuid.uuid4()),
                creation_time=self._clock(),
            )
        )
        return {"PolicyARN": policy.policy_arn, "Alarms": []}

    def describe_scaling_policies(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """DescribeScalingPolicies (PolicyNames, ResourceId filters; one page).

        Returns:
            ``{"ScalingPolicies": [...], "NextToken"?}``.
        """
        checks.check_namespace(params)
        checks.check_dimension(params, required=False)
        self._targets()  # those of deleted endpoints go, with their policies
        endpoint = variant = None
        if params.get("ResourceId") is not None:
            named = checks.parse_resource_id(params.get("ResourceId"))
            endpoint, variant = named.endpoint_name, named.variant_name
        names = params.get("PolicyNames") or []
        policies = [
            p
            for p in self._store.list_scaling_policies(endpoint_name=endpoint, variant_name=variant)
            if not names or p.policy_name in names
        ]
        items, token = _page([p.describe() for p in policies], params)
        return {"ScalingPolicies": items, **token}

    def delete_scaling_policy(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """DeleteScalingPolicy.

        Raises:
            NotFoundError: No such policy on the variant (ObjectNotFoundException).
        """
        checks.check_namespace(params)
        checks.check_dimension(params)
        name = checks.check_policy_name(params.get("PolicyName"))
        variant = checks.parse_resource_id(params.get("ResourceId"))
        self._store.delete_scaling_policy(variant.endpoint_name, variant.variant_name, name)
        return {}

    # -- scaling activities -------------------------------------------------------------

    def describe_scaling_activities(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """DescribeScalingActivities, newest first (ResourceId filter; MaxResults up to
        50, NextToken).

        Returns:
            ``{"ScalingActivities": [...], "NextToken"?}``.
        """
        checks.check_namespace(params)
        checks.check_dimension(params, required=False)
        endpoint = variant = None
        if params.get("ResourceId") is not None:
            named = checks.parse_resource_id(params.get("ResourceId"))
            endpoint, variant = named.endpoint_name, named.variant_name
        page = self._store.list_scaling_activities(
            endpoint_name=endpoint,
            variant_name=variant,
            max_results=_max_results(params),
            next_token=params.get("NextToken"),
        )
        out: dict[str, Any] = {"ScalingActivities": [a.describe() for a in page.items]}
        if page.next_token:
            out["NextToken"] = page.next_token
        return out

    def endpoint_view(self, endpoint_name: str) -> dict[str, Any]:
        """An endpoint's autoscaling for the studio's endpoint view.

        Args:
            endpoint_name: The endpoint.

        Returns:
            ``{"ScalableTargets", "ScalingPolicies", "ScalingActivities"}`` (the newest
            :data:`VIEW_ACTIVITIES`), in Application Auto Scaling's members.

        Raises:
            NotFoundError: The endpoint does not exist.
        """
        self._store.get_endpoint(endpoint_name)
        targets = [t for t in self._targets() if t.endpoint_name == endpoint_name]
        policies = self._store.list_scaling_policies(endpoint_name=endpoint_name)
        activities = self._store.list_scaling_activities(
            endpoint_name=endpoint_name, max_results=VIEW_ACTIVITIES
        ).items
        return {
            "ScalableTargets": [t.describe() for t in targets],
            "ScalingPolicies": [p.describe() for p in policies],
            "ScalingActivities": [a.describe() for a in activities],
        }

    # -- the controller -----------------------------------------------------------------

    def start(self) -> None:
        """Start the controller thread (the studio that owns the home calls it once).

        Activities a studio left InProgress when it stopped are Failed first: nobody saw
        whether their change went through (the new controller measures afresh)."""
        if self._thread is not None:
            return
        try:
            self._end_orphans()
        except StudioError as exc:  # the controller still starts
            log.warning("could not end the scaling activities left in progress: %s", exc)
        self._thread = threading.Thread(target=self._loop, name="mlstudio-autoscaling", daemon=True)
        self._thread.start()

    def _end_orphans(self) -> None:
        page = self._store.list_scaling_activities(max_results=ORPHAN_SCAN)
        for activity in page.items:
            if activity.status_code in ("Pending", "InProgress"):
                self._store.update_scaling_activity(
                    activity.activity_id,
                    status_code="Failed",
                    status_message="The studio stopped before the change was confirmed.",
                    end_time=self._clock(),
                )

    def close(self) -> None:
        """Stop the controller (a round in progress finishes its variant)."""
        self._closed.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._closed.wait(self.period_s):
            try:
                self.evaluate()
            except Exception:  # the next round tries again
                log.exception("autoscaling round failed")

    def evaluate(self) -> list[ScalingActivity]:
        """One round: settle the activities in progress, then scale every registered
        variant that needs it.

        Returns:
            The activities started in this round.
        """
        started: list[ScalingActivity] = []
        for target in self._targets():
            if self._closed.is_set():
                break
            try:
                activity = self._evaluate(target)
            except StudioError as exc:
                log.warning("autoscaling of %s: %s", target.resource_id, exc.message)
                continue
            if activity is not None:
                started.append(activity)
        return started

    def _targets(self) -> list[ScalableTarget]:
        """Every target; those of endpoints that no longer exist (deleted, or deleted and
        created again since the target was registered) are deregistered."""
        kept = []
        gone: set[str] = set()
        for target in self._store.list_scalable_targets():
            if target.endpoint_name in gone:
                continue
            try:
                endpoint = self._store.get_endpoint(target.endpoint_name)
            except NotFoundError:
                endpoint = None
            if endpoint is None or endpoint.creation_time > target.creation_time:
                gone.add(target.endpoint_name)
                self.deregister_endpoint(target.endpoint_name)
                continue
            kept.append(target)
        return kept

    def _state(self, target: ScalableTarget) -> _VariantState:
        with self._lock:
            return self._states.setdefault(
                (target.endpoint_name, target.variant_name), _VariantState()
            )

    def _evaluate(self, target: ScalableTarget) -> ScalingActivity | None:
        state = self._state(target)
        endpoint = self._store.get_endpoint(target.endpoint_name)
        if endpoint.endpoint_status is not EndpointStatus.IN_SERVICE:
            return None  # creating, updating (maybe by us) or failed: not now
        now = self._clock()
        if state.pending is not None:
            self._settle(target, state, endpoint.failure_reason, now)
        seen = self._figures(target.endpoint_name, target.variant_name)
        if seen is None:
            return None  # not live in this studio
        total, current = seen
        metric = None
        if state.baseline is not None and total >= state.baseline[1]:
            minutes = (now - state.baseline[0]).total_seconds() / 60
            if minutes > 0:
                metric = (total - state.baseline[1]) / minutes / max(current, 1)
        state.baseline = (now, total)
        policies = self._store.list_scaling_policies(
            endpoint_name=target.endpoint_name, variant_name=target.variant_name
        )
        suspended = target.suspended_state
        wishes = []
        if metric is not None:
            wishes = [
                policy_wish(p.policy_name, p.configuration, current, metric) for p in policies
            ]
        decision = decide(
            current,
            target.min_capacity,
            target.max_capacity,
            wishes,
            {p.policy_name: p.configuration for p in policies},
            now,
            state.last_out,
            state.last_scaling,
        )
        if decision is None:
            return None
        if suspended.get(
            "DynamicScalingOutSuspended" if decision.out else "DynamicScalingInSuspended"
        ):
            return None
        return self._scale(target, state, decision, current, now)

    def _scale(
        self,
        target: ScalableTarget,
        state: _VariantState,
        decision: Decision,
        current: int,
        now: datetime,
    ) -> ScalingActivity:
        activity = self._store.create_scaling_activity(
            ScalingActivity(
                activity_id=str(uuid.uuid4()),
                endpoint_name=target.endpoint_name,
                variant_name=target.variant_name,
                description=f"Setting desired instance count to {decision.desired}.",
                cause=decision.cause,
                start_time=now,
                details=f"from {current} to {decision.desired} instances",
            )
        )
        try:
            self._endpoints.update_endpoint_weights_and_capacities(
                target.endpoint_name,
                [{"VariantName": target.variant_name, "DesiredInstanceCount": decision.desired}],
            )
        except StudioError as exc:
            return self._store.update_scaling_activity(
                activity.activity_id,
                status_code="Failed",
                status_message=f"Failed to set desired instance count to"
                f" {decision.desired}: {exc.message}",
                end_time=self._clock(),
            )
        state.pending = _Pending(activity.activity_id, decision.desired, decision.out)
        log.info(
            "autoscaling %s: %d -> %d instances (%s)",
            target.resource_id,
            current,
            decision.desired,
            decision.cause,
        )
        return activity

    def _settle(
        self, target: ScalableTarget, state: _VariantState, failure: str | None, now: datetime
    ) -> None:
        """The endpoint is InService again: the pending activity succeeded or failed."""
        pending = state.pending
        assert pending is not None
        state.pending = None
        seen = self._figures(target.endpoint_name, target.variant_name)
        reached = seen is not None and seen[1] == pending.desired
        if reached and not failure:
            self._store.update_scaling_activity(
                pending.activity_id,
                status_code="Successful",
                status_message=f"Successfully set desired instance count to {pending.desired}."
                " Change successfully fulfilled by sagemaker.",
                end_time=now,
            )
            state.last_scaling = now
            if pending.out:
                state.last_out = now
            state.baseline = None  # measure the new count afresh
            return
        self._store.update_scaling_activity(
            pending.activity_id,
            status_code="Failed",
            status_message=f"Failed to set desired instance count to {pending.desired}:"
            f" {failure or 'the endpoint runs another count'}",
            end_time=now,
        )

    def _router_figures(self, endpoint_name: str, variant_name: str) -> tuple[int, int] | None:
        try:
            live = self._endpoints.engine.get(endpoint_name)
        except NotFoundError:
            return None
        variant = live.variants.get(variant_name)
        if variant is None:
            return None
        return variant.figures.invocations, variant.pool.plan.instance_count

    def _existing_variant(self, resource: Any) -> checks.Variant:
        variant = checks.parse_resource_id(resource)
        try:
            endpoint = self._store.get_endpoint(variant.endpoint_name)
            config = self._store.get_endpoint_config(endpoint.endpoint_config_name)
        except NotFoundError:
            raise ValidationError(
                f"Endpoint {variant.endpoint_name!r} does not exist", field="ResourceId"
            ) from None
        names = [v.variant_name for v in config.production_variants]
        if variant.variant_name not in names:
            raise ValidationError(
                f"{variant.variant_name!r} is not a variant of endpoint"
                f" {variant.endpoint_name!r} (variants: {', '.join(names)})",
                field="ResourceId",
            )
        return variant


def _max_results(params: Mapping[str, Any]) -> int:
    value = params.get("MaxResults", 50)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 50:
        raise ValidationError("MaxResults must be from 1 to 50", field="MaxResults")
    return value


def _page(
    items: list[dict[str, Any]], params: Mapping[str, Any]
) -> tuple[list[Any], dict[str, str]]:
    """One page of a short listing: NextToken is the index to continue from."""
    size = _max_results(params)
    token = params.get("NextToken")
    start = 0
    if token is not None:
        if not isinstance(token, str) or not token.isdigit() or int(token) > len(items):
            raise ValidationError("NextToken is invalid", field="NextToken")
        start = int(token)
    end = start + size
    return items[start:end], ({"NextToken": str(end)} if end < len(items) else {})
