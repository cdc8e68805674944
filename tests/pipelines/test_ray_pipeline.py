"""A pipeline on a studio whose runtime is Ray: its processing and training steps run as
jobs on the real 2-node cluster (the steps follow the studio's default runtime), and the
execution succeeds with a condition on the processing step's report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.config import StudioConfig, resolve_config
from jupyter_mlstudio.entities import JobKind
from jupyter_mlstudio.services.jobs.placement import HOSTS_KEY
from jupyter_mlstudio.services.pipelines.executions import PipelineExecutions
from jupyter_mlstudio.services.pipelines.service import PipelineService
from jupyter_mlstudio.store.base import MetadataStore

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
