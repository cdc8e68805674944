"""A tuner's settings: their checks, and the CreateHyperParameterTuningJob request made of
them.

:class:`TunerSettings` is the part of :class:`~.tuner.HyperparameterTuner` that sends
nothing: it refuses what SageMaker's service would refuse, naming the argument, and turns
the settings and the estimator's training job definition into the request. The tuner
adds starting, watching and reading the tuning job (:mod:`.tuner`).
"""

from __future__ import annotations

import json
import math
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..entities import utcnow
from ..entities.common import validate_name
from ..exceptions import ValidationError
from .estimator import Estimator
from .naming import base_name_from
from .parameter import (
    CategoricalParameter,
    ParameterRange,
    StrategyConfig,
    TuningJobCompletionCriteriaConfig,
    WarmStartConfig,
    hyperparameter_text,
)

STRATEGIES = ("Bayesian", "Random", "Hyperband", "Grid")
OBJECTIVE_TYPES = ("Maximize", "Minimize")
EARLY_STOPPING_TYPES = ("Off", "Auto")
#: the most training jobs of one tuning job (SageMaker's quota)
MAX_TRAINING_JOBS = 750
#: the longest tuning job name (SageMaker's)
TUNING_JOB_NAME_MAX_LENGTH = 32
#: the static hyperparameters ``fit(include_cls_metadata=True)`` records the estimator's
#: class in (JSON strings), for ``attach`` to rebuild it
ESTIMATOR_MODULE_KEY = "sagemaker_estimator_module"
ESTIMATOR_CLASS_NAME_KEY = "sagemaker_estimator_class_name"


def check_one_of(value: Any, allowed: Sequence[str], field: str) -> str:
    """``value``, when it is one of ``allowed``.

    Args:
        value: What was given.
        allowed: The values accepted.
        field: The argument's name, for the error.

    Returns:
        ``value`` as a string.

    Raises:
        ValidationError: Any other value, naming ``field``.
    """
    if value not in allowed:
        raise ValidationError(
            f"{field} must be one of {', '.join(allowed)}, not {value!r}", field=field
        )
    return str(value)


def check_count(value: Any, field: str, *, least: int = 1, most: int | None = None) -> int:
    """``value``, when it is an integer (not a bool) from ``least`` to ``most``.

    Args:
        value: What was given.
        field: The argument's name, for the error.
        least: The smallest value accepted.
        most: The largest value accepted (None: no limit).

    Returns:
        ``value``.

    Raises:
        ValidationError: Anything else, naming ``field``.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValidationError(f"{field} must be an integer of at least {least}", field=field)
    if most is not None and value > most:
        raise ValidationError(f"{field} must be at most {most} (got {value})", field=field)
    return value


def metric_definitions_of(value: Any, field: str) -> list[dict[str, str]]:
    """Metric definitions, checked: each a ``{"Name", "Regex"}`` whose regex compiles.

    Args:
        value: None or a list of mappings.
        field: The argument's name, for the error.

    Returns:
        The definitions as plain dicts of ``Name`` and ``Regex`` (none for None).

    Raises:
        ValidationError: Not a list, an item without a name or regex
            (``<field>[i]``), or a regex that does not compile (``<field>[i].Regex``).
    """
    if value is None:
        return []
    if isinstance(value, str | Mapping) or not isinstance(value, Iterable):
        raise ValidationError(f"{field} must be a list of {{'Name', 'Regex'}}", field=field)
    found = []
    for i, item in enumerate(value):
        name = item.get("Name") if isinstance(item, Mapping) else None
        regex = item.get("Regex") if isinstance(item, Mapping) else None
        if not isinstance(name, str) or not name or not isinstance(regex, str) or not regex:
            raise ValidationError(
                f"{field}[{i}] must be {{'Name': str, 'Regex': str}}", field=f"{field}[{i}]"
            )
        try:
            re.compile(regex)
        except re.error as exc:
            raise ValidationError(
                f"{field}[{i}]: bad regex {regex!r}: {exc}", field=f"{field}[{i}].Regex"
            ) from None
        found.append({"Name": name, "Regex": regex})
    return found


class TunerSettings:
    """What a tuner asks for, checked, and the request made of it (the module docstring).

    :class:`~.tuner.HyperparameterTuner` takes the settings in its constructor and
    documents them; this class has no constructor of its own.
    """

    TUNING_JOB_NAME_MAX_LENGTH = TUNING_JOB_NAME_MAX_LENGTH
    SAGEMAKER_ESTIMATOR_MODULE = ESTIMATOR_MODULE_KEY
    SAGEMAKER_ESTIMATOR_CLASS_NAME = ESTIMATOR_CLASS_NAME_KEY
    DEFAULT_ESTIMATOR_MODULE = "jupyter_mlstudio.sdk.estimator"
    DEFAULT_ESTIMATOR_CLS_NAME = "Estimator"

    estimator: Estimator
    objective_metric_name: str
    _hyperparameter_ranges: dict[str, ParameterRange]
    metric_definitions: list[dict[str, str]] | None
    strategy: str
    strategy_config: StrategyConfig | None
    completion_criteria_config: TuningJobCompletionCriteriaConfig | None
    objective_type: str
    max_jobs: int | None
    max_parallel_jobs: int
    max_runtime_in_seconds: int | None
    tags: list[dict[str, str]] | None
    base_tuning_job_name: str | None
    warm_start_config: WarmStartConfig | None
    early_stopping_type: str
    random_seed: int | None
    static_hyperparameters: dict[str, str] | None

    # -- checks ------------------------------------------------------------------------
    def _validate(self) -> None:
        """Everything SageMaker's service would refuse, naming the argument."""
        if not self._hyperparameter_ranges:
            raise ValidationError("give at least one range", field="hyperparameter_ranges")
        strategy = check_one_of(self.strategy, STRATEGIES, "strategy")
        check_one_of(self.objective_type, OBJECTIVE_TYPES, "objective_type")
        check_one_of(self.early_stopping_type, EARLY_STOPPING_TYPES, "early_stopping_type")
        for name, parameter_range in self._hyperparameter_ranges.items():
            field = f"hyperparameter_ranges.{name}"
            if not isinstance(name, str) or not name:
                raise ValidationError("range names must be non-empty strings", field=field)
            if not isinstance(parameter_range, ParameterRange):
                raise ValidationError(
                    f"{field} must be an IntegerParameter, ContinuousParameter or"
                    " CategoricalParameter",
                    field=field,
                )
            parameter_range.validate(name)
            if strategy == "Grid" and not isinstance(parameter_range, CategoricalParameter):
                raise ValidationError(
                    f"{field}: the Grid strategy takes categorical ranges only", field=field
                )
        if not isinstance(self.objective_metric_name, str) or not self.objective_metric_name:
            raise ValidationError(
                "objective_metric_name must be a non-empty string", field="objective_metric_name"
            )
        if self.objective_metric_name not in {d["Name"] for d in self._all_metric_definitions()}:
            raise ValidationError(
                f"no metric definition is named {self.objective_metric_name!r}: add"
                " {'Name', 'Regex'} to metric_definitions (or the estimator's)",
                field="objective_metric_name",
            )
        most = self.max_jobs
        if most is not None:
            check_count(most, "max_jobs", most=MAX_TRAINING_JOBS)
        else:
            most = self._grid_size()
        check_count(self.max_parallel_jobs, "max_parallel_jobs")
        if self.max_parallel_jobs > most:
            raise ValidationError(
                f"max_parallel_jobs ({self.max_parallel_jobs}) exceeds max_jobs ({most})",
                field="max_parallel_jobs",
            )
        if self.max_runtime_in_seconds is not None:
            check_count(self.max_runtime_in_seconds, "max_runtime_in_seconds")
        if self.random_seed is not None:
            check_count(self.random_seed, "random_seed", least=0)
        self._validate_configs(strategy)

    def _validate_configs(self, strategy: str) -> None:
        if self.strategy_config is not None:
            if not isinstance(self.strategy_config, StrategyConfig):
                raise ValidationError(
                    "strategy_config must be a StrategyConfig", field="strategy_config"
                )
            if strategy != "Hyperband":
                raise ValidationError(
                    "strategy_config goes with the Hyperband strategy", field="strategy_config"
                )
        if strategy == "Hyperband" and self.early_stopping_type != "Off":
            raise ValidationError(
                "Hyperband stops jobs itself: early_stopping_type must be Off",
                field="early_stopping_type",
            )
        if self.warm_start_config is not None and not isinstance(
            self.warm_start_config, WarmStartConfig
        ):
            raise ValidationError(
                "warm_start_config must be a WarmStartConfig", field="warm_start_config"
            )
        if self.completion_criteria_config is not None and not isinstance(
            self.completion_criteria_config, TuningJobCompletionCriteriaConfig
        ):
            raise ValidationError(
                "completion_criteria_config must be a TuningJobCompletionCriteriaConfig",
                field="completion_criteria_config",
            )

    def _grid_size(self) -> int:
        return math.prod(
            len(r.values)
            for r in self._hyperparameter_ranges.values()
            if isinstance(r, CategoricalParameter)
        )

    def _all_metric_definitions(self) -> list[dict[str, str]]:
        """The estimator's metric definitions, with the tuner's added or replacing them."""
        merged = {
            d["Name"]: d
            for d in metric_definitions_of(
                self.estimator.metric_definitions, "estimator.metric_definitions"
            )
        }
        for d in metric_definitions_of(self.metric_definitions, "metric_definitions"):
            merged[d["Name"]] = d
        return list(merged.values())

    # -- the request ---------------------------------------------------------------------
    def hyperparameter_ranges(self) -> dict[str, list[dict[str, Any]]]:
        """The ranges as the request's ``ParameterRanges``.

        Returns:
            ``{"ContinuousParameterRanges": [...], "CategoricalParameterRanges": [...],
            "IntegerParameterRanges": [...]}``.
        """
        ranges: dict[str, list[dict[str, Any]]] = {}
        for kind in ParameterRange.__all_types__:
            ranges[f"{kind}ParameterRanges"] = [
                r.as_tuning_range(name)
                for name, r in self._hyperparameter_ranges.items()
                if r is not None and r.__name__ == kind
            ]
        return ranges

    def _prepare_job_name(self, job_name: str | None) -> str:
        if job_name is not None:
            return validate_name(
                job_name, field="job_name", max_length=self.TUNING_JOB_NAME_MAX_LENGTH
            )
        base = self.base_tuning_job_name or base_name_from(
            self.estimator.entry_point, self.estimator.image_uri
        )
        now = utcnow()
        suffix = f"{now:%y%m%d-%H%M%S}-{secrets.token_hex(2)}"
        room = self.TUNING_JOB_NAME_MAX_LENGTH - len(suffix) - 1
        cut = re.sub(r"[^a-zA-Z0-9-]", "-", base)[:room].strip("-") or "tuning"
        return f"{cut}-{suffix}"

    def _prepare_static_hyperparameters(self, include_cls_metadata: bool) -> dict[str, str]:
        static = {
            str(k): hyperparameter_text(v)
            for k, v in self.estimator.hyperparameters().items()
            if k not in self._hyperparameter_ranges
        }
        if include_cls_metadata:
            static[self.SAGEMAKER_ESTIMATOR_CLASS_NAME] = json.dumps(type(self.estimator).__name__)
            static[self.SAGEMAKER_ESTIMATOR_MODULE] = json.dumps(type(self.estimator).__module__)
        return static

    def _tags(self) -> list[dict[str, str]]:
        tags = [dict(t) for t in self.tags or ()]
        for tag in self.estimator.tags:
            if dict(tag) not in tags:
                tags.append(dict(tag))
        return tags

    def _request(self, inputs: Any, job_name: str, include_cls_metadata: bool) -> dict[str, Any]:
        """The CreateHyperParameterTuningJob request."""
        definition = self.estimator.training_job_definition(inputs)
        definition["AlgorithmSpecification"]["MetricDefinitions"] = self._all_metric_definitions()
        self.static_hyperparameters = self._prepare_static_hyperparameters(include_cls_metadata)
        definition["StaticHyperParameters"] = self.static_hyperparameters
        limits: dict[str, Any] = {"MaxParallelTrainingJobs": self.max_parallel_jobs}
        if self.max_jobs is not None:
            limits["MaxNumberOfTrainingJobs"] = self.max_jobs
        if self.max_runtime_in_seconds is not None:
            limits["MaxRuntimeInSeconds"] = self.max_runtime_in_seconds
        config: dict[str, Any] = {
            "Strategy": self.strategy,
            "HyperParameterTuningJobObjective": {
                "Type": self.objective_type,
                "MetricName": self.objective_metric_name,
            },
            "ResourceLimits": limits,
            "ParameterRanges": self.hyperparameter_ranges(),
            "TrainingJobEarlyStoppingType": self.early_stopping_type,
        }
        if self.strategy_config is not None:
            config["StrategyConfig"] = self.strategy_config.to_input_req()
        if self.completion_criteria_config is not None:
            criteria = self.completion_criteria_config.to_input_req()
            if criteria:
                config["TuningJobCompletionCriteria"] = criteria
        if self.random_seed is not None:
            config["RandomSeed"] = self.random_seed
        request: dict[str, Any] = {
            "HyperParameterTuningJobName": job_name,
            "HyperParameterTuningJobConfig": config,
            "TrainingJobDefinition": definition,
        }
        if self.warm_start_config is not None:
            request["WarmStartConfig"] = self.warm_start_config.to_input_req()
        tags = self._tags()
        if tags:
            request["Tags"] = tags
        return request
