"""Search over runs (trial components) and training jobs, answered by the store's
indexed tables in one SQL query (``store/sql/search.py``), never by reading metric points.

Requests have SageMaker's ``Search`` members: ``Resource``, ``SearchExpression``
(``Filters`` of ``Name``, ``Operator``, ``Value``; ``NestedFilters`` on ``Parents``;
``SubExpressions``; ``Operator`` And or Or), ``SortBy``, ``SortOrder``, ``MaxResults``
and ``NextToken``. The SageMaker-compatible API's Search, the REST route
``POST /mlstudio/api/search`` and the SDK's :func:`jupyter_mlstudio.sdk.search.search`
all come here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from ...entities import TrialComponent
from ...entities.search import (
    DEFAULT_SEARCH_RESULTS,
    DEFAULT_SORT,
    PARENT_MEMBERS,
    SEARCH_RESOURCES,
    SearchNames,
    SearchPage,
    SearchQuery,
    resolve_property,
)
from ...exceptions import StudioError, ValidationError
from ...store.base import MetadataStore
from ...store.sql import search as sql


class SearchService:
    """Search of one studio's store.

    Args:
        store: The studio's metadata store (a SQL store).
    """

    def __init__(self, store: MetadataStore) -> None:
        self.store = store

    def _engine(self) -> Engine:
        engine = getattr(self.store, "engine", None)
        if not isinstance(engine, Engine):
            raise StudioError("Search needs the SQL metadata store")
        return engine

    def search(self, request: dict[str, Any]) -> SearchPage:
        """One page of a search.

        Args:
            request: SageMaker's Search members (``Resource`` required).

        Returns:
            The page's names, the number of matches and the next token.

        Raises:
            ValidationError: A bad member; ``field`` names it
                (``SearchExpression.Filters[0].Value``, ``SortBy``, ``NextToken``, ...).
        """
        return sql.search_records(self._engine(), query_of(request))

    def runs(self, names: list[str]) -> list[tuple[TrialComponent, list[dict[str, str]]]]:
        """The runs of a page with their ``Parents``, read together.

        Args:
            names: Trial component names, in the page's order.

        Returns:
            Each run found, in order, with ``[{"TrialName", "ExperimentName"}]``.
        """
        runs, parents = sql.read_runs(self._engine(), names)
        return [
            (
                runs[name],
                [{"TrialName": t, "ExperimentName": e} for t, e in parents.get(name, [])],
            )
            for name in names
            if name in runs
        ]

    def names(self, resource: str) -> SearchNames:
        """The parameter, metric and tag names a search of ``resource`` can use.

        Args:
            resource: ``ExperimentTrialComponent`` or ``TrainingJob``.

        Returns:
            The names that exist, sorted.
        """
        return sql.search_names(self._engine(), resource)


def query_of(request: dict[str, Any]) -> SearchQuery:
    """A Search request as the store's query.

    Args:
        request: SageMaker's Search members.

    Returns:
        The query (defaults: LastModifiedTime, Descending, 10 results).

    Raises:
        ValidationError: A member of the wrong type, naming it.
    """
    resource = request.get("Resource")
    if resource not in SEARCH_RESOURCES:
        raise ValidationError(
            f"Resource: search {' or '.join(SEARCH_RESOURCES)}, not {resource!r}",
            field="Resource",
        )
    expression = request.get("SearchExpression") or {}
    if not isinstance(expression, dict):
        raise ValidationError("SearchExpression must be an object", field="SearchExpression")
    sort_by = request.get("SortBy") or DEFAULT_SORT
    if not isinstance(sort_by, str):
        raise ValidationError("SortBy must be a property name", field="SortBy")
    token = request.get("NextToken")
    if token is not None and not isinstance(token, str):
        raise ValidationError("Invalid pagination token", field="NextToken")
    return SearchQuery(
        resource=resource,
        expression=expression,
        sort_by=sort_by,
        sort_order=request.get("SortOrder") or "Descending",
        max_results=request.get("MaxResults") or DEFAULT_SEARCH_RESULTS,
        next_token=token or None,
    )


def indexed(request: dict[str, Any]) -> bool:
    """Whether the store's indexes answer a Search request: a trial component or
    training job search whose every filter, nested filter and sort names a property
    :func:`~jupyter_mlstudio.entities.search.resolve_property` knows (the
    SageMaker-compatible API reads other searches record by record).

    Args:
        request: SageMaker's Search members.

    Returns:
        Whether :meth:`SearchService.search` answers it.
    """
    resource = request.get("Resource")
    if resource not in SEARCH_RESOURCES:
        return False
    sort_by = request.get("SortBy") or DEFAULT_SORT
    if not isinstance(sort_by, str) or resolve_property(resource, sort_by) is None:
        return False
    expression = request.get("SearchExpression") or {}
    return isinstance(expression, dict) and _indexed(resource, expression)


def _indexed(resource: str, expression: dict[str, Any]) -> bool:
    for item in expression.get("Filters") or []:
        name = item.get("Name") if isinstance(item, dict) else None
        if not isinstance(name, str) or resolve_property(resource, name) is None:
            return False
    for nested in expression.get("NestedFilters") or []:
        if resource == "TrainingJob" or nested.get("NestedPropertyName") != "Parents":
            return False
        for item in nested.get("Filters") or []:
            member = str(item.get("Name") or "").removeprefix("Parents.")
            if member not in PARENT_MEMBERS:
                return False
    subs = expression.get("SubExpressions") or []
    return all(isinstance(sub, dict) and _indexed(resource, sub) for sub in subs)
