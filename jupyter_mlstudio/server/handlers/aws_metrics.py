"""The ``sagemaker-metrics`` client's REST-JSON route: ``PUT /mlstudio/aws/BatchPutMetrics``.

The same URL as the SageMaker API (a client's ``endpoint_url`` is ``.../mlstudio/aws``
for both), the same authentication (:func:`.aws.aws_authenticated`: SigV4 with the
signing name ``sagemaker``, or Jupyter's token) and the same errors; only the protocol
differs: the operation is the path, the body plain JSON (:mod:`jupyter_mlstudio.aws.rest_json`).
"""

from __future__ import annotations

import json
from typing import Any

from tornado.ioloop import IOLoop

from ...aws.credentials import API_PATH
from ...aws.errors import AwsError
from ...aws.registry import Call, Caller, dispatch
from ...aws.rest_json import CONTENT_TYPE, SIGNING_NAME, parse_body, rest_operation, rest_paths
from ...aws.sigv4 import INVALID_SIGNATURE
from .aws import AwsApiHandler, aws_authenticated


class AwsRestJsonHandler(AwsApiHandler):
    """REST-JSON operations below ``/mlstudio/aws`` (``sagemaker-metrics``)."""

    SUPPORTED_METHODS = ("PUT", "POST")

    @aws_authenticated
    async def put(self) -> None:
        operation = rest_operation(self.request.method or "PUT", self.request.path)
        if self._signed is not None and self._signed.service != SIGNING_NAME:
            raise AwsError(
                INVALID_SIGNATURE,
                f"Credential should be scoped to correct service: '{SIGNING_NAME}'.",
                403,
            )
        call = Call(
            studio=self.studio,
            params=parse_body(self.request.body or b""),
            region=self.identity.region,
            account_id=self.identity.account_id,
            caller=self.caller or Caller("unknown", signed=False),
        )
        answer = await IOLoop.current().run_in_executor(
            self.studio.executor, dispatch, operation, call
        )
        self.set_status(200)
        self.set_header("x-amzn-RequestId", self.request_id)
        self.finish(json_bytes(answer), set_content_type=CONTENT_TYPE)

    # the model names the method of each operation; rest_operation refuses a wrong one
    post = put


def json_bytes(answer: dict[str, Any]) -> bytes:
    """A REST-JSON answer's body."""
    return json.dumps(answer, separators=(",", ":"), allow_nan=False).encode()


def aws_rest_json_handlers() -> list[tuple[str, type[AwsRestJsonHandler], dict[str, Any]]]:
    """The REST-JSON routes, relative to the server's base URL (one per operation path)."""
    paths = "|".join(rest_paths())
    return [(f"/{API_PATH}/(?:{paths})/?", AwsRestJsonHandler, {})]
