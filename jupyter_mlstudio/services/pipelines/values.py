"""What an executor computes from a checked definition at run time: the execution's
parameters (StartPipelineExecution's ``PipelineParameters``), the values of ``Get``,
``Std:Join`` and ``Std:JsonGet`` expressions, and the outcome of condition steps.

A value that cannot be computed at run time (a property a finished step does not have, a
JSON path the property file lacks, an ordering comparison of non-numbers) raises
:class:`StepValueError`, which fails the step with its message as FailureReason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...exceptions import ValidationError
from .definition import Definition
from .properties import PATH_SEGMENT as _SEGMENT

_TRUE, _FALSE = frozenset({"true", "True"}), frozenset({"false", "False"})
_ORDERINGS: dict[str, Callable[[float, float], bool]] = {
    "GreaterThan": lambda a, b: a > b,
    "GreaterThanOrEqualTo": lambda a, b: a >= b,
    "LessThan": lambda a, b: a < b,
    "LessThanOrEqualTo": lambda a, b: a <= b,
}


class StepValueError(Exception):
    """A value of a step's arguments that cannot be computed (the step fails with it)."""


def _parameter_value(kind: str, value: Any) -> Any:
    """``value`` (a string, as SageMaker sends them, or already of the type) as ``kind``."""
    if kind == "String":
        if isinstance(value, str):
            return value
    elif kind == "Boolean":
        if isinstance(value, bool):
            return value
        if value in _TRUE or value in _FALSE:
            return value in _TRUE
    elif kind == "Integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and re.fullmatch(r"[+-]?\d{1,18}", value.strip()):
            return int(value)
    elif kind == "Float":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                return None
            if number == number and abs(number) != float("inf"):
                return number
    return None


def execution_parameters(
    definition: Definition, given: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The parameters of an execution: the given values, typed, then the defaults.

    Args:
        definition: The pipeline's checked definition.
        given: StartPipelineExecution's ``PipelineParameters``: ``[{"Name", "Value"}]``.

    Returns:
        Every parameter's value by name.

    Raises:
        ValidationError: naming ``PipelineParameters[i].Name`` for an unknown or repeated
            name, ``PipelineParameters[i].Value`` for a value of another type, and
            ``PipelineParameters`` for a parameter without a default that is not given.
    """
    values: dict[str, Any] = {}
    for i, item in enumerate(given):
        name = item.get("Name")
        field = f"PipelineParameters[{i}]"
        if name not in definition.parameters:
            raise ValidationError(
                f"{field}.Name: the pipeline has no parameter {name!r}", field=f"{field}.Name"
            )
        if name in values:
            raise ValidationError(
                f"{field}.Name: parameter {name!r} is given twice", field=f"{field}.Name"
            )
        kind = definition.parameters[name]["Type"]
        value = _parameter_value(kind, item.get("Value"))
        if value is None:
            raise ValidationError(
                f"{field}.Value: parameter {name!r} takes a {kind}, not {item.get('Value')!r}",
                field=f"{field}.Value",
            )
        values[name] = value
    for name, parameter in definition.parameters.items():
        if name in values:
            continue
        if "DefaultValue" not in parameter:
            raise ValidationError(
                f"PipelineParameters: parameter {name!r} has no default: give its value",
                field="PipelineParameters",
            )
        values[name] = _parameter_value(parameter["Type"], parameter["DefaultValue"])
    return values


def follow_path(value: Any, path: str, what: str) -> Any:
    """The part of ``value`` at ``path`` (``A.B[0].C``, ``Outputs['name'].S3Uri``).

    A string index into a list picks the item whose ``...Name`` field has that value (as
    SageMaker's ``ProcessingOutputConfig.Outputs['train']`` picks the output named so).

    Raises:
        StepValueError: naming ``what`` when a part is missing.
    """
    position = 0
    current = value
    while position < len(path):
        match = _SEGMENT.match(path, position)
        if match is None or match.end() == position:
            raise StepValueError(f"{what}: cannot read path {path!r} at {path[position:]!r}")
        position = match.end()
        key, index, named = match.groups()
        try:
            if key is not None:
                current = current[key]
            elif index is not None:
                current = current[int(index)]
            elif isinstance(current, list):
                current = next(
                    item
                    for item in current
                    if isinstance(item, dict)
                    and any(k.endswith("Name") and v == named for k, v in item.items())
                )
            else:
                current = current[named]
        except (KeyError, IndexError, TypeError, StopIteration):
            raise StepValueError(f"{what} has no {path[: match.end()]!r}") from None
    return current


@dataclass(frozen=True)
class Scope:
    """What expressions are resolved against.

    Attributes:
        parameters: The execution's parameters.
        execution: The execution variables (``PipelineExecutionId``, ...).
        properties: A finished step's properties (its Describe* answer) by step name.
        property_file: Reads a step's property file (its JSON value) by step and file name.
    """

    parameters: Mapping[str, Any]
    execution: Mapping[str, Any]
    properties: Callable[[str], Mapping[str, Any]]
    property_file: Callable[[str, str], Any]


def _get(reference: str, scope: Scope) -> Any:
    head, _, rest = reference.partition(".")
    if head == "Parameters":
        return scope.parameters[rest]
    if head == "Execution":
        return scope.execution[rest]
    step, _, path = rest.partition(".")
    return follow_path(scope.properties(step), path, f"step {step!r}")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def resolve(value: Any, scope: Scope) -> Any:
    """``value`` with every ``Get``, ``Std:Join`` and ``Std:JsonGet`` replaced by its value
    (a condition step's ``IfSteps``/``ElseSteps`` are left as written)."""
    if isinstance(value, list):
        return [resolve(item, scope) for item in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Get"}:
        return _get(value["Get"], scope)
    if set(value) == {"Std:Join"}:
        join = value["Std:Join"]
        return str(join.get("On", "")).join(_text(resolve(v, scope)) for v in join["Values"])
    if set(value) == {"Std:JsonGet"}:
        spec = value["Std:JsonGet"]
        reference = spec["PropertyFile"]["Get"]
        step, _, name = reference.removeprefix("Steps.").partition(".PropertyFiles.")
        document = scope.property_file(step, name)
        return follow_path(document, spec["Path"], f"property file {name!r} of step {step!r}")
    return {
        k: (v if k in ("IfSteps", "ElseSteps") else resolve(v, scope)) for k, v in value.items()
    }


def _number(value: Any, side: str, kind: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise StepValueError(f"{kind}: {side} {value!r} is not a number")
    return float(value)


def evaluate(condition: Mapping[str, Any], scope: Scope) -> bool:
    """The outcome of one of a condition step's ``Conditions`` (resolved here).

    Raises:
        StepValueError: for an ordering of non-numbers or an unknown condition type.
    """
    kind = condition.get("Type")
    if kind == "Equals":
        return bool(
            resolve(condition["LeftValue"], scope) == resolve(condition["RightValue"], scope)
        )
    if kind in _ORDERINGS:
        left = _number(resolve(condition["LeftValue"], scope), "LeftValue", str(kind))
        right = _number(resolve(condition["RightValue"], scope), "RightValue", str(kind))
        return _ORDERINGS[str(kind)](left, right)
    if kind == "In":
        query = resolve(condition["QueryValue"], scope)
        return any(query == resolve(v, scope) for v in condition["Values"])
    if kind == "Not":
        return not evaluate(condition["Condition"], scope)
    if kind == "Or":
        return any(evaluate(c, scope) for c in condition["Conditions"])
    raise StepValueError(f"unknown condition type {kind!r}")


def outcome(arguments: Mapping[str, Any], scope: Scope) -> bool:
    """A condition step's outcome: all of its ``Conditions`` hold."""
    return all(evaluate(c, scope) for c in arguments.get("Conditions", []))
