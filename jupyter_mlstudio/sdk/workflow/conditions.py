"""Conditions of a ``ConditionStep`` (``sagemaker.workflow.conditions``).

A comparison's operands are Python values or pipeline variables (parameters, execution
variables, step properties, ``JsonGet``). The ordering comparisons (greater/less than)
need numbers: a string, a boolean, or a variable that is known to be one (a string
parameter, a ``Join``, a string property) is refused when the condition is made.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Any

from ...exceptions import ValidationError
from .entities import Entity, PipelineVariable, StepReference
from .execution_variables import ExecutionVariable
from .functions import Join
from .parameters import Parameter, ParameterTypeEnum
from .properties import Properties

#: botocore types of properties that hold numbers
NUMBER_SHAPES = frozenset({"integer", "long", "float", "double"})


class ConditionTypeEnum(Enum):
    """The types of conditions, as the definition names them."""

    EQ = "Equals"
    GT = "GreaterThan"
    GTE = "GreaterThanOrEqualTo"
    IN = "In"
    LT = "LessThan"
    LTE = "LessThanOrEqualTo"
    NOT = "Not"
    OR = "Or"


def _is_primitive(value: Any) -> bool:
    return isinstance(value, str | int | float | PipelineVariable)


def _not_a_number(value: Any) -> str | None:
    """Why ``value`` cannot be compared as a number (None: it can, or may at run time)."""
    if isinstance(value, bool) or not isinstance(value, int | float | PipelineVariable):
        return f"{type(value).__name__} {value!r}"
    if isinstance(value, Parameter) and value.parameter_type not in (
        ParameterTypeEnum.INTEGER,
        ParameterTypeEnum.FLOAT,
    ):
        return f"the {value.parameter_type.value} parameter {value.name!r}"
    if isinstance(value, ExecutionVariable | Join):
        return f"the string {value.expr}"
    if isinstance(value, Properties):
        kind = value.shape_type
        if kind is not None and kind not in NUMBER_SHAPES:
            return f"{value.expr['Get']} (a {kind})"  # type: ignore[call-overload]
    return None


def _referenced(values: Sequence[Any]) -> list[StepReference]:
    steps: list[StepReference] = []
    for value in values:
        if isinstance(value, PipelineVariable):
            steps.extend(value._referenced_steps)
    return steps


class Condition(Entity):
    """A condition of a ``ConditionStep``.

    Args:
        condition_type: Its type.
    """

    def __init__(self, condition_type: ConditionTypeEnum) -> None:
        self.condition_type = condition_type

    @property
    def _referenced_steps(self) -> list[StepReference]:
        return []


class ConditionComparison(Condition):
    """``left <type> right``.

    Args:
        condition_type: The comparison.
        left: A number, string, boolean or pipeline variable.
        right: The same.

    Raises:
        ValidationError: An operand that is not a value or variable (``left`` or
            ``right``); for the ordering comparisons, one that is not a number.
    """

    def __init__(self, condition_type: ConditionTypeEnum, left: Any, right: Any) -> None:
        super().__init__(condition_type)
        for field, value in (("left", left), ("right", right)):
            if condition_type is ConditionTypeEnum.EQ:
                if not _is_primitive(value):
                    raise ValidationError(
                        f"{condition_type.value}: {field} must be a string, number, boolean or"
                        f" pipeline variable, not {type(value).__name__}",
                        field=field,
                    )
                continue
            reason = _not_a_number(value)
            if reason is not None:
                raise ValidationError(
                    f"{condition_type.value} compares numbers: {field} is {reason}", field=field
                )
        self.left = left
        self.right = right

    def to_request(self) -> dict[str, Any]:
        """``{"Type", "LeftValue", "RightValue"}`` (variables are written as their
        expressions by the pipeline)."""
        return {
            "Type": self.condition_type.value,
            "LeftValue": self.left,
            "RightValue": self.right,
        }

    @property
    def _referenced_steps(self) -> list[StepReference]:
        return _referenced([self.left, self.right])


class ConditionEquals(ConditionComparison):
    """``left == right``.

    Args:
        left: A string, number, boolean or pipeline variable.
        right: The same.
    """

    def __init__(self, left: Any, right: Any) -> None:
        super().__init__(ConditionTypeEnum.EQ, left, right)


class ConditionGreaterThan(ConditionComparison):
    """``left > right``.

    Args:
        left: A number or a pipeline variable that holds one.
        right: The same.
    """

    def __init__(self, left: Any, right: Any) -> None:
        super().__init__(ConditionTypeEnum.GT, left, right)


class ConditionGreaterThanOrEqualTo(ConditionComparison):
    """``left >= right``.

    Args:
        left: A number or a pipeline variable that holds one.
        right: The same.
    """

    def __init__(self, left: Any, right: Any) -> None:
        super().__init__(ConditionTypeEnum.GTE, left, right)


class ConditionLessThan(ConditionComparison):
    """``left < right``.

    Args:
        left: A number or a pipeline variable that holds one.
        right: The same.
    """

    def __init__(self, left: Any, right: Any) -> None:
        super().__init__(ConditionTypeEnum.LT, left, right)


class ConditionLessThanOrEqualTo(ConditionComparison):
    """``left <= right``.

    Args:
        left: A number or a pipeline variable that holds one.
        right: The same.
    """

    def __init__(self, left: Any, right: Any) -> None:
        super().__init__(ConditionTypeEnum.LTE, left, right)


class ConditionIn(Condition):
    """``value in in_values``.

    Args:
        value: A string, number, boolean or pipeline variable.
        in_values: A list of them.

    Raises:
        ValidationError: Something else (``value`` or ``in_values[i]``).
    """

    def __init__(self, value: Any, in_values: Sequence[Any]) -> None:
        super().__init__(ConditionTypeEnum.IN)
        if not _is_primitive(value):
            raise ValidationError(f"In: value cannot be {type(value).__name__}", field="value")
        if isinstance(in_values, str) or not isinstance(in_values, Sequence):
            raise ValidationError("In: in_values must be a list", field="in_values")
        for i, item in enumerate(in_values):
            if not _is_primitive(item):
                raise ValidationError(
                    f"In: in_values[{i}] cannot be {type(item).__name__}", field=f"in_values[{i}]"
                )
        self.value = value
        self.in_values = list(in_values)

    def to_request(self) -> dict[str, Any]:
        """``{"Type": "In", "QueryValue", "Values"}``."""
        return {
            "Type": self.condition_type.value,
            "QueryValue": self.value,
            "Values": list(self.in_values),
        }

    @property
    def _referenced_steps(self) -> list[StepReference]:
        return _referenced([self.value, *self.in_values])


class ConditionNot(Condition):
    """The negation of a condition.

    Args:
        expression: The condition.

    Raises:
        ValidationError: ``expression`` is not a condition.
    """

    def __init__(self, expression: Condition) -> None:
        super().__init__(ConditionTypeEnum.NOT)
        if not isinstance(expression, Condition):
            raise ValidationError("Not takes a condition", field="expression")
        self.expression = expression

    def to_request(self) -> dict[str, Any]:
        """``{"Type": "Not", "Condition": {...}}``."""
        return {"Type": self.condition_type.value, "Condition": self.expression.to_request()}

    @property
    def _referenced_steps(self) -> list[StepReference]:
        return self.expression._referenced_steps


class ConditionOr(Condition):
    """True when any of the conditions is.

    Args:
        conditions: The conditions.

    Raises:
        ValidationError: An item that is not a condition (``conditions[i]``).
    """

    def __init__(self, conditions: Sequence[Condition] | None = None) -> None:
        super().__init__(ConditionTypeEnum.OR)
        for i, condition in enumerate(conditions or ()):
            if not isinstance(condition, Condition):
                raise ValidationError("Or takes conditions", field=f"conditions[{i}]")
        self.conditions = list(conditions or ())

    def to_request(self) -> dict[str, Any]:
        """``{"Type": "Or", "Conditions": [...]}``."""
        return {
            "Type": self.condition_type.value,
            "Conditions": [c.to_request() for c in self.conditions],
        }

    @property
    def _referenced_steps(self) -> list[StepReference]:
        steps: list[StepReference] = []
        for condition in self.conditions:
            steps.extend(condition._referenced_steps)
        return steps
