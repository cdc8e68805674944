"""Named job definitions (CreateDataQualityJobDefinition, CreateModelQualityJobDefinition)
as the inline ``MonitoringJobDefinition`` a schedule keeps.

SageMaker's SDK creates a definition, then a schedule that names it
(``MonitoringJobDefinitionName`` with ``MonitoringType``). The studio checks a definition
when it is created — as the schedule that will use it, with the definition's own member
names in a refusal — and copies it into the schedule when the schedule is created.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ...entities.common import validate_name
from ...entities.monitoring import SCHEDULE_NAME_MAX
from ...exceptions import ValidationError
from .schedules import DEFINITION, CheckedSchedule, check_request

#: each type's members, SageMaker's names: (baseline, app, input, output)
MEMBERS = {
    "DataQuality": (
        "DataQualityBaselineConfig",
        "DataQualityAppSpecification",
        "DataQualityJobInput",
        "DataQualityJobOutputConfig",
    ),
    "ModelQuality": (
        "ModelQualityBaselineConfig",
        "ModelQualityAppSpecification",
        "ModelQualityJobInput",
        "ModelQualityJobOutputConfig",
    ),
}
#: the app specification's members a schedule's MonitoringAppSpecification keeps
APP_MEMBERS = (
    "ImageUri",
    "ContainerEntrypoint",
    "ContainerArguments",
    "RecordPreprocessorSourceUri",
    "PostAnalyticsProcessorSourceUri",
)


def _renamed(monitoring_type: str) -> tuple[tuple[str, str], ...]:
    """(request member, inline member) pairs kept as they are, under another name."""
    baseline_member, _, _, output_member = MEMBERS[monitoring_type]
    return (
        (baseline_member, "BaselineConfig"),
        (output_member, "MonitoringOutputConfig"),
        ("JobResources", "MonitoringResources"),
        ("StoppingCondition", "StoppingCondition"),
        ("RoleArn", "RoleArn"),
    )


def inline(monitoring_type: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """A job definition request as a schedule's ``MonitoringJobDefinition``."""
    _, app_member, input_member, _ = MEMBERS[monitoring_type]
    app = dict(body.get(app_member) or {})
    job_input = dict(body.get(input_member) or {})
    definition: dict[str, Any] = {
        "MonitoringInputs": [
            {k: v for k, v in job_input.items() if k in ("EndpointInput", "BatchTransformInput")}
        ],
        "MonitoringAppSpecification": {k: app[k] for k in APP_MEMBERS if k in app},
        "Environment": dict(app.get("Environment") or {}),
    }
    for source, target in _renamed(monitoring_type):
        if body.get(source) is not None:
            definition[target] = body[source]
    if monitoring_type == "ModelQuality":
        definition["ProblemType"] = app.get("ProblemType")
        definition["GroundTruthS3Input"] = job_input.get("GroundTruthS3Input")
    return definition


def request_members(monitoring_type: str, definition: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of :func:`inline`: a kept definition in its request's members (what
    Describe*JobDefinition answers; a member the request left out is None).

    Args:
        monitoring_type: DataQuality or ModelQuality.
        definition: The inline form the studio keeps.

    Returns:
        The request's members, the name, ARN and time left to the caller.
    """
    _, app_member, input_member, _ = MEMBERS[monitoring_type]
    kept = copy.deepcopy(dict(definition))
    given = kept.get("MonitoringAppSpecification") or {}
    app = {k: given[k] for k in APP_MEMBERS if k in given}
    if kept.get("Environment"):
        app["Environment"] = kept["Environment"]
    job_input = dict((kept.get("MonitoringInputs") or [{}])[0])
    if monitoring_type == "ModelQuality":
        app["ProblemType"] = kept.get("ProblemType")
        job_input["GroundTruthS3Input"] = kept.get("GroundTruthS3Input")
    members: dict[str, Any] = {app_member: app, input_member: job_input}
    for source, target in _renamed(monitoring_type):
        members[source] = kept.get(target)
    return members


def _their_field(monitoring_type: str, field: str | None) -> str | None:
    """A schedule's member path as the definition request's."""
    if field is None:
        return None
    baseline_member, app_member, input_member, output_member = MEMBERS[monitoring_type]
    inner = field.removeprefix(f"{DEFINITION}.")
    for ours, theirs in (
        ("MonitoringInputs[0].", f"{input_member}."),
        ("MonitoringInputs", input_member),
        ("MonitoringAppSpecification", app_member),
        ("Environment", f"{app_member}.Environment"),
        ("BaselineConfig", baseline_member),
        ("MonitoringOutputConfig", output_member),
        ("MonitoringResources", "JobResources"),
        ("ProblemType", f"{app_member}.ProblemType"),
        ("GroundTruthS3Input", f"{input_member}.GroundTruthS3Input"),
    ):
        if inner.startswith(ours):
            return theirs + inner[len(ours) :]
    return inner


def check_definition(
    monitoring_type: str, body: Mapping[str, Any], default_output: str
) -> tuple[str, dict[str, Any]]:
    """Check a job definition request.

    Args:
        monitoring_type: DataQuality or ModelQuality.
        body: CreateDataQualityJobDefinition's (or ModelQuality's) request.
        default_output: Where executions write when the definition names no output.

    Returns:
        The definition's name and its inline form.

    Raises:
        ValidationError: A member missing or wrong, named as in the request.
    """
    name = validate_name(
        body.get("JobDefinitionName"), field="JobDefinitionName", max_length=SCHEDULE_NAME_MAX
    )
    try:
        check_schedule(monitoring_type, inline(monitoring_type, body), default_output)
    except ValidationError as exc:
        raise ValidationError(exc.message, field=_their_field(monitoring_type, exc.field)) from None
    return name, inline(monitoring_type, body)


def check_schedule(
    monitoring_type: str, definition: Mapping[str, Any], default_output: str
) -> CheckedSchedule:
    """An inline definition checked as an hourly schedule's."""
    return check_request(
        {
            "MonitoringScheduleName": "definition",
            "MonitoringScheduleConfig": {
                "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
                "MonitoringJobDefinition": dict(definition),
                "MonitoringType": monitoring_type,
            },
        },
        default_output,
    )


def definition_endpoint(definition: Mapping[str, Any]) -> str | None:
    """The endpoint an inline definition monitors."""
    inputs = definition.get("MonitoringInputs") or [{}]
    return (inputs[0].get("EndpointInput") or {}).get("EndpointName")
