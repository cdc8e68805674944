"""Build the OpenAPI 3.1 document from the route table and the pydantic schemas."""

from __future__ import annotations

from typing import Any

import pydantic
from pydantic.json_schema import models_json_schema

from ..version import __version__
from .handlers.base import Operation
from .routes import API_PREFIX, ROUTES, is_multi_segment, path_parameters
from .schemas import ErrorResponse

_ERROR_TEXT = {
    400: "Bad input; `field` names what is wrong",
    403: "Not authenticated or not authorized (Jupyter auth)",
    404: "No such resource",
    409: "The name is taken or the state forbids it",
}


# Raw bytes (uploads and downloads of artifact files), in OpenAPI 3.1's JSON Schema form.
_BINARY: dict[str, Any] = {"type": "string", "contentMediaType": "application/octet-stream"}


def build_openapi() -> dict[str, Any]:
    models = _collect_models()
    _, defs = models_json_schema(
        [(m, "serialization") for m in models],
        by_alias=True,
        ref_template="#/components/schemas/{model}",
    )
    schemas: dict[str, Any] = dict(defs.get("$defs", {}))
    paths: dict[str, Any] = {}
    for route in ROUTES:
        item: dict[str, Any] = {}
        for method, op in route.handler.operations.items():
            item[method] = _operation(route.path, route.tag, op, schemas)
        paths[API_PREFIX + route.path] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "jupyter_mlstudio REST API",
            "version": __version__,
            "description": (
                "The API behind the ML Studio sidebar and the SDK. Every route needs Jupyter "
                "authentication (token header, cookie). Field names follow the SageMaker API."
            ),
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "jupyterToken": {"type": "apiKey", "in": "header", "name": "Authorization"}
            },
        },
        "security": [{"jupyterToken": []}],
        "paths": paths,
    }


def _collect_models() -> list[type[pydantic.BaseModel]]:
    seen: list[type[pydantic.BaseModel]] = [ErrorResponse]
    for route in ROUTES:
        for op in route.handler.operations.values():
            for model in (op.response, op.body):
                if model is not None and model not in seen:
                    seen.append(model)
    return seen


def _ref(model: type[pydantic.BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _operation(path: str, tag: str, op: Operation, schemas: dict[str, Any]) -> dict[str, Any]:
    """One operation; enums its query parameters refer to are added to ``schemas``."""
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in path_parameters(path)
    ]
    for param in params:
        if is_multi_segment(param["name"]):
            param["description"] = "A relative path; may contain '/'"
    if op.query is not None:
        query_schema = op.query.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in query_schema.get("$defs", {}).items():
            schemas.setdefault(name, definition)
        required = set(query_schema.get("required", []))
        for name, prop in query_schema.get("properties", {}).items():
            params.append(
                {"name": name, "in": "query", "required": name in required, "schema": prop}
            )
    out: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary, "tags": [tag]}
    if params:
        out["parameters"] = params
    if op.body is not None:
        out["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(op.body)}},
        }
    elif op.raw_body:
        out["requestBody"] = {"required": True, "content": {"*/*": {"schema": _BINARY}}}
    ok: dict[str, Any] = {"description": "Success"}
    if op.raw_response:
        ok["content"] = {"*/*": {"schema": _BINARY}}
    elif op.response is not None:
        ok["content"] = {"application/json": {"schema": _ref(op.response)}}
    elif op.status != 204:
        ok["content"] = {"application/json": {"schema": {"type": "object"}}}
    responses: dict[str, Any] = {str(op.status): ok}
    # Every path parameter is checked (a name's pattern, an artifact path that stays in
    # its folder) before the resource is looked up: a bad one is a 400 on any operation.
    errors = sorted(set(op.errors) | ({400} if path_parameters(path) else set()))
    for code in errors:
        responses[str(code)] = {
            "description": _ERROR_TEXT.get(code, "Error"),
            "content": {"application/json": {"schema": _ref(ErrorResponse)}},
        }
    out["responses"] = responses
    return out
