"""Issue 19's store defects through the REST API (jp_fetch): huge metric values, datetimes
at the ends of the calendar, crafted page tokens, and the fields of 409s and 404s.

Every body is read with a strict JSON parser (NaN and Infinity refused) and checked for
what must never reach a client: SQL statements, file paths, tracebacks.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

_LEAKS = re.compile(r"SELECT |INSERT |UPDATE |\[SQL|Traceback|File \"|\.py\b|sqlalchemy|/tmp/")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"the body carries {name}, which is not JSON")


async def fetch(jp_fetch: Any, method: str, *parts: str, body: Any = None, **kw: Any) -> Any:
    """``(status, body)``, the body parsed strictly and checked for leaked internals."""
    kwargs: dict[str, Any] = {"method": method, **kw}
    if body is not None or method in ("POST", "PUT", "PATCH"):
        kwargs["body"] = json.dumps(body if body is not None else {})
    try:
        response = await jp_fetch("mlstudio", "api", *parts, **kwargs)
    except HTTPClientError as exc:
        status, raw = exc.code, exc.response.body if exc.response is not None else b""
    else:
        status, raw = response.code, response.body
    text = raw.decode() if raw else ""
    assert not _LEAKS.search(text), text
    return status, (json.loads(text, parse_constant=_refuse_constant) if text else None)


async def _run(jp_fetch: Any, name: str = "ovf") -> None:
    status, _ = await fetch(jp_fetch, "POST", "trial-components", body={"TrialComponentName": name})
    assert status == 201


async def _log(jp_fetch: Any, run: str, *points: dict[str, Any]) -> Any:
    return await fetch(
        jp_fetch, "POST", "trial-components", run, "metrics", body={"MetricData": list(points)}
    )


async def test_huge_values_in_one_batch_are_summarised(jp_fetch: Any) -> None:
    await _run(jp_fetch)
    status, body = await _log(
        jp_fetch, "ovf", {"MetricName": "x", "Value": 1e200}, {"MetricName": "x", "Value": -1e200}
    )
    assert status == 204, body
    status, run = await fetch(jp_fetch, "GET", "trial-components", "ovf")
    assert status == 200
    (summary,) = run["Metrics"]
    assert summary["Avg"] == 0.0
    assert summary["StdDev"] == pytest.approx(1e200, rel=1e-15)


async def test_huge_values_in_two_batches_keep_responses_json(jp_fetch: Any) -> None:
    await _run(jp_fetch)
    for value in (1.5e308, -1.5e308):
        status, body = await _log(jp_fetch, "ovf", {"MetricName": "x", "Value": value, "Step": 0})
        assert status == 204, body
    status, run = await fetch(jp_fetch, "GET", "trial-components", "ovf")
    assert status == 200
    (summary,) = run["Metrics"]
    assert (summary["Avg"], summary["StdDev"]) == (0.0, 1.5e308)
    status, listing = await fetch(jp_fetch, "GET", "trial-components")
    assert status == 200
    assert [r["TrialComponentName"] for r in listing["TrialComponentSummaries"]] == ["ovf"]
    status, chart = await fetch(
        jp_fetch,
        "GET",
        "charts",
        "metrics",
        params=[("TrialComponentName", "ovf"), ("MetricName", "x")],
    )
    assert status == 200
    assert chart["Series"][0]["Avg"] == [0.0]


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
async def test_metric_time_outside_utc_is_a_400(jp_fetch: Any, stamp: str) -> None:
    await _run(jp_fetch)
    status, body = await _log(
        jp_fetch,
        "ovf",
        {"MetricName": "x", "Value": 1.0},
        {"MetricName": "x", "Value": 1.0, "Timestamp": stamp},
    )
    assert status == 400, body
    assert body["field"] == "MetricData[1].Timestamp"


@pytest.mark.parametrize("field", ["StartTime", "EndTime"])
async def test_run_time_outside_utc_is_a_400(jp_fetch: Any, field: str) -> None:
    await _run(jp_fetch)
    status, body = await fetch(
        jp_fetch, "PATCH", "trial-components", "ovf", body={field: "9999-12-31T23:59:59-01:00"}
    )
    assert status == 400, body
    assert body["field"] == field


def _token(body: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "token",
    [
        {"s": "trial-components/Descending", "k": "not-a-time", "i": 1},
        {"s": "trial-components/Descending", "k": {"dt": "2024-01-01T00:00:00+00:00"}, "i": 2**70},
    ],
)
async def test_crafted_next_token_is_a_400(jp_fetch: Any, token: dict[str, Any]) -> None:
    await _run(jp_fetch)
    status, body = await fetch(
        jp_fetch, "GET", "trial-components", params={"NextToken": _token(token)}
    )
    assert status == 400, body
    assert body["field"] == "NextToken"


async def test_conflicts_and_missing_parent_name_the_field(jp_fetch: Any) -> None:
    creations = [
        ("experiments", {"ExperimentName": "e"}, "ExperimentName"),
        ("trials", {"TrialName": "t", "ExperimentName": "e"}, "TrialName"),
        ("trial-components", {"TrialComponentName": "r"}, "TrialComponentName"),
        ("models", {"ModelName": "m", "PrimaryContainer": {"Image": "img"}}, "ModelName"),
        (
            "endpoint-configs",
            {
                "EndpointConfigName": "c",
                "ProductionVariants": [{"VariantName": "v", "ModelName": "m"}],
            },
            "EndpointConfigName",
        ),
    ]
    for route, request, field in creations:
        status, body = await fetch(jp_fetch, "POST", route, body=request)
        assert status == 201, body
        status, body = await fetch(jp_fetch, "POST", route, body=request)
        assert (status, body["field"]) == (409, field), body
    status, body = await fetch(
        jp_fetch, "POST", "trials", body={"TrialName": "t2", "ExperimentName": "nope"}
    )
    assert (status, body["field"]) == (404, "ExperimentName"), body
