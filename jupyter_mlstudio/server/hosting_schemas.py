"""Request queries and response bodies of the hosting routes (models, endpoint configs,
endpoints, invocations). Request bodies are :mod:`..services.hosting.requests`."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ..entities import EndpointConfig, Model
from ..entities import EndpointStatus as Status
from .schemas import ApiModel, PageQuery


class ListModelsQuery(PageQuery):
    NameContains: str | None = None


class ListModelsResponse(ApiModel):
    Models: list[Model]
    NextToken: str | None = None


class ListEndpointConfigsQuery(PageQuery):
    NameContains: str | None = None


class ListEndpointConfigsResponse(ApiModel):
    EndpointConfigs: list[EndpointConfig]
    NextToken: str | None = None


class InstanceContainer(ApiModel):
    ContainerHostname: str = Field(description="the container's name in the pipeline")
    Host: str = Field(description="the host name its log is read by (Host of .../logs)")


class InstanceNode(ApiModel):
    NodeId: str = Field(description="the Ray node's id")
    Address: str = Field(description="the node's IP address")


class InstanceDescription(ApiModel):
    Host: str = Field(description="algo-1 .. algo-N; on Ray Serve, replica-<id>")
    Status: str = Field(description="Pending, Healthy, Unhealthy, Restarting or Stopped")
    Restarts: int
    StartedAt: float = Field(description="seconds since the epoch")
    Detail: str | None = Field(None, description="why it is not healthy")
    Containers: list[InstanceContainer] | None = Field(
        None, description="an inference pipeline's model servers on this instance, in order"
    )
    Node: InstanceNode | None = Field(
        None, description="on the ray runtime: the Ray node the instance (replica) runs on"
    )


class PipelineContainer(ApiModel):
    ContainerHostname: str = Field(description="ContainerHostname, else container-<i>")
    Image: str | None = Field(None, description="none: the studio's script-mode serving")
    ModelDataUrl: str | None = None


class VariantDescription(ApiModel):
    VariantName: str
    ModelName: str
    CurrentWeight: float
    DesiredWeight: float
    CurrentInstanceCount: int = Field(description="healthy instances")
    DesiredInstanceCount: int
    InstanceType: str
    Runtime: str | None = None
    Instances: list[InstanceDescription]
    Containers: list[PipelineContainer] | None = Field(
        None,
        description="an inference pipeline: the containers every instance runs, in the"
        " order a request goes through them",
    )


class DescribeEndpointResponse(ApiModel):
    EndpointName: str
    EndpointConfigName: str
    EndpointStatus: Status
    FailureReason: str | None = None
    CreationTime: str
    LastModifiedTime: str
    Tags: dict[str, str] = Field(default_factory=dict)
    ProductionVariants: list[VariantDescription]
    DataCaptureConfig: dict[str, Any] | None = None


class LatencyPercentiles(ApiModel):
    P50: float | None = None
    P90: float | None = None
    P99: float | None = None


class FigureSeries(ApiModel):
    Time: list[int] = Field(description="start of each 10-second bucket, seconds since the epoch")
    Invocations: list[int]
    Errors: list[int]
    ModelLatencyP50: list[float | None]
    OverheadLatencyP50: list[float | None]


class VariantFigures(ApiModel):
    VariantName: str
    Invocations: int
    Invocation4XXErrors: int
    Invocation5XXErrors: int
    ModelLatency: LatencyPercentiles = Field(description="milliseconds")
    OverheadLatency: LatencyPercentiles = Field(description="milliseconds")
    Series: FigureSeries


class EndpointFiguresQuery(ApiModel):
    Minutes: float = Field(15, gt=0, le=60, description="window of percentiles and series")


class EndpointFiguresResponse(ApiModel):
    EndpointName: str
    Variants: list[VariantFigures]


class CapturesQuery(ApiModel):
    VariantName: str | None = None
    MaxResults: int = Field(50, ge=1, le=1000)


class CapturesResponse(ApiModel):
    Records: list[dict[str, Any]] = Field(description="SageMaker capture records, newest first")
    Files: list[str] = Field(description="URIs of the files the records came from")
    CaptureStatus: str = Field(description="Started or Stopped")


class EndpointLogsQuery(ApiModel):
    VariantName: str | None = Field(None, description="default: the first variant")
    Host: str = Field("algo-1", description="algo-1 .. algo-N")
    Offset: int = Field(0, ge=0, description="byte offset; pass the last NextOffset")


class EndpointLogs(ApiModel):
    Text: str
    NextOffset: int
    Complete: bool = Field(description="the instance is stopped and everything was read")


class ModelLoadTime(ApiModel):
    Last: float | None = Field(None, description="milliseconds, the latest load")
    Mean: float | None = Field(None, description="milliseconds, over every load")


class TargetModelFigures(ApiModel):
    TargetModel: str = Field(description="the archive under the model data prefix")
    Loaded: bool = Field(description="loaded on the instance now")
    Invocations: int
    Invocation4XXErrors: int
    Invocation5XXErrors: int
    ModelLatency: LatencyPercentiles = Field(description="milliseconds, newest 1000")
    Loads: int = Field(description="times it was fetched, unpacked and loaded")
    LoadTime: ModelLoadTime
    Evictions: int = Field(description="times it was unloaded to make room")
    LoadedAt: float | None = Field(None, description="seconds since the epoch; None: unloaded")
    LastInvokedAt: float | None = Field(None, description="seconds since the epoch")


class InstanceModels(ApiModel):
    Host: str = Field(description="algo-1 .. algo-N")
    LoadedModels: list[str] = Field(description="TargetModels loaded now, least recent first")
    Models: list[TargetModelFigures] = Field(description="every model the instance served")


class VariantModels(ApiModel):
    VariantName: str
    ModelName: str
    Mode: str = Field(description="SingleModel or MultiModel")
    ModelDataUrl: str | None = Field(None, description="the prefix of a multi-model variant")
    MaxModels: int | None = Field(None, description="most models loaded per instance")
    ModelCacheSetting: str | None = Field(None, description="Enabled or Disabled")
    Instances: list[InstanceModels] = Field(description="empty for a single-model variant")


class EndpointModelsResponse(ApiModel):
    EndpointName: str
    Variants: list[VariantModels] = Field(description="none while nothing is in service here")
