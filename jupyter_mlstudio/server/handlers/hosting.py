"""Models, endpoint configurations, endpoints and invocations (docs/hosting.md)."""

from __future__ import annotations

import time
from typing import Any, ClassVar

from jupyter_server.auth.decorator import authorized
from tornado.web import authenticated

from ...entities import Endpoint, EndpointConfig, Model
from ...services.hosting.requests import (
    CreateEndpointConfigRequest,
    CreateEndpointRequest,
    CreateModelRequest,
    UpdateEndpointRequest,
    UpdateEndpointWeightsAndCapacitiesRequest,
)
from .. import hosting_schemas as h
from .. import schemas as s
from .base import Operation, StudioHandler

TARGET_VARIANT = "X-Amzn-SageMaker-Target-Variant"
TARGET_MODEL = "X-Amzn-SageMaker-Target-Model"
CUSTOM_ATTRIBUTES = "X-Amzn-SageMaker-Custom-Attributes"
INFERENCE_ID = "X-Amzn-SageMaker-Inference-Id"
INVOKED_VARIANT = "X-Amzn-Invoked-Production-Variant"


# -- models -------------------------------------------------------------------------------


class ModelsHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "List models, newest first",
            "listModels",
            query=h.ListModelsQuery,
            response=h.ListModelsResponse,
        ),
        "post": Operation(
            "Create a model (an image and/or script-mode code, and model data)",
            "createModel",
            body=CreateModelRequest,
            response=Model,
            status=201,
            errors=(400, 403, 409),
        ),
    }

    @authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(h.ListModelsQuery)
        page = await self.run(
            self.studio.endpoints.list_models,
            name_contains=q.NameContains,
            sort_order=q.SortOrder,
            max_results=q.MaxResults,
            next_token=q.NextToken,
        )
        self.send(h.ListModelsResponse(Models=page.items, NextToken=page.next_token))

    @authenticated
    @authorized
    async def post(self) -> None:
        body = self.parse_body(CreateModelRequest)
        self.send(await self.run(self.studio.endpoints.create_model, body), 201)


class ModelHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation("Describe a model", "describeModel", response=Model, errors=(403, 404)),
        "delete": Operation(
            "Delete a model (endpoints serving it keep running)",
            "deleteModel",
            status=204,
            errors=(403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self, model_name: str) -> None:
        self.send(await self.run(self.studio.endpoints.get_model, model_name))

    @authenticated
    @authorized
    async def delete(self, model_name: str) -> None:
        await self.run(self.studio.endpoints.delete_model, model_name)
        self.send(None, 204)


# -- endpoint configurations ----------------------------------------------------------------


class EndpointConfigsHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "List endpoint configurations, newest first",
            "listEndpointConfigs",
            query=h.ListEndpointConfigsQuery,
            response=h.ListEndpointConfigsResponse,
        ),
        "post": Operation(
            "Create an endpoint configuration (production variants, data capture)",
            "createEndpointConfig",
            body=CreateEndpointConfigRequest,
            response=EndpointConfig,
            status=201,
            errors=(400, 403, 409),
        ),
    }

    @authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(h.ListEndpointConfigsQuery)
        page = await self.run(
            self.studio.endpoints.list_endpoint_configs,
            name_contains=q.NameContains,
            sort_order=q.SortOrder,
            max_results=q.MaxResults,
            next_token=q.NextToken,
        )
        self.send(
            h.ListEndpointConfigsResponse(EndpointConfigs=page.items, NextToken=page.next_token)
        )

    @authenticated
    @authorized
    async def post(self) -> None:
        body = self.parse_body(CreateEndpointConfigRequest)
        self.send(await self.run(self.studio.endpoints.create_endpoint_config, body), 201)


class EndpointConfigHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Describe an endpoint configuration",
            "describeEndpointConfig",
            response=EndpointConfig,
            errors=(403, 404),
        ),
        "delete": Operation(
            "Delete an endpoint configuration (409 while an endpoint uses it)",
            "deleteEndpointConfig",
            status=204,
            errors=(403, 404, 409),
        ),
    }

    @authenticated
    @authorized
    async def get(self, config_name: str) -> None:
        self.send(await self.run(self.studio.endpoints.get_endpoint_config, config_name))

    @authenticated
    @authorized
    async def delete(self, config_name: str) -> None:
        await self.run(self.studio.endpoints.delete_endpoint_config, config_name)
        self.send(None, 204)


# -- endpoints ------------------------------------------------------------------------------


class EndpointsHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "List endpoints, newest first",
            "listEndpoints",
            query=s.ListEndpointsQuery,
            response=s.ListEndpointsResponse,
        ),
        "post": Operation(
            "Create an endpoint from a configuration (Creating; InService when ready)",
            "createEndpoint",
            body=CreateEndpointRequest,
            response=Endpoint,
            status=201,
            errors=(400, 403, 409),
        ),
    }

    @authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(s.ListEndpointsQuery)
        page = await self.run(
            self.studio.endpoints.list_endpoints,
            status=q.StatusEquals,
            name_contains=q.NameContains,
            sort_order=q.SortOrder,
            max_results=q.MaxResults,
            next_token=q.NextToken,
        )
        self.send(s.ListEndpointsResponse(Endpoints=page.items, NextToken=page.next_token))

    @authenticated
    @authorized
    async def post(self) -> None:
        body = self.parse_body(CreateEndpointRequest)
        self.send(await self.run(self.studio.endpoints.create_endpoint, body), 201)


class EndpointHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Describe an endpoint with its live variants and instances",
            "describeEndpoint",
            response=h.DescribeEndpointResponse,
            errors=(403, 404),
        ),
        "put": Operation(
            "Update an endpoint to another configuration (blue/green)",
            "updateEndpoint",
            body=UpdateEndpointRequest,
            response=Endpoint,
            errors=(400, 403, 404, 409),
        ),
        "delete": Operation(
            "Delete an endpoint (its instances are stopped)",
            "deleteEndpoint",
            status=204,
            errors=(403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self, endpoint_name: str) -> None:
        self.send(await self.run(self.studio.endpoints.describe_endpoint, endpoint_name))

    @authenticated
    @authorized
    async def put(self, endpoint_name: str) -> None:
        body = self.parse_body(UpdateEndpointRequest)
        self.send(
            await self.run(
                self.studio.endpoints.update_endpoint, endpoint_name, body.EndpointConfigName
            )
        )

    @authenticated
    @authorized
    async def delete(self, endpoint_name: str) -> None:
        await self.run(self.studio.endpoints.delete_endpoint, endpoint_name)
        self.send(None, 204)


class EndpointWeightsHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "Change variant weights and instance counts (UpdateEndpointWeightsAndCapacities)",
            "updateEndpointWeightsAndCapacities",
            body=UpdateEndpointWeightsAndCapacitiesRequest,
            response=Endpoint,
            errors=(400, 403, 404, 409),
        )
    }

    @authenticated
    @authorized
    async def post(self, endpoint_name: str) -> None:
        body = self.parse_body(UpdateEndpointWeightsAndCapacitiesRequest)
        self.send(
            await self.run(
                self.studio.endpoints.update_endpoint_weights_and_capacities, endpoint_name, body
            )
        )


class InvocationsHandler(StudioHandler):
    """The request path: no thread hop, the router runs on the server's loop."""

    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "Invoke an endpoint: the body goes to a model as it is, the answer comes back as"
            " it is (headers Content-Type, Accept, X-Amzn-SageMaker-Target-Variant,"
            " X-Amzn-SageMaker-Target-Model (multi-model endpoints: the archive under the"
            " model data prefix), X-Amzn-SageMaker-Custom-Attributes; answer header"
            " X-Amzn-Invoked-Production-Variant)",
            "invokeEndpoint",
            raw_body=True,
            raw_response=True,
            errors=(400, 403, 404, 409, 413, 424, 503, 504),
        )
    }

    def set_secure_cookie(self, *args: Any, **kwargs: Any) -> None:
        """A client that sends the token on every invocation needs no login cookie; Jupyter
        would sign a new one for each answer (~0.16 ms of the server's CPU per request)."""
        if "Authorization" not in self.request.headers:
            super().set_secure_cookie(*args, **kwargs)

    @authenticated
    @authorized
    async def post(self, endpoint_name: str) -> None:
        headers = self.request.headers
        answer = await self.studio.endpoints.invoke(
            endpoint_name,
            self.request.body,
            # when tornado read the request: overhead latency includes Jupyter's own work
            received=time.perf_counter() - (time.time() - self.request._start_time),
            content_type=headers.get("Content-Type"),
            accept=headers.get("Accept"),
            target_variant=headers.get(TARGET_VARIANT),
            target_model=headers.get(TARGET_MODEL),
            custom_attributes=headers.get(CUSTOM_ATTRIBUTES),
            inference_id=headers.get(INFERENCE_ID),
        )
        self.set_header(INVOKED_VARIANT, answer.variant)
        if answer.custom_attributes:
            self.set_header(CUSTOM_ATTRIBUTES, answer.custom_attributes)
        # APIHandler.finish would set application/json otherwise
        self.finish(answer.body, set_content_type=answer.content_type)


class EndpointFiguresHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Per-variant invocations, errors and latency percentiles, with 10-second series",
            "getEndpointFigures",
            query=h.EndpointFiguresQuery,
            response=h.EndpointFiguresResponse,
            errors=(400, 403, 404),
        )
    }

    @authenticated
    @authorized
    async def get(self, endpoint_name: str) -> None:
        q = self.parse_query(h.EndpointFiguresQuery)
        self.send(await self.run(self.studio.endpoints.figures, endpoint_name, q.Minutes))


class EndpointModelsHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "The models of each variant: for a multi-model endpoint, per instance the"
            " models loaded now and the figures of every model served (invocations,"
            " latency, loads, load time, evictions)",
            "getEndpointModels",
            response=h.EndpointModelsResponse,
            errors=(403, 404),
        )
    }

    @authenticated
    @authorized
    async def get(self, endpoint_name: str) -> None:
        self.send(await self.run(self.studio.endpoints.endpoint_models, endpoint_name))


class EndpointCapturesHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "The newest captured request/response records",
            "getEndpointCaptures",
            query=h.CapturesQuery,
            response=h.CapturesResponse,
            errors=(400, 403, 404),
        )
    }

    @authenticated
    @authorized
    async def get(self, endpoint_name: str) -> None:
        q = self.parse_query(h.CapturesQuery)
        self.send(
            await self.run(
                self.studio.endpoints.captures,
                endpoint_name,
                variant=q.VariantName,
                max_results=q.MaxResults,
            )
        )


class EndpointLogsHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Read an instance's log from a byte offset",
            "getEndpointLogs",
            query=h.EndpointLogsQuery,
            response=h.EndpointLogs,
            errors=(400, 403, 404),
        )
    }

    @authenticated
    @authorized
    async def get(self, endpoint_name: str) -> None:
        q = self.parse_query(h.EndpointLogsQuery)
        self.send(
            await self.run(
                self.studio.endpoints.read_logs,
                endpoint_name,
                variant=q.VariantName,
                host=q.Host,
                offset=q.Offset,
            )
        )
