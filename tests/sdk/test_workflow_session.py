"""``PipelineSession``: under it the SDK's ``fit``, ``run``, ``transform``, ``create`` and
``register`` return step arguments and start nothing (``no_studio`` records any job,
model or studio contact); outside it they run as before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.sdk.estimator import Estimator
from jupyter_mlstudio.sdk.model import Model
from jupyter_mlstudio.sdk.parameter import IntegerParameter
from jupyter_mlstudio.sdk.processing import ProcessingOutput, Processor, ScriptProcessor
from jupyter_mlstudio.sdk.transformer import Transformer
from jupyter_mlstudio.sdk.tuner import HyperparameterTuner
from jupyter_mlstudio.sdk.workflow.pipeline_context import (
    JobStepArguments,
    LocalPipelineSession,
    ModelStepArguments,
    PipelineSession,
)
from jupyter_mlstudio.sdk.workflow.steps import ProcessingStep, TrainingStep

from .test_workflow_definition import no_studio, scripts

__all__ = ["no_studio", "scripts"]  # fixtures used by name


@pytest.fixture(params=[PipelineSession, LocalPipelineSession])
def session(request: pytest.FixtureRequest) -> PipelineSession:
    made: PipelineSession = request.param()
    return made


def test_fit_returns_training_step_arguments_and_starts_no_job(
    session: PipelineSession, scripts: Path, no_studio: list[str]
) -> None:
    estimator = Estimator(
        entry_point="train.py", hyperparameters={"epochs": 3}, sagemaker_session=session
    )
    step_args = estimator.fit("s3://bucket/train", job_name="my-job")
    assert isinstance(step_args, JobStepArguments)
    assert step_args.caller_name == "train"
    assert session.context is step_args
    assert step_args.args["TrainingJobName"] == "my-job"
    assert step_args.args["HyperParameters"] == {"epochs": 3}
    assert step_args.args["InputDataConfig"][0]["ChannelName"] == "training"
    assert step_args.args["ScriptMode"] == {"EntryPoint": str(scripts / "train.py")}
    assert estimator.latest_training_job is None
    assert TrainingStep("Train", step_args=step_args).arguments["HyperParameters"] == {
        "epochs": "3"
    }
    assert no_studio == []


def test_run_returns_processing_step_arguments_and_starts_no_job(
    session: PipelineSession, scripts: Path, no_studio: list[str]
) -> None:
    processor = Processor(
        image_uri="mlstudio/python:3-sklearn",
        entrypoint=["python3", "-c", "pass"],
        sagemaker_session=session,
    )
    arguments: list[Any] = ["--rows", 10]
    step_args = processor.run(arguments=arguments, wait=True, logs=True)
    assert isinstance(step_args, JobStepArguments)
    assert step_args.caller_name == "process"
    assert step_args.args["AppSpecification"] == {
        "ImageUri": "mlstudio/python:3-sklearn",
        "ContainerEntrypoint": ["python3", "-c", "pass"],
        "ContainerArguments": ["--rows", "10"],
    }
    script = ScriptProcessor(sagemaker_session=session)
    outputs = [ProcessingOutput(output_name="out", source="/opt/ml/processing/out")]
    step = ProcessingStep("Process", step_args=script.run(code="preprocess.py", outputs=outputs))
    assert step.arguments["ProcessingInputs"][-1]["S3Input"]["S3Uri"] == str(
        scripts / "preprocess.py"
    )
    assert processor.latest_job is None
    assert processor.jobs == []
    assert script.jobs == []
    assert no_studio == []


def test_transform_create_and_register_start_nothing(
    session: PipelineSession, scripts: Path, no_studio: list[str]
) -> None:
    transformer = Transformer("my-model", instance_type="ml.m5.large", sagemaker_session=session)
    step_args = transformer.transform("data.csv", content_type="text/csv", wait=True)
    assert isinstance(step_args, JobStepArguments)
    assert step_args.caller_name == "transform"
    assert step_args.args["ModelName"] == "my-model"
    assert step_args.args["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"] == str(
        scripts / "data.csv"
    )
    assert transformer.latest_transform_job is None

    model = Model(image_uri="image", model_data="s3://b/model.tar.gz", sagemaker_session=session)
    created = model.create()
    assert isinstance(created, ModelStepArguments)
    assert created.create_model_request is not None
    assert created.create_model_request["PrimaryContainer"] == {
        "Environment": {},
        "Image": "image",
        "ModelDataUrl": "s3://b/model.tar.gz",
    }
    registered = model.register(["text/csv"], ["text/csv"], model_package_group_name="G")
    assert isinstance(registered, ModelStepArguments)
    assert registered.create_model_package_request is not None
    assert registered.create_model_package_request["ModelPackageGroupName"] == "G"
    assert model.name is None  # nothing was created, so nothing was named
    assert no_studio == []


def test_a_tuner_under_a_pipeline_session_starts_no_tuning_job(
    session: PipelineSession, scripts: Path, no_studio: list[str]
) -> None:
    estimator = Estimator(
        entry_point="train.py",
        metric_definitions=[{"Name": "loss", "Regex": "loss=([0-9.]+)"}],
        sagemaker_session=session,
    )
    tuner = HyperparameterTuner(estimator, "loss", {"epochs": IntegerParameter(1, 5)})
    with pytest.raises(ValidationError) as info:
        tuner.fit("s3://bucket/train")
    assert info.value.field == "sagemaker_session"
    assert tuner.latest_tuning_job is None
    assert no_studio == []


def test_register_outside_a_pipeline_goes_to_the_studio(
    scripts: Path, no_studio: list[str]
) -> None:
    """Outside a PipelineSession, register() sends the version to the studio's registry
    (tests/sdk/test_registry_sdk.py covers that end to end); here the studio is refused."""
    model = Model(image_uri="image", model_data="s3://b/model.tar.gz")
    with pytest.raises(AssertionError):
        model.register(["text/csv"], ["text/csv"], model_package_group_name="G")
    assert no_studio == ["TrackingClient.for_uri"]


def test_a_model_step_with_dependencies_is_refused(
    session: PipelineSession, scripts: Path, no_studio: list[str]
) -> None:
    model = Model(
        image_uri="image",
        entry_point="inference.py",
        dependencies=["train.py"],
        sagemaker_session=session,
    )
    with pytest.raises(ValidationError) as info:
        model.create()
    assert info.value.field == "dependencies"
