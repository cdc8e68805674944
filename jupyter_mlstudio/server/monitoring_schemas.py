"""The requests and answers of Model Monitor's routes: monitoring schedules, their
executions and the Monitoring tab's report (SageMaker's member names; the studio's
additions say so in their descriptions)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .schemas import ApiModel, PageQuery

ScheduleStatus = Literal["Pending", "Failed", "Scheduled", "Stopped"]
ExecutionStatus = Literal[
    "Pending", "InProgress", "Completed", "CompletedWithViolations", "Failed", "Stopping", "Stopped"
]


class CreateMonitoringScheduleBody(ApiModel):
    MonitoringScheduleName: str
    MonitoringScheduleConfig: dict[str, Any] = Field(
        description="SageMaker's MonitoringScheduleConfig with an inline MonitoringJobDefinition"
        " (a ModelQuality one also carries ProblemType and GroundTruthS3Input)"
    )
    Tags: list[dict[str, str]] = Field(default_factory=list)


class CreateMonitoringScheduleResponse(ApiModel):
    MonitoringScheduleArn: str


class ExecutionSummaryBody(ApiModel):
    MonitoringScheduleName: str
    ScheduledTime: str
    CreationTime: str
    LastModifiedTime: str
    MonitoringExecutionStatus: ExecutionStatus
    ProcessingJobArn: str
    ProcessingJobName: str = Field(description="The studio's: the execution's processing job")
    EndpointName: str
    MonitoringType: str
    FailureReason: str | None = None
    ViolationCount: int | None = Field(
        None, description="The studio's: violations found (None until it completed)"
    )
    OutputS3Uri: str | None = Field(None, description="The studio's: where its files are")


class ScheduleSummaryBody(ApiModel):
    MonitoringScheduleName: str
    MonitoringScheduleArn: str
    CreationTime: str
    LastModifiedTime: str
    MonitoringScheduleStatus: ScheduleStatus
    EndpointName: str
    MonitoringType: str
    ScheduleExpression: str
    NextScheduledTime: str | None = Field(None, description="The studio's: when it runs next")
    LastMonitoringExecutionSummary: ExecutionSummaryBody | None = None


class ListSchedulesQuery(PageQuery):
    EndpointName: str | None = None
    NameContains: str | None = None
    StatusEquals: ScheduleStatus | None = None


class ListSchedulesResponse(ApiModel):
    MonitoringScheduleSummaries: list[ScheduleSummaryBody]
    NextToken: str | None = None


class DescribeScheduleResponse(ApiModel):
    MonitoringScheduleArn: str
    MonitoringScheduleName: str
    MonitoringScheduleStatus: ScheduleStatus
    MonitoringType: str
    FailureReason: str | None = None
    CreationTime: str
    LastModifiedTime: str
    MonitoringScheduleConfig: dict[str, Any]
    EndpointName: str
    NextScheduledTime: str | None = None
    LastMonitoringExecutionSummary: ExecutionSummaryBody | None = None
    Tags: list[dict[str, str]] = Field(default_factory=list)


class ListExecutionsQuery(PageQuery):
    MonitoringScheduleName: str | None = None
    EndpointName: str | None = None
    StatusEquals: ExecutionStatus | None = None


class ListExecutionsResponse(ApiModel):
    MonitoringExecutionSummaries: list[ExecutionSummaryBody]
    NextToken: str | None = None


class ReportQuery(ApiModel):
    ProcessingJobName: str | None = Field(
        None, description="The execution to show; the latest that completed when left out"
    )


class BinBody(ApiModel):
    LowerBound: float | None = None
    UpperBound: float | None = None
    BaselineCount: float | None = None
    WindowCount: float | None = None


class CategoryBody(ApiModel):
    Value: str | None = None
    BaselineCount: float | None = None
    WindowCount: float | None = None


class FeatureDriftBody(ApiModel):
    Name: str | None = None
    InferredType: str | None = None
    Distance: float | None = Field(None, description="Distance between baseline and window")
    Threshold: float | None = None
    Bins: list[BinBody] = Field(default_factory=list, description="Numbers: the baseline's bins")
    Categories: list[CategoryBody] = Field(default_factory=list, description="Strings")


class ViolationBody(ApiModel):
    FeatureName: str | None = None
    ConstraintCheckType: str | None = None
    Description: str | None = None


class DriftPointBody(ApiModel):
    ScheduledTime: str
    ProcessingJobName: str
    Distances: dict[str, float]


class ReportResponse(ApiModel):
    MonitoringScheduleName: str
    ProcessingJobName: str | None = None
    ScheduledTime: str | None = None
    RecordCount: int = 0
    ParseErrors: int = 0
    Features: list[FeatureDriftBody] = Field(default_factory=list)
    Violations: list[ViolationBody] = Field(default_factory=list)
    DriftHistory: list[DriftPointBody] = Field(default_factory=list)
