"""Reading saved tensors back: smdebug's ``create_trial`` and its Trial and Tensor.

A trial reads one or more hook output folders (one per host) as one run. It keeps an index
of the step files it has read and, on each question, looks again only when a folder has
changed (one ``stat`` a folder): new steps appear as the hooks write them, and a step is
read once. A step file that is cut short or damaged, and a step left half-written by a hook
that died (only reported once the hook's run is over), are skipped and named in
:attr:`Trial.skipped`, never raised.

Steps: ``steps()``/``values()`` with ``mode`` None or GLOBAL number steps by the global
step; with ``modes.TRAIN`` (...) by that mode's own steps.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from .format import END_FILE, EVENTS_DIR, CorruptStep, load_array, parse_step_file_name, read_step
from .modes import GLOBAL, ModeKeys, parse_mode


class TensorUnavailable(KeyError):
    """No tensor of that name (or not at that step) in the trial."""


@dataclass(frozen=True)
class StepEntry:
    """One tensor at one step of one worker."""

    step: int
    worker: str
    mode: ModeKeys
    mode_step: int
    time: float
    path: Path
    meta: dict[str, Any]

    @property
    def is_scalar(self) -> bool:
        return "value" in self.meta

    def value(self) -> Any:
        if self.is_scalar:
            return np.float64(self.meta["value"])
        return load_array(self.path, self.meta)

    @property
    def shape(self) -> list[int]:
        return [] if self.is_scalar else list(self.meta["shape"])

    def summary(self) -> dict[str, Any]:
        """mean, min, max, norm, abs_mean, nan, inf (a scalar's are its value)."""
        if not self.is_scalar:
            return dict(self.meta.get("summary") or {})
        value = float(self.meta["value"])
        return {
            "mean": value,
            "min": value,
            "max": value,
            "norm": abs(value),
            "abs_mean": abs(value),
            "nan": value != value,
            "inf": value in (float("inf"), float("-inf")),
        }


def _global(mode: ModeKeys | str | None) -> ModeKeys | None:
    parsed = parse_mode(mode)
    return None if parsed is GLOBAL else parsed


class Tensor:
    """A tensor's saved steps across workers."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.collections: set[str] = set()
        self._global: dict[str, dict[int, StepEntry]] = {}
        self._modes: dict[tuple[ModeKeys, str], dict[int, StepEntry]] = {}

    def _add(self, entry: StepEntry) -> None:
        self._global.setdefault(entry.worker, {})[entry.step] = entry
        self._modes.setdefault((entry.mode, entry.worker), {})[entry.mode_step] = entry
        self.collections.update(entry.meta.get("collections") or ())

    def _maps(
        self, mode: ModeKeys | str | None, worker: str | None
    ) -> list[tuple[str, dict[int, StepEntry]]]:
        wanted = _global(mode)
        if wanted is None:
            items = list(self._global.items())
        else:
            items = [(w, steps) for (m, w), steps in self._modes.items() if m is wanted]
        return sorted((w, s) for w, s in items if worker is None or w == worker)

    def modes(self) -> list[ModeKeys]:
        """The modes it was saved in."""
        return sorted({m for m, _ in self._modes}, key=lambda m: m.value)

    def workers(self) -> list[str]:
        """The workers (hosts) that saved this tensor."""
        return sorted(self._global)

    def steps(self, mode: ModeKeys | str | None = None, worker: str | None = None) -> list[int]:
        """The saved steps, sorted: global steps, or ``mode``'s own steps."""
        found: set[int] = set()
        for _, steps in self._maps(mode, worker):
            found.update(steps)
        return sorted(found)

    def entry(
        self, step: int, mode: ModeKeys | str | None = None, worker: str | None = None
    ) -> StepEntry:
        """Where step ``step`` is (first worker that has it unless ``worker``).

        Raises:
            TensorUnavailable: Not saved at that step.
        """
        for _, steps in self._maps(mode, worker):
            if step in steps:
                return steps[step]
        raise TensorUnavailable(f"{self.name} has no step {step}")

    def value(
        self, step: int, mode: ModeKeys | str | None = None, worker: str | None = None
    ) -> Any:
        """The value at ``step``: an array, or a numpy float for a scalar.

        Raises:
            TensorUnavailable: Not saved at that step (or its file is gone).
        """
        try:
            return self.entry(step, mode, worker).value()
        except CorruptStep as exc:
            raise TensorUnavailable(str(exc)) from None

    def values(
        self, mode: ModeKeys | str | None = None, worker: str | None = None
    ) -> dict[int, Any]:
        """Step → value for every saved step."""
        return {s: self.value(s, mode, worker) for s in self.steps(mode, worker)}

    def is_scalar(self) -> bool:
        """Whether the tensor is a scalar (as last saved)."""
        return self.last_entry().is_scalar

    def last_entry(self) -> StepEntry:
        """The entry of the highest global step."""
        best: StepEntry | None = None
        for steps in self._global.values():
            if steps:
                top = steps[max(steps)]
                if best is None or top.step > best.step:
                    best = top
        if best is None:
            raise TensorUnavailable(self.name)
        return best


@dataclass
class TrialCollection:
    """A collection as the trial saw it: its name and the tensors saved into it."""

    name: str
    tensor_names: set[str]


class Trial:
    """The saved tensors of one run, read from one folder per worker.

    Args:
        folders: Hook output folders (each with ``events/``).
        name: How to call it (default: the first folder).
    """

    def __init__(self, folders: Iterable[Path], name: str | None = None) -> None:
        self.folders = [Path(f) for f in folders]
        self.name = name or (str(self.folders[0]) if self.folders else "empty")
        #: what could not be read (a damaged or half-written step), one sentence each
        self.skipped: list[str] = []
        self._tensors: dict[str, Tensor] = {}
        self._steps: dict[ModeKeys | None, set[int]] = {}
        self._seen: dict[str, tuple[int, int] | None] = {}
        self._stamps: dict[Path, int] = {}
        self._last_time: float | None = None

    # ---- reading

    def refresh(self) -> int:
        """Read the steps written since the last look.

        Returns:
            How many new step files were read.
        """
        return sum(self._scan(folder) for folder in self.folders)

    def _changed(self) -> None:
        for folder in self.folders:
            events = folder / EVENTS_DIR
            try:
                stamp = events.stat().st_mtime_ns
            except OSError:
                continue
            if self._stamps.get(events) != stamp:
                self._scan(folder)

    def _scan(self, folder: Path) -> int:
        events = folder / EVENTS_DIR
        try:
            self._stamps[events] = events.stat().st_mtime_ns
            names = sorted(os.listdir(events))
        except OSError:
            return 0
        ended = (folder / END_FILE).exists()
        read = 0
        for name in names:
            path = events / name
            key = str(path)
            if name.startswith("."):
                if ended and name.endswith(".tmp") and key not in self._seen:
                    self._seen[key] = None
                    self._skip(f"{folder.name}/{name}: a step left half-written")
                continue
            if key in self._seen and self._seen[key] is None:
                continue
            if parse_step_file_name(name) is None:
                continue
            if key in self._seen:  # was damaged: look again only if it changed
                try:
                    info = path.stat()
                except OSError:
                    continue
                if self._seen[key] == (info.st_size, info.st_mtime_ns):
                    continue
            read += self._read(path, key)
        return read

    def _read(self, path: Path, key: str) -> int:
        try:
            meta = read_step(path)
        except CorruptStep as exc:
            try:
                info = path.stat()
                self._seen[key] = (info.st_size, info.st_mtime_ns)
            except OSError:
                self._seen[key] = (-1, -1)
            self._skip(str(exc))
            return 0
        self._seen[key] = None
        try:
            mode = ModeKeys[meta.mode]
        except KeyError:
            mode = GLOBAL
        for item in meta.tensors:
            entry = StepEntry(meta.step, meta.worker, mode, meta.mode_step, meta.time, path, item)
            self._tensors.setdefault(item["name"], Tensor(item["name"]))._add(entry)
        self._steps.setdefault(None, set()).add(meta.step)
        if mode is not GLOBAL:
            self._steps.setdefault(mode, set()).add(meta.mode_step)
        if self._last_time is None or meta.time > self._last_time:
            self._last_time = meta.time
        return 1

    def _skip(self, message: str) -> None:
        if message not in self.skipped:
            self.skipped.append(message)

    # ---- questions

    def tensor_names(
        self,
        collection: str | None = None,
        regex: str | Iterable[str] | None = None,
        mode: ModeKeys | str | None = None,
    ) -> list[str]:
        """Names of the saved tensors, sorted.

        Args:
            collection: Only those in this collection.
            regex: Only those matching (``re.search``) this pattern or one of these.
            mode: Only those saved in this mode.
        """
        self._changed()
        patterns = [regex] if isinstance(regex, str) else list(regex or [])
        compiled = [re.compile(p) for p in patterns]
        wanted = _global(mode)
        out = []
        for name, tensor in self._tensors.items():
            if collection is not None and collection not in tensor.collections:
                continue
            if compiled and not any(p.search(name) for p in compiled):
                continue
            if wanted is not None and not tensor.steps(wanted):
                continue
            out.append(name)
        return sorted(out)

    def steps(self, mode: ModeKeys | str | None = None) -> list[int]:
        """Every saved step (global, or ``mode``'s own), sorted."""
        self._changed()
        return sorted(self._steps.get(_global(mode), ()))

    def has_tensor(self, name: str) -> bool:
        """Whether a tensor of this name was saved."""
        self._changed()
        return name in self._tensors

    def tensor(self, name: str) -> Tensor:
        """The tensor ``name``.

        Raises:
            TensorUnavailable: Never saved.
        """
        self._changed()
        try:
            return self._tensors[name]
        except KeyError:
            raise TensorUnavailable(name) from None

    def collections(self) -> dict[str, TrialCollection]:
        """Collection name → the tensors saved into it."""
        self._changed()
        out: dict[str, TrialCollection] = {}
        for name, tensor in self._tensors.items():
            for collection in tensor.collections:
                out.setdefault(collection, TrialCollection(collection, set())).tensor_names.add(
                    name
                )
        return out

    def collection(self, name: str) -> TrialCollection:
        """The collection ``name`` (empty when nothing was saved into it)."""
        return self.collections().get(name, TrialCollection(name, set()))

    def workers(self) -> list[str]:
        """The workers that saved steps."""
        self._changed()
        return sorted({w for t in self._tensors.values() for w in t.workers()})

    def last_step_time(self) -> float | None:
        """When the newest step read was written (epoch s), or None."""
        self._changed()
        return self._last_time

    def training_ended(self) -> bool:
        """Whether every folder's hook was closed (``training_job_end.ts``)."""
        return bool(self.folders) and all((f / END_FILE).exists() for f in self.folders)

    def __repr__(self) -> str:
        return f"Trial({self.name!r}, tensors={len(self._tensors)})"


def open_trial(folders: Iterable[Path]) -> Trial:
    """One trial over several hook output folders (one per host).

    Args:
        folders: The folders.

    Returns:
        The trial, with what is there already read.
    """
    trial = Trial(folders)
    trial.refresh()
    return trial


class RemoteTrial(Trial):
    """A trial of an ``s3://`` (or other artifact-store) prefix, copied into a temporary
    folder on first use and again on each :meth:`refresh`."""

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self._temp = Path(tempfile.mkdtemp(prefix="mlstudio-trial-"))
        weakref.finalize(self, shutil.rmtree, self._temp, True)
        super().__init__([self._temp], name=uri)
        self._fetched = False

    def refresh(self) -> int:
        from ..artifacts.transfer import fetch

        fetch(self.uri, self._temp)
        self._fetched = True
        return super().refresh()

    def _changed(self) -> None:
        if not self._fetched:
            self.refresh()
        else:
            super()._changed()


def create_trial(path: str | os.PathLike[str]) -> Trial:
    """The trial of a hook's output (smdebug's ``create_trial``).

    Args:
        path: A local folder, a ``file://`` URI, or an ``s3://`` URI (downloaded into a
            temporary folder when first read).

    Returns:
        The trial.
    """
    text = os.fspath(path)
    if text.startswith("file://"):
        return open_trial([Path(urlparse(text).path)])
    if "://" in text:
        return RemoteTrial(text)
    return open_trial([Path(text)])
