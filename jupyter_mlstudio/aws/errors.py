"""Errors in AWS's shape, and the studio's errors translated to them.

An :class:`AwsError` leaves the API as ``{"__type": code, "message": ...}`` with the
``x-amzn-ErrorType`` header (JSON protocol) or an ``ErrorResponse`` document (query
protocol), so that botocore raises ``ClientError`` with the code AWS would send.
"""

from __future__ import annotations

from ..exceptions import (
    ConflictError,
    LimitExceededError,
    NotFoundError,
    StoreUnavailableError,
    StudioError,
    ValidationError,
)

VALIDATION = "ValidationException"
RESOURCE_NOT_FOUND = "ResourceNotFound"
RESOURCE_IN_USE = "ResourceInUse"
RESOURCE_LIMIT_EXCEEDED = "ResourceLimitExceeded"
#: what SageMaker answers for a job that does not exist (DescribeTrainingJob, ...)
NOT_FOUND_MESSAGE = "Requested resource not found."


class AwsError(Exception):
    """An error as AWS sends it: a code, a message and an HTTP status.

    Args:
        code: AWS's error code (``ValidationException``, ``ResourceInUse``, ...).
        message: What went wrong, naming the member when one is at fault.
        status: The HTTP status (400 for client errors, 403 for authentication).
    """

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    @property
    def sender_fault(self) -> bool:
        """Whether the caller is at fault (4xx), as the query protocol's ``Type`` says."""
        return self.status < 500


def validation(message: str) -> AwsError:
    """A ``ValidationException`` (400)."""
    return AwsError(VALIDATION, message)


def from_studio_error(error: StudioError, *, not_found: str = VALIDATION) -> AwsError:
    """The AWS error for a studio error.

    Args:
        error: What the service raised.
        not_found: The code of a missing resource for this operation: SageMaker answers
            ``ValidationException`` "Requested resource not found." for jobs, even where
            its model declares ``ResourceNotFound``.

    Returns:
        The error to send; the member at fault is named in the message.
    """
    message = error.message
    if error.field and error.field not in message:
        message = f"{error.field}: {message}"
    if isinstance(error, NotFoundError):
        if not_found == VALIDATION:
            return AwsError(VALIDATION, f"{NOT_FOUND_MESSAGE} {message}")
        return AwsError(not_found, message)
    if isinstance(error, ValidationError):
        return AwsError(VALIDATION, message)
    if isinstance(error, ConflictError):
        return AwsError(RESOURCE_IN_USE, message)
    if isinstance(error, LimitExceededError):
        return AwsError(RESOURCE_LIMIT_EXCEEDED, message)
    if isinstance(error, StoreUnavailableError):
        return AwsError("ServiceUnavailable", message, 503)
    return AwsError("InternalFailure", message, 500)
