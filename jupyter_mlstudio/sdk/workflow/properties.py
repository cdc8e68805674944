"""Step properties (``sagemaker.workflow.properties``): references to what a step's job
describes once it has run, written as ``{"Get": "Steps.<step>.<path>"}``.

The attribute paths are those of SageMaker's Describe* answers (``DescribeTrainingJob``
for a training step, ...), read from botocore's model of the SageMaker API, so that
``step.properties.ModelArtifacts.S3ModelArtifacts`` is accepted and a misspelt attribute
is refused at once.
"""

from __future__ import annotations

import functools
from typing import Any

from ...exceptions import ValidationError
from .entities import Expression, NamedStep, PipelineVariable, RequestType, StepReference


class PropertyPathError(ValidationError, AttributeError):
    """A step property that SageMaker's Describe* answer does not have (an
    ``AttributeError`` too, so that ``hasattr`` and ``getattr(..., default)`` work)."""


@functools.cache
def _shapes() -> dict[str, Any]:
    """The shapes of botocore's model of the SageMaker API (loaded once, on first use)."""
    import botocore.loaders

    model = botocore.loaders.Loader().load_service_model("sagemaker", "service-2")
    shapes: dict[str, Any] = model["shapes"]
    return shapes


class Properties(PipelineVariable):
    """A step's property: a structure of a Describe* answer, or a value in it.

    Args:
        step_name: The step's name.
        path: The path below the step (None: the step itself).
        shape_name: The botocore shape of this value.
        shape_names: More shapes whose members this value has (a tuning step's).
        service_name: Only ``sagemaker``.
        step: The step object (lets a pipeline find the step by reference).
    """

    def __init__(
        self,
        step_name: str,
        path: str | None = None,
        shape_name: str | None = None,
        shape_names: list[str] | None = None,
        service_name: str = "sagemaker",
        step: NamedStep | None = None,
    ) -> None:
        self.step_name = step_name
        self.path = path
        self.service_name = service_name
        self._step = step
        names = list(shape_names or [])
        self._shape_names = [shape_name, *names] if shape_name else names

    @property
    def expr(self) -> RequestType:
        """``{"Get": "Steps.<step>[.<path>]"}``."""
        prefix = f"Steps.{self.step_name}"
        return {"Get": prefix if self.path is None else f"{prefix}.{self.path}"}

    @property
    def _referenced_steps(self) -> list[StepReference]:
        return [self._step] if self._step is not None else [self.step_name]

    @property
    def shape_type(self) -> str | None:
        """The botocore type of this value (``structure``, ``string``, ``integer``, ...);
        None when unknown."""
        for name in self._shape_names:
            kind = _shapes().get(name, {}).get("type")
            if kind:
                return str(kind)
        return None

    def _members(self) -> dict[str, Any]:
        members: dict[str, Any] = {}
        for name in self._shape_names:
            shape = _shapes().get(name, {})
            if shape.get("type") == "structure":
                members.update(shape.get("members", {}))
        return members

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        members = self._members()
        if name not in members:
            where = self.expr["Get"]  # type: ignore[call-overload]
            known = ", ".join(sorted(members)) or "no attributes (a value)"
            raise PropertyPathError(
                f"{where} has no property {name!r}; it has {known}", field=f"{where}.{name}"
            )
        child = _child(self, name, members[name]["shape"])
        self.__dict__[name] = child  # later lookups skip __getattr__
        return child

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self._members()})


def _child(parent: Properties, name: str, shape_name: str) -> Properties:
    path = f"{parent.path}.{name}" if parent.path else name
    kind = _shapes().get(shape_name, {}).get("type")
    cls = {"list": PropertiesList, "map": PropertiesMap}.get(kind or "", Properties)
    return cls(parent.step_name, path, shape_name, step=parent._step)


class _Indexed(Properties):
    """A list or map property: items are reached with ``[index]`` or ``["key"]``."""

    _item_key = "member"

    def __getitem__(self, item: int | str) -> Properties:
        items: dict[Any, Properties] = self.__dict__.setdefault("_items", {})
        if item not in items:
            shape = _shapes()[self._shape_names[0]]
            member = shape[self._item_key]["shape"]
            index = f"'{item}'" if isinstance(item, str) else str(item)
            kind = _shapes().get(member, {}).get("type")
            cls = {"list": PropertiesList, "map": PropertiesMap}.get(kind or "", Properties)
            items[item] = cls(self.step_name, f"{self.path}[{index}]", member, step=self._step)
        return items[item]


class PropertiesList(_Indexed):
    """A list property (``ProcessingOutputConfig.Outputs``, ``FinalMetricDataList``):
    ``[0]`` for an item, or ``["name"]`` for the item of that name."""


class PropertiesMap(_Indexed):
    """A map property (``HyperParameters``, ``Environment``): ``["key"]`` for a value."""

    _item_key = "value"


class PropertyFile(Expression):
    """A JSON file a processing step writes into one of its outputs, for ``JsonGet``.

    Args:
        name: The file's name in the pipeline (what ``JsonGet`` names).
        output_name: The processing output it is written to.
        path: Its path inside that output.
    """

    def __init__(self, name: str, output_name: str, path: str) -> None:
        self.name = name
        self.output_name = output_name
        self.path = path

    @property
    def expr(self) -> dict[str, str]:
        """The step's ``PropertyFiles`` item: ``{"PropertyFileName", "OutputName",
        "FilePath"}``."""
        return {
            "PropertyFileName": self.name,
            "OutputName": self.output_name,
            "FilePath": self.path,
        }

    def __repr__(self) -> str:
        return f"PropertyFile({self.name!r}, {self.output_name!r}, {self.path!r})"
