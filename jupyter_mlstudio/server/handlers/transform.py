"""Batch transform jobs: create, list, describe, stop, logs, output files."""

from __future__ import annotations

from typing import ClassVar

from jupyter_server.auth.decorator import authorized
from tornado.web import authenticated

from ...entities import Job
from ...services.jobs.requests import JobLogs
from ...services.jobs.service import JobArtifact
from ...services.jobs.transform.requests import CreateTransformJobRequest
from .. import schemas as s
from .base import Operation, StudioHandler
from .jobs import JobLogsQuery, send_artifact


class ListTransformJobsResponse(s.ApiModel):
    TransformJobSummaries: list[Job]
    NextToken: str | None = None


class TransformJobsHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "List batch transform jobs, newest first",
            "listTransformJobs",
            query=s.ListJobsQuery,
            response=ListTransformJobsResponse,
        ),
        "post": Operation(
            "Create and start a batch transform job (CreateTransformJob request)",
            "createTransformJob",
            body=CreateTransformJobRequest,
            response=Job,
            status=201,
            errors=(400, 403, 409),
        ),
    }

    @authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(s.ListJobsQuery)
        page = await self.run(
            self.studio.transform.list_transform_jobs,
            status=q.StatusEquals,
            name_contains=q.NameContains,
            sort_order=q.SortOrder,
            max_results=q.MaxResults,
            next_token=q.NextToken,
        )
        self.send(
            ListTransformJobsResponse(TransformJobSummaries=page.items, NextToken=page.next_token)
        )

    @authenticated
    @authorized
    async def post(self) -> None:
        body = self.parse_body(CreateTransformJobRequest)
        self.send(await self.run(self.studio.transform.create_transform_job, body), 201)


class TransformJobHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Describe a batch transform job (the request is in Spec; outputs, figures and"
            " failed records in Outputs)",
            "describeTransformJob",
            response=Job,
            errors=(403, 404),
        )
    }

    @authenticated
    @authorized
    async def get(self, job_name: str) -> None:
        self.send(await self.run(self.studio.transform.get_transform_job, job_name))


class StopTransformJobHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "Stop a batch transform job (Stopping now, Stopped once its model servers are gone)",
            "stopTransformJob",
            response=Job,
            errors=(403, 404, 409),
        )
    }

    @authenticated
    @authorized
    async def post(self, job_name: str) -> None:
        self.send(await self.run(self.studio.transform.stop_transform_job, job_name))


class TransformJobLogsHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Read a transform job instance's log from a byte offset (follow it with NextOffset)",
            "getTransformJobLogs",
            query=JobLogsQuery,
            response=JobLogs,
            errors=(400, 403, 404),
        )
    }

    @authenticated
    @authorized
    async def get(self, job_name: str) -> None:
        q = self.parse_query(JobLogsQuery)
        self.send(await self.run(self.studio.transform.read_logs, job_name, q.Host, q.Offset))


class TransformJobArtifactHandler(StudioHandler):
    """An output file of a transform job (``<input file>.out``), from where it was written."""

    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Download an output file of a transform job (<input file>.out)",
            "getTransformJobArtifact",
            raw_response=True,
            errors=(400, 403, 404),
        )
    }

    @authenticated
    @authorized
    async def get(self, job_name: str, artifact_path: str) -> None:
        artifact: JobArtifact = await self.run(
            self.studio.transform.open_output, job_name, artifact_path
        )
        await send_artifact(self, artifact)
