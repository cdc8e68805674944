"""The SDK's way to jobs of every kind: the studio's REST routes, over HTTP.

Jobs always run in the studio that owns the home (:mod:`.connection`), never in the
notebook's or script's own process, so each has exactly one owner that watches it,
uploads what it leaves and re-attaches it after a restart.

Under a pipeline's session (:class:`RequestCapture`, ``PipelineSession``) no job is
started: ``fit``, ``run``, ``transform`` and ``Model.create``/``register`` hand their
Create* request to the session, which returns it as a step's arguments.
"""

from __future__ import annotations

import abc
from typing import Any

from ..entities import Job, JobKind
from ..exceptions import ValidationError
from ..services.jobs.requests import JobLogs
from .client import resolve_client
from .transport import StudioConnection, segment

#: the REST collection of each kind of job
COLLECTIONS = {
    JobKind.TRAINING: "training-jobs",
    JobKind.PROCESSING: "processing-jobs",
    JobKind.TRANSFORM: "transform-jobs",
    JobKind.TUNING: "hyper-parameter-tuning-jobs",
    JobKind.AUTOML: "auto-ml-jobs",
}


class JobsClient:
    """Create, describe and stop jobs of any kind, and read their logs. Thread-safe.

    Args:
        connection: The studio that runs the jobs.
    """

    def __init__(self, connection: StudioConnection) -> None:
        self.connection = connection

    @staticmethod
    def _path(kind: JobKind, job_name: str, *rest: str) -> str:
        return "/".join([COLLECTIONS[kind], segment(job_name), *rest])

    def create_job(self, kind: JobKind, request: dict[str, Any]) -> Job:
        """Start a job.

        Args:
            kind: The kind of job.
            request: Its Create<Kind>Job request, with SageMaker's field names.

        Returns:
            The job as the studio recorded it.
        """
        return Job.model_validate(self.connection.json("POST", COLLECTIONS[kind], body=request))

    def describe_job(self, kind: JobKind, job_name: str) -> Job:
        """The job's current record (Describe<Kind>Job)."""
        return Job.model_validate(self.connection.json("GET", self._path(kind, job_name)))

    def stop_job(self, kind: JobKind, job_name: str) -> Job:
        """Ask the job to stop (Stop<Kind>Job); returns it, Stopping or already ended."""
        path = self._path(kind, job_name, "stop")
        return Job.model_validate(self.connection.json("POST", path, body={}))

    def job_logs(
        self, kind: JobKind, job_name: str, host: str = "algo-1", offset: int = 0
    ) -> JobLogs:
        """A host's log from ``offset`` (characters), and whether it is complete."""
        body = self.connection.json(
            "GET", self._path(kind, job_name, "logs"), query={"Host": host, "Offset": offset}
        )
        return JobLogs.model_validate(body)


class RequestCapture(abc.ABC):
    """A ``sagemaker_session`` that keeps the SDK's Create* requests instead of sending
    them (``PipelineSession``): a pipeline's steps are made of them."""

    @abc.abstractmethod
    def capture_request(self, api: str, request: dict[str, Any], source: Any) -> Any:
        """Keep a request that would have been sent.

        Args:
            api: The SageMaker call (``CreateTrainingJob``, ``CreateProcessingJob``,
                ``CreateTransformJob``, ``CreateModel``, ``CreateModelPackage``).
            request: The request, in SageMaker's field names.
            source: The SDK object that made it (estimator, processor, ...).

        Returns:
            What the SDK method returns instead of running: the step's arguments.
        """


def request_capture(session: Any) -> RequestCapture | None:
    """The session, when it keeps requests instead of sending them.

    Args:
        session: A ``sagemaker_session`` argument.

    Returns:
        ``session`` when it is a :class:`RequestCapture`, else None.
    """
    return session if isinstance(session, RequestCapture) else None


class _CaptureJobsClient(JobsClient):
    """The jobs client of a :class:`RequestCapture` session: it describes, stops and reads
    jobs, and starts none (the studio is reached on first use)."""

    def __init__(self, session: Any) -> None:
        self._session = session
        self._connection: StudioConnection | None = None

    @property
    def connection(self) -> StudioConnection:
        if self._connection is None:
            self._connection = resolve_client(self._session).studio
        return self._connection

    @connection.setter
    def connection(self, value: StudioConnection) -> None:
        self._connection = value

    def create_job(self, kind: JobKind, request: dict[str, Any]) -> Job:
        raise ValidationError(
            f"a PipelineSession starts no {kind.value}: give the estimator, processor or"
            " tuner to a pipeline step (TuningStep(tuner=...), ...)",
            field="sagemaker_session",
        )


def jobs_client(session: Any = None) -> JobsClient:
    """The jobs client of a ``sagemaker_session``.

    Args:
        session: None (the default client), a Session, a TrackingClient or a URI.

    Returns:
        A client of the studio that owns the session's home (started in the background
        when none runs and the session writes straight into a SQL store). A
        :class:`RequestCapture` session's client starts no job.
    """
    if request_capture(session) is not None:
        return _CaptureJobsClient(session)
    return JobsClient(resolve_client(session).studio)
