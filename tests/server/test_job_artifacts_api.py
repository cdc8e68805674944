"""Downloading a job's published files through the REST API (jp_fetch)."""

from __future__ import annotations

import asyncio
import io
import tarfile
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from tests.jobs.conftest import training_request

from .test_api import call


async def _finished(jp_fetch: Any, collection: str, name: str, timeout: float = 90) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        _, job = await call(jp_fetch, "GET", collection, name)
        if job["Status"] in ("Completed", "Failed", "Stopped"):
            return job
        assert asyncio.get_running_loop().time() < deadline, job
        await asyncio.sleep(0.1)


async def _download(jp_fetch: Any, *parts: str) -> Any:
    return await jp_fetch("mlstudio", "api", *parts, method="GET")


async def _error(jp_fetch: Any, *parts: str) -> tuple[int, dict[str, Any]]:
    status, body = await call(jp_fetch, "GET", *parts)
    assert status >= 400, body
    return status, body


async def test_training_job_model_and_output_download(jp_fetch: Any, tmp_path: Path) -> None:
    data = tmp_path / "train"
    data.mkdir()
    (data / "train.csv").write_text(
        "\n".join(f"{i % 2},{i % 2 + 0.1},{i * 0.01},{-(i % 2)}" for i in range(20)) + "\n"
    )
    models = tmp_path / "models"
    body = training_request(
        "art-1", "train_sklearn.py", data, OutputDataConfig={"S3OutputPath": str(models)}
    )
    status, job = await call(jp_fetch, "POST", "training-jobs", body=body)
    assert status == 201, job
    # nothing published while it runs (or a wrong name): 404
    job = await _finished(jp_fetch, "training-jobs", "art-1")
    assert job["Status"] == "Completed", job

    response = await _download(jp_fetch, "training-jobs", "art-1", "artifacts", "model.tar.gz")
    assert response.code == 200
    assert response.headers["Content-Type"] == "application/gzip"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="model.tar.gz"')
    published = models / "art-1" / "output" / "model.tar.gz"
    assert response.body == published.read_bytes()
    assert int(response.headers["Content-Length"]) == published.stat().st_size
    with tarfile.open(fileobj=io.BytesIO(response.body)) as tar:
        assert tar.getnames() == ["model.joblib"]

    response = await _download(jp_fetch, "training-jobs", "art-1", "artifacts", "output.tar.gz")
    assert response.code == 200
    assert response.headers["Content-Type"] == "application/gzip"
    assert 'filename="output.tar.gz"' in response.headers["Content-Disposition"]

    status, error = await _error(jp_fetch, "training-jobs", "art-1", "artifacts", "nope.bin")
    assert status == 404
    assert error["field"] == "ArtifactPath"
    status, error = await _error(jp_fetch, "training-jobs", "ghost", "artifacts", "model.tar.gz")
    assert status == 404
    # the wrong kind of job is not found either
    status, _ = await _error(jp_fetch, "processing-jobs", "art-1", "artifacts", "model.tar.gz")
    assert status == 404


@pytest.mark.parametrize(
    "path",
    ["../../etc/passwd", "a/../../b", "%2e%2e/x", "%2Fetc%2Fpasswd", "a\\b"],
)
async def test_paths_that_leave_the_jobs_files_are_refused(jp_fetch: Any, path: str) -> None:
    # jp_fetch escapes each part once; tornado decodes it: the handler sees ``path``
    parts = path.split("/")
    status, error = await _error(jp_fetch, "training-jobs", "any-job", "artifacts", *parts)
    assert status == 400, error
    assert error["field"] == "ArtifactPath"
    status, error = await _error(jp_fetch, "processing-jobs", "any-job", "artifacts", *parts)
    assert status == 400, error
    assert error["field"] == "ArtifactPath"


async def test_processing_job_output_download_from_the_studio_store(
    jp_fetch: Any, tmp_path: Path
) -> None:
    from tests.jobs.test_processing import processing_request

    data = tmp_path / "in"
    data.mkdir()
    (data / "a.csv").write_text("1,2\n3,4\n")
    body = processing_request("art-prep", data, tmp_path / "out")
    del body["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"]  # the studio's store
    status, job = await call(jp_fetch, "POST", "processing-jobs", body=body)
    assert status == 201, job
    job = await _finished(jp_fetch, "processing-jobs", "art-prep")
    assert job["Status"] == "Completed", job

    response = await _download(
        jp_fetch, "processing-jobs", "art-prep", "artifacts", "clean", "clean.csv"
    )
    assert response.code == 200
    assert response.body == b"1,2\n3,4\n"
    assert response.headers["Content-Type"] == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="clean.csv"')

    for parts in (("clean",), ("clean", "missing.csv"), ("other", "clean.csv")):
        status, error = await _error(jp_fetch, "processing-jobs", "art-prep", "artifacts", *parts)
        assert status == 404, (parts, error)


async def test_download_needs_authentication(jp_fetch: Any) -> None:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(
            "mlstudio",
            "api",
            "training-jobs",
            "x",
            "artifacts",
            "model.tar.gz",
            method="GET",
            headers={"Authorization": "token wrong"},
        )
    assert info.value.code in (401, 403)
