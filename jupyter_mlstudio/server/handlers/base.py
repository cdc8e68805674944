"""The base handler: auth, JSON in and out, one error mapper, work off the event loop."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, ClassVar, TypeVar

import pydantic
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado.ioloop import IOLoop
from tornado.web import HTTPError

from ...entities import Entity
from ...exceptions import StudioError, ValidationError, http_status
from ...services.studio import Studio

M = TypeVar("M", bound=pydantic.BaseModel)
R = TypeVar("R")

# Resource name used by Jupyter's authorizer for every studio route.
AUTH_RESOURCE = "mlstudio"

_HTTP_ERROR_CODES = {
    400: "ValidationException",
    401: "Unauthorized",
    403: "Forbidden",
    404: "ResourceNotFound",
    405: "MethodNotAllowed",
    409: "ResourceInUse",
    413: "ResourceLimitExceeded",
}


@dataclass(frozen=True)
class Operation:
    """What one HTTP method of a route does; the OpenAPI document is built from these."""

    summary: str
    operation_id: str
    query: type[pydantic.BaseModel] | None = None
    body: type[pydantic.BaseModel] | None = None
    response: type[pydantic.BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = (400, 403)
    #: A request body of raw bytes (file uploads) instead of a JSON ``body`` model.
    raw_body: bool = False
    #: A response of raw bytes (file downloads) instead of JSON.
    raw_response: bool = False


class StudioHandler(ExtensionHandlerMixin, APIHandler):
    """Base of every studio handler.

    Subclasses decorate each verb with ``@tornado.web.authenticated`` and
    ``@authorized`` and declare it in ``operations``.
    """

    auth_resource = AUTH_RESOURCE
    operations: ClassVar[dict[str, Operation]] = {}

    @property
    def studio(self) -> Studio:
        studio: Studio = self.settings["mlstudio.studio"]
        return studio

    async def run(self, fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
        """Run a blocking service call in the studio's thread pool."""
        call = functools.partial(fn, *args, **kwargs)
        return await IOLoop.current().run_in_executor(self.studio.executor, call)

    # -- input -------------------------------------------------------------------

    def parse_body(self, model: type[M]) -> M:
        raw = self.request.body or b"{}"
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValidationError(
                f"the request body is not valid JSON: {exc}", field="body"
            ) from None
        if not isinstance(data, dict):
            raise ValidationError("the request body must be a JSON object", field="body")
        return _validate(model, data)

    def parse_query(self, model: type[M]) -> M:
        data: dict[str, Any] = {}
        for name in self.request.query_arguments:
            values = self.get_query_arguments(name)
            if name.isdigit() and not any(values):
                continue  # JupyterLab's cache-busting timestamp (`?1795458436394`)
            data[name] = values[-1] if values else None
        return _validate(model, data)

    # -- output ------------------------------------------------------------------

    def send(self, payload: Any, status: int = 200) -> None:
        self.set_status(status)
        if status == 204:
            self.finish()
            return
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(_jsonable(payload)))

    def log_exception(
        self,
        typ: type[BaseException] | None,
        value: BaseException | None,
        tb: Any,
    ) -> None:
        """Expected errors (bad input, not found, conflicts) are one log line, not a
        traceback; anything else is logged in full by tornado."""
        if isinstance(value, StudioError):
            self.log.info(
                "%s %s -> %s %s: %s",
                self.request.method,
                self.request.uri,
                http_status(value),
                value.code,
                value.message,
            )
            return
        super().log_exception(typ, value, tb)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Every error leaves as ``{code, message, field?}``; never an HTML page."""
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, StudioError):
            status_code = http_status(exc)
            body = exc.to_dict()
        elif isinstance(exc, HTTPError):
            if exc.log_message:
                message = exc.log_message % exc.args if exc.args else exc.log_message
            else:
                message = exc.reason or HTTPStatus(status_code).phrase
            body = {"code": _HTTP_ERROR_CODES.get(status_code, "HttpError"), "message": message}
        else:
            status_code = 500
            body = {
                "code": "InternalFailure",
                "message": "internal error in jupyter_mlstudio; the server log has the details",
            }
        self.set_status(status_code)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))


def _validate(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        field = _field_path(first.get("loc", ()))
        message = first.get("msg", "invalid value")
        if first.get("type") == "extra_forbidden":
            message = "unknown field"
        raise ValidationError(f"{field}: {message}", field=field or None) from None


def _field_path(loc: tuple[Any, ...] | Any) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item}]"] if parts else [f"[{item}]"]
        elif item in ("function-after", "union", "list", "dict"):
            continue
        elif isinstance(item, str) and ("[" in item or item in ("float", "str", "int")):
            continue  # pydantic's union branch labels
        else:
            parts.append(str(item))
    return ".".join(parts)


def _jsonable(payload: Any) -> Any:
    if isinstance(payload, Entity):
        return payload.to_api()
    if isinstance(payload, pydantic.BaseModel):
        return payload.model_dump(mode="json", by_alias=True, exclude_none=True)
    return payload
