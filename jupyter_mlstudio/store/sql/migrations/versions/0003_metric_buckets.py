"""Downsampled metric series: min/max/last/total/count per step bucket at 10 resolutions.

Level ``L`` groups a series' points by ``floor(step / (16 * 4**L))``; a point logged
without a step counts at its sequence number (how many points of that metric the run had
before it). Existing points are folded in here, with the same rules as the store's write
path (``store/sql/buckets.py``): "last" is the value at the greatest step of the bucket,
the later-logged point winning a tie.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Frozen copies of the column types and bucket widths at this revision.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
FIRST_WIDTH = 16
FACTOR = 4
LEVELS = 10


def _floor_div(expr: str, width: int) -> str:
    # SQLite and PostgreSQL truncate integer division towards zero; steps may be negative.
    return f"(CASE WHEN {expr} >= 0 THEN {expr} / {width} ELSE ({expr} + 1) / {width} - 1 END)"


def upgrade() -> None:
    op.create_table(
        "metric_buckets",
        sa.Column("trial_component_id", BigId, nullable=False),
        sa.Column("metric_name", sa.String(255), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("min", sa.Float(), nullable=False),
        sa.Column("max", sa.Float(), nullable=False),
        sa.Column("last", sa.Float(), nullable=False),
        sa.Column("last_step", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["trial_component_id"],
            ["trial_components.id"],
            name="fk_metric_buckets_trial_component_id",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "trial_component_id", "metric_name", "level", "bucket", name="pk_metric_buckets"
        ),
        sqlite_with_rowid=False,
    )
    # Fold in the points logged before this revision, one level at a time.
    chart_step = (
        "COALESCE(step, ROW_NUMBER() OVER "
        "(PARTITION BY trial_component_id, metric_name ORDER BY id) - 1)"
    )
    points = (
        f"SELECT id, trial_component_id, metric_name, value, {chart_step} AS chart_step "
        "FROM metric_points"
    )
    for level in range(LEVELS):
        width = FIRST_WIDTH * FACTOR**level
        bucket = _floor_div("chart_step", width)
        ranked = (
            f"SELECT trial_component_id, metric_name, value, chart_step, {bucket} AS bucket, "
            "FIRST_VALUE(value) OVER (PARTITION BY trial_component_id, metric_name, "
            f"{bucket} ORDER BY chart_step DESC, id DESC) AS last_value FROM ({points}) p"
        )
        op.execute(
            "INSERT INTO metric_buckets (trial_component_id, metric_name, level, bucket, "
            "count, total, min, max, last, last_step) "
            f"SELECT trial_component_id, metric_name, {level}, bucket, COUNT(*), SUM(value), "
            "MIN(value), MAX(value), MAX(last_value), MAX(chart_step) "
            f"FROM ({ranked}) r GROUP BY trial_component_id, metric_name, bucket"
        )


def downgrade() -> None:
    op.drop_table("metric_buckets")
