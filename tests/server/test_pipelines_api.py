"""Pipelines through the REST API (jp_fetch): create, describe, list, update, delete, and
bad definitions refused naming the field."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from tests.pipelines.conftest import TRAIN, train_step
from tests.pipelines.definitions import definition, pipeline_of_four, training

from .test_api import call


async def test_pipeline_records(jp_fetch: Any) -> None:
    text = pipeline_of_four()
    body = {"PipelineName": "churn", "PipelineDefinition": text, "PipelineDisplayName": "Churn"}
    status, made = await call(jp_fetch, "POST", "pipelines", body=body)
    assert status == 201, made
    assert made["PipelineArn"].endswith(":pipeline/churn")
    assert (made["PipelineDefinition"], made["PipelineStatus"]) == (text, "Active")
    status, err = await call(jp_fetch, "POST", "pipelines", body=body)
    assert (status, err["field"]) == (409, "PipelineName")

    status, described = await call(jp_fetch, "GET", "pipelines", "churn")
    assert (status, described) == (200, made)

    changed = definition(training("Only"))
    status, updated = await call(
        jp_fetch, "PATCH", "pipelines", "churn", body={"PipelineDefinition": changed}
    )
    assert status == 200, updated
    assert (updated["PipelineDefinition"], updated["PipelineDisplayName"]) == (changed, "Churn")

    status, page = await call(jp_fetch, "GET", "pipelines", params={"PipelineNamePrefix": "ch"})
    assert status == 200
    assert [p["PipelineName"] for p in page["PipelineSummaries"]] == ["churn"]

    status, _ = await call(jp_fetch, "DELETE", "pipelines", "churn")
    assert status == 204
    status, err = await call(jp_fetch, "GET", "pipelines", "churn")
    assert (status, err["field"]) == (404, "PipelineName")


async def test_bad_definitions_name_the_field(jp_fetch: Any) -> None:
    cyclic = json.loads(pipeline_of_four())
    cyclic["Steps"][0]["DependsOn"] = ["Evaluate"]
    status, err = await call(
        jp_fetch,
        "POST",
        "pipelines",
        body={"PipelineName": "p", "PipelineDefinition": json.dumps(cyclic)},
    )
    assert status == 400
    assert err["field"].startswith("PipelineDefinition.Steps[")
    assert err["field"].endswith("].DependsOn")
    status, err = await call(
        jp_fetch,
        "POST",
        "pipelines",
        body={"PipelineName": "p", "PipelineDefinition": "{oops"},
    )
    assert (status, err["field"]) == (400, "PipelineDefinition")
    status, page = await call(jp_fetch, "GET", "pipelines")
    assert page["PipelineSummaries"] == []  # nothing half created

    status, _ = await call(
        jp_fetch,
        "POST",
        "pipelines",
        body={"PipelineName": "p", "PipelineDefinition": definition(training("A"))},
    )
    assert status == 201
    status, err = await call(
        jp_fetch,
        "PATCH",
        "pipelines",
        "p",
        body={"PipelineDefinition": definition(training("a b"))},
    )
    assert (status, err["field"]) == (400, "PipelineDefinition.Steps[0].Name")


async def _until_done(jp_fetch: Any, execution_id: str, timeout: float = 90) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        status, execution = await call(jp_fetch, "GET", "pipeline-executions", execution_id)
        assert status == 200, execution
        if execution["PipelineExecutionStatus"] in ("Succeeded", "Failed", "Stopped"):
            return execution
        assert asyncio.get_running_loop().time() < deadline, execution
        await asyncio.sleep(0.1)


async def test_executions_start_run_list_and_show_their_steps(
    jp_fetch: Any, tmp_path: Path
) -> None:
    (tmp_path / "train.py").write_text(TRAIN)
    fail = {
        "Name": "Stop",
        "Type": "Fail",
        "Arguments": {"ErrorMessage": {"Get": "Parameters.Message"}},
    }
    check = {
        "Name": "Check",
        "Type": "Condition",
        "Arguments": {
            "Conditions": [
                {"Type": "Equals", "LeftValue": {"Get": "Parameters.Go"}, "RightValue": True}
            ],
            "IfSteps": [],
            "ElseSteps": [fail],
        },
        "DependsOn": ["Train"],
    }
    text = json.dumps(
        {
            "Version": "2020-12-01",
            "Parameters": [
                {"Name": "Go", "Type": "Boolean", "DefaultValue": True},
                {"Name": "Message", "Type": "String", "DefaultValue": "not today"},
            ],
            "Steps": [train_step("Train", tmp_path), check],
        }
    )
    body = {"PipelineName": "runs", "PipelineDefinition": text}
    assert (await call(jp_fetch, "POST", "pipelines", body=body))[0] == 201

    status, err = await call(
        jp_fetch,
        "POST",
        "pipelines",
        "runs",
        "executions",
        body={"PipelineParameters": [{"Name": "Go", "Value": "maybe"}]},
    )
    assert (status, err["field"]) == (400, "PipelineParameters[0].Value")

    status, started = await call(jp_fetch, "POST", "pipelines", "runs", "executions", body={})
    assert status == 201, started
    assert started["PipelineExecutionStatus"] == "Executing"
    first = started["PipelineExecutionArn"].rsplit("/", 1)[1]
    done = await _until_done(jp_fetch, first)
    assert done["PipelineExecutionStatus"] == "Succeeded", done
    status, steps = await call(jp_fetch, "GET", "pipeline-executions", first, "steps")
    assert status == 200
    by_name = {s["StepName"]: s for s in steps["PipelineExecutionSteps"]}
    assert set(by_name) == {"Train", "Check"}
    assert by_name["Check"]["Metadata"] == {"Condition": {"Outcome": "True"}}
    assert (
        by_name["Train"]["Metadata"]["TrainingJob"]["Arn"]
        .split("/")[-1]
        .startswith(f"pipelines-{first}-Train-")
    )

    params = {"PipelineParameters": [{"Name": "Go", "Value": "false"}]}
    status, started = await call(jp_fetch, "POST", "pipelines", "runs", "executions", body=params)
    second = started["PipelineExecutionArn"].rsplit("/", 1)[1]
    done = await _until_done(jp_fetch, second)
    assert (done["PipelineExecutionStatus"], done["FailureReason"]) == (
        "Failed",
        "Step Stop failed: not today",
    )
    status, err = await call(jp_fetch, "POST", "pipeline-executions", second, "stop")
    assert status == 409, err  # it has ended

    status, listed = await call(jp_fetch, "GET", "pipelines", "runs", "executions")
    assert status == 200
    summaries = listed["PipelineExecutionSummaries"]
    assert [s["PipelineExecutionArn"].rsplit("/", 1)[1] for s in summaries] == [second, first]
    assert summaries[0]["PipelineExecutionFailureReason"] == "Step Stop failed: not today"
    status, err = await call(jp_fetch, "GET", "pipeline-executions", "nothing")
    assert status == 404, err


async def test_an_execution_keeps_the_definition_it_started_with(
    jp_fetch: Any, tmp_path: Path
) -> None:
    (tmp_path / "train.py").write_text(TRAIN)
    first = json.dumps({"Version": "2020-12-01", "Steps": [train_step("Train", tmp_path)]})
    body = {"PipelineName": "kept", "PipelineDefinition": first}
    assert (await call(jp_fetch, "POST", "pipelines", body=body))[0] == 201
    status, started = await call(jp_fetch, "POST", "pipelines", "kept", "executions", body={})
    execution = started["PipelineExecutionArn"].rsplit("/", 1)[1]
    await _until_done(jp_fetch, execution)
    later = json.dumps({"Version": "2020-12-01", "Steps": [train_step("Again", tmp_path)]})
    changes = {"PipelineDefinition": later}
    assert (await call(jp_fetch, "PATCH", "pipelines", "kept", body=changes))[0] == 200

    status, answer = await call(jp_fetch, "GET", "pipeline-executions", execution, "definition")
    assert status == 200
    assert answer["PipelineDefinition"] == first
    assert answer["CreationTime"] == started["CreationTime"]
    status, err = await call(jp_fetch, "GET", "pipeline-executions", "nothing", "definition")
    assert status == 404, err
