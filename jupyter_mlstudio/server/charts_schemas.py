"""Request and response bodies of the chart routes (``/charts/...``).

Each route takes its selection as a query (GET, repeating ``TrialComponentName``) or as
a JSON body (POST): a query string holds at most 1,000 fields (tornado's limit, checked
before any handler runs), so only the body form reaches ``MAX_CHART_RUNS`` runs.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ..entities import ChartSeries
from ..entities.charts import MAX_CHART_POINTS, MAX_CHART_RUNS, MIN_CHART_POINTS
from ..entities.common import METRIC_NAME_MAX
from .schemas import ApiModel

MetricNameField = Annotated[str, Field(min_length=1, max_length=METRIC_NAME_MAX)]
MaxPointsField = Annotated[
    int,
    Field(
        ge=MIN_CHART_POINTS,
        le=MAX_CHART_POINTS,
        description="Most entries per run; a longer series is downsampled into step buckets",
    ),
]


class RunSelectionRequest(ApiModel):
    TrialComponentName: list[str] = Field(
        default_factory=list,
        max_length=MAX_CHART_RUNS,
        description=f"The runs to include, in order (at most {MAX_CHART_RUNS:,})",
    )
    ExperimentName: str | None = Field(
        default=None, description="Include every run of this experiment's trials"
    )


#: The columns of a series besides ``Steps``, by their API names (the keys of
#: ``store.base.CHART_FIELDS``).
ChartColumn = Literal["Min", "Max", "Last", "Avg", "Count"]


class MetricChartRequest(RunSelectionRequest):
    MetricName: MetricNameField
    MaxPoints: MaxPointsField = 500
    Fields: list[ChartColumn] | None = Field(
        default=None,
        description=(
            "The columns to fill besides Steps (all by default); the others come back "
            "empty. A chart of many lines needs only Last: a third of the body."
        ),
    )


_QUERY_RUNS = (
    "A run to include; repeat the parameter for more (a query holds fewer than 1,000: "
    "POST the selection for more)"
)


class RunSelectionQuery(RunSelectionRequest):
    TrialComponentName: list[str] = Field(default_factory=list, description=_QUERY_RUNS)


class MetricChartQuery(MetricChartRequest):
    TrialComponentName: list[str] = Field(default_factory=list, description=_QUERY_RUNS)
    Fields: list[ChartColumn] | None = Field(
        default=None,
        description="A column to fill besides Steps; repeat for more (all by default)",
    )


class MetricChartResponse(ApiModel):
    MetricName: str
    Series: list[ChartSeries] = Field(
        description="One entry per selected run that logged the metric, in selection order"
    )


class MetricNamesResponse(ApiModel):
    MetricNames: list[str]
