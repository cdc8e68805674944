"""The trial reader: steps as they appear, read once; damaged steps skipped and named."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from jupyter_mlstudio.debugger import Hook, SaveConfig, create_trial, modes
from jupyter_mlstudio.debugger import format as step_format
from jupyter_mlstudio.debugger.trials import TensorUnavailable, open_trial


def _hook(out: Path, worker: str = "algo-1") -> Hook:
    return Hook(
        out, save_config=SaveConfig(save_interval=1), include_collections=["all"], worker=worker
    )


def test_new_steps_appear_and_old_ones_are_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[str] = []
    real = step_format.read_step

    def counting(path: Path, summarize: bool = True) -> step_format.StepMeta:
        reads.append(path.name)
        return real(path, summarize)

    monkeypatch.setattr("jupyter_mlstudio.debugger.trials.read_step", counting)
    hook = _hook(tmp_path)
    trial = create_trial(tmp_path)
    assert trial.tensor_names() == []
    assert trial.steps() == []
    for step in range(3):
        hook.save_tensor("w", np.full(4, step, dtype=np.float32), "weights")
        hook.next_step()
    hook.flush()  # the background writer has written them
    assert trial.steps() == [0, 1, 2]  # no explicit refresh: the folder changed
    assert trial.tensor("w").value(2).tolist() == [2.0] * 4
    hook.save_tensor("w", np.full(4, 9, dtype=np.float32), "weights")
    hook.close()
    assert trial.refresh() == 1
    assert trial.tensor("w").steps() == [0, 1, 2, 3]
    assert sorted(reads) == [f"{s:012d}_algo-1.step" for s in range(4)]
    assert trial.refresh() == 0
    assert len(reads) == 4
    assert trial.training_ended()
    with pytest.raises(TensorUnavailable):
        trial.tensor("nope")
    with pytest.raises(TensorUnavailable):
        trial.tensor("w").value(7)


def test_a_half_written_or_damaged_step_is_skipped_and_reported(tmp_path: Path) -> None:
    hook = _hook(tmp_path)
    for step in range(4):
        hook.save_scalar("loss", 1.0 / (step + 1))
        hook.save_tensor("w", np.arange(100.0) * step)
        hook.next_step()
    hook.flush()
    events = tmp_path / "events"
    # step 1 cut short (a crash while copying it), step 2 damaged in the middle
    cut = events / "000000000001_algo-1.step"
    cut.write_bytes(cut.read_bytes()[:300])
    damaged = events / "000000000002_algo-1.step"
    data = bytearray(damaged.read_bytes())
    data[10] ^= 0xFF
    damaged.write_bytes(bytes(data))
    # a step a dying hook left half-written: only reported once the run is over
    (events / ".000000000004_algo-1.step.tmp").write_bytes(b"\x00" * 50)

    trial = create_trial(tmp_path)
    assert trial.steps() == [0, 3]
    assert trial.tensor("loss").values() == {0: 1.0, 3: 0.25}
    assert len(trial.skipped) == 2
    assert any("000000000001_algo-1.step" in m and "cut short" in m for m in trial.skipped)
    assert any("000000000002_algo-1.step" in m and "checksum" in m for m in trial.skipped)

    (tmp_path / step_format.END_FILE).write_text("0\n")
    trial.refresh()
    assert any("half-written" in m and "000000000004" in m for m in trial.skipped)
    assert trial.refresh() == 0
    assert len(trial.skipped) == 3

    # the damaged file is replaced whole (a re-upload): it is read again
    hook.step = 1
    hook.save_scalar("loss", 0.5)
    hook.close()
    trial.refresh()
    assert trial.tensor("loss").steps() == [0, 1, 3]


def test_one_trial_over_every_hosts_folder(tmp_path: Path) -> None:
    for host, scale in (("algo-1", 1.0), ("algo-2", 2.0)):
        hook = _hook(tmp_path / host, worker=host)
        hook.set_mode(modes.TRAIN)
        for step in range(3):
            hook.save_scalar("loss", scale * step)
            hook.next_step()
        hook.close()
    trial = open_trial([tmp_path / "algo-1", tmp_path / "algo-2", tmp_path / "missing"])
    loss = trial.tensor("loss")
    assert trial.workers() == ["algo-1", "algo-2"] == loss.workers()
    assert loss.values(modes.TRAIN, worker="algo-2") == {0: 0.0, 1: 2.0, 2: 4.0}
    assert loss.value(2) == 2.0  # the first worker that has the step
    assert trial.steps(modes.TRAIN) == [0, 1, 2]
    assert trial.tensor_names(mode=modes.EVAL) == []
    assert trial.tensor_names(regex="lo+s") == ["loss"]


def test_file_uri_and_remote_trials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    hook = _hook(out)
    hook.save_scalar("loss", 3.0)
    hook.close()
    assert create_trial(f"file://{out}").tensor("loss").value(0) == 3.0

    fetched: list[str] = []

    def fake_fetch(uri: str, dest: Path) -> None:  # the artifact store, as a local copy
        fetched.append(uri)
        shutil.copytree(out, dest, dirs_exist_ok=True)

    monkeypatch.setattr("jupyter_mlstudio.artifacts.transfer.fetch", fake_fetch)
    remote = create_trial("s3://bucket/job/debug-output")
    assert fetched == []  # nothing downloaded before it is read
    assert remote.tensor_names() == ["loss"]
    assert fetched == ["s3://bucket/job/debug-output"]
    assert remote.tensor("loss").value(0) == 3.0
    assert remote.training_ended()
