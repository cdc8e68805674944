"""``POST /mlstudio/api/trial-components/{name}/metrics`` with a columnar body
(``Columns``, what the SDK sends) beside the point-an-object body (``MetricData``)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from jupyter_mlstudio.store.columns import micros_of

from .test_api import call

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
US0 = micros_of(T0)


def body(n: int = 3, **replace: Any) -> dict[str, Any]:
    columns: dict[str, Any] = {
        "MetricName": ["loss"] * n,
        "Value": [1.0 / (i + 1) for i in range(n)],
        "Step": list(range(n)),
        "Timestamp": [US0 + i for i in range(n)],
    }
    columns.update(replace)
    return {"Columns": columns}


async def _run(jp_fetch: Any, name: str = "r1") -> None:
    status, _ = await call(jp_fetch, "POST", "trial-components", body={"TrialComponentName": name})
    assert status == 201


async def _series(jp_fetch: Any, metric: str = "loss") -> list[dict[str, Any]]:
    status, got = await call(jp_fetch, "GET", "trial-components", "r1", "metrics", metric)
    assert status == 200
    points: list[dict[str, Any]] = got["Points"]
    return points


async def test_columns_are_written_like_points(jp_fetch: Any) -> None:
    await _run(jp_fetch)
    sent = body(3, MetricName=["loss", "acc", "loss"], Step=[0, None, 5])
    status, _ = await call(jp_fetch, "POST", "trial-components", "r1", "metrics", body=sent)
    assert status == 204
    loss = await _series(jp_fetch)
    assert [(p["Step"], p["Value"]) for p in loss] == [(0, 1.0), (5, 1.0 / 3)]
    assert loss[1]["Timestamp"].startswith("2026-01-01T00:00:00.000002")
    acc = await _series(jp_fetch, "acc")
    assert [(p.get("Step"), p["Value"]) for p in acc] == [(None, 0.5)]
    old = {"MetricData": [{"MetricName": "loss", "Value": 7.0, "Step": 9}]}
    status, _ = await call(jp_fetch, "POST", "trial-components", "r1", "metrics", body=old)
    assert status == 204  # the old shape still works
    assert [p["Value"] for p in await _series(jp_fetch)][-1] == 7.0
    status, run = await call(jp_fetch, "GET", "trial-components", "r1")
    counts = {m["MetricName"]: m["Count"] for m in run["Metrics"]}
    assert counts == {"acc": 1, "loss": 3}


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        (body(3, Value=[1.0, "NaN", 2.0]), "Columns.Value[1]"),
        (body(3, Value=[1.0, 2.0, "x"]), "Columns.Value[2]"),
        (body(3, Step=[0, -1, 2]), "Columns.Step[1]"),
        (body(3, Step=[0, 1, 2**63]), "Columns.Step[2]"),
        (body(3, Timestamp=[US0, 2.5, US0]), "Columns.Timestamp[1]"),
        (body(3, Timestamp=[US0, US0, 10**18]), "Columns.Timestamp[2]"),
        (body(3, MetricName=["loss", "x" * 256, "loss"]), "Columns.MetricName[1]"),
        (body(3, MetricName=["loss", "loss", ""]), "Columns.MetricName[2]"),
        (body(3, Step=[0, 1]), "Columns"),
        (body(3, Unknown=[1]), "Columns.Unknown"),
        ({"Columns": {"MetricName": ["loss"], "Value": [1.0], "Step": [0]}}, "Columns.Timestamp"),
        (body(10_001), "Columns.MetricName"),
        ({**body(1), "MetricData": [{"MetricName": "loss", "Value": 1.0}]}, "MetricData"),
        ({}, "MetricData"),
    ],
)
async def test_bad_columns_are_a_400_naming_the_field(
    jp_fetch: Any, sent: dict[str, Any], field: str
) -> None:
    await _run(jp_fetch)
    status, err = await call(jp_fetch, "POST", "trial-components", "r1", "metrics", body=sent)
    assert (status, err["code"], err["field"]) == (400, "ValidationException", field)
    assert await _series(jp_fetch) == []


async def test_columns_for_an_unknown_run_are_a_404(jp_fetch: Any) -> None:
    status, err = await call(jp_fetch, "POST", "trial-components", "nope", "metrics", body=body())
    assert (status, err["code"]) == (404, "ResourceNotFound")
