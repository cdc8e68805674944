"""``FailStep`` (``sagemaker.workflow.fail_step``): ends the execution as Failed."""

from __future__ import annotations

from typing import Any, NoReturn

from ...exceptions import ValidationError
from ._step_base import DependsOn, Step, StepTypeEnum
from .entities import PipelineVariable


class FailStep(Step):
    """Stops the execution, Failed, with an error message.

    Args:
        name: The step's name.
        error_message: The execution's failure reason: a string, or a pipeline variable
            (a ``Join`` of parameters and properties, ...).
        display_name: A name for views.
        description: A description.
        depends_on: Steps to wait for.

    Raises:
        ValidationError: ``error_message`` is neither a string nor a pipeline variable.
    """

    def __init__(
        self,
        name: str,
        error_message: str | PipelineVariable | None = None,
        display_name: str | None = None,
        description: str | None = None,
        depends_on: DependsOn | None = None,
    ) -> None:
        super().__init__(name, display_name, description, StepTypeEnum.FAIL, depends_on)
        if error_message is not None and not isinstance(error_message, str | PipelineVariable):
            raise ValidationError(
                "error_message must be a string or a pipeline variable", field="error_message"
            )
        self.error_message = error_message if error_message is not None else ""

    @property
    def arguments(self) -> dict[str, Any]:
        """``{"ErrorMessage": ...}``."""
        return {"ErrorMessage": self.error_message}

    @property
    def properties(self) -> NoReturn:
        """A fail step ends the execution: it has no properties.

        Raises:
            ValidationError: Always.
        """
        raise ValidationError(
            f"{self.name} is a FailStep: it ends the execution and has no properties",
            field="properties",
        )
