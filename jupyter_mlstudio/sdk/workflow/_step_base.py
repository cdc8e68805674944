"""The base of every step (``Step``) and of step collections (``StepCollection``), cache
and retry settings, and what the steps share while a definition is written
(:func:`trim_name`)."""

from __future__ import annotations

import abc
import contextlib
import re
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from enum import Enum
from typing import TYPE_CHECKING, Any, Union

from ...exceptions import ValidationError
from .entities import Entity, RequestType
from .pipeline_definition_config import PipelineDefinitionConfig
from .retry import RetryPolicy

if TYPE_CHECKING:
    from .properties import Properties

#: SageMaker's step names: letters, digits, ``-`` and ``_``, 1 to 64 characters
STEP_NAME = re.compile(r"^[A-Za-z0-9\-_]{1,64}$")
#: an ISO 8601 duration as SageMaker takes them (``P30D``, ``PT12H``, ``T12H``, ``p30d``)
DURATION = re.compile(
    r"^P?(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$", re.I
)
#: the time stamp and suffix of generated names (``-2024-01-02-03-04-05-678-9abc``)
NAME_STAMP = re.compile(r"-\d{4}(-\d{2}){5}-\d{3}-[0-9a-f]{4}$|-\d{6}-\d{6}-[0-9a-f]{4}$")

_definition_config: ContextVar[PipelineDefinitionConfig | None] = ContextVar(
    "pipeline_definition_config", default=None
)


@contextlib.contextmanager
def definition_config(config: PipelineDefinitionConfig | None) -> Iterator[None]:
    """The pipeline's definition config, while its steps write their arguments.

    Args:
        config: The pipeline's ``pipeline_definition_config``.
    """
    token = _definition_config.set(config)
    try:
        yield
    finally:
        _definition_config.reset(token)


def trim_name(request: dict[str, Any], key: str) -> dict[str, Any]:
    """Leave a job's or model's generated name out of a step's arguments, as SageMaker
    does: the execution names it. With ``use_custom_job_prefix``, keep its base instead.

    Args:
        request: The step's arguments (changed in place).
        key: The name's field (``TrainingJobName``, ...).

    Returns:
        ``request``.
    """
    config = _definition_config.get()
    name = request.pop(key, None)
    if config is not None and config.use_custom_job_prefix and isinstance(name, str) and name:
        request[key] = NAME_STAMP.sub("", name)
    return request


class StepTypeEnum(Enum):
    """The types of steps, as the definition names them."""

    CONDITION = "Condition"
    CREATE_MODEL = "Model"
    PROCESSING = "Processing"
    REGISTER_MODEL = "RegisterModel"
    TRAINING = "Training"
    TRANSFORM = "Transform"
    TUNING = "Tuning"
    FAIL = "Fail"


DependsOn = Sequence[Union[str, "Step", "StepCollection"]]


class Step(Entity):
    """A pipeline step.

    Args:
        name: The step's name, unique in the pipeline (letters, digits, ``-``, ``_``; at
            most 64).
        display_name: A name for views.
        description: A description.
        step_type: Its type.
        depends_on: Steps (or step collections, or their names) that must end first.

    Raises:
        ValidationError: A bad ``name``.
    """

    def __init__(
        self,
        name: str,
        display_name: str | None = None,
        description: str | None = None,
        step_type: StepTypeEnum | None = None,
        depends_on: DependsOn | None = None,
    ) -> None:
        if not isinstance(name, str) or not STEP_NAME.match(name):
            raise ValidationError(
                f"step names are 1 to 64 letters, digits, '-' or '_' (got {name!r})",
                field="name",
            )
        self.name = name
        self.display_name = display_name
        self.description = description
        self.step_type = step_type
        self._depends_on: list[Any] | None = list(depends_on) if depends_on is not None else None

    @property
    def depends_on(self) -> list[Any] | None:
        """The steps this step waits for, besides those its arguments refer to."""
        return self._depends_on

    @depends_on.setter
    def depends_on(self, depends_on: DependsOn | None) -> None:
        self._depends_on = list(depends_on) if depends_on is not None else None

    def add_depends_on(self, step_names: DependsOn | None) -> None:
        """Wait for more steps.

        Args:
            step_names: Steps, step collections or their names.
        """
        if step_names:
            self._depends_on = [*(self._depends_on or []), *step_names]

    @property
    @abc.abstractmethod
    def arguments(self) -> RequestType:
        """The step's ``Arguments`` (a Create* request, a condition list, ...)."""

    @property
    def step_only_arguments(self) -> RequestType:
        """The arguments of this step alone (a condition step's, without its branches)."""
        return self.arguments

    @property
    @abc.abstractmethod
    def properties(self) -> Properties:
        """References to what the step's job describes once it has run."""

    def to_request(self) -> dict[str, Any]:
        """The step as an item of the definition's ``Steps`` (references unresolved).

        Returns:
            ``Name``, ``Type``, ``Arguments`` and, when set, ``DependsOn``,
            ``DisplayName`` and ``Description``.
        """
        request: dict[str, Any] = {
            "Name": self.name,
            "Type": self.step_type.value if self.step_type else None,
            "Arguments": self.arguments,
        }
        if self.depends_on:
            request["DependsOn"] = [getattr(s, "name", s) for s in self.depends_on]
        if self.display_name:
            request["DisplayName"] = self.display_name
        if self.description:
            request["Description"] = self.description
        return request

    @property
    def ref(self) -> dict[str, str]:
        """``{"Name": <name>}``."""
        return {"Name": self.name}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class StepCollection:
    """Steps that stand together (a ``ModelStep``, a ``RegisterModel``).

    Referring to a collection (``depends_on=[collection]``, its ``properties``) refers
    to its steps (its properties are its last step's).

    Args:
        name: The collection's name (its steps are named after it).
        steps: Its steps.
        depends_on: Steps its first steps wait for.

    Raises:
        ValidationError: A bad ``name``.
    """

    def __init__(
        self, name: str, steps: Sequence[Step] | None = None, depends_on: DependsOn | None = None
    ) -> None:
        if not isinstance(name, str) or not STEP_NAME.match(name):
            raise ValidationError(
                f"step names are 1 to 64 letters, digits, '-' or '_' (got {name!r})",
                field="name",
            )
        self.name = name
        self.steps: list[Step] = list(steps or ())
        self.depends_on = list(depends_on) if depends_on is not None else None

    def request_dicts(self) -> list[dict[str, Any]]:
        """Its steps as items of the definition's ``Steps`` (references unresolved).

        Returns:
            One request per step.
        """
        return [step.to_request() for step in self.steps]

    @property
    def properties(self) -> Properties | None:
        """The last step's properties (None without steps)."""
        return self.steps[-1].properties if self.steps else None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, steps={[s.name for s in self.steps]})"


class CacheConfig:
    """Step caching: an execution reuses the result of an earlier one of the same step
    with the same arguments, when it is recent enough.

    Args:
        enable_caching: Whether to reuse results.
        expire_after: How old a result may be, an ISO 8601 duration (``P30D``, ``T12H``).

    Raises:
        ValidationError: ``expire_after`` is not such a duration.
    """

    def __init__(self, enable_caching: bool = False, expire_after: str | None = None) -> None:
        if expire_after is not None and (
            not isinstance(expire_after, str) or not DURATION.match(expire_after)
        ):
            raise ValidationError(
                "expire_after must be an ISO 8601 duration like P30D or T12H,"
                f" not {expire_after!r}",
                field="expire_after",
            )
        self.enable_caching = enable_caching
        self.expire_after = expire_after

    @property
    def config(self) -> dict[str, Any]:
        """``{"CacheConfig": {"Enabled", "ExpireAfter"}}``, as a step writes it."""
        config: dict[str, Any] = {"Enabled": self.enable_caching}
        if self.expire_after is not None:
            config["ExpireAfter"] = self.expire_after
        return {"CacheConfig": config}


class ConfigurableRetryStep(Step):
    """A step with retry policies and, for job steps, caching.

    Args:
        name: As for :class:`Step`.
        step_type: As for :class:`Step`.
        display_name: As for :class:`Step`.
        description: As for :class:`Step`.
        depends_on: As for :class:`Step`.
        retry_policies: :class:`~.retry.RetryPolicy` objects.

    Raises:
        ValidationError: A retry policy of another type (``retry_policies``).
    """

    cache_config: CacheConfig | None = None

    def __init__(
        self,
        name: str,
        step_type: StepTypeEnum,
        display_name: str | None = None,
        description: str | None = None,
        depends_on: DependsOn | None = None,
        retry_policies: Sequence[RetryPolicy] | None = None,
    ) -> None:
        super().__init__(name, display_name, description, step_type, depends_on)
        for policy in retry_policies or ():
            if not isinstance(policy, RetryPolicy):
                raise ValidationError("retry policies must be RetryPolicy", field="retry_policies")
        self.retry_policies: list[RetryPolicy] = list(retry_policies or ())

    def add_retry_policy(self, retry_policy: RetryPolicy) -> None:
        """Add a retry policy.

        Args:
            retry_policy: The policy.
        """
        if retry_policy:
            self.retry_policies.append(retry_policy)

    def to_request(self) -> dict[str, Any]:
        """As :meth:`Step.to_request`, with ``RetryPolicies`` and ``CacheConfig``."""
        request = super().to_request()
        if self.retry_policies:
            request["RetryPolicies"] = [p.to_request() for p in self.retry_policies]
        if self.cache_config is not None:
            request.update(self.cache_config.config)
        return request
