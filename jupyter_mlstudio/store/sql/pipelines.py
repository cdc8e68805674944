"""The pipelines of ``SqlStore``: a name and its definition's JSON text (a mixin: it needs
the store's ``_session``). Executions are jobs; the definition is checked by the service."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...entities import Page, utcnow
from ...entities.common import DESCRIPTION_MAX, validate_name, validate_tags, validate_text
from ...entities.pipelines import DEFINITION_MAX, PIPELINE_NAME_MAX, Pipeline
from ...exceptions import ConflictError, ValidationError
from ..base import UNSET, SortOrder
from .lookups import check_name, get_row, taken
from .models import PipelineRow
from .paging import check_max_results, check_sort_order, paginate

#: the field naming a pipeline
FIELD = "PipelineName"
#: SageMaker's longest RoleArn
ROLE_ARN_MAX = 2048


def _display_name(value: Any) -> str | None:
    if value is None:
        return None
    return validate_name(value, field="PipelineDisplayName", max_length=PIPELINE_NAME_MAX)


def _definition(value: Any) -> str:
    text = validate_text(
        value, field="PipelineDefinition", max_length=DEFINITION_MAX, required=True
    )
    if not text:
        raise ValidationError("PipelineDefinition must not be empty", field="PipelineDefinition")
    return text


class PipelineQueries:
    """The pipeline methods of ``SqlStore``."""

    def _session(
        self, *, write: bool = False, conflict: ConflictError | None = None
    ) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def create_pipeline(
        self,
        pipeline_name: str,
        *,
        definition: str,
        display_name: str | None = None,
        description: str | None = None,
        role_arn: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Pipeline:
        name = check_name(PipelineRow, pipeline_name)
        now = utcnow()
        row = PipelineRow(
            name=name,
            definition=_definition(definition),
            display_name=_display_name(display_name),
            description=validate_text(
                description, field="PipelineDescription", max_length=DESCRIPTION_MAX
            ),
            role_arn=validate_text(role_arn, field="RoleArn", max_length=ROLE_ARN_MAX),
            tags=validate_tags(tags),
            creation_time=now,
            last_modified_time=now,
        )
        with self._session(write=True, conflict=taken(PipelineRow, name)) as s:
            s.add(row)
            s.flush()
            return _pipeline(row)

    def get_pipeline(self, pipeline_name: str) -> Pipeline:
        with self._session() as s:
            return _pipeline(get_row(s, PipelineRow, pipeline_name, field=FIELD))

    def list_pipelines(
        self,
        *,
        name_prefix: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[Pipeline]:
        max_results = check_max_results(max_results)
        descending = check_sort_order(sort_order)
        stmt = select(PipelineRow)
        scope = f"pipelines/{sort_order}"
        if name_prefix:
            stmt = stmt.where(PipelineRow.name.istartswith(name_prefix, autoescape=True))
            scope += f"/{name_prefix}"
        with self._session() as s:
            rows, token = paginate(
                s,
                stmt,
                scope=scope,
                sort_column=PipelineRow.creation_time,
                id_column=PipelineRow.id,
                descending=descending,
                max_results=max_results,
                next_token=next_token,
            )
            return Page[Pipeline](items=[_pipeline(r) for r in rows], next_token=token)

    def update_pipeline(
        self,
        pipeline_name: str,
        *,
        definition: str | None = UNSET,
        display_name: str | None = UNSET,
        description: str | None = UNSET,
        role_arn: str | None = UNSET,
    ) -> Pipeline:
        changes: dict[str, Any] = {}
        if definition is not UNSET and definition is not None:
            changes["definition"] = _definition(definition)
        if display_name is not UNSET:
            changes["display_name"] = _display_name(display_name)
        if description is not UNSET:
            changes["description"] = validate_text(
                description, field="PipelineDescription", max_length=DESCRIPTION_MAX
            )
        if role_arn is not UNSET:
            changes["role_arn"] = validate_text(role_arn, field="RoleArn", max_length=ROLE_ARN_MAX)
        with self._session(write=True) as s:
            row = get_row(s, PipelineRow, pipeline_name, field=FIELD, for_update=True)
            for key, value in changes.items():
                setattr(row, key, value)
            row.last_modified_time = utcnow()
            s.flush()
            return _pipeline(row)

    def delete_pipeline(self, pipeline_name: str) -> None:
        with self._session(write=True) as s:
            s.delete(get_row(s, PipelineRow, pipeline_name, field=FIELD, for_update=True))


def _pipeline(row: PipelineRow) -> Pipeline:
    return Pipeline(
        pipeline_name=row.name,
        pipeline_definition=row.definition,
        pipeline_display_name=row.display_name,
        pipeline_description=row.description,
        role_arn=row.role_arn,
        tags=dict(row.tags or {}),
        creation_time=row.creation_time,
        last_modified_time=row.last_modified_time,
    )
