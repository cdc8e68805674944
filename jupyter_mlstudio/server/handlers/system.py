"""Health and the OpenAPI document."""

from __future__ import annotations

from typing import ClassVar

from jupyter_server.auth.decorator import authorized
from tornado.web import authenticated

from .. import schemas as s
from .base import Operation, StudioHandler


class HealthHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Version and health of the store, artifact root and runtimes",
            "getHealth",
            response=s.HealthResponse,
            errors=(403,),
        )
    }

    @authenticated
    @authorized
    async def get(self) -> None:
        health = await self.run(self.studio.system.health)
        self.send(health.to_api())


class OpenApiHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation("This API's OpenAPI 3.1 document", "getOpenApi", errors=(403,))
    }

    @authenticated
    @authorized
    async def get(self) -> None:
        self.send(self.settings["mlstudio.openapi"])
