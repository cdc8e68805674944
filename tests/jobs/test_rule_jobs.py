"""Rules watching real training jobs on the process runtime: rule evaluation jobs start
beside the job, read what its hook saves as it saves it, report into the job's record,
and stop a diverging job; the profiler samples the hosts and ProfilerReport writes its
report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.entities import JobKind, JobStatus
from jupyter_mlstudio.services.jobs.layout import host_ml_dir, job_dir
from jupyter_mlstudio.services.jobs.service import JobService
from jupyter_mlstudio.store.base import MetadataStore
from tests.runtime.conftest import docker_host, script_image  # noqa: F401 - fixtures

from .conftest import SCRIPTS
from .test_docker_training import docker_jobs  # noqa: F401 - a fixture

STOP = '[{"name": "stoptraining"}]'


def rule(name: str, **parameters: Any) -> dict[str, Any]:
    return {"RuleConfigurationName": name, "RuleParameters": {"rule_to_invoke": name, **parameters}}


def request(name: str, lr: float, steps: int, step_seconds: float, **extra: Any) -> dict[str, Any]:
    return {
        "TrainingJobName": name,
        "ScriptMode": {"EntryPoint": str(SCRIPTS / "train_debugged.py")},
        "HyperParameters": {"lr": lr, "steps": steps, "step-seconds": step_seconds},
        "DebugHookConfig": {"HookParameters": {"save_interval": "1"}},
        **extra,
    }


def rules_of(jobs: JobService, store: MetadataStore, name: str, key: str) -> dict[str, Any]:
    """The job's rule statuses once every rule job has ended."""
    job = store.get_job(name)
    for entry in job.outputs[key]:
        jobs.wait(entry["RuleEvaluationJobName"], 60)
    return {e["RuleConfigurationName"]: e for e in store.get_job(name).outputs[key]}


def test_a_diverging_job_is_stopped_by_its_rule(
    jobs: JobService, job_store: MetadataStore, job_config: Any
) -> None:
    jobs.create_training_job(
        request(
            "diverging",
            lr=5.0,
            steps=600,
            step_seconds=0.1,
            DebugRuleConfigurations=[
                rule("ExplodingTensor", action_json=STOP),
                rule("LossNotDecreasing", num_steps="3"),
            ],
        )
    )
    job = jobs.wait("diverging", 90)
    assert job.status is JobStatus.STOPPED, job.failure_reason
    statuses = rules_of(jobs, job_store, "diverging", "DebugRuleEvaluationStatuses")
    exploding = statuses["ExplodingTensor"]
    assert exploding["RuleEvaluationStatus"] == "IssuesFound"
    assert "StopTraining: the training job was stopped" in exploding["StatusDetails"]
    assert isinstance(exploding["Step"], int)
    # stopped within a few seconds of the first infinite loss, long before 600 steps
    log = jobs.read_logs("diverging").Text
    assert "loss=inf" in log or "loss=nan" in log
    assert len(log.splitlines()) < 300
    assert statuses["LossNotDecreasing"]["RuleEvaluationStatus"] in ("IssuesFound", "Stopped")
    rule_job = job_store.get_job(exploding["RuleEvaluationJobName"], JobKind.PROCESSING)
    assert rule_job.status is JobStatus.COMPLETED
    assert "IssuesFound" in jobs.read_logs(rule_job.job_name, JobKind.PROCESSING).Text
    # the saved tensors were published as SageMaker does
    uri = job_store.get_job("diverging").outputs["DebugOutputUri"]
    assert uri.endswith("/diverging/debug-output")


def test_a_healthy_job_passes_its_rules_and_is_profiled(
    jobs: JobService, job_store: MetadataStore, job_config: Any
) -> None:
    jobs.create_training_job(
        request(
            "healthy",
            lr=0.05,
            steps=40,
            step_seconds=0.05,
            DebugRuleConfigurations=[
                rule("ExplodingTensor", action_json=STOP),
                rule("LossNotDecreasing", num_steps="3"),
            ],
            ProfilerConfig={"ProfilingIntervalInMilliseconds": 100},
            ProfilerRuleConfigurations=[rule("ProfilerReport")],
        )
    )
    job = jobs.wait("healthy", 90)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    statuses = rules_of(jobs, job_store, "healthy", "DebugRuleEvaluationStatuses")
    assert {k: v["RuleEvaluationStatus"] for k, v in statuses.items()} == {
        "ExplodingTensor": "NoIssuesFound",
        "LossNotDecreasing": "NoIssuesFound",
    }
    report = rules_of(jobs, job_store, "healthy", "ProfilerRuleEvaluationStatuses")
    entry = report["ProfilerReport"]
    assert entry["RuleEvaluationStatus"] in ("NoIssuesFound", "IssuesFound")
    folder = job_dir(job_config, "healthy")
    samples = (folder / "profiler" / "algo-1.jsonl").read_text().splitlines()
    assert len(samples) >= 5  # 2 s at 100 ms
    report_job = job_dir(job_config, entry["RuleEvaluationJobName"])
    html = host_ml_dir(report_job) / "processing/output/rule/profiler-output/profiler-report.html"
    assert "CPUBottleneck" in html.read_text()
    # a job without rules and with the profiler off has neither
    assert (host_ml_dir(folder) / "output/tensors").is_dir()


def test_profiling_can_be_turned_off(jobs: JobService, job_config: Any) -> None:
    jobs.create_training_job(
        request("quiet", lr=0.05, steps=3, step_seconds=0, ProfilerConfig={"DisableProfiler": True})
    )
    job = jobs.wait("quiet", 60)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    assert "DebugRuleEvaluationStatuses" not in job.outputs
    assert not Path(job_dir(job_config, "quiet") / "profiler").exists()


def check_two_hosts(jobs: JobService, store: MetadataStore, config: Any, name: str) -> None:
    """A 2-instance job on ``jobs``' runtime: every host sampled, its tensors saved, and the
    rule jobs read both hosts."""
    jobs.create_training_job(
        request(
            name,
            lr=0.05,
            steps=25,
            step_seconds=0.1,
            ResourceConfig={"InstanceType": "local", "InstanceCount": 2},
            DebugRuleConfigurations=[rule("ExplodingTensor")],
            ProfilerRuleConfigurations=[rule("ProfilerReport")],
        )
    )
    job = jobs.wait(name, 120)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    folder = job_dir(config, name)
    for host in ("algo-1", "algo-2"):
        samples = (folder / "profiler" / f"{host}.jsonl").read_text().splitlines()
        assert samples, host
        assert list((host_ml_dir(folder, host) / "output/tensors").rglob("*")), host
    statuses = rules_of(jobs, store, name, "DebugRuleEvaluationStatuses")
    assert statuses["ExplodingTensor"]["RuleEvaluationStatus"] == "NoIssuesFound"
    report = rules_of(jobs, store, name, "ProfilerRuleEvaluationStatuses")["ProfilerReport"]
    html = host_ml_dir(job_dir(config, report["RuleEvaluationJobName"])) / (
        "processing/output/rule/profiler-output/profiler-report.html"
    )
    text = html.read_text()
    assert "algo-1" in text
    assert "algo-2" in text


def test_two_hosts_are_profiled_and_watched(
    jobs: JobService, job_store: MetadataStore, job_config: Any
) -> None:
    check_two_hosts(jobs, job_store, job_config, "two-hosts")


@pytest.mark.docker
def test_two_hosts_are_profiled_and_watched_in_containers(
    docker_jobs: JobService,  # noqa: F811 - the fixture
    job_store: MetadataStore,
    job_config: Any,
) -> None:
    check_two_hosts(docker_jobs, job_store, job_config, "two-hosts-docker")
