"""Pipeline parameters (``sagemaker.workflow.parameters``): values given when an execution
starts, written into the definition's ``Parameters`` and referenced as
``{"Get": "Parameters.<name>"}``."""

from __future__ import annotations

import re
from enum import Enum
from typing import Any

from ...exceptions import ValidationError
from .entities import Entity, PipelineVariable, PrimitiveType, RequestType

#: SageMaker's parameter names: letters, digits, ``-`` and ``_``, 1 to 64 characters
NAME_PATTERN = re.compile(r"^[A-Za-z0-9\-_]{1,64}$")


class ParameterTypeEnum(Enum):
    """The types of a parameter, as the definition names them."""

    STRING = "String"
    INTEGER = "Integer"
    BOOLEAN = "Boolean"
    FLOAT = "Float"

    @property
    def python_type(self) -> type:
        """The Python type of the parameter's values."""
        return {"String": str, "Integer": int, "Boolean": bool, "Float": float}[self.value]


def _checked_default(name: str, kind: ParameterTypeEnum, value: Any) -> PrimitiveType:
    """``value`` when it fits ``kind`` (None: no default); ints are accepted as floats."""
    if value is None:
        return None
    fits = {
        ParameterTypeEnum.STRING: isinstance(value, str),
        ParameterTypeEnum.INTEGER: isinstance(value, int) and not isinstance(value, bool),
        ParameterTypeEnum.FLOAT: isinstance(value, int | float) and not isinstance(value, bool),
        ParameterTypeEnum.BOOLEAN: isinstance(value, bool),
    }[kind]
    if not fits:
        raise ValidationError(
            f"parameter {name!r} is a {kind.value}: its default value cannot be"
            f" {type(value).__name__} {value!r}",
            field="default_value",
        )
    return float(value) if kind is ParameterTypeEnum.FLOAT else value


class Parameter(PipelineVariable, Entity):
    """A pipeline parameter.

    Args:
        name: The parameter's name (letters, digits, ``-``, ``_``; at most 64).
        parameter_type: Its type.
        default_value: Its value when an execution does not give one; None: every
            execution must give one.

    Raises:
        ValidationError: A bad name (``name``), or a default of another type
            (``default_value``).
    """

    def __init__(
        self,
        name: str,
        parameter_type: ParameterTypeEnum = ParameterTypeEnum.STRING,
        default_value: PrimitiveType = None,
    ) -> None:
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            raise ValidationError(
                f"parameter names are 1 to 64 letters, digits, '-' or '_' (got {name!r})",
                field="name",
            )
        self.name = name
        self.parameter_type = parameter_type
        self.default_value = _checked_default(name, parameter_type, default_value)

    def to_request(self) -> dict[str, Any]:
        """The parameter as an item of the definition's ``Parameters``.

        Returns:
            ``{"Name", "Type"}`` and ``DefaultValue`` when there is one.
        """
        request: dict[str, Any] = {"Name": self.name, "Type": self.parameter_type.value}
        if self.default_value is not None:
            request["DefaultValue"] = self.default_value
        return request

    @property
    def expr(self) -> RequestType:
        """``{"Get": "Parameters.<name>"}``."""
        return {"Get": f"Parameters.{self.name}"}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Parameter):
            return NotImplemented
        return self.to_request() == other.to_request()

    def __hash__(self) -> int:
        return hash((self.name, self.parameter_type))


class ParameterString(Parameter):
    """A string parameter.

    Args:
        name: The parameter's name.
        default_value: Its default (None: every execution gives one).
        enum_values: The values it may take (written as ``EnumValues``).
    """

    def __init__(
        self, name: str, default_value: str | None = None, enum_values: list[str] | None = None
    ) -> None:
        super().__init__(name, ParameterTypeEnum.STRING, default_value)
        self.enum_values = enum_values
        if enum_values is not None and default_value not in (None, *enum_values):
            raise ValidationError(
                f"parameter {name!r}: default {default_value!r} is not one of {enum_values}",
                field="default_value",
            )

    def to_string(self) -> PipelineVariable:
        """A string parameter is already a string: itself."""
        return self

    def to_request(self) -> dict[str, Any]:
        """As :meth:`Parameter.to_request`, with ``EnumValues`` when given."""
        request = super().to_request()
        if self.enum_values:
            request["EnumValues"] = list(self.enum_values)
        return request


class ParameterInteger(Parameter):
    """An integer parameter.

    Args:
        name: The parameter's name.
        default_value: Its default (None: every execution gives one).
    """

    def __init__(self, name: str, default_value: int | None = None) -> None:
        super().__init__(name, ParameterTypeEnum.INTEGER, default_value)


class ParameterFloat(Parameter):
    """A float parameter.

    Args:
        name: The parameter's name.
        default_value: Its default (an int is taken as a float; None: every execution
            gives one).
    """

    def __init__(self, name: str, default_value: float | None = None) -> None:
        super().__init__(name, ParameterTypeEnum.FLOAT, default_value)


class ParameterBoolean(Parameter):
    """A boolean parameter (SageMaker's is a ``functools.partial`` of ``Parameter``).

    Args:
        name: The parameter's name.
        default_value: Its default (None: every execution gives one).
    """

    def __init__(self, name: str, default_value: bool | None = None) -> None:
        super().__init__(name, ParameterTypeEnum.BOOLEAN, default_value)
