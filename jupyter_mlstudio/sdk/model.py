"""``Model`` and ``ModelPackage`` with the names and signatures of ``sagemaker.model`` (SDK
v2).

A model is an image and/or script-mode code plus model data (a ``model.tar.gz``).
``deploy()`` creates the model, an endpoint configuration with one variant
(``AllTraffic``) and the endpoint, waits until it is InService and returns a
:class:`~.predictor.Predictor`; ``transformer()`` returns a
:class:`~.transformer.Transformer` for batch transform.

Script mode is named as on SageMaker, by the environment ``SAGEMAKER_PROGRAM`` (the entry
point) and ``SAGEMAKER_SUBMIT_DIRECTORY`` (its folder). The studio copies the code when
it creates the model, so later edits of the script do not change a deployed model: a
``source_dir`` folder as it is; an ``entry_point`` alone, or with ``dependencies``, is
staged into a temporary folder first (only those files are sent, as SageMaker packs them).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

from ..exceptions import ValidationError
from .data_capture import DataCaptureConfig
from .deserializers import BaseDeserializer
from .hosting_client import HostingClient, hosting_client
from .jobs_client import request_capture
from .lineage import Lineage, lineage
from .model_code import code_in_place, is_archive, local_path, staged_code
from .naming import base_name_from, name_from_base
from .predictor import Predictor, wait_for_endpoint
from .registry_client import registry_client
from .serializers import BaseSerializer
from .transformer import Transformer
from .workflow.model_package import model_package_request

DEFAULT_VARIANT = "AllTraffic"


class Model:
    """A model to deploy to an endpoint or to run batch transform jobs with.

    Give ``image_uri`` (a local image that has ``serve``; docker runtime, never pulled),
    and/or ``entry_point`` (script mode, served by the studio's model server), and usually
    ``model_data``. Nothing is sent to the studio before :meth:`create`, :meth:`deploy` or
    :meth:`transformer`.

    Args:
        image_uri: The serving image.
        model_data: The model's ``model.tar.gz``: a local path, ``file://`` or ``s3://``.
        role: Accepted for SageMaker compatibility and not used (no IAM here).
        predictor_cls: What :meth:`deploy` returns, called as ``predictor_cls(endpoint_name,
            sagemaker_session)``; default :class:`~.predictor.Predictor`.
        env: Environment variables of the model servers.
        name: The model's name; default ``<entry point or image name, else model>-<UTC
            time>``.
        vpc_config: Accepted for SageMaker compatibility and not used (no VPCs).
        sagemaker_session: None (the default client), a :class:`~.session.Session`, a
            :class:`~.client.TrackingClient` or a tracking URI.
        enable_network_isolation: Accepted for SageMaker compatibility and not used.
        model_kms_key: Accepted for SageMaker compatibility and not used.
        image_config: Accepted for SageMaker compatibility and not used.
        source_dir: The folder holding ``entry_point``: local, or a ``.tar.gz`` of it (a
            local path or a URI).
        code_location: Accepted for SageMaker compatibility and not used (the studio
            keeps the code itself).
        entry_point: The inference script, a local file (relative to ``source_dir`` when
            given). It is imported, not run: its ``model_fn``, ``input_fn``,
            ``predict_fn`` and ``output_fn`` are used when defined.
        container_log_level: Accepted for SageMaker compatibility and not used.
        dependencies: Local files or folders sent next to the entry point.
        git_config: Accepted for SageMaker compatibility and not used.
        kwargs: Other SageMaker arguments, accepted and not used.

    Raises:
        ValidationError: None of ``image_uri``, ``entry_point`` and ``model_data``;
            ``source_dir`` without ``entry_point``; ``dependencies`` with an archive
            ``source_dir``.
    """

    def __init__(
        self,
        image_uri: str | None = None,
        model_data: str | None = None,
        role: str | None = None,
        predictor_cls: Any = None,
        env: Mapping[str, str] | None = None,
        name: str | None = None,
        vpc_config: Any = None,
        sagemaker_session: Any = None,
        enable_network_isolation: bool | None = None,
        model_kms_key: str | None = None,
        image_config: Any = None,
        source_dir: str | None = None,
        code_location: str | None = None,
        entry_point: str | None = None,
        container_log_level: Any = None,
        dependencies: Sequence[str] | None = None,
        git_config: Any = None,
        **kwargs: Any,
    ) -> None:
        if not (image_uri or entry_point or model_data or self._container_elsewhere):
            raise ValidationError(
                "give image_uri, entry_point (script mode) or model_data", field="image_uri"
            )
        if source_dir and not entry_point:
            raise ValidationError("source_dir needs entry_point", field="entry_point")
        if dependencies and source_dir and ("://" in source_dir or is_archive(source_dir)):
            raise ValidationError(
                "dependencies cannot be added to an archive source_dir", field="dependencies"
            )
        self.image_uri = image_uri
        self.model_data = None if model_data is None else local_path(model_data)
        self.role = role
        self.predictor_cls = predictor_cls or Predictor
        self.env = dict(env or {})
        self.name = name
        self._name_given = name is not None
        self.sagemaker_session = sagemaker_session
        self.source_dir = source_dir
        self.entry_point = entry_point
        self.dependencies = list(dependencies or ())
        self.endpoint_name: str | None = None
        self._created = False

    #: the container comes from elsewhere (a registered version): nothing of it is given
    _container_elsewhere = False

    def _client(self) -> HostingClient:
        return hosting_client(self.sagemaker_session)

    def _base(self) -> str:
        if self.entry_point or self.image_uri:
            return base_name_from(self.entry_point, self.image_uri)
        return "model"

    # -- the model -------------------------------------------------------------------------------
    def _code(self) -> contextlib.AbstractContextManager[dict[str, str]]:
        """The script-mode environment, with the code where the studio can copy it from
        while the model is created (see :func:`.model_code.staged_code`)."""
        return staged_code(self.entry_point, self.source_dir, self.dependencies)

    def _code_in_place(self) -> dict[str, str]:
        """The script-mode environment naming the code where it is (a pipeline's model
        step; see :func:`.model_code.code_in_place`)."""
        return code_in_place(self.entry_point, self.source_dir, self.dependencies)

    def _container(self, code: Mapping[str, str], image_uri: str | None = None) -> dict[str, Any]:
        container: dict[str, Any] = {"Environment": {**self.env, **code}}
        if image_uri or self.image_uri:
            container["Image"] = image_uri or self.image_uri
        if self.model_data:
            container["ModelDataUrl"] = self.model_data
        return container

    def _create_sagemaker_model(self, instance_type: str | None = None, tags: Any = None) -> Any:
        """Create the model in the studio once (the name is generated when not given);
        under a ``PipelineSession``, return a model step's arguments instead."""
        capture = request_capture(self.sagemaker_session)
        if capture is not None:  # a PipelineSession: the step's arguments, no model
            name = self.name or name_from_base(self._base())
            request = {
                "ModelName": name,
                "PrimaryContainer": self._container(self._code_in_place()),
            }
            if tags:
                request["Tags"] = tags
            return capture.capture_request("CreateModel", request, self)
        if self._created:
            return None
        name = self.name or name_from_base(self._base())
        with self._code() as code:
            request = {"ModelName": name, "PrimaryContainer": self._container(code)}
            if tags:
                request["Tags"] = tags
            self._client().create_model(request)
        self.name = name
        self._created = True
        return None

    def create(
        self,
        instance_type: str | None = None,
        accelerator_type: str | None = None,
        serverless_inference_config: Any = None,
        tags: Any = None,
        **kwargs: Any,
    ) -> Any:
        """Create the model in the studio without deploying it (once; later calls do nothing).

        Args:
            instance_type: Accepted for SageMaker compatibility and not used.
            accelerator_type: Accepted for SageMaker compatibility and not used.
            serverless_inference_config: Accepted for SageMaker compatibility and not used.
            tags: ``[{"Key": ..., "Value": ...}]`` of the model.
            kwargs: Other SageMaker arguments, accepted and not used.

        Returns:
            None; under a ``PipelineSession``, the arguments of a ``ModelStep``
            (``step_args=``), and no model is created.

        Raises:
            ValidationError: A bad model (the field named: ``entry_point``,
                ``PrimaryContainer.ModelDataUrl``, ...).
            ConflictError: The name is taken.
        """
        return self._create_sagemaker_model(instance_type, tags)

    def register(
        self,
        content_types: Sequence[Any] | None = None,
        response_types: Sequence[Any] | None = None,
        inference_instances: Sequence[Any] | None = None,
        transform_instances: Sequence[Any] | None = None,
        model_package_name: Any = None,
        model_package_group_name: Any = None,
        image_uri: Any = None,
        model_metrics: Any = None,
        metadata_properties: Any = None,
        marketplace_cert: bool = False,
        approval_status: Any = None,
        description: str | None = None,
        drift_check_baselines: Any = None,
        customer_metadata_properties: Mapping[str, Any] | None = None,
        validation_specification: Any = None,
        domain: Any = None,
        task: Any = None,
        sample_payload_url: Any = None,
        skip_model_validation: Any = None,
        source_uri: Any = None,
        **kwargs: Any,
    ) -> Any:
        """Register this model as a version of a model package group (CreateModelPackage).

        A group given by name is created when it does not exist (as SageMaker's SDK does);
        a script-mode model's code is copied into the studio when it is registered.
        Inside a pipeline (``PipelineSession``) this makes a ``ModelStep``'s arguments.

        Args:
            content_types: The MIME types the model accepts.
            response_types: The MIME types it answers with.
            inference_instances: Instance types for endpoints.
            transform_instances: Instance types for transform jobs.
            model_package_name: An unversioned package's name (instead of a group).
            model_package_group_name: The group (name or ARN); default: the image's name.
            image_uri: The serving image (default the model's).
            model_metrics: A ``ModelMetrics`` (or its request form, a mapping).
            metadata_properties: A ``MetadataProperties`` (or a mapping).
            marketplace_cert: Recorded; not used.
            approval_status: ``PendingManualApproval`` (default), ``Approved`` or
                ``Rejected``.
            description: The version's description.
            drift_check_baselines: A ``DriftCheckBaselines`` (or a mapping).
            customer_metadata_properties: Key-value metadata of the version.
            validation_specification: Recorded as given.
            domain: The model's domain (``MACHINE_LEARNING``, ...).
            task: The model's task (``CLASSIFICATION``, ...).
            sample_payload_url: Where a sample request is.
            skip_model_validation: ``All`` or ``None``.
            source_uri: The model's source.
            kwargs: Other SageMaker arguments, accepted and not used.

        Returns:
            The new version, a :class:`ModelPackage`; under a
            ``PipelineSession``, the arguments of a ``ModelStep``.

        Raises:
            ValidationError: A bad argument, naming it.
            NotFoundError: A group given by ARN does not exist (``ModelPackageGroupName``).
        """
        capture = request_capture(self.sagemaker_session)

        def request_of(code: Mapping[str, str]) -> dict[str, Any]:
            return model_package_request(
                containers=[self._container(code, image_uri)],
                content_types=content_types,
                response_types=response_types,
                inference_instances=inference_instances,
                transform_instances=transform_instances,
                model_package_name=model_package_name,
                model_package_group_name=model_package_group_name
                or (None if model_package_name else self._base()),
                model_metrics=model_metrics,
                metadata_properties=metadata_properties,
                marketplace_cert=marketplace_cert,
                approval_status=approval_status,
                description=description,
                drift_check_baselines=drift_check_baselines,
                customer_metadata_properties=customer_metadata_properties,
                validation_specification=validation_specification,
                domain=domain,
                task=task,
                sample_payload_url=sample_payload_url,
                skip_model_validation=skip_model_validation,
                source_uri=source_uri,
            )

        if capture is not None:  # a pipeline's model step: the code is read where it is
            return capture.capture_request(
                "CreateModelPackage", request_of(self._code_in_place()), self
            )
        with self._code() as code:  # the studio copies it when it registers the version
            created = registry_client(self.sagemaker_session).create_package(request_of(code))
        return ModelPackage(
            role=self.role,
            model_data=self.model_data,
            model_package_arn=created["ModelPackageArn"],
            sagemaker_session=self.sagemaker_session,
            predictor_cls=self.predictor_cls,
        )

    def delete_model(self) -> None:
        """Delete the model from the studio; endpoints already serving it keep running.

        Raises:
            ValidationError: The model was not created (by this object).
            NotFoundError: It was deleted meanwhile.
        """
        if self.name is None or not self._created:
            raise ValidationError("the model must be created first", field="name")
        self._client().delete_model(self.name)
        self._created = False

    # -- deploying -------------------------------------------------------------------------------
    def deploy(
        self,
        initial_instance_count: int = 1,
        instance_type: str = "local",
        serializer: BaseSerializer | None = None,
        deserializer: BaseDeserializer | None = None,
        accelerator_type: str | None = None,
        endpoint_name: str | None = None,
        tags: Any = None,
        kms_key: str | None = None,
        wait: bool = True,
        data_capture_config: DataCaptureConfig | None = None,
        *,
        variant_name: str = DEFAULT_VARIANT,
        **kwargs: Any,
    ) -> Predictor:
        """Create the model (unless it was), an endpoint configuration and an endpoint.

        The endpoint configuration is named like the endpoint and has one variant
        (``variant_name``, weight 1) of this model.

        Args:
            initial_instance_count: Instances of the variant.
            instance_type: ``local`` or an ``ml.*`` name.
            serializer: The predictor's serializer (default: bytes as they are).
            deserializer: The predictor's deserializer (default: bytes).
            accelerator_type: Refused when given (no accelerators).
            endpoint_name: Default: the model's name when it was given, else its default
                name's start, followed by ``-<UTC time>``.
            tags: ``[{"Key": ..., "Value": ...}]`` of the model, configuration and endpoint.
            kms_key: Recorded in the endpoint configuration; not used.
            wait: Print ``-`` until the endpoint is InService, then ``!``.
            data_capture_config: What the endpoint captures.
            variant_name: The variant's name (a studio extra).
            kwargs: Other SageMaker arguments, accepted and not used.

        Returns:
            ``predictor_cls(endpoint_name, sagemaker_session)``, with ``serializer`` and
            ``deserializer`` set when given. (SageMaker's base ``Model`` returns None
            without a ``predictor_cls``; here there is always one.)

        Raises:
            ValidationError: A bad argument, naming it.
            ConflictError: A name is taken.
            StudioError: With ``wait``, the endpoint failed to start (with the reason).
        """
        if accelerator_type:
            raise ValidationError("accelerators are not supported", field="accelerator_type")
        self._create_sagemaker_model(instance_type, tags)
        assert self.name is not None
        name = endpoint_name or name_from_base(self.name if self._name_given else self._base())
        client = self._client()
        config: dict[str, Any] = {
            "EndpointConfigName": name,
            "ProductionVariants": [
                {
                    "VariantName": variant_name,
                    "ModelName": self.name,
                    "InitialInstanceCount": initial_instance_count,
                    "InstanceType": instance_type,
                    "InitialVariantWeight": 1.0,
                }
            ],
        }
        if data_capture_config is not None:
            config["DataCaptureConfig"] = data_capture_config._to_request_dict()
        if kms_key:
            config["KmsKeyId"] = kms_key
        if tags:
            config["Tags"] = tags
        client.create_endpoint_config(config)
        endpoint: dict[str, Any] = {"EndpointName": name, "EndpointConfigName": name}
        if tags:
            endpoint["Tags"] = tags
        client.create_endpoint(endpoint)
        self.endpoint_name = name
        if wait:
            wait_for_endpoint(client, name)
        predictor: Predictor = self.predictor_cls(name, self.sagemaker_session)
        if serializer is not None:
            predictor.serializer = serializer
        if deserializer is not None:
            predictor.deserializer = deserializer
        return predictor

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
        volume_kms_key: str | None = None,
    ) -> Transformer:
        """Create the model (unless it was) and return a batch transformer of it.

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
            volume_kms_key: Accepted for SageMaker compatibility and not used.

        Returns:
            The transformer, whose jobs are named after the model.
        """
        self._create_sagemaker_model(instance_type, tags)
        assert self.name is not None
        return Transformer(
            self.name,
            instance_count,
            instance_type,
            strategy=strategy,
            assemble_with=assemble_with,
            output_path=output_path,
            output_kms_key=output_kms_key,
            accept=accept,
            max_concurrent_transforms=max_concurrent_transforms,
            max_payload=max_payload,
            tags=tags,
            env=env,
            base_transform_job_name=self.name,
            sagemaker_session=self.sagemaker_session,
            volume_kms_key=volume_kms_key,
        )

    def __repr__(self) -> str:
        return f"Model(name={self.name!r}, model_data={self.model_data!r})"


APPROVAL_STATUSES = ("Approved", "Rejected", "PendingManualApproval")


class ModelPackage(Model):
    """A version of a model package group.

    Args:
        role: Accepted for SageMaker compatibility and not used.
        model_data: Not used for a registered version (its container has it).
        algorithm_arn: Not supported here (no algorithm resources).
        model_package_arn: The version's ARN (or ``<group>/<version>``).
        kwargs: As for :class:`~.model.Model` (``sagemaker_session``, ``env``,
            ``name``, ``predictor_cls``, ...).

    Raises:
        ValidationError: No ``model_package_arn``, or an ``algorithm_arn``.
    """

    def __init__(
        self,
        role: str | None = None,
        model_data: Any = None,
        algorithm_arn: str | None = None,
        model_package_arn: str | None = None,
        **kwargs: Any,
    ) -> None:
        if algorithm_arn is not None:
            raise ValidationError(
                "algorithm ARNs are not supported; give model_package_arn",
                field="algorithm_arn",
            )
        if not model_package_arn:
            raise ValidationError("give model_package_arn", field="model_package_arn")
        super().__init__(role=role, model_data=model_data, **kwargs)
        self.model_package_arn = model_package_arn
        self.algorithm_arn = None

    _container_elsewhere = True

    def _base(self) -> str:
        """Names made for its model and endpoint start with the group's name."""
        parts = self.model_package_arn.rsplit("/", 2)
        return parts[-2] if len(parts) == 3 else "model-package"

    def _create_sagemaker_model(self, instance_type: str | None = None, tags: Any = None) -> Any:
        """Create a model whose container is the version's (CreateModel with
        ``ModelPackageName``, as SageMaker does)."""
        if self._created:
            return None
        name = self.name or name_from_base(self._base())
        container: dict[str, Any] = {"ModelPackageName": self.model_package_arn}
        if self.env:
            container["Environment"] = dict(self.env)
        request: dict[str, Any] = {"ModelName": name, "PrimaryContainer": container}
        if tags:
            request["Tags"] = tags
        self._client().create_model(request)
        self.name = name
        self._created = True
        return None

    def describe(self) -> dict[str, Any]:
        """The version, as DescribeModelPackage answers.

        Returns:
            Its description (approval status, containers, metrics, ...).
        """
        return registry_client(self.sagemaker_session).describe_package(self.model_package_arn)

    def lineage(self) -> Lineage:
        """What produced this version: its model data, the job that wrote it and that
        job's inputs, the jobs that wrote those, pipeline steps and runs.

        Returns:
            The lineage, this version first (see :func:`.lineage.lineage`).
        """
        return lineage(
            model_package_arn=self.model_package_arn, sagemaker_session=self.sagemaker_session
        )

    def update_approval_status(
        self, approval_status: str, approval_description: str | None = None
    ) -> None:
        """Approve or reject the version (UpdateModelPackage).

        Args:
            approval_status: ``Approved``, ``Rejected`` or ``PendingManualApproval``.
            approval_description: Why.

        Raises:
            ValidationError: Another status.
        """
        if approval_status not in APPROVAL_STATUSES:
            raise ValidationError(
                f"approval_status must be one of {', '.join(APPROVAL_STATUSES)}",
                field="approval_status",
            )
        changes: dict[str, Any] = {"ModelApprovalStatus": approval_status}
        if approval_description is not None:
            changes["ApprovalDescription"] = approval_description
        registry_client(self.sagemaker_session).update_package(self.model_package_arn, changes)

    def update_customer_metadata(self, customer_metadata_properties: Mapping[str, str]) -> None:
        """Add or change key-value metadata of the version.

        Args:
            customer_metadata_properties: The keys and values to set.
        """
        registry_client(self.sagemaker_session).update_package(
            self.model_package_arn,
            {"CustomerMetadataProperties": dict(customer_metadata_properties)},
        )

    def remove_customer_metadata_properties(
        self, customer_metadata_properties_to_remove: Sequence[str]
    ) -> None:
        """Remove keys of the version's metadata.

        Args:
            customer_metadata_properties_to_remove: The keys.
        """
        registry_client(self.sagemaker_session).update_package(
            self.model_package_arn,
            {"CustomerMetadataPropertiesToRemove": list(customer_metadata_properties_to_remove)},
        )
