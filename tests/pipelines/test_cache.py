"""Step caching: a second execution with the same arguments and code takes the first's
result (a changed instance type still hits); a changed hyperparameter or script misses;
an expired result is not taken."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from jupyter_mlstudio.entities import Job, JobKind, JobStatus, utcnow
from jupyter_mlstudio.services.pipelines.cache import cached_step, expire_after
from jupyter_mlstudio.services.pipelines.executions import PipelineExecutions
from jupyter_mlstudio.services.pipelines.service import PipelineService
from jupyter_mlstudio.store.base import MetadataStore

from .conftest import train_step


def cached_pipeline(scripts: Path, instance: str = "local", epochs: str = "1") -> str:
    step = train_step("Train", scripts, epochs=epochs)
    step["Arguments"]["ResourceConfig"]["InstanceType"] = instance
    step["CacheConfig"] = {"Enabled": True, "ExpireAfter": "PT1H"}
    return json.dumps({"Version": "2020-12-01", "Steps": [step]})


def run(executions: PipelineExecutions) -> tuple[str, dict[str, Any]]:
    arn = executions.start("cached", {})["PipelineExecutionArn"]
    done = executions.wait(arn, 120)
    assert done["PipelineExecutionStatus"] == "Succeeded", done
    [step] = executions.list_steps(arn)
    return arn, step


def test_the_same_step_is_served_from_the_cache(
    executions: PipelineExecutions,
    pipelines: PipelineService,
    store: MetadataStore,
    scripts: Path,
) -> None:
    pipelines.create({"PipelineName": "cached", "PipelineDefinition": cached_pipeline(scripts)})
    first_arn, first = run(executions)
    assert "CacheHitResult" not in first
    _, second = run(executions)
    assert second["CacheHitResult"] == {"SourcePipelineExecutionArn": first_arn}
    assert second["Metadata"] == first["Metadata"]  # the first one's job
    assert len(store.list_jobs(kind=JobKind.TRAINING).items) == 1

    pipelines.update("cached", {"PipelineDefinition": cached_pipeline(scripts, "ml.m5.xlarge")})
    _, resized = run(executions)
    assert resized["CacheHitResult"] == {"SourcePipelineExecutionArn": first_arn}

    pipelines.update("cached", {"PipelineDefinition": cached_pipeline(scripts, epochs="2")})
    _, retuned = run(executions)
    assert "CacheHitResult" not in retuned
    assert len(store.list_jobs(kind=JobKind.TRAINING).items) == 2

    (scripts / "train.py").write_text((scripts / "train.py").read_text() + "\n# edited\n")
    _, edited = run(executions)
    assert "CacheHitResult" not in edited
    assert len(store.list_jobs(kind=JobKind.TRAINING).items) == 3


def test_expire_after() -> None:
    assert expire_after("PT1H") == timedelta(hours=1)
    assert expire_after("T12H") == timedelta(hours=12)
    assert expire_after("P30D") == timedelta(days=30)
    assert expire_after("P1DT2H3M4S") == timedelta(days=1, hours=2, minutes=3, seconds=4)
    assert expire_after("soon") is None
    assert expire_after(None) is None


def test_only_succeeded_unexpired_steps_of_the_same_key_are_taken() -> None:
    now = utcnow()

    def execution(name: str, ended: timedelta, status: str = "Succeeded", key: str = "k") -> Job:
        record = {
            "StepStatus": status,
            "EndTime": (now - ended).isoformat(),
            "JobName": f"job-{name}",
            "CacheKey": key,
        }
        return Job(
            job_name=name,
            kind=JobKind.PIPELINE_EXECUTION,
            status=JobStatus.COMPLETED,
            outputs={"Steps": {"Train": record}},
            creation_time=now,
            last_modified_time=now,
        )

    old = execution("old", timedelta(hours=2))
    failed = execution("failed", timedelta(minutes=1), status="Failed")
    other = execution("other", timedelta(minutes=1), key="x")
    recent = execution("recent", timedelta(minutes=5))
    everything = [old, failed, other, recent]
    hit = cached_step(everything, "Train", "k", now, timedelta(hours=1))
    assert hit is not None
    assert hit[0] is recent
    assert cached_step([old, failed, other], "Train", "k", now, timedelta(hours=1)) is None
    forever = cached_step([old], "Train", "k", now, None)  # no ExpireAfter: never expires
    assert forever is not None
    assert cached_step(everything, "Evaluate", "k", now, None) is None
