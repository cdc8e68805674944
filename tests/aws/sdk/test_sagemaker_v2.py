"""The SageMaker Python SDK v2 (``sagemaker<3``), unmodified, against a real studio.

Each test runs a script of ``scripts/`` with ``.venv-sagemaker2``'s Python in the
environment ``mlstudio credentials --env`` gives (nothing else points the SDK at the
studio), then checks what the studio holds through its own REST API.

The SDK's waits sleep before they look: ``fit`` (``logs="All"``) 5 s before it first
describes the job (a job done by then is read in one pass, no 30 s tailing loop),
``deploy`` 30 s (``DEFAULT_EP_POLL``), a processing job's ``wait`` 10 s. The tests call
the SDK as a user does, so they take that long.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import pytest

from tests.support.sagemaker_sdk import run_script, sdk_python

from .conftest import SdkStudio

SCRIPTS = Path(__file__).resolve().parent / "scripts"


async def run_v2(studio: SdkStudio, script: str, *args: str) -> tuple[dict[str, Any], str]:
    """Run ``scripts/<script>`` with the SDK v2; the JSON it printed after ``RESULT``, and
    all it printed."""
    result = await run_script(
        sdk_python("sagemaker2"), SCRIPTS / script, *args, env=studio.env, timeout=300
    )
    result.check()
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, result.stdout[-3000:]
    return dict(json.loads(lines[-1][len("RESULT ") :])), result.stdout


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3)}"


async def test_sklearn_fit_deploy_predict_and_delete(sdk_studio: SdkStudio) -> None:
    await check_sklearn_flow(sdk_studio)


@pytest.mark.docker
async def test_sklearn_fit_deploy_predict_and_delete_on_docker(
    sdk_studio_docker: SdkStudio,
) -> None:
    await check_sklearn_flow(sdk_studio_docker)


async def check_sklearn_flow(studio: SdkStudio) -> None:
    """``v2_sklearn.py`` ran, and the studio holds what it says."""
    out, printed = await run_v2(studio, "v2_sklearn.py", unique("v2-sk"))
    server = studio.server
    # fit() showed the job's log, read through DescribeLogStreams and GetLogEvents
    assert "train rows=60 accuracy=1.000" in printed
    assert "Completed - Training job completed" in printed

    assert out["bucket"] == "sagemaker-us-east-1-000000000000"
    status, job = server.call("GET", f"training-jobs/{out['job_name']}")
    assert status == 200, job
    assert job["Status"] == "Completed", job
    assert out["model_data"].startswith(f"s3://{out['bucket']}/")
    assert out["predictions"] == out["expected"]
    # Estimator.attach rebuilt the estimator from DescribeTrainingJob alone
    attached = out["attached"]
    assert attached["entry_point"] == "train.py"
    assert attached["source_dir"].startswith(f"s3://{out['bucket']}/")
    assert attached["source_dir"].endswith("/source/sourcedir.tar.gz")
    assert attached["hyperparameters"]["max-depth"] == "4"
    assert attached["model_data"] == out["model_data"]

    status, _ = server.call("GET", f"endpoints/{out['endpoint_name']}")
    assert status == 404
    status, _ = server.call("GET", f"endpoint-configs/{out['endpoint_name']}")
    assert status == 404
    status, _ = server.call("GET", f"models/{out['model_name']}")
    assert status == 404


async def test_sklearn_processor_reads_and_writes_s3(sdk_studio: SdkStudio) -> None:
    out, printed = await run_v2(sdk_studio, "v2_processing.py", unique("v2-proc"))

    assert out["status"] == "Completed"
    assert out["summary"] == out["expected"]
    assert "processed rows=10" in printed  # run() showed the job's log
    status, job = sdk_studio.server.call("GET", f"processing-jobs/{out['job_name']}")
    assert status == 200, job
    assert job["Status"] == "Completed", job


async def test_a_run_logs_parameters_and_metrics_read_back_by_analytics(
    sdk_studio: SdkStudio,
) -> None:
    experiment = unique("v2-exp")
    out, _ = await run_v2(sdk_studio, "v2_experiments.py", experiment)

    (row,) = out["rows"]
    assert row["learning_rate"] == 0.1
    assert row["max_depth"] == 3
    assert row["criterion"] == "gini"
    assert row["loss - Min"] == 0.3
    assert row["loss - Max"] == 0.9
    assert row["loss - Last"] == 0.3
    status, experiment_record = sdk_studio.server.call("GET", f"experiments/{experiment}")
    assert status == 200, experiment_record
    component = row["TrialComponentName"]
    status, recorded = sdk_studio.server.call("GET", f"trial-components/{component}")
    assert status == 200, recorded
    status, points = sdk_studio.server.call("GET", f"trial-components/{component}/metrics/loss")
    assert status == 200, points
    assert recorded["Status"]["PrimaryStatus"] == "Completed"  # the with block ended it
    assert recorded["Parameters"] == {"criterion": "gini", "learning_rate": 0.1, "max_depth": 3}
    assert [(p["Step"], p["Value"]) for p in points["Points"]] == [(0, 0.9), (1, 0.5), (2, 0.3)]
    assert row["Experiments"] == [experiment]
    assert row["TrialComponentName"] == f"{experiment}-{out['run_name']}"
