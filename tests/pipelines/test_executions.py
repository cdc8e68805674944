"""Pipeline executions on the process runtime: steps as a DAG, references resolved at run
time, conditions and their branches, fail steps, failing steps, stop, bad parameters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.entities import JobKind
from jupyter_mlstudio.exceptions import NotFoundError, ValidationError
from jupyter_mlstudio.services.pipelines.executions import PipelineExecutions
from jupyter_mlstudio.services.pipelines.service import PipelineService
from jupyter_mlstudio.store.base import MetadataStore

from .conftest import evaluate_step, train_step

ACCURACY = {
    "Std:JsonGet": {
        "PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.Report"},
        "Path": "metrics.accuracy",
    }
}


def four_steps(scripts: Path, out: Path) -> str:
    """Evaluate ∥ Train → Check (accuracy ≥ Threshold) → TrainMore | TooLow."""
    check = {
        "Name": "Check",
        "Type": "Condition",
        "Arguments": {
            "Conditions": [
                {
                    "Type": "GreaterThanOrEqualTo",
                    "LeftValue": ACCURACY,
                    "RightValue": {"Get": "Parameters.Threshold"},
                }
            ],
            "IfSteps": [
                {
                    **train_step(
                        "TrainMore",
                        scripts,
                        base={"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"},
                    ),
                }
            ],
            "ElseSteps": [
                {
                    "Name": "TooLow",
                    "Type": "Fail",
                    "Arguments": {
                        "ErrorMessage": {
                            "Std:Join": {
                                "On": " ",
                                "Values": ["accuracy below", {"Get": "Parameters.Threshold"}],
                            }
                        }
                    },
                }
            ],
        },
        "DependsOn": ["Train"],
    }
    return json.dumps(
        {
            "Version": "2020-12-01",
            "Parameters": [
                {"Name": "Accuracy", "Type": "String", "DefaultValue": "0.9"},
                {"Name": "Threshold", "Type": "Float", "DefaultValue": 0.5},
            ],
            "Steps": [
                evaluate_step("Evaluate", scripts, out, {"Get": "Parameters.Accuracy"}),
                train_step("Train", scripts),
                check,
            ],
        }
    )


@pytest.fixture
def pipeline(pipelines: PipelineService, scripts: Path, tmp_path: Path) -> str:
    text = four_steps(scripts, tmp_path / "evaluation")
    pipelines.create({"PipelineName": "churn", "PipelineDefinition": text})
    return "churn"


def steps_by_name(executions: PipelineExecutions, arn: str) -> dict[str, dict[str, Any]]:
    return {s["StepName"]: s for s in executions.list_steps(arn)}


def test_a_pipeline_runs_its_steps_and_the_taken_branch(
    executions: PipelineExecutions, store: MetadataStore, pipeline: str
) -> None:
    started = executions.start(pipeline, {"PipelineExecutionDisplayName": "first"})
    assert started["PipelineExecutionStatus"] == "Executing"
    arn = started["PipelineExecutionArn"]
    assert arn.startswith(started["PipelineArn"] + "/execution/")
    done = executions.wait(arn, 120)
    steps = steps_by_name(executions, arn)
    assert done["PipelineExecutionStatus"] == "Succeeded", (done.get("FailureReason"), steps)
    assert set(steps) == {"Evaluate", "Train", "Check", "TrainMore"}  # TooLow: not taken
    assert {s["StepStatus"] for s in steps.values()} == {"Succeeded"}
    assert steps["Check"]["Metadata"] == {"Condition": {"Outcome": "True"}}
    execution_id = arn.rsplit("/", 1)[1]
    train_arn = steps["Train"]["Metadata"]["TrainingJob"]["Arn"]
    train_name = train_arn.rsplit("/", 1)[1]
    assert train_name.startswith(f"pipelines-{execution_id}-Train-")
    assert len(train_name) <= 63
    assert steps["Evaluate"]["Metadata"]["ProcessingJob"]["Arn"].endswith(
        "-Evaluate-" + steps["Evaluate"]["Metadata"]["ProcessingJob"]["Arn"].rsplit("-", 1)[1]
    )
    # TrainMore got Train's model artifacts, resolved when it started
    train = store.get_job(train_name, JobKind.TRAINING)
    more_name = steps["TrainMore"]["Metadata"]["TrainingJob"]["Arn"].rsplit("/", 1)[1]
    more = store.get_job(more_name, JobKind.TRAINING)
    assert (
        more.spec["HyperParameters"]["base"] == train.outputs["ModelArtifacts"]["S3ModelArtifacts"]
    )
    assert executions.describe(execution_id)["PipelineExecutionDisplayName"] == "first"
    listed = executions.list_executions(pipeline).items
    assert [e["PipelineExecutionArn"] for e in listed] == [arn]


def test_a_fail_step_fails_the_execution_with_its_message(
    executions: PipelineExecutions, pipeline: str
) -> None:
    started = executions.start(
        pipeline,
        {
            "PipelineParameters": [
                {"Name": "Accuracy", "Value": "0.2"},
                {"Name": "Threshold", "Value": "0.7"},
            ]
        },
    )
    done = executions.wait(started["PipelineExecutionArn"], 120)
    assert done["PipelineExecutionStatus"] == "Failed"
    assert "accuracy below 0.7" in done["FailureReason"]
    steps = steps_by_name(executions, started["PipelineExecutionArn"])
    assert steps["Check"]["Metadata"] == {"Condition": {"Outcome": "False"}}
    assert steps["TooLow"]["StepStatus"] == "Failed"
    assert steps["TooLow"]["Metadata"] == {"Fail": {"ErrorMessage": "accuracy below 0.7"}}
    assert "TrainMore" not in steps


def test_a_failing_step_fails_the_execution_and_its_dependents_do_not_run(
    executions: PipelineExecutions, pipelines: PipelineService, scripts: Path, tmp_path: Path
) -> None:
    broken = evaluate_step(
        "Evaluate", scripts, tmp_path / "e", "0.5", more_arguments=["--fail", "bad data"]
    )
    after = {**train_step("After", scripts), "DependsOn": ["Evaluate"]}
    text = json.dumps({"Version": "2020-12-01", "Steps": [broken, after]})
    pipelines.create({"PipelineName": "broken", "PipelineDefinition": text})
    started = executions.start("broken", {})
    done = executions.wait(started["PipelineExecutionArn"], 120)
    assert done["PipelineExecutionStatus"] == "Failed"
    assert done["FailureReason"].startswith("Step Evaluate failed:")
    steps = steps_by_name(executions, started["PipelineExecutionArn"])
    assert steps["Evaluate"]["StepStatus"] == "Failed"
    assert steps["Evaluate"]["FailureReason"]
    assert "After" not in steps


def test_stop_stops_the_running_jobs(
    executions: PipelineExecutions, pipelines: PipelineService, store: MetadataStore, scripts: Path
) -> None:
    slow = train_step("Slow", scripts, sleep="60")
    text = json.dumps(
        {
            "Version": "2020-12-01",
            "Steps": [slow, {**train_step("Next", scripts), "DependsOn": ["Slow"]}],
        }
    )
    pipelines.create({"PipelineName": "slow", "PipelineDefinition": text})
    arn = executions.start("slow", {})["PipelineExecutionArn"]
    for _ in range(600):  # until the step's job has been started
        if steps_by_name(executions, arn).get("Slow", {}).get("StepStatus") == "Executing":
            break
        executions.wait(arn, 0.05)
    assert executions.stop(arn)["PipelineExecutionStatus"] == "Stopping"
    done = executions.wait(arn, 60)
    assert done["PipelineExecutionStatus"] == "Stopped"
    steps = steps_by_name(executions, arn)
    assert steps["Slow"]["StepStatus"] == "Stopped"
    assert "Next" not in steps
    job_name = steps["Slow"]["Metadata"]["TrainingJob"]["Arn"].rsplit("/", 1)[1]
    assert store.get_job(job_name, JobKind.TRAINING).status.value == "Stopped"


def test_bad_parameters_are_refused_naming_the_field_and_start_nothing(
    executions: PipelineExecutions, store: MetadataStore, pipeline: str
) -> None:
    for given, field in (
        ([{"Name": "Threshold", "Value": "high"}], "PipelineParameters[0].Value"),
        ([{"Name": "Nope", "Value": "1"}], "PipelineParameters[0].Name"),
    ):
        with pytest.raises(ValidationError) as info:
            executions.start(pipeline, {"PipelineParameters": given})
        assert info.value.field == field
    assert store.list_jobs().items == []


def test_independent_steps_run_at_once_at_most_four(
    executions: PipelineExecutions, pipelines: PipelineService, scripts: Path
) -> None:
    fan = [train_step(f"Leg{i}", scripts, sleep="2") for i in range(5)]
    text = json.dumps({"Version": "2020-12-01", "Steps": fan})
    pipelines.create({"PipelineName": "fan", "PipelineDefinition": text})
    arn = executions.start("fan", {})["PipelineExecutionArn"]
    done = executions.wait(arn, 120)
    assert done["PipelineExecutionStatus"] == "Succeeded", done
    steps = executions.list_steps(arn)
    spans = [(s["StartTime"], s["EndTime"]) for s in steps]
    overlapping = [sum(start <= t < end for start, end in spans) for t, _ in spans]
    assert max(overlapping) == 4  # four at once, the fifth when one has ended


def test_deleting_a_pipeline_stops_its_running_executions(
    executions: PipelineExecutions, store: MetadataStore, scripts: Path
) -> None:
    pipelines = PipelineService(store, executions)
    text = json.dumps({"Version": "2020-12-01", "Steps": [train_step("Slow", scripts, sleep="60")]})
    pipelines.create({"PipelineName": "doomed", "PipelineDefinition": text})
    arn = executions.start("doomed", {})["PipelineExecutionArn"]
    pipelines.delete("doomed")
    done = executions.wait(arn, 60)
    assert done["PipelineExecutionStatus"] == "Stopped"
    with pytest.raises(NotFoundError):
        pipelines.describe("doomed")
    assert executions.describe(arn)["PipelineExecutionStatus"] == "Stopped"  # record kept
