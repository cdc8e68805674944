"""The search behind a tuning job: an Optuna study.

Strategies map to Optuna's samplers — ``Random`` → ``RandomSampler``, ``Grid`` →
``GridSampler``, ``Bayesian`` → ``TPESampler`` (multivariate, with a constant liar so that
parallel jobs spread out), ``Hyperband`` → TPE with ``HyperbandPruner`` — and early
stopping ``Auto`` to ``MedianPruner`` (SageMaker's rule: stop a job whose objective at a
step is worse than the median of the earlier jobs' at the same step). Ranges map to
Optuna distributions: ``Logarithmic`` → ``log=True``; ``ReverseLogarithmic`` samples
``1 - x`` on a log scale, so values crowd towards 1.

The study lives in memory: a restarted studio rebuilds it from the training jobs in the
store (:meth:`Search.add_finished`), as warm start seeds it from the parents' jobs.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.trial import FrozenTrial, Trial, TrialState

from .requests import Range

optuna.logging.set_verbosity(logging.WARNING)

#: Jobs that must end before early stopping judges others (Optuna's median rule).
EARLY_STOPPING_STARTUP_JOBS = 3
#: Objective values a job reports before early stopping may stop it.
EARLY_STOPPING_WARMUP_STEPS = 2


class Search:
    """Which hyperparameters to try next, and whether a running job should stop early.

    Args:
        ranges: The tuned hyperparameters.
        strategy: ``Bayesian``, ``Random``, ``Hyperband`` or ``Grid``.
        maximize: The objective's direction.
        early_stopping: ``TrainingJobEarlyStoppingType`` is ``Auto``.
        max_jobs: How many jobs the tuning job runs (sizes TPE's random start).
        seed: ``RandomSeed``.
        hyperband: ``(MinResource, MaxResource)`` for the Hyperband strategy.
    """

    def __init__(
        self,
        ranges: list[Range],
        *,
        strategy: str,
        maximize: bool,
        early_stopping: bool,
        max_jobs: int,
        seed: int | None = None,
        hyperband: tuple[int | None, int | None] = (None, None),
    ) -> None:
        self.ranges = {r.name: r for r in ranges}
        self._distributions = {r.name: _distribution(r) for r in ranges}
        sampler: optuna.samplers.BaseSampler
        pruner: optuna.pruners.BasePruner = optuna.pruners.NopPruner()
        if strategy == "Random":
            sampler = optuna.samplers.RandomSampler(seed=seed)
        elif strategy == "Grid":
            space = {r.name: list(r.values) for r in ranges}
            sampler = optuna.samplers.GridSampler(space, seed=seed)
        else:
            sampler = optuna.samplers.TPESampler(
                seed=seed,
                n_startup_trials=max(3, min(10, max_jobs // 4)),
                multivariate=True,
                constant_liar=True,
            )
        if strategy == "Hyperband":
            low, high = hyperband
            pruner = optuna.pruners.HyperbandPruner(
                min_resource=low or 1, max_resource=high or "auto", reduction_factor=3
            )
        elif early_stopping:
            pruner = optuna.pruners.MedianPruner(
                n_startup_trials=EARLY_STOPPING_STARTUP_JOBS,
                n_warmup_steps=EARLY_STOPPING_WARMUP_STEPS,
            )
        self.strategy = strategy
        self.study = optuna.create_study(
            direction="maximize" if maximize else "minimize", sampler=sampler, pruner=pruner
        )

    # -- asking and telling ------------------------------------------------------------

    def ask(self, hyperparameters: Mapping[str, str] | None = None) -> Trial:
        """A new trial: the sampler's choice, or ``hyperparameters`` (a job that runs
        already, adopted after a restart)."""
        if hyperparameters is not None:
            params = self._params(hyperparameters)
            if params is not None:
                self.study.enqueue_trial(params, skip_if_exists=False)
        return self.study.ask(self._distributions)

    def hyperparameters(self, trial: Trial) -> dict[str, str]:
        """The trial's values as the training job gets them (SageMaker passes strings)."""
        return {name: self._text(name, trial.params[name]) for name in self._distributions}

    def report(self, trial: Trial, value: float, step: int) -> bool:
        """Record an intermediate objective value; True when the job should stop early."""
        if not math.isfinite(value):
            return False
        trial.report(value, step)
        return trial.should_prune()

    def tell(self, trial: Trial, value: float | None, *, stopped_early: bool = False) -> None:
        """Record how a job ended: its final objective, or None when it has none."""
        try:
            if value is None or not math.isfinite(value):
                self.study.tell(trial, state=TrialState.FAIL)
            elif stopped_early:
                self.study.tell(trial, state=TrialState.PRUNED)
            else:
                self.study.tell(trial, value)
        except RuntimeError as exc:
            # GridSampler calls Study.stop() once the grid is covered, which only works
            # inside Study.optimize; the trial is stored all the same (Optuna stores it
            # in a ``finally``), and exhausted() tells the tuner the grid is done.
            if self.strategy != "Grid" or "Study.stop" not in str(exc):
                raise

    def add_finished(self, hyperparameters: Mapping[str, str], value: float | None) -> bool:
        """Seed the study with a job that has ended (its own after a restart, or a warm
        start parent's); False when its values lie outside these ranges."""
        params = self._params(hyperparameters)
        if params is None:
            return False
        ok = value is not None and math.isfinite(value)
        self.study.add_trial(
            optuna.trial.create_trial(
                params=params,
                distributions=self._distributions,
                value=value if ok else None,
                state=TrialState.COMPLETE if ok else TrialState.FAIL,
            )
        )
        return True

    def exhausted(self) -> bool:
        """A Grid search has tried every point."""
        if self.strategy != "Grid":
            return False
        sampler = self.study.sampler
        assert isinstance(sampler, optuna.samplers.GridSampler)
        tried = {
            tuple(sorted(t.params.items()))
            for t in self.study.get_trials(deepcopy=False)
            if t.state is not TrialState.FAIL
        }
        return len(tried) >= _grid_points(self.ranges)

    def finished_trials(self) -> list[FrozenTrial]:
        return self.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))

    # -- values ------------------------------------------------------------------------

    def _params(self, hyperparameters: Mapping[str, str]) -> dict[str, Any] | None:
        params: dict[str, Any] = {}
        for name, r in self.ranges.items():
            text = hyperparameters.get(name)
            if text is None:
                return None
            try:
                value = _parse(r, str(text))
            except ValueError:
                return None
            params[name] = value
        return params

    def _text(self, name: str, value: Any) -> str:
        r = self.ranges[name]
        if r.kind == "Integer":
            return str(int(value))
        if r.kind == "Continuous":
            number = 1.0 - float(value) if r.scaling == "ReverseLogarithmic" else float(value)
            return repr(min(max(number, r.low), r.high))
        return str(value)


def _distribution(r: Range) -> BaseDistribution:
    if r.kind == "Categorical":
        return CategoricalDistribution(list(r.values))
    if r.kind == "Integer":
        return IntDistribution(int(r.low), int(r.high), log=r.scaling == "Logarithmic")
    if r.scaling == "ReverseLogarithmic":
        # sample u = 1 - x in log scale: x near 1 is sampled finely
        return FloatDistribution(1.0 - r.high, 1.0 - r.low, log=True)
    return FloatDistribution(r.low, r.high, log=r.scaling == "Logarithmic")


def _parse(r: Range, text: str) -> Any:
    """The study's value of a hyperparameter's text; ValueError outside the range."""
    if r.kind == "Categorical":
        if text not in r.values:
            raise ValueError(text)
        return text
    number = float(text)
    if not r.low <= number <= r.high:
        raise ValueError(text)
    if r.kind == "Integer":
        return int(number)
    return 1.0 - number if r.scaling == "ReverseLogarithmic" else number


def _grid_points(ranges: Mapping[str, Range]) -> int:
    return math.prod(len(r.values) for r in ranges.values())
