"""``Estimator`` with the names and signatures of ``sagemaker.estimator.Estimator`` (SDK v2).

Script mode: ``Estimator(entry_point="train.py", source_dir=..., hyperparameters=...)``
runs the script under the training contract; ``image_uri`` alone runs that image with
``train`` (docker runtime). ``fit`` creates the job in the studio that owns the home
(:mod:`.jobs_client`), which runs it; ``deploy`` and ``transformer`` serve the job's model
(:mod:`.model`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from typing import Any

from ..entities import Job, JobKind, JobStatus
from ..exceptions import StudioError, ValidationError
from ..services.jobs.debugging import debug_output_uri
from .analytics import TrainingJobAnalytics
from .debugger import DebuggerHookConfig, ProfilerConfig, debug_request
from .estimator_hosting import EstimatorHosting
from .inputs import channels_of
from .jobs import TrainingJob
from .jobs_client import JobsClient, jobs_client, request_capture
from .naming import active_experiment_config, name_from_base

log = logging.getLogger(__name__)


class Estimator(EstimatorHosting):
    """Trains a model in a training job of the studio, and deploys it.

    Give ``entry_point`` (script mode: the script runs with the studio's Python on the
    process runtime, or in the studio's image on docker) or ``image_uri`` (an image that
    has ``train``; docker runtime, never pulled).

    Args:
        image_uri: The training image; with ``entry_point``, the image the script runs in.
        role: Accepted for SageMaker compatibility and not used (no IAM here).
        instance_count: Hosts of the job (1 to 16), ``algo-1`` to ``algo-N``.
        instance_type: ``local`` or an ``ml.*`` name (its CPU and memory, capped to the
            machine, limit each host).
        entry_point: The training script, a local path (relative to ``source_dir`` when
            that is given).
        source_dir: A local folder copied into the job's code folder (``/opt/ml/code``).
        hyperparameters: Passed to the script as ``--name value`` arguments and in
            ``/opt/ml/input/config/hyperparameters.json`` (values as strings).
        environment: More environment variables of the job.
        metric_definitions: ``[{"Name": ..., "Regex": ...}]``: each regex is applied to
            every log line; its first group becomes a point of that metric in the job's run.
        output_path: Where ``<job>/output/model.tar.gz`` goes (``s3://``, ``file://`` or a
            path); None: the studio's artifact store, under ``jobs/<job>/output``.
        checkpoint_s3_uri: Checkpoints restored before the start and synced while the job
            runs (``s3://``, ``file://`` or a path).
        checkpoint_local_path: Where the job sees them (default ``/opt/ml/checkpoints``).
        max_run: Seconds the job may run; then it is stopped and Failed.
        base_job_name: The start of generated job names (default: the entry point's or
            image's name).
        dependencies: Local files or folders copied next to the code.
        sagemaker_session: None (the default client: ``MLSTUDIO_TRACKING_URI`` or the
            studio's configuration), a :class:`~.session.Session`, a
            :class:`~.client.TrackingClient` or a tracking URI.
        tags: ``[{"Key": ..., "Value": ...}]`` of the job.
        rules: Debugger and profiler rules that watch the job
            (``Rule.sagemaker(rule_configs.loss_not_decreasing())``,
            ``ProfilerRule.sagemaker(rule_configs.ProfilerReport())``; :mod:`.debugger`).
        debugger_hook_config: What the script's hook saves (a
            :class:`~.debugger.DebuggerHookConfig`); None: the default one; False: none.
        profiler_config: How often the hosts are sampled (a
            :class:`~.debugger.ProfilerConfig`); None: every 500 ms.
        disable_profiler: No sampling.
        kwargs: Other SageMaker arguments (``volume_size``, ``subnets``,
            ``security_group_ids``, ...), accepted and not used.

    Raises:
        ValidationError: Neither ``entry_point`` nor ``image_uri`` given.
    """

    def __init__(
        self,
        image_uri: str | None = None,
        role: str | None = None,
        instance_count: int = 1,
        instance_type: str = "local",
        entry_point: str | None = None,
        source_dir: str | None = None,
        hyperparameters: Mapping[str, Any] | None = None,
        environment: Mapping[str, str] | None = None,
        metric_definitions: Sequence[Mapping[str, str]] | None = None,
        output_path: str | None = None,
        checkpoint_s3_uri: str | None = None,
        checkpoint_local_path: str | None = None,
        max_run: int = 24 * 60 * 60,
        base_job_name: str | None = None,
        dependencies: Sequence[str] | None = None,
        sagemaker_session: Any = None,
        tags: Sequence[Mapping[str, str]] | None = None,
        rules: Sequence[Any] | None = None,
        debugger_hook_config: DebuggerHookConfig | bool | None = None,
        profiler_config: ProfilerConfig | None = None,
        disable_profiler: bool = False,
        **kwargs: Any,
    ) -> None:
        if entry_point is None and image_uri is None:
            raise ValidationError(
                "give entry_point (script mode) or image_uri", field="entry_point"
            )
        self.image_uri = image_uri
        self.role = role
        self.instance_count = instance_count
        self.instance_type = instance_type
        self.entry_point = entry_point
        self.source_dir = source_dir
        self._hyperparameters: dict[str, Any] = dict(hyperparameters or {})
        self.environment = dict(environment or {})
        self.metric_definitions = [dict(m) for m in metric_definitions or ()]
        self.output_path = output_path
        self.checkpoint_s3_uri = checkpoint_s3_uri
        self.checkpoint_local_path = checkpoint_local_path
        self.max_run = max_run
        self.base_job_name = base_job_name
        self.dependencies = list(dependencies or ())
        self.sagemaker_session = sagemaker_session
        self.tags = list(tags or ())
        self.rules = list(rules or ())
        self.debugger_hook_config = debugger_hook_config
        self.profiler_config = profiler_config
        self.disable_profiler = disable_profiler
        self.latest_training_job: TrainingJob | None = None
        self._current_job_name: str | None = None

    # -- hyperparameters --------------------------------------------------------------
    def set_hyperparameters(self, **kwargs: Any) -> None:
        """Set hyperparameters of the next jobs, keeping the others.

        Args:
            kwargs: Hyperparameters by name.
        """
        self._hyperparameters.update(kwargs)

    def hyperparameters(self) -> dict[str, Any]:
        """The hyperparameters of the next job.

        Returns:
            A copy, by name, as given (the request turns the values into strings).
        """
        return dict(self._hyperparameters)

    # -- training ---------------------------------------------------------------------
    def _client(self) -> JobsClient:
        return jobs_client(self.sagemaker_session)

    def _request(
        self, job_name: str, inputs: Any, experiment_config: Mapping[str, str] | None
    ) -> dict[str, Any]:
        algorithm: dict[str, Any] = {"TrainingInputMode": "File"}
        if self.image_uri:
            algorithm["TrainingImage"] = self.image_uri
        if self.metric_definitions:
            algorithm["MetricDefinitions"] = self.metric_definitions
        request: dict[str, Any] = {
            "TrainingJobName": job_name,
            "AlgorithmSpecification": algorithm,
            "HyperParameters": {str(k): v for k, v in self._hyperparameters.items()},
            "InputDataConfig": channels_of(inputs),
            "ResourceConfig": {
                "InstanceType": self.instance_type,
                "InstanceCount": self.instance_count,
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": int(self.max_run)},
            "Environment": self.environment,
        }
        if self.entry_point:
            script: dict[str, Any] = {"EntryPoint": self._local(self.entry_point)}
            if self.source_dir:
                script = {"EntryPoint": self.entry_point, "SourceDir": self._local(self.source_dir)}
            if self.dependencies:
                script["Dependencies"] = [self._local(d) for d in self.dependencies]
            request["ScriptMode"] = script
        if self.output_path:
            request["OutputDataConfig"] = {"S3OutputPath": self.output_path}
        if self.checkpoint_s3_uri:
            checkpoint = {"S3Uri": self.checkpoint_s3_uri}
            if self.checkpoint_local_path:
                checkpoint["LocalPath"] = self.checkpoint_local_path
            request["CheckpointConfig"] = checkpoint
        if experiment_config:
            request["ExperimentConfig"] = dict(experiment_config)
        if self.tags:
            request["Tags"] = [dict(t) for t in self.tags]
        request.update(
            debug_request(
                job_name,
                self.rules,
                self.debugger_hook_config,
                self.profiler_config,
                self.disable_profiler,
            )
        )
        return request

    def training_job_definition(self, inputs: Any = None) -> dict[str, Any]:
        """The CreateTrainingJob request of this estimator, less what each job sets itself.

        A tuning job's ``TrainingJobDefinition`` starts from it
        (:class:`~.tuner.HyperparameterTuner`): no ``TrainingJobName``,
        ``HyperParameters``, ``ExperimentConfig`` or ``Tags``.

        Args:
            inputs: As for :meth:`fit`.

        Returns:
            ``AlgorithmSpecification``, ``InputDataConfig``, ``ResourceConfig``,
            ``StoppingCondition``, ``Environment`` and, when set, ``ScriptMode``,
            ``OutputDataConfig``, ``CheckpointConfig`` and ``RoleArn``.
        """
        request = self._request("definition", inputs, None)
        for key in (
            "TrainingJobName",
            "HyperParameters",
            "ExperimentConfig",
            "Tags",
            "DebugHookConfig",  # a tuning job's definition has no Debugger or profiler
            "DebugRuleConfigurations",
            "ProfilerConfig",
            "ProfilerRuleConfigurations",
        ):
            request.pop(key, None)
        if self.role:
            request["RoleArn"] = self.role
        return request

    @staticmethod
    def _local(path: str) -> str:
        """Local paths are sent absolute (the studio may run in another folder)."""
        return path if "://" in path else os.path.abspath(os.path.expanduser(path))

    def fit(
        self,
        inputs: Any = None,
        wait: bool = True,
        logs: bool | str = True,
        job_name: str | None = None,
        experiment_config: Mapping[str, str] | None = None,
    ) -> Any:
        """Start a training job, and by default wait for it to end.

        Args:
            inputs: The input channels: a location (``s3://``, ``file://`` or a local
                path; the ``training`` channel), a :class:`~.inputs.TrainingInput`, or a
                mapping of channel names to either.
            wait: Block until the job ends.
            logs: With ``wait``, print the job's log as it grows (``"None"`` or False: no).
            job_name: The job's name; default ``<base job name>-<UTC time>``.
            experiment_config: ``{"ExperimentName": ..., "RunName": ...}`` (and
                ``TrialName``): the run the job logs to. None inside a ``with Run(...)``
                block means that run.

        Returns:
            None; under a ``PipelineSession``, the arguments of a ``TrainingStep``
            (``step_args=``), and no job is started.

        Raises:
            ValidationError: A bad request, naming the field (``TrainingJobName``,
                ``ScriptMode.EntryPoint``, ``InputDataConfig[0]...``).
            ConflictError: ``job_name`` is taken.
            StudioError: With ``wait``, the job ended Failed (with its failure reason);
                Stopped is logged, as the SageMaker SDK does (a rule's StopTraining
                action, ``stop()``).
        """
        experiment_config = active_experiment_config(experiment_config)
        name = job_name or name_from_base(self._base_job_name())
        capture = request_capture(self.sagemaker_session)
        if capture is not None:  # a PipelineSession: the step's arguments, no job
            request = self._request(name, inputs, experiment_config)
            return capture.capture_request("CreateTrainingJob", request, self)
        client = self._client()
        client.create_job(JobKind.TRAINING, self._request(name, inputs, experiment_config))
        self._current_job_name = name
        self.latest_training_job = TrainingJob(client, name)
        if wait:
            job = self.latest_training_job.wait(logs=bool(logs) and logs != "None")
            if job.status is JobStatus.STOPPED:
                log.warning("training job %s ended Stopped rather than Completed", name)
            elif job.status is not JobStatus.COMPLETED:
                raise StudioError(
                    f"training job {name} {job.status.value}: {job.failure_reason or ''}".strip()
                )

    @property
    def model_data(self) -> str | None:
        """The URI of the latest job's ``model.tar.gz``.

        Returns:
            The URI, or None before a job has completed with a model.
        """
        if self.latest_training_job is None:
            return None
        outputs = self.latest_training_job.describe().outputs
        artifacts = outputs.get("ModelArtifacts") or {}
        return artifacts.get("S3ModelArtifacts")

    @property
    def training_job_analytics(self) -> TrainingJobAnalytics:
        """The metrics of the latest training job, as ``TrainingJobAnalytics``.

        Raises:
            ValidationError: No job yet (call ``fit`` first).
        """
        return TrainingJobAnalytics(self._job().name, sagemaker_session=self.sagemaker_session)

    @classmethod
    def attach(cls, training_job_name: str, sagemaker_session: Any = None) -> Estimator:
        """An estimator for an existing training job, built from its recorded request.

        Args:
            training_job_name: The job's name.
            sagemaker_session: As for :class:`Estimator`.

        Returns:
            An estimator whose ``latest_training_job`` is that job (``model_data``,
            ``logs()``, ``deploy()`` work on it).

        Raises:
            NotFoundError: No training job has that name.
        """
        client = jobs_client(sagemaker_session)
        job = client.describe_job(JobKind.TRAINING, training_job_name)
        spec = job.spec
        algorithm = spec.get("AlgorithmSpecification") or {}
        script = spec.get("ScriptMode") or {}
        resources = spec.get("ResourceConfig") or {}
        checkpoint = spec.get("CheckpointConfig") or {}
        estimator = cls(
            image_uri=algorithm.get("TrainingImage"),
            entry_point=script.get("EntryPoint")
            or (None if algorithm.get("TrainingImage") else "?"),
            source_dir=script.get("SourceDir"),
            hyperparameters=spec.get("HyperParameters"),
            instance_type=resources.get("InstanceType", "local"),
            instance_count=resources.get("InstanceCount", 1),
            environment=spec.get("Environment"),
            metric_definitions=algorithm.get("MetricDefinitions"),
            output_path=(spec.get("OutputDataConfig") or {}).get("S3OutputPath"),
            max_run=(spec.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds", 86400),
            checkpoint_s3_uri=checkpoint.get("S3Uri"),
            checkpoint_local_path=checkpoint.get("LocalPath"),
            dependencies=script.get("Dependencies"),
            tags=spec.get("Tags"),
            sagemaker_session=sagemaker_session,
        )
        estimator._current_job_name = training_job_name
        estimator.latest_training_job = TrainingJob(client, training_job_name)
        return estimator

    def _job(self) -> TrainingJob:
        """The latest job; ValidationError before ``fit``."""
        if self.latest_training_job is None:
            raise ValidationError("no training job yet: call fit() first", field="job_name")
        return self.latest_training_job

    def logs(self) -> None:
        """Print the latest job's log, following it until the job ends.

        Raises:
            ValidationError: No job yet (call ``fit`` first).
        """
        self._job().wait(logs=True)

    def stop(self) -> None:
        """Stop the latest training job (it ends Stopped).

        Raises:
            ValidationError: No job yet (call ``fit`` first).
        """
        self._job().stop()

    def latest_job_debugger_artifacts_path(self) -> str | None:
        """Where the latest job's saved tensors are published (``create_trial`` reads them).

        Returns:
            ``<DebugHookConfig.S3OutputPath>/<job>/debug-output``, or None before ``fit`` or
            without a hook.
        """
        if self.latest_training_job is None:
            return None
        job = self.latest_training_job.describe()
        return debug_output_uri(job.spec.get("DebugHookConfig"), job.job_name)

    def describe(self) -> Job:
        """The latest training job's record.

        Returns:
            Its status, times, failure reason, outputs and request.

        Raises:
            ValidationError: No job yet (call ``fit`` first).
        """
        return self._job().describe()
