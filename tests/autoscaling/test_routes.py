"""The autoscaling routes through a real Jupyter server (jp_fetch): the endpoint view's
panel (register, read, deregister) and Application Auto Scaling's operations by name, as
the SDK's client sends them; refusals name the member."""

from __future__ import annotations

from typing import Any

from jupyter_mlstudio.entities.autoscaling import ScalingActivity
from jupyter_mlstudio.entities.common import utcnow
from tests.server.test_api import call, studio_of
from tests.support.monitoring import add_endpoint

ENDPOINT = "panel"
RESOURCE = f"endpoint/{ENDPOINT}/variant/AllTraffic"


async def test_the_endpoint_views_panel(jp_fetch: Any, jp_serverapp: Any) -> None:
    studio = studio_of(jp_serverapp)
    add_endpoint(studio, ENDPOINT, capture=False)
    status, empty = await call(jp_fetch, "GET", "endpoints", ENDPOINT, "autoscaling")
    assert status == 200
    assert empty == {"ScalableTargets": [], "ScalingPolicies": [], "ScalingActivities": []}
    body = {
        "VariantName": "AllTraffic",
        "MinCapacity": 1,
        "MaxCapacity": 4,
        "TargetValue": 300,
        "ScaleInCooldown": 60,
    }
    status, view = await call(jp_fetch, "PUT", "endpoints", ENDPOINT, "autoscaling", body=body)
    assert status == 200, view
    (target,) = view["ScalableTargets"]
    assert target["ResourceId"] == RESOURCE
    assert target["ScalableDimension"] == "sagemaker:variant:DesiredInstanceCount"
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 4)
    (policy,) = view["ScalingPolicies"]
    assert policy["PolicyName"] == "SageMakerEndpointInvocationScalingPolicy"
    assert policy["TargetTrackingScalingPolicyConfiguration"] == {
        "TargetValue": 300.0,
        "PredefinedMetricSpecification": {
            "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
        },
        "ScaleOutCooldown": 300,
        "ScaleInCooldown": 60,
        "DisableScaleIn": False,
    }
    now = utcnow()
    studio.store.create_scaling_activity(
        ScalingActivity(
            activity_id="a-1",
            endpoint_name=ENDPOINT,
            variant_name="AllTraffic",
            description="Setting desired instance count to 2.",
            cause="monitor alarm in state ALARM",
            status_code="Successful",
            start_time=now,
            end_time=now,
        )
    )
    status, view = await call(jp_fetch, "GET", "endpoints", ENDPOINT, "autoscaling")
    (activity,) = view["ScalingActivities"]
    assert activity["StatusCode"] == "Successful"
    assert activity["Description"] == "Setting desired instance count to 2."
    assert activity["StartTime"].startswith(str(now.year))
    # refusals: named member, nothing recorded
    status, error = await call(
        jp_fetch, "PUT", "endpoints", ENDPOINT, "autoscaling", body={**body, "MaxCapacity": 0}
    )
    assert (status, error["field"]) == (400, "MaxCapacity")
    status, error = await call(
        jp_fetch, "PUT", "endpoints", ENDPOINT, "autoscaling", body={**body, "VariantName": "B"}
    )
    assert (status, error["field"]) == (400, "ResourceId")
    status, error = await call(jp_fetch, "GET", "endpoints", "missing", "autoscaling")
    assert status == 404
    status, _ = await call(
        jp_fetch,
        "DELETE",
        "endpoints",
        ENDPOINT,
        "autoscaling",
        params={"VariantName": "AllTraffic"},
    )
    assert status == 204
    status, view = await call(jp_fetch, "GET", "endpoints", ENDPOINT, "autoscaling")
    assert view["ScalableTargets"] == []
    assert view["ScalingPolicies"] == []
    assert len(view["ScalingActivities"]) == 1  # activities stay, as on AWS
    status, error = await call(
        jp_fetch,
        "DELETE",
        "endpoints",
        ENDPOINT,
        "autoscaling",
        params={"VariantName": "AllTraffic"},
    )
    assert status == 404


async def test_operations_by_name(jp_fetch: Any, jp_serverapp: Any) -> None:
    studio = studio_of(jp_serverapp)
    add_endpoint(studio, ENDPOINT, capture=False)
    key = {
        "ServiceNamespace": "sagemaker",
        "ResourceId": RESOURCE,
        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
    }
    status, registered = await call(
        jp_fetch,
        "POST",
        "application-autoscaling",
        "RegisterScalableTarget",
        body={**key, "MinCapacity": 2, "MaxCapacity": 3},
    )
    assert status == 200, registered
    assert registered["ScalableTargetARN"].endswith(f"scalable-target/{ENDPOINT}/AllTraffic")
    status, listed = await call(
        jp_fetch,
        "POST",
        "application-autoscaling",
        "DescribeScalableTargets",
        body={"ServiceNamespace": "sagemaker"},
    )
    (target,) = listed["ScalableTargets"]
    assert target["MinCapacity"] == 2
    status, error = await call(
        jp_fetch, "POST", "application-autoscaling", "CreateEndpoint", body={}
    )
    assert (status, error["field"]) == (400, "Operation")
    status, error = await call(
        jp_fetch,
        "POST",
        "application-autoscaling",
        "DeleteScalingPolicy",
        body={**key, "PolicyName": "none"},
    )
    assert (status, error["field"]) == (404, "PolicyName")
