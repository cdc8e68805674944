"""The SDK's way to hosting: models, endpoint configurations, endpoints, invocations and
batch transform jobs, through the REST routes of docs/hosting.md.

Endpoints always run in the studio that owns the home (:mod:`.connection`), never in the
notebook's or script's own process: each has exactly one owner, which serves it, keeps
serving it after the script ends, and rebuilds it after a restart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..entities import Endpoint, EndpointConfig, Job, JobKind, Model
from ..services.jobs.requests import JobLogs
from .client import resolve_client
from .jobs_client import JobsClient
from .transport import StudioConnection, segment

TARGET_VARIANT = "X-Amzn-SageMaker-Target-Variant"
TARGET_MODEL = "X-Amzn-SageMaker-Target-Model"
CUSTOM_ATTRIBUTES = "X-Amzn-SageMaker-Custom-Attributes"
INFERENCE_ID = "X-Amzn-SageMaker-Inference-Id"
INVOKED_VARIANT = "X-Amzn-Invoked-Production-Variant"
#: seconds an invocation may take over HTTP: the studio's own timeout (60 s) and a margin
INVOKE_TIMEOUT = 75.0


@dataclass(frozen=True)
class InvocationResult:
    """An endpoint's answer: its body and content type, the variant that answered and the
    custom attributes the model set."""

    body: bytes
    content_type: str
    invoked_variant: str
    custom_attributes: str | None = None


class HostingClient:
    """Hosting resources of one studio. Thread-safe; returned entities are immutable.

    Every method raises the studio's errors (:mod:`jupyter_mlstudio.exceptions`):
    ``ValidationError`` naming the field, ``NotFoundError``, ``ConflictError`` (a name in
    use; an endpoint not InService or a config in use), ``StoreUnavailableError`` (the
    studio cannot be reached). ``invoke_endpoint`` adds ``ModelError`` (the model answered
    4xx/5xx: ``original_status`` and its message), ``LimitExceededError`` (body too large),
    ``NoHealthyInstanceError`` and ``ModelTimeoutError``.

    Args:
        connection: The studio that serves the endpoints.
    """

    def __init__(self, connection: StudioConnection) -> None:
        self.connection = connection
        #: transform jobs, as jobs of kind ``TransformJob`` (``TrainingJob.wait``, logs)
        self.transform_jobs = JobsClient(connection)

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.connection.json(method, path, **kwargs)

    # -- models, endpoint configurations ---------------------------------------------------
    def create_model(self, request: Mapping[str, Any]) -> Model:
        """CreateModel (``ModelName``, ``PrimaryContainer``, ``Tags``)."""
        return Model.model_validate(self._json("POST", "models", body=dict(request)))

    def describe_model(self, model_name: str) -> Model:
        """DescribeModel."""
        return Model.model_validate(self._json("GET", f"models/{segment(model_name)}"))

    def delete_model(self, model_name: str) -> None:
        """DeleteModel."""
        self.connection.send("DELETE", f"models/{segment(model_name)}")

    def create_endpoint_config(self, request: Mapping[str, Any]) -> EndpointConfig:
        """CreateEndpointConfig (``ProductionVariants``, ``DataCaptureConfig``)."""
        body = self._json("POST", "endpoint-configs", body=dict(request))
        return EndpointConfig.model_validate(body)

    def describe_endpoint_config(self, endpoint_config_name: str) -> EndpointConfig:
        """DescribeEndpointConfig."""
        path = f"endpoint-configs/{segment(endpoint_config_name)}"
        return EndpointConfig.model_validate(self._json("GET", path))

    def delete_endpoint_config(self, endpoint_config_name: str) -> None:
        """DeleteEndpointConfig (refused while an endpoint uses it)."""
        self.connection.send("DELETE", f"endpoint-configs/{segment(endpoint_config_name)}")

    # -- endpoints -----------------------------------------------------------------------------
    def create_endpoint(self, request: Mapping[str, Any]) -> Endpoint:
        """CreateEndpoint; the endpoint is Creating until its instances answer."""
        return Endpoint.model_validate(self._json("POST", "endpoints", body=dict(request)))

    def describe_endpoint(self, endpoint_name: str) -> dict[str, Any]:
        """DescribeEndpoint in the API's form: status, FailureReason, the live
        ``ProductionVariants`` with their instances, ``DataCaptureConfig``."""
        described: dict[str, Any] = self._json("GET", f"endpoints/{segment(endpoint_name)}")
        return described

    def update_endpoint(self, endpoint_name: str, endpoint_config_name: str) -> Endpoint:
        """UpdateEndpoint (blue/green); the endpoint is Updating until the swap."""
        body = {"EndpointConfigName": endpoint_config_name}
        path = f"endpoints/{segment(endpoint_name)}"
        return Endpoint.model_validate(self._json("PUT", path, body=body))

    def update_endpoint_weights_and_capacities(
        self, endpoint_name: str, desired_weights_and_capacities: Sequence[Mapping[str, Any]]
    ) -> Endpoint:
        """``[{VariantName, DesiredWeight?, DesiredInstanceCount?}]``."""
        body = {"DesiredWeightsAndCapacities": [dict(d) for d in desired_weights_and_capacities]}
        path = f"endpoints/{segment(endpoint_name)}/weights"
        return Endpoint.model_validate(self._json("POST", path, body=body))

    def delete_endpoint(self, endpoint_name: str) -> None:
        """DeleteEndpoint: stops its instances and releases everything it holds."""
        self.connection.send("DELETE", f"endpoints/{segment(endpoint_name)}")

    def invoke_endpoint(
        self,
        endpoint_name: str,
        body: bytes,
        *,
        content_type: str | None = None,
        accept: str | None = None,
        target_variant: str | None = None,
        custom_attributes: str | None = None,
        inference_id: str | None = None,
        target_model: str | None = None,
    ) -> InvocationResult:
        """InvokeEndpoint.

        Args:
            endpoint_name: The endpoint.
            body: The request body, as the model expects it.
            content_type: Its content type (default ``application/octet-stream``).
            accept: The answer's wanted content type.
            target_variant: A variant to send the request to, past the weights.
            custom_attributes: Passed to the model as SageMaker does.
            inference_id: Recorded with the captured request.
            target_model: The model of a multi-model endpoint (its archive's path under
                the endpoint's model data prefix).

        Returns:
            The model's answer, and the variant that gave it.
        """
        headers = {"Content-Type": content_type or "application/octet-stream"}
        optional = {
            "Accept": accept,
            TARGET_VARIANT: target_variant,
            TARGET_MODEL: target_model,
            CUSTOM_ATTRIBUTES: custom_attributes,
            INFERENCE_ID: inference_id,
        }
        headers.update({k: v for k, v in optional.items() if v})
        answer = self.connection.send(
            "POST",
            f"endpoints/{segment(endpoint_name)}/invocations",
            data=body,
            headers=headers,
            timeout=INVOKE_TIMEOUT,
        )
        return InvocationResult(
            body=answer.body,
            content_type=answer.headers.get("Content-Type", "application/octet-stream"),
            invoked_variant=answer.headers.get(INVOKED_VARIANT, ""),
            custom_attributes=answer.headers.get(CUSTOM_ATTRIBUTES),
        )

    def endpoint_models(self, endpoint_name: str) -> dict[str, Any]:
        """The models each variant serves; for a multi-model endpoint, per instance the
        models loaded now and the figures of every model served.

        Args:
            endpoint_name: The endpoint.

        Returns:
            ``EndpointName`` and ``Variants`` (docs/hosting.md, "Multi-model endpoints").
        """
        return dict(self._json("GET", f"endpoints/{segment(endpoint_name)}/models"))

    def endpoint_figures(self, endpoint_name: str, minutes: float = 15) -> dict[str, Any]:
        """Per-variant invocations, errors and latency percentiles (``{EndpointName,
        Variants}``)."""
        path = f"endpoints/{segment(endpoint_name)}/metrics"
        figures: dict[str, Any] = self._json("GET", path, query={"Minutes": minutes})
        return figures

    def endpoint_captures(
        self, endpoint_name: str, variant_name: str | None = None, max_results: int = 50
    ) -> dict[str, Any]:
        """The newest captured records (``{Records, Files, CaptureStatus}``)."""
        path = f"endpoints/{segment(endpoint_name)}/captures"
        query = {"VariantName": variant_name, "MaxResults": max_results}
        captures: dict[str, Any] = self._json("GET", path, query=query)
        return captures

    def endpoint_logs(
        self,
        endpoint_name: str,
        variant_name: str | None = None,
        host: str = "algo-1",
        offset: int = 0,
    ) -> dict[str, Any]:
        """An instance's log from ``offset`` (``{Text, NextOffset, Complete}``)."""
        path = f"endpoints/{segment(endpoint_name)}/logs"
        query = {"VariantName": variant_name, "Host": host, "Offset": offset}
        logs: dict[str, Any] = self._json("GET", path, query=query)
        return logs

    # -- batch transform -----------------------------------------------------------------------
    def create_transform_job(self, request: Mapping[str, Any]) -> Job:
        """CreateTransformJob; the job is a job of kind ``TransformJob``."""
        return self.transform_jobs.create_job(JobKind.TRANSFORM, dict(request))

    def describe_transform_job(self, job_name: str) -> Job:
        """DescribeTransformJob."""
        return self.transform_jobs.describe_job(JobKind.TRANSFORM, job_name)

    def stop_transform_job(self, job_name: str) -> Job:
        """StopTransformJob."""
        return self.transform_jobs.stop_job(JobKind.TRANSFORM, job_name)

    def transform_job_logs(self, job_name: str, host: str = "algo-1", offset: int = 0) -> JobLogs:
        """A chunk of the job's log, as for training jobs."""
        return self.transform_jobs.job_logs(JobKind.TRANSFORM, job_name, host, offset)


def hosting_client(session: Any = None) -> HostingClient:
    """The hosting client of a ``sagemaker_session``.

    Args:
        session: None (the default client), a Session, a TrackingClient or a URI.

    Returns:
        A client of the studio that owns the session's home (started in the background
        when none runs and the session writes straight into a SQL store).
    """
    return HostingClient(resolve_client(session).studio)
