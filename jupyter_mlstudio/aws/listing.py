"""List* over the studio's hosting records: filter, sort and page as SageMaker does.

The studio's stores list models, endpoint configurations and endpoints by creation time
with a name filter; SageMaker's List* calls also filter by time windows and status and
sort by name or status. :func:`read_all` reads every page of a studio listing and
:func:`select` applies SageMaker's filters, sort (``SortOrder`` default ``Descending``,
as SageMaker's hosting listings have it) and ``NextToken`` / ``MaxResults`` pages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from ..entities import Page
from .pagination import paginate
from .service_model import to_datetime

T = TypeVar("T")
#: the studio's page size while reading a whole listing
READ_PAGE = 100


def read_all(fetch: Callable[..., Page[T]], **filters: Any) -> list[T]:
    """Every item of a studio listing.

    Args:
        fetch: The service's list method (``max_results`` and ``next_token`` keywords).
        filters: Passed to ``fetch`` (``name_contains``, ``status``).

    Returns:
        The items, in the order the service lists them.
    """
    items: list[T] = []
    token: str | None = None
    while True:
        page = fetch(max_results=READ_PAGE, next_token=token, **filters)
        items.extend(page.items)
        token = page.next_token
        if not token:
            return items


def select(
    items: list[T],
    params: Mapping[str, Any],
    *,
    sort_keys: Mapping[str, Callable[[T], Any]],
    times: Mapping[str, Callable[[T], datetime]],
    default_order: str = "Descending",
) -> tuple[list[T], str | None]:
    """The page of ``items`` a List* request asks for.

    Args:
        items: Everything the listing holds (the name filter already applied).
        params: The request (``CreationTimeAfter``, ``SortBy``, ``NextToken``, ...).
        sort_keys: ``SortBy`` values → the item's key (the first is the default).
        times: Time filters' stems (``CreationTime``) → the item's time.
        default_order: ``SortOrder`` when the request gives none.

    Returns:
        The page and the next page's token.
    """
    kept = [item for item in items if _in_windows(item, params, times)]
    by = params.get("SortBy") or next(iter(sort_keys))
    order = params.get("SortOrder") or default_order
    kept.sort(key=sort_keys[by], reverse=order == "Descending")
    return paginate(kept, dict(params))


def _in_windows(
    item: T, params: Mapping[str, Any], times: Mapping[str, Callable[[T], datetime]]
) -> bool:
    for stem, time_of in times.items():
        after = to_datetime(params.get(f"{stem}After"))
        before = to_datetime(params.get(f"{stem}Before"))
        moment = to_datetime(time_of(item))
        if moment is None:
            continue
        if after is not None and not moment > after:
            return False
        if before is not None and not moment < before:
            return False
    return True
