"""Pipelines as records (CreatePipeline, DescribePipeline, ListPipelines, UpdatePipeline,
DeletePipeline) and their executions (StartPipelineExecution, DescribePipelineExecution,
ListPipelineExecutions, StopPipelineExecution, RetryPipelineExecution,
ListPipelineExecutionSteps)."""

from __future__ import annotations

from typing import ClassVar

from jupyter_server.auth.decorator import authorized
from tornado.web import authenticated

from ...services.pipelines.executions import StartPipelineExecutionRequest
from ...services.pipelines.requests import CreatePipelineRequest, UpdatePipelineRequest
from .. import pipelines_schemas as ps
from .base import Operation, StudioHandler


class PipelinesHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "List pipelines, newest first",
            "listPipelines",
            query=ps.ListPipelinesQuery,
            response=ps.ListPipelinesResponse,
        ),
        "post": Operation(
            "Create a pipeline from its definition (CreatePipeline)",
            "createPipeline",
            body=CreatePipelineRequest,
            response=ps.DescribePipelineResponse,
            status=201,
            errors=(400, 403, 409),
        ),
    }

    @authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(ps.ListPipelinesQuery)
        page = await self.run(
            self.studio.pipelines.list,
            name_prefix=q.PipelineNamePrefix,
            sort_order=q.SortOrder,
            max_results=q.MaxResults,
            next_token=q.NextToken,
        )
        self.send({"PipelineSummaries": page.items, "NextToken": page.next_token})

    @authenticated
    @authorized
    async def post(self) -> None:
        body = self.parse_body(CreatePipelineRequest)
        self.send(await self.run(self.studio.pipelines.create, body), 201)


class PipelineHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Describe a pipeline (DescribePipeline)",
            "describePipeline",
            response=ps.DescribePipelineResponse,
            errors=(403, 404),
        ),
        "patch": Operation(
            "Change a pipeline's definition, display name, description or role",
            "updatePipeline",
            body=UpdatePipelineRequest,
            response=ps.DescribePipelineResponse,
            errors=(400, 403, 404),
        ),
        "delete": Operation(
            "Delete a pipeline (DeletePipeline)",
            "deletePipeline",
            status=204,
            errors=(403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self, pipeline: str) -> None:
        self.send(await self.run(self.studio.pipelines.describe, pipeline))

    @authenticated
    @authorized
    async def patch(self, pipeline: str) -> None:
        body = self.parse_body(UpdatePipelineRequest)
        self.send(await self.run(self.studio.pipelines.update, pipeline, body))

    @authenticated
    @authorized
    async def delete(self, pipeline: str) -> None:
        await self.run(self.studio.pipelines.delete, pipeline)
        self.send(None, 204)


class PipelineExecutionsHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "List a pipeline's executions, newest first (ListPipelineExecutions)",
            "listPipelineExecutions",
            query=ps.ListPipelineExecutionsQuery,
            response=ps.ListPipelineExecutionsResponse,
            errors=(400, 403, 404),
        ),
        "post": Operation(
            "Start an execution of the pipeline (StartPipelineExecution)",
            "startPipelineExecution",
            body=StartPipelineExecutionRequest,
            response=ps.DescribePipelineExecutionResponse,
            status=201,
            errors=(400, 403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self, pipeline: str) -> None:
        q = self.parse_query(ps.ListPipelineExecutionsQuery)
        page = await self.run(
            self.studio.pipeline_executions.list_executions,
            pipeline,
            sort_order=q.SortOrder,
            max_results=q.MaxResults,
            next_token=q.NextToken,
        )
        self.send({"PipelineExecutionSummaries": page.items, "NextToken": page.next_token})

    @authenticated
    @authorized
    async def post(self, pipeline: str) -> None:
        body = self.parse_body(StartPipelineExecutionRequest)
        self.send(await self.run(self.studio.pipeline_executions.start, pipeline, body), 201)


class PipelineExecutionHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Describe a pipeline execution (DescribePipelineExecution)",
            "describePipelineExecution",
            response=ps.DescribePipelineExecutionResponse,
            errors=(403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self, execution_id: str) -> None:
        self.send(await self.run(self.studio.pipeline_executions.describe, execution_id))


class PipelineExecutionStopHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "Stop a pipeline execution: Stopping now, Stopped once its step jobs have stopped",
            "stopPipelineExecution",
            response=ps.DescribePipelineExecutionResponse,
            errors=(403, 404, 409),
        ),
    }

    @authenticated
    @authorized
    async def post(self, execution_id: str) -> None:
        self.send(await self.run(self.studio.pipeline_executions.stop, execution_id))


class PipelineExecutionRetryHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "Retry a Failed or Stopped pipeline execution (RetryPipelineExecution): its"
            " succeeded steps are kept, the others run again; Executing again",
            "retryPipelineExecution",
            response=ps.RetryPipelineExecutionResponse,
            errors=(403, 404, 409),
        ),
    }

    @authenticated
    @authorized
    async def post(self, execution_id: str) -> None:
        self.send(await self.run(self.studio.pipeline_executions.retry, execution_id))


class PipelineExecutionStepsHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "List an execution's steps, newest first (ListPipelineExecutionSteps)",
            "listPipelineExecutionSteps",
            response=ps.ListPipelineExecutionStepsResponse,
            errors=(403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self, execution_id: str) -> None:
        steps = await self.run(self.studio.pipeline_executions.list_steps, execution_id)
        self.send({"PipelineExecutionSteps": steps})


class PipelineExecutionDefinitionHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "The definition an execution runs (DescribePipelineDefinitionForExecution)",
            "describePipelineDefinitionForExecution",
            response=ps.DescribePipelineDefinitionForExecutionResponse,
            errors=(403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self, execution_id: str) -> None:
        self.send(await self.run(self.studio.pipeline_executions.definition, execution_id))
