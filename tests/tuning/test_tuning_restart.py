"""``kill -9`` of the studio's server in the middle of a tuning job, then the server
started again on the same home: the tuning job carries on from the training jobs in the
store and finishes; nothing the dead studio started is left running."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from tests.support.studio_server import StudioServer

from .conftest import SCRIPT, tuning_request

DEADLINE_S = 90.0


def until(check: Callable[[], Any], what: str, timeout: float = DEADLINE_S) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_a_killed_studio_leaves_no_tuning_job_stuck(tmp_path: Path) -> None:
    script = tmp_path / "code" / "train.py"
    script.parent.mkdir()
    script.write_text(SCRIPT)
    body = tuning_request(
        "tune-crash", script, max_jobs=4, parallel=2, static={"epochs": "3", "sleep": "0.4"}
    )
    with StudioServer(tmp_path / "work") as studio:

        def call(method: str, path: str, payload: Any = None) -> Any:
            status, answer = studio.call(method, path, payload)
            assert status < 300, (method, path, status, answer)
            return answer

        call("POST", "hyper-parameter-tuning-jobs", body)

        def running() -> list[dict[str, Any]]:
            listing = call("GET", "hyper-parameter-tuning-jobs/tune-crash/training-jobs")
            items = listing["TrainingJobSummaries"]
            return [i for i in items if i["TrainingJobStatus"] == "InProgress"]

        until(lambda: len(running()) == 2, "two training jobs running")
        studio.kill()
        studio.start()
        job = until(
            lambda: (lambda j: j if j["Status"] in ("Completed", "Failed", "Stopped") else None)(
                call("GET", "hyper-parameter-tuning-jobs/tune-crash")
            ),
            "the tuning job to end",
        )
        assert job["Status"] == "Completed", job.get("FailureReason")
        listing = call("GET", "hyper-parameter-tuning-jobs/tune-crash/training-jobs")
        items = listing["TrainingJobSummaries"]
        assert sorted(i["TrainingJobNumber"] for i in items) == [1, 2, 3, 4]
        counters = job["Outputs"]["TrainingJobStatusCounters"]
        assert counters["InProgress"] == 0
        assert sum(counters.values()) == 4
        assert job["Outputs"]["ObjectiveStatusCounters"]["Pending"] == 0
        log = call("GET", "hyper-parameter-tuning-jobs/tune-crash/logs")["Text"]
        assert "carrying on after" in log
        states = (studio.home / "runtime" / "process").glob("*/*/state.json")
        pids = [int(json.loads(p.read_text())["pid"]) for p in states]
        until(lambda: not any(alive(pid) for pid in pids), "every job host to be gone", 30)
