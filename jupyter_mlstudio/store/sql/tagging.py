"""``set_tags``: change one resource's tags, whether its tags are rows of a tag table
(experiments, trials, trial components, jobs, endpoints) or a JSON column (models, model
package groups, pipelines)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session, selectinload

from ...entities import validate_tags
from ...entities.common import TAG_KEY_MAX
from ...exceptions import ValidationError
from ..base import TaggedKind
from .lookups import get_row
from .models import (
    Base,
    EndpointRow,
    EndpointTagRow,
    ExperimentRow,
    ExperimentTagRow,
    JobRow,
    JobTagRow,
    ModelPackageGroupRow,
    ModelRow,
    MonitoringScheduleRow,
    PipelineRow,
    TrialComponentRow,
    TrialComponentTagRow,
    TrialRow,
    TrialTagRow,
)

# kind → (row, tag row) for the kinds whose tags are rows of their own table
_TAG_TABLES: dict[str, tuple[type[Base], type[Base]]] = {
    "experiment": (ExperimentRow, ExperimentTagRow),
    "trial": (TrialRow, TrialTagRow),
    "trial_component": (TrialComponentRow, TrialComponentTagRow),
    "job": (JobRow, JobTagRow),
    "endpoint": (EndpointRow, EndpointTagRow),
}
# kind → row, for the kinds that keep their tags in a JSON column
_JSON_TAGS: dict[str, type[Base]] = {
    "model": ModelRow,
    "model_package_group": ModelPackageGroupRow,
    "pipeline": PipelineRow,
    "monitoring_schedule": MonitoringScheduleRow,
}


def set_tags(
    session: Session,
    kind: TaggedKind,
    name: str,
    add: Mapping[str, str] | None,
    remove: Sequence[str],
) -> dict[str, str]:
    """Remove ``remove``, then set ``add``, on the resource ``name`` of ``kind``.

    Args:
        session: A write session.
        kind: The resource's kind.
        name: Its name.
        add: Tags to set.
        remove: Keys to remove.

    Returns:
        The tags afterwards.

    Raises:
        ValidationError: An unknown kind, a malformed tag or key.
        NotFoundError: No such resource.
    """
    added = validate_tags(dict(add or {}))
    for key in remove:
        if not isinstance(key, str) or not key or len(key) > TAG_KEY_MAX:
            raise ValidationError(
                f"TagKeys: tag keys must be 1 to {TAG_KEY_MAX} characters", field="TagKeys"
            )
    if kind in _JSON_TAGS:
        row: Any = get_row(session, _JSON_TAGS[kind], name, for_update=True)
        tags = {k: v for k, v in (row.tags or {}).items() if k not in remove}
        tags.update(added)
        row.tags = tags  # a new mapping: the JSON column is written
        session.flush()
        return dict(tags)
    if kind not in _TAG_TABLES:
        raise ValidationError(f"Resources of kind {kind!r} have no tags", field="kind")
    row_class, tag_class = _TAG_TABLES[kind]
    tags_of: Any = row_class
    row = get_row(session, row_class, name, selectinload(tags_of.tags), for_update=True)
    current = {tag.key: tag for tag in row.tags}
    wanted = {k: tag.value for k, tag in current.items() if k not in remove}
    wanted.update(added)
    # diff against the rows, so that a key removed and set again is one UPDATE (never a
    # DELETE and an INSERT of the same primary key in one flush)
    for key, tag in current.items():
        if key not in wanted:
            row.tags.remove(tag)
        elif tag.value != wanted[key]:
            tag.value = wanted[key]
    for key, value in wanted.items():
        if key not in current:
            row.tags.append(tag_class(key=key, value=value))
    session.flush()
    return wanted
