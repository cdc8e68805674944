"""Job steps (``sagemaker.workflow.steps``): training, processing, transform, tuning and
create-model steps, made of the studio SDK's estimators, processors, transformers,
tuners and models, and the step that registers a model version.

A step takes ``step_args`` (what ``estimator.fit(...)`` and the like return under a
``PipelineSession``), or the SDK object and the arguments of its call (SageMaker's older
form). Either way its ``Arguments`` are the Create* request that call would have sent,
without the job's name (an execution names its jobs) and experiment config.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...exceptions import ValidationError
from ..parameter import hyperparameter_text
from ._step_base import (
    DURATION,
    STEP_NAME,
    CacheConfig,
    ConfigurableRetryStep,
    DependsOn,
    Step,
    StepTypeEnum,
    trim_name,
)
from .entities import PipelineVariable, copy_request
from .functions import Join
from .pipeline_context import JobStepArguments, ModelStepArguments, captured
from .properties import Properties, PropertyFile
from .retry import RetryPolicy

__all__ = [
    "DURATION",
    "STEP_NAME",
    "CacheConfig",
    "ConfigurableRetryStep",
    "CreateModelInput",
    "CreateModelStep",
    "ProcessingStep",
    "PropertyFile",
    "RegisterModelStep",
    "Step",
    "StepTypeEnum",
    "TrainingStep",
    "TransformInput",
    "TransformStep",
    "TuningStep",
]


def _one_of(step_args: Any, given: Any, name: str, caller: str, call: str) -> None:
    """Exactly one of ``step_args`` and the SDK object, and step args of the right call."""
    if (step_args is None) == (given is None):
        raise ValidationError(f"give step_args or {name}, not both", field="step_args")
    if step_args is not None and (
        not isinstance(step_args, JobStepArguments) or step_args.caller_name != caller
    ):
        raise ValidationError(
            f"step_args must be what {call} returns under a PipelineSession", field="step_args"
        )


def _job_arguments(request: dict[str, Any], name_key: str) -> dict[str, Any]:
    """A Create*Job request as a step's arguments: no job name, no experiment config."""
    request = copy_request(request)
    trim_name(request, name_key)
    request.pop("ExperimentConfig", None)
    return request


class TrainingStep(ConfigurableRetryStep):
    """Runs a training job.

    Args:
        name: The step's name.
        step_args: ``estimator.fit(inputs)`` under a ``PipelineSession``.
        estimator: Or the :class:`~..estimator.Estimator` (SageMaker's older form).
        display_name: A name for views.
        description: A description.
        inputs: With ``estimator``: ``fit``'s ``inputs`` (locations, ``TrainingInput``
            objects, pipeline variables).
        cache_config: A :class:`CacheConfig`.
        depends_on: Steps to wait for, besides those the arguments refer to.
        retry_policies: Retry policies.

    Raises:
        ValidationError: Both or neither of ``step_args`` and ``estimator``, or step
            arguments of another call (``step_args``).
    """

    def __init__(
        self,
        name: str,
        step_args: JobStepArguments | None = None,
        estimator: Any = None,
        display_name: str | None = None,
        description: str | None = None,
        inputs: Any = None,
        cache_config: CacheConfig | None = None,
        depends_on: DependsOn | None = None,
        retry_policies: Sequence[RetryPolicy] | None = None,
    ) -> None:
        super().__init__(
            name, StepTypeEnum.TRAINING, display_name, description, depends_on, retry_policies
        )
        _one_of(step_args, estimator, "estimator", "train", "estimator.fit()")
        self.step_args = step_args
        self.estimator = estimator
        self.inputs = inputs
        self.cache_config = cache_config
        self._properties = Properties(name, shape_name="DescribeTrainingJobResponse", step=self)

    @property
    def arguments(self) -> dict[str, Any]:
        """The CreateTrainingJob request, without ``TrainingJobName`` and
        ``ExperimentConfig``; hyperparameters as strings (variables through
        ``to_string()``)."""
        step_args = self.step_args or captured(
            self.estimator, lambda: self.estimator.fit(self.inputs, wait=False), "estimator.fit"
        )
        assert isinstance(step_args, JobStepArguments)
        request = _job_arguments(step_args.args, "TrainingJobName")
        if "HyperParameters" in request:  # strings, as SageMaker's estimators send them
            request["HyperParameters"] = {
                k: v.to_string() if isinstance(v, PipelineVariable) else hyperparameter_text(v)
                for k, v in request["HyperParameters"].items()
            }
        return request

    @property
    def properties(self) -> Properties:
        """The ``DescribeTrainingJob`` answer (``ModelArtifacts.S3ModelArtifacts``,
        ``FinalMetricDataList``, ...)."""
        return self._properties


class ProcessingStep(ConfigurableRetryStep):
    """Runs a processing job.

    Args:
        name: The step's name.
        step_args: ``processor.run(...)`` under a ``PipelineSession``.
        processor: Or the :class:`~..processing.Processor` (SageMaker's older form).
        display_name: A name for views.
        description: A description.
        inputs: With ``processor``: ``ProcessingInput`` objects.
        outputs: With ``processor``: ``ProcessingOutput`` objects.
        job_arguments: With ``processor``: the program's arguments.
        code: With a ``ScriptProcessor``: the script.
        property_files: :class:`~.properties.PropertyFile` objects the job writes, for
            ``JsonGet``.
        cache_config: A :class:`CacheConfig`.
        depends_on: Steps to wait for, besides those the arguments refer to.
        retry_policies: Retry policies.
        kms_key: Accepted for SageMaker compatibility and not used.

    Raises:
        ValidationError: Both or neither of ``step_args`` and ``processor``, step
            arguments of another call (``step_args``), or a property file that is not a
            ``PropertyFile`` (``property_files``).
    """

    def __init__(
        self,
        name: str,
        step_args: JobStepArguments | None = None,
        processor: Any = None,
        display_name: str | None = None,
        description: str | None = None,
        inputs: Sequence[Any] | None = None,
        outputs: Sequence[Any] | None = None,
        job_arguments: Sequence[Any] | None = None,
        code: str | None = None,
        property_files: Sequence[PropertyFile] | None = None,
        cache_config: CacheConfig | None = None,
        depends_on: DependsOn | None = None,
        retry_policies: Sequence[RetryPolicy] | None = None,
        kms_key: str | None = None,
    ) -> None:
        super().__init__(
            name, StepTypeEnum.PROCESSING, display_name, description, depends_on, retry_policies
        )
        _one_of(step_args, processor, "processor", "process", "processor.run()")
        for item in property_files or ():
            if not isinstance(item, PropertyFile):
                raise ValidationError("property_files must be PropertyFile", field="property_files")
        self.step_args = step_args
        self.processor = processor
        self.inputs = inputs
        self.outputs = outputs
        self.job_arguments = job_arguments
        self.code = code
        self.property_files = list(property_files or ())
        self.kms_key = kms_key
        self.cache_config = cache_config
        self._properties = Properties(name, shape_name="DescribeProcessingJobResponse", step=self)

    def _run(self) -> Any:
        kwargs = {"inputs": self.inputs, "outputs": self.outputs, "arguments": self.job_arguments}
        if self.code is not None:
            return self.processor.run(self.code, wait=False, logs=False, **kwargs)
        return self.processor.run(wait=False, logs=False, **kwargs)

    @property
    def arguments(self) -> dict[str, Any]:
        """The CreateProcessingJob request, without ``ProcessingJobName`` and
        ``ExperimentConfig``."""
        step_args = self.step_args or captured(self.processor, self._run, "processor.run")
        assert isinstance(step_args, JobStepArguments)
        return _job_arguments(step_args.args, "ProcessingJobName")

    @property
    def properties(self) -> Properties:
        """The ``DescribeProcessingJob`` answer
        (``ProcessingOutputConfig.Outputs["name"].S3Output.S3Uri``, ...)."""
        return self._properties

    def to_request(self) -> dict[str, Any]:
        """As :meth:`ConfigurableRetryStep.to_request`, with ``PropertyFiles``."""
        request = super().to_request()
        if self.property_files:
            request["PropertyFiles"] = [f.expr for f in self.property_files]
        return request


class TransformInput:
    """What a ``TransformStep`` given a transformer transforms (``sagemaker.inputs.
    TransformInput``): the arguments of ``Transformer.transform``.

    Args:
        data: The input (a location or a pipeline variable).
        data_type: ``S3Prefix`` or ``ManifestFile``.
        content_type: The records' media type.
        compression_type: ``None`` or ``Gzip``.
        split_type: ``Line`` or ``None``.
        input_filter: A JSONPath ``InputFilter``.
        output_filter: A JSONPath ``OutputFilter``.
        join_source: ``Input`` or ``None``.
        model_client_config: ``InvocationsTimeoutInSeconds``, ``InvocationsMaxRetries``.
        batch_data_capture_config: Refused by the transformer when given.
    """

    def __init__(
        self,
        data: Any,
        data_type: str = "S3Prefix",
        content_type: str | None = None,
        compression_type: str | None = None,
        split_type: str | None = None,
        input_filter: str | None = None,
        output_filter: str | None = None,
        join_source: str | None = None,
        model_client_config: dict[str, Any] | None = None,
        batch_data_capture_config: Any = None,
    ) -> None:
        self.data = data
        self.data_type = data_type
        self.content_type = content_type
        self.compression_type = compression_type
        self.split_type = split_type
        self.input_filter = input_filter
        self.output_filter = output_filter
        self.join_source = join_source
        self.model_client_config = model_client_config
        self.batch_data_capture_config = batch_data_capture_config


class TransformStep(ConfigurableRetryStep):
    """Runs a batch transform job.

    Args:
        name: The step's name.
        step_args: ``transformer.transform(...)`` under a ``PipelineSession``.
        transformer: Or the :class:`~..transformer.Transformer` (SageMaker's older form).
        inputs: With ``transformer``: a :class:`TransformInput`.
        display_name: A name for views.
        description: A description.
        cache_config: A :class:`CacheConfig`.
        depends_on: Steps to wait for, besides those the arguments refer to.
        retry_policies: Retry policies.

    Raises:
        ValidationError: Both or neither of ``step_args`` and ``transformer``, or no
            ``inputs`` with ``transformer``.
    """

    def __init__(
        self,
        name: str,
        step_args: JobStepArguments | None = None,
        transformer: Any = None,
        inputs: TransformInput | None = None,
        display_name: str | None = None,
        description: str | None = None,
        cache_config: CacheConfig | None = None,
        depends_on: DependsOn | None = None,
        retry_policies: Sequence[RetryPolicy] | None = None,
    ) -> None:
        super().__init__(
            name, StepTypeEnum.TRANSFORM, display_name, description, depends_on, retry_policies
        )
        _one_of(step_args, transformer, "transformer", "transform", "transformer.transform()")
        if transformer is not None and not isinstance(inputs, TransformInput):
            raise ValidationError("give a TransformInput with a transformer", field="inputs")
        self.step_args = step_args
        self.transformer = transformer
        self.inputs = inputs
        self.cache_config = cache_config
        self._properties = Properties(name, shape_name="DescribeTransformJobResponse", step=self)

    def _transform(self) -> Any:
        given = self.inputs
        assert given is not None
        return self.transformer.transform(
            given.data,
            data_type=given.data_type,
            content_type=given.content_type,
            compression_type=given.compression_type,
            split_type=given.split_type,
            input_filter=given.input_filter,
            output_filter=given.output_filter,
            join_source=given.join_source,
            model_client_config=given.model_client_config,
            batch_data_capture_config=given.batch_data_capture_config,
            wait=False,
            logs=False,
        )

    @property
    def arguments(self) -> dict[str, Any]:
        """The CreateTransformJob request, without ``TransformJobName`` and
        ``ExperimentConfig``."""
        step_args = self.step_args or captured(
            self.transformer, self._transform, "transformer.transform"
        )
        assert isinstance(step_args, JobStepArguments)
        return _job_arguments(step_args.args, "TransformJobName")

    @property
    def properties(self) -> Properties:
        """The ``DescribeTransformJob`` answer (``TransformOutput.S3OutputPath``, ...)."""
        return self._properties


class TuningStep(ConfigurableRetryStep):
    """Runs a hyperparameter tuning job.

    Args:
        name: The step's name.
        step_args: A tuning job's step arguments (``tuner.fit()`` under a
            ``PipelineSession``, once the tuner supports it).
        tuner: The :class:`~..tuner.HyperparameterTuner`.
        display_name: A name for views.
        description: A description.
        inputs: The input channels of every training job, as for ``tuner.fit``.
        job_arguments: Accepted for SageMaker compatibility and not used.
        cache_config: A :class:`CacheConfig`.
        depends_on: Steps to wait for, besides those the arguments refer to.
        retry_policies: Retry policies.

    Raises:
        ValidationError: Both or neither of ``step_args`` and ``tuner``.
    """

    def __init__(
        self,
        name: str,
        step_args: JobStepArguments | None = None,
        tuner: Any = None,
        display_name: str | None = None,
        description: str | None = None,
        inputs: Any = None,
        job_arguments: Sequence[str] | None = None,
        cache_config: CacheConfig | None = None,
        depends_on: DependsOn | None = None,
        retry_policies: Sequence[RetryPolicy] | None = None,
    ) -> None:
        super().__init__(
            name, StepTypeEnum.TUNING, display_name, description, depends_on, retry_policies
        )
        _one_of(step_args, tuner, "tuner", "create_tuning_job", "tuner.fit()")
        self.step_args = step_args
        self.tuner = tuner
        self.inputs = inputs
        self.job_arguments = job_arguments
        self.cache_config = cache_config
        self._properties = Properties(
            name,
            shape_names=[
                "DescribeHyperParameterTuningJobResponse",
                "ListTrainingJobsForHyperParameterTuningJobResponse",
            ],
            step=self,
        )

    @property
    def arguments(self) -> dict[str, Any]:
        """The CreateHyperParameterTuningJob request (the one ``tuner.fit`` sends), without
        ``HyperParameterTuningJobName``."""
        if self.step_args is not None:
            request = self.step_args.args
        else:
            self.tuner._validate()
            name = self.tuner._prepare_job_name(None)
            request = self.tuner._request(self.inputs, name, False)
        return _job_arguments(request, "HyperParameterTuningJobName")

    @property
    def properties(self) -> Properties:
        """The ``DescribeHyperParameterTuningJob`` answer and the tuning job's
        ``TrainingJobSummaries`` (best first)."""
        return self._properties

    def get_top_model_s3_uri(self, top_k: int, s3_bucket: str, prefix: str = "") -> Join:
        """The model of one of the best training jobs, as SageMaker lays them out.

        Args:
            top_k: 0 for the best job, 1 for the next, ... (at most 49).
            s3_bucket: The bucket of the training jobs' output.
            prefix: The output's key prefix in the bucket.

        Returns:
            ``Join`` of ``s3://<bucket>/<prefix>/<training job name>/output/model.tar.gz``.
        """
        values: list[Any] = ["s3:/", s3_bucket]
        if prefix:
            values.append(prefix)
        summaries: Any = self.properties.TrainingJobSummaries
        job = summaries[top_k].TrainingJobName
        return Join(on="/", values=[*values, job, "output/model.tar.gz"])


class CreateModelInput:
    """What a ``CreateModelStep`` given a model passes to ``Model.create``.

    Args:
        instance_type: Accepted for SageMaker compatibility and not used.
        accelerator_type: Accepted for SageMaker compatibility and not used.
    """

    def __init__(self, instance_type: str | None = None, accelerator_type: str | None = None):
        self.instance_type = instance_type
        self.accelerator_type = accelerator_type


class CreateModelStep(ConfigurableRetryStep):
    """Creates a model (SageMaker's older form: prefer ``ModelStep``).

    Args:
        name: The step's name.
        step_args: ``model.create()`` under a ``PipelineSession``, or a CreateModel
            request.
        model: Or the :class:`~..model.Model`.
        inputs: A :class:`CreateModelInput`.
        depends_on: Steps to wait for, besides those the arguments refer to.
        retry_policies: Retry policies.
        display_name: A name for views.
        description: A description.

    Raises:
        ValidationError: Both or neither of ``step_args`` and ``model``.
    """

    def __init__(
        self,
        name: str,
        step_args: ModelStepArguments | dict[str, Any] | None = None,
        model: Any = None,
        inputs: CreateModelInput | None = None,
        depends_on: DependsOn | None = None,
        retry_policies: Sequence[RetryPolicy] | None = None,
        display_name: str | None = None,
        description: str | None = None,
    ) -> None:
        super().__init__(
            name, StepTypeEnum.CREATE_MODEL, display_name, description, depends_on, retry_policies
        )
        if (step_args is None) == (model is None):
            raise ValidationError("give step_args or model, not both", field="step_args")
        self.step_args = step_args
        self.model = model
        self.inputs = inputs or CreateModelInput()
        self._properties = Properties(name, shape_name="DescribeModelOutput", step=self)

    @property
    def arguments(self) -> dict[str, Any]:
        """The CreateModel request, without ``ModelName``."""
        step_args: Any = self.step_args
        if step_args is None:
            step_args = captured(self.model, self.model.create, "model.create")
        if isinstance(step_args, ModelStepArguments):
            request = step_args.create_model_request
            if request is None:
                raise ValidationError("step_args are not model.create()'s", field="step_args")
        else:
            request = step_args
        request = copy_request(request)
        return trim_name(request, "ModelName")

    @property
    def properties(self) -> Properties:
        """The ``DescribeModel`` answer (``ModelName``, ...)."""
        return self._properties


class RegisterModelStep(ConfigurableRetryStep):
    """Registers a model version (the definition's ``RegisterModel`` step).

    Args:
        name: The step's name.
        step_args: The CreateModelPackage request (or ``model.register()``'s arguments).
        display_name: A name for views.
        description: A description.
        depends_on: Steps to wait for, besides those the arguments refer to.
        retry_policies: Retry policies.
    """

    def __init__(
        self,
        name: str,
        step_args: dict[str, Any] | ModelStepArguments,
        display_name: str | None = None,
        description: str | None = None,
        depends_on: DependsOn | None = None,
        retry_policies: Sequence[RetryPolicy] | None = None,
    ) -> None:
        super().__init__(
            name, StepTypeEnum.REGISTER_MODEL, display_name, description, depends_on, retry_policies
        )
        if isinstance(step_args, ModelStepArguments):
            request = step_args.create_model_package_request
            if request is None:
                raise ValidationError("step_args are not model.register()'s", field="step_args")
            step_args = request
        self.step_args = step_args
        self._properties = Properties(name, shape_name="DescribeModelPackageOutput", step=self)

    @property
    def arguments(self) -> dict[str, Any]:
        """The CreateModelPackage request, without ``CertifyForMarketplace`` (an execution
        sets it) and the package's name."""
        request = copy_request(self.step_args)
        request.pop("CertifyForMarketplace", None)
        return trim_name(request, "ModelPackageName")

    @property
    def properties(self) -> Properties:
        """The ``DescribeModelPackage`` answer (``ModelPackageArn``, ...)."""
        return self._properties
