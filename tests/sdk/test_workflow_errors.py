"""Bad pipelines are refused, when built or by ``definition()``, with a
``ValidationError`` that names the field; nothing reaches a studio."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.sdk.estimator import Estimator
from jupyter_mlstudio.sdk.model import Model
from jupyter_mlstudio.sdk.workflow.condition_step import ConditionStep
from jupyter_mlstudio.sdk.workflow.conditions import (
    ConditionEquals,
    ConditionGreaterThan,
    ConditionGreaterThanOrEqualTo,
    ConditionIn,
    ConditionLessThan,
)
from jupyter_mlstudio.sdk.workflow.execution_variables import ExecutionVariable
from jupyter_mlstudio.sdk.workflow.fail_step import FailStep
from jupyter_mlstudio.sdk.workflow.functions import Join, JsonGet
from jupyter_mlstudio.sdk.workflow.model_step import ModelStep
from jupyter_mlstudio.sdk.workflow.parameters import (
    ParameterBoolean,
    ParameterFloat,
    ParameterInteger,
    ParameterString,
)
from jupyter_mlstudio.sdk.workflow.pipeline import Pipeline
from jupyter_mlstudio.sdk.workflow.pipeline_context import PipelineSession
from jupyter_mlstudio.sdk.workflow.properties import PropertyFile, PropertyPathError
from jupyter_mlstudio.sdk.workflow.retry import (
    SageMakerJobExceptionTypeEnum,
    SageMakerJobStepRetryPolicy,
    StepExceptionTypeEnum,
    StepRetryPolicy,
)
from jupyter_mlstudio.sdk.workflow.steps import CacheConfig, ProcessingStep, TrainingStep

from .test_workflow_definition import Example, example, example_pipeline, no_studio, scripts

__all__ = ["example", "no_studio", "scripts"]  # fixtures used by name


def refused(field: str, call: Callable[[], Any]) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        call()
    assert info.value.field == field, info.value.message
    return info.value


def test_a_cycle_in_depends_on(example: Example) -> None:
    example.process.depends_on = [example.evaluate]
    error = refused("Steps.Preprocess.DependsOn", example.pipeline.definition)
    assert error.message.endswith("Preprocess -> Evaluate -> Preprocess")


def test_two_steps_that_wait_for_each_other(no_studio: list[str]) -> None:
    first, second = FailStep("First"), FailStep("Second")
    first.depends_on = [second]
    second.depends_on = ["First"]
    error = refused("Steps.First.DependsOn", Pipeline("Loop", steps=[first, second]).definition)
    assert error.message.endswith("First -> Second -> First")


def test_a_step_that_waits_for_itself(no_studio: list[str]) -> None:
    step = FailStep("Stop", error_message="x")
    step.depends_on = ["Stop"]
    refused("Steps.Stop.DependsOn", Pipeline("Self", steps=[step]).definition)


def test_a_depends_on_name_of_no_step(example: Example) -> None:
    example.train.add_depends_on(["Cleanup"])
    error = refused("Steps.Train.DependsOn", example.pipeline.definition)
    assert "'Cleanup'" in error.message


def test_a_json_get_of_a_step_not_in_the_pipeline(example: Example) -> None:
    # the evaluation step is left out: its name cannot be resolved
    pipeline = Pipeline(
        "Partial",
        parameters=example.pipeline.parameters,
        steps=[example.process, example.train, example.condition],
    )
    refused("Steps.CheckAccuracy.Arguments", pipeline.definition)


def test_a_json_get_of_a_property_file_the_step_does_not_write(example: Example) -> None:
    other = PropertyFile("Other", output_name="evaluation", path="other.json")
    example.condition.conditions = [
        ConditionGreaterThan(JsonGet(step_name="Evaluate", property_file=other, json_path="a"), 1)
    ]
    field = "Steps.CheckAccuracy.Arguments.Conditions[0].LeftValue"
    error = refused(field, example.pipeline.definition)
    assert "no property file 'Other'" in error.message


def test_a_property_file_of_an_output_the_step_does_not_have(example: Example) -> None:
    example.evaluate.property_files = [PropertyFile("EvaluationReport", "metrics", "e.json")]
    field = "Steps.CheckAccuracy.Arguments.Conditions[0].LeftValue"
    error = refused(field, example.pipeline.definition)
    assert "output 'metrics'" in error.message


def test_a_reference_to_a_parameter_the_pipeline_does_not_declare(example: Example) -> None:
    example.pipeline.parameters = [p for p in example.pipeline.parameters if p.name != "InputData"]
    field = "Steps.Preprocess.Arguments.ProcessingInputs[0].S3Input.S3Uri"
    refused(field, example.pipeline.definition)


def test_an_execution_variable_sagemaker_does_not_have(no_studio: list[str]) -> None:
    step = FailStep("Stop", error_message=Join(values=[ExecutionVariable("Weather")]))
    field = "Steps.Stop.Arguments.ErrorMessage.Std:Join.Values[0]"
    refused(field, Pipeline("Vars", steps=[step]).definition)


def test_duplicate_step_names(example: Example) -> None:
    twin = FailStep("Train", error_message="twin")
    pipeline = Pipeline("Twins", steps=[*example.pipeline.steps, twin])
    refused("Steps.Train.Name", pipeline.definition)


def test_a_branch_step_also_listed_in_the_pipeline(example: Example) -> None:
    pipeline = Pipeline("Twice", steps=[*example.pipeline.steps, example.fail])
    refused("Steps.AccuracyTooLow.Name", pipeline.definition)


def test_two_step_objects_of_one_name_reached_by_reference(example: Example) -> None:
    other_process = example_pipeline(PipelineSession()).process  # also "Preprocess"
    example.fail.depends_on = [other_process]
    refused("Steps.Preprocess.Name", example.pipeline.definition)


def test_duplicate_parameter_names(no_studio: list[str]) -> None:
    parameters = [ParameterString("Mode", "a"), ParameterString("Mode", "b")]
    pipeline = Pipeline("Params", parameters=parameters, steps=[FailStep("Stop")])
    refused("Parameters.Mode", pipeline.definition)


@pytest.mark.parametrize(
    "make",
    [
        lambda: ParameterString("S", default_value=1),  # type: ignore[arg-type]
        lambda: ParameterInteger("I", default_value="1"),  # type: ignore[arg-type]
        lambda: ParameterInteger("I", default_value=1.5),  # type: ignore[arg-type]
        lambda: ParameterInteger("I", default_value=True),
        lambda: ParameterFloat("F", default_value="0.5"),  # type: ignore[arg-type]
        lambda: ParameterBoolean("B", default_value="true"),  # type: ignore[arg-type]
        lambda: ParameterString("S", default_value="c", enum_values=["a", "b"]),
    ],
)
def test_a_parameter_default_of_the_wrong_type(make: Callable[[], Any]) -> None:
    refused("default_value", make)


def test_a_bad_parameter_name() -> None:
    refused("name", lambda: ParameterString("has space"))


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: ConditionGreaterThan("0.7", 1), "left"),
        (lambda: ConditionGreaterThanOrEqualTo(1, ParameterString("S", "x")), "right"),
        (lambda: ConditionLessThan(True, 1), "left"),
        (lambda: ConditionLessThan(1, Join(values=["1"])), "right"),
        (lambda: ConditionEquals([1], 1), "left"),
        (lambda: ConditionIn(1, [{"a": 1}]), "in_values[0]"),
    ],
)
def test_a_condition_on_something_that_is_not_a_number(make: Callable[[], Any], field: str) -> None:
    refused(field, make)


def test_a_condition_on_a_string_property(example: Example) -> None:
    artifacts = example.train.properties.ModelArtifacts.S3ModelArtifacts
    error = refused("left", lambda: ConditionGreaterThan(artifacts, 1))
    assert "a string" in error.message
    metric = example.train.properties.FinalMetricDataList[0].Value
    assert ConditionGreaterThan(metric, 0.5).to_request()["LeftValue"] is metric


def test_a_misspelt_property(example: Example) -> None:
    with pytest.raises(PropertyPathError) as info:
        _ = example.train.properties.ModelArtefacts
    assert isinstance(info.value, ValidationError)
    assert info.value.field == "Steps.Train.ModelArtefacts"
    with pytest.raises(PropertyPathError):
        _ = example.train.properties.ModelArtifacts.S3ModelArtifacts.Bucket


def test_step_args_of_another_call(example: Example) -> None:
    processing_args = example.process.step_args
    refused("step_args", lambda: TrainingStep("Train2", step_args=processing_args))
    refused("step_args", lambda: TrainingStep("Train3"))
    refused(
        "step_args",
        lambda: TrainingStep(
            "Train4", step_args=example.train.step_args, estimator=example.estimator
        ),
    )
    refused("step_args", lambda: ModelStep("Model", step_args=processing_args))  # type: ignore[arg-type]


def test_bad_names_retry_policies_and_cache_configs() -> None:
    refused("name", lambda: FailStep("no spaces please"))
    refused("name", lambda: Pipeline("under_score"))
    refused(
        "max_attempts", lambda: StepRetryPolicy([StepExceptionTypeEnum.THROTTLING], max_attempts=21)
    )
    refused(
        "max_attempts",
        lambda: StepRetryPolicy([StepExceptionTypeEnum.THROTTLING]).to_request(),
    )
    wrong: Any = [SageMakerJobExceptionTypeEnum.CAPACITY_ERROR]
    refused("exception_types", lambda: StepRetryPolicy(wrong))
    refused("exception_types", lambda: SageMakerJobStepRetryPolicy(max_attempts=1))
    refused("backoff_rate", lambda: StepRetryPolicy([], backoff_rate=-1, max_attempts=1))
    refused("expire_after", lambda: CacheConfig(True, expire_after="12 hours"))
    assert CacheConfig(True, expire_after="P1DT12H").config == {
        "CacheConfig": {"Enabled": True, "ExpireAfter": "P1DT12H"}
    }


def test_a_model_step_with_a_job_retry_policy(example: Example) -> None:
    policy = SageMakerJobStepRetryPolicy(
        exception_types=[SageMakerJobExceptionTypeEnum.INTERNAL_ERROR], max_attempts=2
    )
    step_args = example.register.step_args
    refused(
        "retry_policies", lambda: ModelStep("Again", step_args=step_args, retry_policies=[policy])
    )


def test_an_approval_status_outside_the_three(scripts: Path, no_studio: list[str]) -> None:
    model = Model(
        image_uri="image", model_data="s3://b/model.tar.gz", sagemaker_session=PipelineSession()
    )
    refused(
        "approval_status",
        lambda: model.register(
            ["text/csv"], ["text/csv"], model_package_group_name="G", approval_status="Maybe"
        ),
    )
    refused(
        "customer_metadata_properties",
        lambda: model.register(
            ["text/csv"],
            ["text/csv"],
            model_package_group_name="G",
            customer_metadata_properties={"n": 1},
        ),
    )


def test_a_value_that_is_not_json(scripts: Path, no_studio: list[str]) -> None:
    estimator = Estimator(
        entry_point="train.py",
        environment={"WHEN": object()},  # type: ignore[dict-item]
        sagemaker_session=PipelineSession(),
    )
    step = TrainingStep("Train", step_args=estimator.fit())
    refused(
        "definition.Steps[0].Arguments.Environment.WHEN", Pipeline("Json", steps=[step]).definition
    )


def test_a_processing_step_given_a_variable_as_code(scripts: Path, no_studio: list[str]) -> None:
    from jupyter_mlstudio.sdk.processing import ScriptProcessor

    processor = ScriptProcessor(sagemaker_session=PipelineSession())
    code = ParameterString("Code", "x.py")
    step = ProcessingStep("Process", processor=processor, code=code)  # type: ignore[arg-type]
    refused("code", lambda: step.arguments)


def test_a_condition_step_given_something_else(no_studio: list[str]) -> None:
    refused("conditions[0]", lambda: ConditionStep("C", conditions=["yes"]))  # type: ignore[list-item]
    refused("if_steps[0]", lambda: ConditionStep("C", if_steps=["Stop"]))  # type: ignore[list-item]
    refused("error_message", lambda: FailStep("F", error_message=3))  # type: ignore[arg-type]
