"""Models, endpoint configurations and endpoints, as the SageMaker API describes them."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import Field

from .common import Entity


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
    ``model_package_name``: the registered version it was made from, as given."""

    image: str | None = None
    model_data_url: str | None = None
    environment: dict[str, str] = Field(default_factory=dict)
    model_package_name: str | None = None


class Model(Entity):
    model_name: str
    primary_container: ContainerDefinition
    creation_time: datetime
    tags: dict[str, str] = Field(default_factory=dict)


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
