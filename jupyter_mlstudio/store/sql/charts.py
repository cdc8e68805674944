"""Chart data of the SQL store: metric series of many runs, read from the buckets.

A series with at most ``max_points`` points is read raw and returned exactly (one entry
per step). A longer one is read from ``metric_buckets`` (see ``buckets.py``) at the finest
level expected to hold at most ``max_points`` buckets for that run, one query for all
runs. The raw points of a long series are never read, so the cost follows the number of
points returned, not the number logged; of the buckets, only the columns the chart asks
for are read (a compare view's lines need ``last`` and ``last_step`` alone).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, and_, or_, select
from sqlalchemy.orm import Session

from ...entities import ChartSeries
from ...entities.charts import MAX_CHART_POINTS, MAX_CHART_RUNS, MIN_CHART_POINTS
from ...entities.common import METRIC_NAME_MAX
from ...exceptions import ConflictError, NotFoundError, ValidationError
from ..base import CHART_FIELDS
from .buckets import LEVELS, WIDTHS
from .lookups import check_name, get_id
from .models import (
    ExperimentRow,
    MetricBucketRow,
    MetricPointRow,
    MetricSummaryRow,
    TrialComponentRow,
    TrialComponentTrialRow,
    TrialRow,
)
from .stats import combine_means

_B = MetricBucketRow.__table__.c
_P = MetricPointRow.__table__.c
_S = MetricSummaryRow.__table__.c

#: Bucket columns a series may need, in the order they are read (``last_step`` follows).
_BUCKET_COLUMNS = ("count", "mean", "min", "max", "last")
#: ``ChartSeries`` column → the bucket columns it is made from (an average of merged
#: buckets weighs each mean by its count).
_NEEDS = {
    "min": ("min",),
    "max": ("max",),
    "last": ("last",),
    "avg": ("count", "mean"),
    "count": ("count",),
}
#: ``ChartSeries`` column → the bucket column holding it.
_SOURCE = {"min": "min", "max": "max", "last": "last", "avg": "mean", "count": "count"}


class ChartQueries:
    """The chart methods of ``SqlStore`` (a mixin: it needs the store's ``_session``)."""

    def _session(
        self, *, write: bool = False, conflict: ConflictError | None = None
    ) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def get_metric_chart(
        self,
        trial_component_names: Sequence[str],
        metric_name: str,
        *,
        experiment_name: str | None = None,
        max_points: int = 500,
        fields: Collection[str] | None = None,
    ) -> dict[str, ChartSeries]:
        _check_metric_name(metric_name)
        wanted = chart_columns(fields)
        if (
            isinstance(max_points, bool)
            or not isinstance(max_points, int)
            or not MIN_CHART_POINTS <= max_points <= MAX_CHART_POINTS
        ):
            raise ValidationError(
                f"MaxPoints must be an integer from {MIN_CHART_POINTS} to {MAX_CHART_POINTS}",
                field="MaxPoints",
            )
        with self._session() as s:
            runs = resolve_runs(s, trial_component_names, experiment_name)
            return chart(s.connection(), runs, metric_name, max_points, wanted)

    def list_metric_names(
        self,
        trial_component_names: Sequence[str] = (),
        *,
        experiment_name: str | None = None,
    ) -> list[str]:
        with self._session() as s:
            runs = resolve_runs(s, trial_component_names, experiment_name)
            if not runs:
                return []
            names = s.execute(
                select(_S.metric_name)
                .where(_S.trial_component_id.in_(list(runs)), _S.count > 0)
                .distinct()
                .order_by(_S.metric_name)
            ).scalars()
            return list(names)


def _check_metric_name(metric_name: Any) -> None:
    if not isinstance(metric_name, str) or not 1 <= len(metric_name) <= METRIC_NAME_MAX:
        raise ValidationError(
            f"MetricName must be 1 to {METRIC_NAME_MAX} characters", field="MetricName"
        )


def chart_columns(fields: Collection[str] | None) -> frozenset[str]:
    """The ``ChartSeries`` columns to fill for ``fields`` (API names; None: every one)."""
    if fields is None:
        return frozenset(CHART_FIELDS.values())
    if isinstance(fields, str):
        fields = [fields]
    for i, name in enumerate(fields):
        if name not in CHART_FIELDS:
            raise ValidationError(
                f"Fields[{i}] must be one of {', '.join(CHART_FIELDS)}", field=f"Fields[{i}]"
            )
    return frozenset(CHART_FIELDS[name] for name in fields)


def resolve_runs(
    session: Session, trial_component_names: Sequence[str], experiment_name: str | None
) -> dict[int, str]:
    """Run id → name: the named runs, then the experiment's runs by name, each once."""
    if isinstance(trial_component_names, str):
        trial_component_names = [trial_component_names]
    names = list(dict.fromkeys(trial_component_names))
    for name in names:
        check_name(TrialComponentRow, name)
    if len(names) > MAX_CHART_RUNS:
        raise ValidationError(
            f"A chart shows at most {MAX_CHART_RUNS} runs", field="TrialComponentName"
        )
    runs: dict[int, str] = {}
    if names:
        found = dict(
            session.execute(
                select(TrialComponentRow.name, TrialComponentRow.id).where(
                    TrialComponentRow.name.in_(names)
                )
            ).all()
        )
        missing = [name for name in names if name not in found]
        if missing:
            raise NotFoundError(f"Trial component {missing[0]!r} does not exist")
        runs = {found[name]: name for name in names}
    if experiment_name is not None:
        experiment_id = get_id(session, ExperimentRow, experiment_name)
        tct = TrialComponentTrialRow
        rows = session.execute(
            select(TrialComponentRow.id, TrialComponentRow.name)
            .join(tct, tct.trial_component_id == TrialComponentRow.id)
            .join(TrialRow, TrialRow.id == tct.trial_id)
            .where(TrialRow.experiment_id == experiment_id)
            .distinct()
            .order_by(TrialComponentRow.name)
        ).all()
        for run_id, name in rows:
            runs.setdefault(run_id, name)
    if len(runs) > MAX_CHART_RUNS:
        raise ValidationError(
            f"A chart shows at most {MAX_CHART_RUNS} runs; this selection has {len(runs)}",
            field="TrialComponentName",
        )
    return runs


def chart(
    connection: Connection,
    runs: dict[int, str],
    metric_name: str,
    max_points: int,
    wanted: frozenset[str] = frozenset(_SOURCE),
) -> dict[str, ChartSeries]:
    """Run name → series of the runs that logged the metric, in ``runs`` order.

    ``wanted``: the ``ChartSeries`` columns to fill besides ``steps`` (the others are
    empty lists), as ``chart_columns`` returns them.
    """
    if not runs:
        return {}
    counts = dict(
        connection.execute(
            select(_S.trial_component_id, _S.count).where(
                _S.metric_name == metric_name,
                _S.trial_component_id.in_(list(runs)),
                _S.count > 0,
            )
        ).all()
    )
    exact = [run_id for run_id in runs if 0 < counts.get(run_id, 0) <= max_points]
    bucketed = [run_id for run_id in runs if counts.get(run_id, 0) > max_points]
    series: dict[int, ChartSeries] = {}
    if exact:
        series.update(_exact(connection, exact, runs, metric_name, counts, wanted))
    if bucketed:
        series.update(
            _bucketed(connection, bucketed, runs, metric_name, counts, max_points, wanted)
        )
    return {runs[run_id]: series[run_id] for run_id in runs if run_id in series}


def _exact(
    connection: Connection,
    run_ids: list[int],
    runs: dict[int, str],
    metric_name: str,
    counts: dict[int, int],
    wanted: frozenset[str],
) -> Iterator[tuple[int, ChartSeries]]:
    rows = fetch_all(
        connection,
        select(_P.trial_component_id, _P.step, _P.value)
        .where(_P.metric_name == metric_name, _P.trial_component_id.in_(run_ids))
        .order_by(_P.trial_component_id, _P.id),
    )
    per_run: dict[int, dict[int, list[Any]]] = {}
    numbers: dict[int, int] = {}
    for run_id, step, value in rows:
        number = numbers.get(run_id, 0)
        numbers[run_id] = number + 1
        steps = per_run.setdefault(run_id, {})
        key = number if step is None else step
        a = steps.get(key)
        if a is None:
            steps[key] = [1, value, value, value, value, key]
            continue
        a[1] = combine_means(a[0], a[1], 1, value)
        a[0] += 1
        a[2] = min(a[2], value)
        a[3] = max(a[3], value)
        a[4] = value
    for run_id, steps in per_run.items():
        accs = [steps[key] for key in sorted(steps)]
        yield (
            run_id,
            _series(
                runs[run_id], metric_name, True, 1, counts[run_id], _BUCKET_COLUMNS, accs, wanted
            ),
        )


def _bucketed(
    connection: Connection,
    run_ids: list[int],
    runs: dict[int, str],
    metric_name: str,
    counts: dict[int, int],
    max_points: int,
    wanted: frozenset[str],
) -> Iterator[tuple[int, ChartSeries]]:
    """Each run at the finest level expected to fit ``max_points`` buckets.

    The level comes from the point count (``count / width`` buckets when steps are
    distinct); a run with more buckets there (steps far apart) is read again at the level
    its step span fits, so a chart costs one query in the usual case. Only the bucket
    columns ``wanted`` needs are read.
    """
    needed = {column for name in wanted for column in _NEEDS[name]}
    names = tuple(column for column in _BUCKET_COLUMNS if column in needed)
    selected = [_B.trial_component_id, *(_B[column] for column in names), _B.last_step]
    pending = {run_id: _level_for(counts[run_id], max_points) for run_id in run_ids}
    for _ in range(LEVELS):
        if not pending:
            return
        chosen: dict[int, list[int]] = {}
        for run_id, level in pending.items():
            chosen.setdefault(level, []).append(run_id)
        stmt = (
            select(*selected)
            .where(
                _B.metric_name == metric_name,
                or_(
                    *(
                        and_(_B.level == level, _B.trial_component_id.in_(ids))
                        for level, ids in chosen.items()
                    )
                ),
            )
            .order_by(_B.trial_component_id, _B.level, _B.bucket)
        )
        retry: dict[int, int] = {}
        for run_id, rows in groupby(fetch_all(connection, stmt), key=itemgetter(0)):
            accs: list[Any] = list(rows)  # rows (run id, *names, step)
            level = pending[run_id]
            if len(accs) > max_points and level < LEVELS - 1:
                span = accs[-1][-1] - accs[0][-1]
                retry[run_id] = max(level + 1, _level_for(span + 1, max_points))
                continue
            width = WIDTHS[level]
            if len(accs) > max_points:  # wider than the coarsest level: merge neighbours
                group = math.ceil(len(accs) / max_points)
                accs = [_merge(accs[i : i + group], names) for i in range(0, len(accs), group)]
                width *= group
            yield (
                run_id,
                _series(
                    runs[run_id], metric_name, False, width, counts[run_id], names, accs, wanted
                ),
            )
        pending = retry


def _level_for(size: int, max_points: int) -> int:
    """The finest level whose width cuts ``size`` consecutive steps into ≤ max_points."""
    for level, width in enumerate(WIDTHS):
        if -(-size // width) <= max_points:
            return level
    return LEVELS - 1


def fetch_all(connection: Connection, stmt: Any) -> list[Any]:
    """The rows of ``stmt`` straight from the DBAPI cursor, as tuples.

    Chart queries return tens of thousands of plain numbers; skipping SQLAlchemy's result
    layer (whose columns here need no type processing) halves the time to read them.
    """
    compiled = stmt.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    args: Any = (
        tuple(params[name] for name in compiled.positiontup or ())
        if compiled.positional
        else params
    )
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled), args)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _merge(accs: list[Any], names: Sequence[str]) -> tuple[Any, ...]:
    """Neighbouring rows ``(run id, *names, step)`` as one.

    ``names`` are bucket columns in ``_BUCKET_COLUMNS`` order; ``mean`` comes with
    ``count``, which weighs it.
    """
    width = len(names) + 1
    last = max(accs, key=lambda a: a[-1])  # steps of different buckets never tie
    merged: list[Any] = [accs[0][0]]
    for offset, name in zip(range(-width, -1), names, strict=True):
        if name == "count":
            merged.append(sum(a[offset] for a in accs))
        elif name == "mean":
            count, mean = accs[0][offset - 1], accs[0][offset]
            for a in accs[1:]:
                mean = combine_means(count, mean, a[offset - 1], a[offset])
                count += a[offset - 1]
            merged.append(mean)
        elif name == "min":
            merged.append(min(a[offset] for a in accs))
        elif name == "max":
            merged.append(max(a[offset] for a in accs))
        else:
            merged.append(last[offset])
    merged.append(last[-1])
    return tuple(merged)


def _series(
    run: str,
    metric: str,
    exact: bool,
    width: int,
    point_count: int,
    names: Sequence[str],
    accs: list[Any],
    wanted: frozenset[str],
) -> ChartSeries:
    """``accs`` end with the bucket columns ``names`` then the step, in step order; the
    ``ChartSeries`` columns not ``wanted`` are left empty."""
    *values, steps = list(zip(*accs, strict=True))[-len(names) - 1 :]
    by_name = dict(zip(names, values, strict=True))

    def column(name: str) -> list[Any]:
        return list(by_name[_SOURCE[name]]) if name in wanted else []

    return ChartSeries.model_construct(
        trial_component_name=run,
        metric_name=metric,
        exact=exact,
        bucket_width=width,
        point_count=point_count,
        steps=list(steps),
        min=column("min"),
        max=column("max"),
        last=column("last"),
        avg=column("avg"),
        count=column("count"),
    )
