"""Request shapes of hosting, in SageMaker's field names (CreateModel, CreateEndpointConfig,
CreateEndpoint, UpdateEndpoint, UpdateEndpointWeightsAndCapacities).

Like :mod:`.job_requests`, the same models document the REST bodies and validate what the
service gets; shape errors name the dotted field.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..jobs.requests import MAX_TAGS

MAX_VARIANTS = 10
MAX_INSTANCES = 16
#: InferenceExecutionConfig.Mode of an inference pipeline (the only one the studio runs)
SERIAL = "Serial"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MultiModelConfigSpec(_Model):
    ModelCacheSetting: Literal["Enabled", "Disabled"] | None = Field(
        None,
        description="Enabled (the default): loaded models stay until evicted; Disabled: a"
        " model is unloaded after each invocation",
    )


class ContainerSpec(_Model):
    Image: str | None = Field(
        None, description="a local image (docker runtime); none = the studio's script-mode serving"
    )
    ModelDataUrl: str | None = Field(
        None, description="model.tar.gz: s3://, file:// or a local path"
    )
    Environment: dict[str, str] = Field(
        default_factory=dict,
        description="SAGEMAKER_PROGRAM (entry point) and SAGEMAKER_SUBMIT_DIRECTORY (a folder,"
        " a .tar.gz or its URI) name script-mode code",
    )
    Mode: str | None = Field(
        None,
        description="SingleModel (the default), or MultiModel: ModelDataUrl is then a prefix"
        " (ending in /) of model.tar.gz archives that invocations name by TargetModel",
    )
    MultiModelConfig: MultiModelConfigSpec | None = Field(
        None, description="with Mode MultiModel only"
    )
    ModelPackageName: str | None = Field(
        None,
        description="a registered version (its ARN, or <group>/<version>): its first"
        " container, with this Environment on top of the version's",
    )
    ContainerHostname: str | None = Field(
        None,
        pattern=r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$",
        description="the container's name in an inference pipeline (errors and the"
        " endpoint's description name it)",
    )


class InferenceExecutionConfigSpec(_Model):
    Mode: str = Field(
        SERIAL,
        description="Serial (the only mode): each container's answer is the next one's request",
    )


class TagSpec(_Model):
    Key: str
    Value: str


#: SageMaker's list of ``{Key, Value}`` or a mapping, at most ``MAX_TAGS`` of them.
TagsInput = (
    Annotated[list[TagSpec], Field(max_length=MAX_TAGS)]
    | Annotated[dict[str, str], Field(max_length=MAX_TAGS)]
)


class CreateModelRequest(_Model):
    ModelName: str
    PrimaryContainer: ContainerSpec | None = Field(
        None, description="the model's container (or Containers, not both)"
    )
    Containers: list[ContainerSpec] | None = Field(
        None,
        description="an inference pipeline: 1 to 15 containers served in order, each one's"
        " answer the next one's request",
    )
    InferenceExecutionConfig: InferenceExecutionConfigSpec | None = Field(
        None, description="with Containers: Mode Serial"
    )
    ExecutionRoleArn: str | None = Field(None, description="accepted and ignored (local)")
    Tags: TagsInput | None = None


class ProductionVariantSpec(_Model):
    VariantName: str
    ModelName: str
    InitialInstanceCount: int = 1
    InstanceType: str = "local"
    InitialVariantWeight: float = 1.0
    VolumeSizeInGB: int | None = Field(
        None, ge=1, le=512, description="recorded; instances use the machine's disk"
    )
    ModelDataDownloadTimeoutInSeconds: int | None = Field(
        None, ge=60, le=3600, description="recorded; the model is read from local storage"
    )
    ContainerStartupHealthCheckTimeoutInSeconds: int | None = Field(
        None, ge=60, le=3600, description="how long an instance may take to answer /ping"
    )


class CaptureOptionSpec(_Model):
    CaptureMode: str


class CaptureContentTypeHeaderSpec(_Model):
    CsvContentTypes: list[str] | None = None
    JsonContentTypes: list[str] | None = None


class DataCaptureConfigSpec(_Model):
    EnableCapture: bool = True
    InitialSamplingPercentage: float = 100
    DestinationS3Uri: str | None = Field(
        None, description="any artifact URI; default: <artifact root>/data-capture"
    )
    KmsKeyId: str | None = None
    CaptureOptions: list[CaptureOptionSpec] | None = None
    CaptureContentTypeHeader: CaptureContentTypeHeaderSpec | None = None


class CreateEndpointConfigRequest(_Model):
    EndpointConfigName: str
    ProductionVariants: list[ProductionVariantSpec]
    DataCaptureConfig: DataCaptureConfigSpec | None = None
    Tags: TagsInput | None = None
    KmsKeyId: str | None = None


class CreateEndpointRequest(_Model):
    EndpointName: str
    EndpointConfigName: str
    Tags: TagsInput | None = None


class UpdateEndpointRequest(_Model):
    EndpointConfigName: str
    RetainAllVariantProperties: bool | None = None


class DesiredWeightAndCapacity(_Model):
    VariantName: str
    DesiredWeight: float | None = None
    DesiredInstanceCount: int | None = None


class UpdateEndpointWeightsAndCapacitiesRequest(_Model):
    DesiredWeightsAndCapacities: list[DesiredWeightAndCapacity]


def tags_of(tags: Any) -> Any:
    """Tags as the store takes them (a list of Key/Value pairs or a mapping)."""
    if isinstance(tags, list):
        return [t.model_dump() if isinstance(t, BaseModel) else t for t in tags]
    return tags
