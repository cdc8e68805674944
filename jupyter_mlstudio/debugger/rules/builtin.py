"""The built-in tensor rules, by SageMaker Debugger's names and documented meaning.

Each reads the training job's saved tensors through one :class:`~..trials.Trial` (every
host's folder), kept between checks: a check reads only the step files written since the
last one, and each rule keeps a cursor per tensor and worker so a step is judged once. A
step the trial could not read is passed on as a warning. ``start_step``/``end_step``
(every rule's) bound the steps looked at, in the numbering the rule reads (global steps,
or the mode's own steps where a rule reads one mode).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..modes import EVAL, GLOBAL, TRAIN, ModeKeys
from ..trials import StepEntry, Tensor, Trial
from . import base
from .base import Finding, Rule


def _names(text: str) -> list[str]:
    return [part.strip() for part in str(text or "").split(",") if part.strip()]


class TensorRule(Rule):
    """A rule over saved tensors: the trial, the warnings, the step bounds, and a cursor
    of the entries already judged."""

    def __init__(self, context: base.RuleContext, parameters: dict[str, Any]) -> None:
        super().__init__(context, parameters)
        self._trial: Trial | None = None
        self._done: dict[tuple[str, str, ModeKeys | None], int] = {}

    def trial(self) -> Trial:
        """The job's trial, refreshed (new steps read, unreadable ones warned about)."""
        if self._trial is None:
            self._trial = self.context.trial()
        else:
            self._trial.refresh()
        for message in self._trial.skipped:
            self.warn(f"skipped {message}")
        return self._trial

    def in_bounds(self, step: int) -> bool:
        """Whether ``step`` is within ``start_step``/``end_step``."""
        start = self.parameters.get("start_step")
        end = self.parameters.get("end_step")
        return (start is None or step >= start) and (end is None or step < end)

    def new_entries(
        self, tensor: Tensor, mode: ModeKeys | None = None
    ) -> Iterable[tuple[str, int, StepEntry]]:
        """(worker, step, entry) of ``tensor`` not judged yet, in step order per worker;
        steps are global with ``mode`` None, else the mode's."""
        for worker in tensor.workers():
            key = (tensor.name, worker, mode)
            last = self._done.get(key, -1)
            for step in tensor.steps(mode, worker):
                if step <= last or not self.in_bounds(step):
                    continue
                self._done[key] = step
                yield worker, step, tensor.entry(step, mode, worker)

    def select(self, trial: Trial, collections: Iterable[str], regex: str) -> list[str]:
        """Tensor names in any of ``collections`` or matching any of the ``regex``
        patterns (comma separated)."""
        names: set[str] = set()
        for collection in collections:
            names.update(trial.tensor_names(collection=collection))
        patterns = _names(regex)
        if patterns:
            names.update(trial.tensor_names(regex=patterns))
        return sorted(names)

    def value(self, entry: StepEntry) -> float | None:
        """A scalar (an array's mean) of an entry; None (warned) when it cannot be read."""
        if entry.is_scalar:
            return float(entry.meta["value"])
        mean = entry.summary().get("mean")
        return None if mean is None else float(mean)


def _finite(value: float) -> bool:
    return math.isfinite(value)


class LossNotDecreasing(TensorRule):
    """Fires when the loss did not go down: the loss is compared every ``num_steps`` steps
    (the first saved step at least ``num_steps`` after the last comparison) with the last
    comparison's — each side the mean of the losses saved since the comparison before —
    and the rule fires when it fell by less than ``diff_percent`` %, rose more than
    ``increase_threshold_percent`` % above the lowest loss seen, or is not finite. The
    losses are the ``losses`` collection (``use_losses_collection``), the collections in
    ``collection_names`` and the tensors matching ``tensor_regex``; ``mode`` picks the
    mode, else each tensor's first of EVAL, TRAIN, GLOBAL with steps."""

    name = "LossNotDecreasing"

    def __init__(self, context: base.RuleContext, parameters: dict[str, Any]) -> None:
        super().__init__(context, parameters)
        #: per (tensor, worker): [last checkpoint step, values since, previous mean, best]
        self._state: dict[tuple[str, str], list[Any]] = {}

    def _mode(self, tensor: Tensor) -> ModeKeys:
        wanted = str(self.parameters.get("mode") or "").strip().upper()
        if wanted in ModeKeys.__members__:
            return ModeKeys[wanted]
        for mode in (EVAL, TRAIN):
            if tensor.steps(mode):
                return mode
        return GLOBAL

    def check(self, final: bool) -> Finding | None:
        trial = self.trial()
        collections = _names(self.parameters.get("collection_names", ""))
        if self.parameters.get("use_losses_collection", True):
            collections.append("losses")
        names = self.select(trial, collections, self.parameters.get("tensor_regex", ""))
        num_steps = max(1, int(self.parameters.get("num_steps") or 1))
        diff = float(self.parameters.get("diff_percent") or 0.0) / 100.0
        rise = float(self.parameters.get("increase_threshold_percent") or 0.0) / 100.0
        for name in names:
            tensor = trial.tensor(name)
            mode = self._mode(tensor)
            query = None if mode is GLOBAL else mode
            for worker, step, entry in self.new_entries(tensor, query):
                value = self.value(entry)
                if value is None:
                    continue
                if not _finite(value):
                    return Finding(
                        f"{name} is {value} at step {step} ({mode.name})",
                        step=step,
                        host=worker,
                        details={"tensor": name, "mode": mode.name, "loss": str(value)},
                    )
                state = self._state.get((name, worker))
                if state is None:  # the first saved step is the first checkpoint
                    self._state[(name, worker)] = [step, [], value, value]
                    continue
                state[1].append(value)
                if step - state[0] < num_steps:
                    continue
                mean = float(np.mean(state[1]))
                previous, best = state[2], state[3]
                state[:] = [step, [], mean, min(best, mean)]
                if mean > best + rise * abs(best):
                    return Finding(
                        f"{name} ({mode.name}) rose more than {rise * 100:g}% above its "
                        f"lowest ({best:.6g}): {mean:.6g} at step {step}",
                        step=step,
                        host=worker,
                        details={"tensor": name, "best": best, "current": mean},
                    )
                if previous - mean < diff * abs(previous):
                    return Finding(
                        f"{name} ({mode.name}) did not decrease by {diff * 100:g}% over "
                        f"{num_steps} steps: {previous:.6g} -> {mean:.6g} at step {step}",
                        step=step,
                        host=worker,
                        details={"tensor": name, "previous": previous, "current": mean},
                    )
        return None


def _loss_names(trial: Trial) -> list[str]:
    return trial.tensor_names(collection="losses")


class Overfit(TensorRule):
    """Fires when the validation loss runs away from the training loss: for each
    evaluation (consecutive EVAL steps of a loss tensor), (mean validation loss - mean
    training loss since the previous evaluation) / mean training loss above
    ``ratio_threshold`` for ``patience`` evaluations in a row. A loss tensor is one of
    the ``losses`` collection saved in both TRAIN and EVAL mode."""

    name = "Overfit"

    def check(self, final: bool) -> Finding | None:
        trial = self.trial()
        patience = max(1, int(self.parameters.get("patience") or 1))
        threshold = float(self.parameters.get("ratio_threshold") or 0.0)
        for name in _loss_names(trial):
            tensor = trial.tensor(name)
            for worker in tensor.workers():
                found = self._judge(tensor, worker, patience, threshold, final)
                if found is not None:
                    return found
        return None

    def _judge(
        self, tensor: Tensor, worker: str, patience: int, threshold: float, final: bool
    ) -> Finding | None:
        entries = [tensor.entry(s, None, worker) for s in tensor.steps(None, worker)]
        entries = [e for e in entries if e.mode in (TRAIN, EVAL) and self.in_bounds(e.step)]
        blocks: list[tuple[list[float], list[float], int]] = []  # (train, eval, last step)
        train: list[float] = []
        evals: list[float] = []
        for entry in entries:
            value = self.value(entry)
            if value is None:
                continue
            if entry.mode is TRAIN:
                if evals:
                    blocks.append((train, evals, entry.step))
                    train, evals = [], []
                train.append(value)
            else:
                evals.append(value)
                last = entry.step
        if evals and final:
            blocks.append((train, evals, last))
        streak = 0
        previous_train: list[float] = []
        for train_values, eval_values, step in blocks:
            train_values = train_values or previous_train
            previous_train = train_values
            if not train_values:
                continue
            mean_train = float(np.mean(train_values))
            mean_eval = float(np.mean(eval_values))
            ratio = (mean_eval - mean_train) / max(abs(mean_train), 1e-12)
            streak = streak + 1 if ratio > threshold else 0
            if streak >= patience:
                return Finding(
                    f"{tensor.name}: validation loss {mean_eval:.6g} is {ratio:.1%} above the "
                    f"training loss {mean_train:.6g} for {streak} evaluation(s)",
                    step=step,
                    host=worker,
                    details={"tensor": tensor.name, "ratio": ratio, "train": mean_train},
                )
        return None


class Overtraining(TensorRule):
    """Fires when a loss stops improving: the training loss has not fallen below its best
    by more than ``delta`` for ``patience_train`` saved TRAIN steps, or the validation
    loss for ``patience_validation`` saved EVAL steps (``losses`` collection)."""

    name = "Overtraining"

    def __init__(self, context: base.RuleContext, parameters: dict[str, Any]) -> None:
        super().__init__(context, parameters)
        self._best: dict[tuple[str, str, ModeKeys], list[float]] = {}  # [best, since]

    def check(self, final: bool) -> Finding | None:
        trial = self.trial()
        delta = float(self.parameters.get("delta") or 0.0)
        for name in _loss_names(trial):
            tensor = trial.tensor(name)
            for mode, key, label in (
                (TRAIN, "patience_train", "training"),
                (EVAL, "patience_validation", "validation"),
            ):
                patience = max(1, int(self.parameters.get(key) or 1))
                for worker, step, entry in self.new_entries(tensor, mode):
                    value = self.value(entry)
                    if value is None or not _finite(value):
                        continue
                    state = self._best.get((name, worker, mode))
                    if state is None:
                        self._best[(name, worker, mode)] = [value, 0.0]
                        continue
                    if value < state[0] - delta:
                        state[:] = [value, 0.0]
                        continue
                    state[1] += 1
                    if state[1] >= patience:
                        return Finding(
                            f"{name}: the {label} loss has not improved by more than {delta:g} "
                            f"for {int(state[1])} steps (best {state[0]:.6g})",
                            step=step,
                            host=worker,
                            details={"tensor": name, "mode": mode.name, "best": state[0]},
                        )
        return None


class StalledTrainingRule(TensorRule):
    """Fires when the training job wrote nothing — no saved step, profiler sample or
    tracking-channel metric — for ``threshold`` seconds while it runs (from its creation
    when it has written nothing yet). Never fires once the job has ended."""

    name = "StalledTrainingRule"

    def check(self, final: bool) -> Finding | None:
        if final:
            return None
        times = [self.context.created_at or 0.0]
        last = self.trial().last_step_time()
        if last is not None:
            times.append(last)
        for host in self.context.hosts:
            for path in (self.context.profiler_file(host), self.context.metrics_file(host)):
                with contextlib.suppress(OSError):
                    times.append(path.stat().st_mtime)
        for folder in self.context.tensor_folders():
            with contextlib.suppress(OSError):
                times.append((folder / "events").stat().st_mtime)
        latest = max(times)
        if latest <= 0:
            return None
        idle = base.now() - latest
        threshold = float(self.parameters.get("threshold") or 0)
        if idle > threshold:
            return Finding(
                f"no new step, sample or metric for {idle:.0f} s (threshold {threshold:g} s)",
                details={"idle_s": idle, "last": latest},
            )
        return None


class ExplodingTensor(TensorRule):
    """Fires on a saved tensor holding NaN or ±inf (only NaN with ``only_nan``): the
    tensors of ``collection_names`` and those matching ``tensor_regex``, else every
    tensor."""

    name = "ExplodingTensor"

    def check(self, final: bool) -> Finding | None:
        trial = self.trial()
        collections = _names(self.parameters.get("collection_names", ""))
        regex = self.parameters.get("tensor_regex", "")
        names = self.select(trial, collections, regex) if collections or _names(regex) else None
        only_nan = bool(self.parameters.get("only_nan"))
        for name in trial.tensor_names() if names is None else names:
            for worker, step, entry in self.new_entries(trial.tensor(name)):
                summary = entry.summary()
                if summary.get("nan") or (not only_nan and summary.get("inf")):
                    what = "NaN" if summary.get("nan") else "infinity"
                    return Finding(
                        f"{name} holds {what} at step {step}",
                        step=step,
                        host=worker,
                        details={"tensor": name, "mode": entry.mode.name},
                    )
        return None


class VanishingGradient(TensorRule):
    """Fires when the mean absolute value of a gradient (``gradients`` collection) falls
    below ``threshold``."""

    name = "VanishingGradient"

    def check(self, final: bool) -> Finding | None:
        trial = self.trial()
        threshold = float(self.parameters.get("threshold") or 0.0)
        for name in trial.tensor_names(collection="gradients"):
            for worker, step, entry in self.new_entries(trial.tensor(name)):
                mean = entry.summary().get("abs_mean")
                if mean is not None and mean < threshold:
                    return Finding(
                        f"gradient {name} vanished: mean |g| = {mean:.3g} < {threshold:g} at "
                        f"step {step}",
                        step=step,
                        host=worker,
                        details={"tensor": name, "abs_mean": mean},
                    )
        return None


class WeightUpdateRatio(TensorRule):
    """Fires when a weight (``weights`` collection) changes too much or too little: the
    norm of its change since the previous saved step at most ``num_steps`` earlier,
    divided by the previous weight's norm + ``epsilon``, above ``large_threshold`` or
    below ``small_threshold``. Pairs whose earlier weight is all zeros (an
    initialization) are not judged."""

    name = "WeightUpdateRatio"

    def __init__(self, context: base.RuleContext, parameters: dict[str, Any]) -> None:
        super().__init__(context, parameters)
        self._previous: dict[tuple[str, str], StepEntry] = {}

    def check(self, final: bool) -> Finding | None:
        trial = self.trial()
        num_steps = int(self.parameters.get("num_steps") or 1)
        large = float(self.parameters["large_threshold"])
        small = float(self.parameters["small_threshold"])
        epsilon = float(self.parameters["epsilon"])
        for name in trial.tensor_names(collection="weights"):
            for worker, step, entry in self.new_entries(trial.tensor(name)):
                before = self._previous.get((name, worker))
                self._previous[(name, worker)] = entry
                if before is None or step - before.step > num_steps:
                    continue
                try:
                    old = np.asarray(before.value(), dtype=np.float64)
                    new = np.asarray(entry.value(), dtype=np.float64)
                except ValueError as exc:  # CorruptStep: the file changed since indexed
                    self.warn(f"skipped {name} at step {step}: {exc}")
                    continue
                if old.shape != new.shape or not np.any(old):
                    continue
                ratio = float(np.linalg.norm(new - old) / (np.linalg.norm(old) + epsilon))
                if ratio > large or ratio < small:
                    side = "large" if ratio > large else "small"
                    return Finding(
                        f"{name}: update/weight ratio {ratio:.3g} is too {side} between steps "
                        f"{before.step} and {step} (allowed {small:g}..{large:g})",
                        step=step,
                        host=worker,
                        details={"tensor": name, "ratio": ratio},
                    )
        return None


class ClassImbalance(TensorRule):
    """Fires on imbalanced classes or a class mostly mispredicted, once ``samples``
    labels were saved: the largest class over the smallest above
    ``threshold_imbalance``, or a class's share of wrong predictions above
    ``threshold_misprediction``. Labels are the tensors matching ``labels_regex``,
    predictions those matching ``predictions_regex`` (class scores with ``argmax``)."""

    name = "ClassImbalance"

    def __init__(self, context: base.RuleContext, parameters: dict[str, Any]) -> None:
        super().__init__(context, parameters)
        self._labels: list[np.ndarray] = []
        self._predictions: list[np.ndarray] = []
        self._seen: set[tuple[str, int]] = set()

    def _collect(self, trial: Trial) -> None:
        label_names = trial.tensor_names(regex=str(self.parameters["labels_regex"]))
        prediction_names = trial.tensor_names(regex=str(self.parameters["predictions_regex"]))
        if not label_names:
            return
        labels = trial.tensor(label_names[0])
        predictions = trial.tensor(prediction_names[0]) if prediction_names else None
        for worker, step, entry in self.new_entries(labels):
            if (worker, step) in self._seen:
                continue
            self._seen.add((worker, step))
            try:
                label = np.asarray(entry.value()).ravel()
                predicted = None
                if predictions is not None and step in predictions.steps(None, worker):
                    predicted = np.asarray(predictions.value(step, None, worker))
            except KeyError as exc:  # TensorUnavailable: a damaged file
                self.warn(f"skipped labels at step {step}: {exc}")
                continue
            if predicted is not None and self.parameters.get("argmax") and predicted.ndim > 1:
                predicted = predicted.argmax(axis=-1)
            if predicted is not None:
                predicted = predicted.ravel()
                if predicted.size != label.size:
                    predicted = None
            self._labels.append(label.astype(np.int64))
            self._predictions.append(
                np.full(label.size, np.iinfo(np.int64).min)
                if predicted is None
                else np.rint(predicted).astype(np.int64)
            )

    def check(self, final: bool) -> Finding | None:
        self._collect(self.trial())
        if not self._labels:
            return None
        labels = np.concatenate(self._labels)
        if labels.size < int(self.parameters.get("samples") or 0):
            return None
        predictions = np.concatenate(self._predictions)
        classes, counts = np.unique(labels, return_counts=True)
        imbalance = float(counts.max() / counts.min())
        limit = float(self.parameters["threshold_imbalance"])
        if imbalance > limit:
            return Finding(
                f"class {classes[counts.argmax()]} has {imbalance:.1f}x the samples of class "
                f"{classes[counts.argmin()]} (threshold {limit:g})",
                details={"counts": {str(c): int(n) for c, n in zip(classes, counts, strict=True)}},
            )
        known = predictions != np.iinfo(np.int64).min
        wrong_limit = float(self.parameters["threshold_misprediction"])
        for label in classes:
            mask = (labels == label) & known
            if mask.sum() == 0:
                continue
            wrong = float(np.mean(predictions[mask] != label))
            if wrong > wrong_limit:
                return Finding(
                    f"class {label} is mispredicted {wrong:.0%} of the time "
                    f"(threshold {wrong_limit:.0%})",
                    details={"class": str(label), "misprediction": wrong},
                )
        return None


IMPLEMENTATIONS: dict[str, type[Rule]] = {
    rule.name: rule
    for rule in (
        LossNotDecreasing,
        Overfit,
        Overtraining,
        StalledTrainingRule,
        ExplodingTensor,
        VanishingGradient,
        WeightUpdateRatio,
        ClassImbalance,
    )
}

__all__ = ["IMPLEMENTATIONS", "TensorRule"] + [name for name in IMPLEMENTATIONS]
