"""What the Debugger tab reads: a training job's saved tensors, listed and as series.

The REST handlers pass each host's hook output folder. A trial per set of folders is kept
(a few, least recently used dropped) and refreshed on each call, so a page that polls
reads only the steps written since its last call.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

from ...debugger.modes import parse_mode
from ...debugger.trials import Trial, open_trial
from ...exceptions import NotFoundError, ValidationError

#: most points a series returns: longer ones are downsampled evenly (first and last kept)
MAX_POINTS = 2000
_CACHE_SIZE = 8
_trials: OrderedDict[tuple[tuple[str, int], ...], Trial] = OrderedDict()
_lock = threading.Lock()


def _inode(folder: Path) -> int:
    try:
        return folder.stat().st_ino
    except OSError:
        return -1


def _trial(folders: list[Path]) -> Trial:
    # the folder's inode too: a job deleted and made again under its name is a new trial
    key = tuple((str(Path(f).resolve()), _inode(Path(f))) for f in folders)
    trial = _trials.pop(key, None)
    if trial is None:
        trial = open_trial([Path(f) for f in folders])
    else:
        trial.refresh()
    _trials[key] = trial
    while len(_trials) > _CACHE_SIZE:
        _trials.popitem(last=False)
    return trial


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def tensor_index(folders: list[Path]) -> dict[str, Any]:
    """Every saved tensor of a job.

    Args:
        folders: Each host's hook output folder.

    Returns:
        ``{"Tensors": [{"Name", "Collections", "Modes", "Steps" (count), "FirstStep",
        "LastStep", "Shape"}], "Skipped": [what could not be read]}``.
    """
    with _lock:
        trial = _trial(folders)
        tensors = []
        for name in trial.tensor_names():
            tensor = trial.tensor(name)
            steps = tensor.steps()
            last = tensor.last_entry()
            tensors.append(
                {
                    "Name": name,
                    "Collections": sorted(tensor.collections),
                    "Modes": [m.name for m in tensor.modes()],
                    "Steps": len(steps),
                    "FirstStep": steps[0],
                    "LastStep": steps[-1],
                    "Shape": last.shape,
                }
            )
        return {"Tensors": tensors, "Skipped": list(trial.skipped)}


def _downsample(steps: list[int]) -> list[int]:
    if len(steps) <= MAX_POINTS:
        return steps
    picks = np.unique(np.linspace(0, len(steps) - 1, MAX_POINTS).round().astype(int))
    return [steps[i] for i in picks]


def tensor_series(folders: list[Path], name: str, mode: str | None = None) -> dict[str, Any]:
    """One tensor's values (a scalar) or summaries (an array) per saved step.

    Args:
        folders: Each host's hook output folder.
        name: The tensor.
        mode: TRAIN, EVAL, PREDICT (steps numbered by that mode), or None/GLOBAL (all
            steps, by global step).

    Returns:
        ``{"Name", "Mode", "Steps": [...], "Values": [scalar or null], "Mean", "Min",
        "Max", "Norm": [number or null]}``, at most :data:`MAX_POINTS` steps (evenly
        chosen); non-finite numbers are null.

    Raises:
        NotFoundError: No such tensor (``field="TensorName"``).
        ValidationError: ``mode`` is not a mode.
    """
    try:
        wanted = parse_mode(mode)
    except ValueError as exc:
        raise ValidationError(str(exc), field="mode") from None
    with _lock:
        trial = _trial(folders)
        if not trial.has_tensor(name):
            raise NotFoundError(f"no saved tensor {name!r}", field="TensorName")
        tensor = trial.tensor(name)
        steps = _downsample(tensor.steps(wanted))
        out: dict[str, Any] = {
            "Name": name,
            "Mode": (wanted.name if wanted is not None else "GLOBAL"),
            "Steps": steps,
            "Values": [],
            "Mean": [],
            "Min": [],
            "Max": [],
            "Norm": [],
        }
        for step in steps:
            entry = tensor.entry(step, wanted)
            summary = entry.summary()
            out["Values"].append(_number(entry.meta["value"]) if entry.is_scalar else None)
            for key, field in (("Mean", "mean"), ("Min", "min"), ("Max", "max"), ("Norm", "norm")):
                out[key].append(_number(summary.get(field)))
        return out
