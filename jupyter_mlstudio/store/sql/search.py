"""Search of the SQL store: SageMaker's ``SearchExpression`` as one SQL query.

Trial components and training jobs are filtered and sorted on their indexed tables: the
record's own columns, ``trial_component_parameters``, ``metric_summaries`` (a metric's
Min/Max/Last/Avg/Count/StdDev, kept up to date as points are logged), the tag tables and
a run's trials and experiments (``Parents``). A filter on a property held in another
table is an ``EXISTS`` on that table's primary key (run, name); a sort on one is a
correlated lookup of the same key. Metric points are never read.

Values compare as SageMaker's Search compares them: numbers as numbers, times to the
millisecond, text as text, and text that reads as a number (a hyperparameter, a string
parameter) as a number against a number. Records without the sort property come last;
ties keep the records' creation order. ``NextToken`` is a stable offset in that order,
bound to the query it was written for.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Float,
    String,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    not_,
    or_,
    select,
    true,
)

from ...entities import TrialComponent
from ...entities.jobs import JobKind
from ...entities.search import (
    MAX_SEARCH_RESULTS,
    OPERATORS,
    PARAMETER_PREFIX,
    TRAINING_JOBS,
    TRIAL_COMPONENTS,
    SearchNames,
    SearchPage,
    SearchProperty,
    SearchQuery,
    resolve_property,
)
from ...exceptions import ValidationError
from . import convert
from .models import (
    ExperimentRow,
    JobRow,
    JobTagRow,
    MetricSummaryRow,
    ParameterRow,
    TrialComponentRow,
    TrialComponentTagRow,
    TrialComponentTrialRow,
    TrialRow,
)
from .runs import TC_LOAD
from .session import session_scope

_TC = TrialComponentRow.__table__.c
_JOB = JobRow.__table__.c
_PAR = ParameterRow.__table__.c
_SUM = MetricSummaryRow.__table__.c
_TCTAG = TrialComponentTagRow.__table__.c
_JOBTAG = JobTagRow.__table__.c
_TCT = TrialComponentTrialRow.__table__.c
_TRIAL = TrialRow.__table__.c
_EXP = ExperimentRow.__table__.c

#: a metric statistic → its column of ``metric_summaries``
_STAT_COLUMNS = {
    "Max": _SUM.max,
    "Min": _SUM.min,
    "Last": _SUM.last,
    "Avg": _SUM.mean,
    "Count": _SUM.count,
    "StdDev": _SUM.std_dev,
}
_HALF_MS = timedelta(microseconds=500)
_NUMERIC_RE = r"^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$"

Clause = ColumnElement[bool]


@dataclass(frozen=True)
class _Value:
    """A property's value in SQL.

    ``kind`` is ``number``, ``text``, ``time`` or ``parameter`` (a number column and a
    text column, one of them set). ``scope`` wraps a condition on the value into a
    condition on the record: an ``EXISTS`` on the table holding it (None: a column of
    the record). ``sort`` is the value as one correlated expression per record.
    """

    kind: str
    column: ColumnElement[Any]
    text: ColumnElement[Any] | None = None
    scope: Callable[[Clause], Clause] | None = None
    sort: tuple[ColumnElement[Any], ...] = ()

    def any(self, condition: Clause) -> Clause:
        return condition if self.scope is None else self.scope(condition)

    def present(self) -> Clause:
        if self.kind == "parameter" and self.text is not None:
            return or_(self.column.is_not(None), self.text.is_not(None))
        return self.column.is_not(None)


def search_records(engine: Engine, query: SearchQuery) -> SearchPage:
    """One page of a search, in one query (and a count when the page is past the end).

    Args:
        engine: The SQL store's engine.
        query: The search.

    Returns:
        The names of the page's records, the number of matches and the next token.

    Raises:
        ValidationError: A bad expression, sort, size or token; ``field`` names the
            member (``SearchExpression.Filters[0].Operator``).
    """
    size = query.max_results
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_SEARCH_RESULTS:
        raise ValidationError(
            f"MaxResults must be an integer from 1 to {MAX_SEARCH_RESULTS}", field="MaxResults"
        )
    scope = _scope_of(query)
    offset = _decode(query.next_token, scope)
    builder = _Builder(query.resource, engine.dialect.name)
    where = builder.expression(query.expression or {}, "SearchExpression")
    order = builder.order(query.sort_by, query.sort_order)
    total = func.count().over().label("total")
    statement = (
        select(builder.name, total)
        .select_from(builder.table)
        .where(builder.base, where)
        .order_by(*order, builder.id)
        .limit(size)
        .offset(offset)
    )
    with session_scope(engine) as s:
        rows = s.execute(statement).all()
        if rows:
            hits = int(rows[0].total)
        else:
            counted = select(func.count()).select_from(builder.table)
            hits = int(s.execute(counted.where(builder.base, where)).scalar_one())
    end = offset + len(rows)
    token = _encode(end, scope) if end < hits else None
    return SearchPage(names=[row[0] for row in rows], total=hits, next_token=token)


def search_names(engine: Engine, resource: str) -> SearchNames:
    """The parameter, metric and tag names a search of ``resource`` can use, from the
    indexed tables (a training job's hyperparameters from the jobs' specs).

    Args:
        engine: The SQL store's engine.
        resource: ``ExperimentTrialComponent`` or ``TrainingJob``.

    Returns:
        The names, each list sorted.
    """
    _check_resource(resource)
    with session_scope(engine) as s:
        if resource == TRIAL_COMPONENTS:
            parameters = s.scalars(select(_PAR.name).distinct()).all()
            metrics = s.scalars(select(_SUM.metric_name).distinct().where(_SUM.count > 0)).all()
            tags = s.scalars(select(_TCTAG.key).distinct()).all()
            return SearchNames(sorted(parameters), sorted(metrics), sorted(tags))
        training = _JOB.kind == JobKind.TRAINING.value
        hyper: set[str] = set()
        for spec in s.scalars(select(_JOB.spec).where(training)):
            hyper.update((spec or {}).get("HyperParameters") or {})
        runs = select(_TC.id).join(JobRow.__table__, _JOB.trial_component_name == _TC.name)
        metrics = s.scalars(
            select(_SUM.metric_name)
            .distinct()
            .where(_SUM.count > 0, _SUM.trial_component_id.in_(runs.where(training)))
        ).all()
        keys = s.scalars(
            select(_JOBTAG.key).distinct().join(JobRow.__table__, _JOB.id == _JOBTAG.job_id)
        ).all()
        return SearchNames(sorted(hyper), sorted(metrics), sorted(keys))


def read_runs(
    engine: Engine, names: Sequence[str]
) -> tuple[dict[str, TrialComponent], dict[str, list[tuple[str, str]]]]:
    """The runs of a page and their parents, in one session (a handful of queries for
    the whole page, not a handful a run).

    Args:
        engine: The SQL store's engine.
        names: Trial component names (missing ones are left out).

    Returns:
        The runs by name, and each run's ``(trial, experiment)`` pairs by trial name.
    """
    with session_scope(engine) as s:
        rows = s.scalars(
            select(TrialComponentRow).where(_TC.name.in_(list(names))).options(*TC_LOAD)
        ).all()
        runs = {row.name: convert.trial_component(row) for row in rows}
        parents: dict[str, list[tuple[str, str]]] = {}
        pairs = s.execute(
            select(_TC.name, _TRIAL.name, _EXP.name)
            .select_from(
                _parents_join().join(TrialComponentRow.__table__, _TC.id == _TCT.trial_component_id)
            )
            .where(_TC.name.in_(list(names)))
            .order_by(_TC.name, _TRIAL.name)
        ).all()
        for run, trial, experiment in pairs:
            parents.setdefault(run, []).append((trial, experiment))
    return runs, parents


def _check_resource(resource: str) -> None:
    if resource not in (TRIAL_COMPONENTS, TRAINING_JOBS):
        raise ValidationError(
            f"Resource: the store searches {TRIAL_COMPONENTS} and {TRAINING_JOBS},"
            f" not {resource!r}",
            field="Resource",
        )


class _Builder:
    """SQL of one search: the resource's table, its base condition and its properties."""

    def __init__(self, resource: str, dialect: str) -> None:
        _check_resource(resource)
        self.resource = resource
        self.dialect = dialect
        if resource == TRIAL_COMPONENTS:
            self.table: Any = TrialComponentRow.__table__
            self.id = _TC.id
            self.name = _TC.name
            self.base: Clause = true()
        else:
            self.table = JobRow.__table__
            self.id = _JOB.id
            self.name = _JOB.name
            self.base = _JOB.kind == JobKind.TRAINING.value

    # -- expressions ---------------------------------------------------------------

    def expression(self, expression: dict[str, Any], path: str) -> Clause:
        """A SearchExpression as a condition on the record.

        Args:
            expression: ``Filters``, ``NestedFilters``, ``SubExpressions``, ``Operator``.
            path: Where it is in the request (errors name the member).

        Returns:
            The condition (true for an empty expression).
        """
        if not isinstance(expression, dict):
            raise ValidationError(f"{path} must be an object", field=path)
        parts: list[Clause] = []
        for i, item in enumerate(_list(expression, "Filters", path)):
            where = f"{path}.Filters[{i}]"
            parts.append(self.filter(item, where, self.value(_name_of(item, where), where)))
        for i, nested in enumerate(_list(expression, "NestedFilters", path)):
            parts.append(self.nested(nested, f"{path}.NestedFilters[{i}]"))
        for i, sub in enumerate(_list(expression, "SubExpressions", path)):
            parts.append(self.expression(sub, f"{path}.SubExpressions[{i}]"))
        operator = expression.get("Operator") or "And"
        if operator not in ("And", "Or"):
            raise ValidationError(
                f"{path}.Operator must be And or Or, not {operator!r}", field=f"{path}.Operator"
            )
        if not parts:
            return true()
        return or_(*parts) if operator == "Or" else and_(*parts)

    def nested(self, nested: dict[str, Any], path: str) -> Clause:
        """``{"NestedPropertyName": "Parents", "Filters": [...]}``: one of the run's
        parents meets every filter."""
        if not isinstance(nested, dict):
            raise ValidationError(f"{path} must be an object", field=path)
        prefix = nested.get("NestedPropertyName")
        if self.resource != TRIAL_COMPONENTS or prefix != "Parents":
            raise ValidationError(
                f"{path}.NestedPropertyName: the store nests filters on a trial component's"
                f" Parents only, not {prefix!r}",
                field=f"{path}.NestedPropertyName",
            )
        columns = {"TrialName": _TRIAL.name, "ExperimentName": _EXP.name}
        conditions = []
        for i, item in enumerate(_list(nested, "Filters", path)):
            where = f"{path}.Filters[{i}]"
            name = _name_of(item, where)
            member = name[len(prefix) + 1 :] if name.startswith(prefix + ".") else name
            if member not in columns:
                raise ValidationError(
                    f"{where}.Name: a parent has TrialName and ExperimentName, not {name!r}",
                    field=f"{where}.Name",
                )
            conditions.append(self.filter(item, where, _Value("text", columns[member])))
        return exists(_parents().where(_TCT.trial_component_id == _TC.id, *conditions))

    def filter(self, item: dict[str, Any], path: str, value: _Value) -> Clause:
        """One filter: ``Name``, ``Operator`` (Equals when absent), ``Value``."""
        operator = item.get("Operator") or "Equals"
        if operator not in OPERATORS:
            raise ValidationError(
                f"{path}.Operator: {operator!r} is not one of {', '.join(OPERATORS)}",
                field=f"{path}.Operator",
            )
        if operator == "Exists":
            return value.any(value.present())
        if operator == "NotExists":
            return not_(value.any(value.present()))
        wanted = item.get("Value")
        if wanted is None:
            raise ValidationError(
                f"{path}.Value: the {operator} operator needs a Value", field=f"{path}.Value"
            )
        if isinstance(wanted, dict | list):
            raise ValidationError(f"{path}.Value must be text", field=f"{path}.Value")
        wanted = str(wanted)
        if "\x00" in wanted:
            raise ValidationError(f"{path}.Value holds a NUL character", field=f"{path}.Value")
        if operator == "In":
            options = [w.strip() for w in wanted.split(",")]
            return value.any(or_(*(self.compare(value, "Equals", o) for o in options)))
        if operator == "NotEquals":
            equal = value.any(self.compare(value, "Equals", wanted))
            return and_(value.any(value.present()), not_(equal))
        return value.any(self.compare(value, operator, wanted))

    def compare(self, value: _Value, operator: str, wanted: str) -> Clause:
        """The value against a filter's text (Equals, GreaterThan, ..., Contains)."""
        if operator == "Contains":
            texts: list[ColumnElement[Any]] = (
                [value.column] if value.kind == "text" else [cast(value.column, String)]
            )
            if value.text is not None:
                texts.append(value.text)
            return or_(*(t.contains(wanted, autoescape=True) for t in texts))
        number = _number(wanted)
        if value.kind == "number":
            return false() if number is None else _test(value.column, operator, number)
        if value.kind == "time":
            return self._time(value.column, operator, wanted)
        if value.kind == "parameter" and value.text is not None:
            numeric = false() if number is None else _test(value.column, operator, number)
            return or_(numeric, self._text(value.text, operator, wanted, number))
        return self._text(value.column, operator, wanted, number)

    def _text(
        self, column: ColumnElement[Any], operator: str, wanted: str, number: float | None
    ) -> Clause:
        if number is None:
            return _test(column, operator, wanted)
        reads = self.numeric(column)
        as_number = case((reads, cast(column, Float)), else_=None)
        return or_(
            and_(reads, _test(as_number, operator, number)),
            and_(not_(reads), _test(column, operator, wanted)),
        )

    def _time(self, column: ColumnElement[Any], operator: str, wanted: str) -> Clause:
        moment = _moment(wanted)
        if moment is None:
            return false()
        low, high = moment - _HALF_MS, moment + _HALF_MS  # the same millisecond
        tests = {
            "Equals": and_(column >= low, column < high),
            "GreaterThan": column >= high,
            "GreaterThanOrEqualTo": column >= low,
            "LessThan": column < low,
            "LessThanOrEqualTo": column < high,
        }
        return tests[operator]

    def numeric(self, column: ColumnElement[Any]) -> Clause:
        """Whether a text column reads as a number (SQLite has no regular expressions)."""
        if self.dialect == "postgresql":
            return column.op("~", is_comparison=True)(_NUMERIC_RE)
        return and_(
            column.op("GLOB", is_comparison=True)("*[0-9]*"),
            not_(column.op("GLOB", is_comparison=True)("*[^0-9.eE+-]*")),
            column.op("GLOB", is_comparison=True)("[0-9.+-]*"),
        )

    # -- properties ----------------------------------------------------------------

    def value(self, name: str, path: str) -> _Value:
        """The SQL of a property name (errors name ``path``'s member)."""
        found = None if "\x00" in name else resolve_property(self.resource, name)
        if found is None:
            prefix = PARAMETER_PREFIX[self.resource]
            raise ValidationError(
                f"{path}.Name: {name!r} is not a property the store searches (Metrics.<name>"
                f"[.Max|.Min|.Last|.Avg|.Count|.StdDev], {prefix}.<name>, Tags.<key>, or a"
                " field)",
                field=f"{path}.Name",
            )
        if self.resource == TRIAL_COMPONENTS:
            return _run_value(found)
        return _job_value(found)

    def order(self, sort_by: str, sort_order: str) -> list[ColumnElement[Any]]:
        """ORDER BY a property: records without it last; for a parameter, numbers
        before text (after it when descending)."""
        if sort_order not in ("Ascending", "Descending"):
            raise ValidationError(
                f"SortOrder must be Ascending or Descending, not {sort_order!r}",
                field="SortOrder",
            )
        value = self.value(sort_by, "SortBy")
        keys = value.sort or (value.column,)
        descending = sort_order == "Descending"
        missing = case((and_(*(k.is_(None) for k in keys)), 1), else_=0)
        order: list[ColumnElement[Any]] = [missing]
        if len(keys) == 2:
            group = case((keys[0].is_(None), 1), else_=0)
            order.append(group.desc() if descending else group)
        order.extend(k.desc() if descending else k for k in keys)
        return order


# -- a trial component's properties ---------------------------------------------------


def _run_value(found: SearchProperty) -> _Value:
    if found.family == "field":
        columns: dict[str, tuple[str, ColumnElement[Any]]] = {
            "TrialComponentName": ("text", _TC.name),
            "DisplayName": ("text", func.coalesce(_TC.display_name, _TC.name)),
            "Status.PrimaryStatus": ("text", _TC.status),
            "Status.Message": ("text", _TC.status_message),
            "Source.SourceArn": ("text", _TC.source_arn),
            "Source.SourceType": ("text", _TC.source_type),
            "StartTime": ("time", _TC.start_time),
            "EndTime": ("time", _TC.end_time),
            "CreationTime": ("time", _TC.creation_time),
            "LastModifiedTime": ("time", _TC.last_modified_time),
        }
        kind, column = columns[found.key]
        return _Value(kind, column)
    if found.family == "parameter":
        keyed = [_PAR.trial_component_id == _TC.id, _PAR.name == found.key]
        return _Value(
            "parameter",
            _PAR.number_value,
            _PAR.string_value,
            scope=lambda c: exists().where(*keyed, c),
            sort=(
                select(_PAR.number_value).where(*keyed).scalar_subquery(),
                select(_PAR.string_value).where(*keyed).scalar_subquery(),
            ),
        )
    if found.family == "metric":
        return _metric_value(found, [_SUM.trial_component_id == _TC.id])
    if found.family == "tag":
        keyed = [_TCTAG.trial_component_id == _TC.id, _TCTAG.key == found.key]
        return _Value(
            "text",
            _TCTAG.value,
            scope=lambda c: exists().where(*keyed, c),
            sort=(select(_TCTAG.value).where(*keyed).scalar_subquery(),),
        )
    column = _TRIAL.name if found.key == "TrialName" else _EXP.name
    first = select(func.min(column)).select_from(_parents_join())
    return _Value(
        "text",
        column,
        scope=lambda c: exists(_parents().where(_TCT.trial_component_id == _TC.id, c)),
        sort=(first.where(_TCT.trial_component_id == _TC.id).scalar_subquery(),),
    )


def _parents_join() -> Any:
    return TrialComponentTrialRow.__table__.join(
        TrialRow.__table__, _TRIAL.id == _TCT.trial_id
    ).join(ExperimentRow.__table__, _EXP.id == _TRIAL.experiment_id)


def _parents() -> Any:
    return select(1).select_from(_parents_join())


def _metric_value(found: SearchProperty, run: list[Clause]) -> _Value:
    column = _STAT_COLUMNS[found.statistic]
    keyed = [*run, _SUM.metric_name == found.key, _SUM.count > 0]
    return _Value(
        "number",
        column,
        scope=lambda c: exists().where(*keyed, c),
        sort=(select(column).where(*keyed).scalar_subquery(),),
    )


# -- a training job's properties ------------------------------------------------------


def _job_value(found: SearchProperty) -> _Value:
    if found.family == "field":
        columns: dict[str, tuple[str, ColumnElement[Any]]] = {
            "TrainingJobName": ("text", _JOB.name),
            "TrainingJobStatus": ("text", _JOB.status),
            "SecondaryStatus": ("text", _JOB.secondary_status),
            "FailureReason": ("text", _JOB.failure_reason),
            "ExperimentConfig.ExperimentName": ("text", _JOB.experiment_name),
            "ExperimentConfig.TrialComponentName": ("text", _JOB.trial_component_name),
            "TrainingStartTime": ("time", _JOB.start_time),
            "TrainingEndTime": ("time", _JOB.end_time),
            "CreationTime": ("time", _JOB.creation_time),
            "LastModifiedTime": ("time", _JOB.last_modified_time),
        }
        kind, column = columns[found.key]
        return _Value(kind, column)
    if found.family == "parameter":
        hyper = JobRow.__table__.c.spec[("HyperParameters", found.key)].as_string()
        return _Value("text", hyper)
    if found.family == "metric":
        # a training job's metrics are its run's: the final values are the Last ones
        run = [_SUM.trial_component_id == _TC.id, _TC.name == _JOB.trial_component_name]
        return _metric_value(found, run)
    keyed = [_JOBTAG.job_id == _JOB.id, _JOBTAG.key == found.key]
    return _Value(
        "text",
        _JOBTAG.value,
        scope=lambda c: exists().where(*keyed, c),
        sort=(select(_JOBTAG.value).where(*keyed).scalar_subquery(),),
    )


# -- values ---------------------------------------------------------------------------


def _list(holder: dict[str, Any], member: str, path: str) -> list[Any]:
    found = holder.get(member) or []
    if not isinstance(found, list):
        raise ValidationError(f"{path}.{member} must be a list", field=f"{path}.{member}")
    return found


def _name_of(item: Any, path: str) -> str:
    name = item.get("Name") if isinstance(item, dict) else None
    if not isinstance(name, str) or not name or "\x00" in name:
        raise ValidationError(f"{path}.Name: a filter needs a Name", field=f"{path}.Name")
    return name


def _test(column: ColumnElement[Any], operator: str, wanted: Any) -> Clause:
    tests: dict[str, Callable[[], Clause]] = {
        "Equals": lambda: column == wanted,
        "GreaterThan": lambda: column > wanted,
        "GreaterThanOrEqualTo": lambda: column >= wanted,
        "LessThan": lambda: column < wanted,
        "LessThanOrEqualTo": lambda: column <= wanted,
    }
    return tests[operator]()


def _number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def _moment(text: str) -> datetime | None:
    """A filter's time: epoch seconds or ISO text, to the millisecond (as answers give
    times)."""
    number = _number(text)
    try:
        if number is not None:
            moment = datetime.fromtimestamp(number, tz=timezone.utc)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (OverflowError, ValueError, OSError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        return datetime.fromtimestamp(round(moment.timestamp(), 3), tz=timezone.utc)
    except (OverflowError, ValueError, OSError):
        return None


# -- NextToken ------------------------------------------------------------------------


def _scope_of(query: SearchQuery) -> str:
    """What a token is bound to: the resource, expression and sort."""
    text = json.dumps(
        [query.resource, query.expression, query.sort_by, query.sort_order],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _encode(offset: int, scope: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "s": scope}).encode()).decode()


def _decode(token: str | None, scope: str) -> int:
    if not token:
        return 0
    try:
        body = json.loads(base64.urlsafe_b64decode(str(token).encode()))
        offset, written_for = body["o"], body["s"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise ValidationError("Invalid pagination token", field="NextToken") from None
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValidationError("Invalid pagination token", field="NextToken")
    if written_for != scope:
        raise ValidationError(
            "NextToken belongs to another search (resource, expression or sort)",
            field="NextToken",
        )
    return offset
