"""Run updates, run files and trial membership through the REST API (jp_fetch)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from .test_api import call


async def _seed(jp_fetch: Any) -> None:
    assert (await call(jp_fetch, "POST", "experiments", body={"ExperimentName": "e"}))[0] == 201
    body = {"TrialName": "t", "ExperimentName": "e"}
    assert (await call(jp_fetch, "POST", "trials", body=body))[0] == 201
    body = {"TrialComponentName": "r", "Parameters": {"keep": 1, "drop": "x"}}
    assert (await call(jp_fetch, "POST", "trial-components", body=body))[0] == 201


async def test_patch_sets_present_fields_and_merges(jp_fetch: Any) -> None:
    await _seed(jp_fetch)
    status, tc = await call(
        jp_fetch,
        "PATCH",
        "trial-components",
        "r",
        body={
            "DisplayName": "Run R",
            "Status": {"PrimaryStatus": "Failed", "Message": "boom"},
            "EndTime": "2024-01-02T03:04:05+00:00",
            "Parameters": {"lr": 0.1},
            "ParametersToRemove": ["drop"],
            "OutputArtifacts": {"model": {"Value": "file:///m", "MediaType": "x/y"}},
            "InputArtifacts": {"data": {"Value": "s3://b/d"}},
        },
    )
    assert status == 200
    assert tc["DisplayName"] == "Run R"
    assert tc["Status"] == {"PrimaryStatus": "Failed", "Message": "boom"}
    assert tc["EndTime"].startswith("2024-01-02T03:04:05")
    assert tc["Parameters"] == {"keep": 1.0, "lr": 0.1}
    assert tc["OutputArtifacts"] == {"model": {"Value": "file:///m", "MediaType": "x/y"}}
    assert tc["InputArtifacts"] == {"data": {"Value": "s3://b/d"}}
    # absent fields stay; null clears
    status, tc = await call(jp_fetch, "PATCH", "trial-components", "r", body={"EndTime": None})
    assert status == 200
    assert tc["DisplayName"] == "Run R"
    assert "EndTime" not in tc


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"Parameters": {"a": [1]}}, "Parameters.a"),
        ({"Colour": "red"}, "Colour"),
        ({"Status": {"PrimaryStatus": "Dancing"}}, "Status.PrimaryStatus"),
        ({"OutputArtifacts": {"m": {"MediaType": "x"}}}, "OutputArtifacts.m.Value"),
    ],
)
async def test_patch_validation(jp_fetch: Any, body: dict[str, Any], field: str) -> None:
    await _seed(jp_fetch)
    status, err = await call(jp_fetch, "PATCH", "trial-components", "r", body=body)
    assert status == 400
    assert err["field"] == field


async def test_patch_unknown_run_is_404(jp_fetch: Any) -> None:
    status, err = await call(jp_fetch, "PATCH", "trial-components", "nope", body={})
    assert status == 404
    assert err["code"] == "ResourceNotFound"


async def test_upload_and_download_run_files(jp_fetch: Any, studio_home: Any) -> None:
    await _seed(jp_fetch)
    status, put = await call(
        jp_fetch,
        "PUT",
        "trial-components",
        "r",
        "artifacts",
        "plots",
        "cm.json",
        body=b'{"a": 1}',
        headers={"Content-Type": "application/json"},
    )
    assert status == 200
    assert put["ArtifactPath"] == "plots/cm.json"
    assert put["ArtifactUri"].startswith("file://")
    # runs/<run>/<creation time>/<path>: a later run of the same name gets a new folder
    assert re.search(r"/runs/r/\d{8}T\d{12}Z/plots/cm\.json$", put["ArtifactUri"])
    [stored] = (studio_home / "artifacts" / "runs" / "r").glob("*/plots/cm.json")
    assert stored.read_bytes() == b'{"a": 1}'
    response = await jp_fetch(
        "mlstudio", "api", "trial-components", "r", "artifacts", "plots/cm.json"
    )
    assert response.body == b'{"a": 1}'
    assert response.headers["Content-Type"].startswith("application/json")
    status, _ = await call(
        jp_fetch, "PUT", "trial-components", "r", "artifacts", "table.csv", body=b"a,b\n1,2\n"
    )
    assert status == 200
    csv = await jp_fetch("mlstudio", "api", "trial-components", "r", "artifacts", "table.csv")
    assert csv.headers["Content-Type"].startswith("text/csv")  # not the API's JSON default


@pytest.mark.parametrize("path", ["..%2F..%2Fetc%2Fpasswd", "a/%2e%2e/%2e%2e/x", "a%5Cb"])
async def test_artifact_paths_cannot_escape(jp_fetch: Any, path: str) -> None:
    await _seed(jp_fetch)
    status, err = await call(jp_fetch, "PUT", "trial-components", "r", "artifacts", path, body=b"x")
    assert status == 400, err
    assert err["field"] == "ArtifactPath"


async def test_artifacts_of_unknown_run_or_file_are_404(jp_fetch: Any) -> None:
    await _seed(jp_fetch)
    status, _ = await call(jp_fetch, "PUT", "trial-components", "zz", "artifacts", "f", body=b"x")
    assert status == 404
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("mlstudio", "api", "trial-components", "r", "artifacts", "missing.txt")
    assert info.value.code == 404


async def test_associate_run_with_trial(jp_fetch: Any) -> None:
    await _seed(jp_fetch)
    for _ in range(2):  # idempotent
        status, _ = await call(
            jp_fetch, "POST", "trials", "t", "trial-components", body={"TrialComponentName": "r"}
        )
        assert status == 204
    status, tc = await call(jp_fetch, "GET", "trial-components", "r")
    assert tc["TrialNames"] == ["t"]
    status, err = await call(
        jp_fetch, "POST", "trials", "nope", "trial-components", body={"TrialComponentName": "r"}
    )
    assert status == 404
    status, err = await call(jp_fetch, "POST", "trials", "t", "trial-components", body={})
    assert (status, err["field"]) == (400, "TrialComponentName")
