"""The ``sagemaker-runtime`` client's InvokeEndpoint, on the studio's router.

boto3's ``sagemaker-runtime`` client (REST-JSON) sends ``POST
<endpoint_url>/endpoints/{EndpointName}/invocations`` with the body as it is and the
headers ``Content-Type``, ``Accept``, ``X-Amzn-SageMaker-Custom-Attributes``,
``X-Amzn-SageMaker-Target-Variant``, ``X-Amzn-SageMaker-Target-Model`` (a multi-model
endpoint's model) and ``X-Amzn-SageMaker-Inference-Id``, signed with
the signing name ``sagemaker``. :func:`invoke` checks the call against botocore's model of
the operation and routes it with :meth:`HostingService.invoke` — the router the studio's
own ``/mlstudio/api/endpoints/{name}/invocations`` uses, on the server's loop with no
thread hop. Errors are the runtime's (``ValidationError``, ``ModelError``,
``ServiceUnavailable``, ``InternalFailure``), so botocore raises the codes AWS sends.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..exceptions import (
    ConflictError,
    LimitExceededError,
    ModelError,
    ModelTimeoutError,
    NotFoundError,
    StoreUnavailableError,
    StudioError,
    ValidationError,
)
from ..hosting.engine import Invocation
from ..services.studio import Studio
from .errors import VALIDATION, AwsError
from .service_model import operation_model, validate_input

SERVICE = "sagemaker-runtime"
OPERATION = "InvokeEndpoint"
#: the runtime's code for a request it refuses (SageMaker's is ValidationException)
RUNTIME_VALIDATION = "ValidationError"
#: the credential scope's service of a runtime request (botocore's signing name)
SIGNING_NAME = "sagemaker"
CONTENT_TYPE = "Content-Type"
ACCEPT = "Accept"
CUSTOM_ATTRIBUTES = "X-Amzn-SageMaker-Custom-Attributes"
TARGET_VARIANT = "X-Amzn-SageMaker-Target-Variant"
TARGET_MODEL = "X-Amzn-SageMaker-Target-Model"
INFERENCE_ID = "X-Amzn-SageMaker-Inference-Id"
INVOKED_VARIANT = "x-Amzn-Invoked-Production-Variant"


def invoke_params(name: str, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
    """The call as botocore's InvokeEndpoint input (the members the request carried).

    Args:
        name: The endpoint's name (from the path).
        body: The body.
        headers: The request's headers.

    Returns:
        ``EndpointName``, ``Body`` and the members the headers carry.
    """
    params: dict[str, Any] = {"EndpointName": name, "Body": body}
    for member, header in (
        ("ContentType", CONTENT_TYPE),
        ("Accept", ACCEPT),
        ("CustomAttributes", CUSTOM_ATTRIBUTES),
        ("TargetVariant", TARGET_VARIANT),
        ("TargetModel", TARGET_MODEL),
        ("InferenceId", INFERENCE_ID),
    ):
        value = headers.get(header)
        if value is not None:
            params[member] = value
    return params


def check(params: dict[str, Any]) -> None:
    """Refuse what AWS refuses (the endpoint name's pattern, the 6 MB body, ...).

    Args:
        params: From :func:`invoke_params`.

    Raises:
        AwsError: ``ValidationError`` naming the member.
    """
    try:
        validate_input(operation_model(SERVICE, OPERATION), params)
    except AwsError as exc:
        if exc.code != VALIDATION:
            raise
        raise AwsError(RUNTIME_VALIDATION, exc.message) from None


async def invoke(
    studio: Studio,
    name: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    account_id: str,
    received: float | None = None,
) -> Invocation:
    """Check and route one InvokeEndpoint.

    Args:
        studio: The studio whose router answers.
        name: The endpoint's name.
        body: The body, as sent.
        headers: The request's headers.
        account_id: The studio's account (SageMaker names it in "not found").
        received: ``time.perf_counter()`` when the request was read (the router's
            overhead figure).

    Returns:
        The model's answer, the variant that gave it and its headers.

    Raises:
        AwsError: The runtime's error for what went wrong.
    """
    params = invoke_params(name, body, headers)
    check(params)
    try:
        return await studio.endpoints.invoke(
            name,
            body,
            received=received,
            content_type=params.get("ContentType"),
            accept=params.get("Accept"),
            target_variant=params.get("TargetVariant"),
            target_model=params.get("TargetModel"),
            custom_attributes=params.get("CustomAttributes"),
            inference_id=params.get("InferenceId"),
        )
    except StudioError as exc:
        raise runtime_error(exc, name, account_id) from None


def runtime_error(error: StudioError, name: str, account_id: str) -> AwsError:
    """The runtime's error for a studio error.

    Args:
        error: What the router raised.
        name: The endpoint's name.
        account_id: The studio's account.

    Returns:
        ``ValidationError`` (no such endpoint, not in service, a bad variant, a body over
        the limit), ``ModelError`` (424: the model's error status, its message, or a
        timeout), ``ServiceUnavailable`` (503: no instance can answer) or
        ``InternalFailure``.
    """
    if isinstance(error, NotFoundError):
        return AwsError(RUNTIME_VALIDATION, f"Endpoint {name} of account {account_id} not found.")
    if isinstance(error, ModelError):
        return ModelErrorAnswer(error.message, error.original_status)
    if isinstance(error, ModelTimeoutError):
        return ModelErrorAnswer(
            "Your invocation timed out while waiting for a response from container primary."
            f" ({error.message})",
            None,
        )
    if isinstance(error, ValidationError | ConflictError | LimitExceededError):
        return AwsError(RUNTIME_VALIDATION, error.message)
    if isinstance(error, StoreUnavailableError):
        return AwsError("ServiceUnavailable", error.message, 503)
    return AwsError("InternalFailure", error.message, 500)


class ModelErrorAnswer(AwsError):
    """``ModelError`` (424) with the model's status and message, as the runtime sends it.

    Args:
        original_message: What the model answered.
        original_status: The model's HTTP status (None for a timeout).
    """

    def __init__(self, original_message: str, original_status: int | None) -> None:
        if original_status is None:
            message = original_message
        else:
            kind = "client" if 400 <= original_status < 500 else "server"
            message = (
                f"Received {kind} error ({original_status}) from primary with message"
                f' "{original_message}".'
            )
        super().__init__("ModelError", message, 424)
        self.original_message = original_message
        self.original_status = original_status

    def members(self) -> dict[str, Any]:
        """The error's members beyond the message (``OriginalStatusCode``, ...)."""
        out: dict[str, Any] = {"OriginalMessage": self.original_message}
        if self.original_status is not None:
            out["OriginalStatusCode"] = self.original_status
        return out
