"""Lineage: what produced an endpoint, a model, a model package version or a job."""

from __future__ import annotations

from typing import ClassVar

from jupyter_server.auth.decorator import authorized
from tornado.web import authenticated

from ...services.lineage.service import LineageService
from .. import lineage_schemas as ls
from .base import Operation, StudioHandler


class LineageHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "The lineage of an endpoint, a model, a model package version or a job: the"
            " configs, models, versions, artifacts, jobs, pipeline steps and runs that"
            " produced it",
            "getLineage",
            query=ls.LineageQuery,
            response=ls.LineageResponse,
            errors=(400, 403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(ls.LineageQuery)
        service = LineageService(self.studio.store)
        self.send(
            await self.run(
                service.lineage,
                arn=q.Arn,
                endpoint_name=q.EndpointName,
                model_name=q.ModelName,
                model_package_arn=q.ModelPackageArn,
            )
        )
