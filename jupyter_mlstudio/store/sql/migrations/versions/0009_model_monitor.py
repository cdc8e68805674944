"""Model Monitor: monitoring schedules and their executions (one row a window, so that
no window runs twice), and named job definitions.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Frozen copies of the column types at this revision (never import the live models).
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "monitoring_schedules",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("endpoint_name", sa.String(63), nullable=False),
        sa.Column("monitoring_type", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("creation_time", Time, nullable=False),
        sa.Column("last_modified_time", Time, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_monitoring_schedules"),
        sa.UniqueConstraint("name", name="uq_monitoring_schedules_name"),
    )
    op.create_index(
        "ix_monitoring_schedules_endpoint_name", "monitoring_schedules", ["endpoint_name"]
    )
    op.create_index(
        "ix_monitoring_schedules_creation_time", "monitoring_schedules", ["creation_time"]
    )
    op.create_table(
        "monitoring_executions",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("schedule_name", sa.String(63), nullable=False),
        sa.Column("scheduled_time", Time, nullable=False),
        sa.Column("job_name", sa.String(63), nullable=False),
        sa.Column("endpoint_name", sa.String(63), nullable=False),
        sa.Column("monitoring_type", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("violation_count", sa.Integer(), nullable=True),
        sa.Column("output_uri", sa.Text(), nullable=True),
        sa.Column("creation_time", Time, nullable=False),
        sa.Column("last_modified_time", Time, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_monitoring_executions"),
        sa.UniqueConstraint(
            "schedule_name", "scheduled_time", name="uq_monitoring_executions_schedule_name"
        ),
        sa.UniqueConstraint("job_name", name="uq_monitoring_executions_job_name"),
    )
    for column in ("schedule_name", "scheduled_time", "endpoint_name"):
        op.create_index(f"ix_monitoring_executions_{column}", "monitoring_executions", [column])
    op.create_table(
        "monitoring_job_definitions",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("monitoring_type", sa.String(32), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("creation_time", Time, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_monitoring_job_definitions"),
        sa.UniqueConstraint("name", name="uq_monitoring_job_definitions_name"),
    )
    op.create_index(
        "ix_monitoring_job_definitions_creation_time",
        "monitoring_job_definitions",
        ["creation_time"],
    )


def downgrade() -> None:
    op.drop_table("monitoring_job_definitions")
    op.drop_table("monitoring_executions")
    op.drop_table("monitoring_schedules")
