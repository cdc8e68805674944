"""Trials: CreateTrial, DescribeTrial, ListTrials, UpdateTrial, DeleteTrial.

Over the studio's tracking store (a trial is a group of runs of one experiment, as on
SageMaker). A missing trial or experiment is ``ResourceNotFound``.
"""

from __future__ import annotations

from typing import Any

from ...entities import Trial
from ...exceptions import ConflictError
from ..errors import RESOURCE_NOT_FOUND
from ..pagination import paginate
from ..registry import SAGEMAKER, Call
from ..tracking import (
    STORE_PAGE,
    all_items,
    already_exists,
    created_in_window,
    sort_listing,
    still_holds,
    tag_list,
    tags_of,
)

RESOURCE = "experiment-trial"


def trial_arn(call: Call, name: str) -> str:
    """``arn:aws:sagemaker:<region>:<account>:experiment-trial/<name>``."""
    return call.arn(RESOURCE, name)


def trial_answer(call: Call, trial: Trial) -> dict[str, Any]:
    """A trial in SageMaker's ``Trial`` shape (DescribeTrial, Search).

    Args:
        call: The request (ARNs).
        trial: The studio's trial.

    Returns:
        Name, ARN, display name, experiment, times and tags.
    """
    return {
        "TrialName": trial.trial_name,
        "TrialArn": trial_arn(call, trial.trial_name),
        "DisplayName": trial.display_name or trial.trial_name,
        "ExperimentName": trial.experiment_name,
        "CreationTime": trial.creation_time,
        "LastModifiedTime": trial.last_modified_time,
        "Tags": tag_list(trial.tags),
    }


@SAGEMAKER.operation("CreateTrial", not_found=RESOURCE_NOT_FOUND)
def create_trial(call: Call) -> dict[str, Any]:
    """Create a trial in an experiment (ResourceNotFound if the experiment is missing).

    Args:
        call: A CreateTrial request.

    Returns:
        ``TrialArn``.
    """
    params = call.params
    name = params["TrialName"]
    try:
        call.studio.store.create_trial(
            name,
            params["ExperimentName"],
            display_name=params.get("DisplayName"),
            tags=tags_of(params),
        )
    except ConflictError as exc:
        raise already_exists(exc, "Trial", name) from None
    return {"TrialArn": trial_arn(call, name)}


@SAGEMAKER.operation("DescribeTrial", not_found=RESOURCE_NOT_FOUND)
def describe_trial(call: Call) -> dict[str, Any]:
    """Describe a trial (ResourceNotFound if there is none).

    Args:
        call: A DescribeTrial request.

    Returns:
        The trial in DescribeTrial's output shape.
    """
    return trial_answer(call, call.studio.store.get_trial(call.params["TrialName"]))


@SAGEMAKER.operation("ListTrials", not_found=RESOURCE_NOT_FOUND)
def list_trials(call: Call) -> dict[str, Any]:
    """List trials: of an experiment (ExperimentName), holding a trial component
    (TrialComponentName), CreatedAfter/Before, SortBy, SortOrder and pages.

    Args:
        call: A ListTrials request.

    Returns:
        ``TrialSummaries`` and ``NextToken``.
    """
    params = call.params
    trials = all_items(
        lambda token: call.studio.store.list_trials(
            experiment_name=params.get("ExperimentName"),
            trial_component_name=params.get("TrialComponentName"),
            sort_order="Ascending",
            max_results=STORE_PAGE,
            next_token=token,
        )
    )
    chosen = [t for t in trials if created_in_window(t.creation_time, params)]
    page, token = paginate(sort_listing(chosen, params, lambda t: t.trial_name), params)

    def summary(trial: Trial) -> dict[str, Any]:
        return {
            "TrialName": trial.trial_name,
            "TrialArn": trial_arn(call, trial.trial_name),
            "DisplayName": trial.display_name or trial.trial_name,
            "CreationTime": trial.creation_time,
            "LastModifiedTime": trial.last_modified_time,
        }

    return {"TrialSummaries": [summary(t) for t in page], "NextToken": token}


@SAGEMAKER.operation("UpdateTrial", not_found=RESOURCE_NOT_FOUND)
def update_trial(call: Call) -> dict[str, Any]:
    """Change a trial's display name (DisplayName); without one the trial stays as it is.

    Args:
        call: An UpdateTrial request.

    Returns:
        ``TrialArn``.
    """
    params = call.params
    name = params["TrialName"]
    changes = {"display_name": params["DisplayName"]} if "DisplayName" in params else {}
    call.studio.store.update_trial(name, **changes)
    return {"TrialArn": trial_arn(call, name)}


@SAGEMAKER.operation("DeleteTrial", not_found=RESOURCE_NOT_FOUND)
def delete_trial(call: Call) -> dict[str, Any]:
    """Delete a trial that holds no trial components (SageMaker refuses the others:
    disassociate or delete them first).

    Args:
        call: A DeleteTrial request.

    Returns:
        ``TrialArn``.
    """
    name = call.params["TrialName"]
    store = call.studio.store
    store.get_trial(name)
    if store.list_trial_components(trial_name=name, max_results=1).items:
        raise still_holds("Trial", trial_arn(call, name), "trial components")
    store.delete_trial(name)
    return {"TrialArn": trial_arn(call, name)}
