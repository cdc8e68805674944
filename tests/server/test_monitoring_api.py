"""Model Monitor's routes through a real Jupyter server (jp_fetch): a schedule created,
described, listed, stopped, started and deleted; an execution listed and reported; bad
requests answered with the field named and nothing recorded."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from ..support.monitoring import (
    add_endpoint,
    baseline_rows,
    schedule_request,
    write_capture,
)
from .test_api import call, studio_of


async def test_schedule_lifecycle_and_report(jp_fetch: Any, jp_serverapp: Any) -> None:
    studio = studio_of(jp_serverapp)
    destination = add_endpoint(studio)
    write_capture(destination, datetime.now(timezone.utc) - timedelta(minutes=5), baseline_rows(50))
    status, _ = await call(jp_fetch, "GET", "monitoring-schedules")
    assert status == 200
    request = schedule_request(
        "now-run", None, "NOW", DataAnalysisStartTime="-PT1H", DataAnalysisEndTime="-PT0H"
    )
    status, created = await call(jp_fetch, "POST", "monitoring-schedules", body=request)
    assert status == 200
    assert created["MonitoringScheduleArn"].endswith(":monitoring-schedule/now-run")
    status, listed = await call(
        jp_fetch, "GET", "monitoring-schedules", params={"EndpointName": "churn-endpoint"}
    )
    (summary,) = listed["MonitoringScheduleSummaries"]
    assert summary["ScheduleExpression"] == "NOW"
    assert summary["MonitoringScheduleStatus"] == "Scheduled"
    studio.monitoring.run_due()
    status, executions = await call(
        jp_fetch, "GET", "monitoring-executions", params={"MonitoringScheduleName": "now-run"}
    )
    (execution,) = executions["MonitoringExecutionSummaries"]
    studio.jobs.wait(execution["ProcessingJobName"], 60)
    status, executions = await call(
        jp_fetch, "GET", "monitoring-executions", params={"EndpointName": "churn-endpoint"}
    )
    (execution,) = executions["MonitoringExecutionSummaries"]
    # without a baseline: statistics only, nothing to violate
    assert execution["MonitoringExecutionStatus"] == "Completed", execution
    assert execution["ProcessingJobArn"].endswith(
        f"processing-job/{execution['ProcessingJobName']}"
    )
    status, report = await call(jp_fetch, "GET", "monitoring-schedules", "now-run", "report")
    assert status == 200
    assert report["ProcessingJobName"] == execution["ProcessingJobName"]
    assert report["RecordCount"] == 50
    status, described = await call(jp_fetch, "GET", "monitoring-schedules", "now-run")
    assert (
        described["LastMonitoringExecutionSummary"]["ProcessingJobName"]
        == (execution["ProcessingJobName"])
    )
    assert (await call(jp_fetch, "POST", "monitoring-schedules", "now-run", "stop"))[0] == 204
    status, described = await call(jp_fetch, "GET", "monitoring-schedules", "now-run")
    assert described["MonitoringScheduleStatus"] == "Stopped"
    assert (await call(jp_fetch, "POST", "monitoring-schedules", "now-run", "start"))[0] == 204
    assert (await call(jp_fetch, "DELETE", "monitoring-schedules", "now-run"))[0] == 204
    status, error = await call(jp_fetch, "GET", "monitoring-schedules", "now-run")
    assert (status, error["field"]) == (404, "MonitoringScheduleName")


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"MonitoringScheduleName": "x"}, 400, "MonitoringScheduleConfig"),
        (
            schedule_request("s", None, "cron(0 0 1 * ? *)"),
            400,
            "MonitoringScheduleConfig.ScheduleConfig.ScheduleExpression",
        ),
        (
            schedule_request("s", None, "rate(1 hour)"),
            400,
            "MonitoringScheduleConfig.ScheduleConfig.ScheduleExpression",
        ),
    ],
)
async def test_bad_requests(
    jp_fetch: Any, jp_serverapp: Any, body: dict, status: int, field: str
) -> None:
    add_endpoint(studio_of(jp_serverapp))
    got, error = await call(jp_fetch, "POST", "monitoring-schedules", body=json.dumps(body))
    assert (got, error["field"]) == (status, field)
    assert studio_of(jp_serverapp).store.list_monitoring_schedules().items == []


async def test_a_name_in_use_is_a_conflict(jp_fetch: Any, jp_serverapp: Any) -> None:
    add_endpoint(studio_of(jp_serverapp))
    assert (await call(jp_fetch, "POST", "monitoring-schedules", body=schedule_request("s", None)))[
        0
    ] == 200
    status, error = await call(
        jp_fetch, "POST", "monitoring-schedules", body=schedule_request("s", None)
    )
    assert (status, error["field"]) == (409, "MonitoringScheduleName")
