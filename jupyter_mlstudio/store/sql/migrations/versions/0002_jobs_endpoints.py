"""Jobs (with secondary status transitions), endpoint configs and endpoints.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen copies of the column types at this revision (never import the live models).
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = sa.DateTime(timezone=True)


def _tags_table(table: str, owner_column: str, owner_table: str) -> None:
    op.create_table(
        table,
        sa.Column(owner_column, BigId, nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("value", sa.String(256), nullable=False),
        sa.ForeignKeyConstraint(
            [owner_column],
            [f"{owner_table}.id"],
            name=f"fk_{table}_{owner_column}",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(owner_column, "key", name=f"pk_{table}"),
    )


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("secondary_status", sa.String(64), nullable=True),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("exit_code", sa.Integer(), nullable=True),
        sa.Column("runtime", sa.String(64), nullable=True),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("outputs", sa.JSON(), nullable=False),
        sa.Column("experiment_name", sa.String(120), nullable=True),
        sa.Column("trial_component_name", sa.String(120), nullable=True),
        sa.Column("creation_time", Time, nullable=False),
        sa.Column("start_time", Time, nullable=True),
        sa.Column("end_time", Time, nullable=True),
        sa.Column("last_modified_time", Time, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
        sa.UniqueConstraint("name", name="uq_jobs_name"),
    )
    op.create_index("ix_jobs_creation_time", "jobs", ["creation_time"])
    op.create_index("ix_jobs_kind", "jobs", ["kind"])
    _tags_table("job_tags", "job_id", "jobs")
    op.create_table(
        "job_status_transitions",
        sa.Column("job_id", BigId, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(64), nullable=False),
        sa.Column("start_time", Time, nullable=False),
        sa.Column("end_time", Time, nullable=True),
        sa.Column("status_message", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs.id"],
            name="fk_job_status_transitions_job_id",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_id", "position", name="pk_job_status_transitions"),
    )

    op.create_table(
        "endpoint_configs",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("production_variants", sa.JSON(), nullable=False),
        sa.Column("data_capture_config", sa.JSON(), nullable=True),
        sa.Column("creation_time", Time, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_endpoint_configs"),
        sa.UniqueConstraint("name", name="uq_endpoint_configs_name"),
    )
    op.create_table(
        "endpoints",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("endpoint_config_id", BigId, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("creation_time", Time, nullable=False),
        sa.Column("last_modified_time", Time, nullable=False),
        sa.ForeignKeyConstraint(
            ["endpoint_config_id"],
            ["endpoint_configs.id"],
            name="fk_endpoints_endpoint_config_id",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_endpoints"),
        sa.UniqueConstraint("name", name="uq_endpoints_name"),
    )
    op.create_index("ix_endpoints_creation_time", "endpoints", ["creation_time"])
    op.create_index("ix_endpoints_endpoint_config_id", "endpoints", ["endpoint_config_id"])
    _tags_table("endpoint_tags", "endpoint_id", "endpoints")


def downgrade() -> None:
    for table in (
        "endpoint_tags",
        "endpoints",
        "endpoint_configs",
        "job_status_transitions",
        "job_tags",
        "jobs",
    ):
        op.drop_table(table)
