"""examples/pipeline.ipynb runs top to bottom, on the process runtime and in containers:
a SageMaker pipeline (preprocess → train → evaluate → register if accurate enough, else
fail) upserted and run by the SDK, its registered version approved, deployed, invoked
and deleted; a second execution served from the step cache, and a third one, with a
threshold the model misses, failed by its FailStep.

What the notebook shows is checked against the studio that ran it (its pipeline
executions and model registry, over its REST API), against the jobs in its store and
against the files the steps wrote: the report's accuracy is what the endpoint's answers
score on the test split and (process runtime) what the trained model scores there."""

from __future__ import annotations

import ast
import json
import re
import sqlite3
import tarfile
import time
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest

from jupyter_mlstudio.ownership import current_owner
from jupyter_mlstudio.sdk.pipeline_client import PipelineClient
from jupyter_mlstudio.sdk.registry_client import RegistryClient
from jupyter_mlstudio.sdk.transport import StudioConnection
from tests.runtime.conftest import docker_host, script_image  # noqa: F401 - fixtures
from tests.sdk.test_workflow_schema import check_definition_schema

from .test_examples import execute, outputs_text

PIPELINE = "pipeline-example"
GROUP = "pipeline-example"
JOB_STEPS = {"Preprocess": "ProcessingJob", "Train": "TrainingJob", "Evaluate": "ProcessingJob"}
STEPS = {*JOB_STEPS, "CheckAccuracy", "Register-RegisterModel"}
#: a condition step's ``Metadata.Condition.Outcome``, as SageMaker writes it
OUTCOME = {True: "True", False: "False"}


def _line(text: str, prefix: str) -> str:
    (found,) = re.findall(rf"^{re.escape(prefix)}(.*)$", text, flags=re.M)
    return found


def _path(uri: str) -> Path:
    assert uri.startswith("file://"), uri
    return Path(uri.removeprefix("file://"))


def _steps(pipelines: PipelineClient, arn: str) -> dict[str, dict[str, Any]]:
    steps = pipelines.list_steps(arn)
    by_name = {step["StepName"]: step for step in steps}
    assert len(by_name) == len(steps)
    return by_name


def _job_name(step: dict[str, Any]) -> str:
    return str(step["Metadata"][JOB_STEPS[step["StepName"]]]["Arn"]).rsplit("/", 1)[-1]


def _output(job: dict[str, Any], name: str) -> Path:
    """Where a processing job's named output was published."""
    (output,) = [o for o in job["outputs"]["ProcessingOutputs"] if o["OutputName"] == name]
    return _path(output["S3Uri"])


def trained_model(archive: Path, folder: Path) -> Any:
    """The model a training job saved (its model.tar.gz)."""
    with tarfile.open(archive) as tar:
        tar.extract("model.joblib", folder, filter="data")
    return joblib.load(folder / "model.joblib")


def stored_jobs(home: Path) -> dict[str, dict[str, Any]]:
    """The step jobs in the studio's store."""
    with sqlite3.connect(home / "mlstudio.db") as db:
        rows = db.execute(
            "SELECT name, kind, status, runtime, outputs FROM jobs WHERE name LIKE 'pipelines-%'"
        ).fetchall()
    return {
        name: {"kind": kind, "status": status, "runtime": runtime, "outputs": json.loads(out)}
        for name, kind, status, runtime, out in rows
    }


@pytest.mark.timeout(300)
@pytest.mark.parametrize("runtime", ["process", pytest.param("docker", marks=pytest.mark.docker)])
def test_pipeline_notebook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runtime: str, request: pytest.FixtureRequest
) -> None:
    monkeypatch.setenv("MLSTUDIO_HOME", str(tmp_path))
    for var in ("MLSTUDIO_TRACKING_URI", "MLSTUDIO_DATABASE_URL", "MLSTUDIO_ARTIFACT_ROOT"):
        monkeypatch.delenv(var, raising=False)
    if runtime == "docker":
        request.getfixturevalue("script_image")
        monkeypatch.setenv("DOCKER_HOST", request.getfixturevalue("docker_host").base_url)
        monkeypatch.setenv("MLSTUDIO_RUNTIME", "docker")
    else:
        monkeypatch.delenv("MLSTUDIO_RUNTIME", raising=False)  # the notebook's own default: process
    started = time.monotonic()
    notebook = execute("pipeline.ipynb", tmp_path)
    elapsed = time.monotonic() - started
    text = outputs_text(notebook)
    assert f"runtime: {runtime}" in text
    assert elapsed < 120, f"the notebook took {elapsed:.0f} s"

    owner = current_owner(tmp_path)
    assert owner is not None, "the studio that ran the pipeline is gone"
    studio = StudioConnection(owner.url, token=owner.token)
    pipelines, registry = PipelineClient(studio), RegistryClient(studio)
    # the definition the notebook sent has the keys and types SageMaker documents
    check_definition_schema(json.loads(pipelines.describe_pipeline(PIPELINE)["PipelineDefinition"]))

    # three executions: two Succeeded, one below the threshold Failed; as printed
    summaries = pipelines.list_executions(PIPELINE, sort_order="Ascending")
    first, second, strict = summaries["PipelineExecutionSummaries"]
    printed = re.findall(r"^execution: (\S+) (\S+)$", text, flags=re.M)
    assert printed == [
        (first["PipelineExecutionArn"], "Succeeded"),
        (second["PipelineExecutionArn"], "Succeeded"),
        (strict["PipelineExecutionArn"], "Failed"),
    ]
    for summary, threshold in ((first, 0.8), (second, 0.8), (strict, 0.99)):
        described = pipelines.describe_execution(summary["PipelineExecutionArn"])
        assert described["PipelineExecutionStatus"] == summary["PipelineExecutionStatus"]
        parameters = {p["Name"]: p["Value"] for p in described["PipelineParameters"]}
        assert float(parameters["AccuracyThreshold"]) == threshold
        assert parameters["ModelApprovalStatus"] == "PendingManualApproval"
        assert parameters["TrainingInstanceType"] == "ml.m5.xlarge"

    # the first execution ran every step of the taken branch as jobs of this runtime
    steps = _steps(pipelines, first["PipelineExecutionArn"])
    assert set(steps) == STEPS
    assert all(s["StepStatus"] == "Succeeded" and "CacheHitResult" not in s for s in steps.values())
    assert steps["CheckAccuracy"]["Metadata"]["Condition"]["Outcome"] == OUTCOME[True]
    version_1 = steps["Register-RegisterModel"]["Metadata"]["RegisterModel"]["Arn"]
    assert version_1.endswith(f":model-package/{GROUP}/1")
    jobs = stored_jobs(tmp_path)
    names = {step: _job_name(steps[step]) for step in JOB_STEPS}
    assert set(jobs) == set(names.values())  # the later executions started no job
    for step, name in names.items():
        assert jobs[name]["kind"] == JOB_STEPS[step]
        assert jobs[name]["status"] == "Completed"
        assert jobs[name]["runtime"] == runtime

    # the preprocessing split the 600 raw rows; the evaluation reported the accuracy
    raw = np.loadtxt(tmp_path / "pipeline-example" / "data" / "raw.csv", delimiter=",", skiprows=1)
    train = np.loadtxt(_output(jobs[names["Preprocess"]], "train") / "train.csv", delimiter=",")
    test = np.loadtxt(_output(jobs[names["Preprocess"]], "test") / "test.csv", delimiter=",")
    assert (len(train), len(test)) == (450, 150)
    label_first = np.column_stack([raw[:, -1], raw[:, :-1]])
    assert sorted(map(tuple, np.vstack([train, test]))) == sorted(map(tuple, label_first))
    archive = tmp_path / "artifacts" / "jobs" / names["Train"] / "output" / "model.tar.gz"
    with tarfile.open(archive) as tar:
        assert "model.joblib" in tar.getnames()
    report_path = _output(jobs[names["Evaluate"]], "evaluation") / "evaluation.json"
    accuracy = json.loads(report_path.read_text())["metrics"]["accuracy"]["value"]
    assert accuracy >= 0.8
    assert float(_line(text, "accuracy: ")) == accuracy
    # the endpoint's answers on the whole test split score what the report says
    assert float(_line(text, "accuracy of its answers: ")) == pytest.approx(accuracy)
    assert ast.literal_eval(_line(text, "actual:    ")) == test[:10, 0].astype(int).tolist()
    if runtime == "process":
        # the model unpickles here only when this Python's scikit-learn trained it (the
        # image has another version): its score is the report's, its answers the endpoint's
        model = trained_model(archive, tmp_path / "check")
        assert accuracy == pytest.approx(model.score(test[:, 1:], test[:, 0]))
        expected = model.predict(test[:10, 1:]).astype(int).tolist()
        assert ast.literal_eval(_line(text, "predicted: ")) == expected

    # the version: registered PendingManualApproval, with the report; then approved
    printed_version = f"{version_1} PendingManualApproval"
    assert _line(text, "version: ") == printed_version
    assert _line(text, "approval: ") == "Approved"
    described_1 = registry.describe_package(version_1)
    assert described_1["ModelApprovalStatus"] == "Approved"
    metrics = described_1["ModelMetrics"]["ModelQuality"]["Statistics"]
    assert _path(metrics["S3Uri"]) == report_path
    assert _line(text, "metrics: ") == metrics["S3Uri"]
    (container,) = described_1["InferenceSpecification"]["Containers"]
    assert _path(container["ModelDataUrl"]) == archive
    assert container["Environment"]["SAGEMAKER_PROGRAM"] == "train.py"

    # the endpoint was deleted, with its configuration and model
    endpoint = _line(text, "endpoint: ")
    assert endpoint.startswith(f"{GROUP}-")
    assert _line(text, "deleted ") == endpoint
    with sqlite3.connect(tmp_path / "mlstudio.db") as db:
        for table in ("endpoints", "endpoint_configs", "models"):
            assert db.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table

    # the second execution: the job steps from the cache, the model registered again
    cached = _steps(pipelines, second["PipelineExecutionArn"])
    assert set(cached) == STEPS
    assert all(s["StepStatus"] == "Succeeded" for s in cached.values())
    for step in JOB_STEPS:
        hit = cached[step]["CacheHitResult"]
        assert hit["SourcePipelineExecutionArn"] == first["PipelineExecutionArn"]
        assert _job_name(cached[step]) == names[step]
    for step in ("CheckAccuracy", "Register-RegisterModel"):
        assert "CacheHitResult" not in cached[step]
    version_2 = cached["Register-RegisterModel"]["Metadata"]["RegisterModel"]["Arn"]
    assert version_2.endswith(f":model-package/{GROUP}/2")
    versions = {
        v["ModelPackageArn"]: v["ModelApprovalStatus"] for v in registry.list_packages(GROUP)
    }
    assert versions == {version_1: "Approved", version_2: "PendingManualApproval"}
    first_id = first["PipelineExecutionArn"].rsplit("/", 1)[-1]
    table = text.split(second["PipelineExecutionArn"])[1].split(strict["PipelineExecutionArn"])[0]
    for step in JOB_STEPS:  # the notebook's table names the execution each came from
        assert re.search(rf"^\s*{step} Succeeded .* {first_id}\s*$", table, flags=re.M), step

    # below the threshold: the job steps from the cache, the FailStep, nothing registered
    failed = _steps(pipelines, strict["PipelineExecutionArn"])
    assert set(failed) == {*JOB_STEPS, "CheckAccuracy", "AccuracyTooLow"}
    for step in JOB_STEPS:
        assert failed[step]["StepStatus"] == "Succeeded"
        hit = failed[step]["CacheHitResult"]
        assert hit["SourcePipelineExecutionArn"] == first["PipelineExecutionArn"]
    assert failed["CheckAccuracy"]["Metadata"]["Condition"]["Outcome"] == OUTCOME[False]
    assert failed["AccuracyTooLow"]["StepStatus"] == "Failed"
    message = "accuracy below the threshold 0.99"
    assert failed["AccuracyTooLow"]["Metadata"]["Fail"]["ErrorMessage"] == message
    reason = f"Step AccuracyTooLow failed: {message}"
    assert pipelines.describe_execution(strict["PipelineExecutionArn"])["FailureReason"] == reason
    assert _line(text, "reason: ") == reason
    assert _line(text, "versions: ") == "2"
    assert len(registry.list_packages(GROUP)) == 2
