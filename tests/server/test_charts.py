"""The chart routes through a real Jupyter server (jp_fetch)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from jupyter_mlstudio.entities import MetricPoint
from jupyter_mlstudio.testing.store_contract import T0

from .test_api import studio_of


def seed(jp_serverapp: Any) -> None:
    store = studio_of(jp_serverapp).store
    store.create_experiment("exp")
    store.create_trial("trial", "exp")
    for run, length in (("long-run", 5000), ("short-run", 3), ("other-run", 2)):
        store.create_trial_component(run)
        if run != "other-run":
            store.associate_trial_component(run, "trial")
        store.log_metrics(
            run,
            [
                MetricPoint(
                    metric_name="loss",
                    value=1.0 / (step + 1),
                    step=step,
                    timestamp=T0 + timedelta(seconds=step),
                )
                for step in range(length)
            ],
        )
    store.log_metrics(
        "short-run", [MetricPoint(metric_name="acc", value=0.5, step=0, timestamp=T0)]
    )


async def get(jp_fetch: Any, route: str, params: list[tuple[str, str]]) -> tuple[int, Any]:
    try:
        response = await jp_fetch("mlstudio", "api", "charts", route, params=params)
    except HTTPClientError as exc:
        body = exc.response.body if exc.response is not None else b"{}"
        return exc.code, json.loads(body)
    return response.code, json.loads(response.body)


async def test_chart_of_named_runs_is_columnar(jp_fetch: Any, jp_serverapp: Any) -> None:
    seed(jp_serverapp)
    status, body = await get(
        jp_fetch,
        "metrics",
        [
            ("MetricName", "loss"),
            ("TrialComponentName", "short-run"),
            ("TrialComponentName", "long-run"),
            ("MaxPoints", "100"),
        ],
    )
    assert status == 200
    assert body["MetricName"] == "loss"
    short, long = body["Series"]
    assert short["TrialComponentName"] == "short-run"
    assert short["Exact"] is True
    assert short["Steps"] == [0, 1, 2]
    assert short["Last"] == [1.0, 0.5, 1 / 3]
    assert short["Min"] == short["Max"] == short["Last"]
    assert long["TrialComponentName"] == "long-run"
    assert long["Exact"] is False
    assert long["PointCount"] == 5000
    assert long["BucketWidth"] == 64
    assert len(long["Steps"]) == 79
    assert long["Steps"][:2] == [63, 127]
    assert long["Max"][0] == 1.0
    assert long["Last"][0] == 1 / 64
    assert sum(long["Count"]) == 5000
    for column in ("Min", "Max", "Last", "Avg", "Count"):
        assert len(long[column]) == len(long["Steps"])


async def test_chart_of_an_experiment(jp_fetch: Any, jp_serverapp: Any) -> None:
    seed(jp_serverapp)
    status, body = await get(
        jp_fetch,
        "metrics",
        [("MetricName", "loss"), ("ExperimentName", "exp"), ("TrialComponentName", "other-run")],
    )
    assert status == 200
    assert [s["TrialComponentName"] for s in body["Series"]] == [
        "other-run",
        "long-run",
        "short-run",
    ]
    assert len(body["Series"][1]["Steps"]) <= 500
    status, body = await get(jp_fetch, "metrics", [("MetricName", "loss")])
    assert (status, body["Series"]) == (200, [])
    status, body = await get(jp_fetch, "metric-names", [("ExperimentName", "exp")])
    assert (status, body) == (200, {"MetricNames": ["acc", "loss"]})
    status, body = await get(jp_fetch, "metric-names", [("TrialComponentName", "other-run")])
    assert (status, body) == (200, {"MetricNames": ["loss"]})


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ([("TrialComponentName", "short-run")], 400, "MetricName"),
        ([("MetricName", "loss"), ("MaxPoints", "5")], 400, "MaxPoints"),
        ([("MetricName", "loss"), ("MaxPoints", "many")], 400, "MaxPoints"),
        ([("MetricName", "loss"), ("TrialComponentName", "bad name")], 400, "TrialComponentName"),
        ([("MetricName", "loss"), ("Bogus", "1")], 400, "Bogus"),
        ([("MetricName", "loss"), ("TrialComponentName", "missing")], 404, None),
        ([("MetricName", "loss"), ("ExperimentName", "missing")], 404, None),
    ],
)
async def test_chart_errors(
    jp_fetch: Any, jp_serverapp: Any, params: list[tuple[str, str]], status: int, field: Any
) -> None:
    seed(jp_serverapp)
    got, body = await get(jp_fetch, "metrics", params)
    assert got == status
    assert body.get("field") == field
    assert body["code"] == ("ValidationException" if status == 400 else "ResourceNotFound")


async def test_chart_needs_the_token(jp_fetch: Any) -> None:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(
            "mlstudio",
            "api",
            "charts",
            "metrics",
            params={"MetricName": "loss"},
            headers={"Authorization": ""},
        )
    assert info.value.code == 403


async def test_a_chart_of_1000_runs_posts_its_selection(jp_fetch: Any, jp_serverapp: Any) -> None:
    """The compare view's maximum: 1,000 names, in a POST body (what the frontend sends)
    or as query fields (the studio raises tornado's limit of 1,000 fields)."""
    store = studio_of(jp_serverapp).store
    names = [f"run-{i:04d}" for i in range(1000)]
    for i, name in enumerate(names):
        store.create_trial_component(name)
        point = MetricPoint(metric_name="loss", value=1 / (i + 1), step=0, timestamp=T0)
        store.log_metrics(name, [point])
    selection = {"TrialComponentName": names}
    response = await jp_fetch(
        "mlstudio",
        "api",
        "charts",
        "metrics",
        method="POST",
        body=json.dumps({**selection, "MetricName": "loss", "MaxPoints": 10}),
    )
    body = json.loads(response.body)
    assert response.code == 200
    assert [s["TrialComponentName"] for s in body["Series"]] == names
    assert body["Series"][999]["Last"] == [1 / 1000]
    response = await jp_fetch(
        "mlstudio", "api", "charts", "metric-names", method="POST", body=json.dumps(selection)
    )
    assert json.loads(response.body) == {"MetricNames": ["loss"]}
    # and as 1,000 query fields, which tornado refused by default with an empty 400
    query = [("MetricName", "loss"), ("MaxPoints", "10")]
    query += [("TrialComponentName", name) for name in names]
    response = await jp_fetch("mlstudio", "api", "charts", "metrics", params=query)
    assert [s["TrialComponentName"] for s in json.loads(response.body)["Series"]] == names


@pytest.mark.parametrize(
    ("route", "body", "field"),
    [
        ("metrics", {"TrialComponentName": ["short-run"]}, "MetricName"),
        (
            "metrics",
            {"MetricName": "loss", "TrialComponentName": "short-run"},
            "TrialComponentName",
        ),
        (
            "metrics",
            {"MetricName": "loss", "TrialComponentName": [f"r{i}" for i in range(1001)]},
            "TrialComponentName",
        ),
        ("metrics", {"MetricName": "loss", "MaxPoints": 5}, "MaxPoints"),
        ("metric-names", {"TrialComponentName": ["short-run"], "Bogus": 1}, "Bogus"),
    ],
)
async def test_posted_selection_errors(
    jp_fetch: Any, jp_serverapp: Any, route: str, body: dict[str, Any], field: str
) -> None:
    seed(jp_serverapp)
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("mlstudio", "api", "charts", route, method="POST", body=json.dumps(body))
    assert info.value.code == 400
    assert info.value.response is not None
    assert json.loads(info.value.response.body)["field"] == field


async def test_posted_selection_of_an_experiment(jp_fetch: Any, jp_serverapp: Any) -> None:
    seed(jp_serverapp)
    response = await jp_fetch(
        "mlstudio",
        "api",
        "charts",
        "metrics",
        method="POST",
        body=json.dumps({"MetricName": "loss", "ExperimentName": "exp"}),
    )
    names = [s["TrialComponentName"] for s in json.loads(response.body)["Series"]]
    assert names == ["long-run", "short-run"]


async def test_fields_leave_the_other_columns_empty(jp_fetch: Any, jp_serverapp: Any) -> None:
    """The compare view asks for Last only: the other columns come back empty."""
    seed(jp_serverapp)
    full_status, full = await get(
        jp_fetch,
        "metrics",
        [("MetricName", "loss"), ("TrialComponentName", "long-run"), ("MaxPoints", "100")],
    )
    status, body = await get(
        jp_fetch,
        "metrics",
        [
            ("MetricName", "loss"),
            ("TrialComponentName", "long-run"),
            ("MaxPoints", "100"),
            ("Fields", "Last"),
            ("Fields", "Count"),
        ],
    )
    assert (full_status, status) == (200, 200)
    (series,) = body["Series"]
    (whole,) = full["Series"]
    assert series["Steps"] == whole["Steps"]
    assert series["Last"] == whole["Last"]
    assert series["Count"] == whole["Count"]
    assert series["Min"] == series["Max"] == series["Avg"] == []
    assert series["BucketWidth"] == 64
    assert series["PointCount"] == 5000
    response = await jp_fetch(
        "mlstudio",
        "api",
        "charts",
        "metrics",
        method="POST",
        body=json.dumps(
            {"MetricName": "loss", "TrialComponentName": ["short-run"], "Fields": ["Last"]}
        ),
    )
    (short,) = json.loads(response.body)["Series"]
    assert (short["Steps"], short["Last"], short["Min"]) == ([0, 1, 2], [1.0, 0.5, 1 / 3], [])
    status, body = await get(jp_fetch, "metrics", [("MetricName", "loss"), ("Fields", "Steps")])
    assert (status, body.get("field")) == (400, "Fields[0]")


async def test_posted_fields_equal_the_whole_answer(jp_fetch: Any, jp_serverapp: Any) -> None:
    """Each column asked for is the all-columns answer's, exact and bucketed alike; the
    others are empty (the store reads only the columns asked for)."""
    seed(jp_serverapp)

    async def post(fields: list[str] | None) -> list[dict[str, Any]]:
        body: dict[str, Any] = {
            "MetricName": "loss",
            "TrialComponentName": ["long-run", "short-run"],
            "MaxPoints": 100,
        }
        if fields is not None:
            body["Fields"] = fields
        response = await jp_fetch(
            "mlstudio", "api", "charts", "metrics", method="POST", body=json.dumps(body)
        )
        return list(json.loads(response.body)["Series"])

    whole = await post(None)
    assert [s["Exact"] for s in whole] == [False, True]
    columns = ("Min", "Max", "Last", "Avg", "Count")
    for fields in (["Last"], ["Avg"], ["Min", "Max"], ["Count", "Avg"], []):
        for got, full in zip(await post(fields), whole, strict=True):
            assert {k: v for k, v in got.items() if k not in columns} == {
                k: v for k, v in full.items() if k not in columns
            }
            for column in columns:
                assert got[column] == (full[column] if column in fields else []), column
