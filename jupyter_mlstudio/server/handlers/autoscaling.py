"""Endpoint autoscaling: the endpoint view's panel (an endpoint's scalable targets,
policies and activities; register and deregister a variant) and Application Auto
Scaling's operations by name for the SDK's client (docs/autoscaling.md)."""

from __future__ import annotations

from typing import Any, ClassVar

from jupyter_server.auth.decorator import authorized
from pydantic_core import to_jsonable_python
from tornado.web import authenticated

from ...aws.errors import AwsError
from ...aws.service_model import operation_model, validate_input
from ...entities.autoscaling import SCALABLE_DIMENSION, SERVICE_NAMESPACE, resource_id
from ...exceptions import ValidationError
from ...services.hosting.autoscaling import AutoscalingService
from ...services.hosting.autoscaling_requests import INVOCATIONS_PER_INSTANCE
from .. import autoscaling_schemas as asc
from .base import Operation, StudioHandler

#: each operation's method of the service
_OPERATIONS = {
    "RegisterScalableTarget": AutoscalingService.register_scalable_target,
    "DescribeScalableTargets": AutoscalingService.describe_scalable_targets,
    "DeregisterScalableTarget": AutoscalingService.deregister_scalable_target,
    "PutScalingPolicy": AutoscalingService.put_scaling_policy,
    "DescribeScalingPolicies": AutoscalingService.describe_scaling_policies,
    "DeleteScalingPolicy": AutoscalingService.delete_scaling_policy,
    "DescribeScalingActivities": AutoscalingService.describe_scaling_activities,
}


class EndpointAutoscalingHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "An endpoint's autoscaling: its variants' scalable targets, their policies and"
            " the scaling activities, newest first",
            "getEndpointAutoscaling",
            response=asc.EndpointAutoscaling,
            errors=(403, 404),
        ),
        "put": Operation(
            "Register a variant's scalable target (MinCapacity, MaxCapacity) and, with a"
            " TargetValue, its target-tracking policy on invocations a minute per instance",
            "putEndpointAutoscaling",
            body=asc.PutEndpointAutoscalingBody,
            response=asc.EndpointAutoscaling,
            errors=(400, 403, 404),
        ),
        "delete": Operation(
            "Deregister a variant's scalable target and its policies (every variant's when"
            " none is named); the instance count stays as it is",
            "deleteEndpointAutoscaling",
            query=asc.DeleteEndpointAutoscalingQuery,
            status=204,
            errors=(400, 403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self, endpoint_name: str) -> None:
        view = await self.run(self.studio.autoscaling.endpoint_view, endpoint_name)
        self.send(asc.EndpointAutoscaling(**view))

    @authenticated
    @authorized
    async def put(self, endpoint_name: str) -> None:
        body = self.parse_body(asc.PutEndpointAutoscalingBody)
        view = await self.run(self._put, endpoint_name, body)
        self.send(asc.EndpointAutoscaling(**view))

    def _put(self, endpoint_name: str, body: asc.PutEndpointAutoscalingBody) -> dict[str, Any]:
        service = self.studio.autoscaling
        key = {
            "ServiceNamespace": SERVICE_NAMESPACE,
            "ResourceId": resource_id(endpoint_name, body.VariantName),
            "ScalableDimension": SCALABLE_DIMENSION,
        }
        self.studio.store.get_endpoint(endpoint_name)  # NotFoundError: 404
        service.register_scalable_target(
            {**key, "MinCapacity": body.MinCapacity, "MaxCapacity": body.MaxCapacity}
        )
        if body.TargetValue is not None:
            service.put_scaling_policy(
                {
                    **key,
                    "PolicyName": body.PolicyName,
                    "PolicyType": "TargetTrackingScaling",
                    "TargetTrackingScalingPolicyConfiguration": {
                        "TargetValue": body.TargetValue,
                        "PredefinedMetricSpecification": {
                            "PredefinedMetricType": INVOCATIONS_PER_INSTANCE
                        },
                        "ScaleOutCooldown": body.ScaleOutCooldown,
                        "ScaleInCooldown": body.ScaleInCooldown,
                        "DisableScaleIn": body.DisableScaleIn,
                    },
                }
            )
        return service.endpoint_view(endpoint_name)

    @authenticated
    @authorized
    async def delete(self, endpoint_name: str) -> None:
        query = self.parse_query(asc.DeleteEndpointAutoscalingQuery)
        await self.run(self._delete, endpoint_name, query.VariantName)
        self.send(None, 204)

    def _delete(self, endpoint_name: str, variant_name: str | None) -> None:
        self.studio.store.get_endpoint(endpoint_name)  # NotFoundError: 404
        service = self.studio.autoscaling
        if variant_name is None:
            service.deregister_endpoint(endpoint_name)
            return
        service.deregister_scalable_target(
            {
                "ServiceNamespace": SERVICE_NAMESPACE,
                "ResourceId": resource_id(endpoint_name, variant_name),
                "ScalableDimension": SCALABLE_DIMENSION,
            }
        )


class AutoscalingOperationHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "One Application Auto Scaling operation (RegisterScalableTarget, PutScalingPolicy,"
            " DescribeScalingActivities, ...) with boto3's members: what the SDK's"
            " autoscaling client sends",
            "callAutoscalingOperation",
            body=asc.AutoscalingRequest,
            response=asc.AutoscalingAnswer,
            errors=(400, 403, 404),
        ),
    }

    @authenticated
    @authorized
    async def post(self, operation: str) -> None:
        method = _OPERATIONS.get(operation)
        if method is None:
            raise ValidationError(
                f"unknown operation {operation!r} (operations: {', '.join(_OPERATIONS)})",
                field="Operation",
            )
        body = self.parse_body(asc.AutoscalingRequest)
        params = dict(body.model_extra or {})
        try:  # as AWS checks it: botocore's model of the operation's input
            validate_input(operation_model("application-autoscaling", operation), params)
        except AwsError as exc:
            raise ValidationError(exc.message, field="body") from None
        answer = await self.run(method, self.studio.autoscaling, params)
        self.send(to_jsonable_python(answer))
