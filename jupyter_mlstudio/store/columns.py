"""Metric points as columns: the batch the SDK's buffer sends and the stores write.

A :class:`MetricColumns` holds one batch of points of one run as four parallel lists
(names, values, steps, timestamps in microseconds since the epoch, UTC): no object per
point on the way from ``log_metric`` to the database, and a compact JSON body over HTTP.
:func:`check_columns` validates a batch whole, naming the first bad point as
``MetricData[i].<Field>`` like :meth:`~.base.TrackingStore.log_metrics`, so a caller
can drop that point alone and send the rest again.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import compress

from ..entities import MetricPoint
from ..entities.common import METRIC_NAME_MAX
from ..exceptions import ValidationError

#: microseconds since the epoch of 0001-01-01 and of 9999-12-31 23:59:59.999999 (UTC)
MIN_MICROS = -62_135_596_800_000_000
MAX_MICROS = 253_402_300_799_999_999
_STEP_LIMIT = 2**63
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_NAIVE_EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True)
class MetricColumns:
    """One batch of metric points of one run, as columns of equal length.

    Args:
        names: Each point's metric name.
        values: Each point's value (finite).
        steps: Each point's step (0 to 2**63 - 1), or None.
        timestamps: Each point's time, in whole microseconds since 1970-01-01 UTC.
    """

    names: Sequence[str]
    values: Sequence[float]
    steps: Sequence[int | None]
    timestamps: Sequence[int]

    def __len__(self) -> int:
        return len(self.values)

    @classmethod
    def from_points(cls, points: Iterable[MetricPoint]) -> MetricColumns:
        """The columns of ``points``.

        Args:
            points: Metric points (their timestamps aware or naive UTC).

        Returns:
            The same points as columns.
        """
        names: list[str] = []
        values: list[float] = []
        steps: list[int | None] = []
        stamps: list[int] = []
        for point in points:
            names.append(point.metric_name)
            values.append(point.value)
            steps.append(point.step)
            stamps.append(micros_of(point.timestamp))
        return cls(names, values, steps, stamps)

    def slice(self, start: int, stop: int) -> MetricColumns:
        """Points ``start`` to ``stop - 1``.

        Args:
            start: The first point.
            stop: One past the last point.

        Returns:
            Those points as columns.
        """
        return MetricColumns(
            self.names[start:stop],
            self.values[start:stop],
            self.steps[start:stop],
            self.timestamps[start:stop],
        )

    def without(self, index: int) -> MetricColumns:
        """Every point but one.

        Args:
            index: The point to leave out.

        Returns:
            The other points as columns, in order.
        """
        keep = [i != index for i in range(len(self))]
        return MetricColumns(
            list(compress(self.names, keep)),
            list(compress(self.values, keep)),
            list(compress(self.steps, keep)),
            list(compress(self.timestamps, keep)),
        )

    def to_points(self) -> list[MetricPoint]:
        """The points as :class:`MetricPoint` objects (aware UTC timestamps).

        Returns:
            One point a row, in order.
        """
        return [
            MetricPoint(metric_name=n, value=v, step=s, timestamp=datetime_of(t))
            for n, v, s, t in zip(self.names, self.values, self.steps, self.timestamps, strict=True)
        ]


def micros_of(stamp: datetime) -> int:
    """Whole microseconds since the epoch of a datetime (naive means UTC).

    Args:
        stamp: The moment.

    Returns:
        Its microseconds since 1970-01-01 UTC.
    """
    if stamp.tzinfo is None:
        return (stamp - _NAIVE_EPOCH) // timedelta(microseconds=1)
    return (stamp - _EPOCH) // timedelta(microseconds=1)


def datetime_of(micros: int) -> datetime:
    """The aware UTC datetime of microseconds since the epoch.

    Args:
        micros: Microseconds since 1970-01-01 UTC.

    Returns:
        That moment.
    """
    return _EPOCH + timedelta(microseconds=micros)


def sqlite_texts(micros: Sequence[int]) -> list[str]:
    """Timestamps as the SQL store keeps them on SQLite (``YYYY-MM-DD HH:MM:SS.ffffff``,
    naive UTC), formatting each second once.

    Args:
        micros: Microseconds since the epoch.

    Returns:
        The texts, in order.
    """
    prefixes: dict[int, str] = {}  # second -> "YYYY-MM-DD HH:MM:SS.%06d"
    texts: list[str] = []
    append = texts.append
    for us in micros:
        second = us // 1_000_000
        prefix = prefixes.get(second)
        if prefix is None:
            prefix = prefixes[second] = f"{_NAIVE_EPOCH + timedelta(seconds=second)}.%06d"
        append(prefix % (us - second * 1_000_000))
    return texts


def _bad(index: int, field: str, message: str) -> ValidationError:
    return ValidationError(
        f"MetricData[{index}].{field} {message}", field=f"MetricData[{index}].{field}"
    )


def check_columns(columns: MetricColumns) -> MetricColumns:
    """Validate a batch whole; nothing of it may be written when one point is bad.

    Args:
        columns: The batch.

    Returns:
        The batch with every value a ``float`` (ints converted).

    Raises:
        ValidationError: ``field="MetricData"`` for columns of unequal length;
            ``MetricData[i].<MetricName|Value|Step|Timestamp>`` for the first bad point.
    """
    if not isinstance(columns, MetricColumns):
        raise ValidationError("MetricData must be MetricColumns", field="MetricData")
    n = len(columns.values)
    if not len(columns.names) == len(columns.steps) == len(columns.timestamps) == n:
        raise ValidationError(
            "MetricData: names, values, steps and timestamps must be of equal length",
            field="MetricData",
        )
    try:
        unique: Iterable[object] = set(columns.names)
    except TypeError:  # an unhashable name: look at every one
        unique = columns.names
    for name in unique:
        if not isinstance(name, str) or not name or len(name) > METRIC_NAME_MAX:
            index = next(i for i, n in enumerate(columns.names) if n is name or n == name)
            raise _bad(index, "MetricName", f"must be 1 to {METRIC_NAME_MAX} characters")
    values = columns.values
    if not set(map(type, values)) <= {float}:
        converted: list[float] = []
        for i, v in enumerate(values):
            if isinstance(v, bool) or not isinstance(v, int | float):
                raise _bad(i, "Value", f"must be a number (got {type(v).__name__})")
            converted.append(float(v))
        values = converted
    if not all(map(math.isfinite, values)):
        index = next(i for i, v in enumerate(values) if not math.isfinite(v))
        raise _bad(index, "Value", f"must be a finite number (got {values[index]!r})")
    steps = columns.steps
    present = [s for s in steps if s is not None]
    if present and not (
        set(map(type, present)) == {int} and min(present) >= 0 and max(present) < _STEP_LIMIT
    ):
        for i, s in enumerate(steps):
            if s is not None and (type(s) is not int or not 0 <= s < _STEP_LIMIT):
                raise _bad(i, "Step", f"must be 0 to 2**63 - 1, as on SageMaker (got {s!r})")
    stamps = columns.timestamps
    if n and not (
        set(map(type, stamps)) == {int} and min(stamps) >= MIN_MICROS and max(stamps) <= MAX_MICROS
    ):
        for i, t in enumerate(stamps):
            if type(t) is not int or not MIN_MICROS <= t <= MAX_MICROS:
                raise _bad(
                    i,
                    "Timestamp",
                    f"must be microseconds since the epoch in years 1 to 9999 (got {t!r})",
                )
    if values is columns.values:
        return columns
    return MetricColumns(columns.names, values, columns.steps, columns.timestamps)
