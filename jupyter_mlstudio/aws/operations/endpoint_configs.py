"""Endpoint configurations: CreateEndpointConfig, DescribeEndpointConfig,
ListEndpointConfigs, DeleteEndpointConfig, over the studio's records.

``DataCaptureConfig`` comes as boto3 users write it (``EnableCapture``,
``InitialSamplingPercentage``, ``DestinationS3Uri``, ``CaptureOptions``,
``CaptureContentTypeHeader``) and is the studio's own data capture: records are written
under the destination (``file://`` or ``s3://``, or the artifact store's
``data-capture`` when none is given) as SageMaker writes them.
"""

from __future__ import annotations

from typing import Any

from ...entities import EndpointConfig
from ...exceptions import NotFoundError
from ...services.hosting.requests import DataCaptureConfigSpec, ProductionVariantSpec
from ..errors import validation
from ..jobs import project
from ..listing import read_all, select
from ..registry import SAGEMAKER, Call
from ..retired_configs import delete_or_retire, retired

RESOURCE = "endpoint-config"
#: ProductionVariant members the studio cannot honour (refused, not ignored)
_UNSUPPORTED_VARIANT = ("ServerlessConfig", "CoreDumpConfig", "ManagedInstanceScaling")
#: request members that would change what runs, which the studio does not do
_UNSUPPORTED = ("AsyncInferenceConfig", "ExplainerConfig", "ShadowProductionVariants")


def endpoint_config_arn(call: Call, name: str) -> str:
    """An endpoint configuration's ARN.

    Args:
        call: The request (region and account).
        name: The configuration's name.

    Returns:
        ``arn:aws:sagemaker:<region>:<account>:endpoint-config/<name>``.
    """
    return call.arn(RESOURCE, name)


def _get(call: Call, name: str) -> EndpointConfig:
    try:
        if name in retired(call):
            raise NotFoundError(name)
        return call.studio.endpoints.get_endpoint_config(name)
    except NotFoundError:
        raise validation(
            f'Could not find endpoint configuration "{endpoint_config_arn(call, name)}".'
        ) from None


@SAGEMAKER.operation("CreateEndpointConfig")
def create_endpoint_config(call: Call) -> dict[str, Any]:
    """Create an endpoint configuration: production variants and data capture.

    Args:
        call: A CreateEndpointConfig request.

    Returns:
        ``EndpointConfigArn``.
    """
    params = call.params
    for member in _UNSUPPORTED:
        if params.get(member):
            raise validation(f"{member} is not supported by the studio")
    variants = []
    for i, variant in enumerate(params["ProductionVariants"]):
        for member in _UNSUPPORTED_VARIANT:
            if variant.get(member):
                raise validation(f"ProductionVariants[{i}].{member} is not supported by the studio")
        if not variant.get("ModelName"):
            raise validation(f"ProductionVariants[{i}].ModelName is required by the studio")
        variants.append(project(ProductionVariantSpec, variant))
    request: dict[str, Any] = {
        "EndpointConfigName": params["EndpointConfigName"],
        "ProductionVariants": variants,
        "KmsKeyId": params.get("KmsKeyId"),
    }
    capture = params.get("DataCaptureConfig")
    if capture is not None:
        request["DataCaptureConfig"] = project(DataCaptureConfigSpec, capture)
    name = params["EndpointConfigName"]
    try:
        call.studio.endpoints.get_endpoint_config(name)
    except NotFoundError:
        pass
    else:  # SageMaker's answer (a ValidationException) to a name taken
        raise validation(
            "Cannot create already existing endpoint configuration"
            f' "{endpoint_config_arn(call, name)}".'
        )
    config = call.studio.endpoints.create_endpoint_config(request)
    return {"EndpointConfigArn": endpoint_config_arn(call, config.endpoint_config_name)}


def variant_answer(config: EndpointConfig) -> list[dict[str, Any]]:
    """A configuration's variants as SageMaker's ``ProductionVariant`` members.

    Args:
        config: The studio's record.

    Returns:
        One mapping per variant.
    """
    return [
        {
            "VariantName": v.variant_name,
            "ModelName": v.model_name,
            "InitialInstanceCount": v.initial_instance_count,
            "InstanceType": v.instance_type,
            "InitialVariantWeight": v.initial_variant_weight,
            "VolumeSizeInGB": v.volume_size_in_gb,
            "ModelDataDownloadTimeoutInSeconds": v.model_data_download_timeout_in_seconds,
            "ContainerStartupHealthCheckTimeoutInSeconds": (
                v.container_startup_health_check_timeout_in_seconds
            ),
        }
        for v in config.production_variants
    ]


@SAGEMAKER.operation("DescribeEndpointConfig")
def describe_endpoint_config(call: Call) -> dict[str, Any]:
    """Describe an endpoint configuration, its data capture as it was given.

    Args:
        call: A DescribeEndpointConfig request.

    Returns:
        The configuration in DescribeEndpointConfig's output shape.
    """
    config = _get(call, call.params["EndpointConfigName"])
    return {
        "EndpointConfigName": config.endpoint_config_name,
        "EndpointConfigArn": endpoint_config_arn(call, config.endpoint_config_name),
        "ProductionVariants": variant_answer(config),
        "DataCaptureConfig": config.data_capture_config,
        "CreationTime": config.creation_time,
    }


@SAGEMAKER.operation("ListEndpointConfigs")
def list_endpoint_configs(call: Call) -> dict[str, Any]:
    """List endpoint configurations (NameContains, the creation-time filters, SortBy,
    SortOrder, pages; newest first by default, as on SageMaker).

    Args:
        call: A ListEndpointConfigs request.

    Returns:
        ``EndpointConfigs`` and ``NextToken``.
    """
    params = call.params
    hidden = retired(call)
    configs = [
        c
        for c in read_all(
            call.studio.endpoints.list_endpoint_configs,
            name_contains=params.get("NameContains") or None,
        )
        if c.endpoint_config_name not in hidden
    ]
    page, token = select(
        configs,
        params,
        sort_keys={
            "CreationTime": lambda c: c.creation_time,
            "Name": lambda c: c.endpoint_config_name,
        },
        times={"CreationTime": lambda c: c.creation_time},
    )
    summaries = [
        {
            "EndpointConfigName": c.endpoint_config_name,
            "EndpointConfigArn": endpoint_config_arn(call, c.endpoint_config_name),
            "CreationTime": c.creation_time,
        }
        for c in page
    ]
    return {"EndpointConfigs": summaries, "NextToken": token}


@SAGEMAKER.operation("DeleteEndpointConfig")
def delete_endpoint_config(call: Call) -> dict[str, Any]:
    """Delete an endpoint configuration; one an endpoint uses is hidden at once and
    deleted with the endpoint, as SageMaker allows (aws/retired_configs.py).

    Args:
        call: A DeleteEndpointConfig request.

    Returns:
        Nothing (the operation has no output).
    """
    name = call.params["EndpointConfigName"]
    _get(call, name)
    delete_or_retire(call, name)
    return {}
