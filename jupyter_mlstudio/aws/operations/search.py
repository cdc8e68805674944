"""Search: trial components, experiments, trials and training jobs, as SageMaker's
Search and the SageMaker SDK's ``ExperimentAnalytics`` use it.

A ``SearchExpression`` holds ``Filters`` (``Name``, ``Operator``, ``Value``),
``NestedFilters`` (filters that one element of a list must all meet, as
``{"NestedPropertyName": "Parents", "Filters": [...]}``) and ``SubExpressions``, joined
by ``Operator`` ``And`` (the default) or ``Or``. A property name is a path in the
resource's Search shape (``Parents.ExperimentName``, ``Status.PrimaryStatus``,
``DisplayName``, ``CreationTime``) with SageMaker's shorthands: ``Metrics.<name>.<stat>``
(``Max``, ``Min``, ``Last``, ``Avg``, ``Count``, ``StdDev``; ``Last`` when no stat is
given; a training job's final metric value), ``Parameters.<name>``,
``HyperParameters.<name>`` and ``Tags.<key>``. ``SortBy`` takes the same names.

Trial components and training jobs are searched by the store's indexes in one SQL query
(:class:`~jupyter_mlstudio.services.tracking.search.SearchService`) when every property
the request names is one the store indexes; only the page's records are then read.
Other searches (experiments, trials, other property paths) read the records from the
store and filter them here; a page is then a position in the sorted result
(``NextToken``).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from ...entities import JobKind
from ...entities.search import STATISTICS, TRAINING_JOBS, TRIAL_COMPONENTS
from ...exceptions import NotFoundError, ValidationError
from ...services.tracking.search import SearchService, indexed
from ..errors import validation
from ..pagination import paginate
from ..registry import SAGEMAKER, Call
from ..service_model import epoch_seconds, to_datetime
from ..tracking import (
    STORE_PAGE,
    all_items,
    each_component,
    parents_of,
    tag_list,
    trial_experiments,
)
from .experiments import experiment_answer
from .training import describe_training_job
from .trial_components import trial_component_answer
from .trials import trial_answer

#: Search's default sort (SageMaker's: the last modified first)
DEFAULT_SORT = "LastModifiedTime"

Record = dict[str, Any]


@SAGEMAKER.operation("Search")
def search(call: Call) -> dict[str, Any]:
    """Search trial components (``ExperimentTrialComponent``), experiments
    (``Experiment``), trials (``ExperimentTrial``) or training jobs (``TrainingJob``)
    with filters, nested filters, sub-expressions, a sort and pages.

    Args:
        call: A Search request.

    Returns:
        ``Results`` (``[{"TrialComponent": {...}}]`` and so on), ``TotalHits`` and
        ``NextToken``.
    """
    params = call.params
    resource = params["Resource"]
    source = RESOURCES.get(resource)
    if source is None:
        raise validation(
            f"Resource: the studio searches {', '.join(sorted(RESOURCES))}, not {resource!r}"
        )
    key, read = source
    expression = params.get("SearchExpression") or {}
    check_expression(expression)
    if indexed(params):
        return _indexed_search(call)
    matched = [record for record in read(call) if matches(record, expression)]
    ordered = sort_records(matched, params.get("SortBy") or DEFAULT_SORT, params.get("SortOrder"))
    page, token = paginate(ordered, params)
    return {
        "Results": [{key: record} for record in page],
        "TotalHits": {"Value": len(ordered), "Relation": "EqualTo"},
        "NextToken": token,
    }


def _indexed_search(call: Call) -> dict[str, Any]:
    """A trial component or training job search the store's indexes answer: one query
    for the page's names, then those records only."""
    try:
        page = SearchService(call.studio.store).search(call.params)
    except ValidationError as exc:
        raise validation(exc.message) from None
    return {
        "Results": page_records(call, call.params["Resource"], page.names),
        "TotalHits": {"Value": page.total, "Relation": "EqualTo"},
        "NextToken": page.next_token,
    }


def page_records(call: Call, resource: str, names: list[str]) -> list[Record]:
    """The Search results of a page of names, in order (a record deleted since the query
    is left out).

    Args:
        call: The request (ARNs).
        resource: ``ExperimentTrialComponent`` or ``TrainingJob``.
        names: The page's trial component or training job names.

    Returns:
        ``[{"TrialComponent": {...}}]`` or ``[{"TrainingJob": {...}}]``.
    """
    key, _ = RESOURCES[resource]
    if resource == TRIAL_COMPONENTS:
        records = []
        for component, parents in SearchService(call.studio.store).runs(names):
            record = trial_component_answer(call, component)
            record["Parents"] = parents
            records.append({key: record})
        return records
    found = []
    for name in names:
        try:
            found.append({key: _training_job(call, name)})
        except NotFoundError:  # deleted since the query
            continue
    return found


def _training_job(call: Call, name: str) -> Record:
    job = call.studio.store.get_job(name, JobKind.TRAINING)
    record = describe_training_job(dataclasses.replace(call, params={"TrainingJobName": name}))
    record["Tags"] = tag_list(job.tags)
    return record


def _trial_components(call: Call) -> Iterator[Record]:
    experiment_of = trial_experiments(call)
    for component in each_component(call):
        record = trial_component_answer(call, component)
        record["Parents"] = parents_of(component, experiment_of.get)
        yield record


def _experiments(call: Call) -> Iterator[Record]:
    store = call.studio.store
    summaries = all_items(
        lambda token: store.list_experiments(max_results=STORE_PAGE, next_token=token)
    )
    for summary in summaries:
        yield experiment_answer(call, store.get_experiment(summary.experiment_name))


def _trials(call: Call) -> Iterator[Record]:
    held: dict[str, list[Record]] = {}
    for component in each_component(call):
        answer = trial_component_answer(call, component)
        simple = {
            "TrialComponentName": answer["TrialComponentName"],
            "TrialComponentArn": answer["TrialComponentArn"],
            "TrialComponentSource": answer["Source"],
            "CreationTime": answer["CreationTime"],
        }
        for trial_name in component.trial_names:
            held.setdefault(trial_name, []).append(simple)
    trials = all_items(
        lambda token: call.studio.store.list_trials(max_results=STORE_PAGE, next_token=token)
    )
    for trial in trials:
        record = trial_answer(call, trial)
        record["TrialComponentSummaries"] = held.get(trial.trial_name, [])
        yield record


def _training_jobs(call: Call) -> Iterator[Record]:
    service = call.studio.job_kinds[JobKind.TRAINING]
    jobs = all_items(
        lambda token: service.list(sort_order="Ascending", max_results=100, next_token=token)
    )
    for job in jobs:
        named = dataclasses.replace(call, params={"TrainingJobName": job.job_name})
        record = describe_training_job(named)
        record["Tags"] = tag_list(job.tags)
        yield record


#: Search's Resource → the key of its records in Results, and the records
RESOURCES: dict[str, tuple[str, Callable[[Call], Iterator[Record]]]] = {
    "ExperimentTrialComponent": ("TrialComponent", _trial_components),
    "Experiment": ("Experiment", _experiments),
    "ExperimentTrial": ("Trial", _trials),
    TRAINING_JOBS: ("TrainingJob", _training_jobs),
}


# -- property paths -------------------------------------------------------------------


def values_at(record: Record, name: str) -> list[Any]:
    """The values a property name reaches in a record (several through lists).

    Args:
        record: A record in its Search shape.
        name: The property (``Parents.ExperimentName``, ``Metrics.loss.Min``, ...).

    Returns:
        The values found; empty when the record has no such property.
    """
    head, _, rest = name.partition(".")
    if rest and head == "Metrics":
        return _metric(record, rest)
    if rest and head == "Parameters":
        value = (record.get("Parameters") or {}).get(rest) or {}
        found = value.get("NumberValue", value.get("StringValue"))
        return [] if found is None else [found]
    if rest and head == "HyperParameters":
        hyper = (record.get("HyperParameters") or {}).get(rest)
        return [] if hyper is None else [hyper]
    if rest and head == "Tags":
        return [t.get("Value") for t in record.get("Tags") or [] if t.get("Key") == rest]
    return _walk(record, name.split("."))


def _walk(value: Any, parts: list[str]) -> list[Any]:
    if isinstance(value, list):
        return [found for item in value for found in _walk(item, parts)]
    if not parts:
        return [] if value is None else [value]
    if isinstance(value, dict) and parts[0] in value:
        return _walk(value[parts[0]], parts[1:])
    return []


def _metric(record: Record, rest: str) -> list[Any]:
    """``Metrics.<name>[.<stat>]``: a trial component's summary statistic, or a training
    job's final metric value."""
    metric, _, stat = rest.rpartition(".")
    statistic = STATISTICS.get(stat.lower()) if metric else None
    if statistic is None:
        metric, statistic = rest, "Last"
    found = []
    for summary in record.get("Metrics") or []:
        if summary.get("MetricName") == metric and summary.get(statistic) is not None:
            found.append(summary[statistic])
    for final in record.get("FinalMetricDataList") or []:
        if final.get("MetricName") == metric and final.get("Value") is not None:
            found.append(final["Value"])
    return found


# -- filters --------------------------------------------------------------------------


def matches(record: Record, expression: dict[str, Any]) -> bool:
    """Whether a record meets a SearchExpression (empty: every record does).

    Args:
        record: The record.
        expression: ``Filters``, ``NestedFilters``, ``SubExpressions`` and ``Operator``.

    Returns:
        Whether it matches.
    """
    checks: list[Callable[[], bool]] = []
    for item in expression.get("Filters") or []:
        checks.append(functools.partial(_filter, record, item))
    for nested in expression.get("NestedFilters") or []:
        checks.append(functools.partial(_nested, record, nested))
    for sub in expression.get("SubExpressions") or []:
        checks.append(functools.partial(matches, record, sub))
    if expression.get("Operator") == "Or":
        return not checks or any(check() for check in checks)
    return all(check() for check in checks)


def check_expression(expression: dict[str, Any]) -> None:
    """Refuse a filter SageMaker refuses before any record is read: an operator other
    than Exists and NotExists without a Value.

    Raises:
        AwsError: ``ValidationException`` naming the filter.
    """
    filters = list(expression.get("Filters") or [])
    for nested in expression.get("NestedFilters") or []:
        filters.extend(nested.get("Filters") or [])
    for item in filters:
        operator = item.get("Operator") or "Equals"
        if operator not in ("Exists", "NotExists") and item.get("Value") is None:
            raise validation(f"Filter {item['Name']!r}: the {operator} operator needs a Value")
    for sub in expression.get("SubExpressions") or []:
        check_expression(sub)


def _nested(record: Record, nested: dict[str, Any]) -> bool:
    """One element of the nested list meets every filter (names relative to it or
    starting with the list's name)."""
    prefix = nested["NestedPropertyName"]
    elements = values_at(record, prefix)
    filters = [
        {**f, "Name": f["Name"][len(prefix) + 1 :]} if f["Name"].startswith(prefix + ".") else f
        for f in nested["Filters"]
    ]
    return any(
        isinstance(element, dict) and all(_filter(element, f) for f in filters)
        for element in elements
    )


def _filter(record: Record, item: dict[str, Any]) -> bool:
    operator = item.get("Operator") or "Equals"
    found = values_at(record, item["Name"])
    if operator == "Exists":
        return bool(found)
    if operator == "NotExists":
        return not found
    wanted = str(item.get("Value"))
    if operator == "In":
        options = [w.strip() for w in wanted.split(",")]
        return any(_order(value, option) == 0 for value in found for option in options)
    if operator == "Contains":
        return any(wanted in str(value) for value in found)
    if operator == "NotEquals":
        return bool(found) and all(_order(value, wanted) != 0 for value in found)
    test = _TESTS[operator]
    return any(_satisfies(test, _order(value, wanted)) for value in found)


_TESTS: dict[str, Callable[[int], bool]] = {
    "Equals": lambda c: c == 0,
    "GreaterThan": lambda c: c > 0,
    "GreaterThanOrEqualTo": lambda c: c >= 0,
    "LessThan": lambda c: c < 0,
    "LessThanOrEqualTo": lambda c: c <= 0,
}


def _satisfies(test: Callable[[int], bool], comparison: int | None) -> bool:
    return comparison is not None and test(comparison)


def _order(value: Any, wanted: str) -> int | None:
    """``value`` against a filter's text: -1, 0 or 1, None when they do not compare
    (numbers as numbers, times as times, text as text; numeric text as numbers)."""
    actual, other = _comparable(value), _comparable_like(value, wanted)
    if other is None:
        return None
    if isinstance(actual, str) and isinstance(other, str):
        numbers = _number(actual), _number(other)
        if numbers[0] is not None and numbers[1] is not None:
            actual, other = numbers[0], numbers[1]
    return (actual > other) - (actual < other)


def _comparable(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, datetime):
        return _seconds(value)
    if isinstance(value, int | float):
        return float(value)
    return str(value)


def _seconds(moment: datetime) -> float | None:
    """Epoch seconds to the millisecond: the times as clients see them in answers."""
    return epoch_seconds(moment)


def _comparable_like(value: Any, wanted: str) -> Any:
    """The filter's text as the kind of ``value``."""
    if isinstance(value, bool):
        return wanted.lower()
    if isinstance(value, datetime):
        number = _number(wanted)
        try:
            moment = to_datetime(number if number is not None else wanted)
        except (OverflowError, ValueError, OSError):  # beyond datetime's years
            return None
        return None if moment is None else _seconds(moment)
    if isinstance(value, int | float):
        return _number(wanted)
    return wanted


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


# -- sort -----------------------------------------------------------------------------


def sort_records(records: list[Record], sort_by: str, order: str | None) -> list[Record]:
    """Records by a property (records without it last), ``Descending`` by default.

    Args:
        records: The matching records.
        sort_by: A property name, as in filters.
        order: ``Ascending`` or ``Descending`` (None: Descending).

    Returns:
        A new sorted list.
    """
    descending = order != "Ascending"
    present = [(values_at(r, sort_by), r) for r in records]
    having = [(found[0], r) for found, r in present if found]
    missing = [r for found, r in present if not found]

    def key(pair: tuple[Any, Record]) -> tuple[int, Any]:
        value = _comparable(pair[0])
        return (0, value) if isinstance(value, float) else (1, value)

    having.sort(key=key, reverse=descending)  # numbers (and times) before text
    return [r for _, r in having] + missing
