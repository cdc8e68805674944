"""Each tensor rule fires on a run built to trip it and stays quiet on a healthy one."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from jupyter_mlstudio.debugger import modes
from jupyter_mlstudio.debugger.rules import base, implementation
from jupyter_mlstudio.debugger.rules.builtin import IMPLEMENTATIONS
from jupyter_mlstudio.debugger.rules.catalog import RULES
from jupyter_mlstudio.debugger.rules.evaluate import evaluate, read_status

from .conftest import Job


def _losses(job: Job, train: list[float], val: list[float] | None = None, every: int = 1) -> None:
    """TRAIN losses, and after every ``every`` of them one EVAL loss from ``val``."""
    hook = job.hook()
    val_iter = iter(val or [])
    for i, value in enumerate(train):
        hook.set_mode(modes.TRAIN)
        hook.save_scalar("loss", value)
        hook.next_step()
        if val is not None and (i + 1) % every == 0:
            hook.set_mode(modes.EVAL)
            hook.save_scalar("loss", next(val_iter))
            hook.next_step()
    hook.close()


def _run(job: Job, name: str, tmp_path: Path, **parameters: object) -> base.Finding | None:
    job.end()
    return evaluate(job.rule(name, **parameters), tmp_path / "rule-out", poll_s=0)


def test_every_tensor_rule_of_the_catalog_is_implemented() -> None:
    tensor_rules = {name for name, spec in RULES.items() if not spec.profiler}
    assert set(IMPLEMENTATIONS) == tensor_rules
    for name in tensor_rules:
        assert implementation(name).name == name


def test_loss_not_decreasing_fires_on_a_flat_loss(job: Job, tmp_path: Path) -> None:
    _losses(job, [1.0] * 30)
    finding = _run(job, "LossNotDecreasing", tmp_path)
    assert finding is not None
    assert finding.step == 10
    assert finding.host == "algo-1"
    assert "did not decrease" in finding.message
    status = read_status(tmp_path / "rule-out")
    assert status is not None
    assert status["RuleEvaluationStatus"] == "IssuesFound"
    assert status["Step"] == 10


def test_loss_not_decreasing_quiet_on_a_falling_loss(job: Job, tmp_path: Path) -> None:
    _losses(job, [1.0 / (step + 1) for step in range(40)])
    assert _run(job, "LossNotDecreasing", tmp_path) is None
    status = read_status(tmp_path / "rule-out")
    assert status is not None
    assert status["RuleEvaluationStatus"] == "NoIssuesFound"


def test_loss_not_decreasing_rise_and_nan_and_mode(job: Job, tmp_path: Path) -> None:
    # falls by 1% a step, then climbs: the rise above the lowest window fires
    falling = [1.0 * 0.99**s for s in range(20)]
    rule = job.rule("LossNotDecreasing", num_steps=5, diff_percent=0.0)
    _losses(job, falling + [falling[-1] * 1.2] * 10)
    finding = rule.check(final=True)
    assert finding is not None
    assert "rose more than 5%" in finding.message

    other = Job(tmp_path / "other")
    other.folder.mkdir()
    # TRAIN falls, EVAL is NaN: the EVAL mode is read first by default
    _losses(other, [1.0 / (s + 1) for s in range(20)], [0.5, float("nan")], every=10)
    finding = other.rule("LossNotDecreasing").check(final=True)
    assert finding is not None
    assert "nan" in finding.message
    assert "EVAL" in finding.message
    assert other.rule("LossNotDecreasing", mode="TRAIN").check(final=True) is None


def test_overfit(job: Job, tmp_path: Path) -> None:
    train = [1.0 / (s + 1) for s in range(40)]
    _losses(job, train, [0.5, 0.5, 0.5, 0.5], every=10)
    finding = _run(job, "Overfit", tmp_path, patience=2)
    assert finding is not None
    assert "validation loss" in finding.message

    healthy = Job(tmp_path / "healthy")
    healthy.folder.mkdir()
    # the validation loss a little (5%) above the training loss of the epoch
    val = [1.02 * float(np.mean(train[i : i + 10])) for i in range(0, 40, 10)]
    _losses(healthy, train, val, every=10)
    healthy.end()
    assert evaluate(healthy.rule("Overfit"), tmp_path / "out2", poll_s=0) is None


def test_overtraining(job: Job, tmp_path: Path) -> None:
    train = [1.0 - 0.015 * s for s in range(60)]  # improves by more than delta a step
    val = [0.5, 0.4, 0.35, 0.35, 0.36, 0.35, 0.36, 0.35, 0.36, 0.35, 0.36, 0.35]
    _losses(job, train, val, every=5)
    finding = _run(job, "Overtraining", tmp_path, patience_validation=5, delta=0.01)
    assert finding is not None
    assert "validation loss has not improved" in finding.message

    healthy = Job(tmp_path / "healthy")
    healthy.folder.mkdir()
    _losses(healthy, train, [0.9**i for i in range(12)], every=5)
    healthy.end()
    rule = healthy.rule("Overtraining", patience_validation=5, delta=0.01)
    assert evaluate(rule, tmp_path / "out2", poll_s=0) is None


def test_stalled_training(job: Job, monkeypatch: pytest.MonkeyPatch) -> None:
    _losses(job, [1.0, 0.9])
    rule = job.rule("StalledTrainingRule", threshold=60)
    assert rule.check(final=False) is None  # it just wrote
    monkeypatch.setattr(base, "now", lambda: time.time() + 120)
    finding = rule.check(final=False)
    assert finding is not None
    assert "no new step" in finding.message
    assert rule.check(final=True) is None  # an ended job is not stalled


def test_stalled_training_counts_profiler_samples(
    job: Job, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "now", lambda: time.time() + 120)
    rule = job.rule("StalledTrainingRule", threshold=60)
    assert rule.check(final=False) is not None  # created two minutes "ago", nothing since
    samples = job.context.profiler_file("algo-1")
    samples.parent.mkdir(parents=True)
    samples.write_text('{"t": 0}\n')
    future = time.time() + 100
    import os

    os.utime(samples, (future, future))
    assert rule.check(final=False) is None


def _tensors(job: Job, name: str, collection: str, values: list[np.ndarray]) -> None:
    hook = job.hook()
    hook.set_mode(modes.TRAIN)
    for value in values:
        hook.save_tensor(name, value, collection)
        hook.next_step()
    hook.close()


def test_exploding_tensor(job: Job, tmp_path: Path) -> None:
    values = [np.ones(50) * s for s in range(3)] + [np.array([1.0, np.inf]), np.array([np.nan])]
    _tensors(job, "gradients/w", "gradients", values)
    finding = job.rule("ExplodingTensor").check(final=True)
    assert finding is not None
    assert finding.step == 3
    assert "infinity" in finding.message
    finding = job.rule("ExplodingTensor", only_nan=True).check(final=True)
    assert finding is not None
    assert finding.step == 4
    assert "NaN" in finding.message
    assert job.rule("ExplodingTensor", collection_names="weights").check(final=True) is None

    healthy = Job(tmp_path / "healthy")
    healthy.folder.mkdir()
    _tensors(healthy, "gradients/w", "gradients", [np.ones(50) * 1e30 for _ in range(5)])
    healthy.end()
    assert evaluate(healthy.rule("ExplodingTensor"), tmp_path / "o", poll_s=0) is None


def test_vanishing_gradient(job: Job, tmp_path: Path) -> None:
    _tensors(job, "gradients/w", "gradients", [np.full(20, 3 * 10.0**-s) for s in range(10)])
    finding = job.rule("VanishingGradient").check(final=True)
    assert finding is not None
    assert finding.step == 8

    healthy = Job(tmp_path / "healthy")
    healthy.folder.mkdir()
    _tensors(healthy, "gradients/w", "gradients", [np.full(20, 1e-3) for _ in range(10)])
    assert healthy.rule("VanishingGradient").check(final=True) is None


def test_weight_update_ratio(job: Job, tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    w = rng.normal(size=100)
    values = [w, w * 1.01, w * 1.02, w * 500]  # a jump
    _tensors(job, "weights/w", "weights", values)
    finding = job.rule("WeightUpdateRatio").check(final=True)
    assert finding is not None
    assert finding.step == 3
    assert "too large" in finding.message

    frozen = Job(tmp_path / "frozen")
    frozen.folder.mkdir()
    _tensors(frozen, "weights/w", "weights", [np.zeros(10), w, w, w])  # zeros: not judged
    finding = frozen.rule("WeightUpdateRatio").check(final=True)
    assert finding is not None
    assert finding.step == 2
    assert "too small" in finding.message

    healthy = Job(tmp_path / "healthy")
    healthy.folder.mkdir()
    steps = [w + 0.01 * s * rng.normal(size=100) for s in range(6)]
    _tensors(healthy, "weights/w", "weights", steps)
    assert healthy.rule("WeightUpdateRatio").check(final=True) is None


def _classes(job: Job, labels: np.ndarray, predictions: np.ndarray, batch: int = 100) -> None:
    hook = job.hook()
    for i in range(0, len(labels), batch):
        hook.save_tensor("CrossEntropyLoss_input_1", labels[i : i + batch], "labels")
        hook.save_tensor("CrossEntropyLoss_input_0", predictions[i : i + batch], "predictions")
        hook.next_step()
    hook.close()


def test_class_imbalance(job: Job, tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    labels = (rng.random(1000) < 0.05).astype(int)  # ~19:1
    scores = np.eye(2)[labels]  # one-hot scores: every prediction right
    _classes(job, labels[:400], scores[:400])
    rule = job.rule("ClassImbalance", argmax=True)
    assert rule.check(final=False) is None  # 400 < 500 samples so far
    _classes(job, labels, scores)
    finding = rule.check(final=True)
    assert finding is not None
    assert "samples of class" in finding.message

    wrong = Job(tmp_path / "wrong")
    wrong.folder.mkdir()
    balanced = np.tile([0, 1], 400)
    predicted = np.zeros_like(balanced)  # class 1 always predicted as 0
    _classes(wrong, balanced, predicted)
    finding = wrong.rule("ClassImbalance").check(final=True)
    assert finding is not None
    assert "class 1 is mispredicted 100%" in finding.message

    healthy = Job(tmp_path / "healthy")
    healthy.folder.mkdir()
    _classes(healthy, balanced, balanced.copy())
    assert healthy.rule("ClassImbalance").check(final=True) is None


def test_a_damaged_step_is_a_warning_not_an_error(job: Job, tmp_path: Path) -> None:
    _losses(job, [1.0 / (s + 1) for s in range(30)])
    victim = job.tensors() / "events" / "000000000005_algo-1.step"
    victim.write_bytes(victim.read_bytes()[:-3])
    assert _run(job, "LossNotDecreasing", tmp_path) is None
    status = read_status(tmp_path / "rule-out")
    assert status is not None
    assert status["RuleEvaluationStatus"] == "NoIssuesFound"
    assert any("000000000005_algo-1.step" in w for w in status["Warnings"])
    assert "skipped" in status["StatusDetails"]


def test_rules_read_steps_as_they_appear(job: Job) -> None:
    hook = job.hook()
    rule = job.rule("LossNotDecreasing", num_steps=3)
    for step in range(3):
        hook.save_scalar("loss", 1.0 / (step + 1))
        hook.next_step()
        hook.flush()
        assert rule.check(final=False) is None
    hook.save_scalar("loss", 0.4)  # step 3: the window 1..3 fell from 1.0 to 0.41
    hook.next_step()
    hook.flush()
    assert rule.check(final=False) is None
    for _ in range(3):  # steps 4..6: up to 0.5
        hook.save_scalar("loss", 0.5)
        hook.next_step()
    hook.flush()
    finding = rule.check(final=False)
    assert finding is not None
    assert finding.step == 6
