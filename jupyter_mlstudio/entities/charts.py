"""Chart data: a metric series of one run, downsampled for plotting (columnar)."""

from __future__ import annotations

from .common import Entity

#: Most runs one chart request may name (the compare view's limit).
MAX_CHART_RUNS = 1000
#: Bounds of ``max_points`` (points per run in a chart).
MIN_CHART_POINTS = 10
MAX_CHART_POINTS = 10_000


class ChartSeries(Entity):
    """One run's series of one metric, as parallel columns.

    Entry ``i`` describes the points charted at ``steps[i]``: when ``exact`` each entry is
    one step of the raw series (``min``/``max``/``avg`` over the points logged at that
    step, ``last`` the one logged last); otherwise each entry is a bucket of
    ``bucket_width`` steps, drawn at ``steps[i]`` = the greatest step in the bucket, with
    ``last`` the value there and ``min``/``max``/``avg``/``count`` over the whole bucket.
    Steps are in increasing order. A point logged without a step is charted at its
    sequence number (how many points of the metric the run had before it).
    """

    trial_component_name: str
    metric_name: str
    exact: bool
    bucket_width: int
    point_count: int
    steps: list[int]
    min: list[float]
    max: list[float]
    last: list[float]
    avg: list[float]
    count: list[int]
