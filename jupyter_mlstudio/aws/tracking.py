"""What the experiment, trial and trial-component operations share.

They answer over the studio's tracking store (``Studio.store``, a
:class:`~jupyter_mlstudio.store.base.TrackingStore`) and, for deletes that take files
along, :class:`~jupyter_mlstudio.services.tracking.experiments.ExperimentService`
(``Studio.experiments``): a run logged by the studio's SDK is a trial component here, and
one created through boto3 shows in the Experiments section.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, Protocol, TypeVar

from ..entities import Page, TrialComponent
from ..exceptions import ConflictError
from .errors import AwsError, validation
from .registry import Call
from .service_model import epoch_seconds

T = TypeVar("T")


class _Created(Protocol):
    @property
    def creation_time(self) -> datetime: ...


C = TypeVar("C", bound=_Created)
#: the store's largest page: listings here read every page and filter, sort and page
#: themselves, as SageMaker's filters and sort keys are not all the store's
STORE_PAGE = 1000


def all_items(fetch: Callable[[str | None], Page[T]]) -> list[T]:
    """Every item of a store listing.

    Args:
        fetch: One page of the listing, given the token of the page (None: the first).

    Returns:
        The items of every page, in the store's order.
    """
    items: list[T] = []
    token: str | None = None
    while True:
        page = fetch(token)
        items.extend(page.items)
        token = page.next_token
        if not token:
            return items


def tags_of(params: dict[str, Any]) -> dict[str, str]:
    """A request's ``Tags`` (``[{"Key", "Value"}]``) as the store's mapping."""
    return {t["Key"]: t.get("Value", "") for t in params.get("Tags") or []}


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    """The store's tags as SageMaker's ``[{"Key", "Value"}]``."""
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def created_in_window(creation_time: datetime, params: dict[str, Any]) -> bool:
    """Whether ``creation_time`` is after ``CreatedAfter`` and before ``CreatedBefore``,
    to the millisecond: answers carry times to the millisecond, so a time read from one
    and sent back as a bound names that record."""
    created = epoch_seconds(creation_time) or 0.0
    after = epoch_seconds(params.get("CreatedAfter"))
    before = epoch_seconds(params.get("CreatedBefore"))
    return (after is None or created > after) and (before is None or created < before)


def sort_listing(items: list[C], params: dict[str, Any], name: Callable[[C], str]) -> list[C]:
    """``items`` sorted as a List* request says: ``SortBy`` ``Name`` or ``CreationTime``
    (the default), ``SortOrder`` ``Descending`` (the default, as on SageMaker) or
    ``Ascending``.

    Args:
        items: Entities with a ``creation_time``.
        params: The request.
        name: An item's name.

    Returns:
        A new sorted list.
    """
    descending = params.get("SortOrder", "Descending") == "Descending"
    if params.get("SortBy") == "Name":
        return sorted(items, key=name, reverse=descending)
    return sorted(items, key=lambda item: item.creation_time, reverse=descending)


def already_exists(error: ConflictError, what: str, name: str) -> AwsError:
    """SageMaker's answer to a name that is taken: a ``ValidationException`` saying it
    "already exists" (what the SageMaker SDK looks for), not ``ResourceInUse``."""
    return validation(f"{what} '{name}' already exists. ({error.message})")


def still_holds(what: str, arn: str, holds: str) -> AwsError:
    """The ``ValidationException`` of a delete SageMaker refuses while a resource holds
    others (an experiment its trials, a trial its components, a component its trials),
    worded as SageMaker words it ("... is linked to 1 or more trials and cannot be
    deleted.").

    Args:
        what: ``Experiment``, ``Trial`` or ``TrialComponent``.
        arn: The resource's ARN.
        holds: What it is linked to (``trials``, ``trial components``).
    """
    return validation(f"{what} '{arn}' is linked to 1 or more {holds} and cannot be deleted.")


def parents_of(
    component: TrialComponent, experiment_of: Callable[[str], str | None]
) -> list[dict[str, str]]:
    """SageMaker's ``Parents`` of a trial component: one per trial holding it.

    Args:
        component: The run.
        experiment_of: A trial's experiment (None for a trial gone meanwhile).

    Returns:
        ``[{"TrialName", "ExperimentName"}]``, by trial name.
    """
    out = []
    for trial in sorted(component.trial_names):
        experiment = experiment_of(trial)
        if experiment is not None:
            out.append({"TrialName": trial, "ExperimentName": experiment})
    return out


def trial_experiments(call: Call) -> dict[str, str]:
    """Every trial's experiment (one listing; what ``Parents`` of many components need)."""
    trials = all_items(
        lambda token: call.studio.store.list_trials(max_results=STORE_PAGE, next_token=token)
    )
    return {trial.trial_name: trial.experiment_name for trial in trials}


def each_component(call: Call, **filters: Any) -> Iterator[TrialComponent]:
    """Every trial component the store lists for ``filters``, oldest first."""
    yield from all_items(
        lambda token: call.studio.store.list_trial_components(
            **filters, sort_order="Ascending", max_results=STORE_PAGE, next_token=token
        )
    )
