"""The bases of the pipeline DSL: entities that become part of a definition, and the
expressions (pipeline variables) that stand for values known only when a pipeline runs.

The lowest module of the DSL: it imports none of the others (the SDK's estimators,
models and transformers import it to ask :func:`is_pipeline_variable`). A variable refers
to its steps through :class:`NamedStep`, which :class:`~.steps.Step` satisfies; ``Join``
is here because every variable's :meth:`~PipelineVariable.to_string` makes one
(:mod:`.functions` exports it, as SageMaker's does).
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any, NoReturn, Protocol

#: what a definition is made of: JSON objects and lists
RequestType = dict[str, Any] | list[dict[str, Any]]
#: the Python values a parameter or condition may hold
PrimitiveType = str | int | bool | float | None


class NamedStep(Protocol):
    """A step as the pipeline variables refer to it (a :class:`~.steps.Step`)."""

    @property
    def name(self) -> str:
        """The step's name."""


#: a step a pipeline variable's value comes from, or the step's name
StepReference = NamedStep | str


class Entity(abc.ABC):
    """Something that is written into a pipeline definition (a step, a parameter, ...)."""

    @abc.abstractmethod
    def to_request(self) -> RequestType:
        """This entity as it is written into the definition.

        Returns:
            A JSON object (or list of objects) in SageMaker's field names.
        """


class Expression(abc.ABC):
    """Something written into a definition as an expression (``{"Get": ...}``, ...)."""

    @property
    @abc.abstractmethod
    def expr(self) -> RequestType:
        """The expression, as it is written into the definition."""


class PipelineVariable(Expression):
    """A value known only when the pipeline runs: a parameter, an execution variable, a
    step's property, or a function of them (``Join``, ``JsonGet``).

    As in SageMaker, a pipeline variable cannot be turned into a Python string or number
    (its value does not exist yet): use :meth:`to_string` or :class:`~.functions.Join`.
    """

    def __add__(self, other: object) -> NoReturn:
        raise TypeError("Pipeline variables do not support concatenation; use Join.")

    def __str__(self) -> str:
        raise TypeError(
            "Pipeline variables do not support __str__: use .to_string() for a string at"
            " run time, or .expr to see the definition's expression."
        )

    def __int__(self) -> int:
        raise TypeError("Pipeline variables do not support __int__.")

    def __float__(self) -> float:
        raise TypeError("Pipeline variables do not support __float__.")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.expr!r})"

    def to_string(self) -> PipelineVariable:
        """This variable as a string when the pipeline runs.

        Returns:
            ``Join(on="", values=[self])`` (string variables return themselves).
        """
        return Join(on="", values=[self])

    @property
    def _referenced_steps(self) -> list[StepReference]:
        """The steps (or step names) this variable's value comes from."""
        return []


def expression_of(value: Any) -> Any:
    """A value as a definition writes it.

    Args:
        value: A Python value or a pipeline variable.

    Returns:
        The variable's expression, or the value itself.
    """
    return value.expr if isinstance(value, PipelineVariable) else value


class Join(PipelineVariable):
    """Strings and pipeline variables joined into one string when the pipeline runs
    (``sagemaker.workflow.functions.Join``; import it from :mod:`.functions`).

    Example: ``Join(on="/", values=["s3:/", bucket, ExecutionVariables.PIPELINE_EXECUTION_ID])``.

    Args:
        on: The separator.
        values: Strings, numbers and pipeline variables.
    """

    def __init__(self, on: str = "", values: Sequence[Any] | None = None) -> None:
        self.on = on
        self.values = list(values or [])

    def to_string(self) -> PipelineVariable:
        """A join is a string already: itself."""
        return self

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Join):
            return NotImplemented
        return self.expr == other.expr

    def __hash__(self) -> int:
        return hash(repr(self.expr))

    @property
    def expr(self) -> RequestType:
        """``{"Std:Join": {"On": ..., "Values": [...]}}``."""
        return {"Std:Join": {"On": self.on, "Values": [expression_of(v) for v in self.values]}}

    @property
    def _referenced_steps(self) -> list[StepReference]:
        steps: list[StepReference] = []
        for value in self.values:
            if isinstance(value, PipelineVariable):
                steps.extend(value._referenced_steps)
        return steps


def copy_request(value: Any) -> Any:
    """A copy of a request's dicts and lists; the values in it (pipeline variables, which
    refer to their steps) are shared, not copied.

    Args:
        value: A request.

    Returns:
        The copy.
    """
    if isinstance(value, dict):
        return {k: copy_request(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [copy_request(v) for v in value]
    return value


def is_pipeline_variable(value: Any) -> bool:
    """Whether ``value`` is a pipeline variable (or another definition expression).

    Args:
        value: Anything.

    Returns:
        True for parameters, execution variables, properties, ``Join``, ``JsonGet``,
        ``PropertyFile`` and experiment-config properties.
    """
    return isinstance(value, Expression)
