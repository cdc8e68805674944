"""The REST-JSON operations served below ``/mlstudio/aws``: ``sagemaker-metrics``.

botocore's ``sagemaker-metrics`` client (what the SageMaker SDK's ``Run.log_metric``
uses) speaks REST-JSON: ``PUT <endpoint_url>/BatchPutMetrics`` with a JSON body, signed
with the signing name ``sagemaker``. With ``AWS_ENDPOINT_URL_SAGEMAKER_METRICS`` (or
``endpoint_url``) set to the studio's ``/mlstudio/aws``, the request arrives at
``/mlstudio/aws/BatchPutMetrics``; :func:`rest_operation` finds the operation from the
method and path as botocore's model of the service declares them, and
:func:`parse_body` reads the body.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import AwsError
from .registry import METRICS, Operation
from .service_model import operation_model

#: the credential scope's service of a ``sagemaker-metrics`` request (its signing name)
SIGNING_NAME = "sagemaker"
CONTENT_TYPE = "application/json"


def rest_paths() -> list[str]:
    """The paths (below ``/mlstudio/aws``) of the REST-JSON operations the studio answers."""
    return sorted(
        operation_model(op.service, op.name).http["requestUri"].strip("/") for op in METRICS
    )


def rest_operation(method: str, path: str) -> Operation:
    """The operation a REST-JSON request asks for.

    Args:
        method: The HTTP method.
        path: The request path; its last segment names the operation
            (``.../BatchPutMetrics``).

    Returns:
        The registered operation.

    Raises:
        AwsError: ``UnknownOperationException`` for a path or method the model does not
            declare.
    """
    tail = "/" + path.rstrip("/").rsplit("/", 1)[-1]
    for operation in METRICS:
        http = operation_model(operation.service, operation.name).http
        if http["requestUri"] == tail:
            if http["method"] != method.upper():
                raise AwsError(
                    "UnknownOperationException",
                    f"{operation.name} is sent with {http['method']}, not {method.upper()}",
                )
            return operation
    raise AwsError("UnknownOperationException", f"no REST-JSON operation at {tail!r}")


def parse_body(body: bytes) -> Any:
    """A REST-JSON body (empty: ``{}``).

    Raises:
        AwsError: ``SerializationException`` when it is not JSON (NaN and infinity are
            not).
    """
    if not body.strip():
        return {}
    try:
        return json.loads(body, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise AwsError("SerializationException", "the request body is not valid JSON") from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
