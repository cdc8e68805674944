"""Run-time values of a definition: execution parameters, Get / Std:Join / Std:JsonGet,
and condition outcomes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.services.pipelines.definition import parse_definition
from jupyter_mlstudio.services.pipelines.values import (
    Scope,
    StepValueError,
    evaluate,
    execution_parameters,
    follow_path,
    outcome,
    resolve,
)

from .definitions import definition, pipeline_of_four

PROPERTIES: dict[str, dict[str, Any]] = {
    "Train": {
        "TrainingJobName": "pipelines-abc-Train-1",
        "ModelArtifacts": {"S3ModelArtifacts": "file:///m/model.tar.gz"},
    },
    "Prepare": {
        "ProcessingOutputConfig": {
            "Outputs": [
                {"OutputName": "train", "S3Output": {"S3Uri": "file:///p/train"}},
                {"OutputName": "test", "S3Output": {"S3Uri": "file:///p/test"}},
            ]
        }
    },
}
REPORTS = {("Evaluate", "Report"): {"metrics": {"accuracy": {"value": 0.8}}, "runs": [1, 2]}}


def scope(**parameters: Any) -> Scope:
    return Scope(
        parameters=parameters,
        execution={"PipelineExecutionId": "abc"},
        properties=lambda step: PROPERTIES[step],
        property_file=lambda step, name: REPORTS[(step, name)],
    )


def test_parameters_are_typed_and_defaulted() -> None:
    checked = parse_definition(pipeline_of_four())
    given = [{"Name": "Epochs", "Value": "5"}]
    assert execution_parameters(checked, given) == {"Epochs": 5, "Threshold": 0.5}
    assert execution_parameters(checked, [{"Name": "Threshold", "Value": 1}])["Threshold"] == 1.0


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ([{"Name": "Epochs", "Value": "five"}], "PipelineParameters[0].Value"),
        ([{"Name": "Epochs", "Value": True}], "PipelineParameters[0].Value"),
        (
            [{"Name": "Epochs", "Value": "2"}, {"Name": "Threshold", "Value": "x"}],
            "PipelineParameters[1].Value",
        ),
        ([{"Name": "Epoch", "Value": "2"}], "PipelineParameters[0].Name"),
        (
            [{"Name": "Epochs", "Value": "2"}, {"Name": "Epochs", "Value": "3"}],
            "PipelineParameters[1].Name",
        ),
    ],
)
def test_bad_parameters_name_the_field(given: list[dict[str, Any]], field: str) -> None:
    checked = parse_definition(pipeline_of_four())
    with pytest.raises(ValidationError) as info:
        execution_parameters(checked, given)
    assert info.value.field == field


def test_a_parameter_without_default_must_be_given() -> None:
    checked = parse_definition(definition(parameters=[{"Name": "Flag", "Type": "Boolean"}]))
    with pytest.raises(ValidationError) as info:
        execution_parameters(checked, [])
    assert info.value.field == "PipelineParameters"
    assert execution_parameters(checked, [{"Name": "Flag", "Value": "false"}]) == {"Flag": False}


def test_references_joins_and_json_gets_resolve() -> None:
    arguments = {
        "Model": {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"},
        "Data": {"Get": "Steps.Prepare.ProcessingOutputConfig.Outputs['test'].S3Output.S3Uri"},
        "Second": {"Get": "Steps.Prepare.ProcessingOutputConfig.Outputs[1].OutputName"},
        "Out": {
            "Std:Join": {
                "On": "/",
                "Values": ["file:///out", {"Get": "Execution.PipelineExecutionId"}, 3, True],
            }
        },
        "Accuracy": {
            "Std:JsonGet": {
                "PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.Report"},
                "Path": "metrics.accuracy.value",
            }
        },
        "Runs": [{"Get": "Parameters.Epochs"}],
    }
    assert resolve(arguments, scope(Epochs=2)) == {
        "Model": "file:///m/model.tar.gz",
        "Data": "file:///p/test",
        "Second": "test",
        "Out": "file:///out/abc/3/true",
        "Accuracy": 0.8,
        "Runs": [2],
    }


def test_missing_properties_fail_the_step_with_a_reason() -> None:
    with pytest.raises(StepValueError, match=r"ModelArtifacts\.Nothing"):
        resolve({"Get": "Steps.Train.ModelArtifacts.Nothing"}, scope())
    with pytest.raises(StepValueError, match=r"Outputs\[.none.\]"):
        follow_path(PROPERTIES["Prepare"], "ProcessingOutputConfig.Outputs['none']", "step")
    with pytest.raises(StepValueError, match="property file 'Report'"):
        resolve(
            {
                "Std:JsonGet": {
                    "PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.Report"},
                    "Path": "metrics.f1",
                }
            },
            scope(),
        )


def _compare(kind: str, left: Any, right: Any) -> dict[str, Any]:
    return {"Type": kind, "LeftValue": left, "RightValue": right}


def test_conditions() -> None:
    accuracy = {
        "Std:JsonGet": {
            "PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.Report"},
            "Path": "metrics.accuracy.value",
        }
    }
    threshold = {"Get": "Parameters.Threshold"}
    s = scope(Threshold=0.8, Kind="rf")
    assert evaluate(_compare("GreaterThanOrEqualTo", accuracy, threshold), s)
    assert not evaluate(_compare("GreaterThan", accuracy, threshold), s)
    assert evaluate(_compare("LessThanOrEqualTo", accuracy, 0.8), s)
    assert not evaluate(_compare("LessThan", accuracy, 0.5), s)
    assert evaluate(_compare("Equals", {"Get": "Parameters.Kind"}, "rf"), s)
    assert evaluate(
        {"Type": "In", "QueryValue": {"Get": "Parameters.Kind"}, "Values": ["a", "rf"]}, s
    )
    assert evaluate({"Type": "Not", "Condition": _compare("Equals", 1, 2)}, s)
    assert evaluate(
        {"Type": "Or", "Conditions": [_compare("Equals", 1, 2), _compare("Equals", 2, 2)]}, s
    )
    both = {"Conditions": [_compare("Equals", 1, 1), _compare("LessThan", 1, 2)]}
    assert outcome(both, s)
    assert not outcome({"Conditions": [*both["Conditions"], _compare("Equals", 1, 2)]}, s)
    with pytest.raises(StepValueError, match="not a number"):
        evaluate(_compare("GreaterThan", {"Get": "Parameters.Kind"}, 1), s)
    with pytest.raises(StepValueError, match="not a number"):
        evaluate(_compare("LessThan", 1, True), s)


def test_the_branches_of_a_condition_are_left_as_written() -> None:
    branch = [{"Name": "B", "Type": "Fail", "Arguments": {"ErrorMessage": {"Get": "Parameters.X"}}}]
    resolved = resolve({"Conditions": [], "IfSteps": branch}, scope())
    assert resolved["IfSteps"] == branch
    assert json.loads(json.dumps(resolved)) == resolved
