"""Steps' RetryPolicies on the process runtime: a step whose job fails for a reason of
the studio (SageMaker.JOB_INTERNAL_ERROR) is started again, with a new job, after
IntervalSeconds * BackoffRate^retries, up to MaxAttempts retries or ExpireAfterMin; a
program that fails (AlgorithmError) is not retried; a stop does not wait for a retry; a
restarted studio keeps the attempt count."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.entities import JobKind, JobStatus
from jupyter_mlstudio.exceptions import (
    LimitExceededError,
    StoreUnavailableError,
    ValidationError,
)
from jupyter_mlstudio.services.jobs.service import LOST_REASON, JobService
from jupyter_mlstudio.services.pipelines.executions import PipelineExecutions
from jupyter_mlstudio.services.pipelines.executor import step_job_name, tuning_job_name
from jupyter_mlstudio.services.pipelines.retry import (
    exception_types,
    failure_types,
    retry_delay,
)
from jupyter_mlstudio.services.pipelines.service import PipelineService
from jupyter_mlstudio.store.base import MetadataStore

from .conftest import evaluate_step

INTERNAL = "SageMaker.JOB_INTERNAL_ERROR"
RESOURCES = {"ClusterConfig": {"InstanceType": "local", "InstanceCount": 1}}
#: attempt 1 leaves a file where its output is to be copied (the studio's upload fails:
#: a ClientError, not the program's); attempt 2 removes it and succeeds
FLAKY_UPLOAD = """
import os, pathlib, sys
marker, blocker, out = (pathlib.Path(a) for a in sys.argv[1:4])
if marker.exists():
    blocker.unlink(missing_ok=True)
else:
    marker.write_text("tried")
    blocker.write_text("in the way")
(out / "done.txt").write_text("done")
"""


def policy(**fields: Any) -> dict[str, Any]:
    return {"ExceptionType": [INTERNAL], "IntervalSeconds": 1, "BackoffRate": 1.0, **fields}


def unstartable_step(name: str, program: Path, policies: list[dict[str, Any]]) -> dict[str, Any]:
    """A processing step whose entry point cannot be started (not executable)."""
    return {
        "Name": name,
        "Type": "Processing",
        "Arguments": {
            "AppSpecification": {"ContainerEntrypoint": [str(program)]},
            "ProcessingResources": RESOURCES,
        },
        "RetryPolicies": policies,
    }


def create(pipelines: PipelineService, *steps: dict[str, Any]) -> str:
    text = json.dumps({"Version": "2020-12-01", "Steps": list(steps)})
    pipelines.create({"PipelineName": "retried", "PipelineDefinition": text})
    return "retried"


@pytest.fixture
def program(tmp_path: Path) -> Path:
    path = tmp_path / "run.sh"
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o644)  # not executable: the runtime cannot start it
    return path


def only_step(executions: PipelineExecutions, arn: str) -> dict[str, Any]:
    [step] = executions.list_steps(arn)
    return step


def test_an_internal_failure_is_retried_up_to_max_attempts_with_new_jobs(
    executions: PipelineExecutions,
    pipelines: PipelineService,
    store: MetadataStore,
    program: Path,
) -> None:
    create(pipelines, unstartable_step("Prep", program, [policy(MaxAttempts=2)]))
    arn = executions.start("retried", {})["PipelineExecutionArn"]
    done = executions.wait(arn, 120)
    assert done["PipelineExecutionStatus"] == "Failed", done
    step = only_step(executions, arn)
    assert step["StepStatus"] == "Failed"
    assert step["AttemptCount"] == 3  # the first attempt and two retries
    assert step["FailureReason"].startswith("ClientError: cannot start")
    execution_id = arn.rsplit("/", 1)[1]
    base = step_job_name(execution_id, "Prep")
    names = [base, f"{base}-2", f"{base}-3"]
    assert step["Metadata"]["ProcessingJob"]["Arn"].endswith("/" + names[-1])
    jobs = [store.get_job(n, JobKind.PROCESSING) for n in names]
    assert {j.status for j in jobs} == {JobStatus.FAILED}
    assert all(len(n) <= 63 for n in names)
    assert len(store.list_jobs(kind=JobKind.PROCESSING).items) == 3
    # each retry waited IntervalSeconds (BackoffRate 1) after the attempt before it ended
    for before, after in itertools.pairwise(jobs):
        assert before.end_time is not None
        assert (after.creation_time - before.end_time).total_seconds() >= 1.0


def test_a_flaky_internal_failure_succeeds_on_the_retry(
    executions: PipelineExecutions,
    pipelines: PipelineService,
    store: MetadataStore,
    scripts: Path,
    tmp_path: Path,
) -> None:
    (scripts / "flaky.py").write_text(FLAKY_UPLOAD)
    out = tmp_path / "out"
    out.mkdir()
    blocker = out / "result"  # a file where the output folder is to be copied
    step = {
        "Name": "Flaky",
        "Type": "Processing",
        "Arguments": {
            "AppSpecification": {
                "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/flaky.py"],
                "ContainerArguments": [
                    str(tmp_path / "marker"),
                    str(blocker),
                    "/opt/ml/processing/output/result",
                ],
            },
            "ProcessingInputs": [
                {
                    "InputName": "code",
                    "S3Input": {
                        "S3Uri": str(scripts),
                        "LocalPath": "/opt/ml/processing/input/code",
                    },
                }
            ],
            "ProcessingOutputConfig": {
                "Outputs": [
                    {
                        "OutputName": "result",
                        "S3Output": {
                            "S3Uri": (blocker / "inside").as_uri(),
                            "LocalPath": "/opt/ml/processing/output/result",
                        },
                    }
                ]
            },
            "ProcessingResources": RESOURCES,
        },
        "RetryPolicies": [policy(MaxAttempts=3)],
    }
    create(pipelines, step)
    arn = executions.start("retried", {})["PipelineExecutionArn"]
    done = executions.wait(arn, 120)
    recorded = only_step(executions, arn)
    assert done["PipelineExecutionStatus"] == "Succeeded", (done, recorded)
    assert recorded["StepStatus"] == "Succeeded"
    assert recorded["AttemptCount"] == 2
    assert "FailureReason" not in recorded
    base = step_job_name(arn.rsplit("/", 1)[1], "Flaky")
    first = store.get_job(base, JobKind.PROCESSING)
    assert first.status is JobStatus.FAILED
    assert (first.failure_reason or "").startswith("ClientError:")
    assert store.get_job(f"{base}-2", JobKind.PROCESSING).status is JobStatus.COMPLETED
    assert recorded["Metadata"]["ProcessingJob"]["Arn"].endswith(f"/{base}-2")
    assert (blocker / "inside" / "done.txt").read_text() == "done"


def test_a_failing_program_is_not_retried(
    executions: PipelineExecutions,
    pipelines: PipelineService,
    store: MetadataStore,
    scripts: Path,
    tmp_path: Path,
) -> None:
    every_type = [
        "SageMaker.JOB_INTERNAL_ERROR",
        "SageMaker.CAPACITY_ERROR",
        "SageMaker.RESOURCE_LIMIT",
        "Step.SERVICE_FAULT",
        "Step.THROTTLING",
    ]
    step = evaluate_step(
        "Evaluate",
        scripts,
        tmp_path / "evaluation",
        "0.5",
        more_arguments=["--fail", "3"],
        RetryPolicies=[policy(ExceptionType=every_type, MaxAttempts=5)],
    )
    create(pipelines, step)
    arn = executions.start("retried", {})["PipelineExecutionArn"]
    done = executions.wait(arn, 120)
    assert done["PipelineExecutionStatus"] == "Failed"
    recorded = only_step(executions, arn)
    assert recorded["AttemptCount"] == 1
    assert recorded["FailureReason"].startswith("AlgorithmError")
    assert len(store.list_jobs(kind=JobKind.PROCESSING).items) == 1


def test_no_retry_starts_after_expire_after_min(
    executions: PipelineExecutions, pipelines: PipelineService, program: Path
) -> None:
    create(pipelines, unstartable_step("Prep", program, [policy(ExpireAfterMin=0)]))
    arn = executions.start("retried", {})["PipelineExecutionArn"]
    assert executions.wait(arn, 120)["PipelineExecutionStatus"] == "Failed"
    assert only_step(executions, arn)["AttemptCount"] == 1


def wait_for_retry(store: MetadataStore, executions: PipelineExecutions, arn: str) -> None:
    """Until the step waits for its next attempt (its record holds RetryAt)."""
    deadline = time.monotonic() + 60
    execution_id = arn.rsplit("/", 1)[1]
    while "RetryAt" not in store.get_job(execution_id).outputs["Steps"].get("Prep", {}):
        assert time.monotonic() < deadline, executions.list_steps(arn)
        executions.wait(arn, 0.05)


def test_a_stop_does_not_wait_for_a_retry(
    executions: PipelineExecutions,
    pipelines: PipelineService,
    store: MetadataStore,
    program: Path,
) -> None:
    create(pipelines, unstartable_step("Prep", program, [policy(IntervalSeconds=600)]))
    arn = executions.start("retried", {})["PipelineExecutionArn"]
    wait_for_retry(store, executions, arn)
    waiting = only_step(executions, arn)
    assert waiting["StepStatus"] == "Executing"  # as SageMaker shows a step between tries
    assert waiting["AttemptCount"] == 1
    started = time.monotonic()
    executions.stop(arn)
    done = executions.wait(arn, 30)
    assert time.monotonic() - started < 10
    assert done["PipelineExecutionStatus"] == "Stopped"
    step = only_step(executions, arn)
    assert step["StepStatus"] == "Stopped"
    assert step["AttemptCount"] == 1
    assert len(store.list_jobs(kind=JobKind.PROCESSING).items) == 1


def test_a_restarted_studio_keeps_the_attempt_count(
    store: MetadataStore, jobs: JobService, pipelines: PipelineService, program: Path
) -> None:
    create(
        pipelines, unstartable_step("Prep", program, [policy(IntervalSeconds=600, MaxAttempts=1)])
    )
    before = PipelineExecutions(store, jobs)
    arn = before.start("retried", {})["PipelineExecutionArn"]
    wait_for_retry(store, before, arn)
    before.close()  # the studio goes while the step waits for its retry
    execution_id = arn.rsplit("/", 1)[1]
    steps = store.get_job(execution_id).outputs["Steps"]
    steps["Prep"]["RetryAt"] = steps["Prep"]["StartTime"]  # its time came meanwhile
    store.update_job(execution_id, outputs={"Steps": steps})

    after = PipelineExecutions(store, jobs)
    try:
        assert after.recover() == [execution_id]
        done = after.wait(arn, 120)
        assert done["PipelineExecutionStatus"] == "Failed"  # MaxAttempts 1: one retry
        step = only_step(after, arn)
        assert step["AttemptCount"] == 2
        base = step_job_name(execution_id, "Prep")
        names = {j.job_name for j in store.list_jobs(kind=JobKind.PROCESSING).items}
        assert names == {base, f"{base}-2"}
    finally:
        after.close()


def test_failures_map_to_sagemaker_exception_types() -> None:
    assert failure_types("ClientError: cannot start /x: [Errno 2]", "Processing") == {INTERNAL}
    assert failure_types(LOST_REASON, "Training") == {INTERNAL}
    assert failure_types("ClientError: cannot start /x", "Tuning") == frozenset()
    assert failure_types("AlgorithmError: exited with code 1", "Training") == frozenset()
    assert failure_types("my script wrote this to output/failure", "Training") == frozenset()
    assert failure_types("InsufficientCapacityError: no GPU", "Training") == {
        "SageMaker.CAPACITY_ERROR"
    }
    assert exception_types(StoreUnavailableError("no Docker engine answers")) == {
        "Step.SERVICE_FAULT"
    }
    assert exception_types(LimitExceededError("too many")) == {"SageMaker.RESOURCE_LIMIT"}
    assert exception_types(ValidationError("bad request")) == frozenset()


def test_the_delay_grows_by_the_backoff_rate_until_the_limits() -> None:
    policies = [
        {"ExceptionType": ["Step.THROTTLING"], "MaxAttempts": 9},
        {"ExceptionType": [INTERNAL], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 3},
    ]
    assert [retry_delay(policies, {INTERNAL}, n, 0) for n in range(4)] == [2, 6, 18, None]
    assert retry_delay(policies, set(), 0, 0) is None  # not a retried failure
    expiring = [{"ExceptionType": [INTERNAL], "ExpireAfterMin": 1}]
    assert retry_delay(expiring, {INTERNAL}, 5, 59) == 1 * 2.0**5  # the defaults
    assert retry_delay(expiring, {INTERNAL}, 0, 60) is None


def test_attempt_job_names_fit_sagemaker_limits() -> None:
    long = "S" * 64
    for attempt in (1, 2, 20):
        assert len(step_job_name("abcdefghijkl", long, attempt)) <= 63
        assert len(tuning_job_name("abcdefghijkl", long, attempt)) <= 32
    assert step_job_name("e", "s", 2) == step_job_name("e", "s") + "-2"
    assert tuning_job_name("e", "s", 3) == tuning_job_name("e", "s") + "-3"
