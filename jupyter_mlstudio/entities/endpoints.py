"""Models, endpoint configurations and endpoints, as the SageMaker API describes them."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import (
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from .common import Entity

#: SageMaker's limit on the containers of an inference pipeline
MAX_PIPELINE_CONTAINERS = 15


class EndpointStatus(str, Enum):
    CREATING = "Creating"
    IN_SERVICE = "InService"
    UPDATING = "Updating"
    SYSTEM_UPDATING = "SystemUpdating"
    ROLLING_BACK = "RollingBack"
    OUT_OF_SERVICE = "OutOfService"
    DELETING = "Deleting"
    FAILED = "Failed"


class ContainerDefinition(Entity):
    """A model's container: ``image`` (``None`` = the studio's script-mode serving), the
    model artifact (``model_data_url``, a ``model.tar.gz``) and its environment
    (``SAGEMAKER_PROGRAM`` / ``SAGEMAKER_SUBMIT_DIRECTORY`` name script-mode code);
    ``model_package_name``: the registered version it was made from, as given;
    ``container_hostname``: its name in an inference pipeline (SageMaker's
    ``ContainerHostname``), if given."""

    image: str | None = None
    model_data_url: str | None = None
    environment: dict[str, str] = Field(default_factory=dict)
    model_package_name: str | None = None
    container_hostname: str | None = None
    #: ``SingleModel`` (``None``: records made before it existed) or ``MultiModel``:
    #: ``model_data_url`` is then a prefix (ending in ``/``) of model archives loaded on
    #: demand by an invocation's ``TargetModel`` (docs/hosting.md, "Multi-model endpoints")
    mode: str | None = None
    #: SageMaker's ``MultiModelConfig`` (``ModelCacheSetting``: Enabled or Disabled)
    multi_model_config: dict[str, str] | None = None


def _pipeline_schema(schema: dict[str, Any]) -> None:
    """A pipeline model's API form has ``Containers`` and no ``PrimaryContainer``."""
    schema["required"] = [r for r in schema.get("required", []) if r != "PrimaryContainer"]


class Model(Entity):
    """A model: one container (``primary_container``), or an inference pipeline of
    several (``containers``, served in order; ``primary_container`` is then the first,
    for readers that look at one container only). The API form gives ``Containers`` and
    ``InferenceExecutionConfig`` for a pipeline and ``PrimaryContainer`` otherwise, as
    SageMaker's DescribeModel does."""

    model_config = ConfigDict(**Entity.model_config, json_schema_extra=_pipeline_schema)

    model_name: str
    primary_container: ContainerDefinition
    #: the containers of an inference pipeline, in order; empty for a single-container model
    containers: list[ContainerDefinition] = Field(default_factory=list)
    #: ``{"Mode": "Serial"}`` for a pipeline
    inference_execution_config: dict[str, str] | None = None
    creation_time: datetime
    tags: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _first_as_primary(cls, data: Any) -> Any:
        """A pipeline's API form has no ``PrimaryContainer``: the first container is it."""
        if isinstance(data, dict):
            containers = data.get("Containers", data.get("containers"))
            has_primary = "PrimaryContainer" in data or "primary_container" in data
            if containers and not has_primary:
                data = {**data, "primary_container": containers[0]}
        return data

    @property
    def is_pipeline(self) -> bool:
        """Whether the model is an inference pipeline (``Containers`` given)."""
        return bool(self.containers)

    @property
    def serving_containers(self) -> list[ContainerDefinition]:
        """The containers a request goes through, in order (one for a plain model)."""
        return list(self.containers) or [self.primary_container]

    @model_serializer(mode="wrap")
    def _api_form(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        pipeline = bool(self.containers)
        for key in ("PrimaryContainer", "primary_container"):
            if pipeline:
                data.pop(key, None)
        if not pipeline:
            for key in ("Containers", "containers"):
                data.pop(key, None)
        return data


class ProductionVariant(Entity):
    variant_name: str
    model_name: str
    initial_instance_count: int = 1
    instance_type: str = "local"
    initial_variant_weight: float = 1.0
    volume_size_in_gb: int | None = Field(None, alias="VolumeSizeInGB")
    model_data_download_timeout_in_seconds: int | None = None
    #: seconds an instance may take to answer /ping after it starts (default 180)
    container_startup_health_check_timeout_in_seconds: int | None = None


class EndpointConfig(Entity):
    endpoint_config_name: str
    production_variants: list[ProductionVariant]
    data_capture_config: dict[str, Any] | None = None
    creation_time: datetime


class DesiredVariant(Entity):
    """A variant's weight and instance count as changed after its config."""

    desired_weight: float | None = None
    desired_instance_count: int | None = None


class Endpoint(Entity):
    endpoint_name: str
    endpoint_config_name: str
    endpoint_status: EndpointStatus
    failure_reason: str | None = None
    #: UpdateEndpointWeightsAndCapacities since the config was applied, by variant name
    desired_variants: dict[str, DesiredVariant] = Field(default_factory=dict)
    creation_time: datetime
    last_modified_time: datetime
    tags: dict[str, str] = Field(default_factory=dict)
