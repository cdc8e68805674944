"""JSON in and out of the REST API, with the checks every route shares.

Request bodies are refused (``ValidationError``) before they can hurt a handler: nesting
deeper than :data:`MAX_JSON_DEPTH` is refused before parsing (Python's parser recurses),
and text holding a lone UTF-16 surrogate (``"\\ud800"``), which no store or encoder can
take, is refused naming the field. Responses are always valid JSON: a non-finite float
(NaN, Infinity) is written as ``null``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

from ..exceptions import ValidationError

#: Deepest nesting of arrays and objects a request body may have (the API's deepest
#: body nests 4 levels).
MAX_JSON_DEPTH = 64

# A JSON string (escapes included), to skip over when counting brackets.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
# Every byte except the four brackets, deleted before counting them.
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_OPENING = frozenset(b"[{")
# A surrogate, or the JSON escape of one: only then does a parsed body need walking.
_MAYBE_SURROGATE = re.compile(r"[\ud800-\udfff]|\\u[dD][89a-fA-F]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def read_json(raw: bytes) -> Any:
    """Parse a request body of UTF-8 JSON.

    Args:
        raw: the body as received.

    Returns:
        The parsed value.

    Raises:
        ValidationError: field ``body`` for bytes that are not UTF-8 JSON or that nest
            deeper than :data:`MAX_JSON_DEPTH`; the dotted path of the value (``Tags[0].Value``,
            ``Parameters.lr``) for text with a lone surrogate.
    """
    if nesting_exceeds(raw, MAX_JSON_DEPTH):
        raise ValidationError(
            f"the request body nests arrays and objects deeper than {MAX_JSON_DEPTH} levels",
            field="body",
        )
    try:
        # as json.loads decodes bytes: an encoded surrogate is kept, and named below
        text = raw.decode("utf-8", "surrogatepass")
        data = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(f"the request body is not valid JSON: {exc}", field="body") from None
    if _MAYBE_SURROGATE.search(text):
        path = surrogate_path(data)
        if path is not None:
            raise surrogate_error(path or "body")
    return data


def nesting_exceeds(raw: bytes, limit: int) -> bool:
    """Whether the JSON text ``raw`` nests arrays and objects deeper than ``limit``
    (brackets inside strings do not count; the scan stops at the first level too deep)."""
    depth = 0
    for byte in _STRING.sub(b"", raw).translate(None, _NOT_BRACKET):
        if byte in _OPENING:
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def has_surrogate(text: str) -> bool:
    """Whether ``text`` holds a lone UTF-16 surrogate (not valid Unicode text)."""
    return _SURROGATE.search(text) is not None


def surrogate_error(field: str) -> ValidationError:
    """The error for text with a lone surrogate (or bytes that are not UTF-8) in ``field``."""
    return ValidationError(
        f"{field}: not valid Unicode text (a lone UTF-16 surrogate or bytes that are not UTF-8)",
        field=field,
    )


def surrogate_path(value: Any) -> str | None:
    """The dotted path (``Tags[0].Value``) of the first string or key in a parsed JSON
    ``value`` that holds a lone surrogate; ``""`` for ``value`` itself; None if none does."""
    for path, text in _strings(value, ""):
        if has_surrogate(text):
            return path
    return None


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string of ``value`` (object keys too) with its dotted path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            # a bad key is named with escapes, so the error itself stays valid text
            shown = key.encode("utf-8", "backslashreplace").decode("utf-8")
            child = f"{path}.{shown}" if path else shown
            yield child, key
            yield from _strings(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


def dumps(payload: Any) -> str:
    """``payload`` as JSON text; NaN and ±Infinity (not JSON) become ``null``."""
    try:
        return json.dumps(payload, allow_nan=False)
    except ValueError:  # a non-finite float somewhere: rare, so only then walk
        return json.dumps(_finite(payload), allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value
