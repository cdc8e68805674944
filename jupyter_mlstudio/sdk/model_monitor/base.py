"""``ModelMonitor``: what every monitor of ``sagemaker.model_monitor`` (SDK v2) shares —
baseline jobs, the schedule it created or attached to, its executions and their files.

Baseline jobs are processing jobs of the studio's analyzer image (``ANALYZER_IMAGE``, run
by the studio on the process runtime) configured by SageMaker's environment variables
(``dataset_format``, ``dataset_source``, ``output_path``, ...). Schedules go to the
studio's ``monitoring-schedules`` routes; their executions are processing jobs too.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any

from ...exceptions import NotFoundError, StudioError, ValidationError
from ...monitoring import ANALYZER_IMAGE
from ..jobs import POLL_S, ProcessingJob
from ..jobs_client import request_capture
from ..naming import name_from_base
from ..processing import ProcessingInput, ProcessingOutput, Processor
from .cron_expression_generator import NOW, CronExpressionGenerator
from .dataset_format import baseline_format
from .executions import BaseliningJob, MonitoringExecution
from .inputs import OUTPUT_PATH, EndpointInput, MonitoringOutput
from .monitoring_files import (
    CONSTRAINT_VIOLATIONS_JSON_DEFAULT_FILE_NAME,
    CONSTRAINTS_JSON_DEFAULT_FILE_NAME,
    STATISTICS_JSON_DEFAULT_FILE_NAME,
    Constraints,
    ConstraintViolations,
    Statistics,
    join_uri,
)
from .requests import (
    BASELINE_DATASET_INPUT_NAME,
    BASELINE_DATASET_PATH,
    DEFAULT_OUTPUT_NAME,
    SCHEDULE_CHANGE_TIMEOUT,
    SUGGESTION_JOB_BASE_NAME,
    environment,
    location,
    refuse,
)
from .schedules_client import MonitoringClient, monitoring_client

logger = logging.getLogger(__name__)


class ModelMonitor:
    """A monitor: baselines, one schedule, its executions (use :class:`DefaultModelMonitor`
    or :class:`ModelQualityMonitor`; images of one's own are not supported).

    Args:
        role: Accepted for SageMaker compatibility; sent as the schedule's ``RoleArn``
            (no IAM here).
        image_uri: The analyzer image (default: the studio's).
        instance_count: Hosts of each job.
        instance_type: ``local`` or an ``ml.*`` name (its CPUs and memory cap the job).
        entrypoint: Accepted for SageMaker compatibility; refused when given.
        volume_size_in_gb: Recorded in the requests; not used.
        volume_kms_key: Accepted for SageMaker compatibility and not used.
        output_kms_key: Accepted for SageMaker compatibility and not used.
        max_runtime_in_seconds: Seconds a job may run; then it is stopped and Failed.
        base_job_name: The start of generated job and schedule names.
        sagemaker_session: None (the default client), a :class:`~..session.Session`, a
            :class:`~..client.TrackingClient` or a tracking URI.
        env: More environment variables of the jobs.
        tags: ``[{"Key": ..., "Value": ...}]`` of the jobs and schedules.
        network_config: Accepted for SageMaker compatibility and not used.

    Raises:
        ValidationError: A ``PipelineSession`` (monitors start jobs themselves), or
            ``entrypoint``.
    """

    def __init__(
        self,
        role: str | None = None,
        image_uri: str | None = None,
        instance_count: int = 1,
        instance_type: str = "ml.m5.xlarge",
        entrypoint: Sequence[str] | None = None,
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
        if request_capture(sagemaker_session) is not None:
            raise ValidationError(
                "monitors start their jobs themselves: give a Session, not a PipelineSession",
                field="sagemaker_session",
            )
        refuse(entrypoint=entrypoint)
        self.role = role
        self.image_uri = image_uri or ANALYZER_IMAGE
        self.instance_count = instance_count
        self.instance_type = instance_type
        self.entrypoint = entrypoint
        self.volume_size_in_gb = volume_size_in_gb
        self.volume_kms_key = volume_kms_key
        self.output_kms_key = output_kms_key
        self.max_runtime_in_seconds = max_runtime_in_seconds
        self.base_job_name = base_job_name
        self.sagemaker_session = sagemaker_session
        self.env = dict(env) if env is not None else None
        self.tags = [dict(t) for t in tags or ()]
        self.network_config = network_config
        self.baselining_jobs: list[BaseliningJob] = []
        self.latest_baselining_job: BaseliningJob | None = None
        self.latest_baselining_job_name: str | None = None
        self.arguments: list[str] | None = None
        self.monitoring_schedule_name: str | None = None
        #: always None: the studio keeps a schedule's job definition inside it
        self.job_definition_name: str | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(monitoring_schedule_name={self.monitoring_schedule_name!r})"

    @property
    def _monitoring(self) -> MonitoringClient:
        return monitoring_client(self.sagemaker_session)

    @classmethod
    def monitoring_type(cls) -> str:
        """The schedules' ``MonitoringType``.

        Returns:
            ``DataQuality`` or ``ModelQuality`` (a subclass's).

        Raises:
            TypeError: On :class:`ModelMonitor` itself.
        """
        raise TypeError(f"a subclass of {cls.__name__} says its monitoring type")

    def run_baseline(self, *args: Any, **kwargs: Any) -> None:
        """Run an image of one's own as a baseline job: not supported.

        Args:
            args: SageMaker's arguments.
            kwargs: SageMaker's arguments.

        Raises:
            ValidationError: Always; use ``suggest_baseline``.
        """
        raise ValidationError(
            "baselines of an image of one's own are not supported: use"
            " DefaultModelMonitor(...).suggest_baseline or ModelQualityMonitor(...)",
            field="image_uri",
        )

    def update_monitoring_schedule(self, *args: Any, **kwargs: Any) -> None:
        """Change the schedule: not supported.

        Args:
            args: SageMaker's arguments.
            kwargs: SageMaker's arguments.

        Raises:
            ValidationError: Always; delete the schedule and create it again.
        """
        raise ValidationError(
            "schedules cannot be updated: delete_monitoring_schedule() and create it again",
            field="monitor_schedule_name",
        )

    # -- baseline jobs -------------------------------------------------------------------------
    def _run_baseline_job(
        self,
        baseline_dataset: str,
        dataset_format: Any,
        output_s3_uri: str | None,
        wait: bool,
        logs: bool,
        job_name: str | None,
        **analysis: Any,
    ) -> ProcessingJob:
        """Start the analyzer on a dataset; see ``suggest_baseline``."""
        dataset_format = baseline_format(dataset_format)
        if not isinstance(baseline_dataset, str) or not baseline_dataset:
            raise ValidationError("baseline_dataset is required", field="baseline_dataset")
        dataset = location(baseline_dataset) or ""
        if "://" not in dataset and not os.path.exists(dataset):
            raise ValidationError(f"{dataset} does not exist", field="baseline_dataset")
        name = job_name or name_from_base(self.base_job_name or SUGGESTION_JOB_BASE_NAME)
        inputs = [ProcessingInput(dataset, BASELINE_DATASET_PATH, BASELINE_DATASET_INPUT_NAME)]
        outputs = [ProcessingOutput(OUTPUT_PATH, location(output_s3_uri), DEFAULT_OUTPUT_NAME)]
        env = environment(
            self.env,
            output_path=OUTPUT_PATH,
            publish_cloudwatch_metrics=False,
            dataset_format=dataset_format,
            dataset_source=BASELINE_DATASET_PATH,
            **analysis,
        )
        processor = Processor(
            role=self.role,
            image_uri=self.image_uri,
            instance_count=self.instance_count,
            instance_type=self.instance_type,
            volume_size_in_gb=self.volume_size_in_gb,
            max_runtime_in_seconds=self.max_runtime_in_seconds,
            base_job_name=self.base_job_name,
            sagemaker_session=self.sagemaker_session,
            env=env,
            tags=self.tags,
        )
        try:
            processor.run(
                inputs=inputs,
                outputs=outputs,
                arguments=self.arguments,
                wait=wait,
                logs=logs,
                job_name=name,
            )
        finally:
            if processor.latest_job is not None:
                job = BaseliningJob(self.sagemaker_session, name, inputs, outputs)
                self.latest_baselining_job = job
                self.latest_baselining_job_name = name
                self.baselining_jobs.append(job)
        assert processor.latest_job is not None
        return processor.latest_job

    def _latest_baselining_job(self) -> BaseliningJob:
        if self.latest_baselining_job is None:
            raise ValidationError(
                "no baseline job yet: call suggest_baseline() first", field="baseline_dataset"
            )
        return self.latest_baselining_job

    def describe_latest_baselining_job(self) -> dict[str, Any]:
        """The latest baseline job, as DescribeProcessingJob answers.

        Returns:
            Its description (``ProcessingJobStatus``, ...).

        Raises:
            ValidationError: No baseline job yet.
        """
        return self._latest_baselining_job().describe()

    def baseline_statistics(self, file_name: str = STATISTICS_JSON_DEFAULT_FILE_NAME) -> Statistics:
        """The statistics of the latest baseline job.

        Args:
            file_name: The file's name.

        Returns:
            The file (``body_dict["dataset"]["item_count"]``, ``body_dict["features"]``).

        Raises:
            ValidationError: No baseline job yet.
            StudioError: The job has not Completed.
        """
        return self._latest_baselining_job().baseline_statistics(file_name, self.output_kms_key)

    def suggested_constraints(
        self, file_name: str = CONSTRAINTS_JSON_DEFAULT_FILE_NAME
    ) -> Constraints:
        """The constraints of the latest baseline job.

        Args:
            file_name: The file's name.

        Returns:
            The file (``set_monitoring(...)`` then ``save()`` to change it).

        Raises:
            ValidationError: No baseline job yet.
            StudioError: The job has not Completed.
        """
        return self._latest_baselining_job().suggested_constraints(file_name, self.output_kms_key)

    def _baseline_uri(self, given: Any, cls: type[Statistics | Constraints]) -> str | None:
        """The URI of a baseline file: given as an object or a URI, else the latest
        baseline job's."""
        if given is None:
            job = self.latest_baselining_job
            if job is None:
                return None
            folder = job.output_uri()
            if folder is None:
                raise ValidationError(
                    f"baseline job {job.job_name} has not completed: wait for it"
                    " (latest_baselining_job.wait()) or give statistics and constraints",
                    field="statistics" if cls is Statistics else "constraints",
                )
            name = (
                STATISTICS_JSON_DEFAULT_FILE_NAME
                if cls is Statistics
                else CONSTRAINTS_JSON_DEFAULT_FILE_NAME
            )
            return join_uri(folder, name)
        if isinstance(given, str):
            given = cls.from_s3_uri(given, sagemaker_session=self.sagemaker_session)
        return str(given.file_s3_uri)

    # -- the schedule ------------------------------------------------------------------------
    def _check_new_schedule(
        self,
        endpoint_input: Any,
        batch_transform_input: Any,
        schedule_cron_expression: str | None,
        data_analysis_start_time: str | None,
        data_analysis_end_time: str | None,
    ) -> None:
        if self.monitoring_schedule_name is not None:
            raise ValidationError(
                f"this monitor already has schedule {self.monitoring_schedule_name}: call"
                " delete_monitoring_schedule() before creating another",
                field="monitor_schedule_name",
            )
        refuse(batch_transform_input=batch_transform_input)
        if endpoint_input is None:
            raise ValidationError("give the endpoint to monitor", field="endpoint_input")
        if schedule_cron_expression == NOW and (
            data_analysis_start_time is None or data_analysis_end_time is None
        ):
            raise ValidationError(
                "a one-time schedule (NOW) needs data_analysis_start_time and"
                " data_analysis_end_time",
                field="data_analysis_start_time",
            )

    def _schedule_request(
        self,
        schedule_name: str,
        definition: dict[str, Any],
        schedule_cron_expression: str | None,
        data_analysis_start_time: str | None,
        data_analysis_end_time: str | None,
    ) -> dict[str, Any]:
        schedule: dict[str, Any] = {
            "ScheduleExpression": schedule_cron_expression or CronExpressionGenerator.daily()
        }
        if data_analysis_start_time is not None:
            schedule["DataAnalysisStartTime"] = data_analysis_start_time
        if data_analysis_end_time is not None:
            schedule["DataAnalysisEndTime"] = data_analysis_end_time
        request: dict[str, Any] = {
            "MonitoringScheduleName": schedule_name,
            "MonitoringScheduleConfig": {
                "ScheduleConfig": schedule,
                "MonitoringJobDefinition": definition,
                "MonitoringType": self.monitoring_type(),
            },
        }
        if self.tags:
            request["Tags"] = [dict(t) for t in self.tags]
        return request

    def _job_definition(
        self,
        endpoint_input: EndpointInput,
        output_s3_uri: str | None,
        enable_cloudwatch_metrics: bool,
        baseline: dict[str, Any],
    ) -> dict[str, Any]:
        """The schedule's ``MonitoringJobDefinition`` (the analyzer, its resources, the
        endpoint, where files go, the baseline)."""
        cluster: dict[str, Any] = {
            "InstanceCount": self.instance_count,
            "InstanceType": self.instance_type,
            "VolumeSizeInGB": self.volume_size_in_gb,
        }
        output = MonitoringOutput(OUTPUT_PATH, location(output_s3_uri))
        definition: dict[str, Any] = {
            "MonitoringInputs": [endpoint_input._to_request_dict()],
            "MonitoringOutputConfig": {"MonitoringOutputs": [output._to_request_dict()]},
            "MonitoringResources": {"ClusterConfig": cluster},
            "MonitoringAppSpecification": {"ImageUri": self.image_uri},
            "Environment": environment(
                self.env, publish_cloudwatch_metrics=bool(enable_cloudwatch_metrics)
            ),
        }
        if baseline:
            definition["BaselineConfig"] = baseline
        if self.max_runtime_in_seconds:
            definition["StoppingCondition"] = {"MaxRuntimeInSeconds": self.max_runtime_in_seconds}
        if self.role:
            definition["RoleArn"] = self.role
        return definition

    def _create_schedule(self, request: dict[str, Any]) -> None:
        logger.info("Creating Monitoring Schedule with name: %s", request["MonitoringScheduleName"])
        self._monitoring.create_schedule(request)
        self.monitoring_schedule_name = request["MonitoringScheduleName"]

    def _schedule_name(self) -> str:
        if self.monitoring_schedule_name is None:
            raise ValidationError(
                "no schedule: call create_monitoring_schedule() or attach() first",
                field="monitor_schedule_name",
            )
        return self.monitoring_schedule_name

    def describe_schedule(self) -> dict[str, Any]:
        """The schedule, as DescribeMonitoringSchedule answers.

        Returns:
            ``MonitoringScheduleStatus``, ``MonitoringScheduleConfig``, ``EndpointName``,
            ``LastMonitoringExecutionSummary``, ``NextScheduledTime``, ...

        Raises:
            ValidationError: No schedule yet.
            NotFoundError: The schedule was deleted.
        """
        return self._monitoring.describe_schedule(self._schedule_name())

    def _wait_for_schedule_changes_to_apply(self) -> None:
        deadline = time.monotonic() + SCHEDULE_CHANGE_TIMEOUT
        while self.describe_schedule().get("MonitoringScheduleStatus") == "Pending":
            if time.monotonic() > deadline:
                raise StudioError(
                    f"schedule {self.monitoring_schedule_name} is still Pending after"
                    f" {SCHEDULE_CHANGE_TIMEOUT:.0f} s"
                )
            time.sleep(POLL_S)

    def start_monitoring_schedule(self) -> None:
        """Start the schedule (again): it runs at its next scheduled time.

        Raises:
            ValidationError: No schedule yet.
        """
        self._monitoring.start_schedule(self._schedule_name())
        self._wait_for_schedule_changes_to_apply()

    def stop_monitoring_schedule(self) -> None:
        """Stop the schedule: no executions until it is started again.

        Raises:
            ValidationError: No schedule yet.
        """
        self._monitoring.stop_schedule(self._schedule_name())
        self._wait_for_schedule_changes_to_apply()

    def delete_monitoring_schedule(self) -> None:
        """Delete the schedule (its executions' jobs and files stay); the monitor can then
        create another.

        Raises:
            ValidationError: No schedule.
        """
        self._monitoring.delete_schedule(self._schedule_name())
        self.monitoring_schedule_name = None

    def list_executions(self) -> list[MonitoringExecution]:
        """The schedule's executions that have a job, oldest first (``[-1]`` is the
        latest).

        Returns:
            Up to the latest 100 executions.

        Raises:
            ValidationError: No schedule yet.
        """
        summaries = self._monitoring.list_executions(self._schedule_name())
        executions = [
            MonitoringExecution.from_summary(self.sagemaker_session, summary)
            for summary in summaries
            if summary.get("ProcessingJobName") or summary.get("ProcessingJobArn")
        ]
        if not executions:
            logger.warning(
                "No executions found for schedule. monitoring_schedule_name: %s",
                self.monitoring_schedule_name,
            )
        executions.reverse()
        return executions

    def latest_monitoring_statistics(
        self, file_name: str = STATISTICS_JSON_DEFAULT_FILE_NAME
    ) -> Statistics | None:
        """The statistics of the latest execution.

        Args:
            file_name: The file's name.

        Returns:
            The file; None when there is no execution yet or it has not completed.
        """
        executions = self.list_executions()
        if not executions:
            return None
        try:
            return executions[-1].statistics(file_name)
        except (NotFoundError, StudioError) as exc:
            logger.warning("Unable to retrieve statistics: %s", exc)
            return None

    def latest_monitoring_constraint_violations(
        self, file_name: str = CONSTRAINT_VIOLATIONS_JSON_DEFAULT_FILE_NAME
    ) -> ConstraintViolations | None:
        """The constraint violations of the latest execution.

        Args:
            file_name: The file's name.

        Returns:
            The file; None when there is no execution yet or it has not completed.
        """
        executions = self.list_executions()
        if not executions:
            return None
        try:
            return executions[-1].constraint_violations(file_name)
        except (NotFoundError, StudioError) as exc:
            logger.warning("Unable to retrieve constraint violations: %s", exc)
            return None

    def get_latest_execution_logs(self, wait: bool = False) -> None:
        """Print the latest execution's log.

        Args:
            wait: Follow it until the execution ends.

        Raises:
            ValidationError: No execution has run yet.
        """
        executions = self.list_executions()
        if not executions:
            raise ValidationError(
                "No execution jobs were kicked off.", field="monitor_schedule_name"
            )
        latest = executions[-1]
        if wait:
            latest.wait(logs=True)
            return
        client = monitoring_client(self.sagemaker_session).jobs
        sys.stdout.write(client.job_logs(ProcessingJob.kind, latest.job_name).Text)
        sys.stdout.flush()

    @classmethod
    def attach(cls, monitor_schedule_name: str, sagemaker_session: Any = None) -> Any:
        """A monitor of an existing schedule (its ``describe_schedule``,
        ``list_executions``, ``stop_monitoring_schedule``, ...).

        Args:
            monitor_schedule_name: The schedule.
            sagemaker_session: As for the constructor.

        Returns:
            The monitor, with the schedule's resources and environment.

        Raises:
            NotFoundError: No such schedule.
            ValidationError: The schedule is of another monitoring type.
        """
        described = monitoring_client(sagemaker_session).describe_schedule(monitor_schedule_name)
        config = described.get("MonitoringScheduleConfig") or {}
        kind = config.get("MonitoringType") or described.get("MonitoringType")
        if cls is not ModelMonitor and kind and kind != cls.monitoring_type():
            raise ValidationError(
                f"{cls.__name__} attaches to {cls.monitoring_type()} schedules;"
                f" {monitor_schedule_name} is {kind}",
                field="monitor_schedule_name",
            )
        definition = config.get("MonitoringJobDefinition") or {}
        cluster = (definition.get("MonitoringResources") or {}).get("ClusterConfig") or {}
        stopping = definition.get("StoppingCondition") or {}
        arguments: dict[str, Any] = {
            "role": definition.get("RoleArn"),
            "instance_count": cluster.get("InstanceCount", 1),
            "instance_type": cluster.get("InstanceType", "ml.m5.xlarge"),
            "volume_size_in_gb": cluster.get("VolumeSizeInGB", 30),
            "max_runtime_in_seconds": stopping.get("MaxRuntimeInSeconds"),
            "sagemaker_session": sagemaker_session,
            "env": definition.get("Environment"),
        }
        if cls is ModelMonitor:
            arguments["image_uri"] = (definition.get("MonitoringAppSpecification") or {}).get(
                "ImageUri"
            )
        monitor = cls(**arguments)
        monitor.monitoring_schedule_name = monitor_schedule_name
        return monitor
