"""Experiments: CreateExperiment, DescribeExperiment, ListExperiments, UpdateExperiment,
DeleteExperiment.

Over the studio's tracking store, so an experiment created here shows in the Experiments
section and one created from the UI or the studio's SDK is described here. A missing
experiment is ``ResourceNotFound``, a name taken a ``ValidationException`` saying it
"already exists" (both as on SageMaker).
"""

from __future__ import annotations

from typing import Any

from ...entities import Experiment, ExperimentSummary
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

RESOURCE = "experiment"


def experiment_arn(call: Call, name: str) -> str:
    """``arn:aws:sagemaker:<region>:<account>:experiment/<name>``."""
    return call.arn(RESOURCE, name)


def experiment_answer(call: Call, experiment: Experiment) -> dict[str, Any]:
    """An experiment in SageMaker's ``Experiment`` shape (DescribeExperiment, Search).

    Args:
        call: The request (ARNs).
        experiment: The studio's experiment.

    Returns:
        Name, ARN, display name, description, times and tags.
    """
    return {
        "ExperimentName": experiment.experiment_name,
        "ExperimentArn": experiment_arn(call, experiment.experiment_name),
        "DisplayName": experiment.display_name or experiment.experiment_name,
        "Description": experiment.description,
        "CreationTime": experiment.creation_time,
        "LastModifiedTime": experiment.last_modified_time,
        "Tags": tag_list(experiment.tags),
    }


@SAGEMAKER.operation("CreateExperiment", not_found=RESOURCE_NOT_FOUND)
def create_experiment(call: Call) -> dict[str, Any]:
    """Create an experiment (a ValidationException if the name is taken, as on SageMaker).

    Args:
        call: A CreateExperiment request.

    Returns:
        ``ExperimentArn``.
    """
    params = call.params
    name = params["ExperimentName"]
    try:
        call.studio.store.create_experiment(
            name,
            display_name=params.get("DisplayName"),
            description=params.get("Description"),
            tags=tags_of(params),
        )
    except ConflictError as exc:
        raise already_exists(exc, "Experiment", name) from None
    return {"ExperimentArn": experiment_arn(call, name)}


@SAGEMAKER.operation("DescribeExperiment", not_found=RESOURCE_NOT_FOUND)
def describe_experiment(call: Call) -> dict[str, Any]:
    """Describe an experiment (ResourceNotFound if there is none).

    Args:
        call: A DescribeExperiment request.

    Returns:
        The experiment in DescribeExperiment's output shape.
    """
    return experiment_answer(call, call.studio.store.get_experiment(call.params["ExperimentName"]))


@SAGEMAKER.operation("ListExperiments", not_found=RESOURCE_NOT_FOUND)
def list_experiments(call: Call) -> dict[str, Any]:
    """List experiments: CreatedAfter/Before, SortBy Name or CreationTime, SortOrder
    (default Descending), MaxResults and NextToken.

    Args:
        call: A ListExperiments request.

    Returns:
        ``ExperimentSummaries`` and ``NextToken``.
    """
    params = call.params
    experiments = all_items(
        lambda token: call.studio.store.list_experiments(
            sort_order="Ascending", max_results=STORE_PAGE, next_token=token
        )
    )
    chosen = [e for e in experiments if created_in_window(e.creation_time, params)]
    ordered = sort_listing(chosen, params, lambda e: e.experiment_name)
    page, token = paginate(ordered, params)

    def summary(experiment: ExperimentSummary) -> dict[str, Any]:
        return {
            "ExperimentName": experiment.experiment_name,
            "ExperimentArn": experiment_arn(call, experiment.experiment_name),
            "DisplayName": experiment.display_name or experiment.experiment_name,
            "CreationTime": experiment.creation_time,
            "LastModifiedTime": experiment.last_modified_time,
        }

    return {"ExperimentSummaries": [summary(e) for e in page], "NextToken": token}


@SAGEMAKER.operation("UpdateExperiment", not_found=RESOURCE_NOT_FOUND)
def update_experiment(call: Call) -> dict[str, Any]:
    """Change an experiment's display name or description.

    Args:
        call: An UpdateExperiment request.

    Returns:
        ``ExperimentArn``.
    """
    params = call.params
    changes = {
        field: params[member]
        for member, field in (("DisplayName", "display_name"), ("Description", "description"))
        if member in params
    }
    name = params["ExperimentName"]
    call.studio.store.update_experiment(name, **changes)
    return {"ExperimentArn": experiment_arn(call, name)}


@SAGEMAKER.operation("DeleteExperiment", not_found=RESOURCE_NOT_FOUND)
def delete_experiment(call: Call) -> dict[str, Any]:
    """Delete an experiment that holds no trials (SageMaker refuses the others: delete
    its trials first).

    Args:
        call: A DeleteExperiment request.

    Returns:
        ``ExperimentArn``.
    """
    name = call.params["ExperimentName"]
    store = call.studio.store
    store.get_experiment(name)  # ResourceNotFound first
    if store.list_trials(experiment_name=name, max_results=1).items:
        raise still_holds("Experiment", experiment_arn(call, name), "trials")
    call.studio.experiments.delete_experiment(name)
    return {"ExperimentArn": experiment_arn(call, name)}
