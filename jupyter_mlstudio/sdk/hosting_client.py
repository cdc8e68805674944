"""The SDK's way to hosting: models, endpoint configurations, endpoints, invocations and
batch transform jobs, over HTTP (a running studio) or in this process.

``hosting_client(session)`` picks it from the tracking client's backend, as
:func:`.jobs_client.jobs_client` does: an HTTP backend calls the REST routes of
docs/hosting.md; a direct backend (SQLite/PostgreSQL URI) runs a
:class:`~jupyter_mlstudio.services.hosting.HostingService` in this process, whose model
servers are stopped when this process exits (a studio started later rebuilds the endpoints
that were in service), and a transform job still running then ends Failed.
"""

from __future__ import annotations

import abc
import atexit
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ..entities import Endpoint, EndpointConfig, Job, JobKind, Model
from ..exceptions import StoreUnavailableError
from ..services.job_requests import JobLogs
from .client import resolve_client
from .jobs_client import DirectJobsClient, JobsClient, jobs_client

TARGET_VARIANT = "X-Amzn-SageMaker-Target-Variant"
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


class HostingClient(abc.ABC):
    """Hosting resources of one studio. Thread-safe; returned entities are immutable.

    Every method raises the studio's errors (:mod:`jupyter_mlstudio.exceptions`):
    ``ValidationError`` naming the field, ``NotFoundError``, ``ConflictError`` (a name in
    use; an endpoint not InService or a config in use), ``StoreUnavailableError`` (the
    studio cannot be reached). ``invoke_endpoint`` adds ``ModelError`` (the model answered
    4xx/5xx: ``original_status`` and its message), ``LimitExceededError`` (body too large),
    ``NoHealthyInstanceError`` and ``ModelTimeoutError``.
    """

    # -- models, endpoint configurations ---------------------------------------------------
    @abc.abstractmethod
    def create_model(self, request: Mapping[str, Any]) -> Model:
        """CreateModel (``ModelName``, ``PrimaryContainer``, ``Tags``)."""

    @abc.abstractmethod
    def describe_model(self, model_name: str) -> Model: ...

    @abc.abstractmethod
    def delete_model(self, model_name: str) -> None: ...

    @abc.abstractmethod
    def create_endpoint_config(self, request: Mapping[str, Any]) -> EndpointConfig:
        """CreateEndpointConfig (``ProductionVariants``, ``DataCaptureConfig``)."""

    @abc.abstractmethod
    def describe_endpoint_config(self, endpoint_config_name: str) -> EndpointConfig: ...

    @abc.abstractmethod
    def delete_endpoint_config(self, endpoint_config_name: str) -> None: ...

    # -- endpoints -----------------------------------------------------------------------------
    @abc.abstractmethod
    def create_endpoint(self, request: Mapping[str, Any]) -> Endpoint:
        """CreateEndpoint; the endpoint is Creating until its instances answer."""

    @abc.abstractmethod
    def describe_endpoint(self, endpoint_name: str) -> dict[str, Any]:
        """DescribeEndpoint in the API's form: status, FailureReason, the live
        ``ProductionVariants`` with their instances, ``DataCaptureConfig``."""

    @abc.abstractmethod
    def update_endpoint(self, endpoint_name: str, endpoint_config_name: str) -> Endpoint:
        """UpdateEndpoint (blue/green); the endpoint is Updating until the swap."""

    @abc.abstractmethod
    def update_endpoint_weights_and_capacities(
        self, endpoint_name: str, desired_weights_and_capacities: Sequence[Mapping[str, Any]]
    ) -> Endpoint:
        """``[{VariantName, DesiredWeight?, DesiredInstanceCount?}]``."""

    @abc.abstractmethod
    def delete_endpoint(self, endpoint_name: str) -> None: ...

    @abc.abstractmethod
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
    ) -> InvocationResult: ...

    @abc.abstractmethod
    def endpoint_figures(self, endpoint_name: str, minutes: float = 15) -> dict[str, Any]:
        """Per-variant invocations, errors and latency percentiles (``{EndpointName,
        Variants}``)."""

    @abc.abstractmethod
    def endpoint_captures(
        self, endpoint_name: str, variant_name: str | None = None, max_results: int = 50
    ) -> dict[str, Any]:
        """The newest captured records (``{Records, Files, CaptureStatus}``)."""

    @abc.abstractmethod
    def endpoint_logs(
        self,
        endpoint_name: str,
        variant_name: str | None = None,
        host: str = "algo-1",
        offset: int = 0,
    ) -> dict[str, Any]:
        """An instance's log from ``offset`` (``{Text, NextOffset, Complete}``)."""

    # -- batch transform -----------------------------------------------------------------------
    @abc.abstractmethod
    def create_transform_job(self, request: Mapping[str, Any]) -> Job:
        """CreateTransformJob; the job is a job of kind ``TransformJob``."""

    @abc.abstractmethod
    def describe_transform_job(self, job_name: str) -> Job: ...

    @abc.abstractmethod
    def stop_transform_job(self, job_name: str) -> Job: ...

    @abc.abstractmethod
    def transform_job_logs(self, job_name: str, host: str = "algo-1", offset: int = 0) -> JobLogs:
        """A chunk of the job's log, as for training jobs."""

    @property
    def transform_jobs(self) -> JobsClient:
        """Transform jobs behind the jobs interface (``TrainingJob.wait`` and logs)."""
        return _TransformJobs(self)


def _segment(name: str) -> str:
    return quote(name, safe="")


class HttpHostingClient(HostingClient):
    """The REST routes under ``/mlstudio/api`` (docs/hosting.md), through the tracking
    client's HTTP backend (its address and token)."""

    def __init__(self, backend: Any) -> None:
        self._backend = backend

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._backend._json(method, path, **kwargs)

    # -- models, endpoint configurations ---------------------------------------------------
    def create_model(self, request: Mapping[str, Any]) -> Model:
        return Model.model_validate(self._json("POST", "models", body=dict(request)))

    def describe_model(self, model_name: str) -> Model:
        return Model.model_validate(self._json("GET", f"models/{_segment(model_name)}"))

    def delete_model(self, model_name: str) -> None:
        self._backend._call("DELETE", f"models/{_segment(model_name)}")

    def create_endpoint_config(self, request: Mapping[str, Any]) -> EndpointConfig:
        body = self._json("POST", "endpoint-configs", body=dict(request))
        return EndpointConfig.model_validate(body)

    def describe_endpoint_config(self, endpoint_config_name: str) -> EndpointConfig:
        path = f"endpoint-configs/{_segment(endpoint_config_name)}"
        return EndpointConfig.model_validate(self._json("GET", path))

    def delete_endpoint_config(self, endpoint_config_name: str) -> None:
        self._backend._call("DELETE", f"endpoint-configs/{_segment(endpoint_config_name)}")

    # -- endpoints -----------------------------------------------------------------------------
    def create_endpoint(self, request: Mapping[str, Any]) -> Endpoint:
        return Endpoint.model_validate(self._json("POST", "endpoints", body=dict(request)))

    def describe_endpoint(self, endpoint_name: str) -> dict[str, Any]:
        described: dict[str, Any] = self._json("GET", f"endpoints/{_segment(endpoint_name)}")
        return described

    def update_endpoint(self, endpoint_name: str, endpoint_config_name: str) -> Endpoint:
        body = {"EndpointConfigName": endpoint_config_name}
        path = f"endpoints/{_segment(endpoint_name)}"
        return Endpoint.model_validate(self._json("PUT", path, body=body))

    def update_endpoint_weights_and_capacities(
        self, endpoint_name: str, desired_weights_and_capacities: Sequence[Mapping[str, Any]]
    ) -> Endpoint:
        body = {"DesiredWeightsAndCapacities": [dict(d) for d in desired_weights_and_capacities]}
        path = f"endpoints/{_segment(endpoint_name)}/weights"
        return Endpoint.model_validate(self._json("POST", path, body=body))

    def delete_endpoint(self, endpoint_name: str) -> None:
        self._backend._call("DELETE", f"endpoints/{_segment(endpoint_name)}")

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
    ) -> InvocationResult:
        from .http import _error_of

        headers = dict(self._backend._headers)
        headers["Content-Type"] = content_type or "application/octet-stream"
        optional = {
            "Accept": accept,
            TARGET_VARIANT: target_variant,
            CUSTOM_ATTRIBUTES: custom_attributes,
            INFERENCE_ID: inference_id,
        }
        headers.update({k: v for k, v in optional.items() if v})
        url = f"{self._backend._api}/endpoints/{_segment(endpoint_name)}/invocations"
        request = urllib.request.Request(url, data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=INVOKE_TIMEOUT) as response:
                answer: bytes = response.read()
                return InvocationResult(
                    body=answer,
                    content_type=response.headers.get("Content-Type", "application/octet-stream"),
                    invoked_variant=response.headers.get(INVOKED_VARIANT, ""),
                    custom_attributes=response.headers.get(CUSTOM_ATTRIBUTES),
                )
        except urllib.error.HTTPError as exc:
            raise _error_of(exc) from None
        except (urllib.error.URLError, OSError) as exc:
            raise StoreUnavailableError(
                f"cannot reach the studio at {self._backend.uri}: {exc}"
            ) from None

    def endpoint_figures(self, endpoint_name: str, minutes: float = 15) -> dict[str, Any]:
        path = f"endpoints/{_segment(endpoint_name)}/metrics"
        figures: dict[str, Any] = self._json("GET", path, query={"Minutes": minutes})
        return figures

    def endpoint_captures(
        self, endpoint_name: str, variant_name: str | None = None, max_results: int = 50
    ) -> dict[str, Any]:
        path = f"endpoints/{_segment(endpoint_name)}/captures"
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
        path = f"endpoints/{_segment(endpoint_name)}/logs"
        query = {"VariantName": variant_name, "Host": host, "Offset": offset}
        logs: dict[str, Any] = self._json("GET", path, query=query)
        return logs

    # -- batch transform -----------------------------------------------------------------------
    def create_transform_job(self, request: Mapping[str, Any]) -> Job:
        return Job.model_validate(self._json("POST", "transform-jobs", body=dict(request)))

    def describe_transform_job(self, job_name: str) -> Job:
        return Job.model_validate(self._json("GET", f"transform-jobs/{_segment(job_name)}"))

    def stop_transform_job(self, job_name: str) -> Job:
        path = f"transform-jobs/{_segment(job_name)}/stop"
        return Job.model_validate(self._json("POST", path, body={}))

    def transform_job_logs(self, job_name: str, host: str = "algo-1", offset: int = 0) -> JobLogs:
        path = f"transform-jobs/{_segment(job_name)}/logs"
        return JobLogs.model_validate(
            self._json("GET", path, query={"Host": host, "Offset": offset})
        )


class DirectHostingClient(HostingClient):
    """A :class:`HostingService` in this process, on the stores of a direct backend and the
    runtimes of its in-process job service."""

    def __init__(self, backend: Any, jobs: DirectJobsClient) -> None:
        from ..config import resolve_config
        from ..services.hosting import HostingService
        from ..services.transform import TransformService

        self._jobs = jobs.service
        artifacts = backend._artifacts
        config = resolve_config(database_url=backend.uri, artifact_root=artifacts.root_uri)
        self.service = HostingService(
            backend._store,
            artifacts,
            config,
            runner=self._jobs.runner,
            runtime_name=self._jobs.runtime_name,
        )
        self.transform = TransformService(
            backend._store,
            artifacts,
            config,
            runner=self._jobs.runner,
            runtime_name=self._jobs.runtime_name,
            jobs=self._jobs,
        )
        atexit.register(self.close)

    def close(self) -> None:
        """Stop this process's transform jobs (marked Failed) and model servers."""
        try:
            self.transform.close()
        finally:
            self.service.close()

    def create_model(self, request: Mapping[str, Any]) -> Model:
        return self.service.create_model(request)

    def describe_model(self, model_name: str) -> Model:
        return self.service.get_model(model_name)

    def delete_model(self, model_name: str) -> None:
        self.service.delete_model(model_name)

    def create_endpoint_config(self, request: Mapping[str, Any]) -> EndpointConfig:
        return self.service.create_endpoint_config(request)

    def describe_endpoint_config(self, endpoint_config_name: str) -> EndpointConfig:
        return self.service.get_endpoint_config(endpoint_config_name)

    def delete_endpoint_config(self, endpoint_config_name: str) -> None:
        self.service.delete_endpoint_config(endpoint_config_name)

    def create_endpoint(self, request: Mapping[str, Any]) -> Endpoint:
        return self.service.create_endpoint(request)

    def describe_endpoint(self, endpoint_name: str) -> dict[str, Any]:
        # the same JSON form the REST route sends
        described: dict[str, Any] = json.loads(
            json.dumps(self.service.describe_endpoint(endpoint_name), default=str)
        )
        return described

    def update_endpoint(self, endpoint_name: str, endpoint_config_name: str) -> Endpoint:
        return self.service.update_endpoint(endpoint_name, endpoint_config_name)

    def update_endpoint_weights_and_capacities(
        self, endpoint_name: str, desired_weights_and_capacities: Sequence[Mapping[str, Any]]
    ) -> Endpoint:
        return self.service.update_endpoint_weights_and_capacities(
            endpoint_name,
            {"DesiredWeightsAndCapacities": [dict(d) for d in desired_weights_and_capacities]},
        )

    def delete_endpoint(self, endpoint_name: str) -> None:
        self.service.delete_endpoint(endpoint_name)

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
    ) -> InvocationResult:
        answer = self.service.invoke_sync(
            endpoint_name,
            body,
            content_type=content_type or "application/octet-stream",
            accept=accept,
            target_variant=target_variant,
            custom_attributes=custom_attributes,
            inference_id=inference_id,
        )
        return InvocationResult(
            body=answer.body,
            content_type=answer.content_type,
            invoked_variant=answer.variant,
            custom_attributes=answer.custom_attributes,
        )

    def endpoint_figures(self, endpoint_name: str, minutes: float = 15) -> dict[str, Any]:
        return self.service.figures(endpoint_name, minutes)

    def endpoint_captures(
        self, endpoint_name: str, variant_name: str | None = None, max_results: int = 50
    ) -> dict[str, Any]:
        return self.service.captures(endpoint_name, variant=variant_name, max_results=max_results)

    def endpoint_logs(
        self,
        endpoint_name: str,
        variant_name: str | None = None,
        host: str = "algo-1",
        offset: int = 0,
    ) -> dict[str, Any]:
        return self.service.read_logs(endpoint_name, variant=variant_name, host=host, offset=offset)

    def create_transform_job(self, request: Mapping[str, Any]) -> Job:
        return self.transform.create_transform_job(request)

    def describe_transform_job(self, job_name: str) -> Job:
        return self.transform.get_transform_job(job_name)

    def stop_transform_job(self, job_name: str) -> Job:
        return self.transform.stop_transform_job(job_name)

    def transform_job_logs(self, job_name: str, host: str = "algo-1", offset: int = 0) -> JobLogs:
        return self.transform.read_logs(job_name, host, offset)


class _TransformJobs(JobsClient):
    """Transform jobs of a hosting client as a :class:`JobsClient` (kind TransformJob)."""

    def __init__(self, hosting: HostingClient) -> None:
        self._hosting = hosting

    def create_job(self, kind: JobKind, request: dict[str, Any]) -> Job:
        return self._hosting.create_transform_job(request)

    def describe_job(self, kind: JobKind, job_name: str) -> Job:
        return self._hosting.describe_transform_job(job_name)

    def stop_job(self, kind: JobKind, job_name: str) -> Job:
        return self._hosting.stop_transform_job(job_name)

    def job_logs(
        self, kind: JobKind, job_name: str, host: str = "algo-1", offset: int = 0
    ) -> JobLogs:
        return self._hosting.transform_job_logs(job_name, host, offset)


_clients: dict[int, tuple[Any, HostingClient]] = {}
_lock = threading.Lock()


def hosting_client(session: Any = None) -> HostingClient:
    """The hosting client of a ``sagemaker_session`` (None, a TrackingClient or a URI)."""
    backend = resolve_client(session).backend
    with _lock:
        entry = _clients.get(id(backend))
        if entry is not None and entry[0] is backend:
            return entry[1]
    jobs = jobs_client(session)
    with _lock:
        entry = _clients.get(id(backend))
        if entry is not None and entry[0] is backend:
            return entry[1]
        client: HostingClient
        if isinstance(jobs, DirectJobsClient):
            client = DirectHostingClient(backend, jobs)
        else:
            client = HttpHostingClient(backend)
        _clients[id(backend)] = (backend, client)  # the backend kept alive with its client
        return client
