"""CreateModelPackage requests (a model version in a model package group), as
``Model.register`` sends them and a pipeline's ``RegisterModel`` step writes them.

A low module of the DSL, as :mod:`.entities`: ``sdk/model.py`` imports it, so it imports
no steps (the step is :class:`~.steps.RegisterModelStep`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...exceptions import ValidationError
from .entities import copy_request, is_pipeline_variable

APPROVAL_STATUSES = ("PendingManualApproval", "Approved", "Rejected")


def request_form(value: Any, field: str) -> Any:
    """An SDK object (``ModelMetrics``, ``MetadataProperties``, ...) in its request form.

    Args:
        value: An object with ``_to_request_dict()`` (SageMaker's), or a mapping already
            in the request's form.
        field: The argument's name, for the error.

    Returns:
        The request form (a dict).

    Raises:
        ValidationError: Anything else.
    """
    to_request = getattr(value, "_to_request_dict", None)
    if callable(to_request):
        return to_request()
    if isinstance(value, Mapping):
        return copy_request(dict(value))
    raise ValidationError(f"{field} must be a {field} object or a mapping", field=field)


def model_package_request(
    containers: Sequence[Mapping[str, Any]],
    content_types: Sequence[Any] | None = None,
    response_types: Sequence[Any] | None = None,
    inference_instances: Sequence[Any] | None = None,
    transform_instances: Sequence[Any] | None = None,
    model_package_name: Any = None,
    model_package_group_name: Any = None,
    model_metrics: Any = None,
    metadata_properties: Any = None,
    marketplace_cert: bool = False,
    approval_status: Any = None,
    description: str | None = None,
    drift_check_baselines: Any = None,
    customer_metadata_properties: Mapping[str, Any] | None = None,
    validation_specification: Any = None,
    domain: Any = None,
    task: Any = None,
    sample_payload_url: Any = None,
    skip_model_validation: Any = None,
    source_uri: Any = None,
    tags: Sequence[Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """The CreateModelPackage request of a model version, as SageMaker's SDK makes it.

    Args:
        containers: The inference containers (``Image``, ``ModelDataUrl``, ...).
        content_types: ``SupportedContentTypes``.
        response_types: ``SupportedResponseMIMETypes``.
        inference_instances: ``SupportedRealtimeInferenceInstanceTypes``.
        transform_instances: ``SupportedTransformInstanceTypes``.
        model_package_name: An unversioned package's name (instead of a group).
        model_package_group_name: The group's name or ARN.
        model_metrics: ``ModelMetrics`` (or its request form).
        metadata_properties: ``MetadataProperties`` (or its request form).
        marketplace_cert: ``CertifyForMarketplace``.
        approval_status: ``PendingManualApproval`` (default), ``Approved`` or
            ``Rejected``, or a pipeline variable.
        description: ``ModelPackageDescription``.
        drift_check_baselines: ``DriftCheckBaselines`` (or its request form).
        customer_metadata_properties: ``CustomerMetadataProperties``.
        validation_specification: ``ValidationSpecification``.
        domain: ``Domain``.
        task: ``Task``.
        sample_payload_url: ``SamplePayloadUrl``.
        skip_model_validation: ``SkipModelValidation`` (default ``None``).
        source_uri: ``SourceUri``.
        tags: ``Tags``.

    Returns:
        The request.

    Raises:
        ValidationError: Naming the argument: both or neither of a package name and a
            group, an approval status outside the three, metadata that is not a mapping
            of strings, an unversioned package without instance types.
    """
    if (model_package_name is None) == (model_package_group_name is None):
        raise ValidationError(
            "give model_package_group_name (a version) or model_package_name, not both",
            field="model_package_group_name",
        )
    status = approval_status if approval_status is not None else "PendingManualApproval"
    if not is_pipeline_variable(status) and status not in APPROVAL_STATUSES:
        raise ValidationError(
            f"approval_status must be one of {', '.join(APPROVAL_STATUSES)}, not {status!r}",
            field="approval_status",
        )
    request: dict[str, Any] = {}
    if model_package_name is not None:
        request["ModelPackageName"] = model_package_name
    else:
        request["ModelPackageGroupName"] = model_package_group_name
    if description is not None:
        request["ModelPackageDescription"] = description
    if tags:
        request["Tags"] = [dict(t) for t in tags]
    if model_metrics is not None:
        request["ModelMetrics"] = request_form(model_metrics, "model_metrics")
    if drift_check_baselines is not None:
        request["DriftCheckBaselines"] = request_form(
            drift_check_baselines, "drift_check_baselines"
        )
    if metadata_properties is not None:
        request["MetadataProperties"] = request_form(metadata_properties, "metadata_properties")
    if customer_metadata_properties is not None:
        if not isinstance(customer_metadata_properties, Mapping) or not all(
            isinstance(k, str) and (isinstance(v, str) or is_pipeline_variable(v))
            for k, v in customer_metadata_properties.items()
        ):
            raise ValidationError(
                "customer_metadata_properties must map strings to strings",
                field="customer_metadata_properties",
            )
        request["CustomerMetadataProperties"] = dict(customer_metadata_properties)
    optional = {
        "ValidationSpecification": validation_specification,
        "Domain": domain,
        "SamplePayloadUrl": sample_payload_url,
        "Task": task,
        "SourceUri": source_uri,
    }
    request.update({k: v for k, v in optional.items() if v is not None})
    specification: dict[str, Any] = {"Containers": [dict(c) for c in containers]}
    if content_types is not None:
        specification["SupportedContentTypes"] = list(content_types)
    if response_types is not None:
        specification["SupportedResponseMIMETypes"] = list(response_types)
    if model_package_name is not None and not (inference_instances and transform_instances):
        raise ValidationError(
            "an unversioned model package needs inference_instances and transform_instances",
            field="inference_instances",
        )
    if inference_instances is not None:
        specification["SupportedRealtimeInferenceInstanceTypes"] = list(inference_instances)
    if transform_instances is not None:
        specification["SupportedTransformInstanceTypes"] = list(transform_instances)
    request["InferenceSpecification"] = specification
    request["CertifyForMarketplace"] = marketplace_cert
    request["ModelApprovalStatus"] = status
    request["SkipModelValidation"] = (
        skip_model_validation if skip_model_validation is not None else "None"
    )
    return request
