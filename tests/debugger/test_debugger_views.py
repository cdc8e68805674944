"""What the Debugger tab reads: the tensor index and a tensor's series."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from jupyter_mlstudio.debugger import modes
from jupyter_mlstudio.exceptions import NotFoundError, ValidationError
from jupyter_mlstudio.services.jobs import debugger_views
from jupyter_mlstudio.services.jobs.debugger_views import tensor_index, tensor_series

from .conftest import Job


def _run(job: Job) -> list[Path]:
    hook = job.hook()
    for step in range(4):
        hook.set_mode(modes.TRAIN)
        hook.save_scalar("loss", 1.0 / (step + 1))
        hook.save_tensor("weights/w", np.arange(6.0).reshape(2, 3) * step, "weights")
        hook.next_step()
    hook.set_mode(modes.EVAL)
    hook.save_scalar("loss", float("nan"))
    hook.close()
    return [job.tensors()]


def test_index(job: Job) -> None:
    folders = _run(job)
    index = tensor_index(folders)
    assert index == {
        "Tensors": [
            {
                "Name": "loss",
                "Collections": ["losses", "scalars"],
                "Modes": ["TRAIN", "EVAL"],
                "Steps": 5,
                "FirstStep": 0,
                "LastStep": 4,
                "Shape": [],
            },
            {
                "Name": "weights/w",
                "Collections": ["weights"],
                "Modes": ["TRAIN"],
                "Steps": 4,
                "FirstStep": 0,
                "LastStep": 3,
                "Shape": [2, 3],
            },
        ],
        "Skipped": [],
    }

    other = Job(job.folder.parent / "other")
    folders = _run(other)
    step = other.tensors() / "events" / "000000000002_algo-1.step"
    step.write_bytes(step.read_bytes()[:-1])
    index = tensor_index(folders)
    assert index["Tensors"][0]["Steps"] == 4
    assert index["Skipped"] == ["000000000002_algo-1.step: cut short or not a step file"]


def test_series(job: Job) -> None:
    folders = _run(job)
    loss = tensor_series(folders, "loss")
    assert loss["Steps"] == [0, 1, 2, 3, 4]
    assert loss["Values"] == [1.0, 0.5, pytest.approx(1 / 3), 0.25, None]  # NaN is null
    assert tensor_series(folders, "loss", mode="EVAL")["Steps"] == [0]
    assert tensor_series(folders, "loss", mode="train")["Mode"] == "TRAIN"

    w = tensor_series(folders, "weights/w")
    assert w["Values"] == [None] * 4
    assert w["Max"] == [0.0, 5.0, 10.0, 15.0]
    assert w["Mean"][1] == 2.5
    assert w["Norm"][1] == pytest.approx(float(np.linalg.norm(np.arange(6.0))))

    with pytest.raises(NotFoundError) as missing:
        tensor_series(folders, "nope")
    assert missing.value.field == "TensorName"
    with pytest.raises(ValidationError) as bad:
        tensor_series(folders, "loss", mode="TRAINING")
    assert bad.value.field == "mode"


def test_long_series_are_downsampled(job: Job, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(debugger_views, "MAX_POINTS", 50)
    hook = job.hook()
    for step in range(230):
        hook.save_scalar("loss", float(step))
        hook.next_step()
    hook.close()
    series = tensor_series([job.tensors()], "loss")
    assert len(series["Steps"]) == 50
    assert series["Steps"][0] == 0
    assert series["Steps"][-1] == 229
    assert series["Values"] == [float(s) for s in series["Steps"]]
    gaps = np.diff(series["Steps"])
    assert gaps.min() >= 4
    assert gaps.max() <= 5
