"""Debugger for scikit-learn estimators trained epoch by epoch: one line in a script.

::

    from jupyter_mlstudio.debugger.sklearn import fit_with_hook

    model = fit_with_hook(SGDClassifier(), X, y, epochs=20, X_val=X_val, y_val=y_val)

trains with ``partial_fit`` (SGDClassifier, SGDRegressor, MLPClassifier, Perceptron, ...)
or, for an estimator without it, ``fit`` with ``warm_start=True`` and ``max_iter=1`` (one
solver iteration an epoch: LogisticRegression, ...). One TRAIN step an epoch saves:

- ``loss`` (losses): MLP's own ``loss_`` when it has one; else cross-entropy of
  ``predict_proba``, the hinge loss of ``decision_function``, or for a regressor the
  mean squared error, on the training data;
- ``accuracy`` or ``r2`` (metrics);
- ``weights/coef`` (``coefs_`` as ``weights/layer_<i>`` for an MLP) and
  ``biases/intercept`` (``biases/layer_<i>``);
- ``gradients/...``: scikit-learn does not expose gradients, so these are an
  *approximation*: minus the epoch's weight change divided by the nominal learning rate
  (``eta0``/``learning_rate_init``, 1 when there is none) and by the number of updates in
  the epoch (samples for SGD, batches for an MLP, 1 for a warm-started solver) — the mean
  gradient of the epoch if the learning rate was constant, only its direction otherwise;
- ``labels``/``predictions`` (collections of those names) when included.

With ``X_val``/``y_val`` an EVAL step follows each epoch with the validation ``loss`` and
metric (the same names, so Overfit and Overtraining pair them). Without a Debugger
configuration the hook is a no-op and nothing is computed beyond the training itself.
scikit-learn is imported by the estimator's own module only: this module needs numpy.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .hook import Hook, NoOpHook, get_hook
from .modes import EVAL, TRAIN


def _classifier(estimator: Any) -> bool:
    from sklearn.base import is_classifier

    return bool(is_classifier(estimator))


def _loss(estimator: Any, X: Any, y: np.ndarray, training: bool) -> float:
    own = getattr(estimator, "loss_", None)
    if training and isinstance(own, (int, float)):
        return float(own)
    with np.errstate(all="ignore"):
        if not _classifier(estimator):
            predicted = np.asarray(estimator.predict(X), dtype=np.float64)
            return float(np.mean((predicted - y.astype(np.float64)) ** 2))
        classes = list(estimator.classes_)
        index = np.searchsorted(np.asarray(classes), y)
        try:
            proba = np.asarray(estimator.predict_proba(X), dtype=np.float64)
        except (AttributeError, NotImplementedError):
            proba = None
        if proba is not None:
            picked = proba[np.arange(len(y)), index]
            return float(-np.mean(np.log(np.clip(picked, 1e-15, 1.0))))
        scores = np.asarray(estimator.decision_function(X), dtype=np.float64)
        if scores.ndim == 1:  # binary: the positive class is classes[1]
            sign = np.where(index == 1, 1.0, -1.0)
            return float(np.mean(np.maximum(0.0, 1.0 - sign * scores)))
        rows = np.arange(len(y))
        true = scores[rows, index]
        others = scores.copy()
        others[rows, index] = -np.inf
        return float(np.mean(np.maximum(0.0, 1.0 - (true - others.max(axis=1)))))


def _metric(estimator: Any, X: Any, y: np.ndarray) -> tuple[str, float]:
    with np.errstate(all="ignore"):
        predicted = np.asarray(estimator.predict(X))
        if _classifier(estimator):
            return "accuracy", float(np.mean(predicted == y))
        truth = y.astype(np.float64)
        total = float(np.sum((truth - truth.mean()) ** 2))
        residual = float(np.sum((truth - predicted.astype(np.float64)) ** 2))
        return "r2", (1.0 - residual / total) if total > 0 else math.nan


def _parameters(estimator: Any) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    if hasattr(estimator, "coefs_"):
        for i, layer in enumerate(estimator.coefs_):
            out[f"weights/layer_{i}"] = np.array(layer, dtype=np.float64)
        for i, layer in enumerate(getattr(estimator, "intercepts_", [])):
            out[f"biases/layer_{i}"] = np.array(layer, dtype=np.float64)
        return out
    if hasattr(estimator, "coef_"):
        out["weights/coef"] = np.array(estimator.coef_, dtype=np.float64)
    if hasattr(estimator, "intercept_"):
        out["biases/intercept"] = np.atleast_1d(np.array(estimator.intercept_, dtype=np.float64))
    return out


def _updates_and_rate(estimator: Any, samples: int, incremental: bool) -> tuple[float, float]:
    if not incremental:
        return 1.0, 1.0
    if hasattr(estimator, "learning_rate_init"):  # an MLP: mini-batches
        batch = estimator.batch_size
        batch = min(200, samples) if batch == "auto" else int(batch)
        return float(math.ceil(samples / max(batch, 1))), float(estimator.learning_rate_init)
    rate = getattr(estimator, "eta0", None)
    return float(samples), float(rate) if rate else 1.0


def _save_parameters(
    hook: Hook | NoOpHook, before: dict[str, np.ndarray], after: dict[str, np.ndarray], scale: float
) -> None:
    for name, value in after.items():
        hook.save_tensor(name, value, "weights" if name.startswith("weights/") else "biases")
        old = before.get(name)
        if old is not None and old.shape == value.shape:
            with np.errstate(all="ignore"):
                gradient = -(value - old) / scale
            hook.save_tensor(f"gradients/{name.split('/', 1)[1]}", gradient, "gradients")


def _save_eval(hook: Hook | NoOpHook, estimator: Any, X: Any, y: np.ndarray) -> None:
    hook.set_mode(EVAL)
    if hook.would_save("loss"):
        hook.save_scalar("loss", _loss(estimator, X, y, training=False))
    metric = "accuracy" if _classifier(estimator) else "r2"
    if hook.would_save(metric, "metrics"):
        hook.save_tensor(metric, _metric(estimator, X, y)[1], "metrics")
    hook.next_step()


def fit_with_hook(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    epochs: int = 10,
    classes: Any = None,
    X_val: Any = None,
    y_val: Any = None,
    hook: Hook | NoOpHook | None = None,
) -> Any:
    """Train ``estimator`` for ``epochs`` epochs, saving what the Debugger wants per epoch.

    Args:
        estimator: A scikit-learn estimator with ``partial_fit``, or with ``warm_start``
            and ``max_iter``.
        X: Training features.
        y: Training targets.
        epochs: Passes over the data.
        classes: All class labels (a classifier's first ``partial_fit`` needs them;
            default: those in ``y``).
        X_val: Validation features (an EVAL step after each epoch).
        y_val: Validation targets.
        hook: The hook (default :func:`~.hook.get_hook`: the job's, or a no-op one).

    Returns:
        The trained estimator.

    Raises:
        TypeError: The estimator can be trained neither incrementally nor warm-started.
    """
    hook = get_hook() if hook is None else hook
    y_array = np.asarray(y)
    y_val_array = None if y_val is None else np.asarray(y_val)
    incremental = hasattr(estimator, "partial_fit")
    if not incremental:
        if not (hasattr(estimator, "warm_start") and hasattr(estimator, "max_iter")):
            raise TypeError(f"{type(estimator).__name__} has neither partial_fit nor warm_start")
        estimator.set_params(warm_start=True, max_iter=1)
    is_classifier = _classifier(estimator)
    if is_classifier and classes is None:
        classes = np.unique(y_array)
    samples = len(y_array)
    for _ in range(epochs):
        hook.set_mode(TRAIN)
        before = _parameters(estimator) if hook.enabled else {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # one iteration a call: "not converged"
            if incremental and is_classifier:
                estimator.partial_fit(X, y_array, classes=classes)
            elif incremental:
                estimator.partial_fit(X, y_array)
            else:
                estimator.fit(X, y_array)
        if not hook.enabled:
            hook.next_step()
            continue
        if hook.would_save("loss"):
            hook.save_scalar("loss", _loss(estimator, X, y_array, training=True))
        metric = "accuracy" if is_classifier else "r2"
        if hook.would_save(metric, "metrics"):
            hook.save_tensor(metric, _metric(estimator, X, y_array)[1], "metrics")
        updates, rate = _updates_and_rate(estimator, samples, incremental)
        _save_parameters(hook, before, _parameters(estimator), updates * rate)
        if hook.would_save("labels", "labels"):
            hook.save_tensor("labels", y_array, "labels")
            hook.save_tensor("predictions", np.asarray(estimator.predict(X)), "predictions")
        hook.next_step()
        if X_val is not None and y_val_array is not None:
            _save_eval(hook, estimator, X_val, y_val_array)
    hook.flush()  # every epoch on disk when fit returns (the hook stays open)
    return estimator


class DebuggedEstimator:
    """An estimator whose ``fit`` is :func:`fit_with_hook`; everything else (predict,
    score, attributes) is the estimator's."""

    def __init__(self, estimator: Any, hook: Hook | NoOpHook | None = None, epochs: int = 10):
        self.estimator = estimator
        self.hook = hook
        self.epochs = epochs

    def fit(self, X: Any, y: Any, **kwargs: Any) -> DebuggedEstimator:
        """Train as :func:`fit_with_hook` (its keyword arguments accepted)."""
        kwargs.setdefault("epochs", self.epochs)
        fit_with_hook(self.estimator, X, y, hook=self.hook, **kwargs)
        return self

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["estimator"], name)


def watch(
    estimator: Any, hook: Hook | NoOpHook | None = None, epochs: int = 10
) -> DebuggedEstimator:
    """``estimator`` wrapped so that its ``fit`` saves per epoch (:func:`fit_with_hook`).

    Args:
        estimator: The estimator.
        hook: The hook (default: the job's, or a no-op one).
        epochs: Passes over the data per ``fit``.

    Returns:
        The wrapped estimator.
    """
    return DebuggedEstimator(estimator, hook, epochs)
