"""Keyset paging with opaque next tokens.

A token is URL-safe base64 of JSON ``{"s": scope, "k": last sort key, "i": last id}``.
Pages continue strictly after the last row by ``(sort key, id)``, so rows inserted while
a client pages never shift or repeat the rows it has still to see. A token from another
listing or ordering (``scope``) or a malformed one is a ``ValidationError("NextToken")``.

Tokens come back from clients, so nothing in one reaches the database unchecked: the
key must have the sort column's type (a UTC-representable datetime for time columns, a
valid resource name for name columns) and the id must be a positive 64-bit integer.
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

from ...entities.common import validate_name, validate_time
from ...exceptions import ValidationError

T = TypeVar("T")

MAX_RESULTS_LIMIT = 1000

_ID_LIMIT = 2**63  # ids are 64-bit integers
_KEY_MAX = 255  # the longest name a string sort key can be


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


def _bad_token() -> ValidationError:
    return ValidationError("NextToken is invalid or belongs to another listing", field="NextToken")


def decode_token(token: Any, scope: str, key_type: type = object) -> tuple[Any, int]:
    """The ``(sort key, id)`` a token continues after.

    Args:
        token: the client's ``NextToken``.
        scope: the listing and ordering the token must come from.
        key_type: ``datetime`` or ``str`` to require that type of key (``object``: either).

    Raises:
        ValidationError: naming ``NextToken`` for anything but a token this module made
            for ``scope`` (with a key of ``key_type``).
    """
    if not isinstance(token, str) or not token or len(token) > 4096:
        raise _bad_token()
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        body = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _bad_token() from None
    if not isinstance(body, dict) or body.get("s") != scope:
        raise _bad_token()
    key, row_id = body.get("k"), body.get("i")
    if isinstance(row_id, bool) or not isinstance(row_id, int) or not 0 < row_id < _ID_LIMIT:
        raise _bad_token()
    try:
        if isinstance(key, dict) and set(key) == {"dt"} and isinstance(key["dt"], str):
            key = validate_time(datetime.fromisoformat(key["dt"]), field="NextToken")
        else:  # string keys are resource names
            key = validate_name(key, field="NextToken", max_length=_KEY_MAX)
    except (ValueError, ValidationError):  # not ISO 8601, not a UTC moment, not a name
        raise _bad_token() from None
    if not isinstance(key, key_type):
        raise _bad_token()
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
        key, last_id = decode_token(next_token, scope, sort_column.type.python_type)
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
