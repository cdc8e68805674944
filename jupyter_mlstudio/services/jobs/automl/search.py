"""Which candidate to train next: an Optuna study over algorithms and their hyperparameters.

The same engine as the studio's tuning jobs (Optuna), asked trial by trial (ask/tell),
because each candidate is an ordinary training job that runs on the studio's runtime and
reports later; a library that wants to call the training function itself (FLAML,
auto-sklearn) cannot drive jobs that way. The space is conditional: the algorithm first,
then that algorithm's own hyperparameters (TPE handles the branches). The first trials
are every algorithm at its defaults, strongest first, so that even a small MaxCandidates
tries each algorithm once before tuning the best of them.

``ENSEMBLING`` mode trains every algorithm at its defaults and then one ensemble of the
best ones; ``HYPERPARAMETER_TUNING`` keeps tuning until MaxCandidates.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import optuna

from .job import automl_pipeline as ap

#: the order defaults are tried in (the strongest on typical tables first)
DEFAULT_ORDER = ("hist-gradient-boosting", "linear", "random-forest", "extra-trees")
#: how many of the best base candidates an ensemble averages
ENSEMBLE_SIZE = 3


def _distribution(param: ap.Param) -> optuna.distributions.BaseDistribution:
    if param.kind == "int":
        return optuna.distributions.IntDistribution(int(param.low), int(param.high))
    return optuna.distributions.FloatDistribution(param.low, param.high, log=param.kind == "log")


def _distributions(algorithm: str) -> dict[str, optuna.distributions.BaseDistribution]:
    out: dict[str, optuna.distributions.BaseDistribution] = {
        "algorithm": optuna.distributions.CategoricalDistribution(list(DEFAULT_ORDER))
    }
    for name, param in ap.ALGORITHMS[algorithm].space.items():
        out[f"{algorithm}.{name}"] = _distribution(param)
    return out


def _params(spec: ap.CandidateSpec) -> dict[str, Any]:
    return {"algorithm": spec.algorithm} | {
        f"{spec.algorithm}.{k}": v for k, v in spec.params.items()
    }


def _spec(params: dict[str, Any]) -> ap.CandidateSpec:
    algorithm = params["algorithm"]
    algo = ap.ALGORITHMS[algorithm]
    values = {}
    for name, param in algo.space.items():
        value = params[f"{algorithm}.{name}"]
        values[name] = int(value) if param.kind == "int" else float(value)
    return ap.CandidateSpec(algo.preprocessing, algorithm, values)


class CandidateSearch:
    """Proposes candidates and learns from their objective values.

    Args:
        maximize: Whether a larger objective is better.
        seed: The sampler's seed (the same request proposes the same candidates).
    """

    def __init__(self, *, maximize: bool, seed: int = ap.SEED) -> None:
        optuna.logging.set_verbosity(logging.WARNING)
        sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=len(DEFAULT_ORDER))
        self._study = optuna.create_study(
            direction="maximize" if maximize else "minimize", sampler=sampler
        )
        self._lock = threading.Lock()
        self._trials: dict[str, optuna.trial.Trial] = {}
        self._defaults_left = list(DEFAULT_ORDER)

    def ask(self, name: str) -> ap.CandidateSpec:
        """The next candidate, remembered as ``name`` until :meth:`tell`."""
        with self._lock:
            if self._defaults_left:
                algorithm = self._defaults_left.pop(0)
                self._study.enqueue_trial(_params(ap.default_spec(algorithm)))
            trial = self._study.ask()
            algorithm = trial.suggest_categorical("algorithm", list(DEFAULT_ORDER))
            values: dict[str, Any] = {"algorithm": algorithm}
            for key, dist in _distributions(algorithm).items():
                if key == "algorithm":
                    continue
                if isinstance(dist, optuna.distributions.IntDistribution):
                    values[key] = trial.suggest_int(key, dist.low, dist.high)
                else:
                    assert isinstance(dist, optuna.distributions.FloatDistribution)
                    values[key] = trial.suggest_float(key, dist.low, dist.high, log=dist.log)
            self._trials[name] = trial
            return _spec(values)

    def tell(self, name: str, value: float | None) -> None:
        """What candidate ``name`` scored (None: it failed or was stopped)."""
        with self._lock:
            trial = self._trials.pop(name, None)
            if trial is None:
                return
            if value is None:
                self._study.tell(trial, state=optuna.trial.TrialState.FAIL)
            else:
                self._study.tell(trial, value)

    def add_finished(self, spec: ap.CandidateSpec, value: float | None) -> None:
        """A candidate trained before this search existed (a restarted studio)."""
        with self._lock:
            if spec.algorithm in self._defaults_left and spec == ap.default_spec(spec.algorithm):
                self._defaults_left.remove(spec.algorithm)
            if spec.algorithm not in ap.ALGORITHMS:
                return
            state = (
                optuna.trial.TrialState.COMPLETE
                if value is not None
                else optuna.trial.TrialState.FAIL
            )
            self._study.add_trial(
                optuna.trial.create_trial(
                    params=_params(spec),
                    distributions=_distributions(spec.algorithm),
                    value=value,
                    state=state,
                )
            )

    def defaults_done(self) -> bool:
        """Every algorithm has been proposed at its defaults."""
        with self._lock:
            return not self._defaults_left
