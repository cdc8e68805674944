"""The SageMaker-compatible API's one route: ``POST /mlstudio/aws`` (and ``/mlstudio/aws/``),
and the ``sagemaker-runtime`` client's ``POST /mlstudio/aws/endpoints/{name}/invocations``
(:mod:`jupyter_mlstudio.aws.runtime`: the studio's own router answers it).

boto3's ``sagemaker`` and ``sts`` clients sign their requests with SigV4 and send no
Jupyter token and no XSRF cookie: a request is authenticated here by its signature
(against the studio's key pair, :mod:`jupyter_mlstudio.aws.credentials`) or by Jupyter's
own authentication (a token). Jupyter's XSRF check is skipped for a signed request only
(its signature covers the body and it carries no cookie); a cookie-authenticated request
still needs its XSRF token. Every verb is wrapped in :func:`aws_authenticated`, which
``scripts/check_auth.py`` recognises.
"""

from __future__ import annotations

import functools
import inspect
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado.ioloop import IOLoop
from tornado.web import HTTPError

from ...aws.credentials import API_PATH, AwsIdentity
from ...aws.errors import AwsError
from ...aws.protocol import (
    FORM_CONTENT_TYPE,
    JSON_CONTENT_TYPE,
    XML_CONTENT_TYPE,
    encode_answer,
    encode_error,
    parse_request,
)
from ...aws.query import NAMESPACES
from ...aws.registry import TABLES, Call, Caller, dispatch
from ...aws.runtime import (
    CUSTOM_ATTRIBUTES,
    INVOKED_VARIANT,
    SIGNING_NAME,
    ModelErrorAnswer,
)
from ...aws.runtime import invoke as invoke_endpoint
from ...aws.sigv4 import INVALID_SIGNATURE, SignedRequest, is_sigv4, missing_token, verify
from ...services.studio import Studio
from .base import AUTH_RESOURCE

#: the settings key of the studio's :class:`AwsIdentity`
IDENTITY_SETTING = "mlstudio.aws"

H = TypeVar("H", bound="AwsApiHandler")


def aws_authenticated(
    method: Callable[..., Awaitable[None]],
) -> Callable[..., Awaitable[None]]:
    """Admit a verb's request only when it is SigV4-signed by a studio key, or
    authenticated (and authorized) by Jupyter; otherwise AWS's 403.

    Jupyter's own check (``allow_unauthenticated_access=False``) is told the verb
    authenticates its requests itself; ``scripts/check_auth.py`` accepts such a verb only
    when it is this wrapper.

    Args:
        method: The verb.

    Returns:
        The verb, behind the check.
    """

    @functools.wraps(method)
    async def aws_authenticated_verb(self: H, *args: Any) -> None:
        self.caller = await self.authenticate()
        await method(self, *args)

    # Jupyter lets the request reach the verb, which authenticates it
    setattr(aws_authenticated_verb, "__allow_unauthenticated", True)
    return aws_authenticated_verb


class AwsApiHandler(ExtensionHandlerMixin, APIHandler):
    """AWS JSON 1.1 (SageMaker) and the query protocol (STS) at one URL."""

    caller: Caller | None = None
    _signed: SignedRequest | None = None
    _auth_error: AwsError | None = None

    def initialize(self, name: str, **kwargs: Any) -> None:
        """Tornado's per-request set-up.

        Args:
            name: the extension's name (Jupyter passes it).
            kwargs: Passed on.
        """
        super().initialize(name, **kwargs)
        self.request_id = str(uuid.uuid4())

    @property
    def studio(self) -> Studio:
        studio: Studio = self.settings["mlstudio.studio"]
        return studio

    @property
    def identity(self) -> AwsIdentity:
        identity: AwsIdentity = self.settings[IDENTITY_SETTING]
        return identity

    async def prepare(self) -> None:  # type: ignore[override]  # as APIHandler.prepare
        if is_sigv4(self.request.headers.get("Authorization")):
            try:
                self._signed = verify(
                    method=self.request.method or "POST",
                    url=f"{self.request.protocol}://{self.request.host}{self.request.uri}",
                    headers=list(self.request.headers.get_all()),
                    body=self.request.body or b"",
                    secrets=self.identity.secrets,
                )
            except AwsError as exc:
                self._auth_error = exc
        await super().prepare()

    def check_xsrf_cookie(self) -> None:
        """No XSRF check for a SigV4 request (signed or refused by the verb); Jupyter's
        for the others (a token skips it, a cookie needs it)."""
        if self._signed is not None or self._auth_error is not None:
            return None
        return super().check_xsrf_cookie()

    async def authenticate(self) -> Caller:
        """Who sent the request.

        Returns:
            The caller: the access key of a good signature, else the Jupyter user.

        Raises:
            AwsError: 403 — a bad signature (never falls back to Jupyter's
                authentication), no credentials, or a Jupyter user not authorized.
        """
        if self._auth_error is not None:
            raise self._auth_error
        if self._signed is not None:
            return Caller(self._signed.access_key_id, signed=True)
        user = self.current_user
        if user is None:
            raise missing_token()
        allowed = self.authorizer.is_authorized(self, user, "write", AUTH_RESOURCE)
        if inspect.isawaitable(allowed):
            allowed = await allowed
        if not allowed:
            raise AwsError("AccessDeniedException", "the Jupyter user may not use the API", 403)
        return Caller(getattr(user, "username", "jupyter"), signed=False)

    @aws_authenticated
    async def post(self, endpoint_name: str | None = None) -> None:
        if endpoint_name is not None:
            await self._invoke(endpoint_name)
            return
        headers = self.request.headers
        request = parse_request(
            headers.get("X-Amz-Target"), headers.get("Content-Type"), self.request.body or b""
        )
        if self._signed is not None and self._signed.service != request.service:
            raise AwsError(
                INVALID_SIGNATURE,
                f"Credential should be scoped to correct service: '{request.service}'.",
                403,
            )
        operation = TABLES[request.service].get(request.operation)
        call = Call(
            studio=self.studio,
            params=request.params,
            region=self.identity.region,
            account_id=self.identity.account_id,
            caller=self.caller or Caller("unknown", signed=False),
        )
        answer = await IOLoop.current().run_in_executor(
            self.studio.executor, dispatch, operation, call
        )
        body = encode_answer(request.service, request.operation, answer, self.request_id)
        self.set_status(200)
        self.set_header("x-amzn-RequestId", self.request_id)
        content_type = XML_CONTENT_TYPE if request.service in NAMESPACES else JSON_CONTENT_TYPE
        self.finish(body, set_content_type=content_type)

    async def _invoke(self, endpoint_name: str) -> None:
        """The ``sagemaker-runtime`` client's InvokeEndpoint: the router on this loop."""
        if self._signed is not None and self._signed.service != SIGNING_NAME:
            raise AwsError(
                INVALID_SIGNATURE,
                f"Credential should be scoped to correct service: '{SIGNING_NAME}'.",
                403,
            )
        answer = await invoke_endpoint(
            self.studio,
            endpoint_name,
            self.request.body or b"",
            self.request.headers,
            account_id=self.identity.account_id,
            # when tornado read the request, as the studio's own invocations route has it
            received=time.perf_counter() - (time.time() - self.request._start_time),
        )
        self.set_status(200)
        self.set_header("x-amzn-RequestId", self.request_id)
        self.set_header(INVOKED_VARIANT, answer.variant)
        if answer.custom_attributes:
            self.set_header(CUSTOM_ATTRIBUTES, answer.custom_attributes)
        self.finish(answer.body, set_content_type=answer.content_type)

    def _runtime(self) -> bool:
        """Whether the request is the runtime client's (an endpoint's invocations)."""
        return bool(self.path_args and self.path_args[0])

    def _service(self) -> str:
        """The protocol to answer in: STS's for a form body, SageMaker's otherwise."""
        if self._runtime():
            return "sagemaker"
        media = (self.request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        return "sts" if media == FORM_CONTENT_TYPE else "sagemaker"

    def log_exception(self, typ: Any, value: BaseException | None, tb: Any) -> None:
        """A refused request is one log line; anything else a full traceback."""
        if isinstance(value, AwsError):
            self.log.info("SageMaker API: %s %s: %s", value.status, value.code, value.message)
            return
        super().log_exception(typ, value, tb)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Every error in AWS's shape, with ``x-amzn-ErrorType``."""
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, AwsError):
            error = exc
        elif self._auth_error is not None:
            error = self._auth_error
        elif isinstance(exc, HTTPError) and status_code == 403 and self.current_user is None:
            error = missing_token()
        elif isinstance(exc, HTTPError) and status_code < 500:
            code = "AccessDeniedException" if status_code == 403 else "BadRequest"
            error = AwsError(code, exc.log_message or exc.reason or "refused", status_code)
        else:
            error = AwsError(
                "InternalFailure",
                "internal error in jupyter_mlstudio; the server log has the details",
                500,
            )
        body, content_type = encode_error(self._service(), error, self.request_id)
        if isinstance(error, ModelErrorAnswer):  # the runtime's ModelError members
            body = json.dumps(
                {**json.loads(body), "Message": error.message, **error.members()}
            ).encode()
        self.clear()
        self.set_status(error.status)
        self.set_header("x-amzn-RequestId", self.request_id)
        self.set_header("x-amzn-ErrorType", error.code)
        self.finish(body, set_content_type=content_type)


def aws_handlers() -> list[tuple[str, type[AwsApiHandler], dict[str, Any]]]:
    """The API's tornado rule, relative to the server's base URL: the JSON and query
    protocols at ``/mlstudio/aws``, the runtime's invocations below it."""
    return [(f"/{API_PATH}(?:/endpoints/([^/]+)/invocations)?/?", AwsApiHandler, {})]
