"""The SDK's way to the job service: over HTTP (a running studio) or in this process.

``jobs_client(session)`` picks it from the tracking client's backend: an HTTP backend
calls the REST routes; a direct backend (SQLite/PostgreSQL URI) runs a
:class:`~jupyter_mlstudio.services.jobs.JobService` in this process — the job's supervisor
thread then lives here (a studio that starts later re-attaches the job if this process is
gone).
"""

from __future__ import annotations

import abc
import threading
from typing import Any
from urllib.parse import quote

from ..entities import Job, JobKind
from ..services.job_requests import JobLogs
from .client import resolve_client

_COLLECTION = {JobKind.TRAINING: "training-jobs", JobKind.PROCESSING: "processing-jobs"}


class JobsClient(abc.ABC):
    """Create, describe and stop jobs of a kind, and read their logs."""

    @abc.abstractmethod
    def create_job(self, kind: JobKind, request: dict[str, Any]) -> Job: ...

    @abc.abstractmethod
    def describe_job(self, kind: JobKind, job_name: str) -> Job: ...

    @abc.abstractmethod
    def stop_job(self, kind: JobKind, job_name: str) -> Job: ...

    @abc.abstractmethod
    def job_logs(
        self, kind: JobKind, job_name: str, host: str = "algo-1", offset: int = 0
    ) -> JobLogs: ...


class HttpJobsClient(JobsClient):
    def __init__(self, backend: Any) -> None:
        self._backend = backend

    @staticmethod
    def _path(kind: JobKind, job_name: str, *rest: str) -> str:
        return "/".join([_COLLECTION[kind], quote(job_name, safe=""), *rest])

    def create_job(self, kind: JobKind, request: dict[str, Any]) -> Job:
        return Job.model_validate(self._backend._json("POST", _COLLECTION[kind], body=request))

    def describe_job(self, kind: JobKind, job_name: str) -> Job:
        return Job.model_validate(self._backend._json("GET", self._path(kind, job_name)))

    def stop_job(self, kind: JobKind, job_name: str) -> Job:
        path = self._path(kind, job_name, "stop")
        return Job.model_validate(self._backend._json("POST", path, body={}))

    def job_logs(
        self, kind: JobKind, job_name: str, host: str = "algo-1", offset: int = 0
    ) -> JobLogs:
        body = self._backend._json(
            "GET", self._path(kind, job_name, "logs"), query={"Host": host, "Offset": offset}
        )
        return JobLogs.model_validate(body)


class DirectJobsClient(JobsClient):
    def __init__(self, backend: Any) -> None:
        from ..config import resolve_config
        from ..services.jobs import JobService

        artifacts = backend._artifacts
        config = resolve_config(database_url=backend.uri, artifact_root=artifacts.root_uri)
        self.service = JobService(backend._store, artifacts, config)

    def create_job(self, kind: JobKind, request: dict[str, Any]) -> Job:
        if kind is JobKind.PROCESSING:
            return self.service.create_processing_job(request)
        return self.service.create_training_job(request)

    def describe_job(self, kind: JobKind, job_name: str) -> Job:
        return self.service.get_job(job_name, kind)

    def stop_job(self, kind: JobKind, job_name: str) -> Job:
        return self.service.stop_job(job_name, kind)

    def job_logs(
        self, kind: JobKind, job_name: str, host: str = "algo-1", offset: int = 0
    ) -> JobLogs:
        return self.service.read_logs(job_name, kind, host, offset)


_clients: dict[int, tuple[Any, JobsClient]] = {}
_lock = threading.Lock()


def jobs_client(session: Any = None) -> JobsClient:
    """The jobs client of a ``sagemaker_session`` (None, a TrackingClient or a URI)."""
    tracking = resolve_client(session)
    backend = tracking.backend
    with _lock:
        entry = _clients.get(id(backend))
        if entry is not None and entry[0] is backend:
            return entry[1]
        from .http import HttpBackend

        client: JobsClient
        if isinstance(backend, HttpBackend):
            client = HttpJobsClient(backend)
        else:
            client = DirectJobsClient(backend)
        _clients[id(backend)] = (backend, client)  # the backend kept alive with its client
        return client
