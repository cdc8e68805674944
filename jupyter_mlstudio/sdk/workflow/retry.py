"""Retry policies of steps (``sagemaker.workflow.retry``), written as a step's
``RetryPolicies``."""

from __future__ import annotations

from enum import Enum
from typing import Any

from ...exceptions import ValidationError
from .entities import Entity

DEFAULT_BACKOFF_RATE = 2.0
DEFAULT_INTERVAL_SECONDS = 1
#: SageMaker's limits: at most 20 attempts, retries for at most 10 days
MAX_ATTEMPTS_CAP = 20
MAX_EXPIRE_AFTER_MIN = 14400


class StepExceptionTypeEnum(Enum):
    """Failures of the pipeline service itself that a step may be retried on."""

    SERVICE_FAULT = "Step.SERVICE_FAULT"
    THROTTLING = "Step.THROTTLING"


class SageMakerJobExceptionTypeEnum(Enum):
    """Failures of a job (creating it, or its failure reason) it may be retried on."""

    INTERNAL_ERROR = "SageMaker.JOB_INTERNAL_ERROR"
    CAPACITY_ERROR = "SageMaker.CAPACITY_ERROR"
    RESOURCE_LIMIT = "SageMaker.RESOURCE_LIMIT"


class RetryPolicy(Entity):
    """How often, and how long, a step is retried.

    Args:
        backoff_rate: The factor the interval grows by after each attempt (0 or more).
        interval_seconds: Seconds before the first retry (0 or more).
        max_attempts: Retries at most (1 to 20); give this or ``expire_after_mins``.
        expire_after_mins: Minutes after which no retry starts (0 to 14400).

    Raises:
        ValidationError: A value out of its range, naming the argument.
    """

    def __init__(
        self,
        backoff_rate: float = DEFAULT_BACKOFF_RATE,
        interval_seconds: int = DEFAULT_INTERVAL_SECONDS,
        max_attempts: int | None = None,
        expire_after_mins: int | None = None,
    ) -> None:
        _check_number(backoff_rate, "backoff_rate", 0)
        _check_number(interval_seconds, "interval_seconds", 0, integer=True)
        if max_attempts is not None:
            _check_number(max_attempts, "max_attempts", 1, MAX_ATTEMPTS_CAP, integer=True)
        if expire_after_mins is not None:
            _check_number(
                expire_after_mins, "expire_after_mins", 0, MAX_EXPIRE_AFTER_MIN, integer=True
            )
        self.backoff_rate = backoff_rate
        self.interval_seconds = interval_seconds
        self.max_attempts = max_attempts
        self.expire_after_mins = expire_after_mins

    def to_request(self) -> dict[str, Any]:
        """The policy as an item of a step's ``RetryPolicies``.

        Returns:
            ``BackoffRate``, ``IntervalSeconds`` and ``MaxAttempts`` or ``ExpireAfterMin``.

        Raises:
            ValidationError: Both or neither of ``max_attempts`` and ``expire_after_mins``.
        """
        if (self.max_attempts is None) == (self.expire_after_mins is None):
            raise ValidationError(
                "give exactly one of max_attempts and expire_after_mins", field="max_attempts"
            )
        request: dict[str, Any] = {
            "BackoffRate": self.backoff_rate,
            "IntervalSeconds": self.interval_seconds,
        }
        if self.max_attempts is not None:
            request["MaxAttempts"] = self.max_attempts
        if self.expire_after_mins is not None:
            request["ExpireAfterMin"] = self.expire_after_mins
        return request


def _check_number(
    value: Any, field: str, least: int, most: int | None = None, *, integer: bool = False
) -> None:
    kinds: tuple[type, ...] = (int,) if integer else (int, float)
    fits = isinstance(value, kinds) and not isinstance(value, bool)
    number = float(value) if fits else -1.0
    if number < least:
        kind = "an integer" if integer else "a number"
        raise ValidationError(f"{field} must be {kind} of at least {least}", field=field)
    if most is not None and number > most:
        raise ValidationError(f"{field} must be at most {most} (got {value})", field=field)


class StepRetryPolicy(RetryPolicy):
    """Retries a step on failures of the pipeline service.

    Args:
        exception_types: :class:`StepExceptionTypeEnum` values.
        backoff_rate: As for :class:`RetryPolicy`.
        interval_seconds: As for :class:`RetryPolicy`.
        max_attempts: As for :class:`RetryPolicy`.
        expire_after_mins: As for :class:`RetryPolicy`.

    Raises:
        ValidationError: An exception type of another kind (``exception_types``).
    """

    def __init__(
        self,
        exception_types: list[StepExceptionTypeEnum],
        backoff_rate: float = DEFAULT_BACKOFF_RATE,
        interval_seconds: int = DEFAULT_INTERVAL_SECONDS,
        max_attempts: int | None = None,
        expire_after_mins: int | None = None,
    ) -> None:
        super().__init__(backoff_rate, interval_seconds, max_attempts, expire_after_mins)
        for exception_type in exception_types:
            if not isinstance(exception_type, StepExceptionTypeEnum):
                raise ValidationError(
                    f"{exception_type!r} is not a StepExceptionTypeEnum", field="exception_types"
                )
        self.exception_types = list(exception_types)

    def to_request(self) -> dict[str, Any]:
        """As :meth:`RetryPolicy.to_request`, with the ``ExceptionType`` list."""
        request = super().to_request()
        request["ExceptionType"] = [e.value for e in self.exception_types]
        return request


class SageMakerJobStepRetryPolicy(RetryPolicy):
    """Retries a job step when its job could not be created or failed for a reason given.

    Args:
        exception_types: :class:`SageMakerJobExceptionTypeEnum` values raised when the job
            is created.
        failure_reason_types: :class:`SageMakerJobExceptionTypeEnum` values of the job's
            failure reason.
        backoff_rate: As for :class:`RetryPolicy`.
        interval_seconds: As for :class:`RetryPolicy`.
        max_attempts: As for :class:`RetryPolicy`.
        expire_after_mins: As for :class:`RetryPolicy`.

    Raises:
        ValidationError: Neither list given, or a value of another kind
            (``exception_types``).
    """

    def __init__(
        self,
        exception_types: list[SageMakerJobExceptionTypeEnum] | None = None,
        failure_reason_types: list[SageMakerJobExceptionTypeEnum] | None = None,
        backoff_rate: float = DEFAULT_BACKOFF_RATE,
        interval_seconds: int = DEFAULT_INTERVAL_SECONDS,
        max_attempts: int | None = None,
        expire_after_mins: int | None = None,
    ) -> None:
        super().__init__(backoff_rate, interval_seconds, max_attempts, expire_after_mins)
        if not exception_types and not failure_reason_types:
            raise ValidationError(
                "give exception_types or failure_reason_types", field="exception_types"
            )
        self.exception_type_list = [*(exception_types or ()), *(failure_reason_types or ())]
        for exception_type in self.exception_type_list:
            if not isinstance(exception_type, SageMakerJobExceptionTypeEnum):
                raise ValidationError(
                    f"{exception_type!r} is not a SageMakerJobExceptionTypeEnum",
                    field="exception_types",
                )

    def to_request(self) -> dict[str, Any]:
        """As :meth:`RetryPolicy.to_request`, with the ``ExceptionType`` list."""
        request = super().to_request()
        request["ExceptionType"] = [e.value for e in self.exception_type_list]
        return request
