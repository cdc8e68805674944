"""``ModelStep`` (``sagemaker.workflow.model_step``): creates or registers a model, from
``model.create()`` or ``model.register()`` under a ``PipelineSession``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...exceptions import ValidationError
from ._step_base import DependsOn
from .pipeline_context import ModelStepArguments
from .retry import RetryPolicy, SageMakerJobStepRetryPolicy
from .step_collections import StepCollection
from .steps import CreateModelStep, RegisterModelStep

_CREATE_MODEL_RETRY_POLICIES = "create_model_retry_policies"
_REGISTER_MODEL_RETRY_POLICIES = "register_model_retry_policies"


class ModelStep(StepCollection):
    """Creates a model (``<name>-CreateModel``, of type ``Model``) or registers a model
    version (``<name>-RegisterModel``, of type ``RegisterModel``).

    Args:
        name: The step's name.
        step_args: ``model.create()`` or ``model.register(...)`` under a
            ``PipelineSession``.
        depends_on: Steps to wait for, besides those the arguments refer to.
        retry_policies: Retry policies of its step, or a dict of them by
            ``create_model_retry_policies`` / ``register_model_retry_policies``
            (``SageMakerJobStepRetryPolicy`` is refused: no job runs).
        display_name: A name for views.
        description: A description.
        repack_model_step_settings: Accepted for SageMaker compatibility (the studio
            repacks no models).

    Raises:
        ValidationError: ``step_args`` not from ``model.create()``/``register()`` under a
            ``PipelineSession`` (``step_args``), or a job retry policy
            (``retry_policies``).
    """

    def __init__(
        self,
        name: str,
        step_args: ModelStepArguments,
        depends_on: DependsOn | None = None,
        retry_policies: Sequence[RetryPolicy] | Mapping[str, Sequence[RetryPolicy]] | None = None,
        display_name: str | None = None,
        description: str | None = None,
        repack_model_step_settings: Mapping[str, Any] | None = None,
    ) -> None:
        if not isinstance(step_args, ModelStepArguments) or (
            (step_args.create_model_request is None)
            == (step_args.create_model_package_request is None)
        ):
            raise ValidationError(
                "step_args of a ModelStep must be what model.create() or model.register()"
                " return under a PipelineSession",
                field="step_args",
            )
        super().__init__(name, depends_on=depends_on)
        self.step_args = step_args
        self.retry_policies = retry_policies
        self.display_name = display_name
        self.description = description
        if isinstance(retry_policies, Mapping):
            create = retry_policies.get(_CREATE_MODEL_RETRY_POLICIES)
            register = retry_policies.get(_REGISTER_MODEL_RETRY_POLICIES)
        else:
            create = register = retry_policies
        for policy in [*(create or ()), *(register or ())]:
            if isinstance(policy, SageMakerJobStepRetryPolicy):
                raise ValidationError(
                    "a model step runs no job: use StepRetryPolicy", field="retry_policies"
                )
        if step_args.create_model_package_request is not None:
            step: Any = RegisterModelStep(
                f"{name}-RegisterModel",
                step_args.create_model_package_request,
                display_name=display_name,
                description=description,
                retry_policies=register,
            )
        else:
            step = CreateModelStep(
                f"{name}-CreateModel",
                step_args=step_args.create_model_request,
                retry_policies=create,
                display_name=display_name,
                description=description,
            )
        step.add_depends_on(depends_on)
        self.steps = [step]
