"""RetryPipelineExecution: a Failed (or Stopped) execution runs again from where it
ended, its succeeded steps kept, once the cause of its failure is fixed; any other
execution is refused naming its status. Through the service and the REST API."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.entities import JobKind
from jupyter_mlstudio.exceptions import ConflictError, NotFoundError
from jupyter_mlstudio.services.jobs.service import JobService
from jupyter_mlstudio.services.pipelines.executions import PipelineExecutions
from jupyter_mlstudio.services.pipelines.executor import step_job_name
from jupyter_mlstudio.services.pipelines.service import PipelineService
from jupyter_mlstudio.store.base import MetadataStore
from tests.server.test_api import call

from .conftest import EVALUATE, TRAIN, evaluate_step, train_step


def train_then_evaluate(scripts: Path, data: Path, out: Path) -> str:
    """Train → Evaluate; Evaluate reads ``data``, which the tests create late."""
    evaluate = evaluate_step("Evaluate", scripts, out, "0.7", DependsOn=["Train"])
    evaluate["Arguments"]["ProcessingInputs"].append(
        {
            "InputName": "data",
            "S3Input": {"S3Uri": str(data), "LocalPath": "/opt/ml/processing/input/data"},
        }
    )
    steps = [train_step("Train", scripts), evaluate]
    return json.dumps({"Version": "2020-12-01", "Steps": steps})


def by_name(steps: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {s["StepName"]: s for s in steps}


def test_a_failed_execution_retried_reuses_its_succeeded_steps(
    executions: PipelineExecutions,
    pipelines: PipelineService,
    store: MetadataStore,
    scripts: Path,
    tmp_path: Path,
) -> None:
    data = tmp_path / "rows"
    text = train_then_evaluate(scripts, data, tmp_path / "evaluation")
    pipelines.create({"PipelineName": "late", "PipelineDefinition": text})
    arn = executions.start("late", {})["PipelineExecutionArn"]
    failed = executions.wait(arn, 120)
    assert failed["PipelineExecutionStatus"] == "Failed", failed
    assert "does not exist" in failed["FailureReason"]
    first = by_name(executions.list_steps(arn))
    train_arn = first["Train"]["Metadata"]["TrainingJob"]["Arn"]

    data.mkdir()  # the cause is fixed
    (data / "rows.csv").write_text("1,2\n")
    retried = executions.retry(arn)
    assert retried["PipelineExecutionStatus"] == "Executing"
    assert retried["PipelineExecutionArn"] == arn
    assert "FailureReason" not in retried
    done = executions.wait(arn, 120)
    steps = by_name(executions.list_steps(arn))
    assert done["PipelineExecutionStatus"] == "Succeeded", (done, steps)
    assert "FailureReason" not in done
    assert {s["StepStatus"] for s in steps.values()} == {"Succeeded"}
    assert steps["Train"]["Metadata"]["TrainingJob"]["Arn"] == train_arn  # kept
    assert steps["Train"]["StartTime"] == first["Train"]["StartTime"]
    assert len(store.list_jobs(kind=JobKind.TRAINING).items) == 1  # not trained again
    # Evaluate ran again, as its second attempt, with a job of its own
    assert steps["Evaluate"]["AttemptCount"] == 2
    execution_id = arn.rsplit("/", 1)[1]
    evaluate_job = f"{step_job_name(execution_id, 'Evaluate')}-2"
    assert steps["Evaluate"]["Metadata"]["ProcessingJob"]["Arn"].endswith("/" + evaluate_job)
    report = json.loads((tmp_path / "evaluation" / "evaluation.json").read_text())
    assert report == {"metrics": {"accuracy": 0.7}}
    [summary] = executions.list_executions("late").items
    assert summary["PipelineExecutionStatus"] == "Succeeded"
    assert "PipelineExecutionFailureReason" not in summary

    with pytest.raises(ConflictError, match="is Succeeded"):
        executions.retry(arn)
    with pytest.raises(NotFoundError):
        executions.retry("nothing00000")


def test_a_stopped_execution_retried_is_carried_on_by_a_restarted_studio(
    executions: PipelineExecutions,
    pipelines: PipelineService,
    store: MetadataStore,
    jobs: JobService,
    scripts: Path,
) -> None:
    text = json.dumps({"Version": "2020-12-01", "Steps": [train_step("Slow", scripts, sleep=30)]})
    pipelines.create({"PipelineName": "slow", "PipelineDefinition": text})
    arn = executions.start("slow", {})["PipelineExecutionArn"]
    with pytest.raises(ConflictError, match="is Executing"):
        executions.retry(arn)
    executions.stop(arn)
    assert executions.wait(arn, 60)["PipelineExecutionStatus"] == "Stopped"

    assert executions.retry(arn)["PipelineExecutionStatus"] == "Executing"
    deadline = time.monotonic() + 60
    while not executions.list_steps(arn):  # the step starts again
        assert time.monotonic() < deadline
        executions.wait(arn, 0.05)
    [step] = executions.list_steps(arn)
    assert step["StepName"] == "Slow"
    assert step["AttemptCount"] == 2
    executions.close()  # the studio goes while the retried execution runs

    after = PipelineExecutions(store, jobs)
    try:
        execution_id = arn.rsplit("/", 1)[1]
        assert after.recover() == [execution_id]
        assert after.describe(arn)["PipelineExecutionStatus"] == "Executing"
        assert after.stop(arn)["PipelineExecutionStatus"] == "Stopping"
        done = after.wait(arn, 60)
        assert done["PipelineExecutionStatus"] == "Stopped"
        [step] = after.list_steps(arn)
        assert (step["StepStatus"], step["AttemptCount"]) == ("Stopped", 2)
        assert len(store.list_jobs(kind=JobKind.TRAINING).items) == 2
    finally:
        after.close()


async def until_ended(jp_fetch: Any, execution_id: str) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + 120
    while True:
        status, execution = await call(jp_fetch, "GET", "pipeline-executions", execution_id)
        assert status == 200, execution
        if execution["PipelineExecutionStatus"] in ("Succeeded", "Failed", "Stopped"):
            return execution
        assert asyncio.get_running_loop().time() < deadline, execution
        await asyncio.sleep(0.1)


async def test_retry_through_the_api(jp_fetch: Any, tmp_path: Path) -> None:
    scripts = tmp_path / "code"
    scripts.mkdir()
    (scripts / "train.py").write_text(TRAIN)
    (scripts / "evaluate.py").write_text(EVALUATE)
    data = tmp_path / "rows"
    text = train_then_evaluate(scripts, data, tmp_path / "evaluation")
    body = {"PipelineName": "late", "PipelineDefinition": text}
    assert (await call(jp_fetch, "POST", "pipelines", body=body))[0] == 201
    status, started = await call(jp_fetch, "POST", "pipelines", "late", "executions", body={})
    assert status == 201, started
    execution_id = started["PipelineExecutionArn"].rsplit("/", 1)[1]
    assert (await until_ended(jp_fetch, execution_id))["PipelineExecutionStatus"] == "Failed"

    data.mkdir()
    status, retried = await call(jp_fetch, "POST", "pipeline-executions", execution_id, "retry")
    assert status == 200, retried
    assert retried["PipelineExecutionStatus"] == "Executing"
    assert retried["PipelineExecutionArn"] == started["PipelineExecutionArn"]
    done = await until_ended(jp_fetch, execution_id)
    assert done["PipelineExecutionStatus"] == "Succeeded", done
    status, steps = await call(jp_fetch, "GET", "pipeline-executions", execution_id, "steps")
    attempts = {s["StepName"]: s["AttemptCount"] for s in steps["PipelineExecutionSteps"]}
    assert attempts == {"Train": 1, "Evaluate": 2}

    status, err = await call(jp_fetch, "POST", "pipeline-executions", execution_id, "retry")
    assert status == 409, err
    assert err["field"] == "PipelineExecutionArn"
    assert "Succeeded" in err["message"]
    status, err = await call(jp_fetch, "POST", "pipeline-executions", "nothing", "retry")
    assert status == 404, err
