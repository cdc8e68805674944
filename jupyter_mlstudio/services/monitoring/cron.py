"""When a monitoring schedule runs and which window of captured data each run reads.

SageMaker takes a few forms of ``ScheduleExpression`` only: ``cron(0 * ? * * *)`` (hourly),
``cron(0 H ? * * *)`` (daily at hour H), ``cron(0 H/N ? * * *)`` (every N hours from hour
H) and ``NOW`` (one run, at once, over ``DataAnalysisStartTime``..``DataAnalysisEndTime``).
Each cron form becomes a five-field expression for croniter, which says when it fires.
A scheduled run at time T reads the records captured in ``[T + start offset, T + end
offset)``; the offsets are negative ISO-8601 durations (``-PT1H``, ``-P1D``), by default
the hour before T.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from croniter import croniter

from ...exceptions import ValidationError

NOW = "NOW"
DEFAULT_START_OFFSET = "-PT1H"
DEFAULT_END_OFFSET = "-PT0H"
_CRON = re.compile(r"^cron\(0 (\*|\d{1,2}|\d{1,2}/\d{1,2}) \? \* \* \*\)$")
_OFFSET = re.compile(r"^-P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
ALLOWED = (
    "NOW, cron(0 * ? * * *) (hourly), cron(0 H ? * * *) (daily at hour H) or"
    " cron(0 H/N ? * * *) (every N hours from hour H)"
)


@dataclass(frozen=True)
class Schedule:
    """A checked ``ScheduleExpression``: ``cron`` is croniter's form, None for NOW."""

    expression: str
    cron: str | None

    @property
    def once(self) -> bool:
        return self.cron is None

    def latest(self, now: datetime) -> datetime:
        """The last time at or before ``now`` that the expression fired."""
        assert self.cron is not None
        return croniter(self.cron, now + timedelta(microseconds=1)).get_prev(datetime)

    def next(self, now: datetime) -> datetime:
        """The first time after ``now`` that the expression fires."""
        assert self.cron is not None
        return croniter(self.cron, now).get_next(datetime)


def parse_schedule(expression: object, *, field: str) -> Schedule:
    """Check a ``ScheduleExpression`` against SageMaker's forms.

    Args:
        expression: The request's value.
        field: The member a refusal names.

    Returns:
        The schedule.

    Raises:
        ValidationError: Not one of the forms SageMaker allows.
    """
    if not isinstance(expression, str) or not expression.strip():
        raise ValidationError(f"give a schedule expression: {ALLOWED}", field=field)
    text = expression.strip()
    if text == NOW:
        return Schedule(text, None)
    found = _CRON.match(text)
    if found is None:
        raise ValidationError(
            f"{text!r} is not a schedule SageMaker allows: {ALLOWED}", field=field
        )
    hours = found.group(1)
    if hours != "*":
        start, _, step = hours.partition("/")
        if not 0 <= int(start) <= 23 or (step and not 1 <= int(step) <= 23):
            raise ValidationError(
                f"{text!r}: the hour must be 0 to 23 and the interval 1 to 23", field=field
            )
        hours = f"{int(start)}/{int(step)}" if step else str(int(start))
    return Schedule(text, f"0 {hours} * * *")


def parse_offset(value: object, *, field: str) -> timedelta:
    """A negative ISO-8601 duration (``-PT1H``, ``-P1DT6H``, ``-PT0H``) as a timedelta.

    Args:
        value: The request's value.
        field: The member a refusal names.

    Returns:
        The offset (zero or negative).

    Raises:
        ValidationError: Not a negative ISO-8601 duration in days, hours, minutes, seconds.
    """
    found = _OFFSET.match(value) if isinstance(value, str) else None
    if found is None or value in ("-P", "-PT"):
        raise ValidationError(
            f"{value!r} is not a negative ISO-8601 duration such as -PT1H or -P1D", field=field
        )
    days, hours, minutes, seconds = (int(g or 0) for g in found.groups())
    return -timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


@dataclass(frozen=True)
class Window:
    """The captured records a run reads: ``start <= inferenceTime < end``."""

    start: datetime
    end: datetime

    def hours(self) -> list[datetime]:
        """The hours (capture folders) the window touches, oldest first."""
        hour = self.start.replace(minute=0, second=0, microsecond=0)
        found = []
        while hour < self.end:
            found.append(hour)
            hour += timedelta(hours=1)
        return found


def window(at: datetime, start_offset: timedelta, end_offset: timedelta) -> Window:
    """The window of a run at ``at`` with the schedule's offsets."""
    return Window(at + start_offset, at + end_offset)
