"""Queries and answers of the pipeline routes, in SageMaker's shapes. Request bodies are
:mod:`..services.pipelines.requests`."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from .schemas import ApiModel, PageQuery, Tag


class ListPipelinesQuery(PageQuery):
    PipelineNamePrefix: str | None = None


class PipelineSummary(ApiModel):
    PipelineArn: str
    PipelineName: str
    PipelineDisplayName: str | None = None
    PipelineDescription: str | None = None
    RoleArn: str | None = None
    CreationTime: str
    LastModifiedTime: str


class ListPipelinesResponse(ApiModel):
    PipelineSummaries: list[PipelineSummary]
    NextToken: str | None = None


class DescribePipelineResponse(PipelineSummary):
    PipelineDefinition: str = Field(description="the definition's JSON text, as given")
    PipelineStatus: str = Field(description='"Active"')
    Tags: list[Tag] = Field(default_factory=list)


# -- executions ------------------------------------------------------------------------


class PipelineParameterBody(ApiModel):
    Name: str
    Value: Any


class DescribePipelineExecutionResponse(ApiModel):
    PipelineArn: str
    PipelineExecutionArn: str
    PipelineExecutionStatus: str = Field(
        description="Executing, Stopping, Stopped, Failed or Succeeded"
    )
    PipelineExecutionDisplayName: str | None = None
    PipelineExecutionDescription: str | None = None
    FailureReason: str | None = None
    CreationTime: str
    LastModifiedTime: str
    PipelineParameters: list[PipelineParameterBody] = Field(default_factory=list)


class RetryPipelineExecutionResponse(DescribePipelineExecutionResponse):
    """The execution as DescribePipelineExecution answers, Executing again."""


class PipelineExecutionSummary(ApiModel):
    PipelineExecutionArn: str
    PipelineExecutionStatus: str
    StartTime: str
    PipelineExecutionDisplayName: str | None = None
    PipelineExecutionFailureReason: str | None = None


class ListPipelineExecutionsQuery(PageQuery):
    MaxResults: int = Field(default=100, ge=1, le=100)


class ListPipelineExecutionsResponse(ApiModel):
    PipelineExecutionSummaries: list[PipelineExecutionSummary]
    NextToken: str | None = None


class PipelineExecutionStep(ApiModel):
    StepName: str
    StepStatus: str = Field(
        description="Starting, Executing, Stopping, Stopped, Failed or Succeeded"
    )
    StartTime: str | None = None
    EndTime: str | None = None
    FailureReason: str | None = None
    AttemptCount: int = Field(
        1, description="the step's attempts: its RetryPolicies' retries and earlier runs"
    )
    CacheHitResult: dict[str, str] | None = Field(
        None, description="SourcePipelineExecutionArn: the execution whose result it took"
    )
    Metadata: dict[str, Any] = Field(
        default_factory=dict,
        description="TrainingJob/ProcessingJob {Arn}, Condition {Outcome}, Fail {ErrorMessage}",
    )


class DescribePipelineDefinitionForExecutionResponse(ApiModel):
    PipelineDefinition: str = Field(description="the JSON text the execution started with")
    CreationTime: str


class ListPipelineExecutionStepsResponse(ApiModel):
    PipelineExecutionSteps: list[PipelineExecutionStep]
