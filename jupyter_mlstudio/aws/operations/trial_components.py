"""Trial components (the studio's runs): CreateTrialComponent, DescribeTrialComponent,
ListTrialComponents, UpdateTrialComponent, DeleteTrialComponent, AssociateTrialComponent,
DisassociateTrialComponent; and ``sagemaker-metrics``' BatchPutMetrics.

Over the studio's tracking store: a run logged by the studio's SDK is described here with
its parameters, artifacts and metric summaries (``MetricName``, ``Max``, ``Min``,
``Last``, ``Count``, ``Avg``, ``StdDev``, ``TimeStamp``, kept exact as points arrive),
and a trial component created here is a run in the Experiments section. Parameters are
SageMaker's ``{"name": {"NumberValue": 1.0}}`` / ``{"StringValue": "adam"}``, artifacts
``{"name": {"Value": uri, "MediaType": type}}``.
"""

from __future__ import annotations

import math
from datetime import timezone
from typing import Any

from ...entities import (
    MetricPoint,
    ParameterValue,
    TrialComponent,
    TrialComponentArtifact,
    TrialComponentPrimaryStatus,
    utcnow,
)
from ...exceptions import ConflictError, ValidationError
from ...services.tracking.experiments import create_run
from ..errors import RESOURCE_NOT_FOUND, validation
from ..pagination import paginate
from ..registry import METRICS, SAGEMAKER, Call
from ..service_model import to_datetime
from ..tracking import (
    already_exists,
    created_in_window,
    each_component,
    sort_listing,
    still_holds,
    tag_list,
    tags_of,
)
from .trials import trial_arn

RESOURCE = "experiment-trial-component"


def trial_component_arn(call: Call, name: str) -> str:
    """``arn:aws:sagemaker:<region>:<account>:experiment-trial-component/<name>``."""
    return call.arn(RESOURCE, name)


def metric_summaries(component: TrialComponent) -> list[dict[str, Any]]:
    """A run's metric summaries in SageMaker's ``TrialComponentMetricSummary`` shape."""
    return [
        {
            "MetricName": m.metric_name,
            "SourceArn": component.source.source_arn if component.source else None,
            "TimeStamp": m.time_stamp,
            "Max": m.max,
            "Min": m.min,
            "Last": m.last,
            "Count": m.count,
            "Avg": m.avg,
            "StdDev": m.std_dev,
        }
        for m in component.metrics
    ]


def parameter_values(parameters: dict[str, ParameterValue]) -> dict[str, dict[str, Any]]:
    """The studio's parameters as SageMaker's ``{"NumberValue"}`` / ``{"StringValue"}``."""
    return {
        name: {"StringValue": value} if isinstance(value, str) else {"NumberValue": value}
        for name, value in parameters.items()
    }


def _artifacts(artifacts: dict[str, TrialComponentArtifact]) -> dict[str, dict[str, Any]]:
    return {name: {"Value": a.value, "MediaType": a.media_type} for name, a in artifacts.items()}


def trial_component_answer(call: Call, component: TrialComponent) -> dict[str, Any]:
    """A run in DescribeTrialComponent's shape (Search's ``TrialComponent`` adds Tags and
    Parents).

    Args:
        call: The request (ARNs).
        component: The studio's run.

    Returns:
        The members SageMaker answers.
    """
    source = component.source
    return {
        "TrialComponentName": component.trial_component_name,
        "TrialComponentArn": trial_component_arn(call, component.trial_component_name),
        "DisplayName": component.display_name or component.trial_component_name,
        "Source": {"SourceArn": source.source_arn, "SourceType": source.source_type}
        if source
        else None,
        "Status": {
            "PrimaryStatus": component.status.primary_status.value,
            "Message": component.status.message,
        },
        "StartTime": component.start_time,
        "EndTime": component.end_time,
        "CreationTime": component.creation_time,
        "LastModifiedTime": component.last_modified_time,
        "Parameters": parameter_values(component.parameters),
        "InputArtifacts": _artifacts(component.input_artifacts),
        "OutputArtifacts": _artifacts(component.output_artifacts),
        "Metrics": metric_summaries(component),
        "Tags": tag_list(component.tags),
    }


def _parameters(params: dict[str, Any]) -> dict[str, ParameterValue]:
    out: dict[str, ParameterValue] = {}
    for name, value in (params.get("Parameters") or {}).items():
        given = [k for k in ("NumberValue", "StringValue") if k in value]
        if len(given) != 1:
            raise validation(f"Parameters.{name}: give one of NumberValue or StringValue")
        out[name] = value[given[0]]
    return out


def _artifact_map(params: dict[str, Any], member: str) -> dict[str, TrialComponentArtifact]:
    return {
        name: TrialComponentArtifact(value=a["Value"], media_type=a.get("MediaType"))
        for name, a in (params.get(member) or {}).items()
    }


def _status(params: dict[str, Any]) -> dict[str, Any]:
    status = params.get("Status")
    if status is None:
        return {}
    out: dict[str, Any] = {"status_message": status.get("Message")}
    if status.get("PrimaryStatus"):
        out["status"] = TrialComponentPrimaryStatus(status["PrimaryStatus"])
    return out


def _times(params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for member, field in (("StartTime", "start_time"), ("EndTime", "end_time")):
        if member in params:
            try:
                out[field] = to_datetime(params[member])
            except (OverflowError, ValueError, OSError):
                raise validation(f"{member}: {params[member]!r} is not a time") from None
    return out


@SAGEMAKER.operation("CreateTrialComponent", not_found=RESOURCE_NOT_FOUND)
def create_trial_component(call: Call) -> dict[str, Any]:
    """Create a trial component (a run): Status, StartTime, EndTime, Parameters,
    InputArtifacts, OutputArtifacts, Tags.

    Args:
        call: A CreateTrialComponent request.

    Returns:
        ``TrialComponentArn``.
    """
    params = call.params
    name = params["TrialComponentName"]
    fields: dict[str, Any] = {
        "display_name": params.get("DisplayName"),
        "parameters": _parameters(params),
        "input_artifacts": _artifact_map(params, "InputArtifacts"),
        "output_artifacts": _artifact_map(params, "OutputArtifacts"),
        "tags": tags_of(params),
        **_status(params),
        **_times(params),
    }
    try:
        create_run(call.studio.store, name, **fields)
    except ConflictError as exc:
        raise already_exists(exc, "TrialComponent", name) from None
    return {"TrialComponentArn": trial_component_arn(call, name)}


@SAGEMAKER.operation("DescribeTrialComponent", not_found=RESOURCE_NOT_FOUND)
def describe_trial_component(call: Call) -> dict[str, Any]:
    """Describe a trial component with its parameters, artifacts and metric summaries
    (ResourceNotFound if there is none).

    Args:
        call: A DescribeTrialComponent request.

    Returns:
        The run in DescribeTrialComponent's output shape.
    """
    component = call.studio.store.get_trial_component(call.params["TrialComponentName"])
    return trial_component_answer(call, component)


@SAGEMAKER.operation("ListTrialComponents", not_found=RESOURCE_NOT_FOUND)
def list_trial_components(call: Call) -> dict[str, Any]:
    """List trial components: ExperimentName, TrialName, SourceArn, CreatedAfter/Before,
    SortBy Name or CreationTime, SortOrder (default Descending) and pages.

    Args:
        call: A ListTrialComponents request.

    Returns:
        ``TrialComponentSummaries`` and ``NextToken``.
    """
    params = call.params
    components = each_component(
        call,
        experiment_name=params.get("ExperimentName"),
        trial_name=params.get("TrialName"),
        source_arn=params.get("SourceArn"),
    )
    chosen = [c for c in components if created_in_window(c.creation_time, params)]
    ordered = sort_listing(chosen, params, lambda c: c.trial_component_name)
    page, token = paginate(ordered, params)

    def summary(component: TrialComponent) -> dict[str, Any]:
        answer = trial_component_answer(call, component)
        answer["TrialComponentSource"] = answer.pop("Source")
        return answer

    return {"TrialComponentSummaries": [summary(c) for c in page], "NextToken": token}


@SAGEMAKER.operation("UpdateTrialComponent", not_found=RESOURCE_NOT_FOUND)
def update_trial_component(call: Call) -> dict[str, Any]:
    """Update a trial component: DisplayName, Status, times, Parameters (merged) and
    ParametersToRemove, InputArtifacts and OutputArtifacts (merged).

    Args:
        call: An UpdateTrialComponent request.

    Returns:
        ``TrialComponentArn``.
    """
    params = call.params
    for member in ("InputArtifactsToRemove", "OutputArtifactsToRemove"):
        if params.get(member):
            raise validation(f"{member}: the studio cannot remove a run's artifacts yet")
    name = params["TrialComponentName"]
    changes: dict[str, Any] = {**_status(params), **_times(params)}
    if "DisplayName" in params:
        changes["display_name"] = params["DisplayName"]
    for member, field in (
        ("InputArtifacts", "input_artifacts"),
        ("OutputArtifacts", "output_artifacts"),
    ):
        if member in params:
            changes[field] = _artifact_map(params, member)
    call.studio.store.update_trial_component(
        name,
        parameters=_parameters(params),
        parameters_to_remove=list(params.get("ParametersToRemove") or []),
        **changes,
    )
    return {"TrialComponentArn": trial_component_arn(call, name)}


@SAGEMAKER.operation("DeleteTrialComponent", not_found=RESOURCE_NOT_FOUND)
def delete_trial_component(call: Call) -> dict[str, Any]:
    """Delete a trial component that is in no trial (SageMaker refuses the others:
    disassociate it first), with its metrics and files.

    Args:
        call: A DeleteTrialComponent request.

    Returns:
        ``TrialComponentArn``.
    """
    name = call.params["TrialComponentName"]
    component = call.studio.store.get_trial_component(name)
    if component.trial_names:
        raise still_holds("TrialComponent", trial_component_arn(call, name), "trials")
    call.studio.experiments.delete_trial_component(name)
    return {"TrialComponentArn": trial_component_arn(call, name)}


@SAGEMAKER.operation("AssociateTrialComponent", not_found=RESOURCE_NOT_FOUND)
def associate_trial_component(call: Call) -> dict[str, Any]:
    """Put a trial component in a trial (idempotent).

    Args:
        call: An AssociateTrialComponent request.

    Returns:
        ``TrialComponentArn`` and ``TrialArn``.
    """
    component, trial = call.params["TrialComponentName"], call.params["TrialName"]
    call.studio.store.associate_trial_component(component, trial)
    return {
        "TrialComponentArn": trial_component_arn(call, component),
        "TrialArn": trial_arn(call, trial),
    }


@SAGEMAKER.operation("DisassociateTrialComponent", not_found=RESOURCE_NOT_FOUND)
def disassociate_trial_component(call: Call) -> dict[str, Any]:
    """Take a trial component out of a trial; it stays, as on SageMaker.

    Args:
        call: A DisassociateTrialComponent request.

    Returns:
        ``TrialComponentArn`` and ``TrialArn``.
    """
    component, trial = call.params["TrialComponentName"], call.params["TrialName"]
    call.studio.store.disassociate_trial_component(component, trial)
    return {
        "TrialComponentArn": trial_component_arn(call, component),
        "TrialArn": trial_arn(call, trial),
    }


@METRICS.operation("BatchPutMetrics", not_found=RESOURCE_NOT_FOUND)
def batch_put_metrics(call: Call) -> dict[str, Any]:
    """Log up to ten metric points to a trial component (what the SageMaker SDK's
    ``Run.log_metric`` sends); a point the store cannot keep is answered in ``Errors``
    by its index, the others are logged.

    Args:
        call: A BatchPutMetrics request (``sagemaker-metrics``).

    Returns:
        ``Errors`` (``VALIDATION_ERROR`` with ``MetricIndex``), when any.
    """
    name = call.params["TrialComponentName"]
    store = call.studio.store
    store.get_trial_component(name)  # ResourceNotFound for the whole batch
    points: list[tuple[int, MetricPoint]] = []
    errors: list[int] = []
    for index, datum in enumerate(call.params["MetricData"]):
        point = _metric_point(datum)
        if point is None:
            errors.append(index)
        else:
            points.append((index, point))
    try:
        if points:
            store.log_metrics(name, [point for _, point in points])
    except ValidationError:
        # the store refuses a batch with one bad point: log the good ones one by one
        for index, point in points:
            try:
                store.log_metrics(name, [point])
            except ValidationError:
                errors.append(index)
    failed = [{"Code": "VALIDATION_ERROR", "MetricIndex": i} for i in sorted(errors)]
    return {"Errors": failed or None}


def _metric_point(datum: dict[str, Any]) -> MetricPoint | None:
    """A RawMetricData as the store's point; None for a value, step or time no store
    keeps (not finite, beyond 2**63 - 1, or out of datetime's range)."""
    value, step = datum["Value"], datum.get("Step")
    if not isinstance(value, int | float) or not math.isfinite(value):
        return None
    if step is not None and not 0 <= step < 2**63:
        return None
    try:
        stamp = to_datetime(datum["Timestamp"])
    except (OverflowError, ValueError, OSError):
        return None
    return MetricPoint(
        metric_name=datum["MetricName"],
        value=float(value),
        step=step,
        timestamp=(stamp or utcnow()).astimezone(timezone.utc),
    )
