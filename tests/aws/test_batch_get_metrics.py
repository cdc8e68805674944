"""``sagemaker-metrics``' BatchGetMetrics through boto3: a trial component's metric per
step and per time period, each statistic, and the queries the studio refuses in place."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from jupyter_mlstudio.aws.credentials import AwsIdentity

from .conftest import client, in_thread

ARN = "arn:aws:sagemaker:us-east-1:000000000000:experiment-trial-component"
#: 2026-01-01 00:00:00 UTC, then a point every 20 s
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp()
#: (step, seconds after T0, value): step 1 logged twice
POINTS = [(0, 0, 4.0), (1, 20, 2.0), (1, 40, 3.0), (2, 70, 1.0)]


@pytest.fixture
def metrics(aws_endpoint: str, identity: AwsIdentity) -> Any:
    """boto3's ``sagemaker-metrics`` client."""
    return client("sagemaker-metrics", aws_endpoint, identity)


async def logged(sagemaker: Any, metrics: Any, name: str) -> None:
    await in_thread(lambda: sagemaker.create_trial_component(TrialComponentName=name))
    data = [
        {"MetricName": "loss", "Timestamp": T0 + at, "Step": step, "Value": value}
        for step, at, value in POINTS
    ]
    answer = await in_thread(
        lambda: metrics.batch_put_metrics(TrialComponentName=name, MetricData=data)
    )
    assert not answer.get("Errors")


def query(name: str, stat: str, period: str, axis: str, **more: Any) -> dict[str, Any]:
    return {
        "MetricName": "loss",
        "ResourceArn": f"{ARN}/{name}",
        "MetricStat": stat,
        "Period": period,
        "XAxisType": axis,
        **more,
    }


async def test_batch_get_metrics_per_step_and_per_period(sagemaker: Any, metrics: Any) -> None:
    await logged(sagemaker, metrics, "bgm-run")
    queries = [
        query("bgm-run", "Avg", "IterationNumber", "IterationNumber"),
        query("bgm-run", "Max", "IterationNumber", "IterationNumber"),
        query("bgm-run", "Last", "IterationNumber", "IterationNumber"),
        query("bgm-run", "Count", "OneMinute", "Timestamp"),
        query("bgm-run", "Min", "OneMinute", "Timestamp"),
        query("bgm-run", "StdDev", "FiveMinute", "Timestamp"),
        query("bgm-run", "Count", "OneMinute", "Timestamp", Start=int(T0) + 30),
    ]
    answer = await in_thread(lambda: metrics.batch_get_metrics(MetricQueries=queries))
    results = answer["MetricQueryResults"]
    assert [r["Status"] for r in results] == ["Complete"] * len(queries)
    by_step = [(r["XAxisValues"], r["MetricValues"]) for r in results[:3]]
    assert by_step == [
        ([0, 1, 2], [4.0, 2.5, 1.0]),
        ([0, 1, 2], [4.0, 3.0, 1.0]),
        ([0, 1, 2], [4.0, 3.0, 1.0]),
    ]
    minute = int(T0)
    assert (results[3]["XAxisValues"], results[3]["MetricValues"]) == (
        [minute, minute + 60],
        [3.0, 1.0],
    )
    assert results[4]["MetricValues"] == [2.0, 1.0]
    assert results[5]["XAxisValues"] == [minute]
    assert results[5]["MetricValues"] == [pytest.approx(1.118033988749895)]
    assert results[6]["MetricValues"] == [1.0, 1.0]  # from 00:00:30 on


async def test_batch_get_metrics_refuses_queries_one_by_one(sagemaker: Any, metrics: Any) -> None:
    await logged(sagemaker, metrics, "bgm-refused")
    queries = [
        query("bgm-refused", "Avg", "IterationNumber", "IterationNumber"),
        query("no-such-run", "Avg", "IterationNumber", "IterationNumber"),
        query("bgm-refused", "Avg", "OneHour", "IterationNumber"),
        {
            **query("bgm-refused", "Avg", "IterationNumber", "IterationNumber"),
            "ResourceArn": "arn:aws:sagemaker:us-east-1:000000000000:training-job/x",
        },
    ]
    answer = await in_thread(lambda: metrics.batch_get_metrics(MetricQueries=queries))
    results = answer["MetricQueryResults"]
    assert [r["Status"] for r in results] == ["Complete"] + ["ValidationError"] * 3
    assert "'no-such-run' does not exist" in results[1]["Message"]
    assert "needs Period IterationNumber" in results[2]["Message"]
    assert "metrics of trial components" in results[3]["Message"]
