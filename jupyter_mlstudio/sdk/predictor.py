"""``Predictor`` with the names and signatures of ``sagemaker.predictor.Predictor`` (SDK v2).

``Predictor(endpoint_name).predict(data)`` serializes ``data`` (``serializer``), invokes the
endpoint through the studio (:mod:`.hosting_client`) and deserializes the answer
(``deserializer``). The defaults are SageMaker's: bytes in, bytes out. Studio extras:
``figures()``, ``captures()``, ``logs()``, ``describe()``, ``last_invoked_variant`` and
``update_endpoint_weights_and_capacities()``.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any

from ..exceptions import StudioError, ValidationError
from .deserializers import BaseDeserializer, BytesDeserializer
from .hosting_client import HostingClient, hosting_client
from .naming import name_from_base
from .serializers import BaseSerializer, IdentitySerializer

POLL_S = 0.5
#: seconds between two progress dashes while an endpoint is Creating or Updating
PROGRESS_S = 2.0
_BUSY = ("Creating", "Updating", "SystemUpdating")


def wait_for_endpoint(
    client: HostingClient,
    endpoint_name: str,
    *,
    progress: bool = True,
    timeout: float | None = None,
) -> dict[str, Any]:
    """Wait while an endpoint is Creating or Updating.

    Args:
        client: The hosting client of the endpoint's studio.
        endpoint_name: The endpoint.
        progress: Print ``-`` every two seconds meanwhile (SageMaker's progress dashes),
            then ``!`` (InService) or ``*``.
        timeout: Give up after this many seconds (None: wait for the end).

    Returns:
        The endpoint's last description (DescribeEndpoint in the API's form).

    Raises:
        StudioError: The endpoint ended other than InService (with its FailureReason),
            or ``timeout`` passed first.
        NotFoundError: The endpoint does not exist (or was deleted meanwhile).
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    next_dash = 0.0
    while True:
        described = client.describe_endpoint(endpoint_name)
        status = described["EndpointStatus"]
        if status not in _BUSY:
            break
        if progress and time.monotonic() >= next_dash:
            _progress("-")
            next_dash = time.monotonic() + PROGRESS_S
        if deadline is not None and time.monotonic() > deadline:
            raise StudioError(f"endpoint {endpoint_name} still {status} after {timeout} s")
        time.sleep(POLL_S)
    if progress:
        _progress("!\n" if status == "InService" else "*\n")
    if status != "InService":
        reason = described.get("FailureReason") or "no reason given"
        raise StudioError(f"Error hosting endpoint {endpoint_name}: {status}. Reason: {reason}")
    return described


def _progress(mark: str) -> None:
    sys.stdout.write(mark)
    sys.stdout.flush()


def _body(serialized: Any) -> bytes:
    """What a serializer gave, as the request's bytes."""
    if hasattr(serialized, "read"):
        serialized = serialized.read()
    if isinstance(serialized, str):
        return serialized.encode("utf-8")
    if isinstance(serialized, bytes | bytearray | memoryview):
        return bytes(serialized)
    raise ValidationError(
        f"the request body must be bytes or a string, not {type(serialized).__name__}: give "
        "the predictor a serializer for this data (CSVSerializer(), JSONSerializer(), ...)",
        field="data",
    )


class Predictor:
    """Makes predictions with an endpoint of the studio, and manages that endpoint.

    Args:
        endpoint_name: The endpoint.
        sagemaker_session: None (the default client), a :class:`~.session.Session`, a
            :class:`~.client.TrackingClient` or a tracking URI.
        serializer: Turns ``predict``'s data into the request body; default
            :class:`~.serializers.IdentitySerializer` (bytes as they are).
        deserializer: Turns the answer into data; default
            :class:`~.deserializers.BytesDeserializer`.
        component_name: Refused when given (no inference components).
        kwargs: Other SageMaker arguments, accepted and not used.

    Raises:
        ValidationError: ``component_name`` given.
    """

    def __init__(
        self,
        endpoint_name: str,
        sagemaker_session: Any = None,
        serializer: BaseSerializer | None = None,
        deserializer: BaseDeserializer | None = None,
        component_name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if component_name is not None:
            raise ValidationError("inference components are not supported", field="component_name")
        self.endpoint_name = endpoint_name
        self.sagemaker_session = sagemaker_session
        self.serializer: BaseSerializer = serializer or IdentitySerializer()
        self.deserializer: BaseDeserializer = deserializer or BytesDeserializer()
        self.component_name = None
        #: the variant that answered this predictor's last ``predict``
        self.last_invoked_variant: str | None = None
        self._model_names: list[str] | None = None

    def _client(self) -> HostingClient:
        return hosting_client(self.sagemaker_session)

    @property
    def endpoint(self) -> str:
        """The endpoint's name (SageMaker's older alias of :attr:`endpoint_name`, which
        Model Monitor notebooks pass as ``endpoint_input``)."""
        return self.endpoint_name

    @property
    def content_type(self) -> str:
        """The media type of the requests (the serializer's)."""
        return self.serializer.CONTENT_TYPE

    @property
    def accept(self) -> tuple[str, ...]:
        """The media types asked for (the deserializer's)."""
        accept = self.deserializer.ACCEPT
        return (accept,) if isinstance(accept, str) else tuple(accept)

    # -- inference -----------------------------------------------------------------------------
    def predict(
        self,
        data: Any,
        initial_args: Mapping[str, str] | None = None,
        target_model: str | None = None,
        target_variant: str | None = None,
        inference_id: str | None = None,
        custom_attributes: str | None = None,
        component_name: str | None = None,
        target_container_hostname: str | None = None,
    ) -> Any:
        """Invoke the endpoint with ``data``.

        Args:
            data: What the serializer takes (bytes for the default one).
            initial_args: InvokeEndpoint's ``ContentType``, ``Accept``, ``TargetVariant``,
                ``TargetModel``, ``CustomAttributes`` and ``InferenceId`` (over the
                serializer's and deserializer's media types).
            target_model: The model of a multi-model endpoint: its archive's path under
                the model data prefix (``"model-1.tar.gz"``); loaded on first use.
            target_variant: The variant that answers; default one picked by weight.
            inference_id: Recorded with the captured data.
            custom_attributes: Passed to the model as ``X-Amzn-SageMaker-Custom-Attributes``.
            component_name: Refused when given (no inference components).
            target_container_hostname: Refused when given (one container per model).

        Returns:
            The answer, deserialized; ``last_invoked_variant`` names who answered.

        Raises:
            ModelError: The model answered 4xx/5xx (``original_status`` and its message).
            ValidationError: An unknown ``target_variant``, a ``target_model`` missing on
                a multi-model endpoint, not under its prefix or given to a single-model
                one, a refused argument, or a body the serializer did not make bytes or a
                string.
            ConflictError: The endpoint is not InService.
            LimitExceededError: The body is over 6 MB.
            ModelTimeoutError: The model took more than 60 seconds.
            NoHealthyInstanceError: No instance of the variant answers.
        """
        unsupported = {
            "component_name": component_name,
            "target_container_hostname": target_container_hostname,
        }
        for argument, value in unsupported.items():
            if value is not None:
                raise ValidationError(
                    f"{argument} is not supported: studio endpoints have no inference"
                    " components and one container per model",
                    field=argument,
                )
        args = dict(initial_args or {})
        accept = args.get("Accept") or ", ".join(self.accept)
        body = _body(self.serializer.serialize(data))
        answer = self._client().invoke_endpoint(
            self.endpoint_name,
            body,
            content_type=args.get("ContentType") or self.content_type,
            accept=accept,
            target_variant=target_variant or args.get("TargetVariant"),
            custom_attributes=custom_attributes or args.get("CustomAttributes"),
            inference_id=inference_id or args.get("InferenceId"),
            target_model=target_model or args.get("TargetModel"),
        )
        self.last_invoked_variant = answer.invoked_variant
        return self.deserializer.deserialize(io.BytesIO(answer.body), answer.content_type)

    # -- the endpoint -------------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        """The endpoint's description (DescribeEndpoint).

        Returns:
            In the API's form: ``EndpointStatus``, ``FailureReason``, the live
            ``ProductionVariants`` with their instances, ``DataCaptureConfig``.
        """
        return self._client().describe_endpoint(self.endpoint_name)

    def _get_endpoint_config_name(self) -> str:
        name: str = self.describe()["EndpointConfigName"]
        return name

    def _get_model_names(self) -> list[str]:
        if self._model_names is None:
            config = self._client().describe_endpoint_config(self._get_endpoint_config_name())
            self._model_names = [v.model_name for v in config.production_variants]
        return list(self._model_names)

    def update_endpoint(
        self,
        initial_instance_count: int | None = None,
        instance_type: str | None = None,
        accelerator_type: str | None = None,
        model_name: str | None = None,
        tags: Any = None,
        kms_key: str | None = None,
        data_capture_config_dict: Mapping[str, Any] | None = None,
        max_instance_count: int | None = None,
        min_instance_count: int | None = None,
        wait: bool = True,
    ) -> None:
        """Move the endpoint to a new endpoint configuration (blue/green).

        The new configuration (``<current name>-<UTC time>``) is a copy of the current one
        with what is given changed. The old instances answer until the new ones do.

        Args:
            initial_instance_count: With ``instance_type``: a single variant
                ``AllTraffic`` on this many instances.
            instance_type: ``local`` or an ``ml.*`` name.
            accelerator_type: Accepted for SageMaker compatibility and not used (given, it
                asks for a new variant, like ``instance_type``).
            model_name: The new variant's model; default the current one (when there is
                only one).
            tags: ``[{"Key": ..., "Value": ...}]`` of the new configuration.
            kms_key: Recorded in the new configuration; not used.
            data_capture_config_dict: The new ``DataCaptureConfig``; default the current.
            max_instance_count: Accepted for SageMaker compatibility and not used.
            min_instance_count: Accepted for SageMaker compatibility and not used.
            wait: Block until the endpoint is InService again.

        Raises:
            ValidationError: Only one of ``initial_instance_count`` and ``instance_type``,
                or no ``model_name`` when the endpoint serves several models.
            StudioError: With ``wait``, the update failed (with the reason); the endpoint
                keeps its old configuration.
        """
        client = self._client()
        current = client.describe_endpoint_config(self._get_endpoint_config_name())
        variants: list[dict[str, Any]] = [
            {
                "VariantName": v.variant_name,
                "ModelName": v.model_name,
                "InitialInstanceCount": v.initial_instance_count,
                "InstanceType": v.instance_type,
                "InitialVariantWeight": v.initial_variant_weight,
            }
            for v in current.production_variants
        ]
        if initial_instance_count or instance_type or accelerator_type or model_name:
            if initial_instance_count is None or instance_type is None:
                raise ValidationError(
                    "give both initial_instance_count and instance_type to change the variant"
                    f" (got initial_instance_count={initial_instance_count}, "
                    f"instance_type={instance_type}, model_name={model_name})",
                    field="instance_type" if instance_type is None else "initial_instance_count",
                )
            if model_name is None:
                models = sorted({v["ModelName"] for v in variants})
                if len(models) > 1:
                    raise ValidationError(
                        "the endpoint has several models; name the one to keep: "
                        + ", ".join(models),
                        field="model_name",
                    )
                model_name = models[0]
            variants = [
                {
                    "VariantName": "AllTraffic",
                    "ModelName": model_name,
                    "InitialInstanceCount": initial_instance_count,
                    "InstanceType": instance_type,
                    "InitialVariantWeight": 1.0,
                }
            ]
        new_name = name_from_base(current.endpoint_config_name)
        request: dict[str, Any] = {"EndpointConfigName": new_name, "ProductionVariants": variants}
        capture = data_capture_config_dict or current.data_capture_config
        if capture:
            request["DataCaptureConfig"] = dict(capture)
        if tags:
            request["Tags"] = tags
        if kms_key:
            request["KmsKeyId"] = kms_key
        client.create_endpoint_config(request)
        client.update_endpoint(self.endpoint_name, new_name)
        self._model_names = None
        if wait:
            described = wait_for_endpoint(client, self.endpoint_name)
            if described["EndpointConfigName"] != new_name:
                reason = described.get("FailureReason") or "no reason given"
                raise StudioError(f"Error updating endpoint {self.endpoint_name}: {reason}")

    def update_endpoint_weights_and_capacities(
        self,
        desired_weights_and_capacities: Sequence[Mapping[str, Any]] | Mapping[str, float],
        wait: bool = True,
    ) -> dict[str, Any]:
        """Change variant weights and/or instance counts in place (a studio extra).

        Args:
            desired_weights_and_capacities: SageMaker's list, ``[{"VariantName": "A",
                "DesiredWeight": 3, "DesiredInstanceCount": 2}]``, or ``{"A": 3.0, "B":
                1.0}`` for weights only.
            wait: Block until the change is done.

        Returns:
            The endpoint's description (after the change with ``wait``).

        Raises:
            ValidationError: An unknown variant or a bad value, naming it.
            StudioError: With ``wait``, the change failed (with the reason).
        """
        if isinstance(desired_weights_and_capacities, Mapping):
            desired = [
                {"VariantName": variant, "DesiredWeight": float(weight)}
                for variant, weight in desired_weights_and_capacities.items()
            ]
        else:
            desired = [dict(d) for d in desired_weights_and_capacities]
        client = self._client()
        client.update_endpoint_weights_and_capacities(self.endpoint_name, desired)
        if wait:
            described = wait_for_endpoint(client, self.endpoint_name, progress=False)
            if described.get("FailureReason"):
                raise StudioError(
                    f"Error updating endpoint {self.endpoint_name}: {described['FailureReason']}"
                )
            return described
        return self.describe()

    def delete_endpoint(self, delete_endpoint_config: bool = True) -> None:
        """Delete the endpoint; its instances stop.

        The models stay; :meth:`delete_model` (called after this) deletes them.

        Args:
            delete_endpoint_config: Delete the endpoint's current configuration too.

        Raises:
            NotFoundError: The endpoint does not exist.
        """
        client = self._client()
        config_name = self._get_endpoint_config_name()
        self._get_model_names()  # remembered for a delete_model() afterwards
        client.delete_endpoint(self.endpoint_name)
        if delete_endpoint_config:
            client.delete_endpoint_config(config_name)

    def delete_predictor(self) -> None:
        """SageMaker's older name of :meth:`delete_endpoint` (configuration included)."""
        self.delete_endpoint()

    def delete_model(self) -> None:
        """Delete the models of the endpoint's variants (known also after ``delete_endpoint``).

        Raises:
            StudioError: Some models could not be deleted (each named, with the reason);
                the others are deleted.
        """
        failed = []
        client = self._client()
        for model_name in self._get_model_names():
            try:
                client.delete_model(model_name)
            except StudioError as exc:
                failed.append(f"{model_name} ({exc.message})")
        if failed:
            raise StudioError("One or more models cannot be deleted: " + ", ".join(failed))

    # -- studio extras ---------------------------------------------------------------------------
    def figures(self, minutes: float = 15) -> dict[str, Any]:
        """The endpoint's figures (a studio extra).

        Args:
            minutes: How far back to look.

        Returns:
            Per variant: invocations, 4xx/5xx errors, model and overhead latency
            percentiles (milliseconds), and their 10-second series.
        """
        return self._client().endpoint_figures(self.endpoint_name, minutes)

    def captures(self, variant_name: str | None = None, max_results: int = 50) -> list[Any]:
        """The newest records the endpoint captured (a studio extra).

        Args:
            variant_name: Only this variant's; default every variant's.
            max_results: At most this many.

        Returns:
            Records in SageMaker's capture format, newest first; empty when the endpoint
            does not capture.
        """
        found = self._client().endpoint_captures(self.endpoint_name, variant_name, max_results)
        return list(found["Records"])

    def logs(self, variant_name: str | None = None, host: str = "algo-1") -> str:
        """What an instance of the endpoint has logged so far (a studio extra).

        Args:
            variant_name: The variant; default the endpoint's first.
            host: The instance, ``algo-1`` to ``algo-N``.

        Returns:
            The log's text.
        """
        client = self._client()
        parts: list[str] = []
        offset = 0
        while True:
            chunk = client.endpoint_logs(self.endpoint_name, variant_name, host, offset)
            parts.append(chunk["Text"])
            if not chunk["Text"] or chunk["NextOffset"] == offset:
                return "".join(parts)
            offset = chunk["NextOffset"]

    def __repr__(self) -> str:
        return f"Predictor(endpoint_name={self.endpoint_name!r})"
