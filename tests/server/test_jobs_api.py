"""Training jobs through the REST API (jp_fetch): create, describe, logs, stop."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.jobs.conftest import training_request

from .test_api import call


async def _until(jp_fetch: Any, name: str, statuses: tuple[str, ...], timeout: float = 60) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        status, job = await call(jp_fetch, "GET", "training-jobs", name)
        assert status == 200
        if job["Status"] in statuses:
            return job
        assert asyncio.get_running_loop().time() < deadline, job
        await asyncio.sleep(0.1)


async def _read_all_logs(jp_fetch: Any, name: str) -> str:
    text, offset = "", 0
    for _ in range(600):
        status, chunk = await call(
            jp_fetch, "GET", "training-jobs", name, "logs", params={"Offset": str(offset)}
        )
        assert status == 200
        text += chunk["Text"]
        assert chunk["NextOffset"] >= offset
        offset = chunk["NextOffset"]
        if chunk["Complete"]:
            return text
        await asyncio.sleep(0.1)
    raise AssertionError("the log never completed")


async def test_create_follow_logs_and_describe(jp_fetch: Any, tmp_path: Path) -> None:
    data = tmp_path / "train"
    data.mkdir()
    (data / "train.csv").write_text(
        "\n".join(f"{i % 2},{i % 2 + 0.1},{i * 0.01},{-(i % 2)}" for i in range(20)) + "\n"
    )
    status, job = await call(
        jp_fetch, "POST", "training-jobs", body=training_request("api-1", "train_sklearn.py", data)
    )
    assert status == 201, job
    assert job["JobName"] == "api-1"
    assert job["Status"] == "InProgress"
    assert job["Spec"]["ScriptMode"]["EntryPoint"].endswith("train_sklearn.py")
    logs = await _read_all_logs(jp_fetch, "api-1")
    assert "val_accuracy=" in logs
    job = await _until(jp_fetch, "api-1", ("Completed", "Failed"))
    assert job["Status"] == "Completed", job
    assert job["Outputs"]["ModelArtifacts"]["S3ModelArtifacts"].endswith("model.tar.gz")
    assert job["ExitCode"] == 0
    # listed, and a duplicate name conflicts
    status, listing = await call(jp_fetch, "GET", "training-jobs")
    assert [j["JobName"] for j in listing["TrainingJobSummaries"]] == ["api-1"]
    status, error = await call(
        jp_fetch, "POST", "training-jobs", body=training_request("api-1", "fail.py")
    )
    assert status == 409
    assert error["field"] == "TrainingJobName"
    # stopping a finished job conflicts
    status, error = await call(jp_fetch, "POST", "training-jobs", "api-1", "stop")
    assert status == 409


async def test_bad_input_names_the_field(jp_fetch: Any) -> None:
    status, error = await call(
        jp_fetch,
        "POST",
        "training-jobs",
        body={"TrainingJobName": "x", "ScriptMode": {"EntryPoint": "/no/such.py"}},
    )
    assert status == 400
    assert error["field"] == "ScriptMode.EntryPoint"
    status, error = await call(jp_fetch, "POST", "training-jobs", body={"TrainingJobName": "x"})
    assert status == 400
    assert error["field"] == "ScriptMode.EntryPoint"
    status, error = await call(
        jp_fetch, "POST", "training-jobs", body={"TrainingJobName": "a_b", "Nope": 1}
    )
    assert status == 400
    assert error["field"] == "Nope"
    status, listing = await call(jp_fetch, "GET", "training-jobs")
    assert listing["TrainingJobSummaries"] == []
    status, error = await call(jp_fetch, "GET", "training-jobs", "missing", "logs")
    assert status == 404


async def test_stop_a_running_job(jp_fetch: Any) -> None:
    status, job = await call(
        jp_fetch, "POST", "training-jobs", body=training_request("api-stop", "sleep.py")
    )
    assert status == 201
    for _ in range(300):
        _, chunk = await call(jp_fetch, "GET", "training-jobs", "api-stop", "logs")
        if "sleeping" in chunk["Text"]:
            break
        await asyncio.sleep(0.1)
    status, job = await call(jp_fetch, "POST", "training-jobs", "api-stop", "stop")
    assert status == 200
    assert job["Status"] in ("Stopping", "Stopped")
    job = await _until(jp_fetch, "api-stop", ("Stopped",), 30)
    assert job["SecondaryStatus"] == "Stopped"
    text = await _read_all_logs(jp_fetch, "api-stop")
    assert "sleeping" in text


async def test_processing_job_create_logs_and_stop_routes(jp_fetch: Any, tmp_path: Path) -> None:
    from tests.jobs.test_processing import processing_request

    data = tmp_path / "in"
    data.mkdir()
    (data / "a.csv").write_text("1,2\n3,4\n")
    out = tmp_path / "out"
    body = processing_request("api-prep", data, out)
    status, job = await call(jp_fetch, "POST", "processing-jobs", body=body)
    assert status == 201, job
    assert job["Kind"] == "ProcessingJob"
    text, offset = "", 0
    for _ in range(600):
        _, chunk = await call(
            jp_fetch, "GET", "processing-jobs", "api-prep", "logs", params={"Offset": str(offset)}
        )
        text += chunk["Text"]
        offset = chunk["NextOffset"]
        if chunk["Complete"]:
            break
        await asyncio.sleep(0.1)
    assert "rows=2" in text
    _, job = await call(jp_fetch, "GET", "processing-jobs", "api-prep")
    assert job["Status"] == "Completed", job
    assert (out / "clean.csv").read_text() == "1,2\n3,4\n"
    status, _ = await call(jp_fetch, "POST", "processing-jobs", "api-prep", "stop")
    assert status == 409
    status, error = await call(jp_fetch, "POST", "processing-jobs", body={"ProcessingJobName": "x"})
    assert status == 400
    assert error["field"] == "AppSpecification"
