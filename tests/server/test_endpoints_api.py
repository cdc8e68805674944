"""Endpoints through the REST API (jp_fetch): models, configs, endpoints, invocations with
the studio's auth, error statuses, figures, captures and logs — real model servers."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from tests.hosting.test_endpoints import code, csv_rows, trained  # noqa: F401 - fixtures

from .test_api import call


async def _until_in_service(jp_fetch: Any, name: str, timeout: float = 120) -> dict:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        status, endpoint = await call(jp_fetch, "GET", "endpoints", name)
        assert status == 200, endpoint
        if endpoint["EndpointStatus"] != "Creating":
            return endpoint
        assert asyncio.get_running_loop().time() < deadline, endpoint
        await asyncio.sleep(0.1)


async def _invoke(jp_fetch: Any, name: str, body: bytes, **headers: str) -> Any:
    try:
        return await jp_fetch(
            "mlstudio",
            "api",
            "endpoints",
            name,
            "invocations",
            method="POST",
            body=body,
            headers=headers,
        )
    except HTTPClientError as exc:
        return exc


async def test_deploy_and_invoke_over_rest(
    jp_fetch: Any,
    trained: tuple,  # noqa: F811 - the fixture
    code: Path,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    model, x, archive = trained
    status, created = await call(
        jp_fetch,
        "POST",
        "models",
        body={
            "ModelName": "clf",
            "PrimaryContainer": {
                "ModelDataUrl": str(archive),
                "Environment": {
                    "SAGEMAKER_PROGRAM": "inference.py",
                    "SAGEMAKER_SUBMIT_DIRECTORY": str(code),
                },
            },
        },
    )
    assert status == 201, created
    snapshot = created["PrimaryContainer"]["Environment"]["SAGEMAKER_SUBMIT_DIRECTORY"]
    assert snapshot.endswith("/sourcedir.tar.gz")  # the code was copied, not referenced
    status, error = await call(
        jp_fetch,
        "POST",
        "models",
        body={"ModelName": "x", "PrimaryContainer": {"ModelDataUrl": "/nope.tar.gz"}},
    )
    assert (status, error["field"]) == (400, "PrimaryContainer.ModelDataUrl")
    status, config = await call(
        jp_fetch,
        "POST",
        "endpoint-configs",
        body={
            "EndpointConfigName": "cfg",
            "ProductionVariants": [
                {"VariantName": "a", "ModelName": "clf", "InitialVariantWeight": 1},
                {"VariantName": "b", "ModelName": "clf", "InitialVariantWeight": 1},
            ],
            "DataCaptureConfig": {
                "EnableCapture": True,
                "InitialSamplingPercentage": 100,
                "DestinationS3Uri": str(tmp_path / "capture"),
            },
        },
    )
    assert status == 201, config
    status, error = await call(
        jp_fetch,
        "POST",
        "endpoint-configs",
        body={
            "EndpointConfigName": "cfg-2",
            "ProductionVariants": [{"VariantName": "a", "ModelName": "nope"}],
        },
    )
    assert (status, error["field"]) == (400, "ProductionVariants[0].ModelName")
    status, endpoint = await call(
        jp_fetch, "POST", "endpoints", body={"EndpointName": "ep", "EndpointConfigName": "cfg"}
    )
    assert status == 201, endpoint
    assert endpoint["EndpointStatus"] == "Creating"
    described = await _until_in_service(jp_fetch, "ep")
    assert described["EndpointStatus"] == "InService", described
    assert [v["VariantName"] for v in described["ProductionVariants"]] == ["a", "b"]
    assert described["DataCaptureConfig"]["CaptureStatus"] == "Started"

    # invocations: the body and answer pass through as they are
    answer = await _invoke(
        jp_fetch,
        "ep",
        csv_rows(x[:4]),
        **{"Content-Type": "text/csv", "Accept": "application/json"},
    )
    assert answer.code == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.headers["X-Amzn-Invoked-Production-Variant"] in ("a", "b")
    assert json.loads(answer.body) == model.predict(x[:4]).tolist()
    as_csv = await _invoke(
        jp_fetch, "ep", csv_rows(x[:4]), **{"Content-Type": "text/csv", "Accept": "text/csv"}
    )
    assert as_csv.headers["Content-Type"].startswith("text/csv")  # the model's own type
    assert [int(v) for v in as_csv.body.split()] == model.predict(x[:4]).tolist()
    targeted = await _invoke(
        jp_fetch,
        "ep",
        csv_rows(x[:1]),
        **{"Content-Type": "text/csv", "X-Amzn-SageMaker-Target-Variant": "b"},
    )
    assert targeted.headers["X-Amzn-Invoked-Production-Variant"] == "b"

    # errors are JSON with a code
    unknown = await _invoke(
        jp_fetch,
        "ep",
        b"1",
        **{"Content-Type": "text/csv", "X-Amzn-SageMaker-Target-Variant": "zz"},
    )
    assert unknown.code == 400
    assert json.loads(unknown.response.body)["field"] == "TargetVariant"
    model_error = await _invoke(jp_fetch, "ep", b"1,2", **{"Content-Type": "application/x-nope"})
    assert model_error.code == 424
    body = json.loads(model_error.response.body)
    assert (body["code"], body["OriginalStatusCode"]) == ("ModelError", 415)
    too_big = await _invoke(
        jp_fetch, "ep", b"0" * (6 * 1024 * 1024 + 10), **{"Content-Type": "text/csv"}
    )
    assert too_big.code == 413
    missing = await _invoke(jp_fetch, "nope", b"1", **{"Content-Type": "text/csv"})
    assert missing.code == 404

    # invocations need the token like every other route
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(
            "mlstudio",
            "api",
            "endpoints",
            "ep",
            "invocations",
            method="POST",
            body=b"1",
            headers={"Authorization": "", "Content-Type": "text/csv"},
        )
    assert info.value.code == 403

    # weights through the API
    status, updated = await call(
        jp_fetch,
        "POST",
        "endpoints",
        "ep",
        "weights",
        body={"DesiredWeightsAndCapacities": [{"VariantName": "a", "DesiredWeight": 0}]},
    )
    assert status == 200, updated
    described = await _until_in_service(jp_fetch, "ep")
    for _ in range(100):
        if described["EndpointStatus"] == "InService":
            break
        await asyncio.sleep(0.1)
        described = (await call(jp_fetch, "GET", "endpoints", "ep"))[1]
    weights = {v["VariantName"]: v["CurrentWeight"] for v in described["ProductionVariants"]}
    assert weights == {"a": 0, "b": 1}
    for _ in range(5):
        only_b = await _invoke(jp_fetch, "ep", csv_rows(x[:1]), **{"Content-Type": "text/csv"})
        assert only_b.headers["X-Amzn-Invoked-Production-Variant"] == "b"

    status, figures = await call(jp_fetch, "GET", "endpoints", "ep", "metrics")
    assert status == 200
    total = sum(v["Invocations"] for v in figures["Variants"])
    assert total == 9  # 8 routed + the model error (413/400/404/403 never reached a variant)
    status, logs = await call(
        jp_fetch, "GET", "endpoints", "ep", "logs", params={"VariantName": "a"}
    )
    assert status == 200
    assert "model server" in logs["Text"]
    await asyncio.sleep(1.5)  # the capture writer flushes every second
    status, captures = await call(jp_fetch, "GET", "endpoints", "ep", "captures")
    assert status == 200
    assert len(captures["Records"]) == 8  # successful invocations only
    assert captures["Records"][0]["captureData"]["endpointInput"]["encoding"] == "CSV"

    status, _ = await call(jp_fetch, "DELETE", "endpoints", "ep")
    assert status == 204
    status, error = await call(jp_fetch, "GET", "endpoints", "ep")
    assert status == 404
    status, _ = await call(jp_fetch, "DELETE", "endpoint-configs", "cfg")
    assert status == 204
    status, _ = await call(jp_fetch, "DELETE", "models", "clf")
    assert status == 204


async def test_variant_settings_of_sagemaker_are_kept(
    jp_fetch: Any,
    trained: tuple,  # noqa: F811 - the fixture
) -> None:
    """What the SageMaker SDK's production_variant() may add to a variant: accepted in
    SageMaker's ranges and given back by DescribeEndpointConfig."""
    _, _, archive = trained
    status, _ = await call(
        jp_fetch,
        "POST",
        "models",
        body={"ModelName": "clf", "PrimaryContainer": {"ModelDataUrl": str(archive)}},
    )
    assert status == 201
    settings = {
        "VolumeSizeInGB": 4,
        "ModelDataDownloadTimeoutInSeconds": 600,
        "ContainerStartupHealthCheckTimeoutInSeconds": 120,
    }
    variant = {"VariantName": "a", "ModelName": "clf", **settings}
    body = {"EndpointConfigName": "cfg", "ProductionVariants": [variant]}
    status, created = await call(jp_fetch, "POST", "endpoint-configs", body=body)
    assert status == 201, created
    status, described = await call(jp_fetch, "GET", "endpoint-configs", "cfg")
    assert status == 200
    assert {k: described["ProductionVariants"][0][k] for k in settings} == settings
    variant["ContainerStartupHealthCheckTimeoutInSeconds"] = 30
    body = {"EndpointConfigName": "cfg-2", "ProductionVariants": [variant]}
    status, error = await call(jp_fetch, "POST", "endpoint-configs", body=body)
    field = "ProductionVariants[0].ContainerStartupHealthCheckTimeoutInSeconds"
    assert (status, error["field"]) == (400, field)
