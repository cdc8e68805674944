"""``HyperparameterTuner`` with the names and signatures of ``sagemaker.tuner`` (SDK v2).

A tuning job runs many training jobs of one :class:`~.estimator.Estimator`, each with
other values of the tuned hyperparameters, and keeps the one with the best objective
metric (a metric definition's regex applied to the job's log). ``fit`` sends the
CreateHyperParameterTuningJob request to the studio, which searches with Optuna and runs
the jobs on its runtime (docs/tuning.md). Bad arguments are refused by the constructor or
``fit`` with a ``ValidationError`` naming the argument, before anything is sent.

The checks and the request are :class:`~.tuning_request.TunerSettings`'s, the tuner's
base; reading a tuner back from a tuning job's description (``attach``) is
:mod:`.tuning_attach`'s. This module starts, watches and reads the tuning job.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..entities import JobKind, JobStatus
from ..exceptions import ConflictError, StudioError, ValidationError
from .analytics import HyperparameterTuningJobAnalytics, describe_tuning_job
from .estimator import Estimator
from .jobs import BaseJob
from .jobs_client import JobsClient, jobs_client
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
)
from .predictor import Predictor
from .tuning_attach import estimator_class, estimator_from_definition, tuner_arguments
from .tuning_request import EARLY_STOPPING_TYPES as EARLY_STOPPING_TYPES
from .tuning_request import MAX_TRAINING_JOBS as MAX_TRAINING_JOBS
from .tuning_request import OBJECTIVE_TYPES as OBJECTIVE_TYPES
from .tuning_request import STRATEGIES as STRATEGIES
from .tuning_request import TunerSettings

logger = logging.getLogger(__name__)

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


class _TuningJob(BaseJob):
    """A tuning job of the studio (``tuner.latest_tuning_job``)."""

    kind = JobKind.TUNING


class HyperparameterTuner(TunerSettings):
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

        A tuning job that has ended already is left as it is, as on SageMaker.

        Raises:
            ValidationError: No tuning job yet (call ``fit`` first).
        """
        job = self._ensure_last_tuning_job()
        try:
            job.stop()
        except ConflictError:
            logger.info("Tuning job: %s is already stopped or not running.", job.name)

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
        estimator = estimator_from_definition(
            estimator_class(estimator_cls, definition), definition, sagemaker_session
        )
        tuner = cls(estimator=estimator, **tuner_arguments(details))
        client = jobs_client(sagemaker_session)
        tuner.latest_tuning_job = _TuningJob(client, tuning_job_name)
        tuner._current_job_name = tuning_job_name
        return tuner

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
