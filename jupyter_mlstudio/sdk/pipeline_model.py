"""``PipelineModel`` with the names and signatures of ``sagemaker.pipeline`` (SDK v2): an
inference pipeline of several models, created as one model with ``Containers`` (served
serially: each container's answer is the next one's request, docs/hosting.md).

Its members are :class:`~.model.Model` objects as they would be deployed alone; a
script-mode member's code is copied into the studio when the pipeline model is created,
as for a model of its own. ``deploy()`` and ``transformer()`` behave as
:class:`~.model.Model`'s.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

from ..entities.endpoints import MAX_PIPELINE_CONTAINERS
from ..exceptions import ValidationError
from .data_capture import DataCaptureConfig
from .deserializers import BaseDeserializer
from .jobs_client import request_capture
from .model import DEFAULT_VARIANT, Model, ModelPackage
from .naming import name_from_base
from .predictor import Predictor
from .serializers import BaseSerializer
from .transformer import Transformer

#: InferenceExecutionConfig of the pipeline models the studio creates
SERIAL = {"Mode": "Serial"}


class PipelineModel(Model):
    """A pipeline of models served one after the other behind one endpoint (or one
    batch transform job): the request goes to the first model, its answer to the second,
    and so on; the last model's answer is the response.

    Nothing is sent to the studio before :meth:`create`, :meth:`deploy` or
    :meth:`transformer`.

    Args:
        models: The models, in the order a request goes through them (1 to 15
            :class:`~.model.Model` objects; registered versions, ``ModelPackage``, cannot
            be members).
        role: Accepted for SageMaker compatibility and not used (no IAM here).
        predictor_cls: What :meth:`deploy` returns, called as ``predictor_cls(endpoint_name,
            sagemaker_session)``; default :class:`~.predictor.Predictor`.
        name: The pipeline model's name; default ``<first model's name start>-<UTC time>``.
        vpc_config: Accepted for SageMaker compatibility and not used (no VPCs).
        sagemaker_session: None (the default client), a :class:`~.session.Session`, a
            :class:`~.client.TrackingClient` or a tracking URI; default: the first
            model's.
        enable_network_isolation: Accepted for SageMaker compatibility and not used.

    Raises:
        ValidationError: No models, more than 15, or a member that is not a ``Model`` or
            is a ``ModelPackage`` (field ``models``).
    """

    _container_elsewhere = True  # the members have the containers

    def __init__(
        self,
        models: Sequence[Model],
        role: str | None = None,
        predictor_cls: Any = None,
        name: str | None = None,
        vpc_config: Any = None,
        sagemaker_session: Any = None,
        enable_network_isolation: bool = False,
    ) -> None:
        members = list(models or ())
        if not 1 <= len(members) <= MAX_PIPELINE_CONTAINERS:
            raise ValidationError(
                f"a pipeline has 1 to {MAX_PIPELINE_CONTAINERS} models (got {len(members)})",
                field="models",
            )
        for i, member in enumerate(members):
            if not isinstance(member, Model) or isinstance(member, (ModelPackage, PipelineModel)):
                raise ValidationError(
                    f"models[{i}] must be a Model (not {type(member).__name__})", field="models"
                )
        super().__init__(
            role=role,
            predictor_cls=predictor_cls,
            name=name,
            vpc_config=vpc_config,
            sagemaker_session=sagemaker_session or members[0].sagemaker_session,
            enable_network_isolation=enable_network_isolation,
        )
        self.models = members
        self.vpc_config = vpc_config
        self.enable_network_isolation = enable_network_isolation

    def _base(self) -> str:
        return self.models[0]._base()

    def pipeline_container_def(self, instance_type: str | None = None) -> list[dict[str, Any]]:
        """The containers of the CreateModel request, with each script-mode member's code
        named where it is (as a pipeline's model step sends it).

        Args:
            instance_type: Accepted for SageMaker compatibility and not used.

        Returns:
            One ContainerDefinition per model, in order.
        """
        return [m._container(m._code_in_place()) for m in self.models]

    def _request(self, name: str, containers: list[dict[str, Any]], tags: Any) -> dict[str, Any]:
        request: dict[str, Any] = {
            "ModelName": name,
            "Containers": containers,
            "InferenceExecutionConfig": dict(SERIAL),
        }
        if tags:
            request["Tags"] = tags
        return request

    def _create_sagemaker_model(self, instance_type: str | None = None, tags: Any = None) -> Any:
        """Create the pipeline model in the studio once (CreateModel with ``Containers``);
        under a ``PipelineSession``, return a model step's arguments instead."""
        capture = request_capture(self.sagemaker_session)
        if capture is not None:
            name = self.name or name_from_base(self._base())
            request = self._request(name, self.pipeline_container_def(instance_type), tags)
            return capture.capture_request("CreateModel", request, self)
        if self._created:
            return None
        name = self.name or name_from_base(self._base())
        with contextlib.ExitStack() as stack:  # every member's code staged while it is copied
            containers = [m._container(stack.enter_context(m._code())) for m in self.models]
            self._client().create_model(self._request(name, containers, tags))
        self.name = name
        self._created = True
        return None

    def create(self, instance_type: str | None = None, **kwargs: Any) -> Any:  # type: ignore[override]
        """Create the pipeline model in the studio without deploying it (once).

        Args:
            instance_type: Accepted for SageMaker compatibility and not used.
            kwargs: Other SageMaker arguments (``tags``), the tags used, the rest not.

        Returns:
            None; under a ``PipelineSession``, the arguments of a ``ModelStep``.

        Raises:
            ValidationError: A bad member, naming the field (``Containers[1].ModelDataUrl``,
                ...).
            ConflictError: The name is taken.
        """
        return self._create_sagemaker_model(instance_type, kwargs.get("tags"))

    def deploy(  # type: ignore[override]
        self,
        initial_instance_count: int,
        instance_type: str,
        serializer: BaseSerializer | None = None,
        deserializer: BaseDeserializer | None = None,
        endpoint_name: str | None = None,
        tags: Any = None,
        wait: bool = True,
        update_endpoint: bool = False,
        data_capture_config: DataCaptureConfig | None = None,
        kms_key: str | None = None,
        *,
        variant_name: str = DEFAULT_VARIANT,
        **kwargs: Any,
    ) -> Predictor:
        """Create the pipeline model (unless it was), an endpoint configuration and an
        endpoint whose every instance runs all the models' containers.

        Args:
            initial_instance_count: Instances of the variant.
            instance_type: ``local`` or an ``ml.*`` name.
            serializer: The predictor's serializer (default: bytes as they are).
            deserializer: The predictor's deserializer (default: bytes).
            endpoint_name: Default: the model's name when it was given, else its default
                name's start, followed by ``-<UTC time>``.
            tags: ``[{"Key": ..., "Value": ...}]`` of the model, configuration and endpoint.
            wait: Print ``-`` until the endpoint is InService, then ``!``.
            update_endpoint: Refused when true (create a new endpoint, or UpdateEndpoint
                with a new configuration).
            data_capture_config: What the endpoint captures (the client's request and
                the last model's answer).
            kms_key: Recorded in the endpoint configuration; not used.
            variant_name: The variant's name (a studio extra).
            kwargs: Other SageMaker arguments, accepted and not used.

        Returns:
            ``predictor_cls(endpoint_name, sagemaker_session)``, with ``serializer`` and
            ``deserializer`` set when given.

        Raises:
            ValidationError: A bad argument or member, naming it.
            ConflictError: A name is taken.
            StudioError: With ``wait``, the endpoint failed to start (with the reason).
        """
        if update_endpoint:
            raise ValidationError(
                "update_endpoint is not supported; deploy to a new endpoint",
                field="update_endpoint",
            )
        return super().deploy(
            initial_instance_count,
            instance_type,
            serializer=serializer,
            deserializer=deserializer,
            endpoint_name=endpoint_name,
            tags=tags,
            kms_key=kms_key,
            wait=wait,
            data_capture_config=data_capture_config,
            variant_name=variant_name,
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
        volume_kms_key: str | None = None,
    ) -> Transformer:
        """Create the pipeline model (unless it was) and return a batch transformer of it:
        each batch of records goes through the models in order.

        Args:
            instance_count: Instances that run each transform job.
            instance_type: ``local`` or an ``ml.*`` name.
            strategy: ``MultiRecord`` or ``SingleRecord``.
            assemble_with: ``Line`` or ``None``: how output records are joined.
            output_path: Where outputs go (``f`` → ``f.out``); None: the studio's choice.
            output_kms_key: Accepted for SageMaker compatibility and not used.
            accept: The media type asked of the last model.
            env: More environment variables of every container.
            max_concurrent_transforms: Requests sent to one instance at once.
            max_payload: The largest request, in MB.
            tags: ``[{"Key": ..., "Value": ...}]`` of the model and the jobs.
            volume_kms_key: Accepted for SageMaker compatibility and not used.

        Returns:
            The transformer, whose jobs are named after the pipeline model.
        """
        return super().transformer(
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

    def register(self, *args: Any, **kwargs: Any) -> Any:
        """Not supported: register each model on its own.

        Args:
            args: Ignored.
            kwargs: Ignored.

        Returns:
            Never.

        Raises:
            ValidationError: Always (field ``models``).
        """
        raise ValidationError(
            "registering a pipeline model is not supported; register its models",
            field="models",
        )

    def __repr__(self) -> str:
        return f"PipelineModel(name={self.name!r}, models={len(self.models)})"
