"""A multi-model endpoint through the REST API (jp_fetch): the Target-Model header, the
errors naming TargetModel, and GET endpoints/{name}/models for the endpoint view."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.hosting.test_multi_model import constant_archive
from tests.server.test_endpoints_api import _invoke, _until_in_service

from .test_api import call

TARGET_MODEL = "X-Amzn-SageMaker-Target-Model"


async def test_multi_model_endpoint_over_rest(jp_fetch: Any, tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    prefix.mkdir()
    for i in range(3):
        constant_archive(tmp_path, prefix / f"m{i}.tar.gz", float(i))
    status, created = await call(
        jp_fetch,
        "POST",
        "models",
        body={
            "ModelName": "mme",
            "PrimaryContainer": {
                "Mode": "MultiModel",
                "ModelDataUrl": f"{prefix}/",
                "Environment": {"MLSTUDIO_MME_MAX_MODELS": "2"},
            },
        },
    )
    assert status == 201, created
    assert created["PrimaryContainer"]["Mode"] == "MultiModel"
    status, error = await call(
        jp_fetch,
        "POST",
        "models",
        body={"ModelName": "x", "PrimaryContainer": {"Mode": "MultiModel", "ModelDataUrl": "a"}},
    )
    assert (status, error["field"]) == (400, "PrimaryContainer.ModelDataUrl")
    variant = {"VariantName": "AllTraffic", "ModelName": "mme", "InitialInstanceCount": 1}
    status, _ = await call(
        jp_fetch,
        "POST",
        "endpoint-configs",
        body={"EndpointConfigName": "mme-config", "ProductionVariants": [variant]},
    )
    assert status == 201
    status, _ = await call(
        jp_fetch,
        "POST",
        "endpoints",
        body={"EndpointName": "mme", "EndpointConfigName": "mme-config"},
    )
    assert status == 201
    endpoint = await _until_in_service(jp_fetch, "mme")
    assert endpoint["EndpointStatus"] == "InService", endpoint
    for target in ("m0.tar.gz", "m1.tar.gz", "m2.tar.gz", "m1.tar.gz"):
        answer = await _invoke(
            jp_fetch,
            "mme",
            b"1\n2",
            **{"Content-Type": "text/csv", "Accept": "application/json", TARGET_MODEL: target},
        )
        assert answer.code == 200
        value = float(target[1])
        assert json.loads(answer.body) == [value, value]
    missing = await _invoke(jp_fetch, "mme", b"1", **{"Content-Type": "text/csv"})
    assert missing.code == 400
    assert json.loads(missing.response.body)["field"] == "TargetModel"
    unknown = await _invoke(
        jp_fetch, "mme", b"1", **{"Content-Type": "text/csv", TARGET_MODEL: "nope.tar.gz"}
    )
    assert unknown.code == 400
    assert "nope.tar.gz" in json.loads(unknown.response.body)["message"]
    status, models = await call(jp_fetch, "GET", "endpoints", "mme", "models")
    assert status == 200, models
    (described,) = models["Variants"]
    assert described["Mode"] == "MultiModel"
    assert described["MaxModels"] == 2
    (host,) = described["Instances"]
    assert host["LoadedModels"] == ["m2.tar.gz", "m1.tar.gz"]
    figures = {m["TargetModel"]: m for m in host["Models"]}
    assert figures["m1.tar.gz"]["Invocations"] == 2
    assert figures["m0.tar.gz"]["Evictions"] == 1
    assert figures["m0.tar.gz"]["Loaded"] is False
    status, error = await call(jp_fetch, "GET", "endpoints", "nope", "models")
    assert status == 404
    status, _ = await call(jp_fetch, "DELETE", "endpoints", "mme")
    assert status in (200, 204)
