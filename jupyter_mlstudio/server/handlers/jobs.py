"""Jobs of every kind: one set of handlers (collection, item, stop, logs, artifacts)
parameterised by the kind (``services/jobs/kinds.py``).

:func:`job_handlers` makes a kind's handler classes: each is a subclass of the one generic
handler for its role that names the kind and carries the kind's operations for the API
document (operation ids derive from the kind: ``listTrainingJobs``, ``createTrainingJob``,
``describeTrainingJob``, ``stopTrainingJob``, ``getTrainingJobLogs``,
``getTrainingJobArtifact``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, TypeVar
from urllib.parse import quote

import pydantic
from jupyter_server.auth.decorator import authorized
from pydantic import BaseModel, ConfigDict, Field
from tornado.web import authenticated

from ...entities import Job
from ...services.jobs.kinds import JobKindService
from ...services.jobs.requests import JobLogs
from ...services.jobs.service import JobArtifact
from .. import schemas as s
from .base import Operation, StudioHandler

_H = TypeVar("_H", bound="_KindHandler")


class JobLogsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    Host: str = Field("algo-1", description="algo-1 .. algo-N")
    Offset: int = Field(0, ge=0, description="byte offset; pass the last NextOffset")


class _KindHandler(StudioHandler):
    """A handler of one kind of job; :func:`job_handlers` names the kind."""

    kind: ClassVar[type[JobKindService]]

    @property
    def jobs(self) -> JobKindService:
        """The studio's service for this handler's kind."""
        return self.studio.job_kinds[self.kind.kind]


class JobsHandler(_KindHandler):
    """List (GET) and create (POST) jobs of a kind."""

    list_response: ClassVar[type[pydantic.BaseModel]]

    @authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(s.ListJobsQuery)
        page = await self.run(
            self.jobs.list,
            status=q.StatusEquals,
            name_contains=q.NameContains,
            sort_order=q.SortOrder,
            max_results=q.MaxResults,
            next_token=q.NextToken,
        )
        summaries = f"{self.kind.kind.value}Summaries"
        self.send(self.list_response(**{summaries: page.items, "NextToken": page.next_token}))

    @authenticated
    @authorized
    async def post(self) -> None:
        body = self.parse_body(self.kind.request_model)
        self.send(await self.run(self.jobs.create, body), 201)


class JobHandler(_KindHandler):
    """Describe a job."""

    @authenticated
    @authorized
    async def get(self, job_name: str) -> None:
        self.send(await self.run(self.jobs.describe, job_name))


class StopJobHandler(_KindHandler):
    """Stop a job."""

    @authenticated
    @authorized
    async def post(self, job_name: str) -> None:
        self.send(await self.run(self.jobs.stop, job_name))


class JobLogsHandler(_KindHandler):
    """A host's log from a byte offset."""

    @authenticated
    @authorized
    async def get(self, job_name: str) -> None:
        q = self.parse_query(JobLogsQuery)
        self.send(await self.run(self.jobs.logs, job_name, q.Host, q.Offset))


class JobArtifactHandler(_KindHandler):
    """A file the job published, streamed from where it was published."""

    @authenticated
    @authorized
    async def get(self, job_name: str, artifact_path: str) -> None:
        artifact: JobArtifact = await self.run(self.jobs.artifact, job_name, artifact_path)
        await send_artifact(self, artifact)


@dataclass(frozen=True)
class KindHandlers:
    """The handler classes of one kind of job, one per route."""

    collection: type[JobsHandler]
    item: type[JobHandler]
    stop: type[StopJobHandler]
    logs: type[JobLogsHandler]
    artifact: type[JobArtifactHandler]


def job_handlers(kind: type[JobKindService]) -> KindHandlers:
    """The handlers of ``kind``'s routes, with its operations for the API document."""
    name = kind.kind.value  # TrainingJob
    said = kind.summaries
    list_response = pydantic.create_model(
        f"List{name}sResponse",
        __base__=s.ApiModel,
        **{f"{name}Summaries": (list[Job], ...), "NextToken": (str | None, None)},  # type: ignore[call-overload]
    )
    collection = {
        "get": Operation(said.list, f"list{name}s", query=s.ListJobsQuery, response=list_response),
        "post": Operation(
            said.create,
            f"create{name}",
            body=kind.request_model,
            response=Job,
            status=201,
            errors=(400, 403, 409),
        ),
    }
    item = {"get": Operation(said.describe, f"describe{name}", response=Job, errors=(403, 404))}
    stop = {"post": Operation(said.stop, f"stop{name}", response=Job, errors=(403, 404, 409))}
    logs = {
        "get": Operation(
            said.logs,
            f"get{name}Logs",
            query=JobLogsQuery,
            response=JobLogs,
            errors=(400, 403, 404),
        )
    }
    artifact = {
        "get": Operation(
            said.artifact, f"get{name}Artifact", raw_response=True, errors=(400, 403, 404)
        )
    }
    return KindHandlers(
        collection=_subclass(JobsHandler, f"{name}sHandler", kind, collection, list_response),
        item=_subclass(JobHandler, f"{name}Handler", kind, item),
        stop=_subclass(StopJobHandler, f"Stop{name}Handler", kind, stop),
        logs=_subclass(JobLogsHandler, f"{name}LogsHandler", kind, logs),
        artifact=_subclass(JobArtifactHandler, f"{name}ArtifactHandler", kind, artifact),
    )


def _subclass(
    base: type[_H],
    name: str,
    kind: type[JobKindService],
    operations: dict[str, Operation],
    list_response: type[pydantic.BaseModel] | None = None,
) -> type[_H]:
    attributes: dict[str, object] = {
        "kind": kind,
        "operations": operations,
        "__module__": __name__,
        "__doc__": base.__doc__,
    }
    if list_response is not None:
        attributes["list_response"] = list_response
    return type(name, (base,), attributes)


CHUNK = 256 * 1024


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII ``filename`` and the exact RFC 5987 ``filename*``."""
    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


async def send_artifact(handler: StudioHandler, artifact: JobArtifact) -> None:
    """Stream an opened job file as a download (chunks read in the studio's pool), then
    close it."""
    try:
        handler.set_header("Content-Type", artifact.content_type)
        handler.set_header("Content-Disposition", content_disposition(artifact.filename))
        if artifact.size is not None:
            handler.set_header("Content-Length", str(artifact.size))
        while True:
            chunk = await handler.run(artifact.reader.read, CHUNK)
            if not chunk:
                break
            handler.write(chunk)
            await handler.flush()
    finally:
        await handler.run(artifact.close)
    handler.finish(set_content_type=artifact.content_type)  # not APIHandler's JSON default
