"""The SageMaker Python SDK v2's ``AutoML``, unmodified, against a real studio: a job on a
local CSV, its leaderboard, the best candidate deployed as a two-container inference
pipeline answering raw rows, a batch transform and ``attach`` (``scripts/v2_automl.py``),
then checked against the studio's REST API and the candidate's own fitted objects.

``deploy`` sleeps 30 s before it first describes the endpoint (the SDK's poll)."""

from __future__ import annotations

import tarfile
from pathlib import Path

import boto3
import joblib
import pandas as pd
import pytest

from jupyter_mlstudio.services.jobs.automl.job import automl_pipeline as ap

from ...support.automl_data import write_table
from .conftest import SdkStudio
from .test_sagemaker_v2 import run_v2, unique


async def test_automl_fit_deploy_predict_transform_attach(
    sdk_studio: SdkStudio, tmp_path: Path
) -> None:
    table = write_table(tmp_path / "customers.csv", rows=400)
    out, _ = await run_v2(sdk_studio, "v2_automl.py", unique("v2-aml"), str(table))
    assert out["status"] == "Completed"
    assert out["secondary"][-1] == "MaxCandidatesReached"
    assert len(out["leaderboard"]) == 4
    values = [v for _, v in out["leaderboard"]]
    assert values == sorted(values, reverse=True)
    assert out["best"] == out["leaderboard"][0][0] == out["attached_best"]
    assert out["objective"]["MetricName"] == "F1"
    assert out["attached_target"] == "churned"
    assert out["notebooks"]["DataExplorationNotebookLocation"].startswith("s3://")

    server = sdk_studio.server
    status, job = server.call("GET", f"auto-ml-jobs/{out['job_name']}")
    assert status == 200, job
    assert job["Outputs"]["BestCandidate"]["CandidateName"] == out["best"]
    status, _ = server.call("GET", f"endpoints/{out['endpoint_name']}")
    assert status == 404  # deleted

    # the answers are the best candidate's own: fetch its model from the embedded S3
    model_url = job["Outputs"]["BestCandidate"]["InferenceContainers"][0]["ModelDataUrl"]
    bucket, key = model_url.removeprefix("s3://").split("/", 1)
    env = sdk_studio.env
    s3 = boto3.client(
        "s3",
        endpoint_url=sdk_studio.s3_endpoint,
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=env.get("AWS_DEFAULT_REGION", "us-east-1"),
    )
    archive = tmp_path / "model.tar.gz"
    s3.download_file(bucket, key, str(archive))
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "best", filter="data")
    analysis = ap.Analysis.from_json((tmp_path / "best" / "analysis.json").read_text())
    transform = joblib.load(tmp_path / "best" / "feature-transform.joblib")
    estimator = joblib.load(tmp_path / "best" / "estimator.joblib")
    rows = pd.DataFrame(out["features"], columns=list(analysis.columns)).replace("", None)
    x = transform.transform(ap.prepare_features(rows, analysis))
    labels = [str(v) for v in estimator.predict(x)]
    probabilities = estimator.predict_proba(x).max(axis=1)
    assert [a[0] for a in out["answers"]] == labels
    assert [float(a[1]) for a in out["answers"]] == pytest.approx(list(probabilities))
    assert out["batch"] == labels
