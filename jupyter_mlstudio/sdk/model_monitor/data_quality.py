"""``DefaultModelMonitor`` with the names and signatures of ``sagemaker.model_monitor``
(SDK v2): data quality — a baseline of the training data, then schedules that profile
what an endpoint received and compare it with the baseline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..jobs import ProcessingJob
from ..naming import name_from_base
from .base import ModelMonitor
from .inputs import endpoint_input_of
from .monitoring_files import Constraints, Statistics
from .requests import MONITORING_SCHEDULE_BASE_NAME, refuse


class DefaultModelMonitor(ModelMonitor):
    """Data quality monitoring with the studio's analyzer.

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

    JOB_DEFINITION_BASE_NAME = "data-quality-job-definition"

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
            ``DataQuality``.
        """
        return "DataQuality"

    def run_baseline(self, *args: Any, **kwargs: Any) -> None:
        """Not for this monitor (as in SageMaker): use :meth:`suggest_baseline`.

        Args:
            args: Ignored.
            kwargs: Ignored.

        Raises:
            NotImplementedError: Always.
        """
        raise NotImplementedError(
            "'.run_baseline()' is only allowed for ModelMonitor objects. "
            "Please use suggest_baseline for DefaultModelMonitor objects, instead."
        )

    def suggest_baseline(
        self,
        baseline_dataset: str,
        dataset_format: dict[str, Any],
        record_preprocessor_script: str | None = None,
        post_analytics_processor_script: str | None = None,
        output_s3_uri: str | None = None,
        wait: bool = True,
        logs: bool = True,
        job_name: str | None = None,
        monitoring_config_override: Any = None,
    ) -> ProcessingJob:
        """Profile a dataset and suggest constraints: a processing job of the analyzer that
        writes ``statistics.json`` and ``constraints.json``.

        Args:
            baseline_dataset: A CSV or JSON-lines file or folder: a local path (sent
                absolute), ``file://`` or ``s3://``.
            dataset_format: ``DatasetFormat.csv(header=...)`` or
                ``DatasetFormat.json(lines=True)`` (parquet is refused).
            record_preprocessor_script: Not supported (refused when given).
            post_analytics_processor_script: Not supported (refused when given).
            output_s3_uri: Where the two files go (``s3://``, ``file://`` or a local path);
                default the studio's artifact store, under the job's folder.
            wait: Block until the job ends.
            logs: With ``wait``, print the job's log as it grows.
            job_name: The job's name; default ``baseline-suggestion-job-<UTC time>``.
            monitoring_config_override: Not supported (refused when given).

        Returns:
            The job (also :attr:`latest_baselining_job`, whose ``baseline_statistics()``
            and ``suggested_constraints()`` read the files).

        Raises:
            ValidationError: A bad or unsupported argument, naming it; a dataset path
                that does not exist.
            StudioError: With ``wait``, the job ended Failed (with its reason).
        """
        refuse(
            record_preprocessor_script=record_preprocessor_script,
            post_analytics_processor_script=post_analytics_processor_script,
            monitoring_config_override=monitoring_config_override,
        )
        return self._run_baseline_job(
            baseline_dataset, dataset_format, output_s3_uri, wait, logs, job_name
        )

    def create_monitoring_schedule(
        self,
        endpoint_input: Any = None,
        record_preprocessor_script: str | None = None,
        post_analytics_processor_script: str | None = None,
        output_s3_uri: str | None = None,
        constraints: Constraints | str | None = None,
        statistics: Statistics | str | None = None,
        monitor_schedule_name: str | None = None,
        schedule_cron_expression: str | None = None,
        enable_cloudwatch_metrics: bool = True,
        batch_transform_input: Any = None,
        data_analysis_start_time: str | None = None,
        data_analysis_end_time: str | None = None,
    ) -> None:
        """Create a schedule that profiles the endpoint's captured data and checks it
        against the baseline.

        Args:
            endpoint_input: The endpoint's name or an :class:`~.inputs.EndpointInput`.
            record_preprocessor_script: Not supported (refused when given).
            post_analytics_processor_script: Not supported (refused when given).
            output_s3_uri: Where executions' files go, under
                ``<endpoint>/<schedule>/<yyyy>/<mm>/<dd>/<hh>/``; default the studio's
                artifact store.
            constraints: A :class:`~.monitoring_files.Constraints` or its URI; default the
                latest baseline job's.
            statistics: A :class:`~.monitoring_files.Statistics` or its URI; default the
                latest baseline job's.
            monitor_schedule_name: The schedule's name; default
                ``monitoring-schedule-<UTC time>``.
            schedule_cron_expression: A :class:`~.cron_expression_generator.
                CronExpressionGenerator` expression; default daily at 00:00 UTC.
                ``CronExpressionGenerator.now()`` runs once, over the window of
                ``data_analysis_start_time``/``_end_time``.
            enable_cloudwatch_metrics: Recorded in the jobs' environment
                (``publish_cloudwatch_metrics``); no CloudWatch here.
            batch_transform_input: Not supported (refused when given).
            data_analysis_start_time: The window's start relative to the scheduled time,
                e.g. ``-PT1H``.
            data_analysis_end_time: The window's end, e.g. ``-PT0H``.

        Raises:
            ValidationError: A bad or unsupported argument (naming it), an endpoint
                without data capture, a name in use, a cron expression the studio does
                not accept; the monitor already has a schedule.
        """
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
        statistics_uri = self._baseline_uri(statistics, Statistics)
        if statistics_uri:
            baseline["StatisticsResource"] = {"S3Uri": statistics_uri}
        if self.latest_baselining_job_name:
            baseline["BaseliningJobName"] = self.latest_baselining_job_name
        name = monitor_schedule_name or name_from_base(
            self.base_job_name or MONITORING_SCHEDULE_BASE_NAME
        )
        definition = self._job_definition(
            endpoint_input_of(endpoint_input), output_s3_uri, enable_cloudwatch_metrics, baseline
        )
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
    ) -> DefaultModelMonitor:
        """A monitor of an existing data quality schedule (see :meth:`ModelMonitor.attach`).

        Args:
            monitor_schedule_name: The schedule.
            sagemaker_session: As for the constructor.

        Returns:
            The monitor.
        """
        monitor: DefaultModelMonitor = super().attach(monitor_schedule_name, sagemaker_session)
        return monitor
