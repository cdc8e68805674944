"""The CreateTransformJob request, in SageMaker's field names, and its checks.

The pydantic models document the REST body and check its shape (a shape error names the
dotted field); :func:`check_transform_request` checks what can be checked without the
store or a runtime (strategies, limits, filters, input and output locations) and resolves
the defaults into :class:`TransformSettings`. The service adds the checks that need the
store (the model) and the runtime (instance type, image).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from ....artifacts import transfer
from ....entities import validate_name
from ....entities.common import JOB_NAME_MAX
from ....exceptions import ValidationError
from ..requests import MAX_TAGS, ExperimentConfigSpec, JobTag
from .records import (
    LINE,
    MULTI_RECORD,
    NONE,
    SINGLE_RECORD,
    JsonPath,
    parse_json_path,
    parse_manifest,
    record_format,
)

MAX_INSTANCES = 16
MAX_PAYLOAD_MB = 100
DEFAULT_PAYLOAD_MB = 6
MAX_CONCURRENT_TRANSFORMS = 64
DEFAULT_TIMEOUT_S = 600
MAX_TIMEOUT_S = 3600
DEFAULT_RETRIES = 3
S3_PREFIX = "S3Prefix"
MANIFEST_FILE = "ManifestFile"
GZIP = "Gzip"

_INPUT_URI = "TransformInput.DataSource.S3DataSource.S3Uri"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TransformS3DataSourceSpec(_Model):
    S3DataType: str = Field(S3_PREFIX, description="S3Prefix or ManifestFile")
    S3Uri: str = Field(
        description="a file or folder: s3://bucket/prefix, file:///path or a local path"
    )


class TransformDataSourceSpec(_Model):
    S3DataSource: TransformS3DataSourceSpec


class TransformInputSpec(_Model):
    DataSource: TransformDataSourceSpec
    ContentType: str | None = Field(None, description="sent as each request's Content-Type")
    CompressionType: str = Field(NONE, description="None or Gzip (input files are gunzipped)")
    SplitType: str = Field(NONE, description="None (a file is one record) or Line")


class TransformOutputSpec(_Model):
    S3OutputPath: str | None = Field(
        None,
        description="where <input file>.out is written: s3://, file:// or a local folder;"
        " default: the artifact store under jobs/<job>/output",
    )
    Accept: str | None = Field(None, description="sent as each request's Accept")
    AssembleWith: str = Field(NONE, description="None (answers concatenated) or Line")
    KmsKeyId: str | None = Field(None, description="accepted and ignored (local)")


class TransformResourcesSpec(_Model):
    InstanceType: str = "local"
    InstanceCount: int = 1
    VolumeKmsKeyId: str | None = Field(None, description="accepted and ignored (local)")


class DataProcessingSpec(_Model):
    InputFilter: str | None = Field(None, description="JSONPath: $, $[1:], $.features, ...")
    OutputFilter: str | None = Field(
        None, description="JSONPath on the (joined) output: $, $[0,-1], $['id','SageMakerOutput']"
    )
    JoinSource: str = Field(NONE, description="None or Input")


class ModelClientConfigSpec(_Model):
    InvocationsTimeoutInSeconds: int = DEFAULT_TIMEOUT_S
    InvocationsMaxRetries: int = DEFAULT_RETRIES


class CreateTransformJobRequest(_Model):
    TransformJobName: str
    ModelName: str
    TransformInput: TransformInputSpec
    TransformOutput: TransformOutputSpec = Field(default_factory=lambda: TransformOutputSpec())
    TransformResources: TransformResourcesSpec = Field(
        default_factory=lambda: TransformResourcesSpec()
    )
    MaxConcurrentTransforms: int | None = Field(
        None,
        description="parallel requests per instance; default: what the model server's"
        " /execution-parameters says, else 1",
    )
    MaxPayloadInMB: int | None = Field(
        None, description="1-100; default: the model server's, else 6"
    )
    BatchStrategy: str | None = Field(
        None,
        description="SingleRecord or MultiRecord; default: the model server's, else SingleRecord",
    )
    Environment: dict[str, str] = Field(default_factory=dict)
    DataProcessing: DataProcessingSpec | None = None
    ModelClientConfig: ModelClientConfigSpec | None = None
    ExperimentConfig: ExperimentConfigSpec | None = None
    Tags: (
        Annotated[list[JobTag], Field(max_length=MAX_TAGS)]
        | Annotated[dict[str, str], Field(max_length=MAX_TAGS)]
        | None
    ) = None


@dataclass(frozen=True)
class TransformSettings:
    """A checked request with its defaults resolved (those the model server can tell —
    concurrency, payload, strategy — stay None until it is asked)."""

    request: CreateTransformJobRequest
    job_name: str
    data_type: str
    input_uri: str
    content_type: str | None
    gzip: bool
    split_type: str
    output_uri: str | None
    accept: str | None
    assemble_with: str
    instance_type: str
    instance_count: int
    max_concurrent: int | None
    max_payload_mb: int | None
    strategy: str | None
    input_filter: JsonPath
    output_filter: JsonPath
    join: bool
    timeout_s: float
    max_retries: int
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def input_format(self) -> str:
        return record_format(self.content_type)

    @property
    def per_record(self) -> bool:
        """Answers are split into one output record per input record (join or filter)."""
        return self.join or not self.output_filter.is_root


def _one_of(value: str | None, allowed: tuple[str, ...], field: str) -> str:
    if value not in allowed:
        raise ValidationError(
            f"{field} {value!r} is not supported: use {' or '.join(allowed)}", field=field
        )
    return value


def _between(value: int | None, low: int, high: int, field: str, unit: str = "") -> None:
    if value is not None and not low <= value <= high:
        raise ValidationError(f"{field} must be between {low} and {high}{unit}", field=field)


def check_transform_request(req: CreateTransformJobRequest) -> TransformSettings:
    """Everything about the request that needs neither the store nor a runtime."""
    name = validate_name(req.TransformJobName, field="TransformJobName", max_length=JOB_NAME_MAX)
    if not req.ModelName:
        raise ValidationError("ModelName is required", field="ModelName")
    source = req.TransformInput.DataSource.S3DataSource
    data_type = _one_of(
        source.S3DataType,
        (S3_PREFIX, MANIFEST_FILE),
        "TransformInput.DataSource.S3DataSource.S3DataType",
    )
    _check_input(source.S3Uri, data_type)
    transform_input = req.TransformInput
    compression = _one_of(
        transform_input.CompressionType, (NONE, GZIP), "TransformInput.CompressionType"
    )
    split_type = _one_of(transform_input.SplitType, (NONE, LINE), "TransformInput.SplitType")
    output = req.TransformOutput
    if output.S3OutputPath is not None:
        transfer.check_destination(output.S3OutputPath, field="TransformOutput.S3OutputPath")
    assemble_with = _one_of(output.AssembleWith, (NONE, LINE), "TransformOutput.AssembleWith")
    resources = req.TransformResources
    _between(resources.InstanceCount, 1, MAX_INSTANCES, "TransformResources.InstanceCount")
    strategy = None
    if req.BatchStrategy is not None:
        strategy = _one_of(req.BatchStrategy, (SINGLE_RECORD, MULTI_RECORD), "BatchStrategy")
    if req.MaxPayloadInMB == 0:
        raise ValidationError(
            "MaxPayloadInMB 0 (streaming without a limit) is not supported: give 1 to"
            f" {MAX_PAYLOAD_MB}",
            field="MaxPayloadInMB",
        )
    _between(req.MaxPayloadInMB, 1, MAX_PAYLOAD_MB, "MaxPayloadInMB", " (MB)")
    concurrent = req.MaxConcurrentTransforms or None  # 0: the default, as on SageMaker
    _between(concurrent, 1, MAX_CONCURRENT_TRANSFORMS, "MaxConcurrentTransforms")
    client = req.ModelClientConfig or ModelClientConfigSpec()
    _between(
        client.InvocationsTimeoutInSeconds,
        1,
        MAX_TIMEOUT_S,
        "ModelClientConfig.InvocationsTimeoutInSeconds",
    )
    _between(client.InvocationsMaxRetries, 0, 3, "ModelClientConfig.InvocationsMaxRetries")
    processing = req.DataProcessing or DataProcessingSpec()
    join = _one_of(processing.JoinSource, ("Input", NONE), "DataProcessing.JoinSource") == "Input"
    input_filter = parse_json_path(processing.InputFilter, field="DataProcessing.InputFilter")
    output_filter = parse_json_path(processing.OutputFilter, field="DataProcessing.OutputFilter")
    settings = TransformSettings(
        request=req,
        job_name=name,
        data_type=data_type,
        input_uri=source.S3Uri,
        content_type=transform_input.ContentType,
        gzip=compression == GZIP,
        split_type=split_type,
        output_uri=output.S3OutputPath,
        accept=output.Accept,
        assemble_with=assemble_with,
        instance_type=resources.InstanceType,
        instance_count=resources.InstanceCount,
        max_concurrent=concurrent,
        max_payload_mb=req.MaxPayloadInMB,
        strategy=strategy,
        input_filter=input_filter,
        output_filter=output_filter,
        join=join,
        timeout_s=float(client.InvocationsTimeoutInSeconds),
        max_retries=client.InvocationsMaxRetries,
        environment=dict(req.Environment),
    )
    _check_processing(settings)
    return settings


def _check_input(uri: str, data_type: str) -> None:
    """A local input must exist: a file, or a folder with a file (a manifest: a readable
    manifest file). S3 inputs are listed when the job downloads them."""
    transfer.check_source(uri, field=_INPUT_URI)
    if transfer.is_s3(uri):
        return
    path = transfer.local_path(uri, field=_INPUT_URI)
    if data_type == MANIFEST_FILE:
        if not path.is_file():
            raise ValidationError(f"{_INPUT_URI}: {path} is not a manifest file", field=_INPUT_URI)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ValidationError(f"{_INPUT_URI}: {exc}", field=_INPUT_URI) from None
        parse_manifest(data, field=_INPUT_URI)
        return
    if path.is_dir() and not any(True for _ in local_input_files(path)):
        raise ValidationError(f"{_INPUT_URI}: the folder {path} has no files", field=_INPUT_URI)


def local_input_files(folder: Path) -> list[tuple[str, Path]]:
    """The files below ``folder`` (hidden files and folders skipped), sorted, with their
    paths relative to it."""
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        found.append((relative.as_posix(), path))
    return found


def _check_processing(settings: TransformSettings) -> None:
    """Filters and join need records the studio can read (CSV or JSON)."""
    uses = settings.join or not (settings.input_filter.is_root and settings.output_filter.is_root)
    if not uses:
        return
    fmt = settings.input_format
    if fmt == "bytes":
        raise ValidationError(
            "DataProcessing (filters, JoinSource Input) needs TransformInput.ContentType"
            f" text/csv, application/json or application/jsonlines (got {settings.content_type!r})",
            field="DataProcessing",
        )
    if fmt == "csv" and settings.input_filter.uses_names:
        raise ValidationError(
            "a CSV row is an array of its fields: select columns with indexes such as $[1:]",
            field="DataProcessing.InputFilter",
        )
    if fmt == "csv" and settings.join and settings.output_filter.uses_names:
        raise ValidationError(
            "a joined CSV row is an array (the input's fields, then the answer's): select"
            " columns with indexes such as $[0,-1]",
            field="DataProcessing.OutputFilter",
        )


def tags_of(tags: Any) -> dict[str, str]:
    if tags is None:
        return {}
    if isinstance(tags, dict):
        return dict(tags)
    return {t.Key: t.Value for t in tags}
