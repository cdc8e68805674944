"""CreateMonitoringSchedule's request, checked: every refusal names its member.

The studio keeps the configuration as SageMaker's ``MonitoringScheduleConfig`` with an
inline ``MonitoringJobDefinition``; a ``ModelQuality`` schedule's definition also carries
``ProblemType`` and ``GroundTruthS3Input`` (SageMaker keeps those in a separate
ModelQualityJobDefinition). Defaults are filled in here, once, so the scheduler reads a
complete definition.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ...entities.common import validate_name
from ...entities.monitoring import SCHEDULE_NAME_MAX
from ...exceptions import ValidationError
from ..jobs.analyzer import is_analyzer
from .cron import (
    DEFAULT_END_OFFSET,
    DEFAULT_START_OFFSET,
    Schedule,
    parse_offset,
    parse_schedule,
)

CONFIG = "MonitoringScheduleConfig"
SCHEDULE = f"{CONFIG}.ScheduleConfig"
DEFINITION = f"{CONFIG}.MonitoringJobDefinition"
ENDPOINT_FIELD = f"{DEFINITION}.MonitoringInputs[0].EndpointInput.EndpointName"
TYPES = ("DataQuality", "ModelQuality")
PROBLEM_TYPES = ("BinaryClassification", "MulticlassClassification", "Regression")


@dataclass(frozen=True)
class CheckedSchedule:
    """A request that passed: the name, endpoint, type and the complete configuration."""

    name: str
    endpoint_name: str
    monitoring_type: str
    config: dict[str, Any]
    tags: dict[str, str]


def _object(value: Any, field: str, *, required: bool = True) -> dict[str, Any]:
    if value is None and not required:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(f"{field} must be an object", field=field)
    return dict(value)


def _uri(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{field} must be a URI", field=field)
    return value.strip()


def check_request(
    body: Mapping[str, Any],
    default_output: str,
    resolve: Callable[[str, str], dict[str, Any]] | None = None,
) -> CheckedSchedule:
    """Check a CreateMonitoringSchedule request.

    Args:
        body: The request as SageMaker's API takes it.
        default_output: Where executions write when the request names no output.
        resolve: The inline definition of a named job definition of a type (for
            ``MonitoringJobDefinitionName``); None: names are refused.

    Returns:
        The schedule to record.

    Raises:
        ValidationError: A member missing or wrong, named by its dotted path.
    """
    name = validate_name(
        body.get("MonitoringScheduleName"),
        field="MonitoringScheduleName",
        max_length=SCHEDULE_NAME_MAX,
    )
    config = copy.deepcopy(_object(body.get(CONFIG), CONFIG))
    monitoring_type = config.get("MonitoringType") or "DataQuality"
    if monitoring_type not in TYPES:
        raise ValidationError(
            f"MonitoringType must be DataQuality or ModelQuality, not {monitoring_type!r}",
            field=f"{CONFIG}.MonitoringType",
        )
    config["MonitoringType"] = monitoring_type
    named = config.get("MonitoringJobDefinitionName")
    if named:
        if resolve is None or config.get("MonitoringJobDefinition"):
            raise ValidationError(
                "give either MonitoringJobDefinition or MonitoringJobDefinitionName",
                field=f"{CONFIG}.MonitoringJobDefinitionName",
            )
        config["MonitoringJobDefinition"] = resolve(str(named), monitoring_type)
    schedule_config = _object(config.get("ScheduleConfig"), SCHEDULE)
    schedule = parse_schedule(
        schedule_config.get("ScheduleExpression"), field=f"{SCHEDULE}.ScheduleExpression"
    )
    _check_analysis_times(schedule, schedule_config)
    definition = _object(config.get("MonitoringJobDefinition"), DEFINITION)
    endpoint_input = _check_inputs(definition)
    _check_app(definition)
    outputs = _object(
        definition.get("MonitoringOutputConfig"),
        f"{DEFINITION}.MonitoringOutputConfig",
        required=False,
    ).get("MonitoringOutputs") or [{"S3Output": {}}]
    first = _object(outputs[0], f"{DEFINITION}.MonitoringOutputConfig.MonitoringOutputs[0]")
    s3_output = _object(first.get("S3Output") or {}, "S3Output")
    s3_output["S3Uri"] = s3_output.get("S3Uri") or default_output
    _uri(
        s3_output["S3Uri"],
        f"{DEFINITION}.MonitoringOutputConfig.MonitoringOutputs[0].S3Output.S3Uri",
    )
    s3_output.setdefault("LocalPath", "/opt/ml/processing/output")
    s3_output.setdefault("S3UploadMode", "EndOfJob")
    definition["MonitoringOutputConfig"] = {"MonitoringOutputs": [{"S3Output": s3_output}]}
    baseline = _object(
        definition.get("BaselineConfig"), f"{DEFINITION}.BaselineConfig", required=False
    )
    for member in ("ConstraintsResource", "StatisticsResource"):
        if member in baseline:
            field = f"{DEFINITION}.BaselineConfig.{member}.S3Uri"
            _uri(_object(baseline[member], field).get("S3Uri"), field)
    resources = _object(
        definition.get("MonitoringResources"), f"{DEFINITION}.MonitoringResources", required=False
    )
    cluster = _object(resources.get("ClusterConfig") or {}, "ClusterConfig")
    cluster.setdefault("InstanceCount", 1)
    cluster.setdefault("InstanceType", "ml.m5.xlarge")
    cluster.setdefault("VolumeSizeInGB", 30)
    if cluster["InstanceCount"] != 1:
        raise ValidationError(
            "the analyzer runs on one instance",
            field=f"{DEFINITION}.MonitoringResources.ClusterConfig.InstanceCount",
        )
    definition["MonitoringResources"] = {"ClusterConfig": cluster}
    environment = _object(definition.get("Environment") or {}, f"{DEFINITION}.Environment")
    for key, value in environment.items():
        if not isinstance(value, str):
            raise ValidationError(
                f"{key} must be a string", field=f"{DEFINITION}.Environment.{key}"
            )
    if monitoring_type == "ModelQuality":
        _check_model_quality(definition)
    config["MonitoringJobDefinition"] = definition
    config["ScheduleConfig"] = schedule_config
    tags: dict[str, str] = {}
    for i, tag in enumerate(body.get("Tags") or []):
        if not isinstance(tag, Mapping) or not isinstance(tag.get("Key"), str):
            raise ValidationError("a tag is {Key, Value}", field=f"Tags[{i}]")
        tags[tag["Key"]] = str(tag.get("Value", ""))
    return CheckedSchedule(name, endpoint_input["EndpointName"], monitoring_type, config, tags)


def offsets(config: Mapping[str, Any]) -> tuple[timedelta, timedelta]:
    """The (start, end) offsets of a checked configuration's windows."""
    schedule_config = config["ScheduleConfig"]
    if schedule_config["ScheduleExpression"].strip() == "NOW":
        start = schedule_config["DataAnalysisStartTime"]
        end = schedule_config["DataAnalysisEndTime"]
    else:
        endpoint_input = config["MonitoringJobDefinition"]["MonitoringInputs"][0]["EndpointInput"]
        start = endpoint_input.get("StartTimeOffset") or DEFAULT_START_OFFSET
        end = endpoint_input.get("EndTimeOffset") or DEFAULT_END_OFFSET
    return parse_offset(start, field="start"), parse_offset(end, field="end")


def _check_analysis_times(schedule: Schedule, schedule_config: Mapping[str, Any]) -> None:
    given = [k for k in ("DataAnalysisStartTime", "DataAnalysisEndTime") if schedule_config.get(k)]
    if not schedule.once:
        if given:
            raise ValidationError(
                f"{given[0]} is for one-time schedules (ScheduleExpression NOW) only",
                field=f"{SCHEDULE}.{given[0]}",
            )
        return
    for key in ("DataAnalysisStartTime", "DataAnalysisEndTime"):
        if key not in given:
            raise ValidationError(
                f"a one-time schedule (NOW) needs {key}, e.g. -PT1H and -PT0H",
                field=f"{SCHEDULE}.{key}",
            )
    start = parse_offset(
        schedule_config["DataAnalysisStartTime"], field=f"{SCHEDULE}.DataAnalysisStartTime"
    )
    end = parse_offset(
        schedule_config["DataAnalysisEndTime"], field=f"{SCHEDULE}.DataAnalysisEndTime"
    )
    if start >= end:
        raise ValidationError(
            "DataAnalysisStartTime must come before DataAnalysisEndTime",
            field=f"{SCHEDULE}.DataAnalysisStartTime",
        )


def _check_inputs(definition: dict[str, Any]) -> dict[str, Any]:
    inputs = definition.get("MonitoringInputs")
    field = f"{DEFINITION}.MonitoringInputs"
    if not isinstance(inputs, list) or len(inputs) != 1:
        raise ValidationError("give one monitoring input (an EndpointInput)", field=field)
    item = _object(inputs[0], f"{field}[0]")
    if "BatchTransformInput" in item:
        raise ValidationError(
            "the studio monitors endpoints only, not batch transform output",
            field=f"{field}[0].BatchTransformInput",
        )
    endpoint_input = _object(item.get("EndpointInput"), f"{field}[0].EndpointInput")
    validate_name(endpoint_input.get("EndpointName"), field=ENDPOINT_FIELD, max_length=63)
    endpoint_input.setdefault("LocalPath", "/opt/ml/processing/input/endpoint")
    for member, default in (
        ("StartTimeOffset", DEFAULT_START_OFFSET),
        ("EndTimeOffset", DEFAULT_END_OFFSET),
    ):
        parse_offset(
            endpoint_input.get(member) or default, field=f"{field}[0].EndpointInput.{member}"
        )
    definition["MonitoringInputs"] = [{"EndpointInput": endpoint_input}]
    return endpoint_input


def _check_app(definition: dict[str, Any]) -> None:
    app = _object(
        definition.get("MonitoringAppSpecification"),
        f"{DEFINITION}.MonitoringAppSpecification",
        required=False,
    )
    image = app.get("ImageUri")
    if image and not is_analyzer(image):
        raise ValidationError(
            f"{image!r}: the studio runs its own analyzer; custom monitoring images are not"
            " supported",
            field=f"{DEFINITION}.MonitoringAppSpecification.ImageUri",
        )
    for member in ("RecordPreprocessorSourceUri", "PostAnalyticsProcessorSourceUri"):
        if app.get(member):
            raise ValidationError(
                f"{member} is not supported by the studio's analyzer",
                field=f"{DEFINITION}.MonitoringAppSpecification.{member}",
            )


def _check_model_quality(definition: dict[str, Any]) -> None:
    problem = definition.get("ProblemType")
    if problem not in PROBLEM_TYPES:
        raise ValidationError(
            f"ProblemType must be one of {', '.join(PROBLEM_TYPES)}",
            field=f"{DEFINITION}.ProblemType",
        )
    field = f"{DEFINITION}.GroundTruthS3Input.S3Uri"
    ground_truth = _object(definition.get("GroundTruthS3Input"), f"{DEFINITION}.GroundTruthS3Input")
    _uri(ground_truth.get("S3Uri"), field)
