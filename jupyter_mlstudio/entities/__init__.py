"""Frozen entities of the studio's resources (see docs/architecture.md)."""

from .charts import ChartSeries
from .common import Entity, Page, utcnow, validate_name, validate_tags, validate_text
from .endpoints import (
    ContainerDefinition,
    Endpoint,
    EndpointConfig,
    EndpointStatus,
    Model,
    ProductionVariant,
)
from .experiments import (
    TERMINAL_RUN_STATUSES,
    Experiment,
    ExperimentSummary,
    MetricPoint,
    MetricSummary,
    ParameterValue,
    Trial,
    TrialComponent,
    TrialComponentArtifact,
    TrialComponentPrimaryStatus,
    TrialComponentSource,
    TrialComponentStatus,
)
from .jobs import (
    TERMINAL_JOB_STATUSES,
    Job,
    JobKind,
    JobStatus,
    SecondaryStatus,
    SecondaryStatusTransition,
)

__all__ = [
    "TERMINAL_JOB_STATUSES",
    "TERMINAL_RUN_STATUSES",
    "ChartSeries",
    "ContainerDefinition",
    "Endpoint",
    "EndpointConfig",
    "EndpointStatus",
    "Entity",
    "Experiment",
    "ExperimentSummary",
    "Job",
    "JobKind",
    "JobStatus",
    "MetricPoint",
    "MetricSummary",
    "Model",
    "Page",
    "ParameterValue",
    "ProductionVariant",
    "SecondaryStatus",
    "SecondaryStatusTransition",
    "Trial",
    "TrialComponent",
    "TrialComponentArtifact",
    "TrialComponentPrimaryStatus",
    "TrialComponentSource",
    "TrialComponentStatus",
    "utcnow",
    "validate_name",
    "validate_tags",
    "validate_text",
]
