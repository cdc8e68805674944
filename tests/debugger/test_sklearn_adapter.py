"""scikit-learn training saved epoch by epoch, and the rules judging it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LogisticRegression, SGDClassifier, SGDRegressor
from sklearn.neural_network import MLPClassifier

from jupyter_mlstudio.debugger import SaveConfig, create_trial, modes
from jupyter_mlstudio.debugger.rules.evaluate import evaluate
from jupyter_mlstudio.debugger.sklearn import fit_with_hook, watch

from .conftest import Job

X, Y = make_classification(n_samples=600, n_features=20, random_state=0)


def _fit(job: Job, estimator: object, epochs: int = 30, **kwargs: object) -> None:
    hook = job.hook()
    fit_with_hook(estimator, X[:400], Y[:400], epochs=epochs, X_val=X[400:], y_val=Y[400:],
                  hook=hook, **kwargs)  # fmt: skip
    hook.close()


def test_a_huge_learning_rate_is_flagged(job: Job, tmp_path: Path) -> None:
    _fit(job, SGDClassifier(learning_rate="constant", eta0=1e6, random_state=0))
    job.end()
    finding = evaluate(job.rule("LossNotDecreasing"), tmp_path / "out", poll_s=0)
    assert finding is not None
    assert "did not decrease" in finding.message


def test_a_healthy_run_passes(job: Job, tmp_path: Path) -> None:
    model = SGDClassifier(loss="log_loss", learning_rate="constant", eta0=0.001, random_state=0)
    _fit(job, model)
    job.end()
    for rule in ("LossNotDecreasing", "ExplodingTensor", "VanishingGradient"):
        assert evaluate(job.rule(rule), tmp_path / rule, poll_s=0) is None, rule

    trial = create_trial(job.tensors())
    assert trial.tensor_names() == [
        "accuracy",
        "biases/intercept",
        "gradients/coef",
        "gradients/intercept",
        "labels",  # "all" collections are saved here
        "loss",
        "predictions",
        "weights/coef",
    ]
    loss = trial.tensor("loss")
    train = list(loss.values(modes.TRAIN).values())
    assert len(train) == 30
    assert train[-1] < train[0] / 2
    assert len(loss.steps(modes.EVAL)) == 30
    assert trial.tensor("accuracy").value(29, modes.TRAIN) > 0.9
    # the approximate gradient: the epoch's mean update over the learning rate
    w = trial.tensor("weights/coef")
    g = trial.tensor("gradients/coef")
    step, before = w.steps()[-1], w.steps()[-2]
    expected = -(w.value(step) - w.value(before)) / (400 * 0.001)
    np.testing.assert_allclose(g.value(step), expected)
    assert "gradients" in g.collections
    assert "weights" in w.collections
    assert "biases" in trial.tensor("biases/intercept").collections


def test_regressor_mlp_and_warm_start(tmp_path: Path) -> None:
    Xr, yr = make_regression(n_samples=200, n_features=5, noise=0.1, random_state=0)
    job = Job(tmp_path / "reg")
    hook = job.hook()
    fit_with_hook(SGDRegressor(eta0=0.01, random_state=0), Xr, yr, epochs=5, hook=hook)
    hook.close()
    trial = create_trial(job.tensors())
    assert trial.tensor("r2").value(4) > 0.9
    losses = list(trial.tensor("loss").values().values())
    assert losses[-1] < losses[0]

    job = Job(tmp_path / "mlp")
    hook = job.hook()
    mlp = MLPClassifier(hidden_layer_sizes=(8,), learning_rate_init=0.01, random_state=0)
    fit_with_hook(mlp, X, Y, epochs=3, hook=hook)
    hook.close()
    trial = create_trial(job.tensors())
    assert trial.tensor("weights/layer_0").value(2).shape == (20, 8)
    assert trial.tensor("loss").value(2) == pytest.approx(mlp.loss_)  # the MLP's own loss
    assert trial.has_tensor("gradients/layer_1")

    job = Job(tmp_path / "warm")
    hook = job.hook()
    fit_with_hook(LogisticRegression(), X, Y, epochs=3, hook=hook)
    hook.close()
    assert create_trial(job.tensors()).tensor("weights/coef").steps() == [0, 1, 2]


def test_labels_and_predictions_feed_class_imbalance(job: Job) -> None:
    skewed = np.r_[np.zeros(380, dtype=int), np.ones(20, dtype=int)]
    hook = job.hook(include_collections=["labels", "predictions", "losses"])
    fit_with_hook(SGDClassifier(random_state=0), X[:400], skewed, epochs=2, hook=hook)
    hook.close()
    rule = job.rule("ClassImbalance", labels_regex="^labels$", predictions_regex="^predictions$")
    finding = rule.check(final=True)
    assert finding is not None
    assert "19.0x" in finding.message


def test_without_a_debugger_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    model = watch(SGDClassifier(random_state=0), epochs=3).fit(X, Y)
    assert model.score(X, Y) > 0.8  # the estimator's own methods
    assert list(tmp_path.iterdir()) == []


def test_with_the_jobs_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "ml" / "output" / "tensors"
    config = tmp_path / "debughookconfig.json"
    config.write_text(
        json.dumps(
            {
                "LocalPath": str(out),
                "CollectionConfigurations": [
                    {"CollectionName": "losses", "CollectionParameters": {"save_interval": "2"}},
                    {"CollectionName": "weights", "CollectionParameters": {"save_interval": "1"}},
                ],
            }
        )
    )
    monkeypatch.setenv("SMDEBUG_CONFIG_FILE_PATH", str(config))
    fit_with_hook(SGDClassifier(random_state=0), X, Y, epochs=5)
    trial = create_trial(out)
    assert trial.tensor("loss").steps(modes.TRAIN) == [0, 2, 4]
    assert trial.tensor("weights/coef").steps(modes.TRAIN) == [0, 1, 2, 3, 4]
    assert not trial.has_tensor("gradients/coef")  # not a configured collection
    _ = SaveConfig  # the same names as smdebug's
