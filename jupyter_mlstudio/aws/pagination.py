"""``NextToken`` / ``MaxResults`` over a listing the operation has filtered and sorted.

A token is opaque to the caller (base64 of the position of the next item); a token that
this module did not write is a ``ValidationException``, as on AWS.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any, TypeVar

from .errors import validation

T = TypeVar("T")
#: MaxResults when the request gives none (SageMaker's List* default)
DEFAULT_MAX_RESULTS = 10


def paginate(items: Sequence[T], params: dict[str, Any]) -> tuple[list[T], str | None]:
    """One page of ``items``.

    Args:
        items: Everything the listing holds, in order.
        params: The request (``NextToken``, ``MaxResults``).

    Returns:
        The page and the token of the next one (None on the last page).

    Raises:
        AwsError: ``ValidationException`` for a token that is not this API's.
    """
    start = _decode(params.get("NextToken"))
    size = int(params.get("MaxResults") or DEFAULT_MAX_RESULTS)
    end = start + size
    token = _encode(end) if end < len(items) else None
    return list(items[start:end]), token


def _encode(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode()


def _decode(token: Any) -> int:
    if not token:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(str(token).encode()))["o"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise validation("Invalid pagination token (NextToken)") from None
    if not isinstance(offset, int) or offset < 0:
        raise validation("Invalid pagination token (NextToken)")
    return offset
