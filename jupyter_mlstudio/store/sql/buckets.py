"""Downsampled metric series, kept up to date as points arrive (revisions 0003, 0005).

Every (run, metric) series is summarised at ``LEVELS`` resolutions: level ``L`` groups
points into buckets of ``FIRST_WIDTH * FACTOR**L`` steps (16, 64, 256, … 4,194,304), the
bucket of a point being ``floor(step / width)``. A bucket keeps the count, the mean,
min, max, and the "last" value: the value at the greatest step in the bucket (a
later-logged point wins a tie) together with that step, which is where the chart draws
the bucket.

A bucket keeps its mean, not a total (revision 0005): totals of large values overflow
to infinity, and PostgreSQL refuses float arithmetic that overflows or underflows
(``1e308 + 1e308``, ``5e-324 * 0.5``). So no float arithmetic happens in SQL: means are
merged in Python with ``stats.combine_means``, which never leaves the values' range.

A point logged without a step counts at its **sequence number**: the number of points
of that metric the run had before it (0, 1, 2, … for a series logged without steps).

``fold`` merges a batch in the same transaction as the points, under the same lock as
the metric summaries, so buckets stay exact with many writers: it reads the stored
buckets the batch touches (none for a metric's first batch), merges, and writes them
with one executemany of an upsert (``INSERT … ON CONFLICT DO UPDATE``). The bucket rows
of a batch of n consecutive steps are about n/12 — the cost is small next to inserting
the points.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from . import stats

FIRST_WIDTH = 16
FACTOR = 4
LEVELS = 10
WIDTHS = tuple(FIRST_WIDTH * FACTOR**level for level in range(LEVELS))
_FIRST_SHIFT = FIRST_WIDTH.bit_length() - 1
_FACTOR_SHIFT = FACTOR.bit_length() - 1
assert 1 << _FIRST_SHIFT == FIRST_WIDTH, "FIRST_WIDTH is a power of two"
assert 1 << _FACTOR_SHIFT == FACTOR, "FACTOR is a power of two"

# An accumulated bucket: [count, mean, min, max, last, last_step].
Acc = list[Any]

_COLUMNS = "trial_component_id, metric_name, level, bucket, count, mean, min, max, last, last_step"
_UPSERT = (
    f"INSERT INTO metric_buckets ({_COLUMNS}) VALUES ({{marks}}) "
    "ON CONFLICT (trial_component_id, metric_name, level, bucket) DO UPDATE SET "
    "count = excluded.count, mean = excluded.mean, min = excluded.min, max = excluded.max, "
    "last = excluded.last, last_step = excluded.last_step"
)
_SQL = {
    "sqlite": _UPSERT.format(marks=", ".join("?" * 10)),
    "postgresql": _UPSERT.format(marks=", ".join(["%s"] * 10)),
}
_READ = (
    "SELECT metric_name, level, bucket, count, mean, min, max, last, last_step"
    " FROM metric_buckets WHERE trial_component_id ="
)
_READ_KEYS = 5000


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


def first_level(points: Sequence[tuple[Any, ...]]) -> dict[Any, Acc]:
    """Level-0 buckets of ``(metric_name, value, chart_step, _)``, keyed ``(name, bucket)``."""
    acc: dict[Any, Acc] = {}
    get = acc.get
    shift = _FIRST_SHIFT
    # Totals first (fast), turned into means below; a total that overflowed is redone.
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
    overflowed = set()
    for key, a in acc.items():
        if math.isfinite(a[1]):
            a[1] /= a[0]
        else:
            overflowed.add(key)
    if overflowed:
        values: dict[Any, list[float]] = {key: [] for key in overflowed}
        for name, value, step, _ in points:
            group = values.get((name, step >> shift))
            if group is not None:
                group.append(value)
        for key, group in values.items():
            acc[key][1] = stats.mean(group)
    return acc


def _coarser(acc: dict[Any, Acc]) -> dict[Any, Acc]:
    out: dict[Any, Acc] = {}
    shift = _FACTOR_SHIFT
    for (name, bucket), (count, mean, lo, hi, last, last_step) in acc.items():
        key = (name, bucket >> shift)
        a = out.get(key)
        if a is None:
            out[key] = [count, mean, lo, hi, last, last_step]
            continue
        a[1] = stats.combine_means(a[0], a[1], count, mean)
        a[0] += count
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
    """The bucket rows of every level for one batch of one run (before merging)."""
    params: list[tuple[Any, ...]] = []
    if any(row[2] is None for row in rows):
        steps = chart_steps(rows, counts)
        acc = first_level([(r[0], r[1], step, None) for r, step in zip(rows, steps, strict=True)])
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


def fold(
    connection: Connection,
    trial_component_id: int,
    rows: Sequence[tuple[Any, ...]],
    counts: Mapping[str, int],
) -> None:
    """Merge one batch of prepared points into the stored buckets, in the caller's
    transaction (which holds the metric summaries' locks).

    ``counts`` holds, per metric, how many points the run had before this batch.
    """
    params = bucket_rows(trial_component_id, rows, counts)
    if not params:
        return
    stored = _stored(connection, trial_component_id, params, counts)
    if stored:
        params = [_merged(row, stored.get(row[1:4])) for row in params]
    connection.exec_driver_sql(_SQL[connection.dialect.name], params)


def _stored(
    connection: Connection,
    trial_component_id: int,
    params: list[tuple[Any, ...]],
    counts: Mapping[str, int],
) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """The stored buckets among ``params``: ``(name, level, bucket)`` → the rest.

    Plain SQL with at most ``_READ_KEYS`` bucket numbers a statement: building it costs
    far less than a Core expression of that size, and stays under SQLite's limit of
    bound parameters however sparse the batch's steps are.
    """
    wanted: dict[tuple[str, int], list[int]] = {}
    for _, name, level, bucket, *_values in params:
        if counts.get(name):  # a metric's first batch finds no buckets
            wanted.setdefault((name, level), []).append(bucket)
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    stored: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    clauses: list[str] = []
    args: list[Any] = [trial_component_id]

    def read() -> None:
        sql = f"{_READ} {mark} AND ({' OR '.join(clauses)})"
        for row in connection.exec_driver_sql(sql, tuple(args)):
            stored[tuple(row[:3])] = tuple(row[3:])
        clauses.clear()
        del args[1:]

    for (name, level), buckets in wanted.items():
        for start in range(0, len(buckets), _READ_KEYS):
            chunk = buckets[start : start + _READ_KEYS]
            if clauses and len(args) + len(chunk) > _READ_KEYS:
                read()
            marks = ", ".join([mark] * len(chunk))
            clauses.append(f"(metric_name = {mark} AND level = {mark} AND bucket IN ({marks}))")
            args.extend((name, level, *chunk))
    if clauses:
        read()
    return stored


def _merged(new: tuple[Any, ...], old: tuple[Any, ...] | None) -> tuple[Any, ...]:
    """A batch's bucket row with the stored bucket folded in (a tie goes to the batch)."""
    if old is None:
        return new
    run_id, name, level, bucket, count, mean, low, high, last, last_step = new
    old_count, old_mean, old_low, old_high, old_last, old_step = old
    newer = last_step >= old_step
    return (
        run_id,
        name,
        level,
        bucket,
        old_count + count,
        stats.combine_means(old_count, old_mean, count, mean),
        min(old_low, low),
        max(old_high, high),
        last if newer else old_last,
        last_step if newer else old_step,
    )
