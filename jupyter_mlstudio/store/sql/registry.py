"""The model registry of ``SqlStore``: model package groups and versions (a mixin: it needs
the store's ``_session``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ... import entities as e
from ...entities.common import DESCRIPTION_MAX, validate_tags, validate_text
from ...exceptions import ConflictError, NotFoundError, ValidationError
from ..base import UNSET, SortOrder
from .lookups import check_name, get_row, taken
from .models import ModelPackageGroupRow, ModelPackageRow
from .paging import check_max_results, check_sort_order, paginate
from .validation import enum_value, json_object

#: the spec's field of customer metadata (CustomerMetadataProperties)
CUSTOMER_METADATA = "CustomerMetadataProperties"
#: SageMaker's limits on customer metadata keys and values
METADATA_KEY_MAX = 128
METADATA_VALUE_MAX = 256
VERSION_MAX = 2**31 - 1


class RegistryQueries:
    """The model-registry methods of ``SqlStore``."""

    def _session(
        self, *, write: bool = False, conflict: ConflictError | None = None
    ) -> AbstractContextManager[Session]:
        raise NotImplementedError

    # -- groups ------------------------------------------------------------------------

    def create_model_package_group(
        self,
        group_name: str,
        *,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> e.ModelPackageGroup:
        name = check_name(ModelPackageGroupRow, group_name)
        row = ModelPackageGroupRow(
            name=name,
            description=validate_text(
                description, field="ModelPackageGroupDescription", max_length=DESCRIPTION_MAX
            ),
            last_version=0,
            tags=validate_tags(tags),
            creation_time=e.utcnow(),
        )
        with self._session(write=True, conflict=taken(ModelPackageGroupRow, name)) as s:
            s.add(row)
            s.flush()
            return _group(row)

    def get_model_package_group(self, group_name: str) -> e.ModelPackageGroup:
        with self._session() as s:
            return _group(get_row(s, ModelPackageGroupRow, group_name))

    def list_model_package_groups(
        self,
        *,
        name_contains: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> e.Page[e.ModelPackageGroup]:
        max_results = check_max_results(max_results)
        descending = check_sort_order(sort_order)
        stmt = select(ModelPackageGroupRow)
        if name_contains:
            stmt = stmt.where(ModelPackageGroupRow.name.icontains(name_contains, autoescape=True))
        with self._session() as s:
            rows, token = paginate(
                s,
                stmt,
                scope=f"model-package-groups/{sort_order}",
                sort_column=ModelPackageGroupRow.creation_time,
                id_column=ModelPackageGroupRow.id,
                descending=descending,
                max_results=max_results,
                next_token=next_token,
            )
            return e.Page[e.ModelPackageGroup](items=[_group(r) for r in rows], next_token=token)

    def delete_model_package_group(self, group_name: str) -> None:
        with self._session(write=True) as s:
            group = get_row(s, ModelPackageGroupRow, group_name, for_update=True)
            count = s.scalar(select(func.count()).where(ModelPackageRow.group_id == group.id))
            if count:
                raise ConflictError(
                    f"model package group {group.name!r} holds {count} version(s):"
                    " delete them first",
                    field="ModelPackageGroupName",
                )
            s.delete(group)

    # -- versions ----------------------------------------------------------------------

    def create_model_package(
        self,
        group_name: str,
        *,
        approval_status: e.ModelApprovalStatus = e.ModelApprovalStatus.PENDING_MANUAL_APPROVAL,
        description: str | None = None,
        spec: Mapping[str, Any] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> e.ModelPackage:
        status = enum_value(e.ModelApprovalStatus, approval_status, "ModelApprovalStatus")
        body = json_object(spec or {}, "Spec")
        _check_metadata(body.get(CUSTOMER_METADATA))
        text = validate_text(description, field="ModelPackageDescription", max_length=1024)
        labels = validate_tags(tags)
        with self._session(write=True) as s:
            group = get_row(
                s, ModelPackageGroupRow, group_name, field="ModelPackageGroupName", for_update=True
            )
            group.last_version += 1  # under the row lock: versions never collide
            now = e.utcnow()
            row = ModelPackageRow(
                group_id=group.id,
                version=group.last_version,
                description=text,
                approval_status=status.value,
                spec=body,
                tags=labels,
                creation_time=now,
                last_modified_time=now,
            )
            s.add(row)
            s.flush()
            return _package(row, group.name)

    def get_model_package(self, group_name: str, version: int) -> e.ModelPackage:
        with self._session() as s:
            group, row = _find(s, group_name, version)
            return _package(row, group.name)

    def list_model_packages(
        self,
        group_name: str,
        *,
        approval_status: e.ModelApprovalStatus | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> e.Page[e.ModelPackage]:
        max_results = check_max_results(max_results)
        descending = check_sort_order(sort_order)
        with self._session() as s:
            group = get_row(s, ModelPackageGroupRow, group_name, field="ModelPackageGroupName")
            stmt = select(ModelPackageRow).where(ModelPackageRow.group_id == group.id)
            scope = f"model-packages/{group.name}/{sort_order}"
            if approval_status is not None:
                status = enum_value(e.ModelApprovalStatus, approval_status, "ModelApprovalStatus")
                stmt = stmt.where(ModelPackageRow.approval_status == status.value)
                scope += f"/{status.value}"
            rows, token = paginate(
                s,
                stmt,
                scope=scope,
                sort_column=ModelPackageRow.creation_time,
                id_column=ModelPackageRow.id,
                descending=descending,
                max_results=max_results,
                next_token=next_token,
            )
            items = [_package(r, group.name) for r in rows]
            return e.Page[e.ModelPackage](items=items, next_token=token)

    def update_model_package(
        self,
        group_name: str,
        version: int,
        *,
        approval_status: e.ModelApprovalStatus | None = None,
        approval_description: str | None = UNSET,
        customer_metadata: Mapping[str, str] | None = None,
        customer_metadata_to_remove: Sequence[str] = (),
    ) -> e.ModelPackage:
        status = (
            None
            if approval_status is None
            else enum_value(e.ModelApprovalStatus, approval_status, "ModelApprovalStatus")
        )
        if approval_description is not UNSET:
            validate_text(approval_description, field="ApprovalDescription", max_length=1024)
        if customer_metadata is not None:
            _check_metadata(customer_metadata)
        with self._session(write=True) as s:
            group, row = _find(s, group_name, version, for_update=True)
            if status is not None:
                row.approval_status = status.value
            if approval_description is not UNSET:
                row.approval_description = approval_description
            if customer_metadata is not None or customer_metadata_to_remove:
                metadata = dict(row.spec.get(CUSTOMER_METADATA) or {})
                metadata.update(customer_metadata or {})
                for key in customer_metadata_to_remove:
                    metadata.pop(key, None)
                spec = dict(row.spec)
                if metadata:
                    spec[CUSTOMER_METADATA] = metadata
                else:
                    spec.pop(CUSTOMER_METADATA, None)
                row.spec = spec
            row.last_modified_time = e.utcnow()
            s.flush()
            return _package(row, group.name)

    def delete_model_package(self, group_name: str, version: int) -> None:
        with self._session(write=True) as s:
            _, row = _find(s, group_name, version)
            s.execute(
                sql_delete(ModelPackageRow)
                .where(ModelPackageRow.id == row.id)
                .execution_options(synchronize_session=False)
            )


def _find(
    session: Session, group_name: str, version: Any, *, for_update: bool = False
) -> tuple[ModelPackageGroupRow, ModelPackageRow]:
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= VERSION_MAX:
        raise ValidationError(
            "ModelPackageVersion must be a whole number from 1", field="ModelPackageVersion"
        )
    group = get_row(session, ModelPackageGroupRow, group_name, field="ModelPackageGroupName")
    stmt = select(ModelPackageRow).where(
        ModelPackageRow.group_id == group.id, ModelPackageRow.version == version
    )
    if for_update:
        stmt = stmt.with_for_update()
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise NotFoundError(
            f"model package group {group.name!r} has no version {version}",
            field="ModelPackageVersion",
        )
    return group, row


def _check_metadata(values: Any) -> None:
    if values is None:
        return
    field = CUSTOMER_METADATA
    if not isinstance(values, Mapping):
        raise ValidationError(f"{field} must be an object of strings", field=field)
    for key, value in values.items():
        if not isinstance(key, str) or not 1 <= len(key) <= METADATA_KEY_MAX:
            raise ValidationError(f"{field} keys must be 1 to 128 characters", field=field)
        if not isinstance(value, str) or len(value) > METADATA_VALUE_MAX:
            raise ValidationError(
                f"{field}.{key} must be a string of at most 256 characters",
                field=f"{field}.{key}",
            )


def _group(row: ModelPackageGroupRow) -> e.ModelPackageGroup:
    return e.ModelPackageGroup(
        model_package_group_name=row.name,
        model_package_group_description=row.description,
        creation_time=row.creation_time,
        tags=dict(row.tags or {}),
    )


def _package(row: ModelPackageRow, group_name: str) -> e.ModelPackage:
    return e.ModelPackage(
        model_package_group_name=group_name,
        model_package_version=row.version,
        model_package_description=row.description,
        model_approval_status=e.ModelApprovalStatus(row.approval_status),
        approval_description=row.approval_description,
        spec=dict(row.spec or {}),
        creation_time=row.creation_time,
        last_modified_time=row.last_modified_time,
        tags=dict(row.tags or {}),
    )
