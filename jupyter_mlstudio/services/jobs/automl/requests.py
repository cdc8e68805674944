"""The CreateAutoMLJob request, in SageMaker's field names, and its checks.

What can be checked before the data is read is checked here (names, one input channel or a
training and a validation one, an objective that exists, the fractions and limits); what
needs the table (the target column, a problem type the target can be, an objective of that
problem type) is checked when the job analyses it, and ends the job Failed with a
FailureReason naming the field.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from ....entities.common import validate_name
from ....exceptions import ValidationError
from ..requests import MAX_TAGS, JobTag, RequestModel, S3DataSourceSpec

#: SageMaker's limit on AutoML job names (candidates add ``-NNN-xxxxxxxx``)
AUTOML_NAME_MAX = 32
NAME_FIELD = "AutoMLJobName"
#: candidates when the request gives no MaxCandidates (SageMaker's 250 would keep a
#: workstation busy for hours; DescribeAutoMLJob's ResolvedAttributes shows the value used)
DEFAULT_MAX_CANDIDATES = 20
MAX_CANDIDATES = 750
#: SageMaker's Mode: AUTO picks ENSEMBLING for tables under 100 MB
ENSEMBLING = "ENSEMBLING"
HYPERPARAMETER_TUNING = "HYPERPARAMETER_TUNING"
AUTO = "AUTO"
AUTO_ENSEMBLING_BYTES = 100 * 1024 * 1024

ProblemTypeName = Literal["BinaryClassification", "MulticlassClassification", "Regression"]
OBJECTIVE_NAMES = (
    "Accuracy",
    "BalancedAccuracy",
    "F1",
    "F1macro",
    "AUC",
    "Precision",
    "PrecisionMacro",
    "Recall",
    "RecallMacro",
    "MSE",
    "RMSE",
    "MAE",
    "R2",
)


_CLASSES = ("BinaryClassification", "MulticlassClassification")
#: the problem types each objective measures
OBJECTIVE_PROBLEMS: dict[str, tuple[str, ...]] = {
    "Accuracy": _CLASSES,
    "BalancedAccuracy": _CLASSES,
    "F1": ("BinaryClassification",),
    "F1macro": ("MulticlassClassification",),
    "AUC": ("BinaryClassification",),
    "Precision": ("BinaryClassification",),
    "PrecisionMacro": ("MulticlassClassification",),
    "Recall": ("BinaryClassification",),
    "RecallMacro": ("MulticlassClassification",),
    "MSE": ("Regression",),
    "RMSE": ("Regression",),
    "MAE": ("Regression",),
    "R2": ("Regression",),
}


class AutoMLDataSource(RequestModel):
    S3DataSource: S3DataSourceSpec


class AutoMLChannel(RequestModel):
    DataSource: AutoMLDataSource
    TargetAttributeName: str = Field(min_length=1)
    CompressionType: Literal["None", "Gzip"] | None = None
    ContentType: str | None = None
    ChannelType: Literal["training", "validation"] | None = None
    SampleWeightAttributeName: str | None = None


class AutoMLOutputDataConfig(RequestModel):
    S3OutputPath: str | None = None
    KmsKeyId: str | None = None


class AutoMLJobObjectiveSpec(RequestModel):
    MetricName: str


class CompletionCriteriaSpec(RequestModel):
    MaxCandidates: int | None = Field(None, ge=1, le=MAX_CANDIDATES)
    MaxRuntimePerTrainingJobInSeconds: int | None = Field(None, ge=1)
    MaxAutoMLJobRuntimeInSeconds: int | None = Field(None, ge=1)


class DataSplitConfigSpec(RequestModel):
    ValidationFraction: float | None = Field(None, gt=0, lt=1)


class CandidateGenerationConfigSpec(RequestModel):
    FeatureSpecificationS3Uri: str | None = None
    AlgorithmsConfig: list[dict[str, Any]] | None = None


class SecurityConfigSpec(RequestModel):
    VolumeKmsKeyId: str | None = None
    EnableInterContainerTrafficEncryption: bool | None = None
    VpcConfig: dict[str, Any] | None = None


class AutoMLJobConfigSpec(RequestModel):
    CompletionCriteria: CompletionCriteriaSpec | None = None
    SecurityConfig: SecurityConfigSpec | None = None
    CandidateGenerationConfig: CandidateGenerationConfigSpec | None = None
    DataSplitConfig: DataSplitConfigSpec | None = None
    Mode: Literal["AUTO", "ENSEMBLING", "HYPERPARAMETER_TUNING"] | None = None


class ModelDeployConfigSpec(RequestModel):
    AutoGenerateEndpointName: bool | None = None
    EndpointName: str | None = None


class CreateAutoMLJobRequest(RequestModel):
    AutoMLJobName: str
    InputDataConfig: list[AutoMLChannel] = Field(min_length=1, max_length=2)
    OutputDataConfig: AutoMLOutputDataConfig = Field(
        default_factory=lambda: AutoMLOutputDataConfig()
    )
    ProblemType: ProblemTypeName | None = None
    AutoMLJobObjective: AutoMLJobObjectiveSpec | None = None
    AutoMLJobConfig: AutoMLJobConfigSpec | None = None
    RoleArn: str | None = None
    GenerateCandidateDefinitionsOnly: bool = False
    Tags: list[JobTag] = Field(default_factory=list, max_length=MAX_TAGS)
    ModelDeployConfig: ModelDeployConfigSpec | None = None


def check_automl_request(body: CreateAutoMLJobRequest) -> None:
    """What SageMaker refuses before anything runs; ValidationError names the field."""
    validate_name(body.AutoMLJobName, field=NAME_FIELD, max_length=AUTOML_NAME_MAX)
    channels = body.InputDataConfig
    if len(channels) == 2:
        kinds = sorted(c.ChannelType or "" for c in channels)
        if kinds != ["training", "validation"]:
            raise ValidationError(
                "two channels must be one of ChannelType training and one of validation",
                field="InputDataConfig",
            )
        if channels[0].TargetAttributeName != channels[1].TargetAttributeName:
            raise ValidationError(
                "the training and validation channels must name the same TargetAttributeName",
                field="InputDataConfig[1].TargetAttributeName",
            )
    for i, channel in enumerate(channels):
        source = channel.DataSource.S3DataSource
        if source.S3DataType not in ("S3Prefix", "ManifestFile", "AugmentedManifestFile"):
            raise ValidationError(
                f"S3DataType {source.S3DataType!r}: use S3Prefix",
                field=f"InputDataConfig[{i}].DataSource.S3DataSource.S3DataType",
            )
        if source.S3DataType != "S3Prefix":
            raise ValidationError(
                f"S3DataType {source.S3DataType} is not supported: use S3Prefix",
                field=f"InputDataConfig[{i}].DataSource.S3DataSource.S3DataType",
            )
        content = (channel.ContentType or "text/csv").split(";")[0].strip()
        if content not in ("text/csv", "text/csv;header=present"):
            raise ValidationError(
                f"ContentType {channel.ContentType!r}: the studio reads CSV (text/csv) tables",
                field=f"InputDataConfig[{i}].ContentType",
            )
    if body.AutoMLJobObjective is not None:
        name = body.AutoMLJobObjective.MetricName
        if name not in OBJECTIVE_NAMES:
            raise ValidationError(
                f"unknown objective {name!r}; one of {', '.join(OBJECTIVE_NAMES)}",
                field="AutoMLJobObjective.MetricName",
            )
    if body.ProblemType is not None and body.AutoMLJobObjective is not None:
        name = body.AutoMLJobObjective.MetricName
        if body.ProblemType not in OBJECTIVE_PROBLEMS.get(name, (body.ProblemType,)):
            fitting = [o for o, kinds in OBJECTIVE_PROBLEMS.items() if body.ProblemType in kinds]
            raise ValidationError(
                f"objective {name} does not measure a {body.ProblemType} problem; use one of"
                f" {', '.join(fitting)}",
                field="AutoMLJobObjective.MetricName",
            )
    if (body.ProblemType is None) != (body.AutoMLJobObjective is None):
        raise ValidationError(
            "give both ProblemType and AutoMLJobObjective, or neither (both are then inferred)",
            field="ProblemType" if body.ProblemType is None else "AutoMLJobObjective",
        )
    config = body.AutoMLJobConfig
    generation = config.CandidateGenerationConfig if config else None
    if generation and generation.FeatureSpecificationS3Uri:
        raise ValidationError(
            "FeatureSpecificationS3Uri is not supported: every column but the target is used",
            field="AutoMLJobConfig.CandidateGenerationConfig.FeatureSpecificationS3Uri",
        )
    fraction = (
        config.DataSplitConfig.ValidationFraction if config and config.DataSplitConfig else None
    )
    if fraction and len(channels) == 2:
        raise ValidationError(
            "ValidationFraction splits one channel; with a validation channel leave it out",
            field="AutoMLJobConfig.DataSplitConfig.ValidationFraction",
        )
    for i, channel in enumerate(channels):
        if channel.SampleWeightAttributeName:
            raise ValidationError(
                "sample weights are not supported",
                field=f"InputDataConfig[{i}].SampleWeightAttributeName",
            )


def completion(body: CreateAutoMLJobRequest) -> dict[str, int]:
    """CompletionCriteria with the studio's defaults filled in (ResolvedAttributes)."""
    given = body.AutoMLJobConfig.CompletionCriteria if body.AutoMLJobConfig else None
    out = {
        "MaxCandidates": DEFAULT_MAX_CANDIDATES,
        "MaxRuntimePerTrainingJobInSeconds": 86400,
        "MaxAutoMLJobRuntimeInSeconds": 2592000,
    }
    if given is not None:
        out.update(given.model_dump(exclude_none=True))
    return out


def request_fields(body: CreateAutoMLJobRequest) -> dict[str, Any]:
    """The request as stored (its JSON form, without defaults it did not give)."""
    return body.model_dump(mode="json", exclude_none=True)
