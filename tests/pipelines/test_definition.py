"""Checks of pipeline definitions: every mistake is refused naming its field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.services.pipelines.definition import parse_definition

from .definitions import VERSION, definition, pipeline_of_four, processing, training


def refused(text: str) -> str | None:
    with pytest.raises(ValidationError) as info:
        parse_definition(text)
    return info.value.field


def test_a_good_definition_gives_its_steps_and_what_they_wait_for() -> None:
    checked = parse_definition(pipeline_of_four())
    assert list(checked.steps) == ["Prepare", "Train", "Evaluate", "Check", "TooLow"]
    assert checked.steps["Train"].after == {"Prepare"}  # by a property reference
    assert checked.steps["Evaluate"].after == {"Train"}  # by DependsOn
    assert checked.steps["Check"].after == {"Evaluate"}  # by its JsonGet
    assert checked.steps["TooLow"].after == {"Check"}  # a branch waits for its condition
    assert checked.steps["TooLow"].path == "PipelineDefinition.Steps[3].Arguments.ElseSteps[0]"
    assert set(checked.parameters) == {"Threshold", "Epochs"}


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("{not json", "PipelineDefinition"),
        ("[]", "PipelineDefinition"),
        (json.dumps({"Version": "2019-01-01", "Steps": []}), "PipelineDefinition.Version"),
        (json.dumps({"Version": VERSION, "Steps": {}}), "PipelineDefinition.Steps"),
        (definition({"Name": "A", "Type": "Lambda"}), "PipelineDefinition.Steps[0].Type"),
        (definition({"Name": "a b", "Type": "Fail"}), "PipelineDefinition.Steps[0].Name"),
        (definition(training("A"), training("A")), "PipelineDefinition.Steps[1].Name"),
        (
            definition({**training("A"), "DependsOn": 1}),
            "PipelineDefinition.Steps[0].DependsOn",
        ),
        (
            definition(training("A"), training("B"), {**training("C"), "DependsOn": ["Z"]}),
            "PipelineDefinition.Steps[2].DependsOn",
        ),
        (
            definition({**training("A"), "DependsOn": ["A"]}),
            "PipelineDefinition.Steps[0].DependsOn",
        ),
        (
            definition(
                {**training("A"), "DependsOn": ["B"]}, {**training("B"), "DependsOn": ["A"]}
            ),
            "PipelineDefinition.Steps[1].DependsOn",  # the step that closes the cycle
        ),
        (
            definition(training("A", Epochs={"Get": "Parameters.Missing"})),
            "PipelineDefinition.Steps[0].Arguments.Epochs",
        ),
        (
            definition(training("A", Name={"Get": "Execution.Nothing"})),
            "PipelineDefinition.Steps[0].Arguments.Name",
        ),
        (
            definition(training("A", Data=[{"Get": "Steps.Nope.ModelArtifacts"}])),
            "PipelineDefinition.Steps[0].Arguments.Data[0]",
        ),
        (
            definition(training("A", Data={"Get": "Steps.A.ModelArtifacts"})),
            "PipelineDefinition.Steps[0].Arguments.Data",
        ),
        (
            definition(
                processing("P"),
                training(
                    "A", X={"Std:JsonGet": {"PropertyFile": {"Get": "Steps.P.PropertyFiles.No"}}}
                ),
            ),
            "PipelineDefinition.Steps[1].Arguments.X.Std:JsonGet.PropertyFile",
        ),
        (
            definition(training("A", X={"Get": "Whatever.Y"})),
            "PipelineDefinition.Steps[0].Arguments.X",
        ),
        (
            definition(parameters=[{"Name": "N", "Type": "Integer", "DefaultValue": "2"}]),
            "PipelineDefinition.Parameters[0].DefaultValue",
        ),
        (
            definition(parameters=[{"Name": "N", "Type": "Integer", "DefaultValue": True}]),
            "PipelineDefinition.Parameters[0].DefaultValue",
        ),
        (
            definition(parameters=[{"Name": "N", "Type": "Text"}]),
            "PipelineDefinition.Parameters[0].Type",
        ),
        (
            definition(
                parameters=[{"Name": "N", "Type": "String"}, {"Name": "N", "Type": "String"}]
            ),
            "PipelineDefinition.Parameters[1].Name",
        ),
    ],
)
def test_mistakes_are_refused_naming_the_field(text: str, field: str) -> None:
    assert refused(text) == field


def test_branch_steps_share_the_names_and_cycles_through_a_branch_are_refused() -> None:
    branch: dict[str, Any] = {
        "Name": "C",
        "Type": "Condition",
        "Arguments": {"Conditions": [], "IfSteps": [training("A")], "ElseSteps": []},
    }
    assert refused(definition(training("A"), branch)) == (
        "PipelineDefinition.Steps[1].Arguments.IfSteps[0].Name"
    )
    # the condition waits for T, and T for the condition's branch step B
    looped: dict[str, Any] = {
        "Name": "C",
        "Type": "Condition",
        "Arguments": {
            "Conditions": [{"Type": "Equals", "LeftValue": {"Get": "Steps.T.TrainingJobName"}}],
            "IfSteps": [training("B")],
        },
    }
    field = refused(definition(looped, {**training("T"), "DependsOn": ["B"]}))
    assert field is not None
    assert field.endswith(".DependsOn")


def _condition(*conditions: dict[str, Any]) -> dict[str, Any]:
    return {"Name": "C", "Type": "Condition", "Arguments": {"Conditions": list(conditions)}}


@pytest.mark.parametrize(
    ("condition", "field"),
    [
        (
            {"Type": "GreaterThan", "LeftValue": "high", "RightValue": 1},
            "PipelineDefinition.Steps[0].Arguments.Conditions[0].LeftValue",
        ),
        (
            {"Type": "LessThan", "LeftValue": 1, "RightValue": {"Get": "Parameters.Name"}},
            "PipelineDefinition.Steps[0].Arguments.Conditions[0].RightValue",
        ),
        (
            {
                "Type": "Not",
                "Condition": {"Type": "LessThanOrEqualTo", "LeftValue": True, "RightValue": 1},
            },
            "PipelineDefinition.Steps[0].Arguments.Conditions[0].Condition[0].LeftValue",
        ),
        (
            {
                "Type": "Or",
                "Conditions": [
                    {"Type": "Equals", "LeftValue": "a", "RightValue": "a"},
                    {"Type": "GreaterThanOrEqualTo", "LeftValue": 1, "RightValue": None},
                ],
            },
            "PipelineDefinition.Steps[0].Arguments.Conditions[0].Conditions[1].RightValue",
        ),
    ],
)
def test_an_ordering_of_non_numbers_is_refused(condition: dict[str, Any], field: str) -> None:
    parameters = [{"Name": "Name", "Type": "String", "DefaultValue": "x"}]
    assert refused(definition(_condition(condition), parameters=parameters)) == field


def test_orderings_of_numbers_and_equality_of_anything_are_accepted() -> None:
    parameters: list[dict[str, Any]] = [
        {"Name": "Limit", "Type": "Float", "DefaultValue": 0.5},
        {"Name": "Name", "Type": "String", "DefaultValue": "x"},
    ]
    checked = parse_definition(
        definition(
            _condition(
                {"Type": "GreaterThan", "LeftValue": {"Get": "Parameters.Limit"}, "RightValue": 1},
                {"Type": "Equals", "LeftValue": {"Get": "Parameters.Name"}, "RightValue": "x"},
            ),
            parameters=parameters,
        )
    )
    assert list(checked.steps) == ["C"]
