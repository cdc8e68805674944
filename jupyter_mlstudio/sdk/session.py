"""``Session`` and ``production_variant``: the SageMaker Python SDK's session-level hosting
calls (``sagemaker.Session`` / ``sagemaker.session.production_variant``), so code that builds
multi-variant endpoints the SageMaker way runs here unchanged.

A :class:`Session` wraps a tracking client (``None``: the default one, a
:class:`~.client.TrackingClient` or a tracking URI) and can be passed wherever a
``sagemaker_session`` is taken (``Estimator``, ``Model``, ``Predictor``, ``Transformer``,
``Run``). Its hosting methods send the CreateModel / CreateEndpointConfig / CreateEndpoint /
UpdateEndpoint requests of SageMaker's API through :func:`.hosting_client.hosting_client`
and return names, as SageMaker's do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..exceptions import StudioError, ValidationError
from .client import TrackingClient, resolve_client
from .hosting_client import HostingClient, hosting_client
from .predictor import wait_for_endpoint

#: the variant name SageMaker gives a single-variant endpoint
DEFAULT_VARIANT = "AllTraffic"


def production_variant(
    model_name: str,
    instance_type: str | None = None,
    initial_instance_count: int | None = None,
    variant_name: str = DEFAULT_VARIANT,
    initial_weight: float = 1,
    accelerator_type: str | None = None,
    serverless_inference_config: Any = None,
    volume_size: int | None = None,
    model_data_download_timeout: int | None = None,
    container_startup_health_check_timeout: int | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """A ``ProductionVariants`` item: ``model_name`` as ``variant_name`` with
    ``initial_weight``, on ``initial_instance_count`` (1 when only ``instance_type`` is
    given) instances of ``instance_type`` (``local`` or an ``ml.*`` name; ``local`` when
    neither is given). Accelerators and serverless inference are refused."""
    if accelerator_type:
        raise ValidationError("accelerators are not supported", field="accelerator_type")
    if serverless_inference_config is not None:
        raise ValidationError(
            "serverless inference is not supported; give an instance type and count",
            field="serverless_inference_config",
        )
    variant: dict[str, Any] = {
        "ModelName": model_name,
        "VariantName": variant_name,
        "InitialVariantWeight": initial_weight,
        "InstanceType": instance_type or "local",
        "InitialInstanceCount": initial_instance_count or 1,
    }
    if volume_size is not None:
        variant["VolumeSizeInGB"] = volume_size
    if model_data_download_timeout is not None:
        variant["ModelDataDownloadTimeoutInSeconds"] = model_data_download_timeout
    if container_startup_health_check_timeout is not None:
        variant["ContainerStartupHealthCheckTimeoutInSeconds"] = (
            container_startup_health_check_timeout
        )
    return variant


def _with_tags(request: dict[str, Any], tags: Any) -> dict[str, Any]:
    if tags:
        request["Tags"] = list(tags)
    return request


class Session:
    """The studio, as ``sagemaker.Session`` stands for SageMaker (see the module docstring).
    ``tracking``: ``None`` (the default client), a :class:`TrackingClient` or a tracking URI."""

    def __init__(self, tracking: TrackingClient | str | None = None) -> None:
        self.tracking_client = resolve_client(tracking)

    def __repr__(self) -> str:
        return f"Session({self.tracking_client!r})"

    @property
    def hosting(self) -> HostingClient:
        """The hosting client behind this session (requests in SageMaker's API shapes)."""
        return hosting_client(self.tracking_client)

    # -- models ----------------------------------------------------------------------------
    def create_model(
        self,
        name: str,
        role: str | None = None,
        container_defs: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
        vpc_config: Any = None,
        enable_network_isolation: bool | None = None,
        primary_container: Mapping[str, Any] | None = None,
        tags: Any = None,
    ) -> str:
        """Create the model ``name`` from a container definition (``Image``,
        ``ModelDataUrl``, ``Environment``); return its name."""
        container = primary_container if primary_container is not None else container_defs
        if isinstance(container, Sequence) and not isinstance(container, Mapping):
            if len(container) != 1:
                raise ValidationError(
                    f"one container per model is supported (got {len(container)})",
                    field="container_defs",
                )
            container = container[0]
        if container is None:
            raise ValidationError("give the model's container definition", field="container_defs")
        request = _with_tags({"ModelName": name, "PrimaryContainer": dict(container)}, tags)
        self.hosting.create_model(request)
        return name

    def delete_model(self, model_name: str) -> None:
        self.hosting.delete_model(model_name)

    # -- endpoint configurations -------------------------------------------------------------
    def create_endpoint_config(
        self,
        name: str,
        model_name: str,
        initial_instance_count: int,
        instance_type: str,
        accelerator_type: str | None = None,
        tags: Any = None,
        kms_key: str | None = None,
        data_capture_config_dict: Mapping[str, Any] | None = None,
        volume_size: int | None = None,
        model_data_download_timeout: int | None = None,
        container_startup_health_check_timeout: int | None = None,
        explainer_config_dict: Any = None,
    ) -> str:
        """An endpoint configuration with one variant ``AllTraffic`` of ``model_name``;
        returns ``name``."""
        variant = production_variant(
            model_name,
            instance_type,
            initial_instance_count,
            accelerator_type=accelerator_type,
            volume_size=volume_size,
            model_data_download_timeout=model_data_download_timeout,
            container_startup_health_check_timeout=container_startup_health_check_timeout,
        )
        return self._create_config(name, [variant], tags, kms_key, data_capture_config_dict)

    def create_endpoint_config_from_existing(
        self,
        existing_config_name: str,
        new_config_name: str,
        new_tags: Any = None,
        new_kms_key: str | None = None,
        new_data_capture_config_dict: Mapping[str, Any] | None = None,
        new_production_variants: Sequence[Mapping[str, Any]] | None = None,
        new_explainer_config_dict: Any = None,
    ) -> str:
        """A copy of an endpoint configuration with what is given replaced: its variants
        (``new_production_variants``, as :func:`production_variant` makes them) and/or its
        data capture; returns ``new_config_name``."""
        existing = self.hosting.describe_endpoint_config(existing_config_name)
        variants = new_production_variants
        if variants is None:
            variants = [
                {
                    "VariantName": v.variant_name,
                    "ModelName": v.model_name,
                    "InitialInstanceCount": v.initial_instance_count,
                    "InstanceType": v.instance_type,
                    "InitialVariantWeight": v.initial_variant_weight,
                }
                for v in existing.production_variants
            ]
        capture = new_data_capture_config_dict or existing.data_capture_config
        return self._create_config(new_config_name, variants, new_tags, new_kms_key, capture)

    def _create_config(
        self,
        name: str,
        production_variants: Sequence[Mapping[str, Any]],
        tags: Any = None,
        kms_key: str | None = None,
        data_capture_config_dict: Mapping[str, Any] | None = None,
    ) -> str:
        request: dict[str, Any] = {
            "EndpointConfigName": name,
            "ProductionVariants": [dict(v) for v in production_variants],
        }
        if data_capture_config_dict:
            request["DataCaptureConfig"] = dict(data_capture_config_dict)
        if kms_key:
            request["KmsKeyId"] = kms_key
        self.hosting.create_endpoint_config(_with_tags(request, tags))
        return name

    def delete_endpoint_config(self, endpoint_config_name: str) -> None:
        self.hosting.delete_endpoint_config(endpoint_config_name)

    # -- endpoints ---------------------------------------------------------------------------
    def create_endpoint(
        self,
        endpoint_name: str,
        config_name: str,
        tags: Any = None,
        wait: bool = True,
        live_logging: bool = False,
    ) -> str:
        """Create the endpoint on an existing configuration; with ``wait``, print ``-``
        until it is InService (``StudioError`` with the FailureReason if it failed)."""
        request = {"EndpointName": endpoint_name, "EndpointConfigName": config_name}
        self.hosting.create_endpoint(_with_tags(request, tags))
        if wait:
            self.wait_for_endpoint(endpoint_name)
        return endpoint_name

    def endpoint_from_production_variants(
        self,
        name: str,
        production_variants: Sequence[Mapping[str, Any]],
        tags: Any = None,
        kms_key: str | None = None,
        wait: bool = True,
        data_capture_config_dict: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> str:
        """An endpoint configuration and an endpoint, both named ``name``, serving the
        ``production_variants``; returns ``name``."""
        self._create_config(name, production_variants, tags, kms_key, data_capture_config_dict)
        return self.create_endpoint(name, name, tags=tags, wait=wait)

    def update_endpoint(
        self, endpoint_name: str, endpoint_config_name: str, wait: bool = True
    ) -> str:
        """Move the endpoint to another configuration (blue/green: the old instances
        answer until the new ones do); with ``wait``, until it is InService again
        (``StudioError`` with the reason when the update failed)."""
        self.hosting.update_endpoint(endpoint_name, endpoint_config_name)
        if wait:
            described = self.wait_for_endpoint(endpoint_name)
            if described.get("EndpointConfigName") != endpoint_config_name:
                reason = described.get("FailureReason") or "no reason given"
                raise StudioError(f"Error updating endpoint {endpoint_name}: {reason}")
        return endpoint_name

    def wait_for_endpoint(
        self, endpoint: str, poll: float = 30, live_logging: bool = False
    ) -> dict[str, Any]:
        """Wait while the endpoint is Creating or Updating; return its description.
        ``poll`` is accepted for compatibility (the studio is polled every half second)."""
        return wait_for_endpoint(self.hosting, endpoint)

    def describe_endpoint(self, endpoint_name: str) -> dict[str, Any]:
        return self.hosting.describe_endpoint(endpoint_name)

    def delete_endpoint(self, endpoint_name: str) -> None:
        self.hosting.delete_endpoint(endpoint_name)
