"""Which ``{"Get": "Steps.<step>.<path>"}`` properties a step can have, checked when a
definition is written: a job step's properties are its Describe* answer (botocore's
SageMaker service model gives the shapes; the Create* request's fields count too, as the
executor resolves them from the job's request), a Model step's DescribeModel, a
RegisterModel step's DescribeModelPackage, a Condition step's ``Outcome``.

A path is walked a segment at a time: a member name (``.ModelArtifacts``) of a structure
or a key of a map, ``[n]`` of a list, ``['key']`` of a map or of a list picked by name
(``Outputs['train']``). A list picked by name is also checked against the step's own
Arguments when they list the items literally (a processing step's outputs, a training
step's channels).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from ...botocore_models import service_model

#: one segment of a property or JSON path: a name, ``[0]`` or ``['name']``
PATH_SEGMENT = re.compile(r"""\.?([A-Za-z_][\w\-]*)|\[(\d+)\]|\[['"]([^'"]*)['"]\]""")
#: step type → the (operation, "output" or "input") shapes whose members it has
_SHAPES: dict[str, tuple[tuple[str, str], ...]] = {
    "Training": (("DescribeTrainingJob", "output"), ("CreateTrainingJob", "input")),
    "Processing": (("DescribeProcessingJob", "output"), ("CreateProcessingJob", "input")),
    "Transform": (("DescribeTransformJob", "output"), ("CreateTransformJob", "input")),
    "Tuning": (
        ("DescribeHyperParameterTuningJob", "output"),
        ("CreateHyperParameterTuningJob", "input"),
        ("ListTrainingJobsForHyperParameterTuningJob", "output"),  # TrainingJobSummaries
    ),
    "Model": (("DescribeModel", "output"), ("CreateModel", "input")),
    "RegisterModel": (("DescribeModelPackage", "output"), ("CreateModelPackage", "input")),
}
#: members of the shapes above that are no property of the step (paging)
_NOT_PROPERTIES = frozenset({"NextToken"})


def _service_model() -> Any:
    return service_model("sagemaker")


@functools.cache
def _top_members(step_type: str) -> dict[str, Any] | None:
    model = _service_model()
    if model is None or step_type not in _SHAPES:
        return None
    members: dict[str, Any] = {}
    for operation, side in _SHAPES[step_type]:
        found = model.operation_model(operation)
        shape = found.output_shape if side == "output" else found.input_shape
        for name, member in shape.members.items():
            if name not in _NOT_PROPERTIES:
                members.setdefault(name, member)
    return members


def _names(items: Any) -> set[str] | None:
    """The literal names of a list of the step's Arguments (None: cannot tell)."""
    if not isinstance(items, list):
        return None
    names: set[str] = set()
    for item in items:
        if not isinstance(item, dict):
            return None
        named = [v for k, v in item.items() if k.endswith("Name")]
        if not named or not all(isinstance(v, str) for v in named):
            return None  # an expression, or nothing to go by
        names.update(named)
    return names


def _by_name(items: Any, name: str) -> Any:
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and any(
            k.endswith("Name") and v == name for k, v in item.items()
        ):
            return item
    return None


def property_fault(step: dict[str, Any], path: str) -> str | None:
    """Why ``path`` cannot be a property of ``step`` (None when it can).

    Args:
        step: The step's JSON object (its ``Type`` and ``Arguments`` are read).
        path: The property path after ``Steps.<name>.`` (``ModelArtifacts.S3ModelArtifacts``).

    Returns:
        A message naming the first segment at fault, or None.
    """
    kind = str(step.get("Type"))
    if kind == "Condition":
        return None if path == "Outcome" else "a Condition step's only property is Outcome"
    if kind == "Fail":
        return "a Fail step has no properties"
    top = _top_members(kind)
    if top is None:
        return None
    shape: Any = None  # None: the step itself
    arguments: Any = step.get("Arguments")
    position = 0
    while position < len(path):
        match = PATH_SEGMENT.match(path, position)
        if match is None or match.end() == position:
            return f"cannot read {path[position:]!r}"
        walked, position = path[:position] or kind, match.end()
        key, index, named = match.groups()
        if shape is None:
            if key is None or key not in top:
                return f"{kind} steps have no property {path[: match.end()]!r}"
            shape = top[key]
            arguments = arguments.get(key) if isinstance(arguments, dict) else None
            continue
        kind_of = shape.type_name
        if key is not None or (named is not None and kind_of in ("structure", "map")):
            name = key if key is not None else named
            if kind_of == "structure" and name in shape.members:
                shape = shape.members[name]
            elif kind_of == "map":
                shape = shape.value
            else:
                return f"{walked!r} has no {name!r}"
            arguments = arguments.get(name) if isinstance(arguments, dict) else None
        elif kind_of != "list":
            return f"{walked!r} is no list"
        elif index is not None:
            shape = shape.member
            ok = isinstance(arguments, list) and int(index) < len(arguments)
            arguments = arguments[int(index)] if ok else None
        else:
            names = _names(arguments)
            if names is not None and named not in names:
                listed = ", ".join(repr(n) for n in sorted(names)) or "none"
                return f"{walked!r} has no item named {named!r} (the step's are {listed})"
            shape = shape.member
            arguments = _by_name(arguments, str(named))
    if shape is None:
        return "names no property"
    return None
