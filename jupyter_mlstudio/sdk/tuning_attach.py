"""A tuner's settings read back from a tuning job's description, for
:meth:`HyperparameterTuner.attach <.tuner.HyperparameterTuner.attach>`.

The description holds the CreateHyperParameterTuningJob request as it was sent: its
``TrainingJobDefinition`` gives the estimator back (:func:`estimator_from_definition`, of
the class :func:`estimator_class` finds), its ``HyperParameterTuningJobConfig`` the
tuner's other arguments (:func:`tuner_arguments`).
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Mapping
from typing import Any

from ..exceptions import ValidationError
from .estimator import Estimator
from .parameter import (
    ParameterRange,
    StrategyConfig,
    TuningJobCompletionCriteriaConfig,
    WarmStartConfig,
    range_from_request,
)
from .tuning_request import ESTIMATOR_CLASS_NAME_KEY, ESTIMATOR_MODULE_KEY

#: the time stamp and random suffix of generated tuning job names (this studio's and
#: SageMaker's), taken off to give the base name back
GENERATED_SUFFIX = re.compile(
    r"-(\d{6}-\d{6}-[0-9a-f]{4}|\d{6}-\d{4}|\d{4}(-\d{2}){5}-\d{3}(-[0-9a-f]{4})?)$"
)


def estimator_class(estimator_cls: str | None, definition: Mapping[str, Any]) -> type[Estimator]:
    """The estimator class to rebuild a tuning job's estimator as.

    Args:
        estimator_cls: ``"module.Class"``; None: the class ``include_cls_metadata``
            recorded in the static hyperparameters, else :class:`~.estimator.Estimator`.
        definition: The tuning job's ``TrainingJobDefinition``.

    Returns:
        The class, a subclass of :class:`~.estimator.Estimator`.

    Raises:
        ValidationError: No such class, or not an estimator (``estimator_cls``).
    """
    static = definition.get("StaticHyperParameters") or {}
    if estimator_cls is not None:
        module, _, name = estimator_cls.rpartition(".")
    elif ESTIMATOR_CLASS_NAME_KEY in static and ESTIMATOR_MODULE_KEY in static:
        module = json.loads(static[ESTIMATOR_MODULE_KEY])
        name = json.loads(static[ESTIMATOR_CLASS_NAME_KEY])
    else:
        return Estimator
    try:
        found = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError, ValueError):
        raise ValidationError(
            f"no estimator class {module}.{name}", field="estimator_cls"
        ) from None
    if not (isinstance(found, type) and issubclass(found, Estimator)):
        raise ValidationError(f"{module}.{name} is no Estimator", field="estimator_cls")
    return found


def estimator_from_definition(
    estimator_cls: type[Estimator], definition: Mapping[str, Any], sagemaker_session: Any
) -> Estimator:
    """An estimator of a tuning job's ``TrainingJobDefinition`` (``Estimator.attach``'s
    mapping, from the definition instead of a training job).

    Args:
        estimator_cls: The class to make (:func:`estimator_class`).
        definition: The tuning job's ``TrainingJobDefinition``.
        sagemaker_session: The new estimator's session.

    Returns:
        The estimator: the definition's image or script, resources, environment, metric
        definitions, locations and time limit, and its static hyperparameters (without
        the class metadata).
    """
    static = {
        k: v
        for k, v in (definition.get("StaticHyperParameters") or {}).items()
        if k not in (ESTIMATOR_CLASS_NAME_KEY, ESTIMATOR_MODULE_KEY)
    }
    algorithm = definition.get("AlgorithmSpecification") or {}
    script = definition.get("ScriptMode") or {}
    resources = definition.get("ResourceConfig") or {}
    checkpoint = definition.get("CheckpointConfig") or {}
    return estimator_cls(
        image_uri=algorithm.get("TrainingImage"),
        role=definition.get("RoleArn"),
        entry_point=script.get("EntryPoint") or (None if algorithm.get("TrainingImage") else "?"),
        source_dir=script.get("SourceDir"),
        hyperparameters=static,
        instance_type=resources.get("InstanceType", "local"),
        instance_count=resources.get("InstanceCount", 1),
        environment=definition.get("Environment"),
        metric_definitions=algorithm.get("MetricDefinitions"),
        output_path=(definition.get("OutputDataConfig") or {}).get("S3OutputPath"),
        max_run=(definition.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds", 86400),
        checkpoint_s3_uri=checkpoint.get("S3Uri"),
        checkpoint_local_path=checkpoint.get("LocalPath"),
        dependencies=script.get("Dependencies"),
        sagemaker_session=sagemaker_session,
    )


def tuner_arguments(details: Mapping[str, Any]) -> dict[str, Any]:
    """A tuner's constructor arguments, but the estimator, from a tuning job's description.

    Args:
        details: DescribeHyperParameterTuningJob's answer
            (:func:`~.analytics.describe_tuning_job`).

    Returns:
        ``objective_metric_name``, ``objective_type``, ``hyperparameter_ranges``,
        ``metric_definitions``, ``strategy``, the limits, ``early_stopping_type``,
        ``random_seed``, ``warm_start_config``, ``base_tuning_job_name`` (the job's name
        without its generated suffix) and, when the job had them, ``strategy_config`` and
        ``completion_criteria_config``.
    """
    config = details.get("HyperParameterTuningJobConfig") or {}
    limits = config.get("ResourceLimits") or {}
    objective = config.get("HyperParameterTuningJobObjective") or {}
    ranges: dict[str, ParameterRange] = {}
    for kind in ("Categorical", "Continuous", "Integer"):
        for item in (config.get("ParameterRanges") or {}).get(f"{kind}ParameterRanges") or []:
            ranges[item["Name"]] = range_from_request(kind, item)
    definition = details.get("TrainingJobDefinition") or {}
    params: dict[str, Any] = {
        "objective_metric_name": objective.get("MetricName"),
        "objective_type": objective.get("Type", "Maximize"),
        "hyperparameter_ranges": ranges,
        "metric_definitions": (definition.get("AlgorithmSpecification") or {}).get(
            "MetricDefinitions"
        ),
        "strategy": config.get("Strategy", "Bayesian"),
        "max_jobs": limits.get("MaxNumberOfTrainingJobs"),
        "max_parallel_jobs": limits.get("MaxParallelTrainingJobs", 1),
        "max_runtime_in_seconds": limits.get("MaxRuntimeInSeconds"),
        "early_stopping_type": config.get("TrainingJobEarlyStoppingType", "Off"),
        "random_seed": config.get("RandomSeed"),
        "warm_start_config": WarmStartConfig.from_job_desc(details.get("WarmStartConfig")),
        "base_tuning_job_name": GENERATED_SUFFIX.sub(
            "", str(details["HyperParameterTuningJobName"])
        ),
    }
    if config.get("StrategyConfig"):
        params["strategy_config"] = StrategyConfig.from_job_desc(config["StrategyConfig"])
    if config.get("TuningJobCompletionCriteria"):
        params["completion_criteria_config"] = TuningJobCompletionCriteriaConfig.from_job_desc(
            config["TuningJobCompletionCriteria"]
        )
    return params
