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
from .jobs_client import jobs_client
from .naming import active_experiment_config, base_name_from, name_from_base

PROCESSING_ROOT = "/opt/ml/processing"
CODE_DIR = f"{PROCESSING_ROOT}/input/code"


class ProcessingInput:
    def __init__(
        self,
        source: str | None = None,
        destination: str | None = None,
        input_name: str | None = None,
        s3_data_type: str = "S3Prefix",
        s3_input_mode: str = "File",
        s3_data_distribution_type: str = "FullyReplicated",
    ) -> None:
        if not source or not destination:
            raise ValidationError("ProcessingInput needs source and destination", field="source")
        self.source = source if "://" in source else os.path.abspath(source)
        self.destination = destination
        self.input_name = input_name
        self.s3_data_type = s3_data_type
        self.s3_input_mode = s3_input_mode
        self.s3_data_distribution_type = s3_data_distribution_type

    def to_request(self, name: str) -> dict[str, Any]:
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
        self.destination = (
            destination
            if destination is None or "://" in destination
            else os.path.abspath(destination)
        )
        self.output_name = output_name
        self.s3_upload_mode = s3_upload_mode

    def to_request(self, name: str) -> dict[str, Any]:
        output: dict[str, Any] = {"LocalPath": self.source, "S3UploadMode": self.s3_upload_mode}
        if self.destination:
            output["S3Uri"] = self.destination
        return {"OutputName": self.output_name or name, "S3Output": output}


class Processor:
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
        arguments: Sequence[str] | None,
        entrypoint: Sequence[str] | None,
        experiment_config: Mapping[str, str] | None,
    ) -> dict[str, Any]:
        app: dict[str, Any] = {}
        if self.image_uri:
            app["ImageUri"] = self.image_uri
        if entrypoint:
            app["ContainerEntrypoint"] = list(entrypoint)
        if arguments:
            app["ContainerArguments"] = [str(a) for a in arguments]
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
    ) -> None:
        name = job_name or name_from_base(self.base_job_name or base)
        config = active_experiment_config(experiment_config)
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

    def run(
        self,
        inputs: Sequence[ProcessingInput] | None = None,
        outputs: Sequence[ProcessingOutput] | None = None,
        arguments: Sequence[str] | None = None,
        wait: bool = True,
        logs: bool = True,
        job_name: str | None = None,
        experiment_config: Mapping[str, str] | None = None,
    ) -> None:
        """Run the image (its entrypoint, or ``entrypoint``) with ``arguments``."""
        self._start(
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
    """Runs ``code`` (a local file, delivered at /opt/ml/processing/input/code) with
    ``command`` (``["python3"]``) in ``image_uri`` (default: the studio's script-mode
    image, or the studio's Python on the process runtime)."""

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
        arguments: Sequence[str] | None = None,
        wait: bool = True,
        logs: bool = True,
        job_name: str | None = None,
        experiment_config: Mapping[str, str] | None = None,
    ) -> None:
        path = os.path.abspath(os.path.expanduser(code))
        if not os.path.isfile(path):
            raise ValidationError(f"{path} does not exist", field="code")
        code_input = ProcessingInput(path, CODE_DIR, input_name="code")
        all_inputs = [*(inputs or ()), code_input]
        entrypoint = [*self.command, f"{CODE_DIR}/{os.path.basename(path)}"]
        base = base_name_from(path)
        self._start(
            base,
            lambda name, config: self._request(
                name, all_inputs, outputs, arguments, entrypoint, config
            ),
            wait,
            logs,
            job_name,
            experiment_config,
        )
