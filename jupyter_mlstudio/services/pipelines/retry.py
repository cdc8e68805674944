"""A step's ``RetryPolicies`` (SageMaker's JSON, as ``sagemaker.workflow.retry`` writes
it): which failures of a step are retried, when, and how often.

SageMaker names five kinds of failure; the studio maps its own failures onto them:

* ``SageMaker.JOB_INTERNAL_ERROR``: the step's job failed for a reason of the studio
  or its runtime, not of the user's program: its FailureReason begins ``ClientError:``
  (the job's process or container could not start, a download or upload failed, the
  supervisor hit an unexpected error) or ``InternalServerError``, or the job was lost
  when the studio restarted. Tuning steps do not retry it (as in SageMaker, their
  training jobs are retried inside the tuning job).
* ``SageMaker.CAPACITY_ERROR``: a FailureReason naming ``InsufficientCapacity`` or a
  ``CapacityError`` (none of the studio's runtimes report one today).
* ``SageMaker.RESOURCE_LIMIT``: creating the job was refused for a limit
  (LimitExceededError), or a FailureReason naming ``ResourceLimitExceeded``.
* ``Step.SERVICE_FAULT``: the studio could not do what the step asked of it: a store or
  the Docker engine did not answer when the job (or model, or model package) was
  created (StoreUnavailableError), or the step's job record disappeared.
* ``Step.THROTTLING``: accepted, never raised (the studio throttles nothing).

A job whose own program failed (FailureReason ``AlgorithmError: ...`` or the text the
program wrote to its failure file), that ran out of time, or a request the studio
refused (ValidationError) is never retried, whatever the policies say: SageMaker's
policies do not retry algorithm errors either.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ...exceptions import LimitExceededError, StoreUnavailableError
from ..jobs.service import LOST_REASON

STEP_SERVICE_FAULT = "Step.SERVICE_FAULT"
STEP_THROTTLING = "Step.THROTTLING"
JOB_INTERNAL_ERROR = "SageMaker.JOB_INTERNAL_ERROR"
CAPACITY_ERROR = "SageMaker.CAPACITY_ERROR"
RESOURCE_LIMIT = "SageMaker.RESOURCE_LIMIT"
#: every ``ExceptionType`` a policy may name
EXCEPTION_TYPES = frozenset(
    {STEP_SERVICE_FAULT, STEP_THROTTLING, JOB_INTERNAL_ERROR, CAPACITY_ERROR, RESOURCE_LIMIT}
)
#: step types a policy applies to (SageMaker's list, without AutoML and notebook steps)
RETRIED_STEP_TYPES = frozenset(
    {"Processing", "Training", "Tuning", "Transform", "Model", "RegisterModel"}
)
#: SageMaker's limits and defaults
MAX_RETRIES = 20
MAX_INTERVAL_SECONDS = 43200
DEFAULT_INTERVAL_SECONDS = 1
DEFAULT_BACKOFF_RATE = 2.0


def failure_types(reason: str | None, step_type: str) -> frozenset[str]:
    """The exception types of a step job's FailureReason (empty: not retried).

    Args:
        reason: The job's FailureReason.
        step_type: The step's type (a Tuning step does not retry internal errors).

    Returns:
        The ``ExceptionType`` values a policy must name to retry this failure.
    """
    text = (reason or "").strip()
    found: set[str] = set()
    internal = text.startswith(("ClientError:", "InternalServerError")) or text == LOST_REASON
    if internal and step_type != "Tuning":
        found.add(JOB_INTERNAL_ERROR)
    if "InsufficientCapacity" in text or "CapacityError" in text:
        found.add(CAPACITY_ERROR)
    if "ResourceLimitExceeded" in text:
        found.add(RESOURCE_LIMIT)
    if text.startswith("AlgorithmError"):
        found.clear()  # the user's program failed, whatever it printed
    return frozenset(found)


def exception_types(error: BaseException) -> frozenset[str]:
    """The exception types of an error raised while a step was being started.

    Args:
        error: What creating the step's job, model or model package raised.

    Returns:
        ``Step.SERVICE_FAULT`` for a store or engine that did not answer,
        ``SageMaker.RESOURCE_LIMIT`` for a limit; empty otherwise (not retried).
    """
    if isinstance(error, StoreUnavailableError):
        return frozenset({STEP_SERVICE_FAULT})
    if isinstance(error, LimitExceededError):
        return frozenset({RESOURCE_LIMIT})
    return frozenset()


def _number(policy: Mapping[str, Any], key: str, default: float) -> float:
    value = policy.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return float(value)


def retry_delay(
    policies: Iterable[Mapping[str, Any]],
    types: Iterable[str],
    retries: int,
    elapsed_seconds: float,
) -> float | None:
    """Seconds to wait before retrying a failed attempt, or None when it is not retried.

    The first policy naming one of ``types`` decides: a retry is due after
    ``IntervalSeconds * BackoffRate ** retries`` seconds while fewer than ``MaxAttempts``
    retries were made and fewer than ``ExpireAfterMin`` minutes passed since the step
    started (a policy with neither allows SageMaker's 20 retries).

    Args:
        policies: The step's ``RetryPolicies``.
        types: The failure's exception types (:func:`failure_types`,
            :func:`exception_types`).
        retries: The retries already made in this run of the step.
        elapsed_seconds: Seconds since the step's first attempt started.

    Returns:
        The delay in seconds, or None.
    """
    wanted = set(types)
    if not wanted:
        return None
    for policy in policies:
        if not isinstance(policy, Mapping):
            continue
        named = policy.get("ExceptionType") or []
        if not isinstance(named, list) or not wanted & set(named):
            continue
        expire = policy.get("ExpireAfterMin")
        if "MaxAttempts" in policy or expire is None:
            most = int(_number(policy, "MaxAttempts", MAX_RETRIES))
            if retries >= min(most, MAX_RETRIES):
                return None
        if expire is not None and elapsed_seconds >= _number(policy, "ExpireAfterMin", 0) * 60:
            return None
        interval = min(
            _number(policy, "IntervalSeconds", DEFAULT_INTERVAL_SECONDS), MAX_INTERVAL_SECONDS
        )
        rate = _number(policy, "BackoffRate", DEFAULT_BACKOFF_RATE)
        return max(0.0, interval * rate**retries)
    return None


def check_policies(value: Any, path: str) -> list[tuple[str, str]]:
    """What is wrong with a step's ``RetryPolicies`` (empty when nothing is).

    Args:
        value: The step's ``RetryPolicies`` value.
        path: Its field (``PipelineDefinition.Steps[0].RetryPolicies``).

    Returns:
        ``(field, message)`` pairs, first fault first.
    """
    if not isinstance(value, list):
        return [(path, "must be a list")]
    faults: list[tuple[str, str]] = []
    for i, policy in enumerate(value):
        here = f"{path}[{i}]"
        if not isinstance(policy, dict):
            faults.append((here, "must be an object"))
            continue
        named = policy.get("ExceptionType")
        if not isinstance(named, list) or not named:
            faults.append((f"{here}.ExceptionType", "must be a list of exception types"))
        else:
            for j, kind in enumerate(named):
                if kind not in EXCEPTION_TYPES:
                    faults.append(
                        (
                            f"{here}.ExceptionType[{j}]",
                            f"{kind!r} is none of " + ", ".join(sorted(EXCEPTION_TYPES)),
                        )
                    )
        for key, least, most in (
            ("IntervalSeconds", 0, MAX_INTERVAL_SECONDS),
            ("BackoffRate", 0, None),
            ("MaxAttempts", 0, MAX_RETRIES),
            ("ExpireAfterMin", 0, 14400),
        ):
            if key not in policy:
                continue
            number = policy[key]
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                faults.append((f"{here}.{key}", "must be a number"))
            elif number < least or (most is not None and number > most):
                bound = f"{least} to {most}" if most is not None else f"at least {least}"
                faults.append((f"{here}.{key}", f"must be {bound}"))
    return faults
