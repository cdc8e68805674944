"""The SageMaker Python SDK v2's ``MultiDataModel`` and ``predict(target_model=)``,
unmodified, against a real studio (its embedded S3 holds the prefix)."""

from __future__ import annotations

from .conftest import SdkStudio
from .test_sagemaker_v2 import run_v2, unique


async def test_multi_data_model_serves_every_archive_under_the_prefix(
    sdk_studio: SdkStudio,
) -> None:
    out, _ = await run_v2(sdk_studio, "v2_multi_model.py", unique("v2-mme"))
    prefix = out["prefix"]
    assert out["added"] == [
        f"{prefix}model-0.tar.gz",
        f"{prefix}model-1.tar.gz",
        f"{prefix}model-2.tar.gz",
        f"{prefix}more/copied.tar.gz",
    ]
    assert out["listed"] == [
        "model-0.tar.gz",
        "model-1.tar.gz",
        "model-2.tar.gz",
        "more/copied.tar.gz",
    ]
    assert out["container"] == {"Mode": "MultiModel", "ModelDataUrl": prefix}
    answers = out["answers"]
    for i in range(3):
        assert answers[f"model-{i}.tar.gz"] == {
            "model": f"model-{i}",
            "sums": [3.0 * (i + 1), 7.0 * (i + 1)],
        }
    assert answers["more/copied.tar.gz"] == {"model": "copied", "sums": [30.0, 70.0]}
    assert answers["again-model-0"] == {"model": "model-0", "sums": [10.0]}
    assert out["missing"]["code"] == "ValidationError"
    assert "nope.tar.gz" in out["missing"]["message"]
    status, _ = sdk_studio.server.call("GET", f"endpoints/{out['endpoint_name']}")
    assert status == 404
