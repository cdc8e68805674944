"""The hook a training script saves tensors with (smdebug's ``Hook``, for any framework).

Steps. A hook counts a *global step* over the whole run and a *mode step* per mode
(:mod:`.modes`; the mode is GLOBAL until :meth:`Hook.set_mode`). Both start at 0. What is
saved between two :meth:`Hook.next_step` calls is one step; :meth:`Hook.set_mode` to
another mode ends the current step first when something was saved in it, so a loop that
saves a training loss, switches to EVAL, saves a validation loss and switches back does
not need ``next_step`` at all (a save call that saved nothing, because the save
configuration skips the step, counts as something saved here, so steps are counted the
same whether or not they are saved). Save configurations (:mod:`.config`) count mode steps.

A tensor is saved at a step when one of its collections is included (``include_collections``,
``save_all``, the collections of the hook's JSON) and that collection's save configuration
(else the hook's) selects the current mode step. Steps that are not saved cost a dictionary
lookup; a saved step's arrays are copied when saved and, once the step ends, written by a
background thread to a file renamed into place when complete (:mod:`.format`);
:meth:`Hook.flush` waits for the writes, :meth:`Hook.close` too.
"""

from __future__ import annotations

import atexit
import json
import math
import os
import queue
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from .config import (
    DEFAULT_INCLUDED,
    DEFAULT_REGEXES,
    Collection,
    CollectionKeys,
    SaveConfig,
    parse_hook_config,
)
from .format import END_FILE, EVENTS_DIR, write_step
from .modes import GLOBAL, ModeKeys, parse_mode

CONFIG_ENV = "SMDEBUG_CONFIG_FILE_PATH"
DEFAULT_CONFIG_FILE = "/opt/ml/input/config/debughookconfig.json"
METRICS_ENV = "MLSTUDIO_METRICS_FILE"
WORKER_ENV = "SM_CURRENT_HOST"


class HookConfigNotFound(FileNotFoundError):
    """No Debugger hook configuration: the job was started without a DebugHookConfig."""


def config_file(path: str | os.PathLike[str] | None = None) -> Path:
    """The hook configuration file: ``path``, else ``$SMDEBUG_CONFIG_FILE_PATH``, else
    ``/opt/ml/input/config/debughookconfig.json`` (it may not exist)."""
    return Path(path or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_FILE)


class Hook:
    """Saves tensors and scalars of a training run below ``out_dir``.

    Args:
        out_dir: The folder (``LocalPath`` of SageMaker's DebugHookConfig).
        save_config: When to save collections without their own configuration (default:
            every 500th step of each mode).
        include_regex: Tensors whose names match one of these are saved (as ``default``).
        include_collections: The collections saved (default: default, losses, metrics,
            scalars, sm_metrics; ``"all"`` for every collection).
        save_all: Save every tensor.
        collections: Collections with their own regexes or save configurations.
        worker: This process's name in the output (default ``$SM_CURRENT_HOST`` or algo-1).
        async_write: Write saved steps from a background thread (the arrays are copied
            when saved); :meth:`flush` waits for them. False writes each step in
            :meth:`next_step`.
    """

    enabled = True

    def __init__(
        self,
        out_dir: str | os.PathLike[str],
        save_config: SaveConfig | None = None,
        include_regex: Iterable[str] | None = None,
        include_collections: Iterable[str] | None = None,
        save_all: bool = False,
        collections: Iterable[Collection] | None = None,
        worker: str | None = None,
        async_write: bool = True,
    ) -> None:
        self.out_dir = Path(out_dir)
        self.save_config = save_config or SaveConfig()
        self.save_all = save_all
        self.worker = worker or os.environ.get(WORKER_ENV) or "algo-1"
        self.collections: dict[str, Collection] = {}
        for name, regexes in DEFAULT_REGEXES.items():
            self.get_collection(name).include(regexes)
        for collection in collections or ():
            own = self.get_collection(collection.name)
            own.include(collection.include_regex)
            own.save_config = collection.save_config or own.save_config
        self.include_collections = set(
            DEFAULT_INCLUDED if include_collections is None else include_collections
        )
        if include_regex:
            self.get_collection(CollectionKeys.DEFAULT).include(list(include_regex))
            self.include_collections.add(CollectionKeys.DEFAULT)
        self.mode: ModeKeys = GLOBAL
        self.step = 0
        self.mode_steps: dict[ModeKeys, int] = {}
        self.async_write = async_write
        self._events = self.out_dir / EVENTS_DIR
        self._pending: list[tuple[str, Any, list[str]]] | None = None
        self._background: _Background | None = None
        self._membership: dict[tuple[str, tuple[str, ...]], tuple[list[str], list[str]]] = {}
        self._saving: dict[str, bool] = {}
        self._idle: bool | None = None  # no collection saves at this step (None: not known)
        self._closed = False
        self._touched = False
        self._metrics_file = os.environ.get(METRICS_ENV)
        atexit.register(self.close)

    @classmethod
    def create_from_json_file(cls, json_file_path: str | os.PathLike[str] | None = None) -> Hook:
        """A hook configured by SageMaker's DebugHookConfig JSON.

        Args:
            json_file_path: The file (default: ``$SMDEBUG_CONFIG_FILE_PATH``, then
                ``/opt/ml/input/config/debughookconfig.json``).

        Returns:
            The hook, writing to the configuration's ``LocalPath``.

        Raises:
            HookConfigNotFound: There is no such file (the job has no DebugHookConfig).
            ValueError: The file does not parse.
        """
        path = config_file(json_file_path)
        if not path.is_file():
            raise HookConfigNotFound(
                f"no Debugger hook configuration at {path} (set {CONFIG_ENV} or give "
                "DebugHookConfig to the training job)"
            )
        settings = parse_hook_config(json.loads(path.read_text()))
        return cls(
            settings.out_dir,
            save_config=settings.save_config,
            include_regex=settings.include_regex,
            include_collections=set(settings.include_collections) | set(DEFAULT_INCLUDED),
            save_all=settings.save_all,
            collections=settings.collections.values(),
        )

    # ---- steps and modes

    @property
    def mode_step(self) -> int:
        """The current step of the current mode."""
        return self.mode_steps.get(self.mode, 0)

    def set_mode(self, mode: ModeKeys | str) -> None:
        """Switch mode (``modes.TRAIN``, ``modes.EVAL``, ...); a step with saved tensors
        in the old mode ends first."""
        new = parse_mode(mode) or GLOBAL
        if new is self.mode:
            return
        if self._touched:
            self.next_step()
        self.mode = new
        self._saving.clear()
        self._idle = None

    def next_step(self) -> None:
        """End the current step (writing what it saved) and start the next one."""
        self._commit()
        self._touched = False
        self.step += 1
        self.mode_steps[self.mode] = self.mode_step + 1
        self._saving.clear()
        self._idle = None

    # ---- collections

    def get_collection(self, name: str) -> Collection:
        """The collection ``name`` (created empty when new); change its ``include_regex``
        or ``save_config`` before saving."""
        if name not in self.collections:
            self.collections[name] = Collection(name)
        self._membership_clear()
        return self.collections[name]

    def _membership_clear(self) -> None:
        if hasattr(self, "_membership"):
            self._membership.clear()

    def _groups(self, name: str, explicit: tuple[str, ...]) -> tuple[list[str], list[str]]:
        """(collections of ``name``, those of them that are saved)."""
        key = (name, explicit)
        found = self._membership.get(key)
        if found is None:
            groups = list(dict.fromkeys(explicit))
            groups += [
                c for c, col in self.collections.items() if c not in groups and col.matches(name)
            ]
            if self.save_all or CollectionKeys.ALL in self.include_collections:
                saved = list(groups) or [CollectionKeys.DEFAULT]
            else:
                saved = [c for c in groups if c in self.include_collections]
            found = (groups, saved)
            self._membership[key] = found
        return found

    def _collection_saves(self, collection: str) -> bool:
        saving = self._saving.get(collection)
        if saving is None:
            own = self.collections.get(collection)
            config = self.save_config
            if own is not None and own.save_config is not None:
                config = own.save_config.merged(self.save_config)
            saving = config.should_save_step(self.mode, self.mode_step)
            self._saving[collection] = saving
        return saving

    def _step_idle(self) -> bool:
        """No collection that can be saved saves at this step: every save call of the step
        returns at once (most steps, with a save interval)."""
        idle = self._idle
        if idle is None:
            if self.save_all or CollectionKeys.ALL in self.include_collections:
                names: Iterable[str] = [*self.collections, CollectionKeys.DEFAULT]
            else:
                names = self.include_collections
            idle = self._idle = not any(self._collection_saves(c) for c in names)
        return idle

    def would_save(self, tensor_name: str, collections: str | Iterable[str] = ()) -> bool:
        """Whether a tensor of this name (in these collections) is saved at this step —
        to skip computing what would not be saved."""
        if self._step_idle():
            return False
        explicit = (collections,) if isinstance(collections, str) else tuple(collections)
        _, saved = self._groups(tensor_name, explicit)
        return any(self._collection_saves(c) for c in saved)

    # ---- saving

    def save_tensor(
        self,
        tensor_name: str,
        tensor_value: Any,
        collections_to_write: str | Iterable[str] = CollectionKeys.DEFAULT,
    ) -> bool:
        """Save an array (anything numpy can convert) at the current step, if its
        collections are saved at this step.

        Args:
            tensor_name: The tensor's name.
            tensor_value: Its value (array, number, list).
            collections_to_write: The collection(s) it belongs to (besides those whose
                regexes match its name).

        Returns:
            Whether it was saved.
        """
        self._touched = True
        if self._step_idle():
            return False
        explicit = (
            (collections_to_write,)
            if isinstance(collections_to_write, str)
            else tuple(collections_to_write)
        )
        groups, saved = self._groups(tensor_name, explicit)
        if not any(self._collection_saves(c) for c in saved):
            return False
        array = np.array(tensor_value, copy=True)  # training may change it in place
        if array.dtype.kind not in "biuf":
            raise TypeError(f"tensor {tensor_name!r}: cannot save dtype {array.dtype}")
        self._current().append((tensor_name, array if array.ndim else array.item(), groups))
        return True

    def save_scalar(
        self, name: str, value: float, sm_metric: bool = False, timestamp: float | None = None
    ) -> bool:
        """Save a scalar at the current step (collection ``scalars``, and any whose regex
        matches: a name with "loss" in it is a loss).

        Args:
            name: The scalar's name.
            value: Its value.
            sm_metric: Also log it as a metric of the job's run (the tracking channel,
                every call, whatever the save configuration).
            timestamp: For the metric (default now).

        Returns:
            Whether it was saved as a tensor.
        """
        explicit: tuple[str, ...] = (CollectionKeys.SCALARS,)
        if sm_metric:
            explicit += (CollectionKeys.SM_METRICS,)
            self._log_metric(name, value, timestamp)
        self._touched = True
        if self._step_idle():
            return False
        groups, saved = self._groups(name, explicit)
        if not any(self._collection_saves(c) for c in saved):
            return False
        self._current().append((name, float(value), groups))
        return True

    def _log_metric(self, name: str, value: float, timestamp: float | None) -> None:
        number = float(value)
        if not self._metrics_file or not math.isfinite(number):
            return
        record = {"metric": name, "value": number, "timestamp": timestamp or time.time()}
        record["step"] = self.step
        line = (json.dumps(record, separators=(",", ":")) + "\n").encode()
        fd = os.open(self._metrics_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)

    def _current(self) -> list[tuple[str, Any, list[str]]]:
        if self._closed:
            raise RuntimeError("the hook is closed")
        if self._pending is None:
            self._pending = []
        return self._pending

    def _commit(self) -> None:
        items, self._pending = self._pending, None
        if not items:
            return
        job = (self._events, self.worker, self.step, self.mode.name, self.mode_step, items)
        if not self.async_write:
            write_step(*job)
            return
        if self._background is None:
            self._background = _Background()
        self._background.put(job)

    def flush(self) -> None:
        """Wait until every ended step is written (readers see them).

        Raises:
            OSError: Writing a step failed (the disk is full, say).
        """
        if self._background is not None:
            self._background.wait()

    def close(self) -> None:
        """Write the last step, wait for every step to be written, and write
        ``training_job_end.ts`` (the run is over).

        Raises:
            OSError: Writing a step failed.
        """
        if self._closed:
            return
        self._closed = True
        atexit.unregister(self.close)
        try:
            self._commit()
            if self._background is not None:
                self._background.stop()
        finally:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            partial = self.out_dir / f".{END_FILE}.tmp"
            partial.write_text(f"{time.time()}\n")
            os.replace(partial, self.out_dir / END_FILE)

    def __enter__(self) -> Hook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Hook(out_dir={str(self.out_dir)!r}, step={self.step}, mode={self.mode.name})"


class _Background:
    """One thread writing the steps a hook ended, in order; at most ``depth`` wait (the
    training loop waits when the disk cannot keep up)."""

    def __init__(self, depth: int = 32) -> None:
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="debugger-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            try:
                if job is None:
                    return
                if self._error is None:
                    write_step(*job)
            except BaseException as exc:  # reported to the training loop by wait()
                self._error = exc
                print(f"[debugger] cannot write step {job[2]}: {exc}", file=sys.stderr)
            finally:
                self._queue.task_done()

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def put(self, job: tuple[Any, ...]) -> None:
        self._raise()
        self._queue.put(job)

    def wait(self) -> None:
        self._queue.join()
        self._raise()

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join()
        self._raise()


class NoOpHook:
    """A hook that saves nothing (it counts steps like a hook): what the adapters use
    when the job has no Debugger configuration, so a script runs the same with and
    without one."""

    enabled = False
    out_dir = None

    def __init__(self) -> None:
        self.mode: ModeKeys = GLOBAL
        self.step = 0
        self.mode_steps: dict[ModeKeys, int] = {}
        self._touched = False

    @property
    def mode_step(self) -> int:
        """The current step of the current mode."""
        return self.mode_steps.get(self.mode, 0)

    def set_mode(self, mode: ModeKeys | str) -> None:
        """Switch mode (as :meth:`Hook.set_mode`)."""
        new = parse_mode(mode) or GLOBAL
        if new is not self.mode and self._touched:
            self.next_step()
        self.mode = new

    def next_step(self) -> None:
        """Start the next step."""
        self._touched = False
        self.step += 1
        self.mode_steps[self.mode] = self.mode_step + 1

    def would_save(self, tensor_name: str, collections: str | Iterable[str] = ()) -> bool:
        """Never."""
        return False

    def save_tensor(
        self, tensor_name: str, tensor_value: Any, collections_to_write: Any = None
    ) -> bool:
        """Saves nothing."""
        self._touched = True
        return False

    def save_scalar(
        self, name: str, value: float, sm_metric: bool = False, timestamp: float | None = None
    ) -> bool:
        """Saves nothing."""
        self._touched = True
        return False

    def get_collection(self, name: str) -> Collection:
        """An empty collection (changing it changes nothing)."""
        return Collection(name)

    def flush(self) -> None:
        """Nothing to write."""

    def close(self) -> None:
        """Nothing to write."""

    def __enter__(self) -> NoOpHook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_HOOK: Hook | NoOpHook | None = None


def get_hook(json_file_path: str | os.PathLike[str] | None = None) -> Hook | NoOpHook:
    """The job's hook, made once from its DebugHookConfig JSON; a :class:`NoOpHook` when
    the job has none (unlike smdebug, which returns None).

    Args:
        json_file_path: The configuration file (default as :meth:`Hook.create_from_json_file`).

    Returns:
        The same hook on every call (per process).
    """
    global _HOOK
    if _HOOK is None:
        try:
            _HOOK = Hook.create_from_json_file(json_file_path)
        except HookConfigNotFound:
            _HOOK = NoOpHook()
    return _HOOK


def reset_hook() -> None:
    """Forget the hook :func:`get_hook` made (closing it)."""
    global _HOOK
    if _HOOK is not None:
        _HOOK.close()
    _HOOK = None
