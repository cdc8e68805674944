"""Helpers shared by the store contract modules."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from ..entities import MetricPoint

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def points(name: str, values: list[float], *, start: int = 0) -> list[MetricPoint]:
    return [
        MetricPoint(
            metric_name=name, value=v, step=start + i, timestamp=T0 + timedelta(seconds=start + i)
        )
        for i, v in enumerate(values)
    ]


def assert_aware(value: datetime | None) -> None:
    assert value is not None
    assert value.tzinfo is not None
    assert value.utcoffset() == timedelta(0)


def expect(error: type[Exception], field: str | None = None) -> Any:
    """``pytest.raises`` that also checks the ValidationError's field."""

    class _Check:
        def __enter__(self) -> Any:
            self._ctx = pytest.raises(error)
            self._info = self._ctx.__enter__()
            return self._info

        def __exit__(self, *exc: Any) -> bool:
            handled = self._ctx.__exit__(*exc)
            if field is not None:
                assert getattr(self._info.value, "field", None) == field
            return bool(handled)

    return _Check()
