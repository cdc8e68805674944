"""Batch transform end to end on the process runtime: real model servers started for a
scikit-learn model trained here, real input and output files (a folder, SeaweedFS S3),
SingleRecord/MultiRecord, two instances, join and filters, bad records, stop, restart,
validation, and the same through the REST API."""

from __future__ import annotations

import asyncio
import gzip
import json
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from jupyter_mlstudio.artifacts import open_artifact_store
from jupyter_mlstudio.config import StudioConfig, resolve_config
from jupyter_mlstudio.entities import Job, JobKind, JobStatus, SecondaryStatus, utcnow
from jupyter_mlstudio.exceptions import ConflictError, ValidationError
from jupyter_mlstudio.hosting.instances import plan_variant
from jupyter_mlstudio.services.jobs.transform.service import CLOSE_REASON, RESTART_REASON
from jupyter_mlstudio.services.jobs.transform.supervisor import TransformInstances
from jupyter_mlstudio.services.studio import Studio
from tests.artifacts.conftest import s3_env, s3_uri, seaweedfs  # noqa: F401 - fixtures
from tests.hosting.conftest import model_request
from tests.server.test_api import call

INFERENCE = """
import os
import threading

import joblib

PRINTING = threading.Lock()  # print() from concurrent requests can lose text without it


def model_fn(model_dir):
    print("batch:", os.environ.get("SAGEMAKER_BATCH"), "greeting:", os.environ.get("GREETING"))
    return joblib.load(os.path.join(model_dir, "model.joblib"))


def predict_fn(data, model):
    with PRINTING:
        print(f"predicting {len(data)} rows", flush=True)
    return model.predict(data)
"""

FAILING = """
import os
import joblib


def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "model.joblib"))


def predict_fn(data, model):
    if (data < -999).any():
        raise ValueError("a marker row asked me to fail")
    return model.predict(data)
"""

SLOW = """
import os
import time
import joblib


def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "model.joblib"))


def predict_fn(data, model):
    time.sleep(0.3)
    return model.predict(data)
"""


@pytest.fixture
def trained(tmp_path: Path) -> tuple[LogisticRegression, np.ndarray, Path]:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(300, 4))
    y = (x[:, 0] - 0.7 * x[:, 2] > 0).astype(int)
    model = LogisticRegression().fit(x, y)
    staged = tmp_path / "model"
    staged.mkdir()
    joblib.dump(model, staged / "model.joblib")
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(staged / "model.joblib", arcname="model.joblib")
    return model, x, archive


@pytest.fixture
def config(tmp_path: Path) -> StudioConfig:
    home = tmp_path / "home"
    home.mkdir()
    return resolve_config(home=home, default_runtime="process")


@pytest.fixture
def studio(config: StudioConfig) -> Iterator[Studio]:
    opened = Studio.open(config)
    yield opened
    opened.close()


def create_models(studio: Studio, archive: Path, root: Path) -> None:
    """Models ``clf`` (logs each request), ``clf-failing`` and ``clf-slow``."""
    for name, script in (("clf", INFERENCE), ("clf-failing", FAILING), ("clf-slow", SLOW)):
        code = root / f"code-{name}"
        code.mkdir()
        (code / "inference.py").write_text(script)
        studio.endpoints.create_model(model_request(name, archive, code))


@pytest.fixture
def models(studio: Studio, trained: tuple[Any, np.ndarray, Path], tmp_path: Path) -> Studio:
    create_models(studio, trained[2], tmp_path)
    return studio


def csv_text(x: np.ndarray) -> str:
    return "".join(",".join(repr(float(v)) for v in row) + "\n" for row in x)


def request(
    name: str, source: str, output: str | None, model: str = "clf", **extra: Any
) -> dict[str, Any]:
    transform_input = {
        "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": source}},
        "ContentType": "text/csv",
        "SplitType": "Line",
        **extra.pop("TransformInput", {}),
    }
    body: dict[str, Any] = {
        "TransformJobName": name,
        "ModelName": model,
        "TransformInput": transform_input,
        "TransformOutput": {"Accept": "text/csv", "AssembleWith": "Line"},
        "TransformResources": {"InstanceType": "local", "InstanceCount": 1},
    }
    if output is not None:
        body["TransformOutput"]["S3OutputPath"] = output
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(body.get(key), dict):
            body[key] = {**body[key], **value}
        else:
            body[key] = value
    return body


def transform(studio: Studio, body: dict[str, Any], timeout: float = 180) -> Job:
    created = studio.transform.create_transform_job(body)
    assert created.status is JobStatus.IN_PROGRESS
    assert created.secondary_status is SecondaryStatus.STARTING
    return studio.transform.wait(body["TransformJobName"], timeout)


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def test_single_record_on_two_instances_equals_predict(
    models: Studio, trained: tuple[Any, np.ndarray, Path], tmp_path: Path
) -> None:
    model, x, _ = trained
    data = tmp_path / "in"
    data.mkdir()
    (data / "a.csv").write_text(csv_text(x[:200]))
    (data / "sub").mkdir()
    (data / "sub" / "b.csv").write_text(csv_text(x[200:]))
    (data / ".ipynb_checkpoints").mkdir()  # hidden: not an input
    (data / ".ipynb_checkpoints" / "a-checkpoint.csv").write_text("junk\n")
    out = tmp_path / "out"
    body = request(
        "single-2",
        str(data),
        str(out),
        BatchStrategy="SingleRecord",
        MaxConcurrentTransforms=2,
        TransformResources={"InstanceCount": 2},
        Environment={"GREETING": "hello"},
    )
    job = transform(models, body)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    expected = [str(v) for v in model.predict(x)]
    assert lines(out / "a.csv.out") == expected[:200]
    assert lines(out / "sub" / "b.csv.out") == expected[200:]
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == ["a.csv.out", "b.csv.out"]
    assert [t.status for t in job.secondary_status_transitions] == [
        SecondaryStatus.STARTING,
        SecondaryStatus.DOWNLOADING,
        SecondaryStatus.TRANSFORMING,
        SecondaryStatus.UPLOADING,
        SecondaryStatus.COMPLETED,
    ]
    outputs = job.outputs
    assert outputs["RecordCount"] == 300
    assert outputs["FailedRecordCount"] == 0
    assert outputs["TransformOutput"]["S3OutputPath"] == out.as_uri()
    assert [(f["Input"], f["Records"]) for f in outputs["OutputFiles"]] == [
        ("a.csv", 200),
        ("sub/b.csv", 100),
    ]
    assert outputs["OutputFiles"][1]["S3Uri"] == (out / "sub" / "b.csv.out").as_uri()
    assert outputs["TransformSettings"] == {
        "BatchStrategy": "SingleRecord",
        "MaxPayloadInMB": 6,
        "MaxConcurrentTransforms": 2,
        "InstanceCount": 2,
        "Workers": 4,
    }
    assert job.spec["ModelName"] == "clf"
    assert job.spec["TransformOutput"]["S3OutputPath"] == str(out)
    assert job.start_time is not None
    assert job.end_time is not None
    # both instances answered (one row per request), and their logs are readable
    served = []
    for host in ("algo-1", "algo-2"):
        logs = models.transform.read_logs("single-2", host)
        assert logs.Complete
        assert "batch: true greeting: hello" in logs.Text
        served.append(logs.Text.count("predicting 1 rows"))
    assert all(n > 0 for n in served), served
    assert sum(served) == 300, served
    # the model servers are gone
    runner = models.jobs.runner("process")
    assert runner.reattach("single-2") == []


def test_multi_record_batches_by_payload_and_joins_the_input(
    models: Studio, trained: tuple[Any, np.ndarray, Path], tmp_path: Path
) -> None:
    model, x, _ = trained
    rng = np.random.default_rng(1)
    big = rng.normal(size=(16000, 4))  # ~1.3 MB of CSV: two batches of at most 1 MB
    rows = [f"id-{i}," + ",".join(repr(float(v)) for v in row) for i, row in enumerate(big)]
    source = tmp_path / "ids.csv"
    source.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out"
    body = request(
        "multi-join",
        str(source),
        str(out),
        BatchStrategy="MultiRecord",
        MaxPayloadInMB=1,
        DataProcessing={"InputFilter": "$[1:]", "JoinSource": "Input", "OutputFilter": "$[0,-1]"},
    )
    job = transform(models, body)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    expected = [f"id-{i},{p}" for i, p in enumerate(model.predict(big))]
    assert lines(out / "ids.csv.out") == expected
    logs = models.transform.read_logs("multi-join").Text
    batches = [int(line.split()[1]) for line in logs.splitlines() if line.startswith("predicting")]
    assert len(batches) == 2, logs
    assert sum(batches) == 16000
    assert job.outputs["TransformSettings"]["BatchStrategy"] == "MultiRecord"

    # JoinSource Input alone: the whole input row, then the answer
    body = request(
        "multi-join-all",
        str(tmp_path / "plain.csv"),
        str(out),
        BatchStrategy="MultiRecord",
        DataProcessing={"JoinSource": "Input"},
    )
    (tmp_path / "plain.csv").write_text(csv_text(x[:50]))
    job = transform(models, body)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    expected = [
        ",".join(repr(float(v)) for v in row) + f",{p}"
        for row, p in zip(x[:50], model.predict(x[:50]), strict=False)
    ]
    assert lines(out / "plain.csv.out") == expected


def test_json_lines_join_with_filters(
    models: Studio, trained: tuple[Any, np.ndarray, Path], tmp_path: Path
) -> None:
    model, x, _ = trained
    source = tmp_path / "records.jsonl"
    source.write_text(
        "".join(
            json.dumps({"id": i, "features": [row.tolist()]}) + "\n" for i, row in enumerate(x[:40])
        )
    )
    out = tmp_path / "out"
    body = request(
        "json-join",
        str(source),
        str(out),
        TransformInput={"ContentType": "application/json"},
        TransformOutput={"Accept": "application/json"},
        BatchStrategy="SingleRecord",
        DataProcessing={
            "InputFilter": "$.features",
            "JoinSource": "Input",
            "OutputFilter": "$['id','SageMakerOutput']",
        },
    )
    job = transform(models, body)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    got = [json.loads(line) for line in lines(out / "records.jsonl.out")]
    assert got == [
        {"id": i, "SageMakerOutput": [int(p)]} for i, p in enumerate(model.predict(x[:40]))
    ]


def test_bad_records_fail_the_job_but_good_outputs_are_written(
    models: Studio, trained: tuple[Any, np.ndarray, Path], tmp_path: Path
) -> None:
    model, x, _ = trained
    rows = x[:60].copy()
    rows[6, 1] = -5000.0  # records 7 and 24 make predict_fn raise
    rows[23, 0] = -5000.0
    source = tmp_path / "data.csv"
    source.write_text(csv_text(rows))
    out = tmp_path / "out"
    body = request(
        "bad-records",
        str(source),
        str(out),
        model="clf-failing",
        BatchStrategy="MultiRecord",
        TransformResources={"InstanceCount": 2},
        DataProcessing={"JoinSource": "Input"},
    )
    job = transform(models, body)
    assert job.status is JobStatus.FAILED
    assert job.secondary_status is SecondaryStatus.FAILED
    assert job.failure_reason is not None
    assert job.failure_reason.startswith(
        "2 of 60 records failed: first error: data.csv record 7: the model answered 500:"
    ), job.failure_reason
    assert "a marker row asked me to fail" in job.failure_reason
    assert [(e["Record"]) for e in job.outputs["FailedRecords"]] == [7, 24]
    good = [i for i in range(60) if i not in (6, 23)]
    expected = [
        ",".join(repr(float(v)) for v in rows[i]) + f",{model.predict(rows[i : i + 1])[0]}"
        for i in good
    ]
    assert lines(out / "data.csv.out") == expected
    assert job.outputs["OutputFiles"][0]["FailedRecords"] == 2


def test_stop_ends_the_job_and_its_servers(
    models: Studio, trained: tuple[Any, np.ndarray, Path], tmp_path: Path
) -> None:
    _, x, _ = trained
    source = tmp_path / "data.csv"
    source.write_text(csv_text(x))  # 300 records at 0.3 s each: far longer than the test
    out = tmp_path / "out"
    body = request("stop-me", str(source), str(out), model="clf-slow", BatchStrategy="SingleRecord")
    models.transform.create_transform_job(body)
    deadline = time.monotonic() + 60
    while (
        models.transform.get_transform_job("stop-me").secondary_status
        is not SecondaryStatus.TRANSFORMING
    ):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.5)
    stopping = models.transform.stop_transform_job("stop-me")
    assert stopping.status in (JobStatus.STOPPING, JobStatus.STOPPED)
    started = time.monotonic()
    job = models.transform.wait("stop-me", 30)
    assert time.monotonic() - started < 10
    assert job.status is JobStatus.STOPPED
    statuses = [t.status for t in job.secondary_status_transitions]
    assert statuses[-2:] == [SecondaryStatus.STOPPING, SecondaryStatus.STOPPED]
    assert not out.exists()  # nothing is uploaded for a stopped job
    assert models.jobs.runner("process").reattach("stop-me") == []
    assert "model server" in models.transform.read_logs("stop-me").Text
    with pytest.raises(ConflictError) as info:
        models.transform.stop_transform_job("stop-me")
    assert info.value.field == "TransformJobName"


def test_requests_are_checked_before_anything_starts(models: Studio, tmp_path: Path) -> None:
    source = tmp_path / "data.csv"
    source.write_text("1,2,3,4\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    ok = request("checked", str(source), str(tmp_path / "out"))
    cases: list[tuple[dict[str, Any], str]] = [
        ({**ok, "ModelName": "no-such-model"}, "ModelName"),
        ({**ok, "TransformJobName": "bad_name"}, "TransformJobName"),
        (
            request("checked", str(tmp_path / "missing.csv"), None),
            "TransformInput.DataSource.S3DataSource.S3Uri",
        ),
        (request("checked", str(empty), None), "TransformInput.DataSource.S3DataSource.S3Uri"),
        (request("checked", "ftp://x/y", None), "TransformInput.DataSource.S3DataSource.S3Uri"),
        ({**ok, "BatchStrategy": "Everything"}, "BatchStrategy"),
        ({**ok, "MaxPayloadInMB": 101}, "MaxPayloadInMB"),
        ({**ok, "MaxPayloadInMB": 0}, "MaxPayloadInMB"),
        ({**ok, "MaxConcurrentTransforms": 65}, "MaxConcurrentTransforms"),
        ({**ok, "TransformResources": {"InstanceCount": 0}}, "TransformResources.InstanceCount"),
        ({**ok, "TransformResources": {"InstanceCount": 17}}, "TransformResources.InstanceCount"),
        (
            {**ok, "TransformResources": {"InstanceType": "ml.nope"}},
            "TransformResources.InstanceType",
        ),
        (
            request("checked", str(source), None, TransformInput={"SplitType": "RecordIO"}),
            "TransformInput.SplitType",
        ),
        (
            request("checked", str(source), None, TransformInput={"CompressionType": "Zip"}),
            "TransformInput.CompressionType",
        ),
        (
            request("checked", str(source), None, TransformOutput={"AssembleWith": "Comma"}),
            "TransformOutput.AssembleWith",
        ),
        ({**ok, "DataProcessing": {"InputFilter": "$..x"}}, "DataProcessing.InputFilter"),
        ({**ok, "DataProcessing": {"InputFilter": "$.features"}}, "DataProcessing.InputFilter"),
        ({**ok, "DataProcessing": {"JoinSource": "Output"}}, "DataProcessing.JoinSource"),
        (
            request(
                "checked",
                str(source),
                None,
                TransformInput={"ContentType": "image/png"},
                DataProcessing={"JoinSource": "Input"},
            ),
            "DataProcessing",
        ),
        ({**ok, "TransformOutput": {"S3OutputPath": str(source)}}, "TransformOutput.S3OutputPath"),
        ({**ok, "Unknown": 1}, "Unknown"),
        ({k: v for k, v in ok.items() if k != "ModelName"}, "ModelName"),
    ]
    for body, field in cases:
        with pytest.raises(ValidationError) as info:
            models.transform.create_transform_job(body)
        assert info.value.field == field, (field, info.value.message)
    assert models.transform.list_transform_jobs().items == []
    assert not (models.config.home / "jobs" / "checked").exists()
    # a taken name conflicts (with any kind of job)
    job = transform(models, ok)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    with pytest.raises(ConflictError) as conflict:
        models.transform.create_transform_job(ok)
    assert conflict.value.field == "TransformJobName"


def test_manifest_gzip_and_whole_files(
    models: Studio, trained: tuple[Any, np.ndarray, Path], tmp_path: Path
) -> None:
    model, x, _ = trained
    data = tmp_path / "data"
    data.mkdir()
    for i in range(3):
        (data / f"part-{i}.csv.gz").write_bytes(
            gzip.compress(csv_text(x[i * 10 : i * 10 + 10]).encode())
        )
    manifest = tmp_path / "input.manifest"
    manifest.write_text(json.dumps([{"prefix": str(data) + "/"}, "part-2.csv.gz", "part-0.csv.gz"]))
    out = tmp_path / "out"
    body = request(
        "manifest",
        str(manifest),
        str(out),
        TransformInput={
            "DataSource": {"S3DataSource": {"S3DataType": "ManifestFile", "S3Uri": str(manifest)}},
            "CompressionType": "Gzip",
            "SplitType": "None",
        },
        TransformOutput={"AssembleWith": "None"},
    )
    job = transform(models, body)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    assert sorted(p.name for p in out.iterdir()) == ["part-0.csv.gz.out", "part-2.csv.gz.out"]
    for i in (0, 2):  # the whole file is one request; the answer is written as it is
        expected = "".join(f"{p}\n" for p in model.predict(x[i * 10 : i * 10 + 10]))
        assert (out / f"part-{i}.csv.gz.out").read_text() == expected
    logs = models.transform.read_logs("manifest").Text
    assert logs.count("predicting 10 rows") == 2


@pytest.mark.s3
def test_s3_input_and_output(
    models: Studio,
    trained: tuple[Any, np.ndarray, Path],
    s3_uri: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    model, x, _ = trained
    with open_artifact_store(s3_uri) as store:
        store.put_bytes("input/one.csv", csv_text(x[:120]).encode())
        store.put_bytes("input/more/two.csv", csv_text(x[120:]).encode())
    body = request(
        "s3-job",
        f"{s3_uri}/input",
        f"{s3_uri}/output/",
        BatchStrategy="MultiRecord",
        TransformResources={"InstanceCount": 2},
    )
    job = transform(models, body)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    expected = [str(v) for v in model.predict(x)]
    with open_artifact_store(f"{s3_uri}/output") as store:
        assert store.get_bytes("one.csv.out").decode().splitlines() == expected[:120]
        assert store.get_bytes("more/two.csv.out").decode().splitlines() == expected[120:]
    files = job.outputs["OutputFiles"]
    assert [f["S3Uri"] for f in files] == [
        f"{s3_uri}/output/more/two.csv.out",
        f"{s3_uri}/output/one.csv.out",
    ]
    artifact = models.transform.open_output("s3-job", "one.csv.out")
    try:
        assert artifact.reader.read().decode().splitlines() == expected[:120]
    finally:
        artifact.close()
    # the default output place is the artifact store; an S3 object as input
    body = request("s3-one-object", f"{s3_uri}/input/one.csv", None)
    job = transform(models, body)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    where = job.outputs["TransformOutput"]["S3OutputPath"]
    assert where == models.artifacts.uri_for("jobs/s3-one-object/output")
    assert (
        models.artifacts.get_bytes("jobs/s3-one-object/output/one.csv.out").decode().splitlines()
        == expected[:120]
    )
    # a prefix with nothing under it fails the job with a client error
    job = transform(models, request("s3-nothing", f"{s3_uri}/nothing-here", None))
    assert job.status is JobStatus.FAILED
    assert job.failure_reason is not None
    assert job.failure_reason.startswith("ClientError:")


def test_studio_close_and_restart_end_running_jobs(
    config: StudioConfig, trained: tuple[Any, np.ndarray, Path], tmp_path: Path
) -> None:
    _, x, archive = trained
    source = tmp_path / "data.csv"
    source.write_text(csv_text(x))
    first = Studio.open(config)
    try:
        create_models(first, archive, tmp_path)
        first.transform.create_transform_job(
            request("closing", str(source), None, model="clf-slow", BatchStrategy="SingleRecord")
        )
        deadline = time.monotonic() + 60
        while (
            first.transform.get_transform_job("closing").secondary_status
            is not SecondaryStatus.TRANSFORMING
        ):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        # a job whose studio died: its record says InProgress and a model server is left
        runner = first.jobs.runner("process")
        model = first.endpoints.get_model("clf-slow")
        plan = plan_variant("crashed", "clf-slow", model, 1, "local", "process")
        left = TransformInstances(
            plan, runner, config.home / "jobs" / "crashed" / "instances", "crashed"
        )
        left.start()
        now = utcnow()
        first.store.create_job(
            Job(
                job_name="crashed",
                kind=JobKind.TRANSFORM,
                status=JobStatus.IN_PROGRESS,
                runtime="process",
                creation_time=now,
                last_modified_time=now,
            )
        )
        assert len(runner.reattach("crashed")) == 1
    finally:
        first.close()
    closed = first.store  # closed with the studio: read through a new one
    del closed
    second = Studio.open(config)
    try:
        job = second.transform.get_transform_job("closing")
        assert job.status is JobStatus.FAILED
        assert job.failure_reason == CLOSE_REASON
        crashed = second.transform.get_transform_job("crashed")
        assert crashed.status is JobStatus.FAILED
        assert crashed.failure_reason == RESTART_REASON
        assert second.jobs.runner("process").reattach("crashed") == []
        assert second.jobs.runner("process").reattach("closing") == []
    finally:
        second.close()


async def _until_done(jp_fetch: Any, name: str, timeout: float = 120) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        status, job = await call(jp_fetch, "GET", "transform-jobs", name)
        assert status == 200
        if job["Status"] in ("Completed", "Failed", "Stopped"):
            return job
        assert asyncio.get_running_loop().time() < deadline, job
        await asyncio.sleep(0.1)


async def test_rest_api(
    jp_fetch: Any, trained: tuple[Any, np.ndarray, Path], tmp_path: Path
) -> None:
    model, x, archive = trained
    code = tmp_path / "code"
    code.mkdir()
    (code / "inference.py").write_text(INFERENCE)
    status, _ = await call(
        jp_fetch, "POST", "models", body=model_request("rest-clf", archive, code)
    )
    assert status == 201
    source = tmp_path / "data.csv"
    source.write_text(csv_text(x[:100]))
    body = request(
        "rest-job",
        str(source),
        str(tmp_path / "out"),
        model="rest-clf",
        BatchStrategy="MultiRecord",
    )
    status, job = await call(jp_fetch, "POST", "transform-jobs", body=body)
    assert status == 201, job
    assert job["Kind"] == "TransformJob"
    assert job["Status"] == "InProgress"
    assert job["Spec"]["TransformInput"]["SplitType"] == "Line"
    job = await _until_done(jp_fetch, "rest-job")
    assert job["Status"] == "Completed", job
    assert job["Outputs"]["RecordCount"] == 100
    status, listing = await call(jp_fetch, "GET", "transform-jobs")
    assert [j["JobName"] for j in listing["TransformJobSummaries"]] == ["rest-job"]
    status, logs = await call(
        jp_fetch,
        "GET",
        "transform-jobs",
        "rest-job",
        "logs",
        params={"Host": "algo-1", "Offset": "0"},
    )
    assert status == 200
    assert logs["Complete"]
    assert "predicting 100 rows" in logs["Text"]
    status, rest = await call(
        jp_fetch,
        "GET",
        "transform-jobs",
        "rest-job",
        "logs",
        params={"Offset": str(logs["NextOffset"])},
    )
    assert rest["Text"] == ""
    assert rest["NextOffset"] == logs["NextOffset"]
    response = await jp_fetch(
        "mlstudio", "api", "transform-jobs", "rest-job", "artifacts", "data.csv.out"
    )
    assert response.body.decode().splitlines() == [str(v) for v in model.predict(x[:100])]
    status, error = await call(jp_fetch, "POST", "transform-jobs", "rest-job", "stop")
    assert status == 409
    assert error["field"] == "TransformJobName"
    status, error = await call(
        jp_fetch,
        "POST",
        "transform-jobs",
        body={**body, "TransformJobName": "rest-2", "MaxPayloadInMB": 500},
    )
    assert status == 400
    assert error["field"] == "MaxPayloadInMB"
    status, error = await call(
        jp_fetch,
        "POST",
        "transform-jobs",
        body={**body, "TransformJobName": "rest-2", "BatchStrategy": 3},
    )
    assert status == 400
    assert error["field"] == "BatchStrategy"
    status, error = await call(jp_fetch, "GET", "transform-jobs", "nope")
    assert status == 404
    status, error = await call(
        jp_fetch, "GET", "transform-jobs", "rest-job", "artifacts", "..%2Fsecret"
    )
    assert status in (400, 404)
