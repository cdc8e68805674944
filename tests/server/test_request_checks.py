"""Requests the fuzzer found to crash or slip through (issue 19), through a real server:
lone surrogates, deep nesting, unknown paths, non-finite numbers in answers, symlink
escapes and item limits. Each is refused with a JSON 4xx that names the field."""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.entities import MetricPoint
from jupyter_mlstudio.server.json_io import MAX_JSON_DEPTH, dumps, nesting_exceeds

from .test_api import call, studio_of


def strict_json(text: bytes | str) -> Any:
    """Parse as RFC 8259 JSON: NaN and Infinity are refused."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


async def raw_call(
    http_server_client: Any,
    jp_base_url: str,
    jp_auth_header: dict[str, str],
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes, str]:
    """Send ``path`` (already percent-encoded, below /mlstudio/api/) as it is."""
    url = f"{jp_base_url.rstrip('/')}/mlstudio/api/{path}"
    all_headers = {**jp_auth_header, **(headers or {})}
    response = await http_server_client.fetch(
        url,
        method=method,
        body=body,
        headers=all_headers,
        allow_nonstandard_methods=True,
        raise_error=False,
    )
    return response.code, response.body, response.headers.get("Content-Type", "")


@pytest.fixture
def raw(http_server_client: Any, jp_base_url: str, jp_auth_header: dict[str, str]) -> Any:
    async def send(method: str, path: str, body: bytes | None = None, **kw: Any) -> Any:
        return await raw_call(
            http_server_client, jp_base_url, jp_auth_header, method, path, body, **kw
        )

    return send


# -- lone surrogates ------------------------------------------------------------------------


async def _run(jp_fetch: Any) -> None:
    body = {"TrialComponentName": "r", "Parameters": {"lr": 0.1}}
    assert (await call(jp_fetch, "POST", "trial-components", body=body))[0] == 201


@pytest.mark.parametrize(
    ("method", "parts", "body", "field"),
    [
        (
            "POST",
            ("experiments",),
            {"ExperimentName": "s1", "DisplayName": "a\ud800b"},
            "DisplayName",
        ),
        (
            "POST",
            ("experiments",),
            {"ExperimentName": "s1", "Tags": [{"Key": "k", "Value": "\udfff"}]},
            "Tags[0].Value",
        ),
        (
            "POST",
            ("experiments",),
            {"ExperimentName": "s1", "Tags": {"k\ud800": "v"}},
            "Tags.k\\ud800",
        ),
        ("PATCH", ("trial-components", "r"), {"Parameters": {"lr": "x\ud800"}}, "Parameters.lr"),
        (
            "POST",
            ("trial-components", "r", "metrics"),
            {
                "MetricData": [
                    {"MetricName": "ok", "Value": 1},
                    {"MetricName": "\ud800", "Value": 1},
                ]
            },
            "MetricData[1].MetricName",
        ),
        (
            "POST",
            ("models",),
            {"ModelName": "m", "PrimaryContainer": {"Environment": {"K": "\udc00"}}},
            "PrimaryContainer.Environment.K",
        ),
        (
            "POST",
            ("charts", "metrics"),
            {"MetricName": "loss\ud800", "TrialComponentName": ["r"]},
            "MetricName",
        ),
    ],
)
async def test_a_lone_surrogate_is_a_400_naming_the_field(
    jp_fetch: Any, method: str, parts: tuple[str, ...], body: Any, field: str
) -> None:
    await _run(jp_fetch)
    # json.dumps writes the surrogate as the escape \ud800, as a fuzzer would send it
    status, err = await call(jp_fetch, method, *parts, body=json.dumps(body))
    assert (status, err["code"], err["field"]) == (400, "ValidationException", field), err
    status, listed = await call(jp_fetch, "GET", "experiments")
    assert listed["ExperimentSummaries"] == []
    status, run = await call(jp_fetch, "GET", "trial-components", "r")
    assert run["Parameters"] == {"lr": 0.1}
    assert "Metrics" not in run or run["Metrics"] == []


async def test_an_encoded_surrogate_in_the_body_bytes_names_the_field(raw: Any) -> None:
    # the three UTF-8-style bytes of U+D800, which json.loads would otherwise accept
    body = b'{"ExperimentName": "s1", "DisplayName": "a\xed\xa0\x80b"}'
    status, text, content_type = await raw("POST", "experiments", body)
    assert (status, content_type) == (400, "application/json")
    assert json.loads(text)["field"] == "DisplayName"


async def test_undecodable_query_values_and_path_segments_name_the_parameter(
    jp_fetch: Any, raw: Any
) -> None:
    await _run(jp_fetch)
    status, err = await call(
        jp_fetch, "GET", "experiments", params={"NameContains": b"\xed\xa0\x80"}
    )
    assert (status, err["field"]) == (400, "NameContains")
    for path, field in (
        ("experiments/a%ED%A0%80", "ExperimentName"),
        ("trial-components/r/metrics/loss%FF", "MetricName"),
        ("trial-components/r/artifacts/plots/%ED%B0%80.json", "ArtifactPath"),
    ):
        status, text, content_type = await raw("GET", path)
        assert (status, content_type) == (400, "application/json"), path
        assert json.loads(text)["field"] == field, path


# -- nesting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,
        b'{"ExperimentName": "e", "Tags": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        # just too deep for the limit, though Python's parser would take it
        b'{"ExperimentName": "e", "Tags": '
        + b'{"a": ' * MAX_JSON_DEPTH
        + b"1"
        + b"}" * MAX_JSON_DEPTH
        + b"}",
    ],
)
async def test_deep_nesting_is_a_400_before_parsing(raw: Any, body: bytes) -> None:
    status, text, content_type = await raw("POST", "experiments", body)
    assert (status, content_type) == (400, "application/json")
    err = json.loads(text)
    assert (err["code"], err["field"]) == ("ValidationException", "body")
    assert "deeper than" in err["message"]


async def test_brackets_inside_strings_do_not_count_as_nesting(jp_fetch: Any) -> None:
    text = '[{"\\"' * 200
    body = {"ExperimentName": "e", "Description": text}
    status, exp = await call(jp_fetch, "POST", "experiments", body=body)
    assert status == 201
    assert exp["Description"] == text


def test_the_nesting_scan() -> None:
    assert not nesting_exceeds(b"[" * 3 + b"]" * 3, 3)
    assert nesting_exceeds(b"[" * 4, 3)
    assert not nesting_exceeds(b'[["[[[[\\"[[["]]', 2)
    assert not nesting_exceeds(b'{"a": {"b": [1, {"c": "}}}{{{"}]}}', 4)
    assert nesting_exceeds(b'{"a": {"b": [1, {"c": []}]}}', 4)


# -- every 4xx of the API is JSON ----------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "nothing-here"),
        ("POST", "experiments/e/unknown"),
        ("GET", "experiments/"),
        ("DELETE", "charts"),
        ("GET", ""),
    ],
)
async def test_an_unknown_api_path_is_a_json_404(raw: Any, method: str, path: str) -> None:
    body = b"{}" if method == "POST" else None
    status, text, content_type = await raw(method, path, body)
    assert (status, content_type) == (404, "application/json")
    assert json.loads(text)["code"] == "ResourceNotFound"


async def test_an_unknown_api_path_still_needs_the_token(raw: Any) -> None:
    status, text, content_type = await raw("GET", "nothing-here", headers={"Authorization": ""})
    assert (status, content_type) == (403, "application/json")
    assert json.loads(text)["code"] == "Forbidden"


async def test_an_unknown_method_is_a_json_405(raw: Any) -> None:
    status, text, content_type = await raw("BREW", "experiments")
    assert (status, content_type) == (405, "application/json")
    assert json.loads(text)["code"] == "MethodNotAllowed"


# -- answers are always JSON ---------------------------------------------------------------


def test_the_writer_turns_non_finite_numbers_into_null() -> None:
    payload = {"a": [1.5, math.nan, {"b": math.inf}], "c": (-math.inf, "NaN"), "d": 2}
    assert strict_json(dumps(payload)) == {
        "a": [1.5, None, {"b": None}],
        "c": [None, "NaN"],
        "d": 2,
    }
    assert dumps({"x": "\ud800"}) == '{"x": "\\ud800"}'  # stored bad text still leaves as JSON


async def test_a_non_finite_value_in_an_answer_is_null(
    jp_fetch: Any, jp_serverapp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime.now(timezone.utc)
    points = [
        MetricPoint(metric_name="loss", value=value, step=step, timestamp=now)
        for step, value in enumerate((0.5, math.nan, math.inf, -math.inf))
    ]
    monkeypatch.setattr(studio_of(jp_serverapp).store, "get_metric_series", lambda *_: points)
    response = await jp_fetch("mlstudio", "api", "trial-components", "r", "metrics", "loss")
    body = strict_json(response.body)
    assert [p["Value"] for p in body["Points"]] == [0.5, None, None, None]


# -- artifact paths --------------------------------------------------------------------------


async def test_a_symlink_escape_names_the_artifact_path(
    jp_fetch: Any, studio_home: Path, tmp_path: Path
) -> None:
    await _run(jp_fetch)
    status, _ = await call(
        jp_fetch, "PUT", "trial-components", "r", "artifacts", "plots/a.json", body=b"{}"
    )
    assert status == 200
    [stored] = (studio_home / "artifacts" / "runs" / "r").rglob("plots/a.json")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    (stored.parent / "out").symlink_to(outside)
    for method, body in (("GET", None), ("PUT", b"x")):
        status, err = await call(
            jp_fetch,
            method,
            "trial-components",
            "r",
            "artifacts",
            "plots/out/secret.txt",
            body=body,
        )
        assert (status, err["code"], err["field"]) == (400, "InvalidArtifactPath", "ArtifactPath")
    assert (outside / "secret.txt").read_text() == "secret"


# -- item limits ----------------------------------------------------------------------------


def _tags(count: int, as_list: bool) -> Any:
    if as_list:
        return [{"Key": f"k{i}", "Value": "v"} for i in range(count)]
    return {f"k{i}": "v" for i in range(count)}


@pytest.mark.parametrize("as_list", [True, False])
async def test_at_most_50_tags(jp_fetch: Any, as_list: bool) -> None:
    requests: list[tuple[str, dict[str, Any]]] = [
        ("experiments", {"ExperimentName": "e"}),
        ("trials", {"TrialName": "t", "ExperimentName": "e"}),
        ("trial-components", {"TrialComponentName": "r"}),
        ("models", {"ModelName": "m", "PrimaryContainer": {"Image": "byoc:1"}}),
        (
            "endpoint-configs",
            {
                "EndpointConfigName": "c",
                "ProductionVariants": [{"VariantName": "v", "ModelName": "m"}],
            },
        ),
    ]
    for route, body in requests:
        status, err = await call(jp_fetch, "POST", route, body={**body, "Tags": _tags(51, as_list)})
        assert (status, err["field"]) == (400, "Tags"), (route, err)
        assert "at most 50" in err["message"], err
        status, created = await call(
            jp_fetch, "POST", route, body={**body, "Tags": _tags(50, as_list)}
        )
        assert status == 201, (route, created)
        if route != "endpoint-configs":  # a configuration does not show its tags
            assert len(created["Tags"]) == 50
    # refused before anything starts (jobs take SageMaker's list form only)
    data = {"DataSource": {"S3DataSource": {"S3Uri": "file:///nowhere"}}}
    for route, body, tags in (
        ("training-jobs", {"TrainingJobName": "j"}, _tags(51, True)),
        (
            "processing-jobs",
            {"ProcessingJobName": "p", "AppSpecification": {"ImageUri": "x"}},
            _tags(51, True),
        ),
        (
            "transform-jobs",
            {"TransformJobName": "x", "ModelName": "m", "TransformInput": data},
            _tags(51, as_list),
        ),
        ("endpoints", {"EndpointName": "ep", "EndpointConfigName": "c"}, _tags(51, as_list)),
    ):
        status, err = await call(jp_fetch, "POST", route, body={**body, "Tags": tags})
        assert (status, err["field"]) == (400, "Tags"), (route, err)
        status, err = await call(jp_fetch, "GET", route)
        assert all(not v for k, v in err.items() if k != "NextToken"), (route, err)


async def test_at_most_300_parameters_per_request(jp_fetch: Any) -> None:
    many = {f"p{i}": i for i in range(301)}
    status, err = await call(
        jp_fetch, "POST", "trial-components", body={"TrialComponentName": "r", "Parameters": many}
    )
    assert (status, err["field"]) == (400, "Parameters")
    await _run(jp_fetch)
    status, err = await call(jp_fetch, "PATCH", "trial-components", "r", body={"Parameters": many})
    assert (status, err["field"]) == (400, "Parameters")
    del many["p300"]
    status, run = await call(jp_fetch, "PATCH", "trial-components", "r", body={"Parameters": many})
    assert status == 200
    assert len(run["Parameters"]) == 301  # lr and the 300 new ones
