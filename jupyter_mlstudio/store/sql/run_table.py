"""The runs of one experiment as a table: server-side sort, filters and keyset pages.

Sort keys: ``CreationTime`` and ``Name`` (indexed columns of ``trial_components``), a
parameter ``Parameters.<name>`` (its number value) or a metric summary
``Metrics.<name>.<Last|Min|Max|Avg>``. Parameter and metric keys come from an outer join
on the primary keys of ``trial_component_parameters`` / ``metric_summaries``
(``(trial_component_id, name)``), so runs without the value sort last in either order.

A page continues strictly after the last row by ``(key is null, key, id)``; its token is
URL-safe base64 of JSON ``{"s": scope, "k": key, "i": id}`` with the key wrapped by type
(``{"dt": iso}``, ``{"n": number}``, ``{"t": text}`` or ``null``). The scope names the
experiment, sort key and order, so a token of another listing is refused.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session, aliased

from ... import entities as e
from ...entities.common import METRIC_NAME_MAX, validate_time
from ...exceptions import ConflictError, ValidationError
from ..base import RunRange, SortOrder
from . import convert, runs, validation
from .lookups import get_id
from .models import (
    ExperimentRow,
    MetricSummaryRow,
    ParameterRow,
    TrialComponentRow,
    TrialComponentTrialRow,
    TrialRow,
)
from .paging import check_max_results, check_sort_order

_TC = TrialComponentRow
_TCT = TrialComponentTrialRow
_STATS = {"Last": "last", "Min": "min", "Max": "max", "Avg": "mean"}
_ID_LIMIT = 2**63


def _bad(field: str, message: str) -> ValidationError:
    return ValidationError(message, field=field)


def parse_key(key: Any, field: str = "SortBy") -> tuple[str, str, str | None]:
    """``(kind, name, stat)`` of a sort or range key; kind is column, param or metric.

    Raises:
        ValidationError: naming ``field`` for any other key.
    """
    if key in ("CreationTime", "Name"):
        return "column", key, None
    if isinstance(key, str) and key.startswith("Parameters.") and len(key) > len("Parameters."):
        name = key[len("Parameters.") :]
        if len(name) <= 256:
            return "param", name, None
    if isinstance(key, str) and key.startswith("Metrics."):
        name, _, stat = key[len("Metrics.") :].rpartition(".")
        if name and len(name) <= METRIC_NAME_MAX and stat in _STATS:
            return "metric", name, stat
    raise _bad(
        field,
        f"{field} must be CreationTime, Name, Parameters.<name> or "
        "Metrics.<name>.<Last|Min|Max|Avg>",
    )


def _value_column(kind: str, name: str, stat: str | None) -> Any:
    """The column holding a parameter or metric value (an alias joined per use)."""
    if kind == "param":
        param = aliased(ParameterRow)
        return param, param.number_value, param.name == name
    summary = aliased(MetricSummaryRow)
    return (
        summary,
        getattr(summary, _STATS[stat or "Last"]),
        and_(summary.metric_name == name, summary.count > 0),
    )


def range_filter(item: RunRange) -> ColumnElement[bool]:
    """Runs whose parameter or metric value lies in ``[minimum, maximum]``."""
    kind, name, stat = parse_key(item.key, "Range")
    if kind == "column":
        raise _bad("Range", "A range needs Parameters.<name> or Metrics.<name>.<stat>")
    for bound in (item.minimum, item.maximum):
        if bound is not None and (
            isinstance(bound, bool)
            or not isinstance(bound, int | float)
            or not math.isfinite(bound)
        ):
            raise _bad("Range", "Range bounds must be finite numbers")
    table, column, match = _value_column(kind, name, stat)
    condition = [table.trial_component_id == _TC.id, match, column.is_not(None)]
    if item.minimum is not None:
        condition.append(column >= item.minimum)
    if item.maximum is not None:
        condition.append(column <= item.maximum)
    return exists().where(*condition)


def encode_token(scope: str, key: Any, row_id: int) -> str:
    """A token continuing after ``(key, row_id)`` in the listing ``scope``."""
    if isinstance(key, datetime):
        wrapped: Any = {"dt": key.isoformat()}
    elif isinstance(key, int | float):
        wrapped = {"n": float(key)}
    elif isinstance(key, str):
        wrapped = {"t": key}
    else:
        wrapped = None
    raw = json.dumps({"s": scope, "k": wrapped, "i": row_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_token(token: Any, scope: str, kind: str, name: str) -> tuple[Any, int]:
    """The ``(key, id)`` a token continues after (ValidationError ``NextToken`` if bad)."""
    bad = _bad("NextToken", "NextToken is invalid or belongs to another listing")
    if not isinstance(token, str) or not token or len(token) > 4096:
        raise bad
    try:
        body = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad from None
    if not isinstance(body, dict) or body.get("s") != scope:
        raise bad
    row_id, key = body.get("i"), body.get("k")
    if isinstance(row_id, bool) or not isinstance(row_id, int) or not 0 < row_id < _ID_LIMIT:
        raise bad
    try:
        if kind == "column" and name == "CreationTime":
            if not isinstance(key, dict) or set(key) != {"dt"} or not isinstance(key["dt"], str):
                raise bad
            return validate_time(datetime.fromisoformat(key["dt"]), field="NextToken"), row_id
        if kind == "column":
            if not isinstance(key, dict) or set(key) != {"t"} or not isinstance(key["t"], str):
                raise bad
            return key["t"][:256], row_id
        if key is None:
            return None, row_id
        if not isinstance(key, dict) or set(key) != {"n"}:
            raise bad
        number = key["n"]
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise bad
        if not math.isfinite(number):
            raise bad
        return float(number), row_id
    except ValueError:
        raise bad from None


def _after(
    column: Any, key: Any, last_id: int, descending: bool, nullable: bool
) -> ColumnElement[bool]:
    """Rows after ``(key, last_id)`` in the order ``(column is null, column, id)``."""
    if key is None:  # in the trailing block of runs without the value
        return and_(column.is_(None), _TC.id < last_id if descending else _TC.id > last_id)
    beyond = column < key if descending else column > key
    tie = and_(column == key, _TC.id < last_id if descending else _TC.id > last_id)
    return or_(beyond, tie, column.is_(None)) if nullable else or_(beyond, tie)


class RunTableQueries:
    """``list_experiment_runs`` of ``SqlStore`` (a mixin: it needs the store's ``_session``)."""

    def _session(
        self, *, write: bool = False, conflict: ConflictError | None = None
    ) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def list_experiment_runs(
        self,
        experiment_name: str,
        *,
        name_contains: str | None = None,
        status: e.TrialComponentPrimaryStatus | None = None,
        ranges: Sequence[RunRange] = (),
        sort_by: str = "CreationTime",
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> e.Page[e.TrialComponent]:
        max_results = check_max_results(max_results)
        descending = check_sort_order(sort_order)
        kind, name, stat = parse_key(sort_by)
        filters = [range_filter(item) for item in ranges]
        if status is not None:
            checked = validation.enum_value(e.TrialComponentPrimaryStatus, status, "Status")
            filters.append(_TC.status == checked.value)
        if name_contains:
            filters.append(
                or_(
                    _TC.name.icontains(name_contains, autoescape=True),
                    _TC.display_name.icontains(name_contains, autoescape=True),
                )
            )
        scope = f"runs/{experiment_name}/{sort_by}/{sort_order}"
        with self._session() as s:
            experiment_id = get_id(s, ExperimentRow, experiment_name)
            members = (
                select(_TCT.trial_component_id)
                .join(TrialRow, TrialRow.id == _TCT.trial_id)
                .where(TrialRow.experiment_id == experiment_id)
            )
            stmt = select(_TC).options(*runs.TC_LOAD).where(_TC.id.in_(members), *filters)
            if kind == "column":
                column: Any = _TC.creation_time if name == "CreationTime" else _TC.name
                order: list[Any] = []
            else:
                table, column, match = _value_column(kind, name, stat)
                stmt = stmt.outerjoin(table, and_(table.trial_component_id == _TC.id, match))
                stmt = stmt.add_columns(column)
                order = [column.is_(None)]
            if next_token is not None:
                key, last_id = decode_token(next_token, scope, kind, name)
                stmt = stmt.where(_after(column, key, last_id, descending, kind != "column"))
            order += [column.desc(), _TC.id.desc()] if descending else [column, _TC.id]
            rows: Sequence[Any] = s.execute(stmt.order_by(*order).limit(max_results + 1)).all()
            token = None
            if len(rows) > max_results:
                rows = rows[:max_results]
                last = rows[-1]
                key = getattr(last[0], column.key) if kind == "column" else last[1]
                token = encode_token(scope, key, last[0].id)
            items = [convert.trial_component(row[0]) for row in rows]
        return e.Page[e.TrialComponent](items=items, next_token=token)
