"""``Transformer`` with the names and signatures of ``sagemaker.transformer.Transformer``
(SDK v2): batch transform jobs, run by the studio with the same model servers as
endpoints. Requests have the CreateTransformJob shape; the job is a job of kind
``TransformJob`` (same statuses and logs as training jobs).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..entities import Job, JobStatus
from ..exceptions import StudioError, ValidationError
from .hosting_client import HostingClient, hosting_client
from .jobs import TransformJob
from .jobs_client import request_capture
from .model_code import local_path
from .naming import active_experiment_config, name_from_base
from .workflow.entities import is_pipeline_variable


def _compact(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


class Transformer:
    """Runs batch transform jobs with a model created in the studio.

    The studio serves the model with the same model servers as endpoints, sends it the
    input's records and writes the answers.

    Args:
        model_name: The model, created in the studio (``Model.create``, ``deploy``, ...).
        instance_count: Instances (model servers) of each job.
        instance_type: ``local`` or an ``ml.*`` name.
        strategy: ``MultiRecord`` (as many records per request as fit in ``max_payload``)
            or ``SingleRecord``.
        assemble_with: ``Line`` (answers joined by newlines) or ``None``.
        output_path: A local folder or URI where the output of each input file ``f`` is
            written as ``f.out``. None: the studio picks one (``jobs/<job>/output`` in
            its artifact store), and ``output_path`` shows it until the next
            :meth:`transform`.
        output_kms_key: Recorded in the request; not used.
        accept: The media type asked of the model.
        max_concurrent_transforms: Requests sent to one instance at once.
        max_payload: The largest request, in MB.
        tags: ``[{"Key": ..., "Value": ...}]`` of the jobs.
        env: More environment variables of the model servers.
        base_transform_job_name: The start of generated job names (default the model's
            name).
        sagemaker_session: None (the default client), a :class:`~.session.Session`, a
            :class:`~.client.TrackingClient` or a tracking URI.
        volume_kms_key: Recorded in the request; not used.
    """

    def __init__(
        self,
        model_name: str,
        instance_count: int = 1,
        instance_type: str = "local",
        strategy: str | None = None,
        assemble_with: str | None = None,
        output_path: str | None = None,
        output_kms_key: str | None = None,
        accept: str | None = None,
        max_concurrent_transforms: int | None = None,
        max_payload: int | None = None,
        tags: Any = None,
        env: Mapping[str, str] | None = None,
        base_transform_job_name: str | None = None,
        sagemaker_session: Any = None,
        volume_kms_key: str | None = None,
    ) -> None:
        self.model_name = model_name
        self.instance_count = instance_count
        self.instance_type = instance_type
        self.strategy = strategy
        self.assemble_with = assemble_with
        self.output_path = None if output_path is None else local_path(output_path)
        self.output_kms_key = output_kms_key
        self.accept = accept
        self.max_concurrent_transforms = max_concurrent_transforms
        self.max_payload = max_payload
        self.tags = tags
        self.env = dict(env or {})
        self.base_transform_job_name = base_transform_job_name
        self.sagemaker_session = sagemaker_session
        self.volume_kms_key = volume_kms_key
        self.latest_transform_job: TransformJob | None = None
        self._current_job_name: str | None = None
        self._reset_output_path = False

    def _client(self) -> HostingClient:
        return hosting_client(self.sagemaker_session)

    def _request(
        self,
        job_name: str,
        data: str,
        data_type: str,
        content_type: str | None,
        compression_type: str | None,
        split_type: str | None,
        input_filter: str | None,
        output_filter: str | None,
        join_source: str | None,
        experiment_config: Mapping[str, str] | None,
        model_client_config: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        transform_input: dict[str, Any] = {
            "DataSource": {"S3DataSource": {"S3DataType": data_type, "S3Uri": local_path(data)}},
            **_compact(
                {
                    "ContentType": content_type,
                    "CompressionType": compression_type,
                    "SplitType": split_type,
                }
            ),
        }
        output = _compact(
            {
                "S3OutputPath": self.output_path,
                "Accept": self.accept,
                "AssembleWith": self.assemble_with,
                "KmsKeyId": self.output_kms_key,
            }
        )
        resources = {"InstanceType": self.instance_type, "InstanceCount": self.instance_count}
        if self.volume_kms_key:
            resources["VolumeKmsKeyId"] = self.volume_kms_key
        request: dict[str, Any] = {
            "TransformJobName": job_name,
            "ModelName": self.model_name,
            "TransformInput": transform_input,
            "TransformOutput": output,
            "TransformResources": resources,
            **_compact(
                {
                    "BatchStrategy": self.strategy,
                    "MaxConcurrentTransforms": self.max_concurrent_transforms,
                    "MaxPayloadInMB": self.max_payload,
                }
            ),
        }
        if self.env:
            request["Environment"] = dict(self.env)
        processing = _compact(
            {"InputFilter": input_filter, "OutputFilter": output_filter, "JoinSource": join_source}
        )
        if processing:
            request["DataProcessing"] = processing
        if model_client_config:
            request["ModelClientConfig"] = dict(model_client_config)
        if experiment_config:
            request["ExperimentConfig"] = dict(experiment_config)
        if self.tags:
            request["Tags"] = self.tags
        return request

    def transform(
        self,
        data: str,
        data_type: str = "S3Prefix",
        content_type: str | None = None,
        compression_type: str | None = None,
        split_type: str | None = None,
        job_name: str | None = None,
        input_filter: str | None = None,
        output_filter: str | None = None,
        join_source: str | None = None,
        experiment_config: Mapping[str, str] | None = None,
        model_client_config: Mapping[str, Any] | None = None,
        batch_data_capture_config: Any = None,
        wait: bool = True,
        logs: bool = True,
    ) -> Any:
        """Start a transform job on ``data``, and by default wait for it to end.

        Args:
            data: A file or folder: a local path, ``file://`` or ``s3://``.
            data_type: ``S3Prefix`` (every file under ``data``) or ``ManifestFile``.
            content_type: The media type of the records sent to the model.
            compression_type: ``None`` or ``Gzip``.
            split_type: ``Line`` sends records line by line (batched by ``strategy``);
                ``None`` sends each file whole.
            job_name: The job's name; default ``<base name>-<UTC time>``.
            input_filter: SageMaker's JSONPath ``InputFilter`` of each record.
            output_filter: SageMaker's JSONPath ``OutputFilter`` of each answer.
            join_source: ``Input`` joins each answer to its record; ``None`` does not.
            experiment_config: ``{"ExperimentName": ..., "RunName": ...}``: the run the job
                is recorded in. None inside a ``with Run(...)`` block means that run.
            model_client_config: ``InvocationsTimeoutInSeconds`` and
                ``InvocationsMaxRetries``.
            batch_data_capture_config: Refused when given (no batch data capture).
            wait: Block until the job ends.
            logs: With ``wait``, print the job's log as it grows.

        Returns:
            None; under a ``PipelineSession``, the arguments of a ``TransformStep``
            (``step_args=``), and no job is started.

        Raises:
            ValidationError: A bad request, naming the field.
            ConflictError: ``job_name`` is taken.
            StudioError: With ``wait``, the job did not complete (with its failure reason,
                e.g. ``N of M records failed: ...``).
        """
        if batch_data_capture_config is not None:
            raise ValidationError(
                "batch data capture is not supported", field="batch_data_capture_config"
            )
        if self._reset_output_path:
            self.output_path = None
            self._reset_output_path = False
        base = self.base_transform_job_name or self.model_name
        name = job_name or name_from_base("transform" if is_pipeline_variable(base) else base)
        request = self._request(
            name,
            data,
            data_type,
            content_type,
            compression_type,
            split_type,
            input_filter,
            output_filter,
            join_source,
            active_experiment_config(experiment_config),
            model_client_config,
        )
        capture = request_capture(self.sagemaker_session)
        if capture is not None:  # a PipelineSession: the step's arguments, no job
            return capture.capture_request("CreateTransformJob", request, self)
        client = self._client()
        job = client.create_transform_job(request)
        if self.output_path is None:  # the studio's default, for this job only (as SageMaker)
            self.output_path = (job.outputs.get("TransformOutput") or {}).get("S3OutputPath")
            self._reset_output_path = True
        self._current_job_name = name
        self.latest_transform_job = TransformJob(client.transform_jobs, name)
        if wait:
            self.wait(logs=logs)
        return None

    def _job(self) -> TransformJob:
        if self.latest_transform_job is None:
            raise ValidationError(
                "no transform job yet: call transform() first", field="latest_transform_job"
            )
        return self.latest_transform_job

    def wait(self, logs: bool = True) -> Job:
        """Block until the latest job ends.

        Args:
            logs: Print the job's log as it grows.

        Returns:
            The job's record, Completed.

        Raises:
            ValidationError: No job yet (call ``transform`` first).
            StudioError: The job ended Failed or Stopped (with its failure reason).
        """
        job = self._job().wait(logs=logs)
        if job.status is not JobStatus.COMPLETED:
            reason = job.failure_reason or ""
            raise StudioError(f"transform job {job.job_name} {job.status.value}: {reason}".strip())
        return job

    def stop_transform_job(self, wait: bool = True) -> None:
        """Stop the latest job.

        Args:
            wait: Block until it has ended.

        Raises:
            ValidationError: No job yet (call ``transform`` first).
        """
        job = self._job()
        job.stop()
        if wait:
            job.wait(logs=False)

    def describe(self) -> Job:
        """The latest job's record.

        Returns:
            Its status, times, failure reason, outputs and request.

        Raises:
            ValidationError: No job yet (call ``transform`` first).
        """
        return self._job().describe()

    @classmethod
    def attach(cls, transform_job_name: str, sagemaker_session: Any = None) -> Transformer:
        """A transformer for an existing transform job, built from its recorded request.

        Args:
            transform_job_name: The job's name.
            sagemaker_session: As for :class:`Transformer`.

        Returns:
            A transformer whose ``latest_transform_job`` is that job.

        Raises:
            NotFoundError: No transform job has that name.
        """
        client = hosting_client(sagemaker_session)
        spec = client.describe_transform_job(transform_job_name).spec
        output = spec.get("TransformOutput") or {}
        resources = spec.get("TransformResources") or {}
        transformer = cls(
            spec["ModelName"],
            resources.get("InstanceCount", 1),
            resources.get("InstanceType", "local"),
            strategy=spec.get("BatchStrategy"),
            assemble_with=output.get("AssembleWith"),
            output_path=output.get("S3OutputPath"),
            output_kms_key=output.get("KmsKeyId"),
            accept=output.get("Accept"),
            max_concurrent_transforms=spec.get("MaxConcurrentTransforms"),
            max_payload=spec.get("MaxPayloadInMB"),
            env=spec.get("Environment"),
            sagemaker_session=sagemaker_session,
        )
        transformer._current_job_name = transform_job_name
        transformer.latest_transform_job = TransformJob(client.transform_jobs, transform_job_name)
        return transformer

    def __repr__(self) -> str:
        return f"Transformer(model_name={self.model_name!r})"
