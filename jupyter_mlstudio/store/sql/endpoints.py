"""Models, endpoint configurations and endpoints: row helpers of ``hosting.py``."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from ...entities import (
    ContainerDefinition,
    DesiredVariant,
    EndpointStatus,
    ProductionVariant,
    utcnow,
    validate_tags,
)
from ...entities.common import ENDPOINT_NAME_MAX, validate_name
from ...entities.endpoints import MAX_PIPELINE_CONTAINERS
from ...exceptions import ConflictError, ValidationError
from ..base import UNSET
from .lookups import check_name, get_row
from .models import EndpointConfigRow, EndpointRow, EndpointTagRow, ModelRow
from .paging import check_max_results, check_sort_order, paginate
from .validation import enum_value

__all__ = ["EndpointConfigRow", "EndpointRow", "ModelRow"]

_LOAD = (selectinload(EndpointRow.tags),)


def new_model_row(
    name: str,
    container: ContainerDefinition,
    tags: Mapping[str, str] | None,
    containers: Sequence[ContainerDefinition] | None = None,
) -> ModelRow:
    """A model's row; ``containers`` (an inference pipeline, 1 to
    :data:`MAX_PIPELINE_CONTAINERS`) are kept in order beside the primary container."""
    name = check_name(ModelRow, name)
    if not isinstance(container, ContainerDefinition):
        raise ValidationError(
            "PrimaryContainer must be a ContainerDefinition", field="PrimaryContainer"
        )
    members = list(containers or [])
    if len(members) > MAX_PIPELINE_CONTAINERS:
        raise ValidationError(f"at most {MAX_PIPELINE_CONTAINERS} containers", field="Containers")
    for i, member in enumerate(members):
        if not isinstance(member, ContainerDefinition):
            raise ValidationError(
                f"Containers[{i}] must be a ContainerDefinition", field=f"Containers[{i}]"
            )
    return ModelRow(
        name=name,
        primary_container=container.model_dump(mode="json"),
        containers=[m.model_dump(mode="json") for m in members] or None,
        tags=validate_tags(tags),
        creation_time=utcnow(),
    )


def get_model(session: Session, name: str) -> ModelRow:
    return get_row(session, ModelRow, name)


def page_models(
    session: Session,
    *,
    name_contains: str | None,
    sort_order: str,
    max_results: int,
    next_token: str | None,
) -> tuple[Sequence[ModelRow], str | None]:
    return _page_named(
        session, ModelRow, "models", name_contains, sort_order, max_results, next_token
    )


def delete_model(session: Session, name: str) -> None:
    """Models are referenced by name from endpoint configs (as on SageMaker, deleting a
    model an endpoint serves is allowed; running instances keep serving it)."""
    model_id = get_model(session, name).id
    session.execute(
        sql_delete(ModelRow)
        .where(ModelRow.id == model_id)
        .execution_options(synchronize_session=False)
    )


def _page_named(
    session: Session,
    row_class: type[ModelRow] | type[EndpointConfigRow],
    scope: str,
    name_contains: str | None,
    sort_order: str,
    max_results: int,
    next_token: str | None,
) -> tuple[Sequence[Any], str | None]:
    max_results = check_max_results(max_results)
    descending = check_sort_order(sort_order)
    stmt = select(row_class)
    if name_contains:
        stmt = stmt.where(row_class.name.icontains(name_contains, autoescape=True))
    return paginate(
        session,
        stmt,
        scope=f"{scope}/{sort_order}",
        sort_column=row_class.creation_time,
        id_column=row_class.id,
        descending=descending,
        max_results=max_results,
        next_token=next_token,
    )


def page_configs(
    session: Session,
    *,
    name_contains: str | None,
    sort_order: str,
    max_results: int,
    next_token: str | None,
) -> tuple[Sequence[EndpointConfigRow], str | None]:
    return _page_named(
        session,
        EndpointConfigRow,
        "endpoint-configs",
        name_contains,
        sort_order,
        max_results,
        next_token,
    )


def new_config_row(
    name: str,
    variants: Sequence[ProductionVariant],
    data_capture_config: Mapping[str, Any] | None,
) -> EndpointConfigRow:
    name = check_name(EndpointConfigRow, name)
    if isinstance(variants, str | bytes) or not isinstance(variants, Sequence) or not variants:
        raise ValidationError(
            "ProductionVariants must list at least one variant", field="ProductionVariants"
        )
    seen: set[str] = set()
    for i, variant in enumerate(variants):
        field = f"ProductionVariants[{i}]"
        if not isinstance(variant, ProductionVariant):
            raise ValidationError(f"{field} must be a ProductionVariant", field=field)
        validate_name(
            variant.variant_name, field=f"{field}.VariantName", max_length=ENDPOINT_NAME_MAX
        )
        validate_name(variant.model_name, field=f"{field}.ModelName", max_length=ENDPOINT_NAME_MAX)
        if variant.variant_name in seen:
            raise ValidationError(
                f"Variant name {variant.variant_name!r} is used twice", field="ProductionVariants"
            )
        seen.add(variant.variant_name)
        if variant.initial_instance_count < 1:
            raise ValidationError(
                f"{field}.InitialInstanceCount must be at least 1",
                field=f"{field}.InitialInstanceCount",
            )
        weight = variant.initial_variant_weight
        if not (math.isfinite(weight) and weight >= 0):
            raise ValidationError(
                f"{field}.InitialVariantWeight must be a finite number, 0 or more",
                field=f"{field}.InitialVariantWeight",
            )
    capture = None
    if data_capture_config is not None:
        try:
            capture = dict(json.loads(json.dumps(dict(data_capture_config), allow_nan=False)))
        except (TypeError, ValueError) as exc:
            raise ValidationError(
                f"DataCaptureConfig must be JSON-serializable: {exc}", field="DataCaptureConfig"
            ) from exc
    return EndpointConfigRow(
        name=name,
        production_variants=[v.model_dump(mode="json") for v in variants],
        data_capture_config=capture,
        creation_time=utcnow(),
    )


def get_config(session: Session, name: str) -> EndpointConfigRow:
    return get_row(session, EndpointConfigRow, name)


def delete_config(session: Session, name: str) -> None:
    config = get_config(session, name)
    if session.scalar(select(exists().where(EndpointRow.endpoint_config_id == config.id))):
        raise ConflictError(
            f"Endpoint configuration {config.name!r} is used by an endpoint",
            field="EndpointConfigName",
        )
    session.execute(
        sql_delete(EndpointConfigRow)
        .where(EndpointConfigRow.id == config.id)
        .execution_options(synchronize_session=False)
    )


def new_endpoint_row(
    session: Session, name: str, config_name: str, tags: Mapping[str, str] | None
) -> EndpointRow:
    checked_tags = validate_tags(tags)
    config = get_row(session, EndpointConfigRow, config_name)
    now = utcnow()
    return EndpointRow(
        name=name,
        endpoint_config=config,
        status=EndpointStatus.CREATING.value,
        creation_time=now,
        last_modified_time=now,
        tags=[EndpointTagRow(key=k, value=v) for k, v in checked_tags.items()],
    )


def get(session: Session, name: str, *, for_update: bool = False) -> EndpointRow:
    return get_row(session, EndpointRow, name, *_LOAD, for_update=for_update)


def page(
    session: Session,
    *,
    status: EndpointStatus | None,
    name_contains: str | None,
    sort_order: str,
    max_results: int,
    next_token: str | None,
) -> tuple[Sequence[EndpointRow], str | None]:
    max_results = check_max_results(max_results)
    descending = check_sort_order(sort_order)
    stmt = select(EndpointRow).options(*_LOAD)
    if status is not None:
        stmt = stmt.where(
            EndpointRow.status == enum_value(EndpointStatus, status, "StatusEquals").value
        )
    if name_contains:
        stmt = stmt.where(EndpointRow.name.icontains(name_contains, autoescape=True))
    return paginate(
        session,
        stmt,
        scope=f"endpoints/{sort_order}",
        sort_column=EndpointRow.creation_time,
        id_column=EndpointRow.id,
        descending=descending,
        max_results=max_results,
        next_token=next_token,
    )


def apply_update(
    session: Session,
    row: EndpointRow,
    *,
    status: EndpointStatus | None,
    endpoint_config_name: str | None,
    failure_reason: Any,
    desired_variants: Any = UNSET,
) -> None:
    if status is not None:
        row.status = enum_value(EndpointStatus, status, "EndpointStatus").value
    if endpoint_config_name is not None:
        row.endpoint_config = get_row(session, EndpointConfigRow, endpoint_config_name)
        row.desired_variants = None
    if desired_variants is not UNSET:
        row.desired_variants = _desired(desired_variants)
    if failure_reason is not UNSET:
        if failure_reason is not None and not isinstance(failure_reason, str):
            raise ValidationError("FailureReason must be a string", field="FailureReason")
        row.failure_reason = failure_reason[:1024] if failure_reason else failure_reason
    row.last_modified_time = utcnow()


def _desired(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ValidationError("DesiredVariants must map variant names", field="DesiredVariants")
    out: dict[str, Any] = {}
    for name, desired in value.items():
        if not isinstance(desired, DesiredVariant):
            raise ValidationError(
                f"DesiredVariants[{name!r}] must be a DesiredVariant", field="DesiredVariants"
            )
        weight = desired.desired_weight
        if weight is not None and not (math.isfinite(weight) and weight >= 0):
            raise ValidationError(
                f"DesiredVariants[{name!r}]: the weight must be a finite number, 0 or more",
                field="DesiredVariants",
            )
        out[str(name)] = desired.model_dump(mode="json", exclude_none=True)
    return out or None


def delete(session: Session, name: str) -> None:
    endpoint_id = get(session, name).id
    session.execute(
        sql_delete(EndpointRow)
        .where(EndpointRow.id == endpoint_id)
        .execution_options(synchronize_session=False)
    )
