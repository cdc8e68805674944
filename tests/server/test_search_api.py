"""The search routes through a real Jupyter server (jp_fetch): SageMaker's Search body,
records in SageMaker's shapes, names for completion, errors naming the member."""

from __future__ import annotations

import json
from typing import Any

from tornado.httpclient import HTTPClientError

from jupyter_mlstudio.entities import MetricPoint
from jupyter_mlstudio.testing.store_contract import T0

from .test_api import studio_of


def seed(jp_serverapp: Any) -> None:
    store = studio_of(jp_serverapp).store
    store.create_experiment("exp")
    store.create_trial("trial", "exp")
    for name, lr, accuracy in (("run-1", 0.001, 0.95), ("run-2", 0.1, 0.97), ("run-3", 0.005, 0.5)):
        store.create_trial_component(name, parameters={"lr": lr}, tags={"team": "a"})
        store.associate_trial_component(name, "trial")
        store.log_metrics(
            name, [MetricPoint(metric_name="accuracy", value=accuracy, step=0, timestamp=T0)]
        )


async def call(jp_fetch: Any, *path: str, **kwargs: Any) -> tuple[int, Any]:
    try:
        response = await jp_fetch("mlstudio", "api", *path, **kwargs)
    except HTTPClientError as exc:
        body = exc.response.body if exc.response is not None else b"{}"
        return exc.code, json.loads(body)
    return response.code, json.loads(response.body)


async def test_search_answers_sagemaker_shapes(jp_fetch: Any, jp_serverapp: Any) -> None:
    seed(jp_serverapp)
    request = {
        "Resource": "ExperimentTrialComponent",
        "SearchExpression": {
            "Filters": [
                {"Name": "Metrics.accuracy.Max", "Operator": "GreaterThan", "Value": "0.9"},
                {"Name": "Parameters.lr", "Operator": "LessThan", "Value": "0.01"},
            ]
        },
        "SortBy": "Metrics.accuracy.Max",
        "MaxResults": 1,
    }
    status, body = await call(jp_fetch, "search", method="POST", body=json.dumps(request))
    assert status == 200
    assert body["TotalHits"] == {"Value": 1, "Relation": "EqualTo"}
    (record,) = body["Results"]
    run = record["TrialComponent"]
    assert run["TrialComponentName"] == "run-1"
    assert run["Parents"] == [{"TrialName": "trial", "ExperimentName": "exp"}]
    assert run["Parameters"]["lr"] == {"NumberValue": 0.001}
    assert run["Metrics"][0]["MetricName"] == "accuracy"
    assert body["NextToken"] is None

    everything = {"Resource": "ExperimentTrialComponent", "SortBy": "Metrics.accuracy.Max"}
    _, first = await call(
        jp_fetch, "search", method="POST", body=json.dumps({**everything, "MaxResults": 2})
    )
    assert [r["TrialComponent"]["TrialComponentName"] for r in first["Results"]] == [
        "run-2",
        "run-1",
    ]
    _, second = await call(
        jp_fetch,
        "search",
        method="POST",
        body=json.dumps({**everything, "MaxResults": 2, "NextToken": first["NextToken"]}),
    )
    assert [r["TrialComponent"]["TrialComponentName"] for r in second["Results"]] == ["run-3"]


async def test_bad_expression_names_the_member(jp_fetch: Any, jp_serverapp: Any) -> None:
    seed(jp_serverapp)
    bad = {
        "Resource": "ExperimentTrialComponent",
        "SearchExpression": {
            "SubExpressions": [{"Filters": [{"Name": "Metrics.accuracy", "Operator": "Like"}]}]
        },
    }
    status, body = await call(jp_fetch, "search", method="POST", body=json.dumps(bad))
    assert status == 400
    assert body["field"] == "SearchExpression.SubExpressions[0].Filters[0].Operator"
    unknown = {
        "Resource": "ExperimentTrialComponent",
        "SearchExpression": {"Filters": [{"Name": "Color", "Operator": "Exists"}]},
    }
    status, body = await call(jp_fetch, "search", method="POST", body=json.dumps(unknown))
    assert status == 400
    assert body["field"] == "SearchExpression.Filters[0].Name"


async def test_names_for_completion(jp_fetch: Any, jp_serverapp: Any) -> None:
    seed(jp_serverapp)
    status, body = await call(
        jp_fetch, "search", "names", params={"Resource": "ExperimentTrialComponent"}
    )
    assert status == 200
    assert body == {"Parameters": ["lr"], "Metrics": ["accuracy"], "Tags": ["team"]}
    status, body = await call(jp_fetch, "search", "names", params={"Resource": "Endpoint"})
    assert status == 400
    assert body["field"] == "Resource"
