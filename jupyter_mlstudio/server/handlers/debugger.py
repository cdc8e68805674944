"""A training job's Debugger and profiler, for the job view: the tensors its hook saved,
one tensor over steps, its hosts' profiler samples, and the ProfilerReport's HTML."""

from __future__ import annotations

from typing import ClassVar

from jupyter_server.auth.decorator import authorized
from tornado.web import authenticated

from .. import debugger_schemas as d
from .base import Operation, StudioHandler

#: The report is the profiler rule's HTML, served on the studio's origin: it runs in a
#: sandbox (an origin of its own, no forms, no access to the lab's cookies or API).
REPORT_POLICY = (
    "sandbox allow-scripts allow-popups; default-src 'none'; img-src data:;"
    " style-src 'unsafe-inline'; script-src 'unsafe-inline'; frame-ancestors 'self'"
)


HTML = "text/html; charset=utf-8"


class DebuggerTensorsHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "List the tensors a training job's Debugger hook saved, across its hosts",
            "listTrainingJobTensors",
            response=d.TensorsResponse,
            errors=(403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self, job_name: str) -> None:
        self.send(d.TensorsResponse(**await self.run(self.studio.debugger.tensors, job_name)))


class DebuggerTensorHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "A saved tensor over steps: a scalar's values, an array's mean, min, max and norm",
            "getTrainingJobTensor",
            query=d.TensorQuery,
            response=d.TensorSeriesResponse,
            errors=(400, 403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self, job_name: str, tensor_name: str) -> None:
        q = self.parse_query(d.TensorQuery)
        series = await self.run(self.studio.debugger.tensor, job_name, tensor_name, q.mode)
        self.send(d.TensorSeriesResponse(**series))


class ProfilerHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "A training job's profiler samples per host (CPU, memory, disk, network, GPU)",
            "getTrainingJobProfile",
            query=d.ProfilerQuery,
            response=d.ProfilerResponse,
            errors=(400, 403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self, job_name: str) -> None:
        q = self.parse_query(d.ProfilerQuery)
        profile = await self.run(self.studio.debugger.profile, job_name, q.since)
        self.send(d.ProfilerResponse(**profile))


class ProfilerReportHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "The HTML report of a training job's ProfilerReport rule (text/html)",
            "getTrainingJobProfilerReport",
            raw_response=True,
            errors=(403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self, job_name: str) -> None:
        html: bytes = await self.run(self.studio.debugger.report, job_name)
        self.set_header("Content-Security-Policy", REPORT_POLICY)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.finish(html, set_content_type=HTML)  # not APIHandler's JSON default
