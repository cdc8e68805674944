"""The REST API through a real Jupyter server (jp_fetch)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from jupyter_mlstudio.services.studio import Studio


def studio_of(jp_serverapp: Any) -> Studio:
    apps = jp_serverapp.extension_manager.extension_apps["jupyter_mlstudio"]
    (app,) = apps
    studio: Studio = app.studio
    return studio


async def call(jp_fetch: Any, method: str, *parts: str, body: Any = None, **kw: Any) -> Any:
    """Call the API; return (status, parsed JSON or None) for successes and errors alike."""
    kwargs: dict[str, Any] = {"method": method, **kw}
    if body is not None:
        kwargs["body"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
    elif method in ("POST", "PUT", "PATCH"):
        kwargs["body"] = "{}"
    try:
        response = await jp_fetch("mlstudio", "api", *parts, **kwargs)
    except HTTPClientError as exc:
        error = exc
    else:
        return response.code, (json.loads(response.body) if response.body else None)
    assert error.response is not None
    assert error.response.headers["Content-Type"].startswith("application/json")
    return error.code, json.loads(error.response.body)


async def test_health_reports_store_artifacts_and_runtimes(jp_fetch: Any, studio_home: Any) -> None:
    status, body = await call(jp_fetch, "GET", "health")
    assert status == 200
    assert body["Store"]["Backend"] == "sqlite"
    assert body["Store"]["Ok"] is True
    assert body["Store"]["SchemaRevision"] == body["Store"]["HeadRevision"]
    assert str(studio_home) in body["Store"]["Url"]
    assert body["ArtifactRoot"]["Ok"] is True
    assert body["ArtifactRoot"]["Uri"].startswith("file://")
    names = {r["Name"]: r for r in body["Runtimes"]}
    assert names["process"]["Available"] is True
    assert "docker" in names
    assert body["DefaultRuntime"] == "process"


async def test_experiment_trial_run_and_metrics_flow(jp_fetch: Any) -> None:
    status, exp = await call(
        jp_fetch, "POST", "experiments", body={"ExperimentName": "churn", "Tags": {"team": "a"}}
    )
    assert status == 201
    assert exp["ExperimentName"] == "churn"
    assert exp["Tags"] == {"team": "a"}

    status, _ = await call(
        jp_fetch, "POST", "trials", body={"TrialName": "churn-t1", "ExperimentName": "churn"}
    )
    assert status == 201
    status, run = await call(
        jp_fetch,
        "POST",
        "trial-components",
        body={
            "TrialComponentName": "churn-run-1",
            "TrialName": "churn-t1",
            "Parameters": {"lr": 0.1, "optimizer": "adam"},
        },
    )
    assert status == 201
    assert run["Status"]["PrimaryStatus"] == "InProgress"
    assert run["Parameters"] == {"lr": 0.1, "optimizer": "adam"}
    assert run["TrialNames"] == ["churn-t1"]

    data = [
        {"MetricName": "loss", "Value": float(v), "Step": i} for i, v in enumerate(range(1, 11))
    ]
    status, _ = await call(
        jp_fetch, "POST", "trial-components", "churn-run-1", "metrics", body={"MetricData": data}
    )
    assert status == 204

    status, page = await call(
        jp_fetch, "GET", "trial-components", params={"ExperimentName": "churn"}
    )
    assert status == 200
    (summary,) = page["TrialComponentSummaries"]
    (loss,) = summary["Metrics"]
    assert (loss["Min"], loss["Max"], loss["Last"], loss["Count"], loss["Avg"]) == (
        1.0,
        10.0,
        10.0,
        10,
        5.5,
    )
    assert loss["StdDev"] == pytest.approx(8.25**0.5)

    status, series = await call(
        jp_fetch, "GET", "trial-components", "churn-run-1", "metrics", "loss"
    )
    assert status == 200
    assert [p["Value"] for p in series["Points"]] == [float(v) for v in range(1, 11)]
    assert [p["Step"] for p in series["Points"]] == list(range(10))

    status, listing = await call(jp_fetch, "GET", "experiments", params={"NameContains": "chu"})
    assert status == 200
    (row,) = listing["ExperimentSummaries"]
    assert row["TrialCount"] == 1
    assert row["TrialComponentCount"] == 1

    status, _ = await call(jp_fetch, "DELETE", "experiments", "churn")
    assert status == 204
    status, err = await call(jp_fetch, "GET", "experiments", "churn")
    assert status == 404
    assert err["code"] == "ResourceNotFound"


@pytest.mark.parametrize(
    ("parts", "body", "field"),
    [
        (("experiments",), {"ExperimentName": "bad name!"}, "ExperimentName"),
        (("experiments",), {"ExperimentName": "x" * 121}, "ExperimentName"),
        (("experiments",), {}, "ExperimentName"),
        (("experiments",), {"ExperimentName": "ok", "Colour": "red"}, "Colour"),
        (("experiments",), {"ExperimentName": 5}, "ExperimentName"),
        (("experiments",), "{not json", "body"),
        (("experiments",), "[1, 2]", "body"),
        (
            ("trial-components",),
            {"TrialComponentName": "r", "Parameters": {"a": [1]}},
            "Parameters.a",
        ),
    ],
)
async def test_bad_input_is_a_400_naming_the_field(
    jp_fetch: Any, parts: tuple[str, ...], body: Any, field: str
) -> None:
    status, err = await call(jp_fetch, "POST", *parts, body=body)
    assert status == 400, err
    assert err["code"] == "ValidationException"
    assert err["field"] == field
    assert err["message"]


async def test_query_parameters_are_validated(jp_fetch: Any) -> None:
    status, err = await call(jp_fetch, "GET", "experiments", params={"MaxResults": "0"})
    assert (status, err["field"]) == (400, "MaxResults")
    status, err = await call(jp_fetch, "GET", "experiments", params={"SortOrder": "Sideways"})
    assert (status, err["field"]) == (400, "SortOrder")
    status, err = await call(jp_fetch, "GET", "experiments", params={"NextToken": "garbage!"})
    assert (status, err["field"]) == (400, "NextToken")
    status, err = await call(jp_fetch, "GET", "training-jobs", params={"StatusEquals": "Dancing"})
    assert (status, err["field"]) == (400, "StatusEquals")


async def test_conflicts_and_missing_resources(jp_fetch: Any) -> None:
    assert (await call(jp_fetch, "POST", "experiments", body={"ExperimentName": "e1"}))[0] == 201
    status, err = await call(jp_fetch, "POST", "experiments", body={"ExperimentName": "e1"})
    assert (status, err["code"]) == (409, "ResourceInUse")
    status, err = await call(
        jp_fetch, "POST", "trials", body={"TrialName": "t", "ExperimentName": "nope"}
    )
    assert status == 404
    status, err = await call(
        jp_fetch, "POST", "trial-components", body={"TrialComponentName": "r", "TrialName": "nope"}
    )
    assert (status, err["field"]) == (404, "TrialName")
    # the refused run was not half-created
    assert (await call(jp_fetch, "GET", "trial-components", "r"))[0] == 404
    for parts in (
        ("training-jobs", "nope"),
        ("processing-jobs", "nope"),
        ("endpoints", "nope"),
        ("trials", "nope"),
    ):
        status, err = await call(jp_fetch, "GET", *parts)
        assert (status, err["code"]) == (404, "ResourceNotFound"), parts


async def test_bad_metric_batch_writes_nothing(jp_fetch: Any) -> None:
    await call(jp_fetch, "POST", "trial-components", body={"TrialComponentName": "r1"})
    batch = {
        "MetricData": [
            {"MetricName": "loss", "Value": 1.0, "Step": 0},
            {"MetricName": "loss", "Value": "NaN", "Step": 1},
        ]
    }
    status, err = await call(jp_fetch, "POST", "trial-components", "r1", "metrics", body=batch)
    assert status == 400
    assert err["field"].startswith("MetricData[1]")
    status, err = await call(jp_fetch, "GET", "trial-components", "r1", "metrics", "loss")
    assert status == 404 or err["Points"] == []
    status, err = await call(
        jp_fetch,
        "POST",
        "trial-components",
        "missing",
        "metrics",
        body={"MetricData": [{"MetricName": "loss", "Value": 1.0}]},
    )
    assert status == 404


async def test_unexpected_failure_is_a_json_500_without_traceback(
    jp_fetch: Any, jp_serverapp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    studio = studio_of(jp_serverapp)

    def boom(**_: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(studio.store, "list_experiments", boom)
    status, err = await call(jp_fetch, "GET", "experiments")
    assert status == 500
    assert err["code"] == "InternalFailure"
    assert "secret" not in json.dumps(err)
    assert "Traceback" not in json.dumps(err)


async def test_unknown_method_is_a_json_405(jp_fetch: Any) -> None:
    status, err = await call(jp_fetch, "PUT", "experiments")
    assert status == 405
    assert err["code"] == "MethodNotAllowed"


async def test_jupyterlab_cache_buster_is_ignored_but_typos_are_not(jp_fetch: Any) -> None:
    status, body = await call(jp_fetch, "GET", "experiments", params={"1795458436394": ""})
    assert status == 200
    assert body["ExperimentSummaries"] == []
    status, err = await call(jp_fetch, "GET", "experiments", params={"namecontains": "x"})
    assert (status, err["field"]) == (400, "namecontains")


async def test_expected_errors_are_logged_without_a_traceback(
    jp_fetch: Any, caplog: pytest.LogCaptureFixture
) -> None:
    status, _ = await call(jp_fetch, "GET", "experiments", "missing-one")
    assert status == 404
    messages = [r for r in caplog.records if "missing-one" in r.getMessage()]
    assert messages
    assert all(r.exc_info is None for r in messages)
    assert all("Traceback" not in r.getMessage() for r in messages)
