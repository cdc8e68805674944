"""Metric points and their exact running summaries.

Points go in with one Core ``INSERT`` executed as executemany (no ORM object per point).
Each (run, metric) summary keeps count, min, max, last, the time stamp of the last point,
the mean and the population standard deviation; a batch is folded in with Chan et al.'s
parallel update (``stats.py``), so ``avg`` and ``std_dev`` are computed, never estimated,
whatever the batch sizes and however many processes write at once, and stay finite for
every finite input (no sum or square of the values is ever formed). The summary rows are
locked (``SELECT ... FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite) in the
same transaction as the insert.

"Last" is the value of the point with the latest timestamp; among points with the same
timestamp the one logged last wins.

The same transaction folds the batch into the downsampled series of ``buckets.py``.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Connection,
    Table,
    bindparam,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from ...entities import MetricPoint
from ...entities.common import METRIC_NAME_MAX, validate_time
from ...exceptions import ValidationError
from ..columns import MetricColumns, datetime_of, sqlite_texts
from . import buckets, stats
from .models import MetricPointRow, MetricSummaryRow

_points = cast(Table, MetricPointRow.__table__)
_summaries = cast(Table, MetricSummaryRow.__table__)
_STEP_LIMIT = 2**63

_UTC = timezone.utc


@dataclass
class _Batch:
    """What one batch adds to one metric's summary."""

    count: int
    mean: float
    std_dev: float
    min: float
    max: float
    last: float
    time_stamp: datetime


# A prepared point: (metric_name, value, step, timestamp). The timestamp is a UTC
# datetime, or on SQLite already the text ``UTCDateTime`` stores (it sorts in time order).
Point = tuple[str, float, "int | None", "datetime | str"]


def prepare_points(points: Sequence[MetricPoint], *, sqlite_text: bool = False) -> list[Point]:
    """Validate every point (nothing is written if one is bad) and put them in driver form."""
    if isinstance(points, str | bytes) or not isinstance(points, Sequence):
        raise ValidationError("MetricData must be a list of metric points", field="MetricData")
    rows: list[Point] = []
    append = rows.append
    isfinite = math.isfinite
    for i, point in enumerate(points):
        if not isinstance(point, MetricPoint):
            raise ValidationError(
                f"MetricData[{i}] must be a MetricPoint", field=f"MetricData[{i}]"
            )
        name = point.metric_name
        if not name or len(name) > METRIC_NAME_MAX:
            raise ValidationError(
                f"MetricData[{i}].MetricName must be 1 to {METRIC_NAME_MAX} characters",
                field=f"MetricData[{i}].MetricName",
            )
        value = point.value
        if not isfinite(value):
            raise ValidationError(
                f"MetricData[{i}].Value must be a finite number (got {value!r})",
                field=f"MetricData[{i}].Value",
            )
        step = point.step
        if step is not None and not 0 <= step < _STEP_LIMIT:
            raise ValidationError(
                f"MetricData[{i}].Step must be 0 to 2**63 - 1, as on SageMaker (got {step})",
                field=f"MetricData[{i}].Step",
            )
        stamp = point.timestamp
        if stamp.tzinfo is not _UTC:
            stamp = validate_time(stamp, field=f"MetricData[{i}].Timestamp")
        if sqlite_text:
            append((name, float(value), step, stamp.isoformat(" ", "microseconds")[:-6]))
        else:
            append((name, float(value), step, stamp))
    return rows


def prepare_columns(columns: MetricColumns, *, sqlite_text: bool = False) -> list[Point]:
    """Rows in driver form from a batch :func:`~..columns.check_columns` validated."""
    if sqlite_text:
        stamps: Sequence[datetime | str] = sqlite_texts(columns.timestamps)
    else:
        stamps = [datetime_of(us) for us in columns.timestamps]
    return list(zip(columns.names, columns.values, columns.steps, stamps, strict=True))


def summarize_columns(columns: MetricColumns) -> dict[str, _Batch] | None:
    """:func:`summarize` straight from the columns of a batch of one metric whose times
    never go back (the SDK's usual batch); None for any other batch."""
    names, values, stamps = columns.names, columns.values, columns.timestamps
    if not values or names.count(names[0]) != len(names):
        return None
    if any(map(operator.gt, stamps[:-1], stamps[1:])):
        return None  # "last" would need the latest time, not the last point
    mean, std_dev = stats.describe(values)
    batch = _Batch(
        len(values), mean, std_dev, min(values), max(values), values[-1], datetime_of(stamps[-1])
    )
    return {names[0]: batch}


def sqlite_timestamp(stamp: datetime) -> str:
    """A UTC datetime as ``UTCDateTime`` stores it on SQLite (naive UTC, microseconds)."""
    return stamp.astimezone(_UTC).isoformat(" ", "microseconds")[:-6]  # drop "+00:00"


def _as_datetime(stamp: datetime | str) -> datetime:
    if isinstance(stamp, str):
        return datetime.fromisoformat(stamp).replace(tzinfo=_UTC)
    return stamp


def summarize(rows: Sequence[Point]) -> dict[str, _Batch]:
    values: dict[str, list[float]] = {}
    lasts: dict[str, tuple[Any, float]] = {}
    for name, value, _step, stamp in rows:
        series = values.get(name)
        if series is None:
            values[name] = [value]
            lasts[name] = (stamp, value)
            continue
        series.append(value)
        if stamp >= lasts[name][0]:
            lasts[name] = (stamp, value)
    batches: dict[str, _Batch] = {}
    for name, series in values.items():
        mean, std_dev = stats.describe(series)
        stamp, last = lasts[name]
        batches[name] = _Batch(
            len(series), mean, std_dev, min(series), max(series), last, _as_datetime(stamp)
        )
    return batches


_POINT_COLUMNS = ("metric_name", "value", "step", "timestamp")


def _insert_points(connection: Connection, trial_component_id: int, rows: list[Point]) -> None:
    """One executemany of the Core INSERT, with the values already in driver form.

    The statement is compiled once per call (the run id inlined as an integer literal)
    and the rows go to the driver as they are: skipping SQLAlchemy's per-row parameter
    processing more than doubles the insert rate. The values are exactly what the
    column types would bind (see ``sqlite_timestamp``; psycopg binds aware datetimes).
    """
    run_id = literal_column(str(int(trial_component_id)), BigInteger)
    compiled = (
        insert(_points)
        .values(trial_component_id=run_id)
        .compile(dialect=connection.dialect, column_keys=list(_POINT_COLUMNS))
    )
    params: list[Any]
    if compiled.positional:
        assert tuple(compiled.positiontup or ()) == _POINT_COLUMNS, compiled.positiontup
        params = rows
    else:
        params = [dict(zip(_POINT_COLUMNS, row, strict=True)) for row in rows]
    connection.exec_driver_sql(str(compiled), params)


def merge(row: Any, batch: _Batch) -> dict[str, Any]:
    """The summary after folding ``batch`` into ``row`` (a metric_summaries row)."""
    if not row.count:
        return {
            "count": batch.count,
            "mean": batch.mean,
            "std_dev": batch.std_dev,
            "min": batch.min,
            "max": batch.max,
            "last": batch.last,
            "time_stamp": batch.time_stamp,
        }
    low, high = min(row.min, batch.min), max(row.max, batch.max)
    mean, std_dev = stats.combine(
        (row.count, row.mean, row.std_dev), (batch.count, batch.mean, batch.std_dev), low, high
    )
    newer = row.time_stamp is None or batch.time_stamp >= row.time_stamp
    return {
        "count": row.count + batch.count,
        "mean": mean,
        "std_dev": std_dev,
        "min": low,
        "max": high,
        "last": batch.last if newer else row.last,
        "time_stamp": batch.time_stamp if newer else row.time_stamp,
    }


def log_points(
    connection: Connection,
    trial_component_id: int,
    rows: list[Point],
    batches: dict[str, _Batch] | None = None,
) -> None:
    """Insert prepared rows and fold them into the summaries, in the caller's transaction
    (``batches``: what :func:`summarize` gives for ``rows``, when the caller has it)."""
    if not rows:
        return
    if batches is None:
        batches = summarize(rows)
    names = sorted(batches)
    dialect_insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    # Placeholders first, so every summary row exists and can be locked in name order.
    connection.execute(
        dialect_insert(_summaries).on_conflict_do_nothing(),
        [
            {"trial_component_id": trial_component_id, "metric_name": name, "count": 0}
            for name in names
        ],
    )
    current = connection.execute(
        select(_summaries)
        .where(
            _summaries.c.trial_component_id == trial_component_id,
            _summaries.c.metric_name.in_(names),
        )
        .order_by(_summaries.c.metric_name)
        .with_for_update()
    ).all()
    # Points and buckets go in under the summary locks, so that ids, sequence numbers
    # and buckets follow the order in which the batches took the locks.
    _insert_points(connection, trial_component_id, rows)
    counts = {row.metric_name: int(row._mapping["count"]) for row in current}
    buckets.fold(connection, trial_component_id, rows, counts)
    updates = [
        {
            "b_id": trial_component_id,
            "b_name": row.metric_name,
            **merge(row, batches[row.metric_name]),
        }
        for row in current
    ]
    connection.execute(
        update(_summaries).where(
            _summaries.c.trial_component_id == bindparam("b_id"),
            _summaries.c.metric_name == bindparam("b_name"),
        ),
        updates,
    )


def series(connection: Connection, trial_component_id: int, metric_name: str) -> list[MetricPoint]:
    result = connection.execute(
        select(_points.c.metric_name, _points.c.value, _points.c.step, _points.c.timestamp)
        .where(
            _points.c.trial_component_id == trial_component_id,
            _points.c.metric_name == metric_name,
        )
        .order_by(_points.c.step.asc().nulls_last(), _points.c.timestamp, _points.c.id)
    )
    # Rows come from the database already typed: skip re-validating each point.
    return [
        MetricPoint.model_construct(metric_name=name, value=value, step=step, timestamp=stamp)
        for name, value, step, stamp in result
    ]
