"""The base handler: auth, JSON in and out, one error mapper, work off the event loop."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, ClassVar, TypeVar

import pydantic
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado.ioloop import IOLoop
from tornado.web import HTTPError, authenticated

from ...entities import Entity
from ...exceptions import (
    ArtifactPathError,
    NotFoundError,
    StudioError,
    ValidationError,
    http_status,
)
from ...services.jobs.requests import first_error
from ...services.studio import Studio
from ..json_io import dumps, has_surrogate, read_json, surrogate_error

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


class JsonHandler(ExtensionHandlerMixin, APIHandler):
    """JSON in and out for everything under ``/mlstudio/api``: checked path and query
    text, one error mapper (every error leaves as ``{code, message, field?}``), and a
    writer that always emits valid JSON."""

    auth_resource = AUTH_RESOURCE

    def initialize(self, name: str, path_parameters: tuple[str, ...] = (), **kwargs: Any) -> None:
        """Tornado's per-request set-up.

        Args:
            name: the extension's name (Jupyter passes it).
            path_parameters: the route's path parameter names, in order (``routes.py``
                passes them), so that errors about a path segment can name it.
        """
        super().initialize(name, **kwargs)
        self.path_parameters = path_parameters

    def decode_argument(self, value: bytes, name: str | None = None) -> str:
        """Query values must be UTF-8 (a 400 naming the parameter otherwise); path
        segments are decoded leniently here and checked in ``prepare``, where the
        parameter they belong to is known."""
        if name is None:
            return value.decode("utf-8", "surrogateescape")
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise surrogate_error(name) from None

    async def prepare(self) -> None:  # type: ignore[override]  # as APIHandler.prepare
        await super().prepare()
        for index, value in enumerate(self.path_args):
            if has_surrogate(value):
                names = self.path_parameters
                raise surrogate_error(names[index] if index < len(names) else "path")

    # -- output ------------------------------------------------------------------

    def send(self, payload: Any, status: int = 200) -> None:
        self.set_status(status)
        if status == 204:
            self.finish()
            return
        self.set_header("Content-Type", "application/json")
        self.finish(dumps(_jsonable(payload)))

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
            if isinstance(exc, ArtifactPathError) and self._file_parameter():
                # the artifact store names its own argument; the client sent this one
                body["field"] = self._file_parameter()
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
        self.finish(dumps(body))

    def _file_parameter(self) -> str | None:
        """The route's path parameter that holds a file path (``ArtifactPath``), if any."""
        return next((p for p in self.path_parameters if p.endswith("Path")), None)


class StudioHandler(JsonHandler):
    """Base of every studio handler.

    Subclasses decorate each verb with ``@tornado.web.authenticated`` and
    ``@authorized`` and declare it in ``operations``.
    """

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
        """The JSON body as ``model``; ValidationError naming the field otherwise
        (``body`` for bytes that are not JSON, or JSON nested too deep)."""
        data = read_json(self.request.body or b"{}")
        if not isinstance(data, dict):
            raise ValidationError("the request body must be a JSON object", field="body")
        return validate_model(model, data)

    def parse_query(self, model: type[M]) -> M:
        data: dict[str, Any] = {}
        for name in self.request.query_arguments:
            values = self.get_query_arguments(name)
            if name.isdigit() and not any(values):
                continue  # JupyterLab's cache-busting timestamp (`?1795458436394`)
            data[name] = values[-1] if values else None
        return validate_model(model, data)


class UnknownRouteHandler(JsonHandler):
    """Any other path under ``/mlstudio/api``: a JSON 404 (after authentication), not
    Jupyter's HTML page."""

    def _not_found(self) -> None:
        raise NotFoundError(f"no such route: {self.request.method} {self.request.path}")

    @authenticated
    @authorized
    def get(self, *_: str) -> None:
        self._not_found()

    @authenticated
    @authorized
    def post(self, *_: str) -> None:
        self._not_found()

    @authenticated
    @authorized
    def put(self, *_: str) -> None:
        self._not_found()

    @authenticated
    @authorized
    def patch(self, *_: str) -> None:
        self._not_found()

    @authenticated
    @authorized
    def delete(self, *_: str) -> None:
        self._not_found()


def validate_model(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        first = first_error(exc, _field_path)
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
