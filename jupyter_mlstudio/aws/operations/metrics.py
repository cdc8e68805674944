"""``sagemaker-metrics``' BatchGetMetrics: a trial component's metric series, aggregated.

The SDK v3's ``TrialComponent.batch_get_metrics`` sends it (REST-JSON, ``POST
/BatchGetMetrics``). Each query names a trial component by ARN, a metric, a statistic and
how points are grouped: by step (``Period`` ``IterationNumber``) or by time (one minute,
five minutes, an hour); ``XAxisType`` says what the x values are: the steps, or the
groups' times in epoch seconds. ``Start`` and ``End`` (epoch seconds) bound the points'
times. A query the studio cannot answer gets ``Status`` ``ValidationError`` and a message;
the others are answered all the same, as SageMaker does.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

from ...entities import MetricPoint
from ...exceptions import NotFoundError
from ..registry import METRICS, Call

#: ``experiment-trial-component/<name>``: the ARN resource of a trial component
TRIAL_COMPONENT = "experiment-trial-component/"
#: a time period's length in seconds
PERIODS = {"OneMinute": 60, "FiveMinute": 300, "OneHour": 3600}
STATS: dict[str, Callable[[list[float]], float]] = {
    "Min": min,
    "Max": max,
    "Avg": statistics.fmean,
    "Count": lambda values: float(len(values)),
    "StdDev": statistics.pstdev,
    "Last": lambda values: values[-1],
}


@METRICS.operation("BatchGetMetrics")
def batch_get_metrics(call: Call) -> dict[str, Any]:
    """Answer each metric query: a statistic of a trial component's metric per step or per
    time period.

    Args:
        call: A BatchGetMetrics request (``sagemaker-metrics``).

    Returns:
        ``MetricQueryResults``, one per query, in order.
    """
    return {"MetricQueryResults": [_answer(call, query) for query in call.params["MetricQueries"]]}


def _answer(call: Call, query: dict[str, Any]) -> dict[str, Any]:
    arn = query["ResourceArn"]
    _, found, name = arn.partition(TRIAL_COMPONENT)
    if not found or not name:
        return _refused(f"ResourceArn {arn!r}: the studio keeps metrics of trial components")
    period, axis = query["Period"], query["XAxisType"]
    if axis == "IterationNumber" and period != "IterationNumber":
        return _refused("XAxisType IterationNumber needs Period IterationNumber")
    try:
        store = call.studio.store
        store.get_trial_component(name)
        series = store.get_metric_series(name, query["MetricName"])
    except NotFoundError:
        return _refused(f"trial component {name!r} does not exist")
    begin, end = query.get("Start"), query.get("End")
    points = [
        p
        for p in series
        if (begin is None or p.timestamp.timestamp() >= begin)
        and (end is None or p.timestamp.timestamp() <= end)
    ]
    groups: dict[float, list[MetricPoint]] = {}
    for point in sorted(points, key=lambda p: p.timestamp):
        if period == "IterationNumber":
            if point.step is None:
                continue
            key = float(point.step)
        else:
            seconds = PERIODS[period]
            key = float(int(point.timestamp.timestamp()) // seconds * seconds)
        groups.setdefault(key, []).append(point)
    keys = sorted(groups)
    stat = STATS[query["MetricStat"]]
    x_values = [
        key
        if axis == "IterationNumber" or period != "IterationNumber"
        # steps grouped, times asked: each step's last time
        else float(int(groups[key][-1].timestamp.timestamp()))
        for key in keys
    ]
    return {
        "Status": "Complete",
        "XAxisValues": [int(x) for x in x_values],
        "MetricValues": [stat([p.value for p in groups[key]]) for key in keys],
    }


def _refused(message: str) -> dict[str, Any]:
    return {"Status": "ValidationError", "Message": message}
