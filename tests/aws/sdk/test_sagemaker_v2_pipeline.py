"""The SageMaker Python SDK v2's ``PipelineModel``, unmodified, against a real studio: an
inference pipeline of two ``SKLearnModel``\\ s deployed, invoked and run as a batch
transform (``scripts/v2_pipeline.py``), then checked through the studio's REST API.

``deploy`` sleeps 30 s before it first describes the endpoint (the SDK's poll), so this
takes that long."""

from __future__ import annotations

from .conftest import SdkStudio
from .test_sagemaker_v2 import run_v2, unique


async def test_pipeline_model_deploy_predict_transform(sdk_studio: SdkStudio) -> None:
    out, _ = await run_v2(sdk_studio, "v2_pipeline.py", unique("v2-pipe"))
    assert out["predictions"] == out["expected"]
    assert out["batch"] == out["expected"]
    assert not out["has_primary"]
    assert len(out["containers"]) == 2
    pre, clf = out["containers"]
    assert pre["ModelDataUrl"].endswith("/pre/model.tar.gz")
    assert clf["ModelDataUrl"].endswith("/clf/model.tar.gz")
    assert "sagemaker-scikit-learn" in pre["Image"]
    server = sdk_studio.server
    status, _ = server.call("GET", f"endpoints/{out['endpoint_name']}")
    assert status == 404
    status, _ = server.call("GET", f"models/{out['model_name']}")
    assert status == 404
