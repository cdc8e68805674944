"""Pipelines as records, shaped as SageMaker's CreatePipeline / DescribePipeline /
ListPipelines / UpdatePipeline / DeletePipeline answer. A definition is checked
(:func:`.definition.parse_definition`) before anything is written."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...entities.pipelines import Pipeline
from ...store.base import UNSET, MetadataStore, Page, SortOrder
from ..jobs.requests import parse_request
from .definition import parse_definition
from .executions import PipelineExecutions
from .requests import CreatePipelineRequest, UpdatePipelineRequest


def pipeline_summary(pipeline: Pipeline) -> dict[str, Any]:
    """A PipelineSummary (ListPipelines)."""
    body: dict[str, Any] = {
        "PipelineArn": pipeline.pipeline_arn,
        "PipelineName": pipeline.pipeline_name,
        "CreationTime": pipeline.creation_time.isoformat(),
        "LastModifiedTime": pipeline.last_modified_time.isoformat(),
    }
    for key, value in (
        ("PipelineDisplayName", pipeline.pipeline_display_name),
        ("PipelineDescription", pipeline.pipeline_description),
        ("RoleArn", pipeline.role_arn),
    ):
        if value is not None:
            body[key] = value
    return body


def describe_pipeline(pipeline: Pipeline) -> dict[str, Any]:
    """DescribePipeline's answer (with the pipeline's tags)."""
    return {
        **pipeline_summary(pipeline),
        "PipelineDefinition": pipeline.pipeline_definition,
        "PipelineStatus": "Active",
        "Tags": [{"Key": k, "Value": v} for k, v in pipeline.tags.items()],
    }


class PipelineService:
    """The pipelines of one studio.

    Args:
        store: The metadata store that keeps them.
        executions: Their executions, stopped when a pipeline is deleted (None: none run).
    """

    def __init__(self, store: MetadataStore, executions: PipelineExecutions | None = None) -> None:
        self._store = store
        self._executions = executions

    def create(self, request: Mapping[str, Any] | CreatePipelineRequest) -> dict[str, Any]:
        """CreatePipeline: the pipeline as DescribePipeline answers.

        Raises:
            ValidationError: naming the field of a bad request or definition.
            ConflictError: when the name is taken.
        """
        body = parse_request(CreatePipelineRequest, request)
        parse_definition(body.PipelineDefinition)
        pipeline = self._store.create_pipeline(
            body.PipelineName,
            definition=body.PipelineDefinition,
            display_name=body.PipelineDisplayName,
            description=body.PipelineDescription,
            role_arn=body.RoleArn,
            tags={t.Key: t.Value for t in body.Tags},
        )
        return describe_pipeline(pipeline)

    def update(
        self, pipeline_name: str, request: Mapping[str, Any] | UpdatePipelineRequest
    ) -> dict[str, Any]:
        """UpdatePipeline: change the fields given; the pipeline as DescribePipeline answers.

        Raises:
            ValidationError: naming the field of a bad request or definition.
            NotFoundError: when there is no such pipeline.
        """
        body = parse_request(UpdatePipelineRequest, request)
        given = body.model_fields_set
        if body.PipelineDefinition is not None:
            parse_definition(body.PipelineDefinition)
        pipeline = self._store.update_pipeline(
            pipeline_name,
            definition=body.PipelineDefinition,
            display_name=body.PipelineDisplayName if "PipelineDisplayName" in given else UNSET,
            description=body.PipelineDescription if "PipelineDescription" in given else UNSET,
            role_arn=body.RoleArn if "RoleArn" in given else UNSET,
        )
        return describe_pipeline(pipeline)

    def describe(self, pipeline_name: str) -> dict[str, Any]:
        """DescribePipeline."""
        return describe_pipeline(self._store.get_pipeline(pipeline_name))

    def list(
        self,
        *,
        name_prefix: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[dict[str, Any]]:
        """ListPipelines: PipelineSummaries, newest first by default."""
        page = self._store.list_pipelines(
            name_prefix=name_prefix,
            sort_order=sort_order,
            max_results=max_results,
            next_token=next_token,
        )
        return Page(items=[pipeline_summary(p) for p in page.items], next_token=page.next_token)

    def delete(self, pipeline_name: str) -> None:
        """DeletePipeline: its running executions are stopped (their records are kept)."""
        self._store.get_pipeline(pipeline_name)
        if self._executions is not None:
            self._executions.stop_all(pipeline_name)
        self._store.delete_pipeline(pipeline_name)
