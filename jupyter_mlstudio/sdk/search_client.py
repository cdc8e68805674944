"""Search runs and training jobs from a notebook, with the members and answers of
SageMaker's ``Search`` (what ``sagemaker_session.sagemaker_client.search(...)`` takes)::

    from jupyter_mlstudio.sdk import search

    answer = search(
        Resource="ExperimentTrialComponent",
        SearchExpression={
            "Filters": [
                {"Name": "Metrics.accuracy.Max", "Operator": "GreaterThan", "Value": "0.9"},
                {"Name": "Parameters.lr", "Operator": "LessThan", "Value": "0.01"},
            ]
        },
        SortBy="Metrics.accuracy.Max",
    )
    names = [r["TrialComponent"]["TrialComponentName"] for r in answer["Results"]]

Each call is one ``POST /mlstudio/api/search`` to the studio that owns the session's
home, answered from the store's indexes; times come back as ``datetime`` objects, as
boto3 gives them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from .client import resolve_client

#: the members of Search's records that carry times
TIME_MEMBERS = frozenset(
    {
        "CreationTime",
        "LastModifiedTime",
        "StartTime",
        "EndTime",
        "TrainingStartTime",
        "TrainingEndTime",
        "Timestamp",
    }
)


def search(
    Resource: str = "ExperimentTrialComponent",
    SearchExpression: Mapping[str, Any] | None = None,
    SortBy: str | None = None,
    SortOrder: str | None = None,
    MaxResults: int | None = None,
    NextToken: str | None = None,
    *,
    session: Any = None,
) -> dict[str, Any]:
    """One page of a search of runs (``ExperimentTrialComponent``) or training jobs
    (``TrainingJob``), as SageMaker's Search answers it.

    Args:
        Resource: ``ExperimentTrialComponent`` (the default) or ``TrainingJob``.
        SearchExpression: ``Filters`` (``Name``, ``Operator``, ``Value``),
            ``NestedFilters`` (on ``Parents``), ``SubExpressions`` and ``Operator``
            (``And``, ``Or``); names such as ``Metrics.<name>.Max``,
            ``Parameters.<name>``, ``HyperParameters.<name>``, ``Tags.<key>``.
        SortBy: A property name (default ``LastModifiedTime``).
        SortOrder: ``Ascending`` or ``Descending`` (the default).
        MaxResults: 1 to 100 records (default 10).
        NextToken: The previous page's ``NextToken``.
        session: None (the default client), a Session, a TrackingClient or a URI.

    Returns:
        ``Results`` (``[{"TrialComponent": {...}}]`` or ``[{"TrainingJob": {...}}]``),
        ``TotalHits`` and ``NextToken`` (None on the last page).

    Raises:
        ValidationError: A bad member; ``field`` names it
            (``SearchExpression.Filters[0].Operator``).
    """
    body: dict[str, Any] = {"Resource": Resource}
    members = {
        "SearchExpression": dict(SearchExpression) if SearchExpression is not None else None,
        "SortBy": SortBy,
        "SortOrder": SortOrder,
        "MaxResults": MaxResults,
        "NextToken": NextToken,
    }
    body.update({k: v for k, v in members.items() if v is not None})
    answer = resolve_client(session).studio.json("POST", "search", body=body)
    return dict(_times(answer or {}))


def search_all(
    Resource: str = "ExperimentTrialComponent",
    SearchExpression: Mapping[str, Any] | None = None,
    SortBy: str | None = None,
    SortOrder: str | None = None,
    *,
    session: Any = None,
) -> Iterator[dict[str, Any]]:
    """Every record a search matches, page after page (100 a request), as boto3's
    ``get_paginator("search")`` gives them.

    Args:
        Resource: ``ExperimentTrialComponent`` or ``TrainingJob``.
        SearchExpression: As :func:`search`.
        SortBy: As :func:`search`.
        SortOrder: As :func:`search`.
        session: As :func:`search`.

    Returns:
        An iterator of ``{"TrialComponent": {...}}`` or ``{"TrainingJob": {...}}``.
    """
    token: str | None = None
    while True:
        page = search(
            Resource,
            SearchExpression,
            SortBy,
            SortOrder,
            100,
            token,
            session=session,
        )
        yield from page.get("Results") or []
        token = page.get("NextToken")
        if not token:
            return


def search_names(
    Resource: str = "ExperimentTrialComponent",
    *,
    session: Any = None,
) -> dict[str, list[str]]:
    """The parameter, metric and tag names a search of ``Resource`` can use.

    Args:
        Resource: ``ExperimentTrialComponent`` or ``TrainingJob``.
        session: As :func:`search`.

    Returns:
        ``{"Parameters": [...], "Metrics": [...], "Tags": [...]}``, each sorted.
    """
    connection = resolve_client(session).studio
    answer = connection.json("GET", "search/names", query={"Resource": Resource})
    return dict(answer or {})


def _times(value: Any) -> Any:
    """The answer with ISO 8601 times as ``datetime`` objects, as boto3 gives them."""
    if isinstance(value, dict):
        return {
            k: datetime.fromisoformat(v) if k in TIME_MEMBERS and isinstance(v, str) else _times(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_times(v) for v in value]
    return value
