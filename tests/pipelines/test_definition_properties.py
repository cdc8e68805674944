"""Checks, at write time, of the step properties a definition refers to (walked in
botocore's SageMaker shapes, and against the step's own Arguments for named items) and of
the steps' RetryPolicies: a mistake is refused naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.services.pipelines.definition import parse_definition

from .definitions import definition, processing, training

TRAIN_INPUT = [{"ChannelName": "train", "DataSource": {}}]


def tuning(name: str) -> dict[str, Any]:
    return {"Name": name, "Type": "Tuning", "Arguments": {}}


def using(value: Any, *steps: dict[str, Any]) -> str:
    """``steps`` and a training step ``User`` with hyperparameter ``x`` = ``value``."""
    return definition(*steps, training("User", HyperParameters={"x": value}))


def get(reference: str) -> dict[str, str]:
    return {"Get": reference}


@pytest.mark.parametrize(
    ("reference", "steps"),
    [
        ("Steps.T.ModelArtifacts.S3ModelArtifacts", [training("T")]),
        ("Steps.T.FinalMetricDataList['acc'].Value", [training("T")]),
        ("Steps.T.FinalMetricDataList[0].MetricName", [training("T")]),
        ("Steps.T.HyperParameters['epochs']", [training("T")]),
        (
            "Steps.T.InputDataConfig['train'].ChannelName",
            [training("T", InputDataConfig=TRAIN_INPUT)],
        ),
        ("Steps.T.TrainingJobName", [training("T")]),
        ("Steps.P.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri", [processing("P")]),
        ("Steps.P.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri", [processing("P")]),
        ("Steps.P.ProcessingJobStatus", [processing("P")]),
        ("Steps.X.TransformOutput.S3OutputPath", [{"Name": "X", "Type": "Transform"}]),
        ("Steps.H.BestTrainingJob.TrainingJobName", [tuning("H")]),
        ("Steps.H.TrainingJobSummaries[0].TrainingJobName", [tuning("H")]),
        ("Steps.M.ModelName", [{"Name": "M", "Type": "Model"}]),
        ("Steps.R.ModelPackageArn", [{"Name": "R", "Type": "RegisterModel"}]),
    ],
)
def test_properties_a_step_has_are_accepted(reference: str, steps: list[dict[str, Any]]) -> None:
    checked = parse_definition(using(get(reference), *steps))
    assert checked.steps["User"].after == {steps[0]["Name"]}


@pytest.mark.parametrize(
    ("reference", "steps", "said"),
    [
        ("Steps.T.ModelArtifacts.Foo", [training("T")], "'ModelArtifacts' has no 'Foo'"),
        ("Steps.T.ModelArtifact", [training("T")], "Training steps have no property"),
        ("Steps.T.FinalMetricDataList.Value", [training("T")], "has no 'Value'"),
        ("Steps.T.TrainingJobName[0]", [training("T")], "is no list"),
        ("Steps.T.ModelArtifacts[0]", [training("T")], "is no list"),
        (
            "Steps.P.ProcessingOutputConfig.Outputs['nope'].S3Output.S3Uri",
            [processing("P")],
            "no item named 'nope' (the step's are 'evaluation')",
        ),
        (
            "Steps.T.InputDataConfig['test'].ChannelName",
            [training("T", InputDataConfig=TRAIN_INPUT)],
            "no item named 'test'",
        ),
        ("Steps.H.BestTrainingJob.Nope", [tuning("H")], "has no 'Nope'"),
        ("Steps.M.ModelArtifacts", [{"Name": "M", "Type": "Model"}], "Model steps have no"),
        ("Steps.F.ErrorMessage", [{"Name": "F", "Type": "Fail"}], "no properties"),
        ("Steps.T.NextToken", [training("T")], "no property"),
    ],
)
def test_properties_a_step_cannot_have_are_refused_naming_the_field(
    reference: str, steps: list[dict[str, Any]], said: str
) -> None:
    with pytest.raises(ValidationError) as info:
        parse_definition(using(get(reference), *steps))
    index = len(steps)
    assert info.value.field == f"PipelineDefinition.Steps[{index}].Arguments.HyperParameters.x"
    assert said in info.value.message
    assert reference in info.value.message


def test_references_inside_expressions_and_conditions_are_checked() -> None:
    join = {"Std:Join": {"On": "/", "Values": ["s3://b", get("Steps.T.ModelArtifacts.Nope")]}}
    with pytest.raises(ValidationError) as info:
        parse_definition(using(join, training("T")))
    assert (
        info.value.field
        == "PipelineDefinition.Steps[1].Arguments.HyperParameters.x.Std:Join.Values[1]"
    )
    condition = {
        "Name": "C",
        "Type": "Condition",
        "Arguments": {
            "Conditions": [{"Type": "Equals", "LeftValue": get("Steps.T.Bad"), "RightValue": "x"}],
        },
    }
    with pytest.raises(ValidationError) as info:
        parse_definition(definition(training("T"), condition))
    assert info.value.field == "PipelineDefinition.Steps[1].Arguments.Conditions[0].LeftValue"
    outcome = {**training("U"), "Arguments": {"HyperParameters": {"x": get("Steps.C.Outcome")}}}
    good = {**condition, "Arguments": {"Conditions": []}}
    assert parse_definition(definition(good, outcome)).steps["U"].after == {"C"}


@pytest.mark.parametrize(
    ("policies", "field"),
    [
        ({}, "PipelineDefinition.Steps[0].RetryPolicies"),
        ([{"ExceptionType": []}], "PipelineDefinition.Steps[0].RetryPolicies[0].ExceptionType"),
        (
            [{"ExceptionType": ["SageMaker.JOB_INTERNAL_ERROR", "Step.OOPS"]}],
            "PipelineDefinition.Steps[0].RetryPolicies[0].ExceptionType[1]",
        ),
        (
            [{"ExceptionType": ["Step.THROTTLING"], "MaxAttempts": 21}],
            "PipelineDefinition.Steps[0].RetryPolicies[0].MaxAttempts",
        ),
        (
            [{"ExceptionType": ["Step.THROTTLING"], "IntervalSeconds": "1"}],
            "PipelineDefinition.Steps[0].RetryPolicies[0].IntervalSeconds",
        ),
    ],
)
def test_bad_retry_policies_are_refused_naming_the_field(policies: Any, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_definition(definition({**training("T"), "RetryPolicies": policies}))
    assert info.value.field == field


def test_the_policies_the_sdk_writes_are_accepted() -> None:
    policies = [
        {
            "BackoffRate": 2.0,
            "IntervalSeconds": 1,
            "MaxAttempts": 3,
            "ExceptionType": ["Step.SERVICE_FAULT", "Step.THROTTLING"],
        },
        {
            "BackoffRate": 1.5,
            "IntervalSeconds": 10,
            "ExpireAfterMin": 120,
            "ExceptionType": ["SageMaker.RESOURCE_LIMIT", "SageMaker.CAPACITY_ERROR"],
        },
    ]
    checked = parse_definition(definition({**training("T"), "RetryPolicies": policies}))
    assert checked.steps["T"].step["RetryPolicies"] == policies
