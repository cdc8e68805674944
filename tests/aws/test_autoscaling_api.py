"""boto3's ``application-autoscaling`` client against the studio, unmodified: scalable
targets, target-tracking policies and scaling activities of an endpoint variant, with
AWS's members, ARNs and error codes."""

from __future__ import annotations

import functools
import json
from datetime import datetime, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError

from jupyter_mlstudio.aws.credentials import AwsIdentity
from jupyter_mlstudio.botocore_models import service_model
from jupyter_mlstudio.entities.autoscaling import ScalingActivity
from jupyter_mlstudio.services.studio import Studio

from ..support.monitoring import add_endpoint
from .conftest import client, in_thread
from .test_jobs_api import assert_conforms

SERVICE = "application-autoscaling"
RESOURCE = "endpoint/scaled/variant/AllTraffic"
DIMENSION = "sagemaker:variant:DesiredInstanceCount"
TRACKING = {
    "TargetValue": 70.0,
    "PredefinedMetricSpecification": {
        "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
    },
    "ScaleInCooldown": 120,
    "ScaleOutCooldown": 30,
}


@pytest.fixture
def autoscaling(aws_endpoint: str, identity: AwsIdentity) -> Any:
    """boto3's ``application-autoscaling`` client, signed with the studio's keys."""
    return client(SERVICE, aws_endpoint, identity)


def answers_of(api: Any) -> dict[str, Any]:
    """The JSON bodies the studio sent, by operation."""
    seen: dict[str, Any] = {}

    def keep(http_response: Any, model: Any, **_: Any) -> None:
        seen[model.name] = json.loads(http_response.content or b"{}")

    api.meta.events.register(f"after-call.{SERVICE}", keep)
    return seen


def code_of(caught: pytest.ExceptionInfo[ClientError]) -> str:
    return str(caught.value.response["Error"]["Code"])


async def test_targets_policies_and_activities_as_on_aws(autoscaling: Any, studio: Studio) -> None:
    add_endpoint(studio, "scaled", capture=False)
    sent = answers_of(autoscaling)
    key = {"ServiceNamespace": "sagemaker", "ResourceId": RESOURCE, "ScalableDimension": DIMENSION}
    registered = await in_thread(
        lambda: autoscaling.register_scalable_target(**key, MinCapacity=1, MaxCapacity=4)
    )
    assert registered["ScalableTargetARN"].startswith(
        "arn:aws:application-autoscaling:us-east-1:000000000000:scalable-target/"
    )
    put = await in_thread(
        lambda: autoscaling.put_scaling_policy(
            PolicyName="invocations",
            PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration=TRACKING,
            **key,
        )
    )
    assert put["PolicyARN"] == (
        "arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:"
        f"{put['PolicyARN'].split(':')[6]}:resource/sagemaker/{RESOURCE}:policyName/invocations"
    )
    (target,) = (
        await in_thread(lambda: autoscaling.describe_scalable_targets(ServiceNamespace="sagemaker"))
    )["ScalableTargets"]
    assert target["ResourceId"] == RESOURCE
    assert target["ScalableDimension"] == DIMENSION
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 4)
    assert isinstance(target["CreationTime"], datetime)
    (policy,) = (
        await in_thread(
            lambda: autoscaling.describe_scaling_policies(
                ServiceNamespace="sagemaker", ResourceId=RESOURCE
            )
        )
    )["ScalingPolicies"]
    assert policy["PolicyType"] == "TargetTrackingScaling"
    assert policy["TargetTrackingScalingPolicyConfiguration"] == {
        **TRACKING,
        "DisableScaleIn": False,
    }
    # an activity as the controller records one
    studio.store.create_scaling_activity(
        ScalingActivity(
            activity_id="0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
            endpoint_name="scaled",
            variant_name="AllTraffic",
            description="Setting desired instance count to 3.",
            cause="monitor alarm TargetTracking-invocations-AlarmHigh in state ALARM",
            status_code="Successful",
            status_message="Successfully set desired instance count to 3.",
            start_time=datetime(2026, 1, 1, tzinfo=timezone.utc),
            end_time=datetime(2026, 1, 1, 0, 1, tzinfo=timezone.utc),
        )
    )
    (activity,) = (
        await in_thread(
            lambda: autoscaling.describe_scaling_activities(
                ServiceNamespace="sagemaker", ResourceId=RESOURCE
            )
        )
    )["ScalingActivities"]
    assert activity["StatusCode"] == "Successful"
    assert activity["EndTime"] == datetime(2026, 1, 1, 0, 1, tzinfo=activity["EndTime"].tzinfo)
    assert activity["ResourceId"] == RESOURCE
    model = service_model(SERVICE)
    for operation, body in sent.items():
        assert_conforms(model.operation_model(operation).output_shape, body, operation)
    await in_thread(lambda: autoscaling.delete_scaling_policy(PolicyName="invocations", **key))
    await in_thread(lambda: autoscaling.deregister_scalable_target(**key))
    with pytest.raises(ClientError) as caught:
        await in_thread(lambda: autoscaling.deregister_scalable_target(**key))
    assert code_of(caught) == "ObjectNotFoundException"
    with pytest.raises(ClientError) as caught:
        await in_thread(lambda: autoscaling.delete_scaling_policy(PolicyName="invocations", **key))
    assert code_of(caught) == "ObjectNotFoundException"
    listed = await in_thread(
        lambda: autoscaling.describe_scalable_targets(ServiceNamespace="sagemaker")
    )
    assert listed["ScalableTargets"] == []


async def test_refusals_name_the_member(autoscaling: Any, studio: Studio) -> None:
    add_endpoint(studio, "scaled", capture=False)
    key = {"ServiceNamespace": "sagemaker", "ResourceId": RESOURCE, "ScalableDimension": DIMENSION}
    cases: list[tuple[dict[str, Any], str]] = [
        ({**key, "ServiceNamespace": "ecs"}, "ServiceNamespace"),
        ({**key, "ResourceId": "endpoint/missing/variant/AllTraffic"}, "does not exist"),
        ({**key, "MinCapacity": 5, "MaxCapacity": 2}, "MinCapacity"),
        ({**key}, "MinCapacity and MaxCapacity are required"),
    ]
    for params, words in cases:
        with pytest.raises(ClientError) as caught:
            await in_thread(functools.partial(autoscaling.register_scalable_target, **params))
        assert code_of(caught) == "ValidationException"
        assert words in caught.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as caught:  # no target registered
        await in_thread(
            lambda: autoscaling.put_scaling_policy(
                PolicyName="p",
                PolicyType="TargetTrackingScaling",
                TargetTrackingScalingPolicyConfiguration=TRACKING,
                **key,
            )
        )
    assert code_of(caught) == "ObjectNotFoundException"
    await in_thread(
        lambda: autoscaling.register_scalable_target(**key, MinCapacity=1, MaxCapacity=2)
    )
    with pytest.raises(ClientError) as caught:
        await in_thread(
            lambda: autoscaling.put_scaling_policy(
                PolicyName="p",
                PolicyType="StepScaling",
                StepScalingPolicyConfiguration={"AdjustmentType": "ChangeInCapacity"},
                **key,
            )
        )
    assert code_of(caught) == "ValidationException"
    assert "PolicyType" in caught.value.response["Error"]["Message"]
