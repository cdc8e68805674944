"""Keyset paging with opaque next tokens.

A token is URL-safe base64 of JSON ``{"s": scope, "k": last sort key, "i": last id}``.
Pages continue strictly after the last row by ``(sort key, id)``, so rows inserted while
a client pages never shift or repeat the rows it has still to see. A token from another
listing or ordering (``scope``) or a malformed one is a ``ValidationError("NextToken")``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute, Session

from ...exceptions import ValidationError

T = TypeVar("T")

MAX_RESULTS_LIMIT = 1000


def check_max_results(max_results: Any) -> int:
    if (
        isinstance(max_results, bool)
        or not isinstance(max_results, int)
        or not 1 <= max_results <= MAX_RESULTS_LIMIT
    ):
        raise ValidationError(
            f"MaxResults must be an integer from 1 to {MAX_RESULTS_LIMIT}", field="MaxResults"
        )
    return max_results


def check_sort_order(sort_order: Any) -> bool:
    """Return True for descending."""
    if sort_order not in ("Ascending", "Descending"):
        raise ValidationError("SortOrder must be Ascending or Descending", field="SortOrder")
    return bool(sort_order == "Descending")


def encode_token(scope: str, key: Any, row_id: int) -> str:
    if isinstance(key, datetime):
        key = {"dt": key.isoformat()}
    raw = json.dumps({"s": scope, "k": key, "i": row_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_token(token: Any, scope: str) -> tuple[Any, int]:
    bad = ValidationError("NextToken is invalid or belongs to another listing", field="NextToken")
    if not isinstance(token, str) or not token or len(token) > 4096:
        raise bad
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        body = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad from None
    if not isinstance(body, dict) or body.get("s") != scope:
        raise bad
    key, row_id = body.get("k"), body.get("i")
    if isinstance(row_id, bool) or not isinstance(row_id, int):
        raise bad
    if isinstance(key, dict):
        try:
            key = datetime.fromisoformat(str(key["dt"]))
        except (KeyError, ValueError):
            raise bad from None
    elif not isinstance(key, str):
        raise bad
    return key, row_id


def paginate(
    session: Session,
    stmt: Select[T],
    *,
    scope: str,
    sort_column: InstrumentedAttribute[Any],
    id_column: InstrumentedAttribute[int],
    descending: bool,
    max_results: int,
    next_token: str | None,
) -> tuple[Sequence[T], str | None]:
    """Run ``stmt`` (selecting ORM rows) for one page ordered by ``(sort_column, id)``."""
    if next_token is not None:
        key, last_id = decode_token(next_token, scope)
        if descending:
            after = or_(sort_column < key, and_(sort_column == key, id_column < last_id))
        else:
            after = or_(sort_column > key, and_(sort_column == key, id_column > last_id))
        stmt = stmt.where(after)
    order = (sort_column.desc(), id_column.desc()) if descending else (sort_column, id_column)
    rows = session.scalars(stmt.order_by(*order).limit(max_results + 1)).all()
    if len(rows) <= max_results:
        return rows, None
    rows = rows[:max_results]
    last = rows[-1]
    token = encode_token(scope, getattr(last, sort_column.key), getattr(last, id_column.key))
    return rows, token
