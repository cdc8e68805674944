"""``HyperparameterTuner`` with the names and signatures of ``sagemaker.tuner`` (SDK v2).

A tuning job runs many training jobs of one :class:`~.estimator.Estimator`, each with
other values of the tuned hyperparameters, and keeps the one with the best objective
metric (a metric definition's regex applied to the job's log). ``fit`` sends the
CreateHyperParameterTuningJob request to the studio, which searches with Optuna and runs
the jobs on its runtime (docs/tuning.md). Bad arguments are refused by the constructor or
``fit`` with a ``ValidationError`` naming the argument, before anything is sent.
"""

from __future__ import annotations

import importlib
import json
import math
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..entities import JobKind, JobStatus, utcnow
from ..entities.common import validate_name
from ..exceptions import StudioError, ValidationError
from .analytics import HyperparameterTuningJobAnalytics, describe_tuning_job
from .estimator import Estimator
from .jobs import BaseJob
from .jobs_client import JobsClient, jobs_client
from .naming import base_name_from
from .parameter import (
    CategoricalParameter,
    ContinuousParameter,
    HyperbandStrategyConfig,
    IntegerParameter,
    ParameterRange,
    StrategyConfig,
    TuningJobCompletionCriteriaConfig,
    WarmStartConfig,
    WarmStartTypes,
    hyperparameter_text,
    range_from_request,
)
from .predictor import Predictor

__all__ = [
    "CategoricalParameter",
    "ContinuousParameter",
    "HyperbandStrategyConfig",
    "HyperparameterTuner",
    "IntegerParameter",
    "ParameterRange",
    "StrategyConfig",
    "TuningJobCompletionCriteriaConfig",
    "WarmStartConfig",
    "WarmStartTypes",
    "create_identical_dataset_and_algorithm_tuner",
    "create_transfer_learning_tuner",
]

STRATEGIES = ("Bayesian", "Random", "Hyperband", "Grid")
OBJECTIVE_TYPES = ("Maximize", "Minimize")
EARLY_STOPPING_TYPES = ("Off", "Auto")
#: the most training jobs of one tuning job (SageMaker's quota)
MAX_TRAINING_JOBS = 750
#: the time stamp and random suffix of generated tuning job names
_STAMP = re.compile(
    r"-(\d{6}-\d{6}-[0-9a-f]{4}|\d{6}-\d{4}|\d{4}(-\d{2}){5}-\d{3}(-[0-9a-f]{4})?)$"
)


class _TuningJob(BaseJob):
    """A tuning job of the studio (``tuner.latest_tuning_job``)."""

    kind = JobKind.TUNING


def _one_of(value: Any, allowed: Sequence[str], field: str) -> str:
    if value not in allowed:
        raise ValidationError(
            f"{field} must be one of {', '.join(allowed)}, not {value!r}", field=field
        )
    return str(value)


def _count(value: Any, field: str, *, least: int = 1, most: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValidationError(f"{field} must be an integer of at least {least}", field=field)
    if most is not None and value > most:
        raise ValidationError(f"{field} must be at most {most} (got {value})", field=field)
    return value


def _metric_definitions(value: Any, field: str) -> list[dict[str, str]]:
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


class HyperparameterTuner:
    """Tunes an estimator's hyperparameters with a tuning job of the studio.

    Args:
        estimator: The :class:`~.estimator.Estimator` every training job is made from
            (its hyperparameters that are not tuned stay as they are).
        objective_metric_name: The metric to optimise; a metric definition (of the
            estimator or of ``metric_definitions``) must be named so.
        hyperparameter_ranges: ``{name: IntegerParameter | ContinuousParameter |
            CategoricalParameter}``; names are passed to the script as they are
            (``--n-estimators 57``).
        metric_definitions: ``[{"Name", "Regex"}]`` added to the estimator's (one of the
            same name replaces the estimator's).
        strategy: ``Bayesian`` (default), ``Random``, ``Hyperband`` or ``Grid``
            (categorical ranges only; every combination once).
        objective_type: ``Maximize`` (default) or ``Minimize``.
        max_jobs: Training jobs to run, at most 750; None: 1 (as SageMaker), or for
            ``Grid`` every combination.
        max_parallel_jobs: Training jobs running at once (at most ``max_jobs``).
        max_runtime_in_seconds: The tuning job's time limit; then it stops its jobs.
        tags: ``[{"Key", "Value"}]`` of the tuning job (the estimator's are added).
        base_tuning_job_name: The start of generated tuning job names (default: the
            estimator's entry point's or image's name).
        warm_start_config: A :class:`WarmStartConfig`.
        strategy_config: A :class:`StrategyConfig` (``Hyperband`` only).
        completion_criteria_config: A :class:`TuningJobCompletionCriteriaConfig`.
        early_stopping_type: ``Off`` (default) or ``Auto`` (stop jobs whose
            intermediate objective is worse than the median of earlier jobs at the same
            step; not with ``Hyperband``, which stops jobs itself).
        estimator_name: Several estimators (``HyperparameterTuner.create``) are not
            supported: must be None.
        random_seed: Makes the search repeatable (0 or more).
        autotune: Not supported: must be False.
        hyperparameters_to_keep_static: Only with ``autotune``: must be None.

    Raises:
        ValidationError: Naming the argument: no ranges, a bad range
            (``hyperparameter_ranges.<name>.<attribute>``), an objective metric with no
            metric definition (``objective_metric_name``), ``max_parallel_jobs >
            max_jobs``, an unknown strategy, objective type or early stopping type, and
            the other values above.
    """

    TUNING_JOB_NAME_MAX_LENGTH = 32
    SAGEMAKER_ESTIMATOR_MODULE = "sagemaker_estimator_module"
    SAGEMAKER_ESTIMATOR_CLASS_NAME = "sagemaker_estimator_class_name"
    DEFAULT_ESTIMATOR_MODULE = "jupyter_mlstudio.sdk.estimator"
    DEFAULT_ESTIMATOR_CLS_NAME = "Estimator"

    def __init__(
        self,
        estimator: Estimator,
        objective_metric_name: str,
        hyperparameter_ranges: Mapping[str, ParameterRange],
        metric_definitions: Sequence[Mapping[str, str]] | None = None,
        strategy: str = "Bayesian",
        objective_type: str = "Maximize",
        max_jobs: int | None = None,
        max_parallel_jobs: int = 1,
        max_runtime_in_seconds: int | None = None,
        tags: Sequence[Mapping[str, str]] | None = None,
        base_tuning_job_name: str | None = None,
        warm_start_config: WarmStartConfig | None = None,
        strategy_config: StrategyConfig | None = None,
        completion_criteria_config: TuningJobCompletionCriteriaConfig | None = None,
        early_stopping_type: str = "Off",
        estimator_name: str | None = None,
        random_seed: int | None = None,
        autotune: bool = False,
        hyperparameters_to_keep_static: Sequence[str] | None = None,
    ) -> None:
        if estimator_name is not None:
            raise ValidationError(
                "several estimators in one tuning job are not supported", field="estimator_name"
            )
        if autotune or hyperparameters_to_keep_static is not None:
            raise ValidationError("autotune is not supported", field="autotune")
        if not isinstance(estimator, Estimator):
            raise ValidationError("estimator must be an Estimator", field="estimator")
        self.estimator = estimator
        self.objective_metric_name = objective_metric_name
        self._hyperparameter_ranges = dict(hyperparameter_ranges or {})
        self.metric_definitions = (
            None if metric_definitions is None else [dict(m) for m in metric_definitions]
        )
        self.strategy = strategy
        self.strategy_config = strategy_config
        self.completion_criteria_config = completion_criteria_config
        self.objective_type = objective_type
        self.max_jobs = 1 if max_jobs is None and strategy != "Grid" else max_jobs
        self.max_parallel_jobs = max_parallel_jobs
        self.max_runtime_in_seconds = max_runtime_in_seconds
        self.tags = None if tags is None else [dict(t) for t in tags]
        self.base_tuning_job_name = base_tuning_job_name
        self.warm_start_config = warm_start_config
        self.early_stopping_type = early_stopping_type
        self.random_seed = random_seed
        self.autotune = autotune
        self.estimator_dict: dict[str, Estimator] | None = None
        self.static_hyperparameters: dict[str, str] | None = None
        self.latest_tuning_job: _TuningJob | None = None
        self._current_job_name: str | None = None
        self._validate()

    # -- checks ------------------------------------------------------------------------
    def _validate(self) -> None:
        """Everything SageMaker's service would refuse, naming the argument."""
        if not self._hyperparameter_ranges:
            raise ValidationError("give at least one range", field="hyperparameter_ranges")
        strategy = _one_of(self.strategy, STRATEGIES, "strategy")
        _one_of(self.objective_type, OBJECTIVE_TYPES, "objective_type")
        _one_of(self.early_stopping_type, EARLY_STOPPING_TYPES, "early_stopping_type")
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
            _count(most, "max_jobs", most=MAX_TRAINING_JOBS)
        else:
            most = self._grid_size()
        _count(self.max_parallel_jobs, "max_parallel_jobs")
        if self.max_parallel_jobs > most:
            raise ValidationError(
                f"max_parallel_jobs ({self.max_parallel_jobs}) exceeds max_jobs ({most})",
                field="max_parallel_jobs",
            )
        if self.max_runtime_in_seconds is not None:
            _count(self.max_runtime_in_seconds, "max_runtime_in_seconds")
        if self.random_seed is not None:
            _count(self.random_seed, "random_seed", least=0)
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
            for d in _metric_definitions(
                self.estimator.metric_definitions, "estimator.metric_definitions"
            )
        }
        for d in _metric_definitions(self.metric_definitions, "metric_definitions"):
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

    # -- running -------------------------------------------------------------------------
    def _client(self) -> JobsClient:
        return jobs_client(self.sagemaker_session)

    @property
    def sagemaker_session(self) -> Any:
        """The estimator's ``sagemaker_session`` (None: the default client)."""
        return self.estimator.sagemaker_session

    def fit(
        self,
        inputs: Any = None,
        job_name: str | None = None,
        include_cls_metadata: bool = False,
        estimator_kwargs: Mapping[str, Any] | None = None,
        wait: bool = True,
        **kwargs: Any,
    ) -> None:
        """Start a tuning job, and by default wait for it to end.

        Args:
            inputs: The input channels of every training job, as for the estimator's
                ``fit``: a location, a :class:`~.inputs.TrainingInput` or a mapping of
                channel names to either.
            job_name: The tuning job's name (at most 32 characters); default
                ``<base tuning job name>-<yymmdd-HHMMSS>-<4 hex>``.
            include_cls_metadata: Add the estimator's class and module as the static
                hyperparameters ``sagemaker_estimator_class_name`` and
                ``sagemaker_estimator_module`` (``attach`` then rebuilds that class).
            estimator_kwargs: For tuners of several estimators; not used.
            wait: Block until the tuning job ends, printing its event log.
            kwargs: Other SageMaker arguments, accepted and not used.

        Raises:
            ValidationError: A bad argument, naming it, before anything is sent; or the
                studio's refusal naming the request's field (a warm-start parent that
                does not exist, ...).
            ConflictError: ``job_name`` is taken.
            StudioError: With ``wait``, the tuning job ended Failed.
        """
        self._validate()
        name = self._prepare_job_name(job_name)
        request = self._request(inputs, name, bool(include_cls_metadata))
        client = self._client()
        client.create_job(JobKind.TUNING, request)
        self._current_job_name = name
        self.latest_tuning_job = _TuningJob(client, name)
        if wait:
            self.wait()

    def _ensure_last_tuning_job(self) -> _TuningJob:
        if self.latest_tuning_job is None:
            raise ValidationError("no tuning job yet: call fit() first", field="job_name")
        return self.latest_tuning_job

    def wait(self) -> None:
        """Block until the latest tuning job ends, printing its event log.

        Raises:
            ValidationError: No tuning job yet (call ``fit`` first).
            StudioError: It ended Failed (with the reason). Stopped is an end too.
        """
        tuning_job = self._ensure_last_tuning_job()
        job = tuning_job.wait(logs=True)
        if job.status is JobStatus.FAILED:
            raise StudioError(
                f"tuning job {tuning_job.name} Failed: {job.failure_reason or ''}".strip()
            )

    def stop_tuning_job(self) -> None:
        """Stop the latest tuning job and its running training jobs (it ends Stopped).

        Raises:
            ValidationError: No tuning job yet (call ``fit`` first).
        """
        self._ensure_last_tuning_job().stop()

    def describe(self) -> dict[str, Any]:
        """The latest tuning job, as DescribeHyperParameterTuningJob answers.

        Returns:
            See :func:`~.analytics.describe_tuning_job`.

        Raises:
            ValidationError: No tuning job yet (call ``fit`` first).
        """
        return describe_tuning_job(self._ensure_last_tuning_job().name, self.sagemaker_session)

    def _get_best_training_job(self) -> dict[str, Any]:
        name = self._ensure_last_tuning_job().name
        best = describe_tuning_job(name, self.sagemaker_session).get("BestTrainingJob")
        if not best:
            raise StudioError(f"Best training job not available for tuning job: {name}")
        return best

    def best_training_job(self) -> str:
        """The name of the latest tuning job's best training job so far.

        Returns:
            The training job's name.

        Raises:
            ValidationError: No tuning job yet.
            StudioError: No training job has an objective value yet (as SageMaker
                raises).
        """
        return str(self._get_best_training_job()["TrainingJobName"])

    def best_estimator(self, best_training_job: Mapping[str, Any] | None = None) -> Estimator:
        """An estimator attached to the best training job (``deploy`` it, read its model).

        Args:
            best_training_job: ``{"TrainingJobName": ...}``; default the best job.

        Returns:
            ``Estimator.attach`` of that job (of the estimator's class).

        Raises:
            StudioError: There is no best training job yet.
        """
        if best_training_job is None:
            best_training_job = self._get_best_training_job()
        return type(self.estimator).attach(
            best_training_job["TrainingJobName"], sagemaker_session=self.sagemaker_session
        )

    def deploy(
        self,
        initial_instance_count: int = 1,
        instance_type: str = "local",
        serializer: Any = None,
        deserializer: Any = None,
        accelerator_type: str | None = None,
        endpoint_name: str | None = None,
        wait: bool = True,
        model_name: str | None = None,
        kms_key: str | None = None,
        data_capture_config: Any = None,
        **kwargs: Any,
    ) -> Predictor:
        """Deploy the best training job's model to a new endpoint (as :meth:`Estimator.deploy
        <.estimator.Estimator.deploy>`, of :meth:`best_estimator`); ``endpoint_name``
        defaults to the best training job's name, as on SageMaker. Raises ``StudioError``
        while there is no best training job.
        """
        best = self._get_best_training_job()
        return self.best_estimator(best).deploy(
            initial_instance_count=initial_instance_count,
            instance_type=instance_type,
            serializer=serializer,
            deserializer=deserializer,
            accelerator_type=accelerator_type,
            endpoint_name=endpoint_name or best["TrainingJobName"],
            wait=wait,
            model_name=model_name,
            kms_key=kms_key,
            data_capture_config=data_capture_config,
            **kwargs,
        )

    def analytics(self) -> HyperparameterTuningJobAnalytics:
        """The latest tuning job's training jobs, for ``.dataframe()``.

        Returns:
            A :class:`~.analytics.HyperparameterTuningJobAnalytics`.

        Raises:
            ValidationError: No tuning job yet.
        """
        name = self._ensure_last_tuning_job().name
        return HyperparameterTuningJobAnalytics(name, self.sagemaker_session)

    # -- attach and warm start -------------------------------------------------------------
    @classmethod
    def attach(
        cls,
        tuning_job_name: str,
        sagemaker_session: Any = None,
        job_details: Mapping[str, Any] | None = None,
        estimator_cls: str | None = None,
    ) -> HyperparameterTuner:
        """A tuner of an existing tuning job, rebuilt from its recorded request.

        Args:
            tuning_job_name: The tuning job's name.
            sagemaker_session: As for :class:`~.estimator.Estimator`.
            job_details: Its :meth:`describe` answer; default: read it.
            estimator_cls: ``"module.Class"`` of the estimator to rebuild; default the
                class ``include_cls_metadata`` recorded, else :class:`~.estimator.Estimator`.

        Returns:
            A tuner with the job's ranges, objective, strategy and limits, whose
            ``latest_tuning_job`` is that job.

        Raises:
            NotFoundError: No tuning job has that name.
        """
        details = dict(job_details or describe_tuning_job(tuning_job_name, sagemaker_session))
        definition = dict(details.get("TrainingJobDefinition") or {})
        estimator = _estimator_from_definition(
            cls._estimator_class(estimator_cls, definition), definition, sagemaker_session
        )
        tuner = cls(estimator=estimator, **cls._init_params_from_job_description(details))
        client = jobs_client(sagemaker_session)
        tuner.latest_tuning_job = _TuningJob(client, tuning_job_name)
        tuner._current_job_name = tuning_job_name
        return tuner

    @classmethod
    def _estimator_class(cls, estimator_cls: str | None, definition: Mapping[str, Any]) -> type:
        static = definition.get("StaticHyperParameters") or {}
        if estimator_cls is not None:
            module, _, name = estimator_cls.rpartition(".")
        elif (
            cls.SAGEMAKER_ESTIMATOR_CLASS_NAME in static
            and cls.SAGEMAKER_ESTIMATOR_MODULE in static
        ):
            module = json.loads(static[cls.SAGEMAKER_ESTIMATOR_MODULE])
            name = json.loads(static[cls.SAGEMAKER_ESTIMATOR_CLASS_NAME])
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

    @classmethod
    def _init_params_from_job_description(cls, details: Mapping[str, Any]) -> dict[str, Any]:
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
            "base_tuning_job_name": _STAMP.sub("", str(details["HyperParameterTuningJobName"])),
        }
        if config.get("StrategyConfig"):
            params["strategy_config"] = StrategyConfig.from_job_desc(config["StrategyConfig"])
        if config.get("TuningJobCompletionCriteria"):
            params["completion_criteria_config"] = TuningJobCompletionCriteriaConfig.from_job_desc(
                config["TuningJobCompletionCriteria"]
            )
        return params

    def transfer_learning_tuner(
        self, additional_parents: Iterable[str] | None = None, estimator: Estimator | None = None
    ) -> HyperparameterTuner:
        """A new tuner like this one, warm-started (TransferLearning) from its latest job.

        Args:
            additional_parents: More parent tuning jobs.
            estimator: Another estimator for the new tuner (default this one's).

        Returns:
            The new tuner; call its ``fit``.
        """
        return self._create_warm_start_tuner(
            additional_parents, WarmStartTypes.TRANSFER_LEARNING, estimator
        )

    def identical_dataset_and_algorithm_tuner(
        self, additional_parents: Iterable[str] | None = None
    ) -> HyperparameterTuner:
        """A new tuner like this one, warm-started (IdenticalDataAndAlgorithm) from its
        latest job.

        Args:
            additional_parents: More parent tuning jobs.

        Returns:
            The new tuner; call its ``fit``.
        """
        return self._create_warm_start_tuner(
            additional_parents, WarmStartTypes.IDENTICAL_DATA_AND_ALGORITHM
        )

    def _create_warm_start_tuner(
        self,
        additional_parents: Iterable[str] | None,
        warm_start_type: WarmStartTypes,
        estimator: Estimator | None = None,
    ) -> HyperparameterTuner:
        parents = {self._ensure_last_tuning_job().name, *(additional_parents or ())}
        return HyperparameterTuner(
            estimator=estimator or self.estimator,
            objective_metric_name=self.objective_metric_name,
            hyperparameter_ranges=self._hyperparameter_ranges,
            metric_definitions=self.metric_definitions,
            strategy=self.strategy,
            strategy_config=self.strategy_config,
            completion_criteria_config=self.completion_criteria_config,
            objective_type=self.objective_type,
            max_jobs=self.max_jobs,
            max_parallel_jobs=self.max_parallel_jobs,
            max_runtime_in_seconds=self.max_runtime_in_seconds,
            warm_start_config=WarmStartConfig(warm_start_type, parents),
            early_stopping_type=self.early_stopping_type,
            random_seed=self.random_seed,
        )


def _estimator_from_definition(
    estimator_cls: type, definition: Mapping[str, Any], sagemaker_session: Any
) -> Estimator:
    """An estimator of a tuning job's ``TrainingJobDefinition`` (``Estimator.attach``'s
    mapping, from the definition instead of a training job)."""
    static = {
        k: v
        for k, v in (definition.get("StaticHyperParameters") or {}).items()
        if k
        not in (
            HyperparameterTuner.SAGEMAKER_ESTIMATOR_CLASS_NAME,
            HyperparameterTuner.SAGEMAKER_ESTIMATOR_MODULE,
        )
    }
    algorithm = definition.get("AlgorithmSpecification") or {}
    script = definition.get("ScriptMode") or {}
    resources = definition.get("ResourceConfig") or {}
    checkpoint = definition.get("CheckpointConfig") or {}
    estimator: Estimator = estimator_cls(
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
    return estimator


def create_identical_dataset_and_algorithm_tuner(
    parent: str, additional_parents: Iterable[str] | None = None, sagemaker_session: Any = None
) -> HyperparameterTuner:
    """A tuner rebuilt from a tuning job, warm-started (IdenticalDataAndAlgorithm) from it.

    Args:
        parent: The parent tuning job, whose configuration is copied.
        additional_parents: More parent tuning jobs.
        sagemaker_session: As for :class:`~.estimator.Estimator`.

    Returns:
        The new tuner; call its ``fit``.
    """
    tuner = HyperparameterTuner.attach(parent, sagemaker_session=sagemaker_session)
    return tuner.identical_dataset_and_algorithm_tuner(additional_parents=additional_parents)


def create_transfer_learning_tuner(
    parent: str,
    additional_parents: Iterable[str] | None = None,
    estimator: Estimator | None = None,
    sagemaker_session: Any = None,
) -> HyperparameterTuner:
    """A tuner rebuilt from a tuning job, warm-started (TransferLearning) from it.

    Args:
        parent: The parent tuning job, whose configuration is copied.
        additional_parents: More parent tuning jobs.
        estimator: Another estimator for the new tuner.
        sagemaker_session: As for :class:`~.estimator.Estimator`.

    Returns:
        The new tuner; call its ``fit``.
    """
    tuner = HyperparameterTuner.attach(parent, sagemaker_session=sagemaker_session)
    return tuner.transfer_learning_tuner(additional_parents=additional_parents, estimator=estimator)
