"""Training and processing jobs: stop and read logs (create, describe and list are in
``resources``)."""

from __future__ import annotations

from typing import ClassVar

from jupyter_server.auth.decorator import authorized
from pydantic import BaseModel, ConfigDict, Field
from tornado.web import authenticated

from ...entities import Job, JobKind
from ...services.job_requests import JobLogs
from .base import Operation, StudioHandler


class JobLogsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    Host: str = Field("algo-1", description="algo-1 .. algo-N")
    Offset: int = Field(0, ge=0, description="byte offset; pass the last NextOffset")


class StopTrainingJobHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "Stop a training job (Stopping now, Stopped once its host has exited)",
            "stopTrainingJob",
            response=Job,
            errors=(403, 404, 409),
        )
    }

    @authenticated
    @authorized
    async def post(self, job_name: str) -> None:
        self.send(await self.run(self.studio.jobs.stop_job, job_name, JobKind.TRAINING))


class TrainingJobLogsHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Read a training job's log from a byte offset (follow it with NextOffset)",
            "getTrainingJobLogs",
            query=JobLogsQuery,
            response=JobLogs,
            errors=(400, 403, 404),
        )
    }

    @authenticated
    @authorized
    async def get(self, job_name: str) -> None:
        q = self.parse_query(JobLogsQuery)
        logs = await self.run(
            self.studio.jobs.read_logs, job_name, JobKind.TRAINING, q.Host, q.Offset
        )
        self.send(logs)


class StopProcessingJobHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "Stop a processing job (Stopping now, Stopped once its host has exited)",
            "stopProcessingJob",
            response=Job,
            errors=(403, 404, 409),
        )
    }

    @authenticated
    @authorized
    async def post(self, job_name: str) -> None:
        self.send(await self.run(self.studio.jobs.stop_job, job_name, JobKind.PROCESSING))


class ProcessingJobLogsHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Read a processing job's log from a byte offset (follow it with NextOffset)",
            "getProcessingJobLogs",
            query=JobLogsQuery,
            response=JobLogs,
            errors=(400, 403, 404),
        )
    }

    @authenticated
    @authorized
    async def get(self, job_name: str) -> None:
        q = self.parse_query(JobLogsQuery)
        logs = await self.run(
            self.studio.jobs.read_logs, job_name, JobKind.PROCESSING, q.Host, q.Offset
        )
        self.send(logs)
