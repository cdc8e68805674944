"""Experiments, trials, trial components, parameters, artifacts, metrics and tags.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copies of the column types at this revision (never import the live models).
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = sa.DateTime(timezone=True)


def _id() -> sa.Column:
    return sa.Column("id", BigId, autoincrement=True, nullable=False)


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


def _owned_by_run(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["trial_component_id"],
        ["trial_components.id"],
        name=f"fk_{table}_trial_component_id",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "experiments",
        _id(),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("display_name", sa.String(120), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("creation_time", Time, nullable=False),
        sa.Column("last_modified_time", Time, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_experiments"),
        sa.UniqueConstraint("name", name="uq_experiments_name"),
    )
    op.create_index("ix_experiments_creation_time", "experiments", ["creation_time"])
    _tags_table("experiment_tags", "experiment_id", "experiments")

    op.create_table(
        "trials",
        _id(),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("experiment_id", BigId, nullable=False),
        sa.Column("display_name", sa.String(120), nullable=True),
        sa.Column("creation_time", Time, nullable=False),
        sa.Column("last_modified_time", Time, nullable=False),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.id"],
            name="fk_trials_experiment_id",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_trials"),
        sa.UniqueConstraint("name", name="uq_trials_name"),
    )
    op.create_index("ix_trials_creation_time", "trials", ["creation_time"])
    op.create_index("ix_trials_experiment_id", "trials", ["experiment_id"])
    _tags_table("trial_tags", "trial_id", "trials")

    op.create_table(
        "trial_components",
        _id(),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("display_name", sa.String(120), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("status_message", sa.Text(), nullable=True),
        sa.Column("start_time", Time, nullable=True),
        sa.Column("end_time", Time, nullable=True),
        sa.Column("source_arn", sa.String(256), nullable=True),
        sa.Column("source_type", sa.String(128), nullable=True),
        sa.Column("creation_time", Time, nullable=False),
        sa.Column("last_modified_time", Time, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_trial_components"),
        sa.UniqueConstraint("name", name="uq_trial_components_name"),
    )
    op.create_index("ix_trial_components_creation_time", "trial_components", ["creation_time"])
    op.create_index("ix_trial_components_source_arn", "trial_components", ["source_arn"])
    _tags_table("trial_component_tags", "trial_component_id", "trial_components")

    op.create_table(
        "trial_component_trials",
        sa.Column("trial_id", BigId, nullable=False),
        sa.Column("trial_component_id", BigId, nullable=False),
        sa.Column("creation_time", Time, nullable=False),
        _owned_by_run("trial_component_trials"),
        sa.ForeignKeyConstraint(
            ["trial_id"],
            ["trials.id"],
            name="fk_trial_component_trials_trial_id",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("trial_id", "trial_component_id", name="pk_trial_component_trials"),
    )
    op.create_index(
        "ix_trial_component_trials_trial_component_id",
        "trial_component_trials",
        ["trial_component_id"],
    )

    op.create_table(
        "trial_component_parameters",
        sa.Column("trial_component_id", BigId, nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("number_value", sa.Float(), nullable=True),
        sa.Column("string_value", sa.Text(), nullable=True),
        _owned_by_run("trial_component_parameters"),
        sa.PrimaryKeyConstraint("trial_component_id", "name", name="pk_trial_component_parameters"),
    )
    op.create_table(
        "trial_component_artifacts",
        sa.Column("trial_component_id", BigId, nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("value", sa.String(2048), nullable=False),
        sa.Column("media_type", sa.String(256), nullable=True),
        _owned_by_run("trial_component_artifacts"),
        sa.PrimaryKeyConstraint(
            "trial_component_id", "direction", "name", name="pk_trial_component_artifacts"
        ),
    )

    op.create_table(
        "metric_points",
        _id(),
        sa.Column("trial_component_id", BigId, nullable=False),
        sa.Column("metric_name", sa.String(255), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("step", sa.BigInteger(), nullable=True),
        sa.Column("timestamp", Time, nullable=False),
        _owned_by_run("metric_points"),
        sa.PrimaryKeyConstraint("id", name="pk_metric_points"),
    )
    op.create_index(
        "ix_metric_points_series", "metric_points", ["trial_component_id", "metric_name", "step"]
    )
    op.create_table(
        "metric_summaries",
        sa.Column("trial_component_id", BigId, nullable=False),
        sa.Column("metric_name", sa.String(255), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("mean", sa.Float(), nullable=False),
        sa.Column("m2", sa.Float(), nullable=False),
        sa.Column("min", sa.Float(), nullable=True),
        sa.Column("max", sa.Float(), nullable=True),
        sa.Column("last", sa.Float(), nullable=True),
        sa.Column("time_stamp", Time, nullable=True),
        _owned_by_run("metric_summaries"),
        sa.PrimaryKeyConstraint("trial_component_id", "metric_name", name="pk_metric_summaries"),
    )


def downgrade() -> None:
    for table in (
        "metric_summaries",
        "metric_points",
        "trial_component_artifacts",
        "trial_component_parameters",
        "trial_component_trials",
        "trial_component_tags",
        "trial_components",
        "trial_tags",
        "trials",
        "experiment_tags",
        "experiments",
    ):
        op.drop_table(table)
