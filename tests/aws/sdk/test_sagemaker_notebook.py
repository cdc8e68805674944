"""examples/sagemaker_sdk.ipynb — the SageMaker Python SDK v2's SKLearn estimator trains,
deploys, predicts and deletes — runs top to bottom in a kernel of the SDK's own venv,
configured only by what ``mlstudio credentials --env`` exports, against a studio on the
process runtime and one on Docker. What it printed is checked against what the studio
holds over its REST API (what its sidebar lists): the training job Completed with the
SDK's name, the endpoint, its config and the model deleted."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

from tests.support.sagemaker_sdk import sdk_python

from .conftest import SdkStudio

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
NOTEBOOK = "sagemaker_sdk.ipynb"

pytestmark = pytest.mark.s3


def _kernel_manager(work: Path) -> KernelManager:
    """A kernel on the Python of ``.venv-sagemaker2`` (a kernel spec of its own)."""
    spec = work / "kernels" / "sagemaker2"
    spec.mkdir(parents=True)
    python = sdk_python("sagemaker2")
    argv = [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "SageMaker SDK v2", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel))
    specs = KernelSpecManager(kernel_dirs=[str(spec.parent)])
    return KernelManager(kernel_name="sagemaker2", kernel_spec_manager=specs)


def run_notebook(studio: SdkStudio, work: Path) -> str:
    """Run the example in ``work`` (a copy, with its training script); what it printed."""
    shutil.copy(EXAMPLES / NOTEBOOK, work / NOTEBOOK)
    shutil.copytree(EXAMPLES / "sagemaker_sklearn", work / "sagemaker_sklearn")
    notebook = nbformat.read(work / NOTEBOOK, as_version=4)
    km = _kernel_manager(work)
    client = NotebookClient(
        notebook, km=km, timeout=600, resources={"metadata": {"path": str(work)}}
    )
    try:
        client.execute(env=studio.env)
    finally:  # nbclient leaves a kernel manager it was given running
        if km.has_kernel:
            km.shutdown_kernel(now=True)
    return "\n".join(
        output.get("text", "")
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
    )


def _line(text: str, prefix: str) -> list[str]:
    (found,) = re.findall(rf"^{re.escape(prefix)} (.*)$", text, flags=re.M)
    return str(found).split()


def check_what_the_studio_holds(studio: SdkStudio, text: str) -> None:
    region, bucket = _line(text, "region")[0].rstrip(","), _line(text, "region")[2]
    assert region == studio.env["AWS_DEFAULT_REGION"]
    assert bucket.startswith(f"sagemaker-{region}-")
    assert _line(text, "training data") == [f"s3://{bucket}/sklearn-iris/data"]

    job_name, status = _line(text, "training job")
    assert status == "Completed"
    found, job = studio.server.call("GET", f"training-jobs/{job_name}")
    assert found == 200, job
    assert job["Status"] == "Completed"
    image = job["Spec"]["AlgorithmSpecification"]["TrainingImage"]
    assert image.endswith("/sagemaker-scikit-learn:1.2-1-cpu-py3")
    assert job["Spec"]["HyperParameters"]["max_leaf_nodes"] == "10"
    (model_data,) = _line(text, "model")
    assert model_data == job["Outputs"]["ModelArtifacts"]["S3ModelArtifacts"]
    assert model_data.startswith(f"s3://{bucket}/{job_name}/output/")

    endpoint, status = _line(text, "endpoint")
    assert status == "InService"
    config, _, model = _line(text, "config")
    (accuracy,) = _line(text, "accuracy")
    assert float(accuracy) >= 0.9  # iris with a 10-leaf tree
    content_type, *answers = _line(text, "invoke_endpoint")
    assert content_type in ("application/json", "text/csv")
    assert answers
    assert _line(text, "deleted") == [endpoint]
    assert studio.server.call("GET", f"endpoints/{endpoint}")[0] == 404
    assert studio.server.call("GET", f"endpoint-configs/{config}")[0] == 404
    assert studio.server.call("GET", f"models/{model}")[0] == 404
    found, models = studio.server.call("GET", "models")
    assert found == 200
    assert model not in json.dumps(models)


def test_the_sdk_notebook_on_the_process_runtime(sdk_studio: SdkStudio, tmp_path: Path) -> None:
    text = run_notebook(sdk_studio, tmp_path)
    check_what_the_studio_holds(sdk_studio, text)


@pytest.mark.docker
def test_the_sdk_notebook_on_docker(sdk_studio_docker: SdkStudio, tmp_path: Path) -> None:
    text = run_notebook(sdk_studio_docker, tmp_path)
    check_what_the_studio_holds(sdk_studio_docker, text)
