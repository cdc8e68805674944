"""The endpoint autoscaling part of the metadata store contract: scalable targets, scaling
policies and scaling activities. :class:`AutoscalingContract` needs a ``store`` fixture
yielding a fresh, empty :class:`~jupyter_mlstudio.store.base.MetadataStore`."""

from __future__ import annotations

from datetime import timedelta

from ..entities.autoscaling import ScalableTarget, ScalingActivity, ScalingPolicy
from ..exceptions import ConflictError, NotFoundError
from ..store.base import MetadataStore
from .store_helpers import T0, assert_aware, expect

TRACKING = {
    "TargetValue": 70.0,
    "PredefinedMetricSpecification": {
        "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
    },
    "ScaleOutCooldown": 60,
    "ScaleInCooldown": 300,
    "DisableScaleIn": False,
}


def target(
    endpoint: str, variant: str = "AllTraffic", low: int = 1, high: int = 4
) -> ScalableTarget:
    return ScalableTarget(
        endpoint_name=endpoint,
        variant_name=variant,
        min_capacity=low,
        max_capacity=high,
        creation_time=T0,
    )


def policy(endpoint: str, name: str, value: float = 70.0, uid: str = "u-1") -> ScalingPolicy:
    return ScalingPolicy(
        policy_name=name,
        endpoint_name=endpoint,
        variant_name="AllTraffic",
        configuration={**TRACKING, "TargetValue": value},
        policy_id=uid,
        creation_time=T0,
    )


def activity(endpoint: str, activity_id: str, seconds: int) -> ScalingActivity:
    return ScalingActivity(
        activity_id=activity_id,
        endpoint_name=endpoint,
        variant_name="AllTraffic",
        description="Setting desired instance count to 2.",
        cause="monitor alarm TargetTracking-AlarmHigh in state ALARM",
        start_time=T0 + timedelta(seconds=seconds),
    )


class AutoscalingContract:
    """Targets registered again change in place; policies go with their target;
    activities are listed newest first, in pages."""

    def test_scalable_targets(self, store: MetadataStore) -> None:
        made = store.put_scalable_target(target("ep"))
        assert (made.min_capacity, made.max_capacity) == (1, 4)
        assert made.resource_id == "endpoint/ep/variant/AllTraffic"
        assert_aware(made.creation_time)
        later = target("ep", low=2, high=6).model_copy(
            update={"creation_time": T0 + timedelta(hours=1)}
        )
        again = store.put_scalable_target(later)
        assert (again.min_capacity, again.max_capacity) == (2, 6)
        assert again.creation_time == T0  # registered again: the same target
        store.put_scalable_target(target("other", "B"))
        assert [t.endpoint_name for t in store.list_scalable_targets()] == ["ep", "other"]
        assert store.list_scalable_targets(endpoint_name="other") == [
            store.get_scalable_target("other", "B")
        ]
        with expect(NotFoundError, "ResourceId"):
            store.get_scalable_target("ep", "B")
        store.delete_scalable_target("other", "B")
        with expect(NotFoundError, "ResourceId"):
            store.delete_scalable_target("other", "B")
        assert [t.endpoint_name for t in store.list_scalable_targets()] == ["ep"]

    def test_scaling_policies(self, store: MetadataStore) -> None:
        with expect(NotFoundError, "ResourceId"):
            store.put_scaling_policy(policy("ep", "p"))
        store.put_scalable_target(target("ep"))
        made = store.put_scaling_policy(policy("ep", "p"))
        assert made.configuration["TargetValue"] == 70.0
        assert made.policy_arn.endswith(
            ":scalingPolicy:u-1:resource/sagemaker/endpoint/ep/variant/AllTraffic:policyName/p"
        )
        replaced = store.put_scaling_policy(policy("ep", "p", 5.0, uid="u-2"))
        assert replaced.configuration["TargetValue"] == 5.0
        assert replaced.policy_id == "u-1"  # put again: the same policy
        store.put_scaling_policy(policy("ep", "q"))
        assert [p.policy_name for p in store.list_scaling_policies(endpoint_name="ep")] == [
            "p",
            "q",
        ]
        assert store.list_scaling_policies(endpoint_name="ep", variant_name="B") == []
        store.delete_scaling_policy("ep", "AllTraffic", "q")
        with expect(NotFoundError, "PolicyName"):
            store.delete_scaling_policy("ep", "AllTraffic", "q")
        store.delete_scalable_target("ep", "AllTraffic")  # its policies go with it
        assert store.list_scaling_policies() == []

    def test_scaling_activities(self, store: MetadataStore) -> None:
        for i in range(5):
            store.create_scaling_activity(activity("ep", f"a-{i}", i))
        store.create_scaling_activity(activity("other", "b-0", 10))
        with expect(ConflictError, "ActivityId"):
            store.create_scaling_activity(activity("ep", "a-0", 0))
        first = store.list_scaling_activities(endpoint_name="ep", max_results=3)
        assert [a.activity_id for a in first.items] == ["a-4", "a-3", "a-2"]
        assert first.next_token
        rest = store.list_scaling_activities(endpoint_name="ep", next_token=first.next_token)
        assert [a.activity_id for a in rest.items] == ["a-1", "a-0"]
        assert rest.next_token is None
        assert first.items[0].status_code == "InProgress"
        done = store.update_scaling_activity(
            "a-4",
            status_code="Successful",
            status_message="Successfully set desired instance count to 2.",
            end_time=T0 + timedelta(minutes=1),
        )
        assert done.status_code == "Successful"
        assert done.end_time is not None
        assert_aware(done.end_time)
        assert store.list_scaling_activities(max_results=1).items[0].activity_id == "b-0"
        with expect(NotFoundError, "ActivityId"):
            store.update_scaling_activity("nope", status_code="Failed")
