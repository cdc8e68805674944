"""The queries and answers of a training job's Debugger and profiler routes: the tensors
its hook saved, one tensor over steps, and its hosts' profiler samples."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .schemas import ApiModel

#: a value the chart leaves out (a step where the tensor was not finite)
Number = float | None


class TensorSummaryBody(ApiModel):
    Name: str
    Collections: list[str] = Field(default_factory=list, description="e.g. losses, weights")
    Modes: list[str] = Field(default_factory=list, description="TRAIN, EVAL, ... it was saved in")
    Steps: int = Field(description="How many steps saved it")
    FirstStep: int | None = None
    LastStep: int | None = None
    Shape: list[int] = Field(default_factory=list, description="[] for a scalar")


class TensorsResponse(ApiModel):
    Tensors: list[TensorSummaryBody]
    Skipped: list[str] = Field(
        default_factory=list,
        description="What could not be read (a half-written or corrupt step), skipped",
    )


class TensorQuery(ApiModel):
    mode: Literal["TRAIN", "EVAL", "PREDICT", "GLOBAL"] | None = Field(
        None, description="Only the steps saved in this mode; all when left out"
    )


class TensorSeriesResponse(ApiModel):
    Name: str
    Mode: str | None = Field(None, description="The mode the steps are numbered by (GLOBAL: all)")
    Steps: list[int]
    Values: list[Number] = Field(
        default_factory=list, description="A scalar's value per step (empty for arrays)"
    )
    Mean: list[Number] = Field(default_factory=list, description="An array's mean per step")
    Min: list[Number] = Field(default_factory=list)
    Max: list[Number] = Field(default_factory=list)
    Norm: list[Number] = Field(default_factory=list, description="An array's L2 norm per step")


class ProfilerQuery(ApiModel):
    since: float | None = Field(
        None, description="Only samples taken after this time (epoch seconds)"
    )


class HostProfileBody(ApiModel):
    Host: str
    Timestamps: list[float] = Field(description="Epoch seconds of each sample")
    Series: dict[str, list[Number]] = Field(
        description="Figure → value per sample: cpu_percent (100 = one core), core<i>_percent,"
        " memory_percent, memory_bytes, io_wait_percent, disk and network rates"
        " (disk_read_bytes_per_second, net_rx_bytes_per_second, ...), GPU figures"
        " (gpu<i>_utilization_percent, gpu<i>_memory_percent) where a GPU is visible"
    )
    Skipped: int = Field(0, description="Sample lines that could not be read")


class ProfilerResponse(ApiModel):
    ProfilingStatus: Literal["Enabled", "Disabled"]
    IntervalMillis: int
    Hosts: list[HostProfileBody]
    Report: bool = Field(description="The ProfilerReport rule wrote its report (.../report)")
