"""Jobs (list, describe, create), health and the OpenAPI document."""

from __future__ import annotations

from typing import ClassVar

import pydantic
from jupyter_server.auth.decorator import authorized
from tornado.web import authenticated

from ...entities import Job, JobKind
from ...services.jobs.requests import CreateProcessingJobRequest, CreateTrainingJobRequest
from .. import schemas as s
from .base import Operation, StudioHandler


class HealthHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Version and health of the store, artifact root and runtimes",
            "getHealth",
            response=s.HealthResponse,
            errors=(403,),
        )
    }

    @authenticated
    @authorized
    async def get(self) -> None:
        health = await self.run(self.studio.system.health)
        self.send(health.to_api())


class OpenApiHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation("This API's OpenAPI 3.1 document", "getOpenApi", errors=(403,))
    }

    @authenticated
    @authorized
    async def get(self) -> None:
        self.send(self.settings["mlstudio.openapi"])


class _JobsHandler(StudioHandler):
    """Listing of one kind of job; subclasses name the kind and the response shape."""

    kind: ClassVar[JobKind]
    summaries_field: ClassVar[str]
    list_response: ClassVar[type[pydantic.BaseModel]]

    @authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(s.ListJobsQuery)
        page = await self.run(
            self.studio.jobs.list_jobs,
            self.kind,
            status=q.StatusEquals,
            name_contains=q.NameContains,
            sort_order=q.SortOrder,
            max_results=q.MaxResults,
            next_token=q.NextToken,
        )
        self.send(
            self.list_response(**{self.summaries_field: page.items, "NextToken": page.next_token})
        )


class TrainingJobsHandler(_JobsHandler):
    kind = JobKind.TRAINING
    summaries_field = "TrainingJobSummaries"
    list_response = s.ListTrainingJobsResponse
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "List training jobs, newest first",
            "listTrainingJobs",
            query=s.ListJobsQuery,
            response=s.ListTrainingJobsResponse,
        ),
        "post": Operation(
            "Create and start a training job (CreateTrainingJob request, plus ScriptMode)",
            "createTrainingJob",
            body=CreateTrainingJobRequest,
            response=Job,
            status=201,
            errors=(400, 403, 409),
        ),
    }

    @authenticated
    @authorized
    async def post(self) -> None:
        body = self.parse_body(CreateTrainingJobRequest)
        self.send(await self.run(self.studio.jobs.create_training_job, body), 201)


class ProcessingJobsHandler(_JobsHandler):
    kind = JobKind.PROCESSING
    summaries_field = "ProcessingJobSummaries"
    list_response = s.ListProcessingJobsResponse
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "List processing jobs, newest first",
            "listProcessingJobs",
            query=s.ListJobsQuery,
            response=s.ListProcessingJobsResponse,
        ),
        "post": Operation(
            "Create and start a processing job (CreateProcessingJob request)",
            "createProcessingJob",
            body=CreateProcessingJobRequest,
            response=Job,
            status=201,
            errors=(400, 403, 409),
        ),
    }

    @authenticated
    @authorized
    async def post(self) -> None:
        body = self.parse_body(CreateProcessingJobRequest)
        self.send(await self.run(self.studio.jobs.create_processing_job, body), 201)


class _JobHandler(StudioHandler):
    kind: ClassVar[JobKind]

    @authenticated
    @authorized
    async def get(self, job_name: str) -> None:
        self.send(await self.run(self.studio.jobs.get_job, job_name, self.kind))


class TrainingJobHandler(_JobHandler):
    kind = JobKind.TRAINING
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Describe a training job", "describeTrainingJob", response=Job, errors=(403, 404)
        )
    }


class ProcessingJobHandler(_JobHandler):
    kind = JobKind.PROCESSING
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Describe a processing job", "describeProcessingJob", response=Job, errors=(403, 404)
        )
    }
