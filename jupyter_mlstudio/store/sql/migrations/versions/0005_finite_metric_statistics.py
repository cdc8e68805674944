"""Metric statistics that cannot overflow: summaries keep the population standard deviation
instead of M2 (the sum of squared deviations), and buckets keep their mean instead of
their total. M2 and totals of large finite values overflow to infinity (``{1e200,
-1e200}`` has an M2 of 2e400); a standard deviation or a mean of finite values never does.

Rows that an overflow already spoiled (an infinite or NaN mean, M2 or total) are
recomputed from the run's points.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Frozen copies of the bucket widths at this revision (never import the live modules).
FIRST_WIDTH = 16
FACTOR = 4
# Bucket totals from TINY to the largest float divide by their count in SQL without
# PostgreSQL's underflow or overflow errors; the others are divided here.
TINY = 1e-290
HUGE = sys.float_info.max


def _scaled(values: Sequence[float]) -> tuple[list[float], int]:
    exponent = math.frexp(max(abs(v) for v in values))[1]
    return [math.ldexp(v, -exponent) for v in values], exponent


def _mean_std(values: Sequence[float]) -> tuple[float, float]:
    """Mean and population standard deviation, computed where nothing overflows."""
    scaled, exponent = _scaled(values)
    mean = math.fsum(scaled) / len(scaled)
    variance = math.fsum([(x - mean) * (x - mean) for x in scaled]) / len(scaled)
    low, high = min(values), max(values)

    def back(x: float) -> float:
        try:
            return math.ldexp(x, exponent)
        except OverflowError:
            return math.copysign(HUGE, x)

    return (
        min(max(back(mean), low), high),
        min(back(math.sqrt(variance)), high * 0.5 - low * 0.5),
    )


class _Points:
    """The points of a (run, metric), read once, with their chart steps."""

    def __init__(self, bind: sa.Connection) -> None:
        self._bind = bind
        self._cache: dict[tuple[int, str], list[tuple[int, float]]] = {}

    def of(self, run_id: int, name: str) -> list[tuple[int, float]]:
        key = (run_id, name)
        if key not in self._cache:
            rows = self._bind.execute(
                sa.text(
                    "SELECT step, value FROM metric_points WHERE trial_component_id = :r"
                    " AND metric_name = :n ORDER BY id"
                ),
                {"r": run_id, "n": name},
            )
            # A point without a step is charted at its sequence number.
            self._cache[key] = [
                (number if step is None else step, value)
                for number, (step, value) in enumerate(rows)
            ]
        return self._cache[key]


def _summaries(bind: sa.Connection, points: _Points) -> None:
    with op.batch_alter_table("metric_summaries") as batch:
        batch.add_column(sa.Column("std_dev", sa.Float(), nullable=True))
    rows = bind.execute(
        sa.text("SELECT trial_component_id, metric_name, count, mean, m2 FROM metric_summaries")
    ).all()
    updates: list[dict[str, Any]] = []
    for run_id, name, count, mean, m2 in rows:
        if not count:  # a placeholder row
            mean, std_dev = 0.0, 0.0
        elif math.isfinite(mean) and math.isfinite(m2):
            std_dev = math.sqrt(max(m2, 0.0) / count)
        else:
            values = [value for _, value in points.of(run_id, name)]
            mean, std_dev = _mean_std(values) if values else (0.0, 0.0)
        updates.append({"r": run_id, "n": name, "mean": mean, "std": std_dev})
    if updates:
        bind.execute(
            sa.text(
                "UPDATE metric_summaries SET mean = :mean, std_dev = :std"
                " WHERE trial_component_id = :r AND metric_name = :n"
            ),
            updates,
        )
    with op.batch_alter_table("metric_summaries") as batch:
        batch.alter_column("std_dev", existing_type=sa.Float(), nullable=False)
        batch.drop_column("m2")


def _buckets(bind: sa.Connection, points: _Points) -> None:
    op.execute("ALTER TABLE metric_buckets RENAME COLUMN total TO mean")
    outside = "count > 1 AND NOT (ABS(mean) >= :tiny AND ABS(mean) <= :huge)"
    bounds = {"tiny": TINY, "huge": HUGE}
    special = bind.execute(
        sa.text(
            "SELECT trial_component_id, metric_name, level, bucket, count, mean"
            f" FROM metric_buckets WHERE {outside}"
        ),
        bounds,
    ).all()
    bind.execute(
        sa.text(
            f"UPDATE metric_buckets SET mean = mean / count WHERE count > 1 AND NOT ({outside})"
        ),
        bounds,
    )
    updates: list[dict[str, Any]] = []
    for run_id, name, level, bucket, count, total in special:
        if math.isfinite(total):
            mean = total / count
        else:
            width = FIRST_WIDTH * FACTOR**level
            values = [v for step, v in points.of(run_id, name) if step // width == bucket]
            mean = _mean_std(values)[0] if values else 0.0
        updates.append({"r": run_id, "n": name, "l": level, "b": bucket, "mean": mean})
    if updates:
        bind.execute(
            sa.text(
                "UPDATE metric_buckets SET mean = :mean WHERE trial_component_id = :r"
                " AND metric_name = :n AND level = :l AND bucket = :b"
            ),
            updates,
        )


def upgrade() -> None:
    bind = op.get_bind()
    points = _Points(bind)
    _summaries(bind, points)
    _buckets(bind, points)


def downgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("metric_summaries") as batch:
        batch.add_column(sa.Column("m2", sa.Float(), nullable=True))
    rows = bind.execute(
        sa.text("SELECT trial_component_id, metric_name, count, std_dev FROM metric_summaries")
    ).all()
    updates = [
        {"r": run_id, "n": name, "m2": std_dev * std_dev * count}
        for run_id, name, count, std_dev in rows
    ]
    if updates:
        bind.execute(
            sa.text(
                "UPDATE metric_summaries SET m2 = :m2"
                " WHERE trial_component_id = :r AND metric_name = :n"
            ),
            updates,
        )
    with op.batch_alter_table("metric_summaries") as batch:
        batch.alter_column("m2", existing_type=sa.Float(), nullable=False)
        batch.drop_column("std_dev")
    rows = bind.execute(
        sa.text(
            "SELECT trial_component_id, metric_name, level, bucket, count, mean FROM metric_buckets"
        )
    ).all()
    op.execute("ALTER TABLE metric_buckets RENAME COLUMN mean TO total")
    updates = [
        {"r": r, "n": n, "l": level, "b": b, "total": mean * count}
        for r, n, level, b, count, mean in rows
    ]
    if updates:
        bind.execute(
            sa.text(
                "UPDATE metric_buckets SET total = :total WHERE trial_component_id = :r"
                " AND metric_name = :n AND level = :l AND bucket = :b"
            ),
            updates,
        )
