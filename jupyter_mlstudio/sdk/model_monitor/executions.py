"""``BaseliningJob`` and ``MonitoringExecution`` with the names of
``sagemaker.model_monitor`` (SDK v2): the processing jobs of a monitor (a baseline, an
execution of a schedule) and the files they wrote.

``describe()`` answers as SageMaker's DescribeProcessingJob does (``ProcessingJobStatus``,
``ProcessingOutputConfig`` with each output's ``S3Uri``, ...). Files are read through the
studio (the job's published outputs), or from their URI when they are elsewhere.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar
from urllib.parse import quote

from ...entities import Job, JobStatus
from ...exceptions import NotFoundError, StudioError, ValidationError
from ..jobs import ProcessingJob
from ..jobs_client import COLLECTIONS, JobsClient, jobs_client
from ..processing import ProcessingInput, ProcessingOutput
from ..transport import segment
from .monitoring_files import (
    CONSTRAINT_VIOLATIONS_JSON_DEFAULT_FILE_NAME,
    CONSTRAINTS_JSON_DEFAULT_FILE_NAME,
    STATISTICS_JSON_DEFAULT_FILE_NAME,
    Constraints,
    ConstraintViolations,
    ModelMonitoringFile,
    Statistics,
    join_uri,
    read_uri,
)

_File = TypeVar("_File", bound=ModelMonitoringFile)


def published_outputs(job: Job) -> dict[str, str]:
    """Where a processing job published each output.

    Args:
        job: The job's record.

    Returns:
        ``OutputName`` → URI (empty before the job completed).
    """
    return {
        str(item["OutputName"]): str(item["S3Uri"])
        for item in job.outputs.get("ProcessingOutputs") or ()
        if item.get("OutputName") and item.get("S3Uri")
    }


def describe_processing_job(job: Job) -> dict[str, Any]:
    """A processing job as SageMaker's DescribeProcessingJob answers.

    Args:
        job: The job's record.

    Returns:
        ``ProcessingJobName``, ``ProcessingJobStatus``, ``FailureReason`` (when failed),
        the request's fields (``ProcessingInputs``, ``ProcessingOutputConfig`` with each
        output's published ``S3Uri``, ``ProcessingResources``, ``AppSpecification``,
        ``Environment``, ...) and the times.
    """
    spec = job.spec
    published = published_outputs(job)
    outputs = []
    for item in (spec.get("ProcessingOutputConfig") or {}).get("Outputs") or ():
        s3 = dict(item.get("S3Output") or {})
        if not s3.get("S3Uri") and item.get("OutputName") in published:
            s3["S3Uri"] = published[item["OutputName"]]
        outputs.append({**item, "S3Output": s3})
    answer: dict[str, Any] = {
        key: spec[key]
        for key in (
            "ProcessingInputs",
            "ProcessingResources",
            "AppSpecification",
            "Environment",
            "StoppingCondition",
            "RoleArn",
            "ExperimentConfig",
        )
        if key in spec
    }
    answer.update(
        {
            "ProcessingJobName": job.job_name,
            "ProcessingJobStatus": job.status.value,
            "ProcessingOutputConfig": {"Outputs": outputs},
            "CreationTime": job.creation_time,
            "LastModifiedTime": job.last_modified_time,
        }
    )
    optional = {
        "FailureReason": job.failure_reason,
        "ProcessingStartTime": job.start_time,
        "ProcessingEndTime": job.end_time,
    }
    answer.update({key: value for key, value in optional.items() if value is not None})
    return answer


class MonitorJob:
    """A processing job of a monitor, with its inputs and outputs.

    Args:
        sagemaker_session: None (the default client), a Session, a TrackingClient or a
            tracking URI.
        job_name: The job.
        inputs: Its inputs (:class:`~..processing.ProcessingInput`).
        outputs: Its outputs (:class:`~..processing.ProcessingOutput`); the first holds
            the files.
        output_kms_key: Accepted for SageMaker compatibility and not used.
    """

    def __init__(
        self,
        sagemaker_session: Any,
        job_name: str,
        inputs: list[ProcessingInput] | None,
        outputs: list[ProcessingOutput] | None,
        output_kms_key: str | None = None,
    ) -> None:
        self.sagemaker_session = sagemaker_session
        self.job_name = job_name
        self.inputs = list(inputs or ())
        self.outputs = list(outputs or ())
        self.output_kms_key = output_kms_key
        self._client: JobsClient = jobs_client(sagemaker_session)
        self._job = ProcessingJob(self._client, job_name)

    def describe(self) -> dict[str, Any]:
        """The job, as SageMaker's DescribeProcessingJob answers.

        Returns:
            See :func:`describe_processing_job`.

        Raises:
            NotFoundError: The job was deleted.
        """
        return describe_processing_job(self._job.describe())

    def wait(self, logs: bool = True) -> None:
        """Block until the job ends.

        Args:
            logs: Print the job's log as it grows.

        Raises:
            StudioError: The job ended Failed (with its reason).
        """
        job = self._job.wait(logs=logs)
        if job.status is JobStatus.FAILED:
            raise StudioError(
                f"Error for Processing job {self.job_name}: Failed. Reason:"
                f" {job.failure_reason or '(No reason provided)'}"
            )

    def stop(self) -> None:
        """Ask the job to stop."""
        self._job.stop()

    def output_uri(self, job: Job | None = None) -> str | None:
        """Where the job's files are (its first output).

        Args:
            job: The job's record, when already at hand.

        Returns:
            The output's requested destination; else where the studio published it (None
            until the job has completed).
        """
        if not self.outputs:
            return None
        output = self.outputs[0]
        if output.destination:
            return str(output.destination)
        job = job or self._job.describe()
        return published_outputs(job).get(output.output_name or "")

    def _read(self, cls: type[_File], file_name: str, kms_key: str | None) -> _File:
        job = self._job.describe()
        folder = self.output_uri(job)
        try:
            if folder is None:
                raise NotFoundError(f"job {self.job_name} has published no files")
            data = self._read_published(job, folder, file_name)
        except NotFoundError:
            job = self._job.describe()
            if job.status is not JobStatus.COMPLETED:
                raise StudioError(
                    f"processing job {self.job_name} is {job.status.value}: files are there"
                    " once it has Completed"
                ) from None
            raise
        try:
            body = json.loads(data)
        except ValueError as exc:
            raise ValidationError(f"{file_name} is not JSON: {exc}", field="file_name") from None
        return cls(body, join_uri(str(folder), file_name), kms_key, self.sagemaker_session)

    def _read_published(self, job: Job, folder: str, file_name: str) -> bytes:
        """Through the studio when the file is among the job's published outputs (the
        studio holds the store's credentials), else from its URI."""
        for name, uri in published_outputs(job).items():
            base = uri.rstrip("/")
            if folder.rstrip("/") == base or folder.startswith(base + "/"):
                relative = f"{name}{folder.rstrip('/')[len(base) :]}/{file_name}"
                path = f"{COLLECTIONS[job.kind]}/{segment(job.job_name)}/artifacts/"
                return self._client.connection.send("GET", path + quote(relative)).body
        return read_uri(join_uri(folder, file_name))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.job_name!r})"


class BaseliningJob(MonitorJob):
    """The job of ``suggest_baseline``: its ``statistics.json`` and ``constraints.json``.

    Args:
        sagemaker_session: As for :class:`MonitorJob`.
        job_name: The job.
        inputs: Its inputs.
        outputs: Its outputs (the first holds the files).
        output_kms_key: Accepted for SageMaker compatibility and not used.
    """

    def __init__(
        self,
        sagemaker_session: Any,
        job_name: str,
        inputs: list[ProcessingInput] | None,
        outputs: list[ProcessingOutput] | None,
        output_kms_key: str | None = None,
    ) -> None:
        super().__init__(sagemaker_session, job_name, inputs, outputs, output_kms_key)

    @classmethod
    def from_processing_job(
        cls, processing_job: ProcessingJob | MonitorJob, sagemaker_session: Any = None
    ) -> BaseliningJob:
        """The baselining job of a processing job.

        Args:
            processing_job: The job (``processor.latest_job``).
            sagemaker_session: The session to reach it with (default: the default client).

        Returns:
            The baselining job, with the job's inputs and outputs.
        """
        if isinstance(processing_job, MonitorJob):
            return cls(
                processing_job.sagemaker_session,
                processing_job.job_name,
                processing_job.inputs,
                processing_job.outputs,
                processing_job.output_kms_key,
            )
        job = processing_job.describe()
        inputs, outputs = _inputs_outputs(describe_processing_job(job))
        return cls(sagemaker_session, job.job_name, inputs, outputs)

    def baseline_statistics(
        self, file_name: str = STATISTICS_JSON_DEFAULT_FILE_NAME, kms_key: str | None = None
    ) -> Statistics:
        """The statistics the job suggested.

        Args:
            file_name: The file's name.
            kms_key: Accepted for SageMaker compatibility and not used.

        Returns:
            The file.

        Raises:
            StudioError: The job has not Completed.
            NotFoundError: It completed without that file.
        """
        return self._read(Statistics, file_name, kms_key)

    def suggested_constraints(
        self, file_name: str = CONSTRAINTS_JSON_DEFAULT_FILE_NAME, kms_key: str | None = None
    ) -> Constraints:
        """The constraints the job suggested.

        Args:
            file_name: The file's name.
            kms_key: Accepted for SageMaker compatibility and not used.

        Returns:
            The file.

        Raises:
            StudioError: The job has not Completed.
            NotFoundError: It completed without that file.
        """
        return self._read(Constraints, file_name, kms_key)


class MonitoringExecution(MonitorJob):
    """An execution of a monitoring schedule: its ``statistics.json`` and
    ``constraint_violations.json``.

    Args:
        sagemaker_session: As for :class:`MonitorJob`.
        job_name: The execution's processing job.
        inputs: Its inputs.
        output: Its output (``output.destination``: where its files are).
        output_kms_key: Accepted for SageMaker compatibility and not used.
    """

    def __init__(
        self,
        sagemaker_session: Any,
        job_name: str,
        inputs: list[ProcessingInput] | None,
        output: ProcessingOutput,
        output_kms_key: str | None = None,
    ) -> None:
        super().__init__(sagemaker_session, job_name, inputs, [output], output_kms_key)
        self.output = output

    @classmethod
    def from_processing_arn(
        cls, sagemaker_session: Any, processing_job_arn: str
    ) -> MonitoringExecution:
        """The execution whose processing job this is.

        Args:
            sagemaker_session: As for :class:`MonitorJob`.
            processing_job_arn: The job's ARN (``...:processing-job/<name>``) or name.

        Returns:
            The execution.

        Raises:
            NotFoundError: No such job.
        """
        return cls.from_summary(sagemaker_session, {"ProcessingJobArn": processing_job_arn})

    @classmethod
    def from_summary(cls, sagemaker_session: Any, summary: dict[str, Any]) -> MonitoringExecution:
        """The execution a ``MonitoringExecutionSummaries`` item stands for.

        Args:
            sagemaker_session: As for :class:`MonitorJob`.
            summary: The item (``ProcessingJobName`` or ``ProcessingJobArn``, and
                ``OutputS3Uri``: where its files are).

        Returns:
            The execution.

        Raises:
            NotFoundError: No such job.
        """
        name = (
            summary.get("ProcessingJobName") or str(summary["ProcessingJobArn"]).rsplit("/", 1)[-1]
        )
        job = jobs_client(sagemaker_session).describe_job(ProcessingJob.kind, name)
        inputs, outputs = _inputs_outputs(describe_processing_job(job))
        output = outputs[0] if outputs else ProcessingOutput("/opt/ml/processing/output")
        if summary.get("OutputS3Uri"):
            output.destination = str(summary["OutputS3Uri"])
        return cls(sagemaker_session, name, inputs, output)

    def describe(self) -> dict[str, Any]:
        """The execution's job, as SageMaker's DescribeProcessingJob answers.

        Returns:
            See :func:`describe_processing_job`, with ``ExitMessage`` as SageMaker's
            analyzer leaves it: ``CompletedWithViolations: Job completed successfully with
            <n> violations.``, ``Completed: Job completed successfully with no
            violations.``, or the failure reason.

        Raises:
            NotFoundError: The job was deleted.
        """
        answer = super().describe()
        if answer["ProcessingJobStatus"] == JobStatus.COMPLETED.value:
            try:
                found = self.constraint_violations().body_dict.get("violations") or []
            except StudioError:  # no readable violations file
                return answer
            answer["ExitMessage"] = (
                f"CompletedWithViolations: Job completed successfully with {len(found)} violations."
                if found
                else "Completed: Job completed successfully with no violations."
            )
        elif answer.get("FailureReason"):
            answer["ExitMessage"] = answer["FailureReason"]
        return answer

    def statistics(
        self, file_name: str = STATISTICS_JSON_DEFAULT_FILE_NAME, kms_key: str | None = None
    ) -> Statistics:
        """The statistics of the window the execution analysed.

        Args:
            file_name: The file's name.
            kms_key: Accepted for SageMaker compatibility and not used.

        Returns:
            The file.

        Raises:
            StudioError: The execution's job has not Completed.
            NotFoundError: It completed without that file.
        """
        return self._read(Statistics, file_name, kms_key)

    def constraint_violations(
        self,
        file_name: str = CONSTRAINT_VIOLATIONS_JSON_DEFAULT_FILE_NAME,
        kms_key: str | None = None,
    ) -> ConstraintViolations:
        """What the execution found against the baseline's constraints.

        Args:
            file_name: The file's name.
            kms_key: Accepted for SageMaker compatibility and not used.

        Returns:
            The file (``body_dict["violations"]``, empty when none).

        Raises:
            StudioError: The execution's job has not Completed.
            NotFoundError: It completed without that file.
        """
        return self._read(ConstraintViolations, file_name, kms_key)


def _inputs_outputs(
    described: dict[str, Any],
) -> tuple[list[ProcessingInput], list[ProcessingOutput]]:
    inputs = [
        ProcessingInput(
            source=item["S3Input"]["S3Uri"],
            destination=item["S3Input"]["LocalPath"],
            input_name=item.get("InputName"),
        )
        for item in described.get("ProcessingInputs") or ()
        if (item.get("S3Input") or {}).get("S3Uri")
    ]
    outputs = [
        ProcessingOutput(
            source=item["S3Output"]["LocalPath"],
            destination=item["S3Output"].get("S3Uri"),
            output_name=item.get("OutputName"),
        )
        for item in described["ProcessingOutputConfig"]["Outputs"]
    ]
    return inputs, outputs
