"""Request and response bodies of the chart routes (``/charts/...``)."""

from __future__ import annotations

from pydantic import Field

from ..entities import ChartSeries
from ..entities.charts import MAX_CHART_POINTS, MIN_CHART_POINTS
from ..entities.common import METRIC_NAME_MAX
from .schemas import ApiModel


class RunSelectionQuery(ApiModel):
    TrialComponentName: list[str] = Field(
        default_factory=list, description="A run to include; repeat the parameter for more"
    )
    ExperimentName: str | None = Field(
        default=None, description="Include every run of this experiment's trials"
    )


class MetricChartQuery(RunSelectionQuery):
    MetricName: str = Field(min_length=1, max_length=METRIC_NAME_MAX)
    MaxPoints: int = Field(
        default=500,
        ge=MIN_CHART_POINTS,
        le=MAX_CHART_POINTS,
        description="Most entries per run; a longer series is downsampled into step buckets",
    )


class MetricChartResponse(ApiModel):
    MetricName: str
    Series: list[ChartSeries] = Field(
        description="One entry per selected run that logged the metric, in selection order"
    )


class MetricNamesResponse(ApiModel):
    MetricNames: list[str]
