"""Trial components (runs): what to load for an entity, merges of updates, list filters."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, selectinload

from ...entities import TrialComponentArtifact, validate_time
from . import validation
from .lookups import get_id
from .models import (
    ArtifactRow,
    ExperimentRow,
    ParameterRow,
    TrialComponentRow,
    TrialComponentTrialRow,
    TrialRow,
)

_TCT = TrialComponentTrialRow

# What a TrialComponent entity needs, loaded in one query per relationship for a page.
TC_LOAD = (
    selectinload(TrialComponentRow.tags),
    selectinload(TrialComponentRow.parameters),
    selectinload(TrialComponentRow.artifacts),
    selectinload(TrialComponentRow.metric_summaries),
    selectinload(TrialComponentRow.trials).lazyload(TrialRow.experiment),
)


def merge_parameters(
    row: TrialComponentRow,
    new: Mapping[str, tuple[float | None, str | None]],
    to_remove: set[str],
) -> None:
    existing = {p.name: p for p in row.parameters}
    for key, (number, string) in new.items():
        if key in existing:
            existing[key].number_value, existing[key].string_value = number, string
        else:
            row.parameters.append(ParameterRow(name=key, number_value=number, string_value=string))
    row.parameters = [p for p in row.parameters if p.name not in to_remove]


def merge_artifacts(row: TrialComponentRow, new: list[ArtifactRow]) -> None:
    current = {(a.direction, a.name): a for a in row.artifacts}
    for artifact in new:
        old = current.get((artifact.direction, artifact.name))
        if old is None:
            row.artifacts.append(artifact)
        else:
            old.value, old.media_type = artifact.value, artifact.media_type


def membership_filters(
    session: Session, experiment_name: str | None, trial_name: str | None
) -> list[ColumnElement[bool]]:
    """Runs in any trial of the experiment, and/or in the trial (NotFoundError if missing)."""
    filters: list[ColumnElement[bool]] = []
    if experiment_name is not None:
        experiment_id = get_id(session, ExperimentRow, experiment_name)
        filters.append(
            TrialComponentRow.id.in_(
                select(_TCT.trial_component_id)
                .join(TrialRow, TrialRow.id == _TCT.trial_id)
                .where(TrialRow.experiment_id == experiment_id)
            )
        )
    if trial_name is not None:
        trial_id = get_id(session, TrialRow, trial_name)
        filters.append(
            TrialComponentRow.id.in_(
                select(_TCT.trial_component_id).where(_TCT.trial_id == trial_id)
            )
        )
    return filters


def message(value: Any) -> str | None:
    return validation.validate_text(value, field="Status.Message", max_length=1024)


def time_value(value: Any, field: str) -> datetime | None:
    return validate_time(value, field=field)


def artifact_rows(
    inputs: Mapping[str, TrialComponentArtifact] | None,
    outputs: Mapping[str, TrialComponentArtifact] | None,
) -> list[ArtifactRow]:
    rows = []
    for direction, field, values in (
        ("input", "InputArtifacts", inputs),
        ("output", "OutputArtifacts", outputs),
    ):
        for key, artifact in validation.artifacts(values, field).items():
            rows.append(
                ArtifactRow(
                    direction=direction,
                    name=key,
                    value=artifact.value,
                    media_type=artifact.media_type,
                )
            )
    return rows
