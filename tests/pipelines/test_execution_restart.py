"""A studio that closes in the middle of an execution: the next one carries it on from the
steps recorded in the store (adopting the step job still running) and finishes it."""

from __future__ import annotations

import json
import time
from pathlib import Path

from jupyter_mlstudio.entities import Job, JobKind, JobStatus, utcnow
from jupyter_mlstudio.services.jobs.service import JobService
from jupyter_mlstudio.services.pipelines.executions import PipelineExecutions
from jupyter_mlstudio.services.pipelines.service import PipelineService
from jupyter_mlstudio.store.base import MetadataStore

from .conftest import train_step


def test_a_new_executor_carries_on_from_the_recorded_steps(
    store: MetadataStore, jobs: JobService, pipelines: PipelineService, scripts: Path
) -> None:
    first = {**train_step("First", scripts, sleep="1")}
    second = train_step(
        "Second", scripts, base={"Get": "Steps.First.ModelArtifacts.S3ModelArtifacts"}
    )
    text = json.dumps({"Version": "2020-12-01", "Steps": [first, second]})
    pipelines.create({"PipelineName": "two", "PipelineDefinition": text})
    before = PipelineExecutions(store, jobs)
    arn = before.start("two", {})["PipelineExecutionArn"]
    deadline = time.monotonic() + 60
    while not any(s["StepStatus"] == "Executing" for s in before.list_steps(arn)):
        assert time.monotonic() < deadline, before.list_steps(arn)
        before.wait(arn, 0.05)
    before.close()  # the studio goes; First's job carries on
    assert before.describe(arn)["PipelineExecutionStatus"] == "Executing"
    first_job = before.list_steps(arn)[0]["Metadata"]["TrainingJob"]["Arn"].rsplit("/", 1)[1]

    after = PipelineExecutions(store, jobs)
    assert after.recover() == [arn.rsplit("/", 1)[1]]
    try:
        done = after.wait(arn, 120)
        assert done["PipelineExecutionStatus"] == "Succeeded", done
        steps = {s["StepName"]: s for s in after.list_steps(arn)}
        assert steps["First"]["Metadata"]["TrainingJob"]["Arn"].endswith(first_job)  # adopted
        assert len(store.list_jobs(kind=JobKind.TRAINING).items) == 2  # no job started twice
        second_job = steps["Second"]["Metadata"]["TrainingJob"]["Arn"].rsplit("/", 1)[1]
        trained = store.get_job(first_job, JobKind.TRAINING).outputs["ModelArtifacts"]
        assert (
            store.get_job(second_job, JobKind.TRAINING).spec["HyperParameters"]["base"]
            == trained["S3ModelArtifacts"]
        )
    finally:
        after.close()


def test_an_execution_that_cannot_be_read_again_fails_with_a_reason(
    store: MetadataStore, jobs: JobService
) -> None:
    now = utcnow()
    store.create_job(
        Job(
            job_name="broken000001",
            kind=JobKind.PIPELINE_EXECUTION,
            status=JobStatus.IN_PROGRESS,
            spec={"PipelineName": "gone", "PipelineDefinition": "{not json"},
            outputs={"Steps": {}},
            creation_time=now,
            last_modified_time=now,
        )
    )
    executions = PipelineExecutions(store, jobs)
    assert executions.recover() == []
    described = executions.describe("broken000001")
    assert described["PipelineExecutionStatus"] == "Failed"
    assert "cannot be read again" in described["FailureReason"]


def test_a_step_named_but_not_started_before_the_restart_is_started(
    store: MetadataStore, jobs: JobService, pipelines: PipelineService, scripts: Path
) -> None:
    text = json.dumps({"Version": "2020-12-01", "Steps": [train_step("Only", scripts)]})
    pipelines.create({"PipelineName": "one", "PipelineDefinition": text})
    now = utcnow()
    pending = {"StepStatus": "Starting", "StartTime": now.isoformat(), "Metadata": {}}
    store.create_job(
        Job(
            job_name="halfway00001",
            kind=JobKind.PIPELINE_EXECUTION,
            status=JobStatus.IN_PROGRESS,
            spec={"PipelineName": "one", "PipelineDefinition": text, "Parameters": {}},
            outputs={"Steps": {"Only": {**pending, "JobName": "pipelines-halfway00001-Only-x"}}},
            creation_time=now,
            last_modified_time=now,
        )
    )
    executions = PipelineExecutions(store, jobs)
    try:
        assert executions.recover() == ["halfway00001"]
        done = executions.wait("halfway00001", 120)
        assert done["PipelineExecutionStatus"] == "Succeeded", done
        [step] = executions.list_steps("halfway00001")
        assert step["StepStatus"] == "Succeeded"
        assert (
            step["Metadata"]["TrainingJob"]["Arn"]
            .split("/")[-1]
            .startswith("pipelines-halfway00001-Only-")
        )
    finally:
        executions.close()
