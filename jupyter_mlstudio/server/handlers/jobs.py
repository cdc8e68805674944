"""Training and processing jobs: stop, read logs, download published files (create,
describe and list are in ``resources``)."""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import quote

from jupyter_server.auth.decorator import authorized
from pydantic import BaseModel, ConfigDict, Field
from tornado.web import authenticated

from ...entities import Job, JobKind
from ...services.jobs.requests import JobLogs
from ...services.jobs.service import JobArtifact
from .base import Operation, StudioHandler


class JobLogsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    Host: str = Field("algo-1", description="algo-1 .. algo-N")
    Offset: int = Field(0, ge=0, description="byte offset; pass the last NextOffset")


class _StopJobHandler(StudioHandler):
    kind: ClassVar[JobKind]

    @authenticated
    @authorized
    async def post(self, job_name: str) -> None:
        self.send(await self.run(self.studio.jobs.stop_job, job_name, self.kind))


class StopTrainingJobHandler(_StopJobHandler):
    kind = JobKind.TRAINING
    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "Stop a training job (Stopping now, Stopped once its host has exited)",
            "stopTrainingJob",
            response=Job,
            errors=(403, 404, 409),
        )
    }


class StopProcessingJobHandler(_StopJobHandler):
    kind = JobKind.PROCESSING
    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "Stop a processing job (Stopping now, Stopped once its host has exited)",
            "stopProcessingJob",
            response=Job,
            errors=(403, 404, 409),
        )
    }


class _JobLogsHandler(StudioHandler):
    kind: ClassVar[JobKind]

    @authenticated
    @authorized
    async def get(self, job_name: str) -> None:
        q = self.parse_query(JobLogsQuery)
        logs = await self.run(self.studio.jobs.read_logs, job_name, self.kind, q.Host, q.Offset)
        self.send(logs)


class TrainingJobLogsHandler(_JobLogsHandler):
    kind = JobKind.TRAINING
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Read a training job's log from a byte offset (follow it with NextOffset)",
            "getTrainingJobLogs",
            query=JobLogsQuery,
            response=JobLogs,
            errors=(400, 403, 404),
        )
    }


class ProcessingJobLogsHandler(_JobLogsHandler):
    kind = JobKind.PROCESSING
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Read a processing job's log from a byte offset (follow it with NextOffset)",
            "getProcessingJobLogs",
            query=JobLogsQuery,
            response=JobLogs,
            errors=(400, 403, 404),
        )
    }


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


class _JobArtifactHandler(StudioHandler):
    kind: ClassVar[JobKind]

    @authenticated
    @authorized
    async def get(self, job_name: str, artifact_path: str) -> None:
        artifact: JobArtifact = await self.run(
            self.studio.jobs.open_artifact, job_name, self.kind, artifact_path
        )
        await send_artifact(self, artifact)


class TrainingJobArtifactHandler(_JobArtifactHandler):
    """A training job's model.tar.gz / output.tar.gz, streamed from where it was published."""

    kind = JobKind.TRAINING
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Download a file a training job published (model.tar.gz, output.tar.gz)",
            "getTrainingJobArtifact",
            raw_response=True,
            errors=(400, 403, 404),
        )
    }


class ProcessingJobArtifactHandler(_JobArtifactHandler):
    """A processing job's output file: ``<OutputName>/<path in that output>``."""

    kind = JobKind.PROCESSING
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Download a file of a processing job's output (<OutputName>/<path>)",
            "getProcessingJobArtifact",
            raw_response=True,
            errors=(400, 403, 404),
        )
    }
