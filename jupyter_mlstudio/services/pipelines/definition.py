"""Checks of a pipeline definition (SageMaker's JSON, Version "2020-12-01") made when a
pipeline is created or updated: JSON, version, parameters, unique step names, every
``DependsOn`` and ``Get`` naming a step, parameter or execution variable that exists, every
``Steps.<step>.<path>`` a property that step can have (:mod:`.properties`), the steps'
``RetryPolicies``, and no step waiting for itself. An error names the field:
``PipelineDefinition.Steps[2].DependsOn``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ...exceptions import ValidationError
from .properties import property_fault
from .retry import check_policies

#: the definition version SageMaker's SDK writes
VERSION = "2020-12-01"
ROOT = "PipelineDefinition"
#: step types the definition may hold
STEP_TYPES = frozenset(
    {"Processing", "Training", "Transform", "Tuning", "Model", "RegisterModel", "Condition", "Fail"}
)
#: a parameter's type → the JSON types its values may have
PARAMETER_TYPES: dict[str, tuple[type, ...]] = {
    "String": (str,),
    "Integer": (int,),
    "Float": (int, float),
    "Boolean": (bool,),
}
#: ``{"Get": "Execution.<name>"}`` names SageMaker defines
EXECUTION_VARIABLES = frozenset(
    {
        "StartDateTime",
        "CurrentDateTime",
        "PipelineName",
        "PipelineArn",
        "PipelineExecutionId",
        "PipelineExecutionArn",
        "TrainingJobName",
        "ProcessingJobName",
    }
)
_STEP_NAME = re.compile(r"^[A-Za-z0-9\-_]{1,64}$")


@dataclass(frozen=True)
class StepInfo:
    """A step of a definition, where it was written and what it waits for.

    Attributes:
        step: The step's JSON object.
        path: Its field (``PipelineDefinition.Steps[1]``).
        parent: The condition step whose branch holds it (None at the top).
        after: The steps it waits for: ``DependsOn``, references and its condition.
    """

    step: dict[str, Any]
    path: str
    parent: str | None
    after: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        return str(self.step["Name"])

    @property
    def type(self) -> str:
        return str(self.step["Type"])


@dataclass(frozen=True)
class Definition:
    """A checked definition.

    Attributes:
        body: The definition's JSON value.
        parameters: Name → the parameter's JSON object.
        steps: Name → the step, branch steps included, in the order written.
    """

    body: dict[str, Any]
    parameters: dict[str, dict[str, Any]]
    steps: dict[str, StepInfo]


def _fail(message: str, path: str) -> ValidationError:
    return ValidationError(f"{path}: {message}", field=path)


def _object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail("must be an object", path)
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise _fail("must be a list", path)
    return value


def parameter_value_ok(kind: str, value: Any) -> bool:
    """Whether ``value`` is a value of a parameter of type ``kind``."""
    allowed = PARAMETER_TYPES[kind]
    return isinstance(value, allowed) and (kind == "Boolean" or not isinstance(value, bool))


def _parameters(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for i, item in enumerate(_list(body.get("Parameters", []), f"{ROOT}.Parameters")):
        path = f"{ROOT}.Parameters[{i}]"
        parameter = _object(item, path)
        name = parameter.get("Name")
        if not isinstance(name, str) or not name:
            raise _fail("a parameter needs a Name", f"{path}.Name")
        if name in found:
            raise _fail(f"two parameters are named {name!r}", f"{path}.Name")
        kind = parameter.get("Type")
        if kind not in PARAMETER_TYPES:
            raise _fail(f"Type must be one of {', '.join(PARAMETER_TYPES)}", f"{path}.Type")
        if "DefaultValue" in parameter and not parameter_value_ok(kind, parameter["DefaultValue"]):
            raise _fail(f"the default of a {kind} parameter", f"{path}.DefaultValue")
        found[name] = parameter
    return found


def _walk_steps(items: Any, path: str, parent: str | None, found: dict[str, StepInfo]) -> None:
    for i, item in enumerate(_list(items, path)):
        here = f"{path}[{i}]"
        step = _object(item, here)
        name = step.get("Name")
        if not isinstance(name, str) or not _STEP_NAME.match(name):
            raise _fail("a step's Name is 1 to 64 letters, digits, '-' or '_'", f"{here}.Name")
        if name in found:
            raise _fail(f"two steps are named {name!r}", f"{here}.Name")
        if step.get("Type") not in STEP_TYPES:
            raise _fail(f"Type must be one of {', '.join(sorted(STEP_TYPES))}", f"{here}.Type")
        arguments = _object(step.get("Arguments", {}), f"{here}.Arguments")
        if "RetryPolicies" in step:
            for where, message in check_policies(step["RetryPolicies"], f"{here}.RetryPolicies"):
                raise _fail(message, where)
        found[name] = StepInfo(step, here, parent)
        if step["Type"] == "Condition":
            for branch in ("IfSteps", "ElseSteps"):
                _walk_steps(arguments.get(branch, []), f"{here}.Arguments.{branch}", name, found)


def references(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """``(reference, path)`` of every ``{"Get": ...}`` in ``value``, the property files of
    ``Std:JsonGet`` included (a condition's branches are steps of their own: skipped)."""
    if isinstance(value, dict):
        if set(value) == {"Get"}:
            if not isinstance(value["Get"], str):
                raise _fail("Get takes a string", f"{path}.Get")
            yield value["Get"], path
            return
        for key, item in value.items():
            if key in ("IfSteps", "ElseSteps"):
                continue
            yield from references(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from references(item, f"{path}[{i}]")


def _check_reference(
    info: StepInfo,
    reference: str,
    path: str,
    parameters: dict[str, dict[str, Any]],
    steps: dict[str, StepInfo],
) -> None:
    scope, _, rest = reference.partition(".")
    if scope == "Parameters":
        if rest not in parameters:
            raise _fail(f"no parameter is named {rest!r}", path)
    elif scope == "Execution":
        if rest not in EXECUTION_VARIABLES:
            raise _fail(f"no execution variable is named {rest!r}", path)
    elif scope == "Steps":
        target, _, prop = rest.partition(".")
        if target not in steps:
            raise _fail(f"no step is named {target!r}", path)
        if target == info.name:
            raise _fail(f"step {target!r} refers to itself", path)
        if not prop:
            raise _fail(f"{reference!r} names no property of step {target!r}", path)
        if prop.startswith("PropertyFiles."):
            wanted = prop.removeprefix("PropertyFiles.")
            files = steps[target].step.get("PropertyFiles") or []
            if wanted not in {f.get("PropertyFileName") for f in files if isinstance(f, dict)}:
                raise _fail(f"step {target!r} has no property file {wanted!r}", path)
        else:
            fault = property_fault(steps[target].step, prop)
            if fault is not None:
                raise _fail(f"{reference!r} cannot be a property of step {target!r}: {fault}", path)
        info.after.add(target)
    else:
        raise _fail(f"{reference!r} is no Parameters., Execution. or Steps. reference", path)


_ORDERINGS = frozenset({"GreaterThan", "GreaterThanOrEqualTo", "LessThan", "LessThanOrEqualTo"})


def _check_conditions(conditions: Any, path: str, parameters: dict[str, dict[str, Any]]) -> None:
    """An ordering condition compares numbers: a literal string or boolean, or a String or
    Boolean parameter, is refused naming the side."""
    for i, condition in enumerate(_list(conditions, path)):
        here = f"{path}[{i}]"
        condition = _object(condition, here)
        kind = condition.get("Type")
        if kind == "Not":
            _check_conditions([condition.get("Condition")], f"{here}.Condition", parameters)
        elif kind == "Or":
            _check_conditions(condition.get("Conditions", []), f"{here}.Conditions", parameters)
        elif kind in _ORDERINGS:
            for side in ("LeftValue", "RightValue"):
                value = condition.get(side)
                if isinstance(value, dict) and set(value) == {"Get"}:
                    scope, _, name = str(value["Get"]).partition(".")
                    kind_of = (
                        parameters.get(name, {}).get("Type") if scope == "Parameters" else None
                    )
                    if kind_of in ("String", "Boolean"):
                        raise _fail(
                            f"{kind} compares numbers, not a {kind_of} parameter", f"{here}.{side}"
                        )
                elif isinstance(value, (str, bool)) or value is None:
                    raise _fail(f"{kind} compares numbers, not {value!r}", f"{here}.{side}")


def _check_cycles(steps: dict[str, StepInfo]) -> None:
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(name: str) -> None:
        state[name] = 1
        for before in sorted(steps[name].after):
            if state.get(before) == 1:
                raise _fail(
                    f"steps {name!r} and {before!r} wait for each other (a cycle)",
                    f"{steps[name].path}.DependsOn",
                )
            if before not in state:
                visit(before)
        state[name] = 2

    for name in steps:
        if name not in state:
            visit(name)


def parse_definition(text: Any) -> Definition:
    """Check a definition's JSON text.

    Args:
        text: The ``PipelineDefinition`` string.

    Returns:
        The definition, its parameters and its steps (branch steps included).

    Raises:
        ValidationError: naming the field at fault (``PipelineDefinition.Steps[0].Type``).
    """
    if not isinstance(text, str):
        raise _fail("must be the definition's JSON text", ROOT)
    try:
        body = json.loads(text)
    except ValueError as exc:
        raise _fail(f"is not JSON ({exc})", ROOT) from None
    body = _object(body, ROOT)
    if body.get("Version") != VERSION:
        raise _fail(f"Version must be {VERSION!r}", f"{ROOT}.Version")
    parameters = _parameters(body)
    steps: dict[str, StepInfo] = {}
    _walk_steps(body.get("Steps", []), f"{ROOT}.Steps", None, steps)
    for info in steps.values():
        if info.parent is not None:
            info.after.add(info.parent)
        depends = _list(info.step.get("DependsOn", []), f"{info.path}.DependsOn")
        for name in depends:
            if name not in steps:
                raise _fail(f"no step is named {name!r}", f"{info.path}.DependsOn")
            info.after.add(name)
        if info.type == "Condition":
            arguments = info.step.get("Arguments", {})
            _check_conditions(
                arguments.get("Conditions", []), f"{info.path}.Arguments.Conditions", parameters
            )
        checked = {k: v for k, v in info.step.items() if k not in ("Name", "DependsOn")}
        for reference, path in references(checked, info.path):
            _check_reference(info, reference, path, parameters, steps)
    _check_cycles(steps)
    return Definition(body=body, parameters=parameters, steps=steps)
