"""Tuning jobs through the REST API (jp_fetch): create, describe, list the training jobs
sorted and paged, logs, stop, and the errors."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.tuning.conftest import SCRIPT, tuning_request

from .test_api import call

BASE = "hyper-parameter-tuning-jobs"


async def _until(jp_fetch: Any, name: str, statuses: tuple[str, ...], timeout: float = 90) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        status, job = await call(jp_fetch, "GET", BASE, name)
        assert status == 200
        if job["Status"] in statuses:
            return job
        assert asyncio.get_running_loop().time() < deadline, job
        await asyncio.sleep(0.1)


def _script(tmp_path: Path) -> Path:
    path = tmp_path / "train.py"
    path.write_text(SCRIPT)
    return path


async def test_create_describe_and_list_training_jobs(jp_fetch: Any, tmp_path: Path) -> None:
    body = tuning_request("api-tune", _script(tmp_path), max_jobs=3, parallel=3)
    status, job = await call(jp_fetch, "POST", BASE, body=body)
    assert status == 201, job
    assert (job["Kind"], job["Status"]) == ("HyperParameterTuningJob", "InProgress")
    assert job["Spec"]["HyperParameterTuningJobConfig"]["Strategy"] == "Random"
    job = await _until(jp_fetch, "api-tune", ("Completed", "Failed"))
    assert job["Status"] == "Completed", job
    assert job["Outputs"]["TrainingJobStatusCounters"]["Completed"] == 3
    status, listed = await call(jp_fetch, "GET", BASE)
    assert [j["JobName"] for j in listed["HyperParameterTuningJobSummaries"]] == ["api-tune"]

    params = {"SortBy": "FinalObjectiveMetricValue", "SortOrder": "Descending"}
    status, page = await call(jp_fetch, "GET", BASE, "api-tune", "training-jobs", params=params)
    assert status == 200, page
    items = page["TrainingJobSummaries"]
    values = [i["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for i in items]
    assert values == sorted(values, reverse=True)
    assert job["Outputs"]["BestTrainingJob"]["TrainingJobName"] == items[0]["TrainingJobName"]
    # pages of one, in the same order
    names: list[str] = []
    token: str | None = None
    while True:
        query = {**params, "MaxResults": "1", **({"NextToken": token} if token else {})}
        status, page = await call(jp_fetch, "GET", BASE, "api-tune", "training-jobs", params=query)
        names += [i["TrainingJobName"] for i in page["TrainingJobSummaries"]]
        token = page.get("NextToken")
        if not token:
            break
    assert names == [i["TrainingJobName"] for i in items]
    # each is an ordinary training job, in the tuning job's experiment
    status, training = await call(jp_fetch, "GET", "training-jobs", names[0])
    assert status == 200
    assert training["ExperimentName"] == "api-tune"
    status, logs = await call(jp_fetch, "GET", BASE, "api-tune", "logs")
    assert "started with" in logs["Text"]
    assert logs["Complete"] is True
    # ended: stop conflicts; a tuning job publishes no files of its own
    status, err = await call(jp_fetch, "POST", BASE, "api-tune", "stop")
    assert status == 409, err
    status, err = await call(jp_fetch, "GET", BASE, "api-tune", "artifacts", "x")
    assert status == 404


async def test_errors_name_the_field(jp_fetch: Any, tmp_path: Path) -> None:
    body = tuning_request("api-bad", _script(tmp_path), max_jobs=2, parallel=5)
    status, err = await call(jp_fetch, "POST", BASE, body=body)
    assert status == 400
    assert err["field"] == "HyperParameterTuningJobConfig.ResourceLimits.MaxParallelTrainingJobs"
    body = tuning_request("name-longer-than-thirty-two-chars-x", _script(tmp_path))
    status, err = await call(jp_fetch, "POST", BASE, body=body)
    assert (status, err["field"]) == (400, "HyperParameterTuningJobName")
    status, err = await call(jp_fetch, "GET", BASE, "nope", "training-jobs")
    assert status == 404
    status, err = await call(
        jp_fetch, "GET", BASE, "nope", "training-jobs", params={"SortBy": "Loss"}
    )
    assert (status, err["field"]) == (400, "SortBy")
    status, listed = await call(jp_fetch, "GET", BASE)
    assert listed["HyperParameterTuningJobSummaries"] == []
