"""``pipeline.definition()``: the issue's example pipeline (process → train → evaluate
with a property file → condition on accuracy → register, else fail) written as SageMaker's
definition JSON, checked against the definition's schema and value by value; and the
other steps, conditions, parameters and properties. No studio is needed: every test runs
with ``no_studio`` (a job, model or studio contact fails the test)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.sdk import client as client_module
from jupyter_mlstudio.sdk.estimator import Estimator
from jupyter_mlstudio.sdk.hosting_client import HostingClient
from jupyter_mlstudio.sdk.inputs import TrainingInput
from jupyter_mlstudio.sdk.jobs_client import JobsClient
from jupyter_mlstudio.sdk.model import Model
from jupyter_mlstudio.sdk.parameter import IntegerParameter
from jupyter_mlstudio.sdk.processing import ProcessingInput, ProcessingOutput, ScriptProcessor
from jupyter_mlstudio.sdk.transformer import Transformer
from jupyter_mlstudio.sdk.tuner import HyperparameterTuner
from jupyter_mlstudio.sdk.workflow.condition_step import ConditionStep
from jupyter_mlstudio.sdk.workflow.conditions import (
    ConditionEquals,
    ConditionGreaterThan,
    ConditionGreaterThanOrEqualTo,
    ConditionIn,
    ConditionLessThan,
    ConditionLessThanOrEqualTo,
    ConditionNot,
    ConditionOr,
)
from jupyter_mlstudio.sdk.workflow.execution_variables import ExecutionVariables
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
from jupyter_mlstudio.sdk.workflow.pipeline_definition_config import PipelineDefinitionConfig
from jupyter_mlstudio.sdk.workflow.properties import PropertyFile
from jupyter_mlstudio.sdk.workflow.retry import (
    SageMakerJobExceptionTypeEnum,
    SageMakerJobStepRetryPolicy,
    StepExceptionTypeEnum,
    StepRetryPolicy,
)
from jupyter_mlstudio.sdk.workflow.step_collections import RegisterModel
from jupyter_mlstudio.sdk.workflow.steps import (
    CacheConfig,
    CreateModelStep,
    ProcessingStep,
    TrainingStep,
    TransformInput,
    TransformStep,
    TuningStep,
)

from .test_workflow_schema import check_definition_schema


@pytest.fixture
def no_studio(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every way the SDK reaches a studio or starts something records the call here; a
    test that expects nothing to start asserts the list is empty."""
    calls: list[str] = []

    def refuse(name: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            raise AssertionError(f"{name} was called")

        return record

    monkeypatch.setattr(JobsClient, "create_job", refuse("create_job"))
    monkeypatch.setattr(HostingClient, "create_model", refuse("create_model"))
    monkeypatch.setattr(HostingClient, "create_transform_job", refuse("create_transform_job"))
    monkeypatch.setattr(client_module.TrackingClient, "for_uri", refuse("TrackingClient.for_uri"))
    return calls


@pytest.fixture
def scripts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("preprocess.py", "train.py", "evaluate.py", "inference.py"):
        (tmp_path / name).write_text("print('hello')\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


class Metrics:
    """Stands for SageMaker's ``ModelMetrics`` (anything with ``_to_request_dict``)."""

    def __init__(self, s3_uri: Any) -> None:
        self.s3_uri = s3_uri

    def _to_request_dict(self) -> dict[str, Any]:
        source = {"ContentType": "application/json", "S3Uri": self.s3_uri}
        return {"ModelQuality": {"Statistics": source}}


@dataclass
class Example:
    pipeline: Pipeline
    process: ProcessingStep
    train: TrainingStep
    evaluate: ProcessingStep
    condition: ConditionStep
    register: ModelStep
    fail: FailStep
    estimator: Estimator


def example_pipeline(session: PipelineSession) -> Example:
    """The issue's example, written as SageMaker's examples write it (step_args)."""
    # Any: the SDK's signatures name strings; SageMaker's take pipeline variables too
    input_data: Any = ParameterString("InputData", default_value="s3://bucket/abalone.csv")
    instance_type: Any = ParameterString("TrainingInstanceType", default_value="ml.m5.xlarge")
    threshold = ParameterFloat("AccuracyThreshold", default_value=0.7)
    n_estimators = ParameterInteger("NEstimators", default_value=50)
    processor = ScriptProcessor(
        command=["python3"],
        instance_type="ml.m5.xlarge",
        base_job_name="prep",
        sagemaker_session=session,
    )
    process = ProcessingStep(
        "Preprocess",
        step_args=processor.run(
            code="preprocess.py",
            inputs=[ProcessingInput(source=input_data, destination="/opt/ml/processing/input")],
            outputs=[
                ProcessingOutput(output_name="train", source="/opt/ml/processing/train"),
                ProcessingOutput(output_name="test", source="/opt/ml/processing/test"),
            ],
        ),
        cache_config=CacheConfig(enable_caching=True, expire_after="T12H"),
    )
    estimator = Estimator(
        entry_point="train.py",
        instance_type=instance_type,
        hyperparameters={"n-estimators": n_estimators, "max-depth": 5},
        metric_definitions=[{"Name": "accuracy", "Regex": "accuracy=([0-9.]+)"}],
        sagemaker_session=session,
    )
    train_uri = process.properties.ProcessingOutputConfig.Outputs["train"].S3Output.S3Uri
    train = TrainingStep(
        "Train",
        step_args=estimator.fit(inputs={"train": TrainingInput(s3_data=train_uri)}),
        retry_policies=[
            StepRetryPolicy([StepExceptionTypeEnum.THROTTLING], max_attempts=3),
            SageMakerJobStepRetryPolicy(
                failure_reason_types=[SageMakerJobExceptionTypeEnum.CAPACITY_ERROR],
                expire_after_mins=60,
            ),
        ],
    )
    report = PropertyFile(name="EvaluationReport", output_name="evaluation", path="evaluation.json")
    evaluate = ProcessingStep(
        "Evaluate",
        step_args=processor.run(
            code="evaluate.py",
            inputs=[
                ProcessingInput(
                    source=train.properties.ModelArtifacts.S3ModelArtifacts,
                    destination="/opt/ml/processing/model",
                ),
                ProcessingInput(
                    source=process.properties.ProcessingOutputConfig.Outputs["test"].S3Output.S3Uri,
                    destination="/opt/ml/processing/test",
                ),
            ],
            outputs=[
                ProcessingOutput(output_name="evaluation", source="/opt/ml/processing/evaluation")
            ],
        ),
        property_files=[report],
    )
    evaluation_uri = evaluate.properties.ProcessingOutputConfig.Outputs["evaluation"].S3Output.S3Uri
    model = Model(
        image_uri="mlstudio/python:3-sklearn",
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
        sagemaker_session=session,
    )
    register = ModelStep(
        "RegisterModel",
        step_args=model.register(
            content_types=["text/csv"],
            response_types=["text/csv"],
            inference_instances=["ml.m5.large"],
            transform_instances=["ml.m5.large"],
            model_package_group_name="AbaloneModels",
            model_metrics=Metrics(Join(on="/", values=[evaluation_uri, "evaluation.json"])),
            customer_metadata_properties={"team": "ml"},
        ),
    )
    fail = FailStep(
        "AccuracyTooLow",
        error_message=Join(on=" ", values=["accuracy below", threshold]),
    )
    accuracy = JsonGet(
        step_name=evaluate.name, property_file=report, json_path="metrics.accuracy.value"
    )
    condition = ConditionStep(
        "CheckAccuracy",
        conditions=[ConditionGreaterThanOrEqualTo(left=accuracy, right=threshold)],
        if_steps=[register],
        else_steps=[fail],
    )
    pipeline = Pipeline(
        name="AbalonePipeline",
        parameters=[input_data, instance_type, threshold, n_estimators],
        steps=[process, train, evaluate, condition],
        sagemaker_session=session,
    )
    return Example(pipeline, process, train, evaluate, condition, register, fail, estimator)


@pytest.fixture
def example(scripts: Path, no_studio: list[str]) -> Iterator[Example]:
    yield example_pipeline(PipelineSession())
    assert no_studio == []


def definition_of(pipeline: Pipeline) -> dict[str, Any]:
    text = pipeline.definition()
    assert isinstance(text, str)
    definition = json.loads(text)
    check_definition_schema(definition)
    return definition


def steps_by_name(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}

    def visit(steps: list[dict[str, Any]]) -> None:
        for step in steps:
            found[step["Name"]] = step
            if step["Type"] == "Condition":
                visit(step["Arguments"]["IfSteps"] + step["Arguments"]["ElseSteps"])

    visit(definition["Steps"])
    return found


def test_the_example_is_written_as_sagemakers_definition(example: Example) -> None:
    definition = definition_of(example.pipeline)
    assert definition["Version"] == "2020-12-01"
    assert definition["Metadata"] == {}
    assert definition["Parameters"] == [
        {"Name": "InputData", "Type": "String", "DefaultValue": "s3://bucket/abalone.csv"},
        {"Name": "TrainingInstanceType", "Type": "String", "DefaultValue": "ml.m5.xlarge"},
        {"Name": "AccuracyThreshold", "Type": "Float", "DefaultValue": 0.7},
        {"Name": "NEstimators", "Type": "Integer", "DefaultValue": 50},
    ]
    assert definition["PipelineExperimentConfig"] == {
        "ExperimentName": {"Get": "Execution.PipelineName"},
        "TrialName": {"Get": "Execution.PipelineExecutionId"},
    }
    assert [(s["Name"], s["Type"]) for s in definition["Steps"]] == [
        ("Preprocess", "Processing"),
        ("Train", "Training"),
        ("Evaluate", "Processing"),
        ("CheckAccuracy", "Condition"),
    ]
    steps = steps_by_name(definition)
    process = steps["Preprocess"]
    assert process["CacheConfig"] == {"Enabled": True, "ExpireAfter": "T12H"}
    assert "ProcessingJobName" not in process["Arguments"]
    assert process["Arguments"]["ProcessingInputs"][0]["S3Input"]["S3Uri"] == {
        "Get": "Parameters.InputData"
    }
    assert [o["OutputName"] for o in process["Arguments"]["ProcessingOutputConfig"]["Outputs"]] == [
        "train",
        "test",
    ]

    train = steps["Train"]
    arguments = train["Arguments"]
    assert "TrainingJobName" not in arguments
    assert "ExperimentConfig" not in arguments
    assert "DependsOn" not in train  # the data reference alone orders it
    assert arguments["ResourceConfig"]["InstanceType"] == {"Get": "Parameters.TrainingInstanceType"}
    assert arguments["HyperParameters"] == {
        "n-estimators": {"Std:Join": {"On": "", "Values": [{"Get": "Parameters.NEstimators"}]}},
        "max-depth": "5",
    }
    assert arguments["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] == {
        "Get": "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"
    }
    assert train["RetryPolicies"] == [
        {
            "BackoffRate": 2.0,
            "IntervalSeconds": 1,
            "MaxAttempts": 3,
            "ExceptionType": ["Step.THROTTLING"],
        },
        {
            "BackoffRate": 2.0,
            "IntervalSeconds": 1,
            "ExpireAfterMin": 60,
            "ExceptionType": ["SageMaker.CAPACITY_ERROR"],
        },
    ]

    evaluate = steps["Evaluate"]
    assert evaluate["PropertyFiles"] == [
        {
            "PropertyFileName": "EvaluationReport",
            "OutputName": "evaluation",
            "FilePath": "evaluation.json",
        }
    ]
    assert [i["S3Input"]["S3Uri"] for i in evaluate["Arguments"]["ProcessingInputs"][:2]] == [
        {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"},
        {"Get": "Steps.Preprocess.ProcessingOutputConfig.Outputs['test'].S3Output.S3Uri"},
    ]

    condition = steps["CheckAccuracy"]["Arguments"]
    assert condition["Conditions"] == [
        {
            "Type": "GreaterThanOrEqualTo",
            "LeftValue": {
                "Std:JsonGet": {
                    "PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.EvaluationReport"},
                    "Path": "metrics.accuracy.value",
                }
            },
            "RightValue": {"Get": "Parameters.AccuracyThreshold"},
        }
    ]
    assert [s["Name"] for s in condition["IfSteps"]] == ["RegisterModel-RegisterModel"]
    assert condition["ElseSteps"] == [
        {
            "Name": "AccuracyTooLow",
            "Type": "Fail",
            "Arguments": {
                "ErrorMessage": {
                    "Std:Join": {
                        "On": " ",
                        "Values": ["accuracy below", {"Get": "Parameters.AccuracyThreshold"}],
                    }
                }
            },
        }
    ]
    register = condition["IfSteps"][0]
    assert register["Type"] == "RegisterModel"
    assert register["Arguments"] == {
        "ModelPackageGroupName": "AbaloneModels",
        "ModelMetrics": {
            "ModelQuality": {
                "Statistics": {
                    "ContentType": "application/json",
                    "S3Uri": {
                        "Std:Join": {
                            "On": "/",
                            "Values": [
                                {
                                    "Get": "Steps.Evaluate.ProcessingOutputConfig.Outputs"
                                    "['evaluation'].S3Output.S3Uri"
                                },
                                "evaluation.json",
                            ],
                        }
                    },
                }
            }
        },
        "CustomerMetadataProperties": {"team": "ml"},
        "InferenceSpecification": {
            "Containers": [
                {
                    "Environment": {},
                    "Image": "mlstudio/python:3-sklearn",
                    "ModelDataUrl": {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"},
                }
            ],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
            "SupportedRealtimeInferenceInstanceTypes": ["ml.m5.large"],
            "SupportedTransformInstanceTypes": ["ml.m5.large"],
        },
        "ModelApprovalStatus": "PendingManualApproval",
        "SkipModelValidation": "None",
    }


def test_the_definition_is_the_same_each_time(example: Example) -> None:
    assert example.pipeline.definition() == example.pipeline.definition()


def test_steps_only_referred_to_are_added_breadth_first(example: Example) -> None:
    pipeline = Pipeline(
        "Partial",
        parameters=example.pipeline.parameters,
        steps=[example.evaluate, example.condition],
    )
    definition = definition_of(pipeline)
    # SageMaker's order: the listed steps, then what they refer to, breadth first; the
    # condition's branches stay inside it
    assert [s["Name"] for s in definition["Steps"]] == [
        "Evaluate",
        "CheckAccuracy",
        "Train",
        "Preprocess",
    ]


def test_depends_on_names_steps_and_collections(example: Example) -> None:
    example.fail.depends_on = ["Preprocess", example.train]
    late = FailStep("Late", error_message="done", depends_on=[example.register, "CheckAccuracy"])
    pipeline = Pipeline(
        "Depends",
        parameters=example.pipeline.parameters,
        steps=[*example.pipeline.steps, late],
    )
    steps = steps_by_name(definition_of(pipeline))
    assert steps["AccuracyTooLow"]["DependsOn"] == ["Preprocess", "Train"]
    assert steps["Late"]["DependsOn"] == ["RegisterModel-RegisterModel", "CheckAccuracy"]
    assert list(steps["Late"]) == ["Name", "Type", "Arguments", "DependsOn"]


def test_a_model_step_creates_a_model_and_a_transform_step_uses_it(
    example: Example, scripts: Path
) -> None:
    session = example.pipeline.sagemaker_session
    model = Model(
        image_uri="mlstudio/python:3-sklearn",
        model_data=example.train.properties.ModelArtifacts.S3ModelArtifacts,
        entry_point="inference.py",
        env={"LOG_LEVEL": "info"},
        sagemaker_session=session,
    )
    create = ModelStep("Model", step_args=model.create(instance_type="ml.m5.large"))
    model_name: Any = create.properties and create.properties.ModelName
    transformer = Transformer(
        model_name=model_name,
        instance_type="ml.m5.large",
        output_path="s3://bucket/predictions",
        sagemaker_session=session,
    )
    transform = TransformStep(
        "Predict",
        step_args=transformer.transform(
            data=example.process.properties.ProcessingOutputConfig.Outputs["test"].S3Output.S3Uri,
            content_type="text/csv",
            split_type="Line",
        ),
        cache_config=CacheConfig(enable_caching=False),
    )
    pipeline = Pipeline(
        "Batch",
        parameters=example.pipeline.parameters,
        steps=[example.process, example.train, create, transform],
    )
    steps = steps_by_name(definition_of(pipeline))
    assert steps["Model-CreateModel"]["Type"] == "Model"
    assert steps["Model-CreateModel"]["Arguments"] == {
        "PrimaryContainer": {
            "Environment": {
                "LOG_LEVEL": "info",
                "SAGEMAKER_PROGRAM": "inference.py",
                "SAGEMAKER_SUBMIT_DIRECTORY": str(scripts),
            },
            "Image": "mlstudio/python:3-sklearn",
            "ModelDataUrl": {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"},
        }
    }
    arguments = steps["Predict"]["Arguments"]
    assert arguments["ModelName"] == {"Get": "Steps.Model-CreateModel.ModelName"}
    assert "TransformJobName" not in arguments
    assert arguments["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"] == {
        "Get": "Steps.Preprocess.ProcessingOutputConfig.Outputs['test'].S3Output.S3Uri"
    }
    assert arguments["TransformOutput"] == {"S3OutputPath": "s3://bucket/predictions"}
    assert steps["Predict"]["CacheConfig"] == {"Enabled": False}


def test_a_tuning_step_is_the_tuners_tuning_job_request(example: Example) -> None:
    tuner = HyperparameterTuner(
        example.estimator,
        objective_metric_name="accuracy",
        hyperparameter_ranges={"n-estimators": IntegerParameter(10, 100)},
        max_jobs=4,
        max_parallel_jobs=2,
    )
    train_uri = example.process.properties.ProcessingOutputConfig.Outputs["train"].S3Output.S3Uri
    tune = TuningStep("Tune", tuner=tuner, inputs={"train": TrainingInput(s3_data=train_uri)})
    top: Any = tune.get_top_model_s3_uri(top_k=0, s3_bucket="bucket", prefix="tuning")
    best = Model(
        image_uri="mlstudio/python:3-sklearn",
        model_data=top,
        sagemaker_session=example.pipeline.sagemaker_session,
    )
    create = ModelStep("Best", step_args=best.create())
    pipeline = Pipeline(
        "Tuned", parameters=example.pipeline.parameters, steps=[example.process, tune, create]
    )
    steps = steps_by_name(definition_of(pipeline))
    arguments = steps["Tune"]["Arguments"]
    assert "HyperParameterTuningJobName" not in arguments
    config = arguments["HyperParameterTuningJobConfig"]
    assert config["HyperParameterTuningJobObjective"] == {
        "Type": "Maximize",
        "MetricName": "accuracy",
    }
    assert config["ResourceLimits"] == {"MaxParallelTrainingJobs": 2, "MaxNumberOfTrainingJobs": 4}
    assert config["ParameterRanges"]["IntegerParameterRanges"][0]["Name"] == "n-estimators"
    definition = arguments["TrainingJobDefinition"]
    assert definition["ResourceConfig"]["InstanceType"] == {
        "Get": "Parameters.TrainingInstanceType"
    }
    assert definition["StaticHyperParameters"] == {"max-depth": "5"}
    assert definition["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] == {
        "Get": "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"
    }
    assert steps["Best-CreateModel"]["Arguments"]["PrimaryContainer"]["ModelDataUrl"] == {
        "Std:Join": {
            "On": "/",
            "Values": [
                "s3:/",
                "bucket",
                "tuning",
                {"Get": "Steps.Tune.TrainingJobSummaries[0].TrainingJobName"},
                "output/model.tar.gz",
            ],
        }
    }
    assert tune.properties.BestTrainingJob.TrainingJobName.expr == {
        "Get": "Steps.Tune.BestTrainingJob.TrainingJobName"
    }


def test_the_older_forms_write_the_same_arguments_as_step_args(example: Example) -> None:
    session = example.pipeline.sagemaker_session
    inputs = {"train": TrainingInput(s3_data="s3://bucket/train")}
    direct = TrainingStep("Direct", estimator=example.estimator, inputs=inputs)
    assert example.estimator.sagemaker_session is session  # restored after the call
    captured = TrainingStep("Captured", step_args=example.estimator.fit(inputs))
    assert direct.arguments == captured.arguments
    processor = ScriptProcessor(command=["python3"], sagemaker_session=session)
    outputs = [ProcessingOutput(output_name="out", source="/opt/ml/processing/out")]
    old = ProcessingStep("Old", processor=processor, code="evaluate.py", outputs=outputs)
    new = ProcessingStep("New", step_args=processor.run(code="evaluate.py", outputs=outputs))
    assert old.arguments == new.arguments


def test_older_transform_and_create_model_steps(example: Example) -> None:
    model = Model(image_uri="image", model_data="s3://b/model.tar.gz", sagemaker_session=None)
    create = CreateModelStep("Create", model=model)
    model_name: Any = create.properties.ModelName
    transformer = Transformer(model_name, instance_type="ml.m5.large")
    transform = TransformStep(
        "Score", transformer=transformer, inputs=TransformInput(data="s3://b/in", split_type="Line")
    )
    steps = steps_by_name(definition_of(Pipeline("Old", steps=[create, transform])))
    assert steps["Create"]["Arguments"] == {
        "PrimaryContainer": {
            "Environment": {},
            "Image": "image",
            "ModelDataUrl": "s3://b/model.tar.gz",
        }
    }
    arguments = steps["Score"]["Arguments"]
    assert arguments["ModelName"] == {"Get": "Steps.Create.ModelName"}
    assert arguments["TransformInput"] == {
        "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/in"}},
        "SplitType": "Line",
    }
    assert model.sagemaker_session is None
    assert transformer.sagemaker_session is None
    assert model.name is None  # the model was not created


def test_register_model_collection_writes_a_model_package_request(example: Example) -> None:
    status = ParameterString("ApprovalStatus", default_value="PendingManualApproval")
    register = RegisterModel(
        "Register",
        content_types=["text/csv"],
        response_types=["application/json"],
        inference_instances=["ml.m5.large"],
        transform_instances=["ml.m5.xlarge"],
        estimator=Estimator(
            image_uri="mlstudio/python:3-sklearn", sagemaker_session=PipelineSession()
        ),
        model_data=example.train.properties.ModelArtifacts.S3ModelArtifacts,
        model_package_group_name="Abalone",
        approval_status=status,
        model_metrics={
            "ModelQuality": {
                "Statistics": {"ContentType": "application/json", "S3Uri": "s3://b/m.json"}
            }
        },
        depends_on=[example.evaluate],
    )
    pipeline = Pipeline(
        "Registry",
        parameters=[*example.pipeline.parameters, status],
        steps=[example.process, example.train, example.evaluate, register],
    )
    steps = steps_by_name(definition_of(pipeline))
    step = steps["Register-RegisterModel"]
    assert step["Type"] == "RegisterModel"
    assert step["DependsOn"] == ["Evaluate"]
    assert step["Arguments"]["ModelApprovalStatus"] == {"Get": "Parameters.ApprovalStatus"}
    assert step["Arguments"]["InferenceSpecification"]["Containers"] == [
        {
            "Environment": {},
            "Image": "mlstudio/python:3-sklearn",
            "ModelDataUrl": {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"},
        }
    ]
    assert register.properties is not None
    assert register.properties.ModelPackageArn.expr == {
        "Get": "Steps.Register-RegisterModel.ModelPackageArn"
    }


def test_custom_job_prefix_keeps_the_jobs_base_names(example: Example) -> None:
    example.pipeline.pipeline_definition_config = PipelineDefinitionConfig(
        use_custom_job_prefix=True
    )
    steps = steps_by_name(definition_of(example.pipeline))
    assert steps["Preprocess"]["Arguments"]["ProcessingJobName"] == "prep"
    assert steps["Train"]["Arguments"]["TrainingJobName"] == "train"


@pytest.mark.parametrize(
    ("condition", "written"),
    [
        (
            ConditionEquals(ParameterBoolean("Flag", default_value=True), True),
            {"Type": "Equals", "LeftValue": {"Get": "Parameters.Flag"}, "RightValue": True},
        ),
        (
            ConditionGreaterThan(ParameterInteger("Count", default_value=1), 0),
            {"Type": "GreaterThan", "LeftValue": {"Get": "Parameters.Count"}, "RightValue": 0},
        ),
        (
            ConditionLessThan(0.5, ParameterFloat("Ratio", default_value=1)),
            {"Type": "LessThan", "LeftValue": 0.5, "RightValue": {"Get": "Parameters.Ratio"}},
        ),
        (
            ConditionLessThanOrEqualTo(1, 2),
            {"Type": "LessThanOrEqualTo", "LeftValue": 1, "RightValue": 2},
        ),
        (
            ConditionIn(ExecutionVariables.PIPELINE_NAME, ["a", "b"]),
            {"Type": "In", "QueryValue": {"Get": "Execution.PipelineName"}, "Values": ["a", "b"]},
        ),
        (
            ConditionNot(ConditionEquals("a", "b")),
            {"Type": "Not", "Condition": {"Type": "Equals", "LeftValue": "a", "RightValue": "b"}},
        ),
        (
            ConditionOr([ConditionEquals(1, 1), ConditionIn("x", ["x"])]),
            {
                "Type": "Or",
                "Conditions": [
                    {"Type": "Equals", "LeftValue": 1, "RightValue": 1},
                    {"Type": "In", "QueryValue": "x", "Values": ["x"]},
                ],
            },
        ),
    ],
)
def test_conditions_are_written_as_sagemaker_writes_them(
    condition: Any, written: dict[str, Any], no_studio: list[str]
) -> None:
    step = ConditionStep("Branch", conditions=[condition], if_steps=[FailStep("Stop")])
    parameters = [
        ParameterBoolean("Flag", default_value=True),
        ParameterInteger("Count", default_value=1),
        ParameterFloat("Ratio", default_value=1),
    ]
    definition = definition_of(Pipeline("Conditions", parameters=parameters, steps=[step]))
    assert definition["Steps"][0]["Arguments"]["Conditions"] == [written]
    assert definition["Parameters"][2] == {"Name": "Ratio", "Type": "Float", "DefaultValue": 1.0}
    assert definition["Steps"][0]["Arguments"]["IfSteps"] == [
        {"Name": "Stop", "Type": "Fail", "Arguments": {"ErrorMessage": ""}}
    ]


def test_properties_follow_the_describe_answers(example: Example) -> None:
    train, process = example.train.properties, example.process.properties
    assert train.FinalMetricDataList[0].Value.expr == {
        "Get": "Steps.Train.FinalMetricDataList[0].Value"
    }
    assert train.HyperParameters["n-estimators"].expr == {
        "Get": "Steps.Train.HyperParameters['n-estimators']"
    }
    assert process.ProcessingOutputConfig.Outputs[1].S3Output.S3Uri.expr == {
        "Get": "Steps.Preprocess.ProcessingOutputConfig.Outputs[1].S3Output.S3Uri"
    }
    assert example.condition.properties.Outcome.expr == {"Get": "Steps.CheckAccuracy.Outcome"}
    assert example.register.properties is not None
    assert example.register.properties.ModelApprovalStatus.expr == {
        "Get": "Steps.RegisterModel-RegisterModel.ModelApprovalStatus"
    }
    assert not hasattr(train, "ModelArtefacts")
    assert "ModelArtifacts" in dir(train)


def test_strings_of_variables_go_through_join_and_to_string(no_studio: list[str]) -> None:
    bucket = ParameterString("Bucket", default_value="data")
    uri = Join(on="/", values=["s3:/", bucket, ExecutionVariables.PIPELINE_EXECUTION_ID])
    assert uri.expr == {
        "Std:Join": {
            "On": "/",
            "Values": [
                "s3:/",
                {"Get": "Parameters.Bucket"},
                {"Get": "Execution.PipelineExecutionId"},
            ],
        }
    }
    assert bucket.to_string() is bucket
    assert ParameterInteger("N", 1).to_string().expr == {
        "Std:Join": {"On": "", "Values": [{"Get": "Parameters.N"}]}
    }
    with pytest.raises(TypeError):
        f"{bucket}"
    with pytest.raises(TypeError):
        bucket + "x"


def test_no_experiment_config_writes_null(no_studio: list[str]) -> None:
    pipeline = Pipeline(
        "Bare", steps=[FailStep("Stop", error_message="no")], pipeline_experiment_config=None
    )
    definition = definition_of(pipeline)
    assert definition["PipelineExperimentConfig"] is None
    assert definition["Parameters"] == []
