"""A job's run (trial component): created when missing, recognised as the job's own.

A job logs its metrics to a run: ``<experiment>-<run>`` when ``ExperimentConfig.RunName``
names one (created when missing, in the trial or ``Default-Run-Group-<experiment>``), else
its own ``<job>-aws-training-job`` / ``<job>-aws-processing-job``. A run the job created is
*owned* by it (its source ARN is the job's): the job's end also ends that run.

A named run must exist before the job's hosts start (the script may ``load_run()`` it at
once); the job's own run is never loaded by the script, so the supervisor creates it right
after the launch, off the path from ``fit()`` to the first line of user code
(:func:`run_needed_before_launch`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from typing import Any

from ...entities import JobKind, TrialComponentSource, utcnow
from ...exceptions import ConflictError, NotFoundError
from ...store.base import MetadataStore

_ARN_PART = {JobKind.TRAINING: "training-job", JobKind.PROCESSING: "processing-job"}
_SOURCE_TYPE = {
    JobKind.TRAINING: "SageMakerTrainingJob",
    JobKind.PROCESSING: "SageMakerProcessingJob",
}


def source_arn(job_name: str, kind: JobKind = JobKind.TRAINING) -> str:
    return f"arn:mlstudio:sagemaker:local:{_ARN_PART[kind]}/{job_name}"


def run_needed_before_launch(plan: Any) -> bool:
    """The script can load the job's run (a named run: MLSTUDIO_RUN_NAME is set)."""
    return bool(plan.run.run_name and plan.run.experiment_name)


def prepare_run(store: MetadataStore, plan: Any, kind: JobKind) -> bool:
    """Create the job's run (and its experiment and trial) when missing; True when the job
    created the run (then the job's end also ends the run). Safe to repeat."""
    target = plan.run
    if target.experiment_name:
        try:
            store.get_experiment(target.experiment_name)
        except NotFoundError:
            _create_quietly(lambda: store.create_experiment(target.experiment_name or ""))
    if target.trial_name and target.experiment_name:
        try:
            store.get_trial(target.trial_name)
        except NotFoundError:
            _create_quietly(
                lambda: store.create_trial(target.trial_name or "", target.experiment_name or "")
            )
    owns = False
    try:
        component = store.get_trial_component(target.trial_component_name)
    except NotFoundError:
        owns = True
        try:
            store.create_trial_component(
                target.trial_component_name,
                display_name=target.display_name,
                start_time=utcnow(),
                parameters=_parameters(getattr(plan, "hyperparameters", {})),
                source=TrialComponentSource(
                    source_arn=source_arn(plan.job_name, kind), source_type=_SOURCE_TYPE[kind]
                ),
                tags={"mlstudio:trial-component-source": _ARN_PART[kind]},
            )
        except ConflictError:  # created by someone else in between
            owns = owned_by(store, plan, kind)
    else:
        owns = component.source is not None and component.source.source_arn == source_arn(
            plan.job_name, kind
        )
        if getattr(plan, "hyperparameters", None) and not owns:
            store.update_trial_component(
                target.trial_component_name, parameters=_parameters(plan.hyperparameters)
            )
    if target.trial_name and target.experiment_name:
        store.associate_trial_component(target.trial_component_name, target.trial_name)
    return owns


def owned_by(store: MetadataStore, plan: Any, kind: JobKind) -> bool:
    """The job's run exists and the job created it."""
    try:
        component = store.get_trial_component(plan.run.trial_component_name)
    except NotFoundError:
        return False
    return component.source is not None and component.source.source_arn == source_arn(
        plan.job_name, kind
    )


def _create_quietly(create: Callable[[], Any]) -> None:
    with contextlib.suppress(ConflictError):  # created by someone else in between
        create()


def _parameters(hyperparameters: Mapping[str, str]) -> dict[str, float | str]:
    out: dict[str, float | str] = {}
    for key, value in hyperparameters.items():
        try:
            number = float(value)
        except ValueError:
            out[key] = value
        else:
            out[key] = number if number == number and abs(number) != float("inf") else value
    return out
