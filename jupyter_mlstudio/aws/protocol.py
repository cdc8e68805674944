"""The wire protocols: AWS JSON 1.1 (SageMaker, CloudWatch Logs, Application Auto
Scaling) and the query protocol (STS).

:func:`parse_request` tells them apart (``X-Amz-Target: SageMaker.<Operation>`` or
``Logs_20140328.<Operation>`` with a JSON body, or a form body with ``Action=``) and
returns the service, operation and parameters; :func:`encode_answer` and
:func:`encode_error` write the answer as that protocol does, so that botocore parses it
as it parses AWS's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from .errors import AwsError
from .query import NAMESPACES, QUERY_SERVICES, query_params, xml_members

JSON_CONTENT_TYPE = "application/x-amz-json-1.1"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
XML_CONTENT_TYPE = "text/xml"
TARGET_PREFIX = "SageMaker."
#: the ``X-Amz-Target`` prefixes of the JSON 1.1 services, and botocore's names of them
TARGETS = {
    TARGET_PREFIX: "sagemaker",
    "Logs_20140328.": "logs",
    "AnyScaleFrontendService.": "application-autoscaling",
}
STS_VERSION = "2011-06-15"
STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
#: deepest nesting a JSON body may have (deeper ones are refused, not recursed into)
MAX_DEPTH = 64


@dataclass(frozen=True)
class ApiRequest:
    """One parsed request.

    Attributes:
        service: ``sagemaker``, ``logs`` or ``sts``.
        operation: The operation's name.
        params: Its parameters (JSON object, or the form's fields for STS).
    """

    service: str
    operation: str
    params: Any


def parse_request(target: str | None, content_type: str | None, body: bytes) -> ApiRequest:
    """Read a request.

    Args:
        target: The ``X-Amz-Target`` header.
        content_type: The ``Content-Type`` header.
        body: The body.

    Returns:
        The service, operation and parameters.

    Raises:
        AwsError: ``SerializationException`` for a body that is not JSON,
            ``UnknownOperationException`` for a target of another service,
            ``MissingAction`` / ``InvalidAction`` for a form without a known action.
    """
    media = (content_type or "").split(";")[0].strip().lower()
    if target is not None:
        for prefix, service in TARGETS.items():
            if target.startswith(prefix) and len(target) > len(prefix):
                return ApiRequest(service, target[len(prefix) :], _json_body(body))
        raise AwsError("UnknownOperationException", f"unknown target {target!r}")
    if media == FORM_CONTENT_TYPE:
        try:
            fields = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            raise AwsError("MalformedQueryString", "the form body is not UTF-8") from None
        action = fields.pop("Action", "")
        if not action:
            raise AwsError("MissingAction", "the request names no Action")
        version = fields.pop("Version", STS_VERSION)
        if version not in QUERY_SERVICES:
            raise AwsError("InvalidAction", f"unsupported version {version!r}")
        service = QUERY_SERVICES[version].name
        return ApiRequest(service, action, query_params(service, action, fields))
    raise AwsError(
        "UnknownOperationException",
        "send X-Amz-Target: SageMaker.<Operation> with an application/x-amz-json-1.1 body,"
        " or an STS form (Action=...)",
    )


def _json_body(body: bytes) -> Any:
    if not body.strip():
        return {}
    try:
        value = json.loads(body, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise AwsError("SerializationException", "the request body is not valid JSON") from None
    if _depth(value) > MAX_DEPTH:
        raise AwsError("SerializationException", "the request body is nested too deeply")
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def encode_answer(service: str, operation: str, answer: dict[str, Any], request_id: str) -> bytes:
    """The body of a successful answer.

    Args:
        service: ``sagemaker`` (JSON), ``sts`` or ``iam`` (XML).
        operation: The operation's name (the XML root is ``<Operation>Response``).
        answer: The shaped answer.
        request_id: The request's id.
    """
    if service not in NAMESPACES:
        return json.dumps(answer, separators=(",", ":"), allow_nan=False).encode()
    return (
        f'<{operation}Response xmlns="{NAMESPACES[service]}">'
        f"<{operation}Result>{xml_members(answer)}</{operation}Result>"
        f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
        f"</{operation}Response>"
    ).encode()


def encode_error(service: str, error: AwsError, request_id: str) -> tuple[bytes, str]:
    """The body and content type of an error answer, as the service's protocol sends it."""
    if service not in NAMESPACES:
        body = {"__type": error.code, "message": error.message}
        return json.dumps(body).encode(), JSON_CONTENT_TYPE
    kind = "Sender" if error.sender_fault else "Receiver"
    xml = (
        f'<ErrorResponse xmlns="{NAMESPACES[service]}"><Error><Type>{kind}</Type>'
        f"<Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message>"
        f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return xml.encode(), XML_CONTENT_TYPE
