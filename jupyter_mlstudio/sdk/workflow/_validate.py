"""Checks of a written definition that SageMaker's service would make: every reference
names a step, parameter or execution variable that exists, every ``JsonGet`` a property
file of a processing step, and no step waits for itself (no cycle)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...exceptions import ValidationError
from .execution_variables import EXECUTION_VARIABLE_NAMES


def _all_steps(
    steps: list[dict[str, Any]], parent: str | None = None
) -> Iterator[tuple[dict[str, Any], str | None]]:
    for step in steps:
        yield step, parent
        if step["Type"] == "Condition":
            arguments = step["Arguments"]
            for branch in ("IfSteps", "ElseSteps"):
                yield from _all_steps(arguments.get(branch, []), step["Name"])


def _references(value: Any, path: str) -> Iterator[tuple[str, Any, str]]:
    """``(kind, reference, path)``: ``Get`` strings and ``Std:JsonGet`` objects."""
    if isinstance(value, dict):
        if set(value) == {"Get"} and isinstance(value["Get"], str):
            yield "Get", value["Get"], path
            return
        if "Std:JsonGet" in value:
            yield "JsonGet", value["Std:JsonGet"], path
        for key, item in value.items():
            yield from _references(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _references(item, f"{path}[{i}]")


def _property_file_error(target: dict[str, Any] | None, step: str, name: str) -> str | None:
    if target is None:
        return f"no step is named {step!r}"
    files = {f.get("PropertyFileName"): f for f in target.get("PropertyFiles", [])}
    if target["Type"] != "Processing" or name not in files:
        return f"step {step!r} has no property file {name!r}"
    outputs = (target["Arguments"].get("ProcessingOutputConfig") or {}).get("Outputs", [])
    if files[name].get("OutputName") not in {o.get("OutputName") for o in outputs}:
        return (
            f"property file {name!r} is written to output {files[name].get('OutputName')!r},"
            f" which step {step!r} does not have"
        )
    return None


def check_definition(definition: dict[str, Any]) -> None:
    """Refuse a definition SageMaker's service would refuse.

    Args:
        definition: The definition, as JSON values.

    Raises:
        ValidationError: Naming the field (``Steps.<step>.Arguments...``,
            ``Steps.<step>.DependsOn``, ``Steps.<step>.Name``, ``Parameters.<name>``):
            two steps or parameters of one name, a reference to a step, parameter,
            execution variable or property file that does not exist, or a cycle.
    """
    parameters: set[str] = set()
    for parameter in definition.get("Parameters", []):
        if parameter["Name"] in parameters:
            raise ValidationError(
                f"two parameters are named {parameter['Name']!r}",
                field=f"Parameters.{parameter['Name']}",
            )
        parameters.add(parameter["Name"])
    steps: dict[str, dict[str, Any]] = {}
    waits: dict[str, set[str]] = {}
    for step, parent in _all_steps(definition.get("Steps", [])):
        name = step["Name"]
        if name in steps:
            raise ValidationError(f"two steps are named {name!r}", field=f"Steps.{name}.Name")
        steps[name] = step
        waits[name] = set(step.get("DependsOn", [])) | ({parent} if parent else set())

    def check(value: Any, path: str, owner: str | None) -> None:
        for kind, reference, where in _references(value, path):
            if kind == "JsonGet":
                source = (reference.get("PropertyFile") or {}).get("Get", "")
                if source.startswith("Steps."):
                    step_name, _, rest = source[len("Steps.") :].partition(".")
                    problem = _property_file_error(
                        steps.get(step_name), step_name, rest.removeprefix("PropertyFiles.")
                    )
                    if problem:
                        raise ValidationError(f"{where}: {problem}", field=where)
                continue
            root, _, rest = reference.partition(".")
            head = rest.split(".", 1)[0].split("[", 1)[0]
            if root == "Steps":
                if head not in steps:
                    raise ValidationError(f"{where}: no step is named {head!r}", field=where)
                if owner is not None:
                    waits[owner].add(head)
            elif root == "Parameters" and head not in parameters:
                raise ValidationError(
                    f"{where}: the pipeline has no parameter {head!r}", field=where
                )
            elif root == "Execution" and head not in EXECUTION_VARIABLE_NAMES:
                raise ValidationError(f"{where}: no execution variable {head!r}", field=where)
            elif root not in ("Steps", "Parameters", "Execution", "PipelineExperimentConfig"):
                raise ValidationError(f"{where}: unknown reference {reference!r}", field=where)

    check(definition.get("PipelineExperimentConfig"), "PipelineExperimentConfig", None)
    for name, step in steps.items():
        arguments = step["Arguments"]
        if step["Type"] == "Condition":
            arguments = {"Conditions": arguments.get("Conditions", [])}
        check(arguments, f"Steps.{name}.Arguments", name)
    _check_acyclic(waits)


def _check_acyclic(waits: dict[str, set[str]]) -> None:
    """Refuse a step that waits, through others, for itself."""
    done: set[str] = set()
    for start in waits:
        if start in done:
            continue
        trail: list[str] = []
        on_trail: set[str] = set()
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(waits[start])))]
        trail.append(start)
        on_trail.add(start)
        while stack:
            node, pending = stack[-1]
            following = next(pending, None)
            if following is None:
                stack.pop()
                trail.pop()
                on_trail.discard(node)
                done.add(node)
                continue
            if following in on_trail:
                cycle = [*trail[trail.index(following) :], following]
                raise ValidationError(
                    "steps wait for each other in a cycle (each waits for the next): "
                    + " -> ".join(cycle),
                    field=f"Steps.{following}.DependsOn",
                )
            if following not in done and following in waits:
                stack.append((following, iter(sorted(waits[following]))))
                trail.append(following)
                on_trail.add(following)
