"""The SDK's autoscaling client against a real studio (pytest-jupyter's server): boto3's
method names, keyword arguments and answers, times as ``datetime``, errors as the
studio's."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest

from jupyter_mlstudio.exceptions import NotFoundError, ValidationError
from jupyter_mlstudio.sdk import AutoscalingClient, autoscaling_client
from jupyter_mlstudio.sdk.transport import StudioConnection
from tests.server.test_api import studio_of
from tests.support.monitoring import add_endpoint

KEY: dict[str, Any] = {
    "ServiceNamespace": "sagemaker",
    "ResourceId": "endpoint/sdk-scaled/variant/AllTraffic",
    "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
}


@pytest.fixture
def client(jp_serverapp: Any, http_server: Any, jp_http_port: int, jp_base_url: str) -> Any:
    token = jp_serverapp.identity_provider.token
    connection = StudioConnection(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", token=token)
    return AutoscalingClient(connection)


async def test_boto3_names_against_the_studio(client: AutoscalingClient, jp_serverapp: Any) -> None:
    add_endpoint(studio_of(jp_serverapp), "sdk-scaled", capture=False)

    def scenario() -> dict[str, Any]:
        client.register_scalable_target(**KEY, MinCapacity=1, MaxCapacity=3)
        client.put_scaling_policy(
            PolicyName="p",
            PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": 50.0,
                "PredefinedMetricSpecification": {
                    "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
                },
            },
            **KEY,
        )
        targets = client.describe_scalable_targets(ServiceNamespace="sagemaker")
        policies = client.describe_scaling_policies(
            ServiceNamespace="sagemaker", ResourceId=KEY["ResourceId"]
        )
        activities = client.describe_scaling_activities(ServiceNamespace="sagemaker")
        return {"targets": targets, "policies": policies, "activities": activities}

    seen = await asyncio.get_running_loop().run_in_executor(None, scenario)
    (target,) = seen["targets"]["ScalableTargets"]
    assert isinstance(target["CreationTime"], datetime)
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 3)
    (policy,) = seen["policies"]["ScalingPolicies"]
    assert policy["TargetTrackingScalingPolicyConfiguration"]["ScaleOutCooldown"] == 300
    assert seen["activities"] == {"ScalingActivities": []}

    def refusals() -> None:
        with pytest.raises(ValidationError):
            client.register_scalable_target(**{**KEY, "ServiceNamespace": "ecs"})
        client.delete_scaling_policy(PolicyName="p", **KEY)
        client.deregister_scalable_target(**KEY)
        with pytest.raises(NotFoundError):
            client.deregister_scalable_target(**KEY)

    await asyncio.get_running_loop().run_in_executor(None, refusals)


def test_the_factory_takes_a_studio_uri() -> None:
    made = autoscaling_client("http://127.0.0.1:9/")
    assert isinstance(made, AutoscalingClient)
    assert made.connection.uri == "http://127.0.0.1:9/"
