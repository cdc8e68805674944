"""``ConditionStep`` (``sagemaker.workflow.condition_step``): runs its ``if_steps`` when
all its conditions hold, else its ``else_steps``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...exceptions import ValidationError
from ._step_base import DependsOn, Step, StepTypeEnum
from .conditions import Condition
from .properties import Properties
from .step_collections import StepCollection


class ConditionStep(Step):
    """Branches on conditions when the pipeline runs.

    The branches' steps are written inside this step's ``Arguments`` (``IfSteps``,
    ``ElseSteps``), not in the pipeline's ``steps``.

    Args:
        name: The step's name.
        depends_on: Steps to wait for, besides those the conditions refer to.
        display_name: A name for views.
        description: A description.
        conditions: The conditions (all must hold).
        if_steps: Steps or step collections run when they hold.
        else_steps: Steps or step collections run otherwise.

    Raises:
        ValidationError: A condition that is not a ``Condition`` (``conditions``), or a
            branch item that is not a step (``if_steps``/``else_steps``).
    """

    def __init__(
        self,
        name: str,
        depends_on: DependsOn | None = None,
        display_name: str | None = None,
        description: str | None = None,
        conditions: Sequence[Condition] | None = None,
        if_steps: Sequence[Step | StepCollection] | None = None,
        else_steps: Sequence[Step | StepCollection] | None = None,
    ) -> None:
        super().__init__(name, display_name, description, StepTypeEnum.CONDITION, depends_on)
        for i, condition in enumerate(conditions or ()):
            if not isinstance(condition, Condition):
                raise ValidationError(
                    "conditions must be Condition objects", field=f"conditions[{i}]"
                )
        for field, branch in (("if_steps", if_steps), ("else_steps", else_steps)):
            for i, item in enumerate(branch or ()):
                if not isinstance(item, Step | StepCollection):
                    raise ValidationError(f"{field} must hold steps", field=f"{field}[{i}]")
        self.conditions = list(conditions or ())
        self.if_steps = list(if_steps or ())
        self.else_steps = list(else_steps or ())
        self._properties = Properties(name, step=self)
        self._properties.__dict__["Outcome"] = Properties(name, "Outcome", step=self)

    @property
    def arguments(self) -> dict[str, Any]:
        """``{"Conditions", "IfSteps", "ElseSteps"}`` (branch steps as definition items)."""

        def requests(steps: list[Step | StepCollection]) -> list[dict[str, Any]]:
            found: list[dict[str, Any]] = []
            for step in steps:
                found.extend(
                    step.request_dicts()
                    if isinstance(step, StepCollection)
                    else [step.to_request()]
                )
            return found

        return {
            "Conditions": [c.to_request() for c in self.conditions],
            "IfSteps": requests(self.if_steps),
            "ElseSteps": requests(self.else_steps),
        }

    @property
    def step_only_arguments(self) -> dict[str, Any]:
        """``{"Conditions"}``: the arguments without the branches."""
        return {"Conditions": [c.to_request() for c in self.conditions]}

    @property
    def properties(self) -> Properties:
        """Only ``Outcome`` (whether the conditions held)."""
        return self._properties
