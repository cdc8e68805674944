"""The hook: steps and modes, what a save configuration saves, the JSON, the files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from jupyter_mlstudio.debugger import (
    CollectionKeys,
    Hook,
    HookConfigNotFound,
    NoOpHook,
    SaveConfig,
    SaveConfigMode,
    create_trial,
    get_hook,
    modes,
)
from jupyter_mlstudio.debugger.format import END_FILE, read_step


def _files(out: Path) -> list[str]:
    return sorted(p.name for p in (out / "events").iterdir())


def test_steps_count_globally_and_per_mode(tmp_path: Path) -> None:
    hook = Hook(tmp_path, save_config=SaveConfig(save_interval=1), worker="algo-1")
    hook.set_mode(modes.TRAIN)
    for i in range(3):
        hook.save_scalar("loss", 1.0 / (i + 1))
        hook.next_step()
    hook.set_mode(modes.EVAL)
    hook.save_scalar("loss", 0.7)
    hook.set_mode(modes.TRAIN)  # ends the EVAL step: it saved something
    hook.save_scalar("loss", 0.2)
    hook.close()

    assert (hook.step, hook.mode_steps[modes.TRAIN], hook.mode_steps[modes.EVAL]) == (4, 3, 1)
    assert _files(tmp_path) == [f"{s:012d}_algo-1.step" for s in range(5)]
    meta = read_step(tmp_path / "events" / "000000000003_algo-1.step")
    assert (meta.step, meta.mode, meta.mode_step) == (3, "EVAL", 0)
    trial = create_trial(tmp_path)
    assert trial.steps() == [0, 1, 2, 3, 4]
    assert trial.steps(modes.TRAIN) == [0, 1, 2, 3]
    assert trial.tensor("loss").values(modes.EVAL) == {0: pytest.approx(0.7)}
    assert trial.tensor("loss").value(4) == pytest.approx(0.2)


def test_save_interval_counts_mode_steps_and_skipped_steps_write_nothing(
    tmp_path: Path,
) -> None:
    hook = Hook(tmp_path, save_config=SaveConfig(save_interval=5))
    hook.set_mode(modes.TRAIN)
    saved = []
    for step in range(12):
        saved.append(hook.save_tensor("w", np.full(3, step), "default"))
        hook.next_step()
    hook.close()
    assert [i for i, s in enumerate(saved) if s] == [0, 5, 10]
    assert _files(tmp_path) == [f"{s:012d}_algo-1.step" for s in (0, 5, 10)]
    assert (tmp_path / END_FILE).is_file()
    assert not [p for p in (tmp_path / "events").iterdir() if p.name.startswith(".")]


def test_per_mode_and_per_collection_configurations(tmp_path: Path) -> None:
    config = SaveConfig(
        mode_save_configs={modes.EVAL: SaveConfigMode(save_steps=[1])},
        save_interval=2,
        end_step=5,
    )
    hook = Hook(tmp_path, save_config=config, include_collections=["weights", "losses"])
    hook.get_collection("weights").save_config = SaveConfig(start_step=3, save_interval=1)
    hook.set_mode(modes.TRAIN)
    for step in range(7):
        hook.save_scalar("loss", step)
        hook.save_tensor("dense/w", np.ones(2) * step, "weights")
        hook.save_tensor("not/included", np.ones(2), "other")
        hook.next_step()
    hook.set_mode(modes.EVAL)
    for _ in range(3):
        hook.save_scalar("val_loss", 1.0)
        hook.next_step()
    hook.close()

    trial = create_trial(tmp_path)
    assert trial.tensor("loss").steps(modes.TRAIN) == [0, 2, 4]  # end_step 5 excluded
    # the collection's own start_step and interval, the hook's end_step
    assert trial.tensor("dense/w").steps(modes.TRAIN) == [3, 4]
    assert trial.tensor("val_loss").steps(modes.EVAL) == [1]
    assert not trial.has_tensor("not/included")
    assert trial.collection("losses").tensor_names == {"loss", "val_loss"}
    assert "weights" in trial.tensor("dense/w").collections


def test_create_from_json_file_reads_sagemakers_strings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "tensors"
    config = tmp_path / "debughookconfig.json"
    config.write_text(
        json.dumps(
            {
                "LocalPath": str(out),
                "S3OutputPath": "s3://bucket/debug",
                "HookParameters": {"save_interval": "4", "include_regex": "relu.*,conv1"},
                "CollectionConfigurations": [
                    {"CollectionName": "weights", "CollectionParameters": {"save_interval": "1"}},
                    {
                        "CollectionName": "custom",
                        "CollectionParameters": {"include_regex": "^my_.*", "save_steps": "2,3"},
                    },
                ],
            }
        )
    )
    monkeypatch.setenv("SMDEBUG_CONFIG_FILE_PATH", str(config))
    monkeypatch.setenv("SM_CURRENT_HOST", "algo-2")
    hook = get_hook()
    assert isinstance(hook, Hook)
    assert hook.out_dir == out
    assert hook.worker == "algo-2"
    assert get_hook() is hook
    for _ in range(5):
        hook.save_tensor("w", np.zeros(2), CollectionKeys.WEIGHTS)
        hook.save_tensor("relu_out", np.zeros(2))
        hook.save_tensor("my_thing", np.zeros(2))
        hook.save_tensor("ignored", np.zeros(2), "nothing")
        hook.save_scalar("loss", 1.0)
        hook.next_step()
    hook.close()
    trial = create_trial(out)
    assert trial.workers() == ["algo-2"]
    assert trial.tensor("w").steps() == [0, 1, 2, 3, 4]
    assert trial.tensor("relu_out").steps() == [0, 4]
    # in "default" (every 4th step) and in "custom" (steps 2 and 3): saved when either saves
    assert trial.tensor("my_thing").steps() == [0, 2, 3, 4]
    assert trial.tensor("loss").steps() == [0, 4]
    assert not trial.has_tensor("ignored")


def test_without_a_configuration(tmp_path: Path) -> None:
    with pytest.raises(HookConfigNotFound, match="SMDEBUG_CONFIG_FILE_PATH"):
        Hook.create_from_json_file()
    hook = get_hook()
    assert isinstance(hook, NoOpHook)
    assert not hook.enabled
    assert hook.save_tensor("w", np.zeros(3)) is False
    hook.set_mode(modes.TRAIN)
    hook.save_scalar("loss", 1.0)
    hook.set_mode(modes.EVAL)
    # it counts steps like a hook: each set_mode after a save ended a step
    assert (hook.step, hook.mode_steps) == (2, {modes.GLOBAL: 1, modes.TRAIN: 1})


def test_sm_metric_goes_to_the_tracking_channel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    metrics = tmp_path / "metrics.jsonl"
    monkeypatch.setenv("MLSTUDIO_METRICS_FILE", str(metrics))
    hook = Hook(tmp_path / "out", save_config=SaveConfig(save_interval=100))
    for step in range(3):
        hook.save_scalar("accuracy", 0.5 + step / 10, sm_metric=True)
        hook.save_scalar("quiet", 1.0)
        hook.next_step()
    hook.save_scalar("nan", float("nan"), sm_metric=True)
    hook.close()
    lines = [json.loads(line) for line in metrics.read_text().splitlines()]
    assert [(r["metric"], r["value"], r["step"]) for r in lines] == [
        ("accuracy", 0.5, 0),
        ("accuracy", 0.6, 1),
        ("accuracy", 0.7, 2),
    ]
    trial = create_trial(tmp_path / "out")
    assert trial.tensor("accuracy").steps() == [0]  # the tensor follows the interval
    assert "sm_metrics" in trial.tensor("accuracy").collections


def test_dtypes_shapes_and_non_finite_values_round_trip(tmp_path: Path) -> None:
    hook = Hook(tmp_path, save_config=SaveConfig(save_interval=1), include_collections=["all"])
    arrays: dict[str, np.ndarray] = {
        "f32": np.arange(6, dtype=np.float32).reshape(2, 3),
        "i64": np.arange(4, dtype=np.int64),
        "bool": np.array([True, False]),
        "f64_nan": np.array([1.0, np.nan, np.inf]),
        "fortran": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
    }
    for name, value in arrays.items():
        hook.save_tensor(name, value)
    hook.save_scalar("inf_loss", float("inf"))
    hook.save_tensor("zero_d", np.float32(2.5))
    with pytest.raises(TypeError, match="dtype"):
        hook.save_tensor("text", np.array(["a"]))
    hook.close()
    trial = create_trial(tmp_path)
    for name, value in arrays.items():
        np.testing.assert_array_equal(trial.tensor(name).value(0), value)
        assert trial.tensor(name).value(0).dtype == value.dtype
    assert trial.tensor("inf_loss").value(0) == float("inf")
    assert trial.tensor("zero_d").is_scalar()
    assert trial.tensor("zero_d").value(0) == 2.5
    summary = trial.tensor("f64_nan").entry(0).summary()
    assert summary["nan"]
    assert summary["inf"]
    assert trial.tensor("f32").entry(0).summary()["max"] == 5.0


def test_saved_arrays_are_copied_and_write_errors_surface(tmp_path: Path) -> None:
    for async_write in (True, False):
        out = tmp_path / f"async-{async_write}"
        hook = Hook(out, save_config=SaveConfig(save_interval=1), async_write=async_write)
        w = np.zeros(3)
        hook.save_tensor("w", w)
        w += 1  # changed in place after the save: the saved step keeps the old value
        hook.next_step()
        hook.close()
        np.testing.assert_array_equal(create_trial(out).tensor("w").value(0), np.zeros(3))

    blocked = tmp_path / "blocked"
    hook = Hook(blocked, save_config=SaveConfig(save_interval=1))
    blocked.mkdir()
    (blocked / "events").write_text("a file where the folder should be")
    hook.save_tensor("w", np.zeros(3))
    hook.next_step()
    with pytest.raises(NotADirectoryError):
        hook.flush()
    hook.close()
    assert (blocked / END_FILE).is_file()
