"""Step collections (``sagemaker.workflow.step_collections``): several steps written
into the definition as one unit; ``RegisterModel`` registers a model version."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...exceptions import ValidationError
from ._step_base import DependsOn, StepCollection
from .pipeline_context import ModelStepArguments, captured
from .retry import RetryPolicy
from .steps import RegisterModelStep

__all__ = ["RegisterModel", "StepCollection"]


class RegisterModel(StepCollection):
    """Registers a model version in a model package group (SageMaker's older form:
    prefer ``ModelStep(step_args=model.register(...))``).

    Its step is ``<name>-RegisterModel``, whose arguments are a CreateModelPackage
    request (``ModelPackageGroupName``, ``InferenceSpecification``,
    ``ModelApprovalStatus``, ``ModelMetrics``, ``CustomerMetadataProperties``, ...).

    Args:
        name: The collection's name.
        content_types: The MIME types the model accepts.
        response_types: The MIME types it answers with.
        inference_instances: Instance types for endpoints.
        transform_instances: Instance types for transform jobs.
        estimator: The estimator that trained the model (its image and script), with
            ``model_data``.
        model_data: The model's data (a training step's
            ``properties.ModelArtifacts.S3ModelArtifacts``).
        depends_on: Steps to wait for.
        repack_model_step_retry_policies: Accepted for SageMaker compatibility (the
            studio repacks no models).
        register_model_step_retry_policies: Retry policies of the register step.
        model_package_group_name: The group's name or ARN.
        model_metrics: ``ModelMetrics`` (or its request form).
        approval_status: ``PendingManualApproval`` (default), ``Approved``,
            ``Rejected`` or a parameter.
        image_uri: The serving image (default the estimator's or model's).
        compile_model_family: Refused when given (no compiled models).
        display_name: A name for views.
        description: The version's description.
        tags: ``[{"Key", "Value"}]``.
        model: A :class:`~..model.Model`, instead of ``estimator`` and ``model_data``.
        drift_check_baselines: ``DriftCheckBaselines`` (or its request form).
        customer_metadata_properties: Key-value metadata of the version.
        domain: The model's domain.
        sample_payload_url: Where a sample request is.
        task: The model's task.
        kwargs: Other SageMaker arguments; ``entry_point``, ``source_dir`` and
            ``dependencies`` name the serving code with an estimator.

    Raises:
        ValidationError: Neither ``estimator`` nor ``model``, ``compile_model_family``,
            or a bad argument of the request (naming it).
    """

    def __init__(
        self,
        name: str,
        content_types: Sequence[Any] | None,
        response_types: Sequence[Any] | None,
        inference_instances: Sequence[Any] | None = None,
        transform_instances: Sequence[Any] | None = None,
        estimator: Any = None,
        model_data: Any = None,
        depends_on: DependsOn | None = None,
        repack_model_step_retry_policies: Sequence[RetryPolicy] | None = None,
        register_model_step_retry_policies: Sequence[RetryPolicy] | None = None,
        model_package_group_name: Any = None,
        model_metrics: Any = None,
        approval_status: Any = None,
        image_uri: Any = None,
        compile_model_family: str | None = None,
        display_name: str | None = None,
        description: str | None = None,
        tags: Sequence[Mapping[str, str]] | None = None,
        model: Any = None,
        drift_check_baselines: Any = None,
        customer_metadata_properties: Mapping[str, Any] | None = None,
        domain: Any = None,
        sample_payload_url: Any = None,
        task: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name, depends_on=depends_on)
        if compile_model_family is not None:
            raise ValidationError("compiled models are not supported", field="compile_model_family")
        if model is None:
            if estimator is None:
                raise ValidationError(
                    "give an estimator (with model_data) or a model", field="model"
                )
            model = _model_of(estimator, model_data, image_uri, kwargs)
        arguments = captured(
            model,
            lambda: model.register(
                content_types=content_types,
                response_types=response_types,
                inference_instances=inference_instances,
                transform_instances=transform_instances,
                model_package_group_name=model_package_group_name,
                image_uri=image_uri,
                model_metrics=model_metrics,
                approval_status=approval_status,
                description=description,
                drift_check_baselines=drift_check_baselines,
                customer_metadata_properties=customer_metadata_properties,
                domain=domain,
                sample_payload_url=sample_payload_url,
                task=task,
            ),
            "model.register",
        )
        assert isinstance(arguments, ModelStepArguments)
        request = arguments.create_model_package_request
        assert request is not None
        if tags:
            request["Tags"] = [dict(t) for t in tags]
        step = RegisterModelStep(
            f"{name}-RegisterModel",
            request,
            display_name=display_name,
            description=description,
            retry_policies=register_model_step_retry_policies,
        )
        step.add_depends_on(depends_on)
        self.steps = [step]


def _model_of(estimator: Any, model_data: Any, image_uri: Any, kwargs: Mapping[str, Any]) -> Any:
    """The model an estimator's training makes: its image and script, ``model_data``."""
    code = {
        key: kwargs[key] for key in ("entry_point", "source_dir", "dependencies") if key in kwargs
    }
    return estimator.create_model(image_uri=image_uri, model_data=model_data, **code)
