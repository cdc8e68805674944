"""botocore's own service models: input validation and output shaping.

Every request is checked against the operation's input shape from the JSON models that
ship with botocore, as AWS checks it: :class:`botocore.validate.ParamValidator` for
required members, types and minimums, then what it leaves out (maximum lengths and
sizes, enums and patterns of the members present). Answers are passed through
:func:`conform`, which keeps only the members of the output shape and gives each value
the shape's type (timestamps become epoch seconds, as the JSON protocol sends them).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from botocore.model import OperationModel
from botocore.validate import ParamValidator

from ..botocore_models import service_model
from .errors import AwsError, validation

#: errors reported at most, as AWS's "N validation errors detected" does
MAX_REPORTED = 5
_NUMBERS = ("integer", "long", "float", "double")


def operation_model(service: str, name: str) -> OperationModel:
    """The model of one operation; ``UnknownOperationException`` if the service has none.

    Args:
        service: The service's botocore name.
        name: The operation (``CreateTrainingJob``).

    Returns:
        botocore's operation model.
    """
    model = service_model(service)
    if name not in model.operation_names:
        raise AwsError("UnknownOperationException", f"unknown operation {name!r}")
    return model.operation_model(name)


def validate_input(operation: OperationModel, params: Any) -> None:
    """Refuse a request AWS would refuse, naming the member at fault.

    Args:
        operation: The operation's model.
        params: The request body, as parsed from JSON.

    Raises:
        AwsError: ``ValidationException`` with every problem found (up to five).
    """
    shape = operation.input_shape
    if shape is None:
        return
    if not isinstance(params, dict):
        raise AwsError("SerializationException", "the request body must be a JSON object")
    report = ParamValidator().validate(params, shape)
    if report.has_errors():
        raise validation(report.generate_report().replace("\n", "; "))
    problems = list(_constraints(shape, params, ""))
    if problems:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        detail = "; ".join(problems[:MAX_REPORTED])
        raise validation(f"{count} validation {noun} detected: {detail}")


def _constraints(shape: Any, value: Any, path: str) -> Iterator[str]:
    """What ParamValidator leaves unchecked: maximums, enums and patterns."""
    kind = shape.type_name
    where = path or "input"
    meta = shape.metadata
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        for name, item in value.items():
            if name in members and item is not None:
                yield from _constraints(members[name], item, f"{path}.{name}" if path else name)
    elif kind == "list" and isinstance(value, list):
        if "max" in meta and len(value) > meta["max"]:
            yield f"Member {where} must have length less than or equal to {meta['max']}"
        for i, item in enumerate(value):
            yield from _constraints(shape.member, item, f"{where}[{i}]")
    elif kind == "map" and isinstance(value, dict):
        if "max" in meta and len(value) > meta["max"]:
            yield f"Member {where} must have at most {meta['max']} entries"
        for key, item in value.items():
            yield from _constraints(shape.key, key, f"{where}.key")
            yield from _constraints(shape.value, item, f"{where}.{key}")
    elif kind == "string" and isinstance(value, str):
        yield from _string_constraints(shape, value, where)
    elif kind in _NUMBERS and isinstance(value, int | float) and value > meta.get("max", math.inf):
        yield f"Value {value} at '{where}' must be less than or equal to {meta['max']}"


def _string_constraints(shape: Any, value: str, where: str) -> Iterator[str]:
    meta = shape.metadata
    if "max" in meta and len(value) > meta["max"]:
        yield f"Member {where} must have length less than or equal to {meta['max']}"
    enum = shape.enum
    if enum and value not in enum:
        yield (
            f"Value {value!r} at '{where}' failed to satisfy constraint: Member must"
            f" satisfy enum value set: [{', '.join(enum)}]"
        )
    pattern = _pattern(meta.get("pattern", ""))
    if pattern is not None and not pattern.fullmatch(value) and not _local_uri(meta, value):
        yield (
            f"Value at '{where}' failed to satisfy constraint: Member must satisfy"
            f" regular expression pattern: {meta['pattern']}"
        )


def _local_uri(meta: dict[str, Any], value: str) -> bool:
    """A ``file://`` URI where SageMaker takes an S3 URI: the studio's artifact store may
    be a folder (docs/sagemaker-api.md lists this difference)."""
    return value.startswith("file:///") and "s3" in str(meta.get("pattern", ""))


@functools.cache
def _pattern(text: str) -> re.Pattern[str] | None:
    """A model's pattern (Java syntax) as a Python regex; None when Python cannot read it
    (``\\p{...}`` classes): such members are checked by the services alone."""
    if not text:
        return None
    try:
        return re.compile(text)
    except re.error:
        return None


def conform(shape: Any, value: Any) -> Any:
    """``value`` as ``shape`` says: only the shape's members, each of its type.

    Args:
        shape: An output shape (or a member's).
        value: What the studio has (mappings, lists, strings, numbers, datetimes).

    Returns:
        A JSON-ready value botocore parses as ``shape``; members that are None, or not
        of the shape, are left out.
    """
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return None
        # over the value's keys, not the shape's members: an output shape has dozens of
        # members (DescribeTrainingJob's 60) and an answer holds a few of them
        members = shape.members
        out = {}
        for name, given in value.items():
            member = members.get(name)
            if member is None or given is None:
                continue
            item = conform(member, given)
            if item is not None:
                out[name] = item
        return out
    if kind == "list":
        if not isinstance(value, list | tuple):
            return None
        items = [conform(shape.member, v) for v in value]
        return [v for v in items if v is not None]
    if kind == "map":
        if not isinstance(value, dict):
            return None
        return {str(k): conform(shape.value, v) for k, v in value.items() if v is not None}
    return _scalar(kind, value)


def _scalar(kind: str, value: Any) -> Any:
    if kind == "timestamp":
        return epoch_seconds(value)
    if kind == "string":
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if isinstance(value, str) else str(value)
    if kind == "boolean":
        return bool(value)
    if kind in ("integer", "long"):
        return int(value) if isinstance(value, int | float) else None
    if kind in ("float", "double"):
        if not isinstance(value, int | float) or not math.isfinite(value):
            return None  # JSON carries no NaN or infinity
        return float(value)
    return value


def epoch_seconds(value: Any) -> float | None:
    """A datetime, ISO text or number as epoch seconds (what the JSON protocol sends)."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return round(moment.timestamp(), 3)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return epoch_seconds(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return None
    return None


def to_datetime(value: Any) -> datetime | None:
    """A request timestamp (epoch seconds, or ISO text) as an aware datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    seconds = epoch_seconds(value)
    return None if seconds is None else datetime.fromtimestamp(seconds, tz=timezone.utc)
