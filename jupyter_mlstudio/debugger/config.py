"""What a hook saves and when: collections, save configurations, SageMaker's hook JSON.

A *collection* is a named group of tensors (``weights``, ``losses``, ...): a tensor belongs
to the collections it is saved into and to every collection whose ``include_regex``
matches its name. A *save configuration* says at which steps a collection is saved, per
mode: ``save_interval`` (every N-th step of the mode, from ``start_step``),
``save_steps`` (exactly these steps, instead of the interval), ``start_step`` (inclusive)
and ``end_step`` (exclusive); steps are the mode's own steps. smdebug's default interval
is 500 steps, and so is this one.

SageMaker's DebugHookConfig reaches the job as a JSON file (``SMDEBUG_CONFIG_FILE_PATH``)
whose ``HookParameters`` and ``CollectionParameters`` are strings: ``save_interval``,
``save_steps`` ("1,5,9"), ``start_step``, ``end_step``, ``include_regex`` (comma
separated), ``save_all``, and the same keys per mode as ``train.save_interval``,
``eval.save_steps``, ... (``reductions`` and other smdebug keys are accepted and ignored).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .modes import ALL_MODES, GLOBAL, ModeKeys

DEFAULT_SAVE_INTERVAL = 500
_MODE_PREFIXES = {"train": ModeKeys.TRAIN, "eval": ModeKeys.EVAL, "predict": ModeKeys.PREDICT}
_MODE_PREFIXES["global"] = GLOBAL


class CollectionKeys:
    """smdebug's built-in collection names."""

    DEFAULT = "default"
    ALL = "all"
    INPUTS = "inputs"
    OUTPUTS = "outputs"
    WEIGHTS = "weights"
    BIASES = "biases"
    GRADIENTS = "gradients"
    LOSSES = "losses"
    METRICS = "metrics"
    SCALARS = "scalars"
    SM_METRICS = "sm_metrics"
    OPTIMIZER_VARIABLES = "optimizer_variables"
    LABELS = "labels"
    PREDICTIONS = "predictions"


#: tensors whose names match are in these collections without being saved into them
DEFAULT_REGEXES: dict[str, tuple[str, ...]] = {
    CollectionKeys.LOSSES: (r"(?i).*loss.*",),
    CollectionKeys.GRADIENTS: (r"^gradients?/.*", r".*_grad$"),
}

#: what a hook saves when nobody says what to include
DEFAULT_INCLUDED = (
    CollectionKeys.DEFAULT,
    CollectionKeys.LOSSES,
    CollectionKeys.METRICS,
    CollectionKeys.SCALARS,
    CollectionKeys.SM_METRICS,
)


@dataclass
class SaveConfigMode:
    """When to save in one mode; ``None`` means not set (the default applies)."""

    save_interval: int | None = None
    start_step: int | None = None
    end_step: int | None = None
    save_steps: list[int] | None = None

    def should_save_step(self, step: int) -> bool:
        """Whether mode step ``step`` is saved."""
        if self.start_step is not None and step < self.start_step:
            return False
        if self.end_step is not None and step >= self.end_step:
            return False
        if self.save_steps:
            return step in self.save_steps
        interval = self.save_interval or DEFAULT_SAVE_INTERVAL
        return (step - (self.start_step or 0)) % interval == 0

    def merged(self, base: SaveConfigMode) -> SaveConfigMode:
        """This configuration, with ``base`` filling what is not set."""
        return SaveConfigMode(
            self.save_interval if self.save_interval is not None else base.save_interval,
            self.start_step if self.start_step is not None else base.start_step,
            self.end_step if self.end_step is not None else base.end_step,
            self.save_steps if self.save_steps is not None else base.save_steps,
        )


class SaveConfig:
    """When to save, per mode (smdebug's ``SaveConfig``).

    Args:
        mode_save_configs: A mode's own :class:`SaveConfigMode` (others use the arguments
            below).
        save_interval: Save every N-th step of each mode (default 500).
        start_step: The first mode step saved.
        end_step: The first mode step no longer saved.
        save_steps: Save exactly these mode steps.
    """

    def __init__(
        self,
        mode_save_configs: Mapping[ModeKeys, SaveConfigMode] | None = None,
        save_interval: int | None = None,
        start_step: int | None = None,
        end_step: int | None = None,
        save_steps: Iterable[int] | None = None,
    ) -> None:
        self.default = SaveConfigMode(
            save_interval, start_step, end_step, None if save_steps is None else list(save_steps)
        )
        self.modes: dict[ModeKeys, SaveConfigMode] = dict(mode_save_configs or {})

    def for_mode(self, mode: ModeKeys) -> SaveConfigMode:
        """The configuration that applies in ``mode``."""
        own = self.modes.get(mode)
        return self.default if own is None else own.merged(self.default)

    def should_save_step(self, mode: ModeKeys, step: int) -> bool:
        """Whether mode step ``step`` of ``mode`` is saved."""
        return self.for_mode(mode).should_save_step(step)

    def merged(self, base: SaveConfig) -> SaveConfig:
        """This configuration, with ``base`` filling what is not set."""
        out = SaveConfig()
        out.default = self.default.merged(base.default)
        for mode in ALL_MODES:
            if mode in self.modes or mode in base.modes:
                mine = self.modes.get(mode, SaveConfigMode())
                out.modes[mode] = mine.merged(base.modes.get(mode, SaveConfigMode()))
        return out

    def __repr__(self) -> str:
        return f"SaveConfig(default={self.default!r}, modes={self.modes!r})"


@dataclass
class Collection:
    """A named group of tensors: its regexes and, optionally, its own save configuration."""

    name: str
    include_regex: list[str] = field(default_factory=list)
    save_config: SaveConfig | None = None
    _compiled: list[re.Pattern[str]] | None = field(default=None, repr=False, compare=False)

    def include(self, regex: str | Iterable[str]) -> None:
        """Add name patterns (full match) whose tensors belong to this collection."""
        self.include_regex.extend([regex] if isinstance(regex, str) else list(regex))
        self._compiled = None

    def matches(self, name: str) -> bool:
        """Whether ``name`` matches one of the collection's patterns."""
        compiled = self._compiled
        if compiled is None:
            compiled = [re.compile(r) for r in self.include_regex]
            self._compiled = compiled
        return any(p.fullmatch(name) for p in compiled)


def _split(text: str) -> list[str]:
    return [part.strip() for part in str(text).split(",") if part.strip()]


def _true(text: Any) -> bool:
    return str(text).strip().lower() in ("true", "1", "yes")


def parse_save_config(parameters: Mapping[str, Any]) -> SaveConfig | None:
    """A SaveConfig from SageMaker's string parameters, or None when they set none.

    Raises:
        ValueError: A step parameter that is not an integer.
    """
    config = SaveConfig()
    found = False
    for key, text in parameters.items():
        prefix, _, rest = str(key).partition(".")
        if rest and prefix.lower() in _MODE_PREFIXES:
            target = config.modes.setdefault(_MODE_PREFIXES[prefix.lower()], SaveConfigMode())
            key = rest
        else:
            target = config.default
        if key == "save_interval":
            target.save_interval = int(text)
        elif key == "start_step":
            target.start_step = int(text)
        elif key == "end_step":
            target.end_step = int(text)
        elif key == "save_steps":
            target.save_steps = [int(s) for s in _split(text)]
        else:
            continue
        found = True
    return config if found else None


@dataclass
class HookSettings:
    """What SageMaker's DebugHookConfig JSON asks of a hook."""

    out_dir: str
    save_config: SaveConfig | None
    include_regex: list[str]
    include_collections: list[str]
    save_all: bool
    collections: dict[str, Collection]


def parse_hook_config(body: Mapping[str, Any]) -> HookSettings:
    """Read SageMaker's DebugHookConfig JSON (``LocalPath``, ``HookParameters``,
    ``CollectionConfigurations``).

    Raises:
        ValueError: A parameter that does not parse.
    """
    hook_parameters = dict(body.get("HookParameters") or {})
    collections: dict[str, Collection] = {}
    for entry in body.get("CollectionConfigurations") or []:
        name = str(entry["CollectionName"])
        parameters = dict(entry.get("CollectionParameters") or {})
        collection = Collection(name, save_config=parse_save_config(parameters))
        if parameters.get("include_regex"):
            collection.include(_split(parameters["include_regex"]))
        collections[name] = collection
    return HookSettings(
        out_dir=str(body.get("LocalPath") or "/opt/ml/output/tensors"),
        save_config=parse_save_config(hook_parameters),
        include_regex=_split(hook_parameters.get("include_regex", "")),
        include_collections=list(collections),
        save_all=_true(hook_parameters.get("save_all", "false")),
        collections=collections,
    )
