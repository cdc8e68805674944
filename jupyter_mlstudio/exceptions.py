"""One error root for the whole studio.

Every error the studio raises on purpose is a :class:`StudioError` with a ``code``.
The server maps codes to HTTP statuses through :data:`HTTP_STATUS` (and nowhere else);
the SDK raises the same classes from the JSON errors it receives.
"""

from __future__ import annotations

from typing import Any


class StudioError(Exception):
    """Base of every error the studio raises deliberately."""

    code: str = "InternalFailure"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        return body


class ValidationError(StudioError):
    """Bad input: ``field`` names what is wrong (dotted path for nested fields)."""

    code = "ValidationException"


class NotFoundError(StudioError):
    """The named resource does not exist."""

    code = "ResourceNotFound"


class ConflictError(StudioError):
    """The resource exists already, or its state forbids the request."""

    code = "ResourceInUse"


class LimitExceededError(StudioError):
    """A configured limit (payload size, number of items) is exceeded."""

    code = "ResourceLimitExceeded"


class StoreUnavailableError(StudioError):
    """The metadata store or artifact store cannot be reached."""

    code = "ServiceUnavailable"


class NoHealthyInstanceError(StoreUnavailableError):
    """An endpoint has no instance able to answer right now."""


class ModelError(StudioError):
    """The model answered an invocation with an error status (``original_status``)."""

    code = "ModelError"

    def __init__(self, message: str, *, original_status: int = 500) -> None:
        super().__init__(message)
        self.original_status = original_status

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "OriginalStatusCode": self.original_status}


class ModelTimeoutError(StudioError):
    """The model did not answer an invocation in time."""

    code = "ModelTimeout"


class ArtifactPathError(ValidationError):
    """An artifact path tries to leave the artifact root."""

    code = "InvalidArtifactPath"


# code -> HTTP status; the only table of its kind.
HTTP_STATUS: dict[str, int] = {
    ValidationError.code: 400,
    ArtifactPathError.code: 400,
    NotFoundError.code: 404,
    ConflictError.code: 409,
    LimitExceededError.code: 413,
    ModelError.code: 424,
    StoreUnavailableError.code: 503,
    ModelTimeoutError.code: 504,
    StudioError.code: 500,
}

_BY_CODE: dict[str, type[StudioError]] = {
    cls.code: cls
    for cls in (
        StudioError,
        ValidationError,
        NotFoundError,
        ConflictError,
        LimitExceededError,
        StoreUnavailableError,
        ArtifactPathError,
        ModelTimeoutError,
    )
}


def http_status(error: StudioError) -> int:
    return HTTP_STATUS.get(error.code, 500)


def from_dict(body: dict[str, Any]) -> StudioError:
    """Rebuild an error from its JSON form (used by the HTTP client)."""
    if body.get("code") == ModelError.code:
        status = body.get("OriginalStatusCode")
        return ModelError(
            str(body.get("message", "")), original_status=status if isinstance(status, int) else 500
        )
    cls = _BY_CODE.get(str(body.get("code")), StudioError)
    return cls(str(body.get("message", "")), field=body.get("field"))
