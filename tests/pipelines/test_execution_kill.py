"""``kill -9`` of the studio's server in the middle of a pipeline execution, then the
server started again on the same home: the execution carries on from its finished steps,
the job that was running is adopted, and the execution succeeds."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.studio_server import StudioServer

from .conftest import TRAIN, train_step

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


@pytest.mark.timeout(240)
def test_a_killed_studio_leaves_no_execution_stuck(tmp_path: Path) -> None:
    scripts = tmp_path / "code"
    scripts.mkdir()
    (scripts / "train.py").write_text(TRAIN)
    first = train_step("First", scripts, sleep="2")
    second = train_step(
        "Second", scripts, base={"Get": "Steps.First.ModelArtifacts.S3ModelArtifacts"}
    )
    text = json.dumps({"Version": "2020-12-01", "Steps": [first, second]})
    with StudioServer(tmp_path / "work", runtime="process") as studio:

        def call(method: str, path: str, payload: Any = None) -> Any:
            status, answer = studio.call(method, path, payload)
            assert status < 300, (method, path, status, answer)
            return answer

        call("POST", "pipelines", {"PipelineName": "crash", "PipelineDefinition": text})
        started = call("POST", "pipelines/crash/executions", {})
        execution = started["PipelineExecutionArn"].rsplit("/", 1)[1]

        def steps() -> dict[str, Any]:
            listing = call("GET", f"pipeline-executions/{execution}/steps")
            return {s["StepName"]: s for s in listing["PipelineExecutionSteps"]}

        until(lambda: steps().get("First", {}).get("StepStatus") == "Executing", "First")
        studio.kill()
        studio.start()

        def ended() -> dict[str, Any] | None:
            described = call("GET", f"pipeline-executions/{execution}")
            done = described["PipelineExecutionStatus"] in ("Succeeded", "Failed", "Stopped")
            return described if done else None

        described = until(ended, "the execution to end")
        assert described["PipelineExecutionStatus"] == "Succeeded", described
        after = steps()
        assert {s["StepStatus"] for s in after.values()} == {"Succeeded"}
        listing = call("GET", "training-jobs")
        names = [j["JobName"] for j in listing["TrainingJobSummaries"]]
        assert len(names) == 2  # First was adopted, not started again
