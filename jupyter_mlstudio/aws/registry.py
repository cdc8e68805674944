"""The operation tables: AWS operation name → the function that answers it.

A module of :mod:`.operations` registers its operations with a decorator::

    @SAGEMAKER.operation("DescribeTrainingJob")
    def describe_training_job(call: Call) -> dict[str, Any]:
        ...

and :func:`dispatch` validates the request against botocore's model of the operation,
runs the function, translates the studio's errors and shapes the answer with the
operation's output shape. A new resource adds a module; nothing else changes.
"""

from __future__ import annotations

import functools
import importlib
import logging
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..exceptions import StudioError
from ..services.studio import Studio
from .errors import VALIDATION, AwsError, from_studio_error
from .service_model import conform, operation_model, validate_input

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Caller:
    """Who sent a request: an access key (SigV4) or a Jupyter user (token).

    Attributes:
        user_id: The access key id, or the Jupyter user's name.
        signed: Whether the request was SigV4-signed.
    """

    user_id: str
    signed: bool


@dataclass(frozen=True)
class Call:
    """One request to an operation.

    Attributes:
        studio: The studio whose services answer.
        params: The request, validated against the operation's input shape.
        region: The studio's AWS region (ARNs).
        account_id: The studio's AWS account id (ARNs).
        caller: Who sent it.
    """

    studio: Studio
    params: dict[str, Any]
    region: str
    account_id: str
    caller: Caller

    def arn(self, resource: str, name: str) -> str:
        """``arn:aws:sagemaker:<region>:<account>:<resource>/<name>``; SageMaker writes
        the name in lower case.

        Args:
            resource: The resource type (``training-job``).
            name: The resource's name.

        Returns:
            The ARN.
        """
        return f"arn:aws:sagemaker:{self.region}:{self.account_id}:{resource}/{name.lower()}"


Handler = Callable[[Call], dict[str, Any]]


@dataclass(frozen=True)
class Operation:
    """One operation of a service.

    Attributes:
        service: botocore's name of the service (``sagemaker``, ``sts``).
        name: The operation's name (``CreateTrainingJob``).
        handler: The function that answers it.
        not_found: The error code of a missing resource (SageMaker sends
            ``ValidationException`` for jobs).
        module: The module that registered it (the coverage table groups by it).
    """

    service: str
    name: str
    handler: Handler
    not_found: str
    module: str


class OperationTable:
    """The operations one service answers, by name.

    Args:
        service: botocore's name of the service.
    """

    def __init__(self, service: str) -> None:
        self.service = service
        self._operations: dict[str, Operation] = {}

    def operation(self, name: str, *, not_found: str = VALIDATION) -> Callable[[Handler], Handler]:
        """Register the decorated function as the answer to ``name``.

        Args:
            name: The operation, as botocore's model names it.
            not_found: The error code when the resource does not exist.

        Returns:
            The decorator (the function is returned unchanged).
        """
        operation_model(self.service, name)  # a name the model lacks fails at import

        def register(handler: Handler) -> Handler:
            if name in self._operations:
                raise ValueError(f"{self.service} operation {name} is registered twice")
            module = handler.__module__.rsplit(".", 1)[-1]
            self._operations[name] = Operation(self.service, name, handler, not_found, module)
            return handler

        return register

    def get(self, name: str) -> Operation:
        """The operation called ``name``.

        Raises:
            AwsError: ``UnknownOperationException`` when the studio does not answer it.
        """
        load_operations()
        try:
            return self._operations[name]
        except KeyError:
            raise AwsError(
                "UnknownOperationException",
                f"{self.service} operation {name!r} is not supported by the studio"
                " (docs/sagemaker-api.md lists those that are)",
            ) from None

    def __iter__(self) -> Iterator[Operation]:
        load_operations()
        return iter(sorted(self._operations.values(), key=lambda o: (o.module, o.name)))


SAGEMAKER = OperationTable("sagemaker")
STS = OperationTable("sts")
#: botocore's ``iam`` (the query protocol: the SDK v3 checks its execution role with it)
IAM = OperationTable("iam")
#: botocore's ``sagemaker-metrics`` (REST-JSON: ``PUT /BatchPutMetrics``, :mod:`.rest_json`)
METRICS = OperationTable("sagemaker-metrics")
#: botocore's ``logs`` (CloudWatch Logs, JSON 1.1: the SDK tails job logs with it)
LOGS = OperationTable("logs")
#: botocore's ``application-autoscaling`` (JSON 1.1: endpoint variants' autoscaling)
AUTOSCALING = OperationTable("application-autoscaling")
TABLES = {table.service: table for table in (SAGEMAKER, STS, IAM, METRICS, LOGS, AUTOSCALING)}


@functools.cache
def load_operations() -> None:
    """Import every module of :mod:`.operations` (each registers its operations), once:
    every call asks, and scanning the package each time cost ~0.1 ms a call."""
    from . import operations

    for info in pkgutil.iter_modules(operations.__path__):
        importlib.import_module(f"{operations.__name__}.{info.name}")


def dispatch(operation: Operation, call: Call) -> dict[str, Any]:
    """Validate, run and shape one call.

    Args:
        operation: What was asked (from :meth:`OperationTable.get`).
        call: The request; its ``params`` are validated here.

    Returns:
        The answer, holding only members of the operation's output shape.

    Raises:
        AwsError: The request is invalid, or the studio refused it.
    """
    model = operation_model(operation.service, operation.name)
    validate_input(model, call.params)
    try:
        answer = operation.handler(call)
    except StudioError as exc:
        raise from_studio_error(exc, not_found=operation.not_found) from None
    if model.output_shape is None:
        return {}
    shaped = conform(model.output_shape, answer)
    return shaped if isinstance(shaped, dict) else {}
