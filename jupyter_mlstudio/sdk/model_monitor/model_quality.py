"""``ModelQualityMonitor`` with the names and signatures of ``sagemaker.model_monitor``
(SDK v2): model quality — the endpoint's predictions merged with ground truth (by event
id) and their metrics compared with a baseline's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...exceptions import ValidationError
from ..jobs import ProcessingJob
from ..naming import name_from_base
from .base import ModelMonitor
from .inputs import endpoint_input_of
from .monitoring_files import Constraints
from .requests import MONITORING_SCHEDULE_BASE_NAME, location, refuse

PROBLEM_TYPES = ("BinaryClassification", "MulticlassClassification", "Regression")
MODEL_QUALITY_ANALYSIS = "MODEL_QUALITY"


def problem_type_of(problem_type: Any) -> str:
    """A checked ``problem_type``.

    Args:
        problem_type: ``BinaryClassification``, ``MulticlassClassification`` or
            ``Regression``.

    Returns:
        It.

    Raises:
        ValidationError: Anything else, naming ``problem_type``.
    """
    if problem_type not in PROBLEM_TYPES:
        raise ValidationError(
            f"problem_type must be one of {', '.join(PROBLEM_TYPES)} (got {problem_type!r})",
            field="problem_type",
        )
    return str(problem_type)


class ModelQualityMonitor(ModelMonitor):
    """Model quality monitoring with the studio's analyzer.

    Args:
        role: Accepted for SageMaker compatibility; sent as the schedule's ``RoleArn``.
        instance_count: Hosts of each job.
        instance_type: ``local`` or an ``ml.*`` name (its CPUs and memory cap the job).
        volume_size_in_gb: Recorded in the requests; not used.
        volume_kms_key: Accepted for SageMaker compatibility and not used.
        output_kms_key: Accepted for SageMaker compatibility and not used.
        max_runtime_in_seconds: Seconds a job may run; then it is stopped and Failed.
        base_job_name: The start of generated job and schedule names.
        sagemaker_session: None (the default client), a Session, a TrackingClient or a
            tracking URI.
        env: More environment variables of the jobs.
        tags: ``[{"Key": ..., "Value": ...}]`` of the jobs and schedules.
        network_config: Accepted for SageMaker compatibility and not used.
    """

    JOB_DEFINITION_BASE_NAME = "model-quality-job-definition"

    def __init__(
        self,
        role: str | None = None,
        instance_count: int = 1,
        instance_type: str = "ml.m5.xlarge",
        volume_size_in_gb: int = 30,
        volume_kms_key: str | None = None,
        output_kms_key: str | None = None,
        max_runtime_in_seconds: int | None = None,
        base_job_name: str | None = None,
        sagemaker_session: Any = None,
        env: Mapping[str, str] | None = None,
        tags: Sequence[Mapping[str, str]] | None = None,
        network_config: Any = None,
    ) -> None:
        super().__init__(
            role=role,
            instance_count=instance_count,
            instance_type=instance_type,
            volume_size_in_gb=volume_size_in_gb,
            volume_kms_key=volume_kms_key,
            output_kms_key=output_kms_key,
            max_runtime_in_seconds=max_runtime_in_seconds,
            base_job_name=base_job_name,
            sagemaker_session=sagemaker_session,
            env=env,
            tags=tags,
            network_config=network_config,
        )

    @classmethod
    def monitoring_type(cls) -> str:
        """The schedules' ``MonitoringType``.

        Returns:
            ``ModelQuality``.
        """
        return "ModelQuality"

    def suggest_baseline(
        self,
        baseline_dataset: str,
        dataset_format: dict[str, Any],
        problem_type: str,
        inference_attribute: str | None = None,
        probability_attribute: str | int | None = None,
        ground_truth_attribute: str | None = None,
        probability_threshold_attribute: float | None = None,
        post_analytics_processor_script: str | None = None,
        output_s3_uri: str | None = None,
        wait: bool = False,
        logs: bool = False,
        job_name: str | None = None,
    ) -> ProcessingJob:
        """Compute a validation set's quality metrics and suggest thresholds: a processing
        job of the analyzer that writes ``statistics.json`` and ``constraints.json``.

        Args:
            baseline_dataset: A CSV or JSON-lines file or folder with predictions and
                labels: a local path (sent absolute), ``file://`` or ``s3://``.
            dataset_format: ``DatasetFormat.csv(header=...)`` or
                ``DatasetFormat.json(lines=True)``.
            problem_type: ``BinaryClassification``, ``MulticlassClassification`` or
                ``Regression``.
            inference_attribute: The prediction's column (name or index) or key.
            probability_attribute: The probability's column or key.
            ground_truth_attribute: The label's column or key.
            probability_threshold_attribute: The probability from which the prediction is
                the positive class.
            post_analytics_processor_script: Not supported (refused when given).
            output_s3_uri: Where the two files go; default the studio's artifact store.
            wait: Block until the job ends (SageMaker's default here: False).
            logs: With ``wait``, print the job's log as it grows.
            job_name: The job's name; default ``baseline-suggestion-job-<UTC time>``.

        Returns:
            The job (also :attr:`latest_baselining_job`).

        Raises:
            ValidationError: A bad or unsupported argument, naming it.
            StudioError: With ``wait``, the job ended Failed (with its reason).
        """
        refuse(post_analytics_processor_script=post_analytics_processor_script)
        return self._run_baseline_job(
            baseline_dataset,
            dataset_format,
            output_s3_uri,
            wait,
            logs,
            job_name,
            analysis_type=MODEL_QUALITY_ANALYSIS,
            problem_type=problem_type_of(problem_type),
            inference_attribute=inference_attribute,
            probability_attribute=probability_attribute,
            ground_truth_attribute=ground_truth_attribute,
            probability_threshold_attribute=probability_threshold_attribute,
        )

    def create_monitoring_schedule(
        self,
        endpoint_input: Any = None,
        ground_truth_input: str | None = None,
        problem_type: str | None = None,
        record_preprocessor_script: str | None = None,
        post_analytics_processor_script: str | None = None,
        output_s3_uri: str | None = None,
        constraints: Constraints | str | None = None,
        monitor_schedule_name: str | None = None,
        schedule_cron_expression: str | None = None,
        enable_cloudwatch_metrics: bool = True,
        batch_transform_input: Any = None,
        data_analysis_start_time: str | None = None,
        data_analysis_end_time: str | None = None,
    ) -> None:
        """Create a schedule that merges the endpoint's captured predictions with ground
        truth and checks their metrics against the baseline's constraints.

        Args:
            endpoint_input: The endpoint's name or an :class:`~.inputs.EndpointInput`
                (with ``inference_attribute``, ``probability_attribute``,
                ``probability_threshold_attribute``).
            ground_truth_input: The ground-truth folder (``s3://``, ``file://`` or a local
                path): JSON lines ``{"groundTruthData": {"data": ..., "encoding": ...},
                "eventMetadata": {"eventId": ...}, "eventVersion": "0"}``.
            problem_type: ``BinaryClassification``, ``MulticlassClassification`` or
                ``Regression``.
            record_preprocessor_script: Not supported (refused when given).
            post_analytics_processor_script: Not supported (refused when given).
            output_s3_uri: Where executions' files go; default the studio's artifact store.
            constraints: A :class:`~.monitoring_files.Constraints` or its URI; default the
                latest baseline job's.
            monitor_schedule_name: The schedule's name; default
                ``monitoring-schedule-<UTC time>``.
            schedule_cron_expression: The schedule's expression; default daily at 00:00.
            enable_cloudwatch_metrics: Recorded in the jobs' environment; no CloudWatch.
            batch_transform_input: Not supported (refused when given).
            data_analysis_start_time: The window's start relative to the scheduled time.
            data_analysis_end_time: The window's end.

        Raises:
            ValidationError: A missing, bad or unsupported argument (naming it); the
                monitor already has a schedule.
        """
        if not ground_truth_input:
            raise ValidationError("ground_truth_input can not be None.", field="ground_truth_input")
        if not problem_type:
            raise ValidationError("problem_type can not be None.", field="problem_type")
        problem = problem_type_of(problem_type)
        self._check_new_schedule(
            endpoint_input,
            batch_transform_input,
            schedule_cron_expression,
            data_analysis_start_time,
            data_analysis_end_time,
        )
        refuse(
            record_preprocessor_script=record_preprocessor_script,
            post_analytics_processor_script=post_analytics_processor_script,
        )
        baseline: dict[str, Any] = {}
        constraints_uri = self._baseline_uri(constraints, Constraints)
        if constraints_uri:
            baseline["ConstraintsResource"] = {"S3Uri": constraints_uri}
        if self.latest_baselining_job_name:
            baseline["BaseliningJobName"] = self.latest_baselining_job_name
        name = monitor_schedule_name or name_from_base(
            self.base_job_name or MONITORING_SCHEDULE_BASE_NAME
        )
        definition = self._job_definition(
            endpoint_input_of(endpoint_input), output_s3_uri, enable_cloudwatch_metrics, baseline
        )
        definition["GroundTruthS3Input"] = {"S3Uri": location(ground_truth_input)}
        definition["ProblemType"] = problem
        self._create_schedule(
            self._schedule_request(
                name,
                definition,
                schedule_cron_expression,
                data_analysis_start_time,
                data_analysis_end_time,
            )
        )

    @classmethod
    def attach(
        cls, monitor_schedule_name: str, sagemaker_session: Any = None
    ) -> ModelQualityMonitor:
        """A monitor of an existing model quality schedule (see
        :meth:`ModelMonitor.attach`).

        Args:
            monitor_schedule_name: The schedule.
            sagemaker_session: As for the constructor.

        Returns:
            The monitor.
        """
        monitor: ModelQualityMonitor = super().attach(monitor_schedule_name, sagemaker_session)
        return monitor
