"""Request shapes of job creation, in SageMaker's field names (CreateTrainingJob).

The same models serve the REST handler (they document the request in the OpenAPI
document) and the service, which also accepts a plain mapping (the SDK's direct backend).
Shape errors become ``ValidationError`` with the dotted field path
(``InputDataConfig[0].DataSource.S3DataSource.S3Uri``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import pydantic
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import ErrorDetails

from ...exceptions import ValidationError

DEFAULT_MAX_RUNTIME_S = 86400
#: Most tags a resource takes in one request (SageMaker's TagList holds at most 50).
MAX_TAGS = 50


class RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class S3DataSourceSpec(RequestModel):
    S3Uri: str = Field(description="s3://bucket/prefix, file:///path or a local path")
    S3DataType: str = "S3Prefix"
    S3DataDistributionType: str = "FullyReplicated"


class DataSourceSpec(RequestModel):
    S3DataSource: S3DataSourceSpec


class TrainingChannel(RequestModel):
    ChannelName: str
    DataSource: DataSourceSpec
    ContentType: str | None = None
    CompressionType: str | None = None
    RecordWrapperType: str | None = None
    InputMode: str | None = None


class MetricDefinition(RequestModel):
    Name: str
    Regex: str


class AlgorithmSpecificationSpec(RequestModel):
    TrainingImage: str | None = None
    TrainingInputMode: str = "File"
    MetricDefinitions: list[MetricDefinition] = Field(default_factory=list)
    ContainerEntrypoint: list[str] | None = None
    ContainerArguments: list[str] | None = None
    EnableSageMakerMetricsTimeSeries: bool | None = None


class OutputDataConfigSpec(RequestModel):
    S3OutputPath: str | None = None
    KmsKeyId: str | None = None


class ResourceConfigSpec(RequestModel):
    InstanceType: str = "local"
    InstanceCount: int = Field(1, ge=1)
    VolumeSizeInGB: int | None = None


class StoppingConditionSpec(RequestModel):
    MaxRuntimeInSeconds: int = Field(DEFAULT_MAX_RUNTIME_S, ge=1)
    MaxWaitTimeInSeconds: int | None = None


class CheckpointConfigSpec(RequestModel):
    S3Uri: str
    LocalPath: str | None = None


class ExperimentConfigSpec(RequestModel):
    ExperimentName: str | None = None
    TrialName: str | None = None
    TrialComponentDisplayName: str | None = None
    RunName: str | None = None


class ScriptModeSpec(RequestModel):
    """The studio's script mode: ``EntryPoint`` (a file, relative to ``SourceDir`` when
    given) runs under the training contract; ``SourceDir`` and ``Dependencies`` are
    copied into the job's code folder."""

    EntryPoint: str
    SourceDir: str | None = None
    Dependencies: list[str] = Field(default_factory=list)


RuleParameter = str | int | float | bool


class CollectionConfigurationSpec(RequestModel):
    """A tensor collection the Debugger hook saves (``CollectionParameters`` as
    SageMaker's: strings such as ``{"save_interval": "10"}``)."""

    CollectionName: str
    CollectionParameters: dict[str, RuleParameter] = Field(default_factory=dict)


class DebugHookConfigSpec(RequestModel):
    """Where the job's Debugger hook saves tensors (``LocalPath``, below ``/opt/ml``) and
    where they are published (``S3OutputPath``/``<job>/debug-output``)."""

    LocalPath: str | None = None
    S3OutputPath: str | None = None
    HookParameters: dict[str, RuleParameter] = Field(default_factory=dict)
    CollectionConfigurations: list[CollectionConfigurationSpec] = Field(default_factory=list)


class RuleConfigurationSpec(RequestModel):
    """A built-in rule that watches the job: ``RuleParameters.rule_to_invoke`` (or the
    configuration's name) names it; ``RuleEvaluatorImage`` is accepted and not used (the
    studio runs its own evaluator)."""

    RuleConfigurationName: str
    LocalPath: str | None = None
    S3OutputPath: str | None = None
    RuleEvaluatorImage: str | None = None
    InstanceType: str | None = None
    VolumeSizeInGB: int | None = None
    RuleParameters: dict[str, RuleParameter] = Field(default_factory=dict)


class ProfilerConfigSpec(RequestModel):
    """System monitoring of every host: ``ProfilingIntervalInMilliseconds`` (100, 200,
    500, 1000, 5000 or 60000; default 500), off with ``DisableProfiler``."""

    S3OutputPath: str | None = None
    ProfilingIntervalInMilliseconds: int | None = None
    ProfilingParameters: dict[str, str] = Field(default_factory=dict)
    DisableProfiler: bool = False


class JobTag(RequestModel):
    Key: str
    Value: str = ""


class CreateTrainingJobRequest(RequestModel):
    TrainingJobName: str
    AlgorithmSpecification: AlgorithmSpecificationSpec = Field(
        default_factory=lambda: AlgorithmSpecificationSpec()
    )
    HyperParameters: dict[str, str | int | float | bool] = Field(default_factory=dict)
    InputDataConfig: list[TrainingChannel] = Field(default_factory=list)
    OutputDataConfig: OutputDataConfigSpec | None = None
    ResourceConfig: ResourceConfigSpec = Field(default_factory=lambda: ResourceConfigSpec())
    StoppingCondition: StoppingConditionSpec = Field(
        default_factory=lambda: StoppingConditionSpec()
    )
    Environment: dict[str, str] = Field(default_factory=dict)
    CheckpointConfig: CheckpointConfigSpec | None = None
    ExperimentConfig: ExperimentConfigSpec | None = None
    ScriptMode: ScriptModeSpec | None = None
    DebugHookConfig: DebugHookConfigSpec | None = None
    DebugRuleConfigurations: list[RuleConfigurationSpec] = Field(default_factory=list)
    ProfilerConfig: ProfilerConfigSpec | None = None
    ProfilerRuleConfigurations: list[RuleConfigurationSpec] = Field(default_factory=list)
    RoleArn: str | None = None
    Tags: list[JobTag] = Field(default_factory=list, max_length=MAX_TAGS)


class JobLogs(RequestModel):
    """One read of a job's log: the text from ``Offset`` on and where to read next."""

    Text: str
    NextOffset: int
    Complete: bool = Field(description="the job is terminal and everything was read")


M = TypeVar("M", bound=BaseModel)


def parse_request(model: type[M], body: M | Mapping[str, Any]) -> M:
    """``body`` as ``model``; a shape error names the field (dotted path)."""
    if isinstance(body, model):
        return body
    if not isinstance(body, Mapping):
        raise ValidationError("the request must be an object", field="body")
    try:
        return model.model_validate(dict(body))
    except pydantic.ValidationError as exc:
        first = first_error(exc, field_path)
        field = field_path(first.get("loc", ()))
        message = "unknown field" if first.get("type") == "extra_forbidden" else first["msg"]
        raise ValidationError(f"{field}: {message}", field=field or None) from None


def first_error(exc: pydantic.ValidationError, path: Callable[[Any], str]) -> ErrorDetails:
    """The error to report: the first one, except that for a union field (``Tags``: a
    list or a mapping) the branch whose type matched says why, not the others' "should
    be a valid list"."""
    errors = exc.errors()
    field = path(errors[0].get("loc", ()))
    return next(
        (
            e
            for e in errors
            if path(e.get("loc", ())) == field and not e.get("type", "").endswith("_type")
        ),
        errors[0],
    )


def field_path(loc: Any) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item}]"] if parts else [f"[{item}]"]
        elif isinstance(item, str) and ("[" in item or item in ("str", "int", "float", "bool")):
            continue  # pydantic's union branch labels
        else:
            parts.append(str(item))
    return ".".join(parts)


# -- processing jobs (CreateProcessingJob) --------------------------------------------------
class ProcessingS3InputSpec(RequestModel):
    S3Uri: str = Field(description="s3://bucket/prefix, file:///path or a local path")
    LocalPath: str = Field(description="where the job sees it, under /opt/ml/processing")
    S3DataType: str = "S3Prefix"
    S3InputMode: str = "File"
    S3DataDistributionType: str = "FullyReplicated"
    S3CompressionType: str | None = None


class ProcessingInputSpec(RequestModel):
    InputName: str
    S3Input: ProcessingS3InputSpec
    AppManaged: bool | None = None


class ProcessingS3OutputSpec(RequestModel):
    S3Uri: str | None = Field(
        None, description="where the folder goes; none: the artifact store, jobs/<job>/output/"
    )
    LocalPath: str
    S3UploadMode: str = "EndOfJob"


class ProcessingOutputSpec(RequestModel):
    OutputName: str
    S3Output: ProcessingS3OutputSpec
    AppManaged: bool | None = None


class ProcessingOutputConfigSpec(RequestModel):
    Outputs: list[ProcessingOutputSpec] = Field(default_factory=list)
    KmsKeyId: str | None = None


class AppSpecificationSpec(RequestModel):
    ImageUri: str | None = Field(
        None, description="an image (docker); none: the studio's script-mode image or Python"
    )
    ContainerEntrypoint: list[str] | None = None
    ContainerArguments: list[str] | None = None


class ClusterConfigSpec(RequestModel):
    InstanceCount: int = Field(1, ge=1)
    InstanceType: str = "local"
    VolumeSizeInGB: int | None = None


class ProcessingResourcesSpec(RequestModel):
    ClusterConfig: ClusterConfigSpec = Field(default_factory=lambda: ClusterConfigSpec())


class CreateProcessingJobRequest(RequestModel):
    ProcessingJobName: str
    AppSpecification: AppSpecificationSpec
    ProcessingInputs: list[ProcessingInputSpec] = Field(default_factory=list)
    ProcessingOutputConfig: ProcessingOutputConfigSpec | None = None
    ProcessingResources: ProcessingResourcesSpec = Field(
        default_factory=lambda: ProcessingResourcesSpec()
    )
    StoppingCondition: StoppingConditionSpec = Field(
        default_factory=lambda: StoppingConditionSpec()
    )
    Environment: dict[str, str] = Field(default_factory=dict)
    ExperimentConfig: ExperimentConfigSpec | None = None
    RoleArn: str | None = None
    Tags: list[JobTag] = Field(default_factory=list, max_length=MAX_TAGS)
