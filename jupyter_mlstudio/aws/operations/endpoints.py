"""Endpoints: CreateEndpoint, DescribeEndpoint, ListEndpoints, UpdateEndpoint,
DeleteEndpoint and UpdateEndpointWeightsAndCapacities, over the studio's endpoints
(``Studio.endpoints``): the same instances, router and UI as the studio's own.

Creating, updating and re-weighting return at once and run while the endpoint is
``Creating`` / ``Updating``; DescribeEndpoint shows where it is, so boto3's
``endpoint_in_service`` waiter works. Invocations go through the ``sagemaker-runtime``
client (``server/handlers/aws.py``) to the same router.
"""

from __future__ import annotations

from typing import Any

from ...entities import Endpoint, EndpointStatus
from ...exceptions import ConflictError, NotFoundError
from ..errors import validation
from ..listing import read_all, select
from ..registry import SAGEMAKER, Call
from ..retired_configs import release

RESOURCE = "endpoint"


def endpoint_arn(call: Call, name: str) -> str:
    """An endpoint's ARN.

    Args:
        call: The request (region and account).
        name: The endpoint's name.

    Returns:
        ``arn:aws:sagemaker:<region>:<account>:endpoint/<name>``.
    """
    return call.arn(RESOURCE, name)


def missing(call: Call, name: str) -> Exception:
    """SageMaker's error for an endpoint that does not exist.

    Args:
        call: The request.
        name: The endpoint's name.

    Returns:
        ValidationException ``Could not find endpoint "<arn>".``
    """
    return validation(f'Could not find endpoint "{endpoint_arn(call, name)}".')


def _require(call: Call, name: str) -> Endpoint:
    try:
        return call.studio.endpoints.get_endpoint(name)
    except NotFoundError:
        raise missing(call, name) from None


#: the states an operation is under way in: SageMaker refuses to change or delete then
_IN_PROGRESS = frozenset(
    {
        EndpointStatus.CREATING,
        EndpointStatus.UPDATING,
        EndpointStatus.SYSTEM_UPDATING,
        EndpointStatus.ROLLING_BACK,
    }
)


def _require_settled(call: Call, name: str, *, in_service: bool) -> None:
    """Refuse at once an endpoint an operation is under way on (the studio's service
    would wait for it to end; SageMaker refuses), or, with ``in_service``, one that is
    not InService."""
    status = _require(call, name).endpoint_status
    if status in _IN_PROGRESS or (in_service and status is not EndpointStatus.IN_SERVICE):
        raise _in_progress(call, name)


def _in_progress(call: Call, name: str) -> Exception:
    """SageMaker's refusal, the same for updates and deletes."""
    return validation(f'Cannot update in-progress endpoint "{endpoint_arn(call, name)}".')


@SAGEMAKER.operation("CreateEndpoint")
def create_endpoint(call: Call) -> dict[str, Any]:
    """Create an endpoint from a configuration: Creating now, InService once every
    variant's instances answer.

    Args:
        call: A CreateEndpoint request.

    Returns:
        ``EndpointArn``.
    """
    params = call.params
    request = {
        "EndpointName": params["EndpointName"],
        "EndpointConfigName": params["EndpointConfigName"],
        "Tags": params.get("Tags"),
    }
    name = params["EndpointName"]
    try:
        call.studio.endpoints.get_endpoint(name)
    except NotFoundError:
        pass
    else:  # SageMaker's answer (a ValidationException) to a name taken
        raise validation(f'Cannot create already existing endpoint "{endpoint_arn(call, name)}".')
    config = params["EndpointConfigName"]
    try:
        call.studio.endpoints.get_endpoint_config(config)
    except NotFoundError:
        raise validation(
            f'Could not find endpoint configuration "{call.arn("endpoint-config", config)}".'
        ) from None
    endpoint = call.studio.endpoints.create_endpoint(request)
    return {"EndpointArn": endpoint_arn(call, endpoint.endpoint_name)}


@SAGEMAKER.operation("DescribeEndpoint")
def describe_endpoint(call: Call) -> dict[str, Any]:
    """Describe an endpoint: its status, live variants (weights and instance counts) and
    data capture (ValidationException "Could not find endpoint ..." if there is none).

    Args:
        call: A DescribeEndpoint request.

    Returns:
        The endpoint in DescribeEndpoint's output shape.
    """
    name = call.params["EndpointName"]
    try:
        described = call.studio.endpoints.describe_endpoint(name)
    except NotFoundError:
        raise missing(call, name) from None
    out = dict(described)
    out["EndpointArn"] = endpoint_arn(call, name)
    capture = out.get("DataCaptureConfig")
    if capture:
        out["DataCaptureConfig"] = {
            "EnableCapture": bool(capture.get("EnableCapture", True)),
            "CaptureStatus": capture.get("CaptureStatus", "Stopped"),
            "CurrentSamplingPercentage": int(capture.get("InitialSamplingPercentage", 100)),
            "DestinationS3Uri": capture.get("DestinationS3Uri", ""),
            "KmsKeyId": capture.get("KmsKeyId", ""),
        }
    return out


def _summary(call: Call, endpoint: Endpoint) -> dict[str, Any]:
    return {
        "EndpointName": endpoint.endpoint_name,
        "EndpointArn": endpoint_arn(call, endpoint.endpoint_name),
        "CreationTime": endpoint.creation_time,
        "LastModifiedTime": endpoint.last_modified_time,
        "EndpointStatus": endpoint.endpoint_status.value,
    }


@SAGEMAKER.operation("ListEndpoints")
def list_endpoints(call: Call) -> dict[str, Any]:
    """List endpoints (NameContains, StatusEquals, the time filters, SortBy, SortOrder,
    pages; newest first by default, as on SageMaker).

    Args:
        call: A ListEndpoints request.

    Returns:
        ``Endpoints`` and ``NextToken``.
    """
    params = call.params
    status = params.get("StatusEquals")
    endpoints = read_all(
        call.studio.endpoints.list_endpoints,
        name_contains=params.get("NameContains") or None,
        status=EndpointStatus(status) if status else None,
    )
    page, token = select(
        endpoints,
        params,
        sort_keys={
            "CreationTime": lambda e: e.creation_time,
            "Name": lambda e: e.endpoint_name,
            "Status": lambda e: e.endpoint_status.value,
        },
        times={
            "CreationTime": lambda e: e.creation_time,
            "LastModifiedTime": lambda e: e.last_modified_time,
        },
    )
    return {"Endpoints": [_summary(call, e) for e in page], "NextToken": token}


@SAGEMAKER.operation("UpdateEndpoint")
def update_endpoint(call: Call) -> dict[str, Any]:
    """Move an endpoint to another configuration (blue/green): Updating now, InService
    on the new configuration once its instances answer; the old keeps serving until then.

    Args:
        call: An UpdateEndpoint request.

    Returns:
        ``EndpointArn``.
    """
    name = call.params["EndpointName"]
    _require_settled(call, name, in_service=True)
    try:
        call.studio.endpoints.update_endpoint(name, call.params["EndpointConfigName"])
    except ConflictError:
        raise _in_progress(call, name) from None
    return {"EndpointArn": endpoint_arn(call, name)}


@SAGEMAKER.operation("UpdateEndpointWeightsAndCapacities")
def update_endpoint_weights_and_capacities(call: Call) -> dict[str, Any]:
    """Change variants' weights and instance counts: Updating now, InService once the
    instances run.

    Args:
        call: An UpdateEndpointWeightsAndCapacities request.

    Returns:
        ``EndpointArn``.
    """
    name = call.params["EndpointName"]
    _require_settled(call, name, in_service=True)
    desired = [
        {
            "VariantName": item["VariantName"],
            "DesiredWeight": item.get("DesiredWeight"),
            "DesiredInstanceCount": item.get("DesiredInstanceCount"),
        }
        for item in call.params["DesiredWeightsAndCapacities"]
    ]
    try:
        call.studio.endpoints.update_endpoint_weights_and_capacities(name, desired)
    except ConflictError:
        raise _in_progress(call, name) from None
    return {"EndpointArn": endpoint_arn(call, name)}


@SAGEMAKER.operation("DeleteEndpoint")
def delete_endpoint(call: Call) -> dict[str, Any]:
    """Delete an endpoint: its instances are stopped (its configuration and models stay,
    unless the configuration was deleted meanwhile); one being created or updated is
    refused, as on SageMaker.

    Args:
        call: A DeleteEndpoint request.

    Returns:
        Nothing (the operation has no output).
    """
    name = call.params["EndpointName"]
    _require_settled(call, name, in_service=False)
    try:
        config = call.studio.endpoints.get_endpoint(name).endpoint_config_name
        call.studio.endpoints.delete_endpoint(name)
    except NotFoundError:
        raise missing(call, name) from None
    release(call, config)  # a configuration deleted while this endpoint used it
    return {}
