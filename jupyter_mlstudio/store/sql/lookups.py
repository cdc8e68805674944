"""Row lookups by name (NotFoundError when missing), the errors naming a resource's field,
and small write helpers."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import LoaderOption

from ...entities.common import (
    ENDPOINT_NAME_MAX,
    EXPERIMENT_NAME_MAX,
    JOB_NAME_MAX,
    TRIAL_COMPONENT_NAME_MAX,
    TRIAL_NAME_MAX,
    validate_name,
)
from ...entities.monitoring import SCHEDULE_NAME_MAX
from ...entities.pipelines import PIPELINE_NAME_MAX
from ...entities.registry import GROUP_NAME_MAX
from ...exceptions import ConflictError, NotFoundError
from .models import (
    Base,
    EndpointConfigRow,
    EndpointRow,
    ExperimentRow,
    JobRow,
    ModelPackageGroupRow,
    ModelRow,
    MonitoringJobDefinitionRow,
    MonitoringScheduleRow,
    PipelineRow,
    TrialComponentRow,
    TrialRow,
)

R = TypeVar("R", bound=Base)

# resource → (row class, SageMaker field of its name, max length, label in messages)
_RESOURCES: dict[type[Base], tuple[str, int, str]] = {
    ExperimentRow: ("ExperimentName", EXPERIMENT_NAME_MAX, "Experiment"),
    TrialRow: ("TrialName", TRIAL_NAME_MAX, "Trial"),
    TrialComponentRow: ("TrialComponentName", TRIAL_COMPONENT_NAME_MAX, "Trial component"),
    JobRow: ("JobName", JOB_NAME_MAX, "Job"),
    ModelRow: ("ModelName", ENDPOINT_NAME_MAX, "Model"),
    EndpointConfigRow: ("EndpointConfigName", ENDPOINT_NAME_MAX, "Endpoint configuration"),
    EndpointRow: ("EndpointName", ENDPOINT_NAME_MAX, "Endpoint"),
    ModelPackageGroupRow: ("ModelPackageGroupName", GROUP_NAME_MAX, "Model package group"),
    PipelineRow: ("PipelineName", PIPELINE_NAME_MAX, "Pipeline"),
    MonitoringScheduleRow: ("MonitoringScheduleName", SCHEDULE_NAME_MAX, "Monitoring schedule"),
    MonitoringJobDefinitionRow: ("JobDefinitionName", SCHEDULE_NAME_MAX, "Job definition"),
}


def check_name(row_class: type[Base], name: Any, field: str | None = None) -> str:
    default_field, max_length, _ = _RESOURCES[row_class]
    return validate_name(name, field=field or default_field, max_length=max_length)


def label(row_class: type[Base]) -> str:
    return _RESOURCES[row_class][2]


def taken(row_class: type[Base], name: str) -> ConflictError:
    """The error of a name already in use, naming the resource's name field."""
    field, _, what = _RESOURCES[row_class]
    return ConflictError(f"{what} {name!r} exists already", field=field)


def missing(row_class: type[Base], name: str, field: str | None = None) -> NotFoundError:
    """The error of a name that names nothing; ``field`` when it came in another field."""
    return NotFoundError(f"{label(row_class)} {name!r} does not exist", field=field)


def get_row(
    session: Session,
    row_class: type[R],
    name: Any,
    *options: LoaderOption,
    field: str | None = None,
    for_update: bool = False,
    refresh: bool = False,
) -> R:
    """The row named ``name``; ValidationError for a malformed name, NotFoundError if none."""
    name = check_name(row_class, name, field)
    stmt = select(row_class).where(row_class.name == name).options(*options)  # type: ignore[attr-defined]
    if for_update:
        stmt = stmt.with_for_update()
    if refresh:
        stmt = stmt.execution_options(populate_existing=True)
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise missing(row_class, name, field)
    return row


def get_id(session: Session, row_class: type[Base], name: Any, field: str | None = None) -> int:
    name = check_name(row_class, name, field)
    row_id = session.scalar(
        select(row_class.id).where(row_class.name == name)  # type: ignore[attr-defined]
    )
    if row_id is None:
        raise missing(row_class, name, field)
    return int(row_id)


def insert_ignore(session: Session, table: Table, values: dict[str, Any]) -> None:
    """INSERT that does nothing when the primary key exists (idempotent associations)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(table).values(**values).on_conflict_do_nothing())
