"""The hosting half of :class:`~.estimator.Estimator`: its model, deployed, registered or
used for batch transform.

A mixin: the estimator provides the attributes declared here and :meth:`_job`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..exceptions import ValidationError
from .jobs import TrainingJob
from .model import Model
from .naming import base_name_from, name_from_base
from .predictor import Predictor
from .transformer import Transformer


class EstimatorHosting:
    """Creating, deploying and registering the model of an estimator's latest job."""

    image_uri: str | None
    role: str | None
    entry_point: str | None
    source_dir: str | None
    dependencies: list[str]
    base_job_name: str | None
    sagemaker_session: Any

    @property
    def model_data(self) -> str | None:
        raise NotImplementedError

    def _job(self) -> TrainingJob:
        raise NotImplementedError

    def create_model(
        self,
        image_uri: str | None = None,
        predictor_cls: Any = None,
        model_data: Any = None,
        **kwargs: Any,
    ) -> Model:
        """A model of the latest job's ``model.tar.gz``, not created in the studio yet.

        Args:
            image_uri: The serving image; default this estimator's.
            predictor_cls: What ``deploy`` returns; default :class:`~.predictor.Predictor`.
            model_data: The model's data instead of the latest job's (a pipeline's training
                step's ``properties.ModelArtifacts.S3ModelArtifacts``, say).
            kwargs: :class:`~.model.Model` arguments; ``entry_point``, ``source_dir`` and
                ``dependencies`` default to this estimator's (the script is imported by
                the model server: its ``model_fn``, ``predict_fn``, ... are used).

        Returns:
            The model, served with this estimator's image or script-mode code.

        Raises:
            ValidationError: No job yet, or the latest job has no model.
        """
        model_data = model_data if model_data is not None else self.model_data
        if model_data is None:
            raise ValidationError(
                f"training job {self._job().name} has no model to deploy", field="model_data"
            )
        code = {
            "entry_point": self.entry_point,
            "source_dir": self.source_dir,
            "dependencies": self.dependencies,
        }
        return Model(
            image_uri=image_uri or self.image_uri,
            model_data=model_data,
            role=self.role,
            predictor_cls=predictor_cls,
            sagemaker_session=self.sagemaker_session,
            **{**code, **kwargs},
        )

    def register(
        self,
        content_types: Any = None,
        response_types: Any = None,
        inference_instances: Any = None,
        transform_instances: Any = None,
        image_uri: str | None = None,
        model_package_name: Any = None,
        model_package_group_name: Any = None,
        model_metrics: Any = None,
        metadata_properties: Any = None,
        marketplace_cert: bool = False,
        approval_status: Any = None,
        description: str | None = None,
        compile_model_family: Any = None,
        model_name: str | None = None,
        drift_check_baselines: Any = None,
        customer_metadata_properties: Any = None,
        domain: Any = None,
        sample_payload_url: Any = None,
        task: Any = None,
        **kwargs: Any,
    ) -> Any:
        """Register the latest job's model as a version of a model package group.

        Args:
            content_types: The MIME types the model accepts.
            response_types: The MIME types it answers with.
            inference_instances: Instance types for endpoints.
            transform_instances: Instance types for transform jobs.
            image_uri: The serving image; default this estimator's.
            model_package_name: An unversioned package's name (not supported here).
            model_package_group_name: The group, by name (created when missing) or ARN.
            model_metrics: A :class:`~.model_metrics.ModelMetrics`.
            metadata_properties: A ``MetadataProperties`` (or a mapping).
            marketplace_cert: Recorded; not used.
            approval_status: ``PendingManualApproval`` (default), ``Approved`` or
                ``Rejected``.
            description: The version's description.
            compile_model_family: Not supported (no compilation); must be None.
            model_name: The model's name, when it is deployed later.
            drift_check_baselines: A ``DriftCheckBaselines`` (or a mapping).
            customer_metadata_properties: Key-value metadata of the version.
            domain: The model's domain (``MACHINE_LEARNING``, ...).
            sample_payload_url: Where a sample request is.
            task: The model's task (``CLASSIFICATION``, ...).
            kwargs: Other SageMaker arguments, passed to ``Model.register``.

        Returns:
            The new version, a :class:`~.model.ModelPackage`.

        Raises:
            ValidationError: No job or model yet, or a bad argument, naming it.
        """
        if compile_model_family is not None:
            raise ValidationError(
                "model compilation is not supported", field="compile_model_family"
            )
        model = self.create_model(image_uri=image_uri)
        if model_name is not None:
            model.name = model_name
        return model.register(
            content_types=content_types,
            response_types=response_types,
            inference_instances=inference_instances,
            transform_instances=transform_instances,
            model_package_name=model_package_name,
            model_package_group_name=model_package_group_name,
            model_metrics=model_metrics,
            metadata_properties=metadata_properties,
            marketplace_cert=marketplace_cert,
            approval_status=approval_status,
            description=description,
            drift_check_baselines=drift_check_baselines,
            customer_metadata_properties=customer_metadata_properties,
            domain=domain,
            sample_payload_url=sample_payload_url,
            task=task,
            **kwargs,
        )

    def _base_job_name(self) -> str:
        return self.base_job_name or base_name_from(self.entry_point, self.image_uri)

    def _hosting_name(self) -> str:
        return name_from_base(self._base_job_name())

    def deploy(
        self,
        initial_instance_count: int = 1,
        instance_type: str = "local",
        serializer: Any = None,
        deserializer: Any = None,
        accelerator_type: str | None = None,
        endpoint_name: str | None = None,
        use_compiled_model: bool = False,
        wait: bool = True,
        model_name: str | None = None,
        kms_key: str | None = None,
        data_capture_config: Any = None,
        tags: Any = None,
        **kwargs: Any,
    ) -> Predictor:
        """Deploy the latest job's model to a new endpoint.

        Args:
            initial_instance_count: Instances of the endpoint's one variant.
            instance_type: ``local`` or an ``ml.*`` name.
            serializer: The predictor's serializer (default: bytes as they are).
            deserializer: The predictor's deserializer (default: bytes).
            accelerator_type: Refused when given (no accelerators).
            endpoint_name: Default ``<base job name>-<UTC time>``.
            use_compiled_model: Accepted for SageMaker compatibility and not used.
            wait: Block until the endpoint is InService.
            model_name: Default the endpoint's default name.
            kms_key: Recorded in the endpoint configuration; not used.
            data_capture_config: What the endpoint captures (:class:`~.DataCaptureConfig`).
            tags: ``[{"Key": ..., "Value": ...}]`` of the model, configuration and endpoint.
            kwargs: More :meth:`create_model` arguments.

        Returns:
            A predictor of the endpoint: a ``predictor_cls`` (a ``kwargs`` item) when given.

        Raises:
            ValidationError: No model to deploy, or a bad argument (naming it).
            StudioError: With ``wait``, the endpoint failed to start (with the reason).
        """
        default = self._hosting_name()
        model = self.create_model(**kwargs)
        model.name = model_name or default
        return model.deploy(
            initial_instance_count,
            instance_type,
            serializer,
            deserializer,
            accelerator_type,
            endpoint_name or default,
            tags=tags,
            kms_key=kms_key,
            wait=wait,
            data_capture_config=data_capture_config,
        )

    def transformer(
        self,
        instance_count: int = 1,
        instance_type: str = "local",
        strategy: str | None = None,
        assemble_with: str | None = None,
        output_path: str | None = None,
        output_kms_key: str | None = None,
        accept: str | None = None,
        env: Mapping[str, str] | None = None,
        max_concurrent_transforms: int | None = None,
        max_payload: int | None = None,
        tags: Any = None,
        role: str | None = None,
        volume_kms_key: str | None = None,
        model_name: str | None = None,
        **kwargs: Any,
    ) -> Transformer:
        """A batch transformer of the latest job's model, which is created in the studio now.

        Args:
            instance_count: Instances that run each transform job.
            instance_type: ``local`` or an ``ml.*`` name.
            strategy: ``MultiRecord`` or ``SingleRecord``.
            assemble_with: ``Line`` or ``None``: how output records are joined.
            output_path: Where outputs go (``f`` → ``f.out``); None: the studio's choice.
            output_kms_key: Accepted for SageMaker compatibility and not used.
            accept: The media type asked of the model.
            env: More environment variables of the model servers.
            max_concurrent_transforms: Requests sent to one instance at once.
            max_payload: The largest request, in MB.
            tags: ``[{"Key": ..., "Value": ...}]`` of the model and the jobs.
            role: Accepted for SageMaker compatibility and not used.
            volume_kms_key: Accepted for SageMaker compatibility and not used.
            model_name: Default ``<base job name>-<UTC time>``.
            kwargs: More :meth:`create_model` arguments.

        Returns:
            The transformer; call its ``transform``.

        Raises:
            ValidationError: No model to transform with.
        """
        model = self.create_model(**kwargs)
        model.name = model_name or self._hosting_name()
        return model.transformer(
            instance_count,
            instance_type,
            strategy=strategy,
            assemble_with=assemble_with,
            output_path=output_path,
            output_kms_key=output_kms_key,
            accept=accept,
            env=env,
            max_concurrent_transforms=max_concurrent_transforms,
            max_payload=max_payload,
            tags=tags,
            volume_kms_key=volume_kms_key,
        )
