"""Chart data: one metric of many runs, downsampled on the server (compact columns).

Each route answers GET (the selection in the query) and POST (the selection in a JSON
body, for selections longer than a query string holds)."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from jupyter_server.auth.decorator import authorized
from tornado.web import authenticated

from .. import charts_schemas as cs
from .base import Operation, StudioHandler, validate_model

Q = TypeVar("Q", bound=cs.RunSelectionRequest)
_REPEATED = frozenset({"TrialComponentName", "Fields"})


class _ChartHandler(StudioHandler):
    def parse_selection(self, model: type[Q]) -> Q:
        """Like ``parse_query``, but ``TrialComponentName`` and ``Fields`` may repeat."""
        data: dict[str, Any] = {}
        for name in self.request.query_arguments:
            values = self.get_query_arguments(name)
            data[name] = values if name in _REPEATED else values[-1]
        return validate_model(model, data)

    def send_json(self, body: str) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(body)


class MetricChartHandler(_ChartHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "One metric of many runs for a chart: exact when short, else min/max/last/avg "
            "per step bucket",
            "getMetricChart",
            query=cs.MetricChartQuery,
            response=cs.MetricChartResponse,
            errors=(400, 403, 404),
        ),
        "post": Operation(
            "As GET, with the selection in the body (up to 1,000 runs; a query string holds fewer)",
            "postMetricChart",
            body=cs.MetricChartRequest,
            response=cs.MetricChartResponse,
            errors=(400, 403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_selection(cs.MetricChartQuery)
        self.send_json(await self.run(self._chart, q))

    @authenticated
    @authorized
    async def post(self) -> None:
        q = self.parse_body(cs.MetricChartRequest)
        self.send_json(await self.run(self._chart, q))

    def _chart(self, q: cs.MetricChartRequest) -> str:
        # Runs in the executor: the query and the JSON encoding stay off the event loop.
        # Series in selection order: named runs first, then the experiment's runs by name.
        chart = self.studio.store.get_metric_chart(
            q.TrialComponentName,
            q.MetricName,
            experiment_name=q.ExperimentName,
            max_points=q.MaxPoints,
            fields=q.Fields,  # the store reads only these columns; the others come back empty
        )
        series = list(chart.values())
        body = cs.MetricChartResponse.model_construct(MetricName=q.MetricName, Series=series)
        return body.model_dump_json(by_alias=True, exclude_none=True)


class MetricNamesHandler(_ChartHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "The metric names logged by any of the selected runs",
            "listChartMetricNames",
            query=cs.RunSelectionQuery,
            response=cs.MetricNamesResponse,
            errors=(400, 403, 404),
        ),
        "post": Operation(
            "As GET, with the selection in the body (up to 1,000 runs)",
            "postChartMetricNames",
            body=cs.RunSelectionRequest,
            response=cs.MetricNamesResponse,
            errors=(400, 403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self) -> None:
        await self._names(self.parse_selection(cs.RunSelectionQuery))

    @authenticated
    @authorized
    async def post(self) -> None:
        await self._names(self.parse_body(cs.RunSelectionRequest))

    async def _names(self, q: cs.RunSelectionRequest) -> None:
        names = await self.run(
            self.studio.store.list_metric_names,
            q.TrialComponentName,
            experiment_name=q.ExperimentName,
        )
        self.send(cs.MetricNamesResponse(MetricNames=names))
