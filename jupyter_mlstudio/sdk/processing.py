"""``Processor``, ``ScriptProcessor``, ``ProcessingInput`` and ``ProcessingOutput`` with the
names and signatures of ``sagemaker.processing`` (SDK v2) for what is implemented.

On the process runtime (no image), the ``/opt/ml`` paths of the command, its arguments and
``env`` are the job's folder; scripts that hard-code ``/opt/ml`` paths need the docker
runtime. ``instance_count`` > 1 runs one host per instance; ``ProcessingInput(...,
s3_data_distribution_type="ShardedByS3Key")`` splits that input's files between them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from ..entities import JobKind, JobStatus
from ..exceptions import StudioError, ValidationError
from .jobs import ProcessingJob
from .jobs_client import jobs_client, request_capture
from .naming import active_experiment_config, base_name_from, name_from_base
from .workflow.entities import PipelineVariable, is_pipeline_variable

PROCESSING_ROOT = "/opt/ml/processing"
CODE_DIR = f"{PROCESSING_ROOT}/input/code"


def _location(path: Any) -> Any:
    """A local path made absolute; URIs and pipeline variables as they are."""
    return path if is_pipeline_variable(path) or "://" in path else os.path.abspath(path)


class ProcessingInput:
    """Data copied into a processing job's hosts before it starts.

    Args:
        source: A local path (sent absolute), ``file://`` or ``s3://`` location, or a
            pipeline variable (a step's output).
        destination: Where the job sees it, under ``/opt/ml/processing``.
        input_name: The input's name; default ``input-<n>``.
        s3_data_type: Recorded in the request; everything under ``source`` is copied
            (``S3Prefix``).
        s3_input_mode: Recorded in the request; inputs are copied before the start
            (``File``).
        s3_data_distribution_type: ``FullyReplicated`` (every host gets everything) or
            ``ShardedByS3Key`` (the files are split between the hosts).

    Raises:
        ValidationError: ``source`` or ``destination`` missing.
    """

    def __init__(
        self,
        source: str | PipelineVariable | None = None,
        destination: str | None = None,
        input_name: str | None = None,
        s3_data_type: str = "S3Prefix",
        s3_input_mode: str = "File",
        s3_data_distribution_type: str = "FullyReplicated",
    ) -> None:
        if not source or not destination:
            raise ValidationError("ProcessingInput needs source and destination", field="source")
        self.source = _location(source)
        self.destination = destination
        self.input_name = input_name
        self.s3_data_type = s3_data_type
        self.s3_input_mode = s3_input_mode
        self.s3_data_distribution_type = s3_data_distribution_type

    def to_request(self, name: str) -> dict[str, Any]:
        """This input as an item of CreateProcessingJob's ``ProcessingInputs``.

        Args:
            name: The name to use when none was given.

        Returns:
            ``{"InputName": ..., "S3Input": {...}}``.
        """
        return {
            "InputName": self.input_name or name,
            "S3Input": {
                "S3Uri": self.source,
                "LocalPath": self.destination,
                "S3DataType": self.s3_data_type,
                "S3InputMode": self.s3_input_mode,
                "S3DataDistributionType": self.s3_data_distribution_type,
            },
        }


class ProcessingOutput:
    """A folder of a processing job's hosts, uploaded when the job has completed.

    Args:
        source: The folder, as the job sees it (under ``/opt/ml/processing``).
        destination: Where it goes: a local path (sent absolute), ``file://`` or
            ``s3://`` (or a pipeline variable); None: the studio's artifact store, under
            the job's folder.
        output_name: The output's name; default ``output-<n>``.
        s3_upload_mode: Recorded in the request; outputs are uploaded at the end
            (``EndOfJob``).

    Raises:
        ValidationError: ``source`` missing.
    """

    def __init__(
        self,
        source: str | None = None,
        destination: str | None = None,
        output_name: str | None = None,
        s3_upload_mode: str = "EndOfJob",
    ) -> None:
        if not source:
            raise ValidationError("ProcessingOutput needs source", field="source")
        self.source = source
        self.destination = None if destination is None else _location(destination)
        self.output_name = output_name
        self.s3_upload_mode = s3_upload_mode

    def to_request(self, name: str) -> dict[str, Any]:
        """This output as an item of CreateProcessingJob's ``ProcessingOutputConfig.Outputs``.

        Args:
            name: The name to use when none was given.

        Returns:
            ``{"OutputName": ..., "S3Output": {...}}``.
        """
        output: dict[str, Any] = {"LocalPath": self.source, "S3UploadMode": self.s3_upload_mode}
        if self.destination:
            output["S3Uri"] = self.destination
        return {"OutputName": self.output_name or name, "S3Output": output}


class Processor:
    """Runs processing jobs: an image's program (or ``entrypoint``) with arguments.

    Args:
        role: Accepted for SageMaker compatibility and not used (no IAM here).
        image_uri: The image (docker runtime, never pulled; default the studio's
            ``mlstudio/python:3-sklearn``). On the process runtime ``entrypoint`` runs as
            a command on this machine instead.
        instance_count: Hosts of each job, ``algo-1`` to ``algo-N``.
        instance_type: ``local`` or an ``ml.*`` name.
        entrypoint: The command, overriding the image's (required on the process
            runtime; ``python3`` there is the studio's Python).
        volume_size_in_gb: Recorded in the request; not used (no volumes).
        max_runtime_in_seconds: Seconds a job may run; then it is stopped and Failed.
        base_job_name: The start of generated job names (default ``processing``).
        sagemaker_session: None (the default client), a :class:`~.session.Session`, a
            :class:`~.client.TrackingClient` or a tracking URI.
        env: Environment variables of the jobs.
        tags: ``[{"Key": ..., "Value": ...}]`` of the jobs.
        kwargs: Other SageMaker arguments (``network_config``, ...), accepted and not used.
    """

    def __init__(
        self,
        role: str | None = None,
        image_uri: str | None = None,
        instance_count: int = 1,
        instance_type: str = "local",
        entrypoint: Sequence[str] | None = None,
        volume_size_in_gb: int = 30,
        max_runtime_in_seconds: int | None = None,
        base_job_name: str | None = None,
        sagemaker_session: Any = None,
        env: Mapping[str, str] | None = None,
        tags: Sequence[Mapping[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        self.role = role
        self.image_uri = image_uri
        self.instance_count = instance_count
        self.instance_type = instance_type
        self.entrypoint = list(entrypoint) if entrypoint else None
        self.volume_size_in_gb = volume_size_in_gb
        self.max_runtime_in_seconds = max_runtime_in_seconds
        self.base_job_name = base_job_name
        self.sagemaker_session = sagemaker_session
        self.env = dict(env or {})
        self.tags = list(tags or ())
        self.latest_job: ProcessingJob | None = None
        self.jobs: list[ProcessingJob] = []

    def _request(
        self,
        job_name: str,
        inputs: Sequence[ProcessingInput] | None,
        outputs: Sequence[ProcessingOutput] | None,
        arguments: Sequence[str | PipelineVariable] | None,
        entrypoint: Sequence[str] | None,
        experiment_config: Mapping[str, str] | None,
    ) -> dict[str, Any]:
        app: dict[str, Any] = {}
        if self.image_uri:
            app["ImageUri"] = self.image_uri
        if entrypoint:
            app["ContainerEntrypoint"] = list(entrypoint)
        if arguments:
            app["ContainerArguments"] = [
                a if is_pipeline_variable(a) else str(a) for a in arguments
            ]
        request: dict[str, Any] = {
            "ProcessingJobName": job_name,
            "AppSpecification": app,
            "ProcessingInputs": [
                i.to_request(f"input-{n + 1}") for n, i in enumerate(inputs or ())
            ],
            "ProcessingResources": {
                "ClusterConfig": {
                    "InstanceCount": self.instance_count,
                    "InstanceType": self.instance_type,
                    "VolumeSizeInGB": self.volume_size_in_gb,
                }
            },
            "Environment": self.env,
        }
        if outputs:
            request["ProcessingOutputConfig"] = {
                "Outputs": [o.to_request(f"output-{n + 1}") for n, o in enumerate(outputs)]
            }
        if self.max_runtime_in_seconds:
            request["StoppingCondition"] = {"MaxRuntimeInSeconds": self.max_runtime_in_seconds}
        if experiment_config:
            request["ExperimentConfig"] = dict(experiment_config)
        if self.tags:
            request["Tags"] = [dict(t) for t in self.tags]
        return request

    def _start(
        self,
        base: str,
        request_of: Any,
        wait: bool,
        logs: bool,
        job_name: str | None,
        experiment_config: Mapping[str, str] | None,
    ) -> Any:
        name = job_name or name_from_base(self.base_job_name or base)
        config = active_experiment_config(experiment_config)
        capture = request_capture(self.sagemaker_session)
        if capture is not None:  # a PipelineSession: the step's arguments, no job
            return capture.capture_request("CreateProcessingJob", request_of(name, config), self)
        client = jobs_client(self.sagemaker_session)
        client.create_job(JobKind.PROCESSING, request_of(name, config))
        self.latest_job = ProcessingJob(client, name)
        self.jobs.append(self.latest_job)
        if wait:
            job = self.latest_job.wait(logs=logs)
            if job.status is not JobStatus.COMPLETED:
                raise StudioError(
                    f"processing job {name} {job.status.value}: {job.failure_reason or ''}".strip()
                )
        return None

    def run(
        self,
        inputs: Sequence[ProcessingInput] | None = None,
        outputs: Sequence[ProcessingOutput] | None = None,
        arguments: Sequence[str | PipelineVariable] | None = None,
        wait: bool = True,
        logs: bool = True,
        job_name: str | None = None,
        experiment_config: Mapping[str, str] | None = None,
    ) -> Any:
        """Run a processing job: the image's program (or ``entrypoint``) with ``arguments``.

        Args:
            inputs: Data copied in before the start.
            outputs: Folders uploaded at the end.
            arguments: The program's arguments.
            wait: Block until the job ends.
            logs: With ``wait``, print the job's log as it grows.
            job_name: The job's name; default ``<base job name>-<UTC time>``.
            experiment_config: ``{"ExperimentName": ..., "RunName": ...}``: the run the job
                logs to. None inside a ``with Run(...)`` block means that run.

        Returns:
            None; under a ``PipelineSession``, the arguments of a ``ProcessingStep``
            (``step_args=``), and no job is started.

        Raises:
            ValidationError: A bad request, naming the field.
            ConflictError: ``job_name`` is taken.
            StudioError: With ``wait``, the job ended Failed or Stopped (with its failure
                reason).
        """
        return self._start(
            "processing",
            lambda name, config: self._request(
                name, inputs, outputs, arguments, self.entrypoint, config
            ),
            wait,
            logs,
            job_name,
            experiment_config,
        )


class ScriptProcessor(Processor):
    """Runs a script in processing jobs: ``command`` with the script and its arguments.

    Args:
        role: Accepted for SageMaker compatibility and not used (no IAM here).
        image_uri: The image (default: the studio's script-mode image on docker, the
            studio's Python on the process runtime).
        command: The interpreter; default ``["python3"]``.
        instance_count: Hosts of each job, ``algo-1`` to ``algo-N``.
        instance_type: ``local`` or an ``ml.*`` name.
        kwargs: More :class:`Processor` arguments.
    """

    def __init__(
        self,
        role: str | None = None,
        image_uri: str | None = None,
        command: Sequence[str] | None = None,
        instance_count: int = 1,
        instance_type: str = "local",
        **kwargs: Any,
    ) -> None:
        super().__init__(
            role=role,
            image_uri=image_uri,
            instance_count=instance_count,
            instance_type=instance_type,
            **kwargs,
        )
        self.command = list(command or ["python3"])

    def run(  # type: ignore[override]
        self,
        code: str,
        inputs: Sequence[ProcessingInput] | None = None,
        outputs: Sequence[ProcessingOutput] | None = None,
        arguments: Sequence[str | PipelineVariable] | None = None,
        wait: bool = True,
        logs: bool = True,
        job_name: str | None = None,
        experiment_config: Mapping[str, str] | None = None,
    ) -> Any:
        """Run ``code`` in a processing job.

        Args:
            code: The script, a local file; the job sees it in
                ``/opt/ml/processing/input/code``.
            inputs: Data copied in before the start.
            outputs: Folders uploaded at the end.
            arguments: The script's arguments.
            wait: Block until the job ends.
            logs: With ``wait``, print the job's log as it grows.
            job_name: The job's name; default ``<base job name or script name>-<UTC time>``.
            experiment_config: ``{"ExperimentName": ..., "RunName": ...}``: the run the job
                logs to. None inside a ``with Run(...)`` block means that run.

        Returns:
            None; under a ``PipelineSession``, the arguments of a ``ProcessingStep``
            (``step_args=``), and no job is started.

        Raises:
            ValidationError: ``code`` is not a file, or a bad request (naming the field).
            ConflictError: ``job_name`` is taken.
            StudioError: With ``wait``, the job ended Failed or Stopped (with its failure
                reason).
        """
        if is_pipeline_variable(code):
            raise ValidationError(
                "code must be a local file, not a pipeline variable", field="code"
            )
        path = os.path.abspath(os.path.expanduser(code))
        if not os.path.isfile(path):
            raise ValidationError(f"{path} does not exist", field="code")
        code_input = ProcessingInput(path, CODE_DIR, input_name="code")
        all_inputs = [*(inputs or ()), code_input]
        entrypoint = [*self.command, f"{CODE_DIR}/{os.path.basename(path)}"]
        base = base_name_from(path)
        return self._start(
            base,
            lambda name, config: self._request(
                name, all_inputs, outputs, arguments, entrypoint, config
            ),
            wait,
            logs,
            job_name,
            experiment_config,
        )
