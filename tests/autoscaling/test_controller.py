"""The autoscaling controller's rule with an injected clock and figures: target tracking
on invocations a minute per instance, bounds, cooldowns, DisableScaleIn, suspended
scaling, activities that settle, and targets that go with their endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.entities import EndpointStatus, ProductionVariant, utcnow
from jupyter_mlstudio.exceptions import NotFoundError, ValidationError
from jupyter_mlstudio.services.hosting.autoscaling import AutoscalingService
from jupyter_mlstudio.services.hosting.autoscaling_rules import decide, policy_wish
from jupyter_mlstudio.store import open_store
from jupyter_mlstudio.store.base import MetadataStore

T0 = utcnow()
RESOURCE = "endpoint/ep/variant/AllTraffic"
DIMENSION = "sagemaker:variant:DesiredInstanceCount"


class Scene:
    """A store with endpoint ``ep`` InService, a clock, the router's figures and a fake
    hosting service that records each DesiredInstanceCount and marks the endpoint
    Updating, as UpdateEndpointWeightsAndCapacities does."""

    def __init__(self, store: MetadataStore) -> None:
        self.store = store
        self.invocations = 0
        self.instances = 1
        self.asked: list[int] = []
        store.create_endpoint_config(
            "cfg", [ProductionVariant(variant_name="AllTraffic", model_name="m")]
        )
        store.create_endpoint("ep", "cfg")
        store.update_endpoint("ep", status=EndpointStatus.IN_SERVICE)
        self.now = utcnow()  # targets are registered after the endpoint was created
        self.service = AutoscalingService(
            store,
            self,  # type: ignore[arg-type]  # the hosting service's one method it calls
            period_s=60,
            clock=lambda: self.now,
            figures=self.figures,
        )

    def figures(self, endpoint: str, variant: str) -> tuple[int, int] | None:
        return (self.invocations, self.instances) if endpoint == "ep" else None

    def update_endpoint_weights_and_capacities(self, name: str, items: list[dict]) -> None:
        (item,) = items
        self.asked.append(item["DesiredInstanceCount"])
        self.store.update_endpoint(name, status=EndpointStatus.UPDATING)

    def finish_update(self) -> None:
        """The endpoint runs the count asked for and is InService again."""
        self.instances = self.asked[-1]
        self.store.update_endpoint("ep", status=EndpointStatus.IN_SERVICE)

    def minute(self, per_instance: float) -> list[Any]:
        """A minute passes with ``per_instance`` invocations on each instance; a round."""
        self.now += timedelta(minutes=1)
        self.invocations += int(per_instance * self.instances)
        return self.service.evaluate()

    def register(self, low: int = 1, high: int = 4, **tracking: Any) -> None:
        self.service.register_scalable_target(
            {
                "ServiceNamespace": "sagemaker",
                "ResourceId": RESOURCE,
                "ScalableDimension": DIMENSION,
                "MinCapacity": low,
                "MaxCapacity": high,
            }
        )
        config = {
            "TargetValue": 100.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
            },
            "ScaleOutCooldown": 0,
            "ScaleInCooldown": 0,
            **tracking,
        }
        self.service.put_scaling_policy(
            {
                "PolicyName": "invocations",
                "ServiceNamespace": "sagemaker",
                "ResourceId": RESOURCE,
                "ScalableDimension": DIMENSION,
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": config,
            }
        )

    def activities(self) -> list[dict[str, Any]]:
        answer = self.service.describe_scaling_activities({"ServiceNamespace": "sagemaker"})
        return list(answer["ScalingActivities"])


@pytest.fixture
def scene(tmp_path: Path) -> Iterator[Scene]:
    store = open_store(f"sqlite:///{tmp_path / 'studio.db'}")
    yield Scene(store)
    store.close()


def test_the_rule_tracks_the_target_within_bounds() -> None:
    config = {"TargetValue": 100.0, "ScaleOutCooldown": 60, "ScaleInCooldown": 300}
    wish = policy_wish("p", config, current=2, metric=250.0)
    assert wish.desired == 5  # ceil(2 * 250 / 100)
    assert policy_wish("p", config, current=2, metric=100.0).desired == 2
    assert policy_wish("p", config, current=4, metric=10.0).desired == 1
    assert policy_wish("p", {**config, "DisableScaleIn": True}, 4, 10.0).desired == 4
    configs = {"p": config}
    decision = decide(2, 1, 4, [wish], configs, T0, None, None)
    assert decision is not None
    assert (decision.desired, decision.out) == (4, True)
    assert "triggered policy p" in decision.cause
    # scale-out cooldown after a scale-out; scale-in cooldown after any scaling
    assert decide(2, 1, 4, [wish], configs, T0, T0 - timedelta(seconds=30), None) is None
    low = policy_wish("p", config, current=4, metric=10.0)
    assert decide(4, 1, 4, [low], configs, T0, None, T0 - timedelta(seconds=299)) is None
    later = decide(4, 1, 4, [low], configs, T0, None, T0 - timedelta(seconds=300))
    assert later is not None
    assert (later.desired, later.out) == (1, False)
    # outside the bounds: brought inside at once, cooldowns or not
    raised = decide(1, 2, 4, [], configs, T0, T0, T0)
    assert raised is not None
    assert raised.desired == 2
    assert raised.cause == "minimum capacity was set to 2"
    # two policies: the largest wish wins (scale-in only when both agree)
    other = policy_wish("q", config, current=4, metric=90.0)
    both = decide(4, 1, 8, [low, other], {"p": config, "q": config}, T0, None, None)
    assert both is None  # q wants 4 (ceil(3.6)): no scale-in


def test_controller_scales_out_then_in_and_records_activities(scene: Scene) -> None:
    scene.register()
    assert scene.minute(50) == []  # the first round only measures
    assert scene.minute(50) == []  # 50 a minute per instance: below the target of 100
    (activity,) = scene.minute(310)  # ceil(1 * 310 / 100) = 4
    assert scene.asked == [4]
    assert activity.status_code == "InProgress"
    assert scene.minute(310) == []  # still Updating: nothing more
    scene.finish_update()
    assert scene.minute(80) == []  # settled this round (and measured afresh)
    newest = scene.activities()[0]
    assert newest["StatusCode"] == "Successful"
    assert newest["Description"] == "Setting desired instance count to 4."
    assert newest["EndTime"] == scene.now
    assert newest["ResourceId"] == RESOURCE
    assert newest["ScalableDimension"] == DIMENSION
    assert scene.minute(80) == []  # 4 instances at 80 each: ceil(3.2) = 4
    scene.minute(20)  # ceil(4 * 20 / 100) = 1
    assert scene.asked == [4, 1]
    scene.finish_update()
    scene.minute(20)
    assert [a["StatusCode"] for a in scene.activities()] == ["Successful", "Successful"]
    assert scene.instances == 1


def test_cooldowns_and_disable_scale_in(scene: Scene) -> None:
    scene.register(ScaleOutCooldown=180, DisableScaleIn=True)
    scene.minute(0)
    scene.minute(200)
    assert scene.asked == [2]
    scene.finish_update()
    scene.minute(500)  # settles; the count changed, so this round only measures
    scene.minute(500)  # wants 10 (max 4), but the scale-out cooldown runs
    assert scene.asked == [2]
    scene.minute(500)
    scene.minute(500)  # 3 minutes after the scale-out ended
    assert scene.asked == [2, 4]
    scene.finish_update()
    for _ in range(5):
        scene.minute(0)  # no traffic: DisableScaleIn keeps the four
    assert scene.asked == [2, 4]


def test_bounds_apply_at_once_and_suspended_scaling(scene: Scene) -> None:
    scene.register(low=2, high=4)
    (activity,) = scene.minute(0)  # 1 instance, MinCapacity 2
    assert activity.cause == "minimum capacity was set to 2"
    scene.finish_update()
    scene.service.register_scalable_target(
        {
            "ServiceNamespace": "sagemaker",
            "ResourceId": RESOURCE,
            "ScalableDimension": DIMENSION,
            "SuspendedState": {"DynamicScalingOutSuspended": True},
        }
    )
    (target,) = scene.service.describe_scalable_targets({"ServiceNamespace": "sagemaker"})[
        "ScalableTargets"
    ]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 4)  # kept
    assert target["SuspendedState"]["DynamicScalingOutSuspended"] is True
    for _ in range(3):
        scene.minute(1000)
    assert scene.asked == [2]


def test_requests_are_checked(scene: Scene) -> None:
    base = {"ServiceNamespace": "sagemaker", "ScalableDimension": DIMENSION}
    register = scene.service.register_scalable_target
    cases: list[tuple[dict[str, Any], str]] = [
        ({**base, "ServiceNamespace": "ecs", "ResourceId": RESOURCE}, "ServiceNamespace"),
        (
            {**base, "ScalableDimension": "ecs:service:DesiredCount", "ResourceId": RESOURCE},
            "ScalableDimension",
        ),
        ({**base, "ResourceId": "service/default/web"}, "ResourceId"),
        (
            {
                **base,
                "ResourceId": "endpoint/nope/variant/AllTraffic",
                "MinCapacity": 1,
                "MaxCapacity": 2,
            },
            "ResourceId",
        ),
        (
            {**base, "ResourceId": "endpoint/ep/variant/B", "MinCapacity": 1, "MaxCapacity": 2},
            "ResourceId",
        ),
        ({**base, "ResourceId": RESOURCE, "MinCapacity": 1}, "MaxCapacity"),
        ({**base, "ResourceId": RESOURCE, "MinCapacity": 3, "MaxCapacity": 2}, "MinCapacity"),
        ({**base, "ResourceId": RESOURCE, "MinCapacity": 1, "MaxCapacity": 17}, "MaxCapacity"),
    ]
    for params, field in cases:
        with pytest.raises(ValidationError) as caught:
            register(params)
        assert caught.value.field == field, params
    policy = {**base, "PolicyName": "p", "ResourceId": RESOURCE}
    with pytest.raises(NotFoundError):  # no target yet
        scene.service.put_scaling_policy(
            {
                **policy,
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": 5.0,
                    "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
                    },
                },
            }
        )
    scene.register()
    field = "TargetTrackingScalingPolicyConfiguration"
    bad: list[tuple[dict[str, Any], str]] = [
        ({**policy}, "PolicyType"),  # StepScaling by default
        ({**policy, "PolicyType": "TargetTrackingScaling"}, field),
        (
            {
                **policy,
                "PolicyType": "TargetTrackingScaling",
                field: {
                    "TargetValue": 0.0,
                    "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
                    },
                },
            },
            f"{field}.TargetValue",
        ),
        (
            {
                **policy,
                "PolicyType": "TargetTrackingScaling",
                field: {
                    "TargetValue": 5.0,
                    "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "ALBRequestCountPerTarget"
                    },
                },
            },
            f"{field}.PredefinedMetricSpecification.PredefinedMetricType",
        ),
    ]
    for params, name in bad:
        with pytest.raises(ValidationError) as caught:
            scene.service.put_scaling_policy(params)
        assert caught.value.field == name, params
    (described,) = scene.service.describe_scaling_policies({"ServiceNamespace": "sagemaker"})[
        "ScalingPolicies"
    ]
    assert described["TargetTrackingScalingPolicyConfiguration"]["DisableScaleIn"] is False


def test_a_deleted_endpoints_targets_are_deregistered(scene: Scene) -> None:
    scene.register()
    scene.store.delete_endpoint("ep")
    assert scene.service.evaluate() == []
    assert scene.store.list_scalable_targets() == []
    assert scene.store.list_scaling_policies() == []
    # deleted and created again: the old registration is not the new endpoint's
    scene.store.create_endpoint("ep", "cfg")
    scene.now = utcnow()
    scene.register()
    listed = scene.service.describe_scalable_targets({"ServiceNamespace": "sagemaker"})
    assert len(listed["ScalableTargets"]) == 1
    scene.store.delete_endpoint("ep")
    scene.store.create_endpoint("ep", "cfg")
    assert scene.service.describe_scalable_targets({"ServiceNamespace": "sagemaker"}) == {
        "ScalableTargets": []
    }
    with pytest.raises(NotFoundError):
        scene.service.deregister_scalable_target(
            {
                "ServiceNamespace": "sagemaker",
                "ResourceId": RESOURCE,
                "ScalableDimension": DIMENSION,
            }
        )


def test_activities_left_in_progress_fail_when_the_controller_starts(scene: Scene) -> None:
    scene.register()
    scene.minute(0)
    (activity,) = scene.minute(500)
    assert activity.status_code == "InProgress"
    restarted = AutoscalingService(
        scene.store,
        scene,  # type: ignore[arg-type]
        period_s=3600,
        clock=lambda: scene.now,
        figures=scene.figures,
    )
    restarted.start()
    restarted.close()
    (ended,) = scene.activities()
    assert ended["StatusCode"] == "Failed"
    assert ended["StatusMessage"] == "The studio stopped before the change was confirmed."
