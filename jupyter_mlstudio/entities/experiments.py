"""Experiment → Trial → TrialComponent (a "run"), as in the SageMaker API."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from pydantic import Field

from .common import Entity


class TrialComponentPrimaryStatus(str, Enum):
    IN_PROGRESS = "InProgress"
    COMPLETED = "Completed"
    FAILED = "Failed"
    STOPPING = "Stopping"
    STOPPED = "Stopped"


TERMINAL_RUN_STATUSES = frozenset(
    {
        TrialComponentPrimaryStatus.COMPLETED,
        TrialComponentPrimaryStatus.FAILED,
        TrialComponentPrimaryStatus.STOPPED,
    }
)


class TrialComponentStatus(Entity):
    primary_status: TrialComponentPrimaryStatus
    message: str | None = None


class Experiment(Entity):
    experiment_name: str
    display_name: str | None = None
    description: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    creation_time: datetime
    last_modified_time: datetime


class ExperimentSummary(Entity):
    """An experiment with the counts a listing shows."""

    experiment_name: str
    display_name: str | None = None
    creation_time: datetime
    last_modified_time: datetime
    tags: dict[str, str] = Field(default_factory=dict)
    trial_count: int = 0
    trial_component_count: int = 0


class Trial(Entity):
    trial_name: str
    experiment_name: str
    display_name: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    creation_time: datetime
    last_modified_time: datetime


# A parameter value is a number or a string (SageMaker's NumberValue / StringValue).
ParameterValue = float | str


class TrialComponentArtifact(Entity):
    value: str
    media_type: str | None = None


class TrialComponentSource(Entity):
    source_arn: str
    source_type: str | None = None


class MetricSummary(Entity):
    """Summary of one metric of one run; kept exact as points arrive.

    ``avg`` and ``std_dev`` (population standard deviation) are derived from the running
    count, mean and sum of squared deviations (Welford), never estimated.
    """

    metric_name: str
    time_stamp: datetime
    max: float
    min: float
    last: float
    count: int
    avg: float
    std_dev: float


class MetricPoint(Entity):
    metric_name: str
    value: float
    step: int | None = None
    timestamp: datetime


class TrialComponent(Entity):
    trial_component_name: str
    display_name: str | None = None
    status: TrialComponentStatus
    start_time: datetime | None = None
    end_time: datetime | None = None
    creation_time: datetime
    last_modified_time: datetime
    parameters: dict[str, ParameterValue] = Field(default_factory=dict)
    input_artifacts: dict[str, TrialComponentArtifact] = Field(default_factory=dict)
    output_artifacts: dict[str, TrialComponentArtifact] = Field(default_factory=dict)
    metrics: list[MetricSummary] = Field(default_factory=list)
    source: TrialComponentSource | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    trial_names: list[str] = Field(default_factory=list)
