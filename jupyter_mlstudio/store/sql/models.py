"""ORM tables of the SQL store. Rows never leave the store: see ``convert.py``.

Timestamps are stored in UTC (``timestamptz`` on PostgreSQL, UTC text on SQLite) and come
back as timezone-aware datetimes on every backend. The schema is created and changed only
by the Alembic revisions in ``migrations/versions``; keep both in step.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAME_LENGTH = 120  # the longest resource name (experiments, trials, trial components)
TAG_KEY_LENGTH = 128
TAG_VALUE_LENGTH = 256
METRIC_NAME_LENGTH = 255
PARAMETER_NAME_LENGTH = 256

# An integer primary key that is SQLite's rowid there and a bigint elsewhere.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """A datetime stored in UTC and returned timezone-aware (naive input counts as UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = to_utc(value)
        # SQLite keeps text: store naive UTC so that strings sort in time order.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return to_utc(value)


def to_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


# -- experiments, trials, trial components (revision 0001) ---------------------------


class ExperimentRow(Base):
    __tablename__ = "experiments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH), unique=True, nullable=False)
    display_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    description: Mapped[str | None] = mapped_column(Text)
    creation_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    last_modified_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    tags: Mapped[list[ExperimentTagRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )


class ExperimentTagRow(Base):
    __tablename__ = "experiment_tags"

    experiment_id: Mapped[int] = mapped_column(
        ForeignKey("experiments.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(TAG_KEY_LENGTH), primary_key=True)
    value: Mapped[str] = mapped_column(String(TAG_VALUE_LENGTH), nullable=False)


class TrialRow(Base):
    __tablename__ = "trials"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH), unique=True, nullable=False)
    experiment_id: Mapped[int] = mapped_column(
        ForeignKey("experiments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    display_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    creation_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    last_modified_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    experiment: Mapped[ExperimentRow] = relationship(lazy="joined", innerjoin=True)
    tags: Mapped[list[TrialTagRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )


class TrialTagRow(Base):
    __tablename__ = "trial_tags"

    trial_id: Mapped[int] = mapped_column(
        ForeignKey("trials.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(TAG_KEY_LENGTH), primary_key=True)
    value: Mapped[str] = mapped_column(String(TAG_VALUE_LENGTH), nullable=False)


class TrialComponentRow(Base):
    __tablename__ = "trial_components"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH), unique=True, nullable=False)
    display_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    status_message: Mapped[str | None] = mapped_column(Text)
    start_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source_arn: Mapped[str | None] = mapped_column(String(256), index=True)
    source_type: Mapped[str | None] = mapped_column(String(128))
    creation_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    last_modified_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    tags: Mapped[list[TrialComponentTagRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )
    parameters: Mapped[list[ParameterRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )
    artifacts: Mapped[list[ArtifactRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )
    metric_summaries: Mapped[list[MetricSummaryRow]] = relationship(lazy="raise", viewonly=True)
    trials: Mapped[list[TrialRow]] = relationship(
        secondary="trial_component_trials", lazy="raise", viewonly=True
    )


class TrialComponentTagRow(Base):
    __tablename__ = "trial_component_tags"

    trial_component_id: Mapped[int] = mapped_column(
        ForeignKey("trial_components.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(TAG_KEY_LENGTH), primary_key=True)
    value: Mapped[str] = mapped_column(String(TAG_VALUE_LENGTH), nullable=False)


class TrialComponentTrialRow(Base):
    """Which trial components belong to which trials (many to many)."""

    __tablename__ = "trial_component_trials"

    trial_id: Mapped[int] = mapped_column(
        ForeignKey("trials.id", ondelete="CASCADE"), primary_key=True
    )
    trial_component_id: Mapped[int] = mapped_column(
        ForeignKey("trial_components.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    creation_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class ParameterRow(Base):
    """A parameter: exactly one of ``number_value`` and ``string_value`` is set."""

    __tablename__ = "trial_component_parameters"

    trial_component_id: Mapped[int] = mapped_column(
        ForeignKey("trial_components.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(PARAMETER_NAME_LENGTH), primary_key=True)
    number_value: Mapped[float | None] = mapped_column(Float)
    string_value: Mapped[str | None] = mapped_column(Text)


class ArtifactRow(Base):
    __tablename__ = "trial_component_artifacts"

    trial_component_id: Mapped[int] = mapped_column(
        ForeignKey("trial_components.id", ondelete="CASCADE"), primary_key=True
    )
    direction: Mapped[str] = mapped_column(String(8), primary_key=True)  # input | output
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(String(2048), nullable=False)
    media_type: Mapped[str | None] = mapped_column(String(256))


class MetricPointRow(Base):
    """One point of a metric series. Written in bulk with Core, never as ORM objects."""

    __tablename__ = "metric_points"
    __table_args__ = (
        Index("ix_metric_points_series", "trial_component_id", "metric_name", "step"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    trial_component_id: Mapped[int] = mapped_column(
        ForeignKey("trial_components.id", ondelete="CASCADE"), nullable=False
    )
    metric_name: Mapped[str] = mapped_column(String(METRIC_NAME_LENGTH), nullable=False)
    value: Mapped[float] = mapped_column(Float, nullable=False)
    step: Mapped[int | None] = mapped_column(BigInteger)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class MetricSummaryRow(Base):
    """Running summary of one metric of one run: count, mean and population standard
    deviation (revision 0005; see ``stats.py``), min, max and the last value.

    A row with ``count == 0`` is a placeholder that lets concurrent writers lock the row
    before the first point; it is never shown.
    """

    __tablename__ = "metric_summaries"

    trial_component_id: Mapped[int] = mapped_column(
        ForeignKey("trial_components.id", ondelete="CASCADE"), primary_key=True
    )
    metric_name: Mapped[str] = mapped_column(String(METRIC_NAME_LENGTH), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    mean: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    std_dev: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    min: Mapped[float | None] = mapped_column(Float)
    max: Mapped[float | None] = mapped_column(Float)
    last: Mapped[float | None] = mapped_column(Float)
    time_stamp: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MetricBucketRow(Base):
    """A step bucket of a downsampled series (revision 0003); see ``buckets.py``.

    Level ``L`` holds buckets of ``16 * 4**L`` steps; ``bucket`` is ``floor(step / width)``.
    """

    __tablename__ = "metric_buckets"
    __table_args__ = {"sqlite_with_rowid": False}

    trial_component_id: Mapped[int] = mapped_column(
        ForeignKey("trial_components.id", ondelete="CASCADE"), primary_key=True
    )
    metric_name: Mapped[str] = mapped_column(String(METRIC_NAME_LENGTH), primary_key=True)
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(BigInteger, nullable=False)
    mean: Mapped[float] = mapped_column(Float, nullable=False)  # revision 0005: was "total"
    min: Mapped[float] = mapped_column(Float, nullable=False)
    max: Mapped[float] = mapped_column(Float, nullable=False)
    last: Mapped[float] = mapped_column(Float, nullable=False)
    last_step: Mapped[int] = mapped_column(BigInteger, nullable=False)


# -- jobs and endpoints (revision 0002) ------------------------------------------------


class JobRow(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(63), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    secondary_status: Mapped[str | None] = mapped_column(String(64))
    failure_reason: Mapped[str | None] = mapped_column(Text)
    exit_code: Mapped[int | None] = mapped_column(Integer)
    runtime: Mapped[str | None] = mapped_column(String(64))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    outputs: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    experiment_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    trial_component_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    creation_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    start_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_modified_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    tags: Mapped[list[JobTagRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )
    transitions: Mapped[list[JobStatusTransitionRow]] = relationship(
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
        order_by="JobStatusTransitionRow.position",
    )


class JobTagRow(Base):
    __tablename__ = "job_tags"

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(TAG_KEY_LENGTH), primary_key=True)
    value: Mapped[str] = mapped_column(String(TAG_VALUE_LENGTH), nullable=False)


class JobStatusTransitionRow(Base):
    """One entry of a job's SecondaryStatusTransitions, in order of ``position``."""

    __tablename__ = "job_status_transitions"

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(64), nullable=False)
    start_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    end_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_message: Mapped[str | None] = mapped_column(Text)


class ModelRow(Base):
    __tablename__ = "models"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(63), unique=True, nullable=False)
    primary_container: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    #: an inference pipeline's containers, in order (revision 0008); None for one container
    containers: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    tags: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False)
    creation_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)


class EndpointConfigRow(Base):
    __tablename__ = "endpoint_configs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(63), unique=True, nullable=False)
    production_variants: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)
    data_capture_config: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    creation_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class EndpointRow(Base):
    __tablename__ = "endpoints"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(63), unique=True, nullable=False)
    endpoint_config_id: Mapped[int] = mapped_column(
        ForeignKey("endpoint_configs.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    desired_variants: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    creation_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    last_modified_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    endpoint_config: Mapped[EndpointConfigRow] = relationship(lazy="joined", innerjoin=True)
    tags: Mapped[list[EndpointTagRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )


class EndpointTagRow(Base):
    __tablename__ = "endpoint_tags"

    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("endpoints.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(TAG_KEY_LENGTH), primary_key=True)
    value: Mapped[str] = mapped_column(String(TAG_VALUE_LENGTH), nullable=False)


# -- the model registry (revision 0006) ------------------------------------------------


class ModelPackageGroupRow(Base):
    __tablename__ = "model_package_groups"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(63), unique=True, nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    #: the last version handed out (versions are never reused)
    last_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    tags: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False)
    creation_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)


class ModelPackageRow(Base):
    __tablename__ = "model_packages"
    __table_args__ = (UniqueConstraint("group_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("model_package_groups.id", ondelete="CASCADE"), nullable=False
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    approval_status: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    approval_description: Mapped[str | None] = mapped_column(Text)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    tags: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False)
    creation_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    last_modified_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


# -- pipelines (revision 0007) ---------------------------------------------------------


class PipelineRow(Base):
    __tablename__ = "pipelines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(256), unique=True, nullable=False)
    display_name: Mapped[str | None] = mapped_column(String(256))
    description: Mapped[str | None] = mapped_column(Text)
    #: the definition's JSON text, as given
    definition: Mapped[str] = mapped_column(Text, nullable=False)
    role_arn: Mapped[str | None] = mapped_column(String(2048))
    tags: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False)
    creation_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    last_modified_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


# -- Model Monitor (revision 0009) -------------------------------------------------------


class MonitoringScheduleRow(Base):
    __tablename__ = "monitoring_schedules"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(63), unique=True, nullable=False)
    endpoint_name: Mapped[str] = mapped_column(String(63), nullable=False, index=True)
    monitoring_type: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    #: MonitoringScheduleConfig, checked
    config: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    tags: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False)
    creation_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    last_modified_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class MonitoringExecutionRow(Base):
    """One row a window: (schedule, scheduled time) is unique, so no window runs twice."""

    __tablename__ = "monitoring_executions"
    __table_args__ = (UniqueConstraint("schedule_name", "scheduled_time"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    schedule_name: Mapped[str] = mapped_column(String(63), nullable=False, index=True)
    scheduled_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    job_name: Mapped[str] = mapped_column(String(63), unique=True, nullable=False)
    endpoint_name: Mapped[str] = mapped_column(String(63), nullable=False, index=True)
    monitoring_type: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    violation_count: Mapped[int | None] = mapped_column(Integer)
    output_uri: Mapped[str | None] = mapped_column(Text)
    creation_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_modified_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class MonitoringJobDefinitionRow(Base):
    __tablename__ = "monitoring_job_definitions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(63), unique=True, nullable=False)
    monitoring_type: Mapped[str] = mapped_column(String(32), nullable=False)
    #: the CreateDataQualityJobDefinition (or ModelQuality) request, checked
    definition: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    tags: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False)
    creation_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
