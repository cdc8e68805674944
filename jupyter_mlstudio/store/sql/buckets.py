"""Downsampled metric series, kept up to date as points arrive (revision 0003).

Every (run, metric) series is summarised at ``LEVELS`` resolutions: level ``L`` groups
points into buckets of ``FIRST_WIDTH * FACTOR**L`` steps (16, 64, 256, … 4,194,304), the
bucket of a point being ``floor(step / width)``. A bucket keeps the count, the total
(for the mean), min, max, and the "last" value: the value at the greatest step in the
bucket (a later-logged point wins a tie) together with that step, which is where the
chart draws the bucket.

A point logged without a step counts at its **sequence number**: the number of points
of that metric the run had before it (0, 1, 2, … for a series logged without steps).

``log_metrics`` folds a batch in with one executemany of an upsert (``INSERT … ON
CONFLICT DO UPDATE``) in the same transaction as the points, under the same lock as the
metric summaries, so buckets stay exact with many writers. The bucket rows of a batch of
n consecutive steps are about n/12 — the cost is small next to inserting the points.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

FIRST_WIDTH = 16
FACTOR = 4
LEVELS = 10
WIDTHS = tuple(FIRST_WIDTH * FACTOR**level for level in range(LEVELS))
_FIRST_SHIFT = FIRST_WIDTH.bit_length() - 1
_FACTOR_SHIFT = FACTOR.bit_length() - 1
assert 1 << _FIRST_SHIFT == FIRST_WIDTH, "FIRST_WIDTH is a power of two"
assert 1 << _FACTOR_SHIFT == FACTOR, "FACTOR is a power of two"

# An accumulated bucket: [count, total, min, max, last, last_step].
Acc = list[Any]

_COLUMNS = "trial_component_id, metric_name, level, bucket, count, total, min, max, last, last_step"
_UPSERT = (
    f"INSERT INTO metric_buckets ({_COLUMNS}) VALUES ({{marks}}) "
    "ON CONFLICT (trial_component_id, metric_name, level, bucket) DO UPDATE SET "
    "count = metric_buckets.count + excluded.count, "
    "total = metric_buckets.total + excluded.total, "
    "min = {least}(metric_buckets.min, excluded.min), "
    "max = {greatest}(metric_buckets.max, excluded.max), "
    "last = CASE WHEN excluded.last_step >= metric_buckets.last_step "
    "THEN excluded.last ELSE metric_buckets.last END, "
    "last_step = {greatest}(metric_buckets.last_step, excluded.last_step)"
)
_SQL = {
    "sqlite": _UPSERT.format(marks=", ".join("?" * 10), least="MIN", greatest="MAX"),
    "postgresql": _UPSERT.format(marks=", ".join(["%s"] * 10), least="LEAST", greatest="GREATEST"),
}


def chart_steps(rows: Sequence[tuple[Any, ...]], counts: Mapping[str, int]) -> list[int]:
    """The step each prepared point is charted at: its step, or its sequence number.

    ``counts`` holds, per metric, how many points the run had before this batch.
    """
    seen = dict(counts)
    steps: list[int] = []
    for name, _value, step, _stamp in rows:
        number = seen.get(name, 0)
        seen[name] = number + 1
        steps.append(number if step is None else step)
    return steps


def first_level(points: Iterable[tuple[Any, ...]]) -> dict[Any, Acc]:
    """Level-0 buckets of ``(metric_name, value, chart_step, _)``, keyed ``(name, bucket)``."""
    acc: dict[Any, Acc] = {}
    get = acc.get
    shift = _FIRST_SHIFT
    for name, value, step, _ in points:
        key = (name, step >> shift)
        a = get(key)
        if a is None:
            acc[key] = [1, value, value, value, value, step]
            continue
        a[0] += 1
        a[1] += value
        if value < a[2]:
            a[2] = value
        elif value > a[3]:
            a[3] = value
        if step >= a[5]:
            a[4] = value
            a[5] = step
    return acc


def _coarser(acc: dict[Any, Acc]) -> dict[Any, Acc]:
    out: dict[Any, Acc] = {}
    shift = _FACTOR_SHIFT
    for (name, bucket), (count, total, lo, hi, last, last_step) in acc.items():
        key = (name, bucket >> shift)
        a = out.get(key)
        if a is None:
            out[key] = [count, total, lo, hi, last, last_step]
            continue
        a[0] += count
        a[1] += total
        if lo < a[2]:
            a[2] = lo
        if hi > a[3]:
            a[3] = hi
        if last_step >= a[5]:  # buckets come in batch order: a tie goes to the later one
            a[4] = last
            a[5] = last_step
    return out


def bucket_rows(
    trial_component_id: int, rows: Sequence[tuple[Any, ...]], counts: Mapping[str, int]
) -> list[tuple[Any, ...]]:
    """The upsert parameters of every level for one batch of one run."""
    params: list[tuple[Any, ...]] = []
    if any(row[2] is None for row in rows):
        steps = chart_steps(rows, counts)
        acc = first_level((r[0], r[1], step, None) for r, step in zip(rows, steps, strict=True))
    else:
        acc = first_level(rows)
    for level in range(LEVELS):
        if level:
            acc = _coarser(acc)
        params.extend(
            (trial_component_id, name, level, bucket, *values)
            for (name, bucket), values in acc.items()
        )
    return params


def upsert(connection: Connection, params: list[tuple[Any, ...]]) -> None:
    if params:
        connection.exec_driver_sql(_SQL[connection.dialect.name], params)
