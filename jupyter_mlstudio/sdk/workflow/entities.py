"""The bases of the pipeline DSL: entities that become part of a definition, and the
expressions (pipeline variables) that stand for values known only when a pipeline runs.
"""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from .functions import Join
    from .steps import Step

#: what a definition is made of: JSON objects and lists
RequestType = dict[str, Any] | list[dict[str, Any]]
#: the Python values a parameter or condition may hold
PrimitiveType = str | int | bool | float | None


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
        from .functions import Join

        joined: Join = Join(on="", values=[self])
        return joined

    @property
    def _referenced_steps(self) -> list[Step | str]:
        """The steps (or step names) this variable's value comes from."""
        return []


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
