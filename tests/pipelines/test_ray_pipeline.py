"""A pipeline on a studio whose runtime is Ray: its processing and training steps run as
jobs on the real 2-node cluster (the steps follow the studio's default runtime), and the
execution succeeds with a condition on the processing step's report. A step whose node is
killed mid-job fails with an InternalServerError that its retry policy retries: the
retry runs on another node."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.config import StudioConfig, resolve_config
from jupyter_mlstudio.entities import Job, JobKind, JobStatus
from jupyter_mlstudio.services.jobs.placement import HOSTS_KEY
from jupyter_mlstudio.services.jobs.service import JobService
from jupyter_mlstudio.services.pipelines.executions import PipelineExecutions
from jupyter_mlstudio.services.pipelines.service import PipelineService
from jupyter_mlstudio.store.base import MetadataStore

from ..support.ray_cluster import extra_node
from .conftest import evaluate_step, train_step

ray = pytest.importorskip("ray")


@pytest.fixture
def pipeline_config(tmp_path: Path, ray_cluster: Any) -> StudioConfig:
    """The studio's configuration with Ray as its runtime (the conftest's jobs and
    executions fixtures build on it)."""
    home = tmp_path / "home"
    home.mkdir()
    return resolve_config(home=home, default_runtime="ray", ray_address=ray_cluster.address)


def test_the_steps_of_a_pipeline_run_on_the_cluster(
    executions: PipelineExecutions,
    pipelines: PipelineService,
    store: MetadataStore,
    scripts: Path,
    tmp_path: Path,
) -> None:
    check = {
        "Name": "Check",
        "Type": "Condition",
        "Arguments": {
            "Conditions": [
                {
                    "Type": "GreaterThanOrEqualTo",
                    "LeftValue": {
                        "Std:JsonGet": {
                            "PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.Report"},
                            "Path": "metrics.accuracy",
                        }
                    },
                    "RightValue": 0.5,
                }
            ],
            "IfSteps": [train_step("Train", scripts)],
            "ElseSteps": [],
        },
    }
    definition = {
        "Version": "2020-12-01",
        "Parameters": [],
        "Steps": [evaluate_step("Evaluate", scripts, tmp_path / "evaluation", "0.9"), check],
    }
    pipelines.create({"PipelineName": "on-ray", "PipelineDefinition": json.dumps(definition)})

    started = executions.start("on-ray", {})
    done = executions.wait(started["PipelineExecutionArn"], 180)

    steps = {s["StepName"]: s for s in executions.list_steps(started["PipelineExecutionArn"])}
    assert done["PipelineExecutionStatus"] == "Succeeded", (done.get("FailureReason"), steps)
    assert set(steps) == {"Evaluate", "Check", "Train"}
    cluster_nodes = {n["NodeID"] for n in ray.nodes() if n.get("Alive")}
    for step, kind, key in (
        ("Evaluate", JobKind.PROCESSING, "ProcessingJob"),
        ("Train", JobKind.TRAINING, "TrainingJob"),
    ):
        job = store.get_job(steps[step]["Metadata"][key]["Arn"].rsplit("/", 1)[1], kind)
        assert job.runtime == "ray", (step, job.runtime)
        hosts = job.outputs[HOSTS_KEY]
        assert [h["Host"] for h in hosts] == ["algo-1"], (step, hosts)
        assert hosts[0]["Node"]["NodeId"] in cluster_nodes, (step, hosts, cluster_nodes)
    assert (tmp_path / "evaluation" / "evaluation.json").exists()


#: the first attempt marks its folder and sleeps (its node is killed meanwhile); the retry
#: finds the mark and ends at once
ONCE = """
import argparse, os, pathlib, time
parser = argparse.ArgumentParser()
parser.add_argument("--mark")
args, _ = parser.parse_known_args()
mark = pathlib.Path(args.mark)
if not mark.exists():
    mark.write_text(os.environ["SM_CURRENT_HOST"])
    time.sleep(120)
pathlib.Path(os.environ["SM_MODEL_DIR"], "model.txt").write_text("model")
"""


def test_a_step_whose_node_dies_is_retried_on_another_node(
    executions: PipelineExecutions,
    pipelines: PipelineService,
    jobs: JobService,
    store: MetadataStore,
    ray_cluster: Any,
    tmp_path: Path,
) -> None:
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    script = tmp_path / "once.py"
    script.write_text(ONCE)
    mark = tmp_path / "mark"
    step = {
        "Name": "Train",
        "Type": "Training",
        "Arguments": {
            "ScriptMode": {"EntryPoint": str(script)},
            "HyperParameters": {"mark": str(mark)},
            "ResourceConfig": {"InstanceType": "local", "InstanceCount": 1},
        },
        "RetryPolicies": [
            {
                "ExceptionType": ["SageMaker.JOB_INTERNAL_ERROR"],
                "IntervalSeconds": 1,
                "BackoffRate": 1.0,
                "MaxAttempts": 1,
            }
        ],
    }
    definition = {"Version": "2020-12-01", "Steps": [step]}
    pipelines.create({"PipelineName": "node-loss", "PipelineDefinition": json.dumps(definition)})

    class Hold:
        """Holds a node's CPUs while the first attempt is placed."""

        def ready(self) -> bool:
            return True

    holding: Any = ray.remote(Hold)
    with extra_node(ray_cluster, cpus=1) as node:
        runner = jobs.runner("ray")
        assert runner.room_for("local", 1) == 5  # 2 + 2 + the extra node's 1
        holds = [
            holding.options(
                num_cpus=2,
                scheduling_strategy=NodeAffinitySchedulingStrategy(n["NodeID"], soft=False),
            ).remote()
            for n in ray.nodes()
            if n.get("Alive") and n["NodeID"] != node.node_id
        ]
        try:
            ray.get([h.ready.remote() for h in holds], timeout=60)
            assert runner.room_for("local", 1) == 1  # only the extra node has a free CPU
            arn = executions.start("node-loss", {})["PipelineExecutionArn"]
            first = _until(lambda: _placed_jobs(store), 60, "the first attempt to run")[0]
            _until(mark.exists, 60, "the first attempt's script")
        finally:
            for hold in holds:
                ray.kill(hold)
        assert first.outputs[HOSTS_KEY][0]["Node"]["NodeId"] == node.node_id
        node.kill()
        done = executions.wait(arn, 180)

    steps = executions.list_steps(arn)
    assert done["PipelineExecutionStatus"] == "Succeeded", (done.get("FailureReason"), steps)
    assert steps[0]["AttemptCount"] == 2
    attempts = sorted(store.list_jobs(kind=JobKind.TRAINING).items, key=lambda j: j.creation_time)
    assert [j.status for j in attempts] == [JobStatus.FAILED, JobStatus.COMPLETED]
    reason = attempts[0].failure_reason or ""
    assert reason.startswith(f"InternalServerError: the Ray node {node.node_id[:12]}"), reason
    retried_on = attempts[1].outputs[HOSTS_KEY][0]["Node"]["NodeId"]
    assert retried_on != node.node_id


def _placed_jobs(store: MetadataStore) -> list[Job]:
    """The training jobs whose hosts run (their nodes are recorded)."""
    return [j for j in store.list_jobs(kind=JobKind.TRAINING).items if j.outputs.get(HOSTS_KEY)]


def _until(check: Any, timeout: float, what: str) -> Any:
    """Poll ``check`` until it answers something true; fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"waited {timeout:g} s for {what}")
