"""Shared pieces of the resource entities: base model, names, tags, pages.

Entities are frozen pydantic models. Python attributes are snake_case; their JSON form
(``to_api()``) uses the SageMaker API's PascalCase field names, so the same records can be
served by a SageMaker-compatible endpoint later.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Generic, TypeVar, overload

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_pascal

from ..exceptions import ValidationError

# SageMaker's general name rule; `max_length` varies per resource.
_NAME_BODY = r"[a-zA-Z0-9](-*[a-zA-Z0-9])*"
_NAME_RE = re.compile(rf"^{_NAME_BODY}$")

# Max lengths of names, as the SageMaker API documents them.
EXPERIMENT_NAME_MAX = 120
TRIAL_NAME_MAX = 120
TRIAL_COMPONENT_NAME_MAX = 120
JOB_NAME_MAX = 63
ENDPOINT_NAME_MAX = 63
METRIC_NAME_MAX = 255
PARAMETER_NAME_MAX = 256
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
DISPLAY_NAME_MAX = 120
DESCRIPTION_MAX = 3072


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def validate_name(value: Any, *, field: str, max_length: int) -> str:
    """Check a resource name against SageMaker's rule; raise ValidationError naming ``field``."""
    if not isinstance(value, str) or not value:
        raise ValidationError(f"{field} is required and must be a non-empty string", field=field)
    if len(value) > max_length:
        raise ValidationError(
            f"{field} must be at most {max_length} characters (got {len(value)})", field=field
        )
    if not _NAME_RE.match(value):
        raise ValidationError(
            f"{field} {value!r} is invalid: use letters, digits and single or repeated hyphens, "
            "starting and ending with a letter or digit",
            field=field,
        )
    return value


@overload
def validate_time(value: datetime, *, field: str) -> datetime: ...
@overload
def validate_time(value: Any, *, field: str) -> datetime | None: ...
def validate_time(value: Any, *, field: str) -> datetime | None:
    """A datetime (or None) as an aware UTC datetime; naive input counts as UTC.

    Raises:
        ValidationError: naming ``field`` when ``value`` is not a datetime, or when its
            UTC instant falls outside the years 1 to 9999 (``0001-01-01T00:00:00+01:00``
            is a moment of year 0), which no store can keep.
    """
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise ValidationError(f"{field} must be a datetime", field=field)
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=timezone.utc)
    try:
        return value.astimezone(timezone.utc)
    except OverflowError:
        raise ValidationError(
            f"{field} {value.isoformat()} is outside the years 1 to 9999 in UTC", field=field
        ) from None


def validate_text(value: Any, *, field: str, max_length: int, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise ValidationError(f"{field} is required", field=field)
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be a string", field=field)
    if len(value) > max_length:
        raise ValidationError(f"{field} must be at most {max_length} characters", field=field)
    return value


def validate_tags(tags: Any, *, field: str = "Tags") -> dict[str, str]:
    """Accept ``{"k": "v"}`` or SageMaker's ``[{"Key": k, "Value": v}]``."""
    if tags is None:
        return {}
    items: list[tuple[Any, Any]]
    if isinstance(tags, dict):
        items = list(tags.items())
    elif isinstance(tags, list):
        items = []
        for i, tag in enumerate(tags):
            if not isinstance(tag, dict) or "Key" not in tag:
                raise ValidationError(
                    f"{field}[{i}] must be an object with Key and Value", field=f"{field}[{i}]"
                )
            items.append((tag["Key"], tag.get("Value", "")))
    else:
        raise ValidationError(f"{field} must be a list of {{Key, Value}} or a mapping", field=field)
    out: dict[str, str] = {}
    for key, value in items:
        if not isinstance(key, str) or not key or len(key) > TAG_KEY_MAX:
            raise ValidationError(
                f"{field}: tag keys must be 1 to {TAG_KEY_MAX} characters", field=field
            )
        if not isinstance(value, str) or len(value) > TAG_VALUE_MAX:
            raise ValidationError(
                f"{field}: tag {key!r} must have a string value of at most {TAG_VALUE_MAX} "
                "characters",
                field=field,
            )
        out[key] = value
    return out


class Entity(BaseModel):
    """Base of all entities: frozen, PascalCase aliases for the API form."""

    model_config = ConfigDict(
        frozen=True,
        alias_generator=to_pascal,
        populate_by_name=True,
        extra="forbid",
    )

    def to_api(self) -> dict[str, Any]:
        """The JSON-ready API form, with SageMaker's field names."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a listing; pass ``next_token`` back to get the next one."""

    model_config = ConfigDict(frozen=True)

    items: list[T] = Field(default_factory=list)
    next_token: str | None = None
