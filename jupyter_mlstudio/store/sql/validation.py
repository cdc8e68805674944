"""Input checks shared by the SQL store's methods (all raise ValidationError with a field)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from enum import Enum
from typing import Any, TypeVar

from ...entities import TrialComponentArtifact, TrialComponentSource
from ...entities.common import (
    DESCRIPTION_MAX,
    DISPLAY_NAME_MAX,
    PARAMETER_NAME_MAX,
    validate_text,
)
from ...exceptions import ValidationError

E = TypeVar("E", bound=Enum)

ARTIFACT_KEY_MAX = 128
ARTIFACT_VALUE_MAX = 2048
SOURCE_ARN_MAX = 256


def display_name(value: Any, field: str = "DisplayName") -> str | None:
    return validate_text(value, field=field, max_length=DISPLAY_NAME_MAX)


def description(value: Any) -> str | None:
    return validate_text(value, field="Description", max_length=DESCRIPTION_MAX)


def enum_value(enum: type[E], value: Any, field: str) -> E:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(str(member.value) for member in enum)
        raise ValidationError(f"{field} must be one of {allowed}", field=field) from None


def json_object(value: Any, field: str) -> dict[str, Any]:
    """A mapping as plain JSON (no NaN or infinity); ValidationError naming ``field``."""
    if not isinstance(value, Mapping):
        raise ValidationError(f"{field} must be an object", field=field)
    try:
        return dict(json.loads(json.dumps(dict(value), allow_nan=False)))
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{field} must be JSON-serializable: {exc}", field=field) from exc


def parameter(name: Any, value: Any) -> tuple[float | None, str | None]:
    """A parameter value as ``(number_value, string_value)``.

    Numbers (int or float, finite) and strings only. ``bool`` is refused rather than
    silently stored as 1.0/0.0 or "True": pass ``int(flag)`` or ``str(flag)`` explicitly.
    """
    if not isinstance(name, str) or not name or len(name) > PARAMETER_NAME_MAX:
        raise ValidationError(
            f"Parameter names must be 1 to {PARAMETER_NAME_MAX} characters", field="Parameters"
        )
    field = f"Parameters.{name}"
    if isinstance(value, bool):
        raise ValidationError(
            f"Parameter {name!r} is a bool: pass a number or a string", field=field
        )
    if isinstance(value, int | float):
        number = float(value)
        if not math.isfinite(number):
            raise ValidationError(f"Parameter {name!r} must be a finite number", field=field)
        return number, None
    if isinstance(value, str):
        return None, value
    raise ValidationError(
        f"Parameter {name!r} must be a number or a string, not {type(value).__name__}",
        field=field,
    )


def parameters(values: Mapping[str, Any] | None) -> dict[str, tuple[float | None, str | None]]:
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise ValidationError("Parameters must be a mapping", field="Parameters")
    return {name: parameter(name, value) for name, value in values.items()}


def artifacts(values: Mapping[str, Any] | None, field: str) -> dict[str, TrialComponentArtifact]:
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise ValidationError(f"{field} must be a mapping", field=field)
    out: dict[str, TrialComponentArtifact] = {}
    for key, artifact in values.items():
        item_field = f"{field}.{key}"
        if not isinstance(key, str) or not key or len(key) > ARTIFACT_KEY_MAX:
            raise ValidationError(
                f"{field} keys must be 1 to {ARTIFACT_KEY_MAX} characters", field=field
            )
        if isinstance(artifact, Mapping):
            try:
                artifact = TrialComponentArtifact.model_validate(artifact)
            except Exception as exc:
                raise ValidationError(f"{item_field} is invalid: {exc}", field=item_field) from exc
        if not isinstance(artifact, TrialComponentArtifact):
            raise ValidationError(f"{item_field} must be an artifact", field=item_field)
        if not artifact.value or len(artifact.value) > ARTIFACT_VALUE_MAX:
            raise ValidationError(
                f"{item_field}.Value must be 1 to {ARTIFACT_VALUE_MAX} characters",
                field=f"{item_field}.Value",
            )
        validate_text(artifact.media_type, field=f"{item_field}.MediaType", max_length=256)
        out[key] = artifact
    return out


def source(value: Any) -> TrialComponentSource | None:
    if value is None:
        return None
    if not isinstance(value, TrialComponentSource):
        raise ValidationError("Source must be a TrialComponentSource", field="Source")
    if not value.source_arn or len(value.source_arn) > SOURCE_ARN_MAX:
        raise ValidationError(
            f"Source.SourceArn must be 1 to {SOURCE_ARN_MAX} characters", field="Source.SourceArn"
        )
    validate_text(value.source_type, field="Source.SourceType", max_length=128)
    return value
