"""``Session`` and ``production_variant``: the SageMaker Python SDK's session-level hosting
calls (``sagemaker.Session`` / ``sagemaker.session.production_variant``), so code that builds
multi-variant endpoints the SageMaker way runs here unchanged.

A :class:`Session` wraps a tracking client (``None``: the default one, a
:class:`~.client.TrackingClient` or a tracking URI) and can be passed wherever a
``sagemaker_session`` is taken (``Estimator``, ``Model``, ``Predictor``, ``Transformer``,
``Run``). Its hosting methods send the CreateModel / CreateEndpointConfig / CreateEndpoint /
UpdateEndpoint requests of SageMaker's API through :func:`.hosting_client.hosting_client`
and return names, as SageMaker's do. Its tuning methods describe, stop and wait for
hyperparameter tuning jobs (DescribeHyperParameterTuningJob's answer, see docs/tuning.md).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any

from ..entities import JobKind
from ..exceptions import ConflictError, StudioError, ValidationError
from . import analytics
from .client import TrackingClient, resolve_client
from .hosting_client import HostingClient, hosting_client
from .jobs import POLL_S
from .jobs_client import jobs_client
from .predictor import wait_for_endpoint

logger = logging.getLogger(__name__)

#: the variant name SageMaker gives a single-variant endpoint
DEFAULT_VARIANT = "AllTraffic"
#: the mark ``wait_for_tuning_job`` prints for each status, as SageMaker's does
TUNING_STATUS_MARKS = {
    "InProgress": ".",
    "Stopping": "_",
    "Completed": "!",
    "Stopped": "s",
    "Failed": "*",
}


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
    """A ``ProductionVariants`` item of an endpoint configuration.

    Args:
        model_name: The variant's model.
        instance_type: ``local`` (the default) or an ``ml.*`` name.
        initial_instance_count: Instances of the variant; default 1.
        variant_name: The variant's name.
        initial_weight: Its share of the traffic, relative to the other variants'.
        accelerator_type: Refused when given (no accelerators).
        serverless_inference_config: Refused when given (no serverless inference).
        volume_size: The item's ``VolumeSizeInGB`` (1-512; recorded, instances use the
            machine's disk).
        model_data_download_timeout: The item's ``ModelDataDownloadTimeoutInSeconds``
            (60-3600; recorded, the model is read from local storage).
        container_startup_health_check_timeout: The item's
            ``ContainerStartupHealthCheckTimeoutInSeconds`` (60-3600): how long an
            instance may take to answer ``/ping`` (default 180).
        kwargs: Other SageMaker arguments, accepted and not used.

    Returns:
        The item, in the API's field names.

    Raises:
        ValidationError: ``accelerator_type`` or ``serverless_inference_config`` given.
    """
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

    Args:
        tracking: None (the default client: ``MLSTUDIO_TRACKING_URI`` or the studio's
            configuration), a :class:`~.client.TrackingClient` or a tracking URI.
    """

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
        """Create a model from a container definition.

        Args:
            name: The model's name.
            role: Accepted for SageMaker compatibility and not used (no IAM here).
            container_defs: The container (``Image``, ``ModelDataUrl``, ``Environment``),
                or a list of exactly one.
            vpc_config: Accepted for SageMaker compatibility and not used (no VPCs).
            enable_network_isolation: Accepted for SageMaker compatibility and not used.
            primary_container: The container, instead of ``container_defs``.
            tags: ``[{"Key": ..., "Value": ...}]``.

        Returns:
            ``name``.

        Raises:
            ValidationError: No container, several, or a bad one (naming the field).
            ConflictError: The name is taken.
        """
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
        """Delete a model; endpoints already serving it keep running.

        Args:
            model_name: The model.

        Raises:
            NotFoundError: No such model.
        """
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
        """Create an endpoint configuration with one variant ``AllTraffic``.

        Args:
            name: The configuration's name.
            model_name: The variant's model.
            initial_instance_count: Instances of the variant.
            instance_type: ``local`` or an ``ml.*`` name.
            accelerator_type: Refused when given (no accelerators).
            tags: ``[{"Key": ..., "Value": ...}]``.
            kms_key: Recorded in the configuration; not used.
            data_capture_config_dict: The ``DataCaptureConfig`` in the API's form.
            volume_size: As :func:`production_variant` takes it.
            model_data_download_timeout: As :func:`production_variant` takes it.
            container_startup_health_check_timeout: As :func:`production_variant` takes it.
            explainer_config_dict: Accepted for SageMaker compatibility and not used.

        Returns:
            ``name``.

        Raises:
            ValidationError: A bad argument, naming the field.
            ConflictError: The name is taken.
        """
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
        """Create a copy of an endpoint configuration with what is given replaced.

        Args:
            existing_config_name: The configuration to copy.
            new_config_name: The copy's name.
            new_tags: The copy's tags (``[{"Key": ..., "Value": ...}]``).
            new_kms_key: Recorded in the copy; not used.
            new_data_capture_config_dict: The copy's ``DataCaptureConfig``; default the
                existing one's.
            new_production_variants: The copy's variants, as :func:`production_variant`
                makes them; default the existing ones.
            new_explainer_config_dict: Accepted for SageMaker compatibility and not used.

        Returns:
            ``new_config_name``.

        Raises:
            NotFoundError: No configuration ``existing_config_name``.
            ConflictError: ``new_config_name`` is taken.
        """
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
        """Delete an endpoint configuration.

        Args:
            endpoint_config_name: The configuration.

        Raises:
            NotFoundError: No such configuration.
            ConflictError: An endpoint uses it.
        """
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
        """Create an endpoint on an existing configuration.

        Args:
            endpoint_name: The endpoint's name.
            config_name: Its endpoint configuration.
            tags: ``[{"Key": ..., "Value": ...}]``.
            wait: Print ``-`` until the endpoint is InService, then ``!``.
            live_logging: Accepted for SageMaker compatibility and not used
                (``Predictor.logs()`` reads an instance's log).

        Returns:
            ``endpoint_name``.

        Raises:
            NotFoundError: No configuration ``config_name``.
            ConflictError: The name is taken.
            StudioError: With ``wait``, the endpoint failed to start (with the reason).
        """
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
        """Create an endpoint configuration and an endpoint, both named ``name``.

        Args:
            name: The configuration's and endpoint's name.
            production_variants: The variants, as :func:`production_variant` makes them.
            tags: ``[{"Key": ..., "Value": ...}]`` of both.
            kms_key: Recorded in the configuration; not used.
            wait: Print ``-`` until the endpoint is InService, then ``!``.
            data_capture_config_dict: The ``DataCaptureConfig`` in the API's form.
            kwargs: Other SageMaker arguments, accepted and not used.

        Returns:
            ``name``.

        Raises:
            ValidationError: A bad variant, naming the field.
            ConflictError: The name is taken.
            StudioError: With ``wait``, the endpoint failed to start (with the reason).
        """
        self._create_config(name, production_variants, tags, kms_key, data_capture_config_dict)
        return self.create_endpoint(name, name, tags=tags, wait=wait)

    def update_endpoint(
        self, endpoint_name: str, endpoint_config_name: str, wait: bool = True
    ) -> str:
        """Move an endpoint to another configuration (blue/green).

        The old instances answer until the new ones do.

        Args:
            endpoint_name: The endpoint.
            endpoint_config_name: The configuration to move to.
            wait: Block until the endpoint is InService again.

        Returns:
            ``endpoint_name``.

        Raises:
            NotFoundError: No such endpoint or configuration.
            ConflictError: The endpoint is not InService.
            StudioError: With ``wait``, the update failed (with the reason); the endpoint
                keeps its old configuration.
        """
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
        """Wait while an endpoint is Creating or Updating, printing ``-`` meanwhile.

        Args:
            endpoint: The endpoint.
            poll: Accepted for SageMaker compatibility (the studio is polled every half
                second).
            live_logging: Accepted for SageMaker compatibility and not used.

        Returns:
            The endpoint's description (DescribeEndpoint in the API's form).

        Raises:
            StudioError: The endpoint ended other than InService (with its reason).
        """
        return wait_for_endpoint(self.hosting, endpoint)

    def describe_endpoint(self, endpoint_name: str) -> dict[str, Any]:
        """An endpoint's description.

        Args:
            endpoint_name: The endpoint.

        Returns:
            DescribeEndpoint in the API's form: ``EndpointStatus``, ``FailureReason``,
            the live ``ProductionVariants`` with their instances, ``DataCaptureConfig``.

        Raises:
            NotFoundError: No such endpoint.
        """
        return self.hosting.describe_endpoint(endpoint_name)

    def delete_endpoint(self, endpoint_name: str) -> None:
        """Delete an endpoint; its instances stop (its configuration and models stay).

        Args:
            endpoint_name: The endpoint.

        Raises:
            NotFoundError: No such endpoint.
        """
        self.hosting.delete_endpoint(endpoint_name)

    # -- hyperparameter tuning jobs ----------------------------------------------------------
    def describe_tuning_job(self, job_name: str) -> dict[str, Any]:
        """A tuning job, as DescribeHyperParameterTuningJob answers.

        Args:
            job_name: The tuning job.

        Returns:
            Its status, configuration, training job definition, counters, best training
            job and times (see :func:`~.analytics.describe_tuning_job`).

        Raises:
            NotFoundError: No such tuning job.
        """
        return analytics.describe_tuning_job(job_name, self)

    def stop_tuning_job(self, name: str) -> None:
        """Stop a tuning job and its running training jobs (it ends Stopped).

        A tuning job that has ended already is left as it is (logged), as on SageMaker.

        Args:
            name: The tuning job.

        Raises:
            NotFoundError: No such tuning job.
        """
        logger.info("Stopping tuning job: %s", name)
        try:
            jobs_client(self).stop_job(JobKind.TUNING, name)
        except ConflictError:
            logger.info("Tuning job: %s is already stopped or not running.", name)

    def wait_for_tuning_job(self, job: str, poll: float = 5) -> dict[str, Any]:
        """Wait while a tuning job is InProgress or Stopping, printing SageMaker's marks:
        one per ``poll`` seconds (``.`` InProgress, ``_`` Stopping), then ``!``
        (Completed), ``s`` (Stopped) or ``*`` (Failed) and a new line.

        Args:
            job: The tuning job.
            poll: Seconds between two marks. The studio is looked at every half second,
                so the end is seen as soon as it comes.

        Returns:
            Its description once ended (as :meth:`describe_tuning_job`).

        Raises:
            StudioError: It ended Failed (with its reason). Stopped is an end too.
            NotFoundError: No such tuning job.
        """
        next_mark = 0.0
        while True:
            described = self.describe_tuning_job(job)
            status = described["HyperParameterTuningJobStatus"]
            if status not in ("InProgress", "Stopping"):
                break
            if time.monotonic() >= next_mark:
                _mark(TUNING_STATUS_MARKS[status])
                next_mark = time.monotonic() + poll
            time.sleep(POLL_S)
        _mark(TUNING_STATUS_MARKS.get(status, "?") + "\n")
        if status not in ("Completed", "Stopped"):
            reason = described.get("FailureReason") or "(No reason provided)"
            raise StudioError(
                f"Error for HyperParameterTuning job {job}: {status}. Reason: {reason}"
            )
        return described


def _mark(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()
