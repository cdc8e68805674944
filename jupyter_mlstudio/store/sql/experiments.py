"""Experiments: tag filter, the counts a listing shows, and the cascade of a delete."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, delete, distinct, exists, func, select
from sqlalchemy.orm import Session

from ...exceptions import ValidationError
from .models import (
    ExperimentRow,
    ExperimentTagRow,
    TrialComponentRow,
    TrialComponentTrialRow,
    TrialRow,
)

_TCT = TrialComponentTrialRow


def has_tag(tag: Any) -> ColumnElement[bool]:
    if not isinstance(tag, tuple) or len(tag) != 2 or not isinstance(tag[0], str):
        raise ValidationError("Tag filter must be (key, value) or (key, None)", field="Tag")
    key, value = tag
    condition = exists().where(
        ExperimentTagRow.experiment_id == ExperimentRow.id, ExperimentTagRow.key == key
    )
    return condition.where(ExperimentTagRow.value == value) if value is not None else condition


def counts(session: Session, ids: Sequence[int]) -> tuple[dict[int, int], dict[int, int]]:
    """Trials and distinct trial components per experiment, two queries for a whole page."""
    trials = session.execute(
        select(TrialRow.experiment_id, func.count())
        .where(TrialRow.experiment_id.in_(ids))
        .group_by(TrialRow.experiment_id)
    ).all()
    runs = session.execute(
        select(TrialRow.experiment_id, func.count(distinct(_TCT.trial_component_id)))
        .join(_TCT, _TCT.trial_id == TrialRow.id)
        .where(TrialRow.experiment_id.in_(ids))
        .group_by(TrialRow.experiment_id)
    ).all()
    return {k: int(v) for k, v in trials}, {k: int(v) for k, v in runs}


def delete_with_runs(session: Session, experiment_id: int) -> None:
    """Delete the experiment, its trials, and its runs that no other experiment's trial
    holds. Metrics, parameters, artifacts, associations and tags go by ON DELETE CASCADE."""
    trials = select(TrialRow.id).where(TrialRow.experiment_id == experiment_id)
    runs = select(_TCT.trial_component_id).where(_TCT.trial_id.in_(trials))
    shared = (
        select(_TCT.trial_component_id)
        .join(TrialRow, TrialRow.id == _TCT.trial_id)
        .where(TrialRow.experiment_id != experiment_id)
    )
    session.execute(
        delete(TrialComponentRow)
        .where(TrialComponentRow.id.in_(runs), TrialComponentRow.id.not_in(shared))
        .execution_options(synchronize_session=False)
    )
    session.execute(
        delete(ExperimentRow)
        .where(ExperimentRow.id == experiment_id)
        .execution_options(synchronize_session=False)
    )
