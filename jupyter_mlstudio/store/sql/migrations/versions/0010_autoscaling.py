"""Endpoint autoscaling: scalable targets (one a variant), their scaling policies and the
scaling activities.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Frozen copies of the column types at this revision (never import the live models).
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "autoscaling_targets",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("endpoint_name", sa.String(63), nullable=False),
        sa.Column("variant_name", sa.String(63), nullable=False),
        sa.Column("min_capacity", sa.Integer(), nullable=False),
        sa.Column("max_capacity", sa.Integer(), nullable=False),
        sa.Column("role_arn", sa.Text(), nullable=True),
        sa.Column("suspended_state", sa.JSON(), nullable=False),
        sa.Column("creation_time", Time, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_autoscaling_targets"),
        sa.UniqueConstraint(
            "endpoint_name", "variant_name", name="uq_autoscaling_targets_endpoint_name"
        ),
    )
    op.create_index(
        "ix_autoscaling_targets_endpoint_name", "autoscaling_targets", ["endpoint_name"]
    )
    op.create_table(
        "autoscaling_policies",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("endpoint_name", sa.String(63), nullable=False),
        sa.Column("variant_name", sa.String(63), nullable=False),
        sa.Column("policy_name", sa.String(256), nullable=False),
        sa.Column("policy_id", sa.String(36), nullable=False),
        sa.Column("policy_type", sa.String(32), nullable=False),
        sa.Column("configuration", sa.JSON(), nullable=False),
        sa.Column("creation_time", Time, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_autoscaling_policies"),
        sa.UniqueConstraint(
            "endpoint_name",
            "variant_name",
            "policy_name",
            name="uq_autoscaling_policies_endpoint_name",
        ),
    )
    op.create_index(
        "ix_autoscaling_policies_endpoint_name", "autoscaling_policies", ["endpoint_name"]
    )
    op.create_table(
        "autoscaling_activities",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("activity_id", sa.String(36), nullable=False),
        sa.Column("endpoint_name", sa.String(63), nullable=False),
        sa.Column("variant_name", sa.String(63), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("status_code", sa.String(32), nullable=False),
        sa.Column("status_message", sa.Text(), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("start_time", Time, nullable=False),
        sa.Column("end_time", Time, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_autoscaling_activities"),
        sa.UniqueConstraint("activity_id", name="uq_autoscaling_activities_activity_id"),
    )
    for column in ("endpoint_name", "start_time"):
        op.create_index(f"ix_autoscaling_activities_{column}", "autoscaling_activities", [column])


def downgrade() -> None:
    op.drop_table("autoscaling_activities")
    op.drop_table("autoscaling_policies")
    op.drop_table("autoscaling_targets")
