"""Model Monitor: monitoring schedules (CreateMonitoringSchedule, DescribeMonitoringSchedule,
ListMonitoringSchedules, Start/Stop/DeleteMonitoringSchedule), their executions
(ListMonitoringExecutions) and the Monitoring tab's report of one execution."""

from __future__ import annotations

from typing import ClassVar

from jupyter_server.auth.decorator import authorized
from tornado.web import authenticated

from .. import monitoring_schemas as ms
from .base import Operation, StudioHandler


class MonitoringSchedulesHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "List monitoring schedules, newest first, with their next run and latest execution",
            "listMonitoringSchedules",
            query=ms.ListSchedulesQuery,
            response=ms.ListSchedulesResponse,
        ),
        "post": Operation(
            "Create a monitoring schedule over an endpoint's captured data",
            "createMonitoringSchedule",
            body=ms.CreateMonitoringScheduleBody,
            response=ms.CreateMonitoringScheduleResponse,
            errors=(400, 403, 404, 409),
        ),
    }

    @authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(ms.ListSchedulesQuery)
        answer = await self.run(
            self.studio.monitoring.list_schedules,
            endpoint_name=q.EndpointName,
            name_contains=q.NameContains,
            status=q.StatusEquals,
            sort_order=q.SortOrder,
            max_results=q.MaxResults,
            next_token=q.NextToken,
        )
        self.send(ms.ListSchedulesResponse(**answer))

    @authenticated
    @authorized
    async def post(self) -> None:
        body = self.parse_body(ms.CreateMonitoringScheduleBody)
        schedule = await self.run(
            self.studio.monitoring.create_schedule, body.model_dump(exclude_none=True)
        )
        self.send({"MonitoringScheduleArn": schedule.monitoring_schedule_arn})


class MonitoringScheduleHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Describe a monitoring schedule, with its next run",
            "describeMonitoringSchedule",
            response=ms.DescribeScheduleResponse,
            errors=(403, 404),
        ),
        "delete": Operation(
            "Delete a monitoring schedule and its executions' records",
            "deleteMonitoringSchedule",
            status=204,
            errors=(403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self, name: str) -> None:
        described = await self.run(self.studio.monitoring.describe_schedule, name)
        self.send(ms.DescribeScheduleResponse(**described))

    @authenticated
    @authorized
    async def delete(self, name: str) -> None:
        await self.run(self.studio.monitoring.delete_schedule, name)
        self.send(None, 204)


class MonitoringScheduleStartHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "Start a stopped monitoring schedule: it runs from its next cron time",
            "startMonitoringSchedule",
            status=204,
            errors=(403, 404),
        ),
    }

    @authenticated
    @authorized
    async def post(self, name: str) -> None:
        await self.run(self.studio.monitoring.start_schedule, name)
        self.send(None, 204)


class MonitoringScheduleStopHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "Stop a monitoring schedule: no new executions",
            "stopMonitoringSchedule",
            status=204,
            errors=(403, 404),
        ),
    }

    @authenticated
    @authorized
    async def post(self, name: str) -> None:
        await self.run(self.studio.monitoring.stop_schedule, name)
        self.send(None, 204)


class MonitoringReportHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "An execution's distributions against the baseline, its violations and the drift"
            " of every execution",
            "getMonitoringReport",
            query=ms.ReportQuery,
            response=ms.ReportResponse,
            errors=(400, 403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self, name: str) -> None:
        q = self.parse_query(ms.ReportQuery)
        report = await self.run(self.studio.monitoring.report, name, q.ProcessingJobName)
        self.send(ms.ReportResponse(**report))


class MonitoringExecutionsHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "List monitoring executions by scheduled time",
            "listMonitoringExecutions",
            query=ms.ListExecutionsQuery,
            response=ms.ListExecutionsResponse,
            errors=(400, 403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(ms.ListExecutionsQuery)
        answer = await self.run(
            self.studio.monitoring.list_executions,
            schedule_name=q.MonitoringScheduleName,
            endpoint_name=q.EndpointName,
            status=q.StatusEquals,
            sort_order=q.SortOrder,
            max_results=q.MaxResults,
            next_token=q.NextToken,
        )
        self.send(ms.ListExecutionsResponse(**answer))
