"""``GET /experiments/{ExperimentName}/runs``: the experiment view's sorted, filtered,
keyset-paged runs, and the experiments listing's pages (jp_fetch)."""

from __future__ import annotations

import json
from typing import Any

from .test_api import call


async def _seed(jp_fetch: Any, runs: int = 5) -> None:
    assert (await call(jp_fetch, "POST", "experiments", body={"ExperimentName": "e"}))[0] == 201
    trial = {"TrialName": "t", "ExperimentName": "e"}
    assert (await call(jp_fetch, "POST", "trials", body=trial))[0] == 201
    for i in range(runs):
        body: dict[str, Any] = {"TrialComponentName": f"r{i}", "TrialName": "t"}
        body["Parameters"] = {"lr": i / 10}
        assert (await call(jp_fetch, "POST", "trial-components", body=body))[0] == 201
        data = {"MetricData": [{"MetricName": "loss", "Value": float(i % 3), "Step": 0}]}
        status, _ = await call(jp_fetch, "POST", "trial-components", f"r{i}", "metrics", body=data)
        assert status in (200, 204)


async def _runs(jp_fetch: Any, **params: Any) -> Any:
    return await call(jp_fetch, "GET", "experiments", "e", "runs", params=params)


async def test_pages_sorted_by_a_metric(jp_fetch: Any) -> None:
    await _seed(jp_fetch)
    names: list[str] = []
    params: dict[str, Any] = {"SortBy": "Metrics.loss.Last", "SortOrder": "Ascending"}
    while True:
        status, body = await _runs(jp_fetch, MaxResults=2, **params)
        assert status == 200
        assert len(body["TrialComponentSummaries"]) <= 2
        names += [r["TrialComponentName"] for r in body["TrialComponentSummaries"]]
        if body.get("NextToken") is None:
            break
        params["NextToken"] = body["NextToken"]
    assert names == ["r0", "r3", "r1", "r4", "r2"]  # loss 0, 0, 1, 1, 2


async def test_filters(jp_fetch: Any) -> None:
    await _seed(jp_fetch)
    ranges = json.dumps(
        [{"Key": "Parameters.lr", "Min": 0.15}, {"Key": "Metrics.loss.Max", "Max": 1}]
    )
    status, body = await _runs(jp_fetch, Ranges=ranges, SortBy="Name", SortOrder="Ascending")
    assert status == 200
    assert [r["TrialComponentName"] for r in body["TrialComponentSummaries"]] == ["r3", "r4"]
    status, body = await _runs(jp_fetch, NameContains="R2", Status="InProgress")
    assert [r["TrialComponentName"] for r in body["TrialComponentSummaries"]] == ["r2"]
    assert body["TrialComponentSummaries"][0]["Parameters"] == {"lr": 0.2}


async def test_errors_name_the_field(jp_fetch: Any) -> None:
    await _seed(jp_fetch, 1)
    for params, field in (
        ({"SortBy": "Status"}, "SortBy"),
        ({"Ranges": "[{"}, "Ranges"),
        ({"Ranges": json.dumps([{"Key": "Name"}])}, "Range"),
        ({"NextToken": "x"}, "NextToken"),
        ({"MaxResults": 0}, "MaxResults"),
    ):
        status, body = await _runs(jp_fetch, **params)
        assert status == 400, params
        assert body["field"] == field, params
    status, body = await call(jp_fetch, "GET", "experiments", "missing", "runs")
    assert status == 404


async def test_experiments_list_in_keyset_pages(jp_fetch: Any) -> None:
    for i in range(5):
        body = {"ExperimentName": f"x{i}"}
        assert (await call(jp_fetch, "POST", "experiments", body=body))[0] == 201
    names: list[str] = []
    query: dict[str, Any] = {"MaxResults": 2, "SortBy": "Name", "SortOrder": "Ascending"}
    while True:
        status, body = await call(jp_fetch, "GET", "experiments", params=query)
        assert status == 200
        names += [x["ExperimentName"] for x in body["ExperimentSummaries"]]
        if body.get("NextToken") is None:
            break
        query["NextToken"] = body["NextToken"]
    assert names == ["x0", "x1", "x2", "x3", "x4"]
