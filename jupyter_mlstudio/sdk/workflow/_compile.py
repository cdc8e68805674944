"""How a pipeline's steps become the definition's ``Steps``, as SageMaker's SDK orders
them: the pipeline's steps in their order (step collections unfolded), then the steps
they refer to that the pipeline does not list, breadth first; a condition step's
branches are written inside it. Names given as strings must be steps of the pipeline.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

from ...exceptions import ValidationError
from ._step_base import Step, definition_config
from .condition_step import ConditionStep
from .entities import Expression, PipelineVariable
from .functions import Join, JsonGet
from .pipeline_definition_config import PipelineDefinitionConfig
from .step_collections import StepCollection


def variables_in(value: Any) -> Iterator[PipelineVariable]:
    """The pipeline variables in a request, functions' arguments included.

    Args:
        value: A request (dicts, lists, values and pipeline variables).

    Returns:
        Each variable, depth first (a ``Join``, then the variables it joins).
    """
    if isinstance(value, PipelineVariable):
        yield value
        if isinstance(value, Join):
            yield from variables_in(value.values)
        elif isinstance(value, JsonGet) and value.s3_uri is not None:
            yield from variables_in(value.s3_uri)
    elif isinstance(value, dict):
        for item in value.values():
            yield from variables_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from variables_in(item)


def to_json(value: Any, path: str) -> Any:
    """A request with every expression written as the definition writes it.

    Args:
        value: The request.
        path: Where it is in the definition, for errors.

    Returns:
        JSON values only.

    Raises:
        ValidationError: Something that is neither JSON nor an expression (``path``).
    """
    if isinstance(value, Expression):
        return to_json(value.expr, path)
    if isinstance(value, dict):
        return {str(k): to_json(v, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise ValidationError(
        f"{path}: {type(value).__name__} cannot be written into a pipeline definition",
        field=path,
    )


class StepsCompiler:
    """Turns a pipeline's steps into the definition's ``Steps`` (once per definition).

    Args:
        steps: The pipeline's steps and step collections.
        config: The pipeline's definition config.

    Raises:
        ValidationError: Two steps of one name (``Steps.<name>.Name``).
    """

    def __init__(
        self, steps: Sequence[Step | StepCollection], config: PipelineDefinitionConfig | None
    ) -> None:
        self.config = config
        self.steps = list(steps)
        self.by_name: dict[str, Step | StepCollection] = {}
        self._map(self.steps)
        self._known: dict[int, Step] = {}
        self._queue: deque[Step] = deque()

    def _map(self, items: Sequence[Any]) -> None:
        for item in items:
            if not isinstance(item, Step | StepCollection):
                raise ValidationError(
                    f"pipeline steps must be steps or step collections, not {type(item).__name__}",
                    field="steps",
                )
            if item.name in self.by_name:
                raise ValidationError(
                    f"two steps are named {item.name!r} (a condition step's branches count)",
                    field=f"Steps.{item.name}.Name",
                )
            self.by_name[item.name] = item
            if isinstance(item, ConditionStep):
                self._map([*item.if_steps, *item.else_steps])
            if isinstance(item, StepCollection):
                self._map(item.steps)

    def _steps_of(self, items: Sequence[Any], field: str) -> list[Step]:
        """Steps, collections and names as steps, each once, in order."""
        found: dict[int, Step] = {}
        for item in items:
            if isinstance(item, str):
                named = self.by_name.get(item)
                if named is None:
                    raise ValidationError(
                        f"{field}: no step of the pipeline is named {item!r}", field=field
                    )
                item = named
            if isinstance(item, StepCollection):
                found.update((id(s), s) for s in item.steps)
            elif isinstance(item, Step):
                found[id(item)] = item
            else:
                raise ValidationError(f"{field}: {item!r} is not a step", field=field)
        return list(found.values())

    def _flatten(self, step: ConditionStep) -> list[Step]:
        found: list[Step] = [step]
        for sub in self._steps_of([*step.if_steps, *step.else_steps], f"Steps.{step.name}"):
            found.extend(self._flatten(sub) if isinstance(sub, ConditionStep) else [sub])
        return found

    def _push(self, steps: list[Step]) -> None:
        for step in steps:
            if id(step) not in self._known:
                self._queue.append(step)
            for known in self._flatten(step) if isinstance(step, ConditionStep) else [step]:
                self._known[id(known)] = known

    def _upstream(self, step: Step, arguments: Any) -> list[Step]:
        depends_on = self._steps_of(step.depends_on or [], f"Steps.{step.name}.DependsOn")
        referenced = [ref for v in variables_in(arguments) for ref in v._referenced_steps]
        upstream = self._steps_of(referenced, f"Steps.{step.name}.Arguments")
        self._push(depends_on)
        self._push(upstream)
        return depends_on

    def _build_step(self, step: Step) -> dict[str, Any]:
        with definition_config(self.config):
            request = step.to_request()
        depends_on = self._upstream(step, request["Arguments"])
        request.pop("DependsOn", None)
        if depends_on:
            request = _insert_after(request, "Arguments", "DependsOn", [s.name for s in depends_on])
        return request

    def _build_condition(self, step: ConditionStep) -> dict[str, Any]:
        depends_on = self._upstream(step, step.step_only_arguments)
        request: dict[str, Any] = {
            "Name": step.name,
            "Type": "Condition",
            "Arguments": {
                **step.step_only_arguments,
                "IfSteps": self._build_steps(step.if_steps, f"Steps.{step.name}.IfSteps"),
                "ElseSteps": self._build_steps(step.else_steps, f"Steps.{step.name}.ElseSteps"),
            },
        }
        if depends_on:
            request["DependsOn"] = [s.name for s in depends_on]
        if step.display_name:
            request["DisplayName"] = step.display_name
        if step.description:
            request["Description"] = step.description
        return request

    def _build(self, step: Step) -> dict[str, Any]:
        if isinstance(step, ConditionStep):
            return self._build_condition(step)
        return self._build_step(step)

    def _build_steps(self, items: Sequence[Any], field: str) -> list[dict[str, Any]]:
        return [self._build(step) for step in self._steps_of(items, field)]

    def build(self) -> list[dict[str, Any]]:
        """The definition's ``Steps`` (expressions not yet written as JSON).

        Returns:
            One request per top-level step; branch steps are inside their condition step.

        Raises:
            ValidationError: A name in ``depends_on`` or a ``JsonGet`` that is no step of
                the pipeline (the field named).
        """
        self._push(self._steps_of(self.steps, "steps"))
        built = []
        while self._queue:
            built.append(self._build(self._queue.popleft()))
        return built


def _insert_after(request: dict[str, Any], after: str, key: str, value: Any) -> dict[str, Any]:
    """``request`` with ``key`` placed right after ``after`` (the SDK's key order)."""
    ordered: dict[str, Any] = {}
    for k, v in request.items():
        ordered[k] = v
        if k == after:
            ordered[key] = value
    return ordered
