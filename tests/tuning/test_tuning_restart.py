"""``kill -9`` of the studio's server in the middle of a tuning job, then the server
started again on the same home: the tuning job carries on from the training jobs in the
store and finishes; nothing the dead studio started is left running."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest

from jupyter_mlstudio.runtime.base import LABEL_JOB
from tests.runtime.conftest import docker_host, script_image  # noqa: F401 - fixtures
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


def containers_of(base_url: str, prefix: str) -> list[str]:
    """The running containers of the training jobs whose names start with ``prefix``."""
    import docker

    client = docker.DockerClient(base_url=base_url)
    try:
        found = client.api.containers(filters={"label": LABEL_JOB})
        return [c["Id"] for c in found if str(c["Labels"][LABEL_JOB]).startswith(prefix)]
    finally:
        client.close()


@pytest.mark.timeout(240)
@pytest.mark.parametrize("runtime", ["process", pytest.param("docker", marks=pytest.mark.docker)])
def test_a_killed_studio_leaves_no_tuning_job_stuck(
    tmp_path: Path, runtime: str, request: pytest.FixtureRequest
) -> None:
    env: dict[str, str] = {}
    if runtime == "docker":
        request.getfixturevalue("script_image")
        env["DOCKER_HOST"] = request.getfixturevalue("docker_host").base_url
    script = tmp_path / "code" / "train.py"
    script.parent.mkdir()
    script.write_text(SCRIPT)
    body = tuning_request(
        "tune-crash", script, max_jobs=4, parallel=2, static={"epochs": "3", "sleep": "0.4"}
    )
    with StudioServer(tmp_path / "work", runtime=runtime, env=env) as studio:

        def call(method: str, path: str, payload: Any = None) -> Any:
            status, answer = studio.call(method, path, payload)
            assert status < 300, (method, path, status, answer)
            return answer

        call("POST", "hyper-parameter-tuning-jobs", body)

        def running() -> list[dict[str, Any]]:
            listing = call("GET", "hyper-parameter-tuning-jobs/tune-crash/training-jobs")
            items = listing["TrainingJobSummaries"]
            return [i for i in items if i["TrainingJobStatus"] == "InProgress"]

        pids: set[int] = set()

        def hosts() -> set[int]:
            """The job hosts the process runtime runs now (state files go with them)."""
            found = set()
            for state in (studio.home / "runtime" / "process").glob("*/*/state.json"):
                with contextlib.suppress(OSError, ValueError):
                    found.add(int(json.loads(state.read_text())["pid"]))
            pids.update(found)
            return found

        until(lambda: len(running()) == 2 and (runtime == "docker" or hosts()), "jobs running")
        studio.kill()
        studio.start()

        def ended() -> dict[str, Any] | None:
            hosts()
            job = call("GET", "hyper-parameter-tuning-jobs/tune-crash")
            return job if job["Status"] in ("Completed", "Failed", "Stopped") else None

        job = until(ended, "the tuning job to end")
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
        if runtime == "docker":
            base_url = env["DOCKER_HOST"]
            until(lambda: not containers_of(base_url, "tune-crash-"), "no job container", 30)
            return
        assert len(pids) >= 2
        until(lambda: not any(alive(pid) for pid in pids), "every job host to be gone", 30)
