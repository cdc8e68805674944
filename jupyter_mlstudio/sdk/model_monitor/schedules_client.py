"""Monitoring schedules and their executions over the studio's REST routes
(``monitoring-schedules``, ``monitoring-executions``), in SageMaker's request and answer
shapes (CreateMonitoringSchedule, DescribeMonitoringSchedule, ListMonitoringExecutions)."""

from __future__ import annotations

from typing import Any

from ..jobs_client import JobsClient, jobs_client
from ..transport import StudioConnection, segment

SCHEDULES = "monitoring-schedules"
EXECUTIONS = "monitoring-executions"


class MonitoringClient:
    """Create, describe, start, stop and delete monitoring schedules; list executions.

    Args:
        jobs: The jobs client of the studio (baseline jobs and executions are processing
            jobs).
    """

    def __init__(self, jobs: JobsClient) -> None:
        self.jobs = jobs

    @property
    def connection(self) -> StudioConnection:
        """The studio's connection."""
        return self.jobs.connection

    def create_schedule(self, request: dict[str, Any]) -> dict[str, Any]:
        """Create a schedule (CreateMonitoringSchedule).

        Args:
            request: The request, in SageMaker's field names.

        Returns:
            ``{"MonitoringScheduleArn": ...}``.
        """
        return dict(self.connection.json("POST", SCHEDULES, body=request) or {})

    def describe_schedule(self, name: str) -> dict[str, Any]:
        """A schedule (DescribeMonitoringSchedule, plus ``NextScheduledTime``).

        Args:
            name: The schedule.

        Returns:
            Its description.
        """
        return dict(self.connection.json("GET", f"{SCHEDULES}/{segment(name)}"))

    def list_schedules(
        self,
        endpoint_name: str | None = None,
        name_contains: str | None = None,
        status_equals: str | None = None,
    ) -> list[dict[str, Any]]:
        """Schedules (ListMonitoringSchedules' summaries).

        Args:
            endpoint_name: Only this endpoint's.
            name_contains: Only names containing this.
            status_equals: Only schedules in this status.

        Returns:
            ``MonitoringScheduleSummaries``.
        """
        query = {
            "EndpointName": endpoint_name,
            "NameContains": name_contains,
            "StatusEquals": status_equals,
        }
        answer = self.connection.json("GET", SCHEDULES, query=query) or {}
        return list(answer.get("MonitoringScheduleSummaries") or [])

    def delete_schedule(self, name: str) -> None:
        """Delete a schedule (its executions' jobs and files stay).

        Args:
            name: The schedule.
        """
        self.connection.json("DELETE", f"{SCHEDULES}/{segment(name)}")

    def start_schedule(self, name: str) -> None:
        """Start a stopped schedule.

        Args:
            name: The schedule.
        """
        self.connection.json("POST", f"{SCHEDULES}/{segment(name)}/start", body={})

    def stop_schedule(self, name: str) -> None:
        """Stop a schedule (no more executions until started again).

        Args:
            name: The schedule.
        """
        self.connection.json("POST", f"{SCHEDULES}/{segment(name)}/stop", body={})

    def list_executions(
        self,
        schedule_name: str | None = None,
        endpoint_name: str | None = None,
        sort_order: str = "Descending",
        max_results: int | None = 100,
    ) -> list[dict[str, Any]]:
        """Executions (ListMonitoringExecutions' summaries), by scheduled time.

        Args:
            schedule_name: Only this schedule's.
            endpoint_name: Only this endpoint's.
            sort_order: ``Descending`` (newest first) or ``Ascending``.
            max_results: At most this many.

        Returns:
            ``MonitoringExecutionSummaries``.
        """
        query = {
            "MonitoringScheduleName": schedule_name,
            "EndpointName": endpoint_name,
            "SortOrder": sort_order,
            "MaxResults": max_results,
        }
        answer = self.connection.json("GET", EXECUTIONS, query=query) or {}
        return list(answer.get("MonitoringExecutionSummaries") or [])


def monitoring_client(session: Any = None) -> MonitoringClient:
    """The monitoring client of a ``sagemaker_session``.

    Args:
        session: None (the default client), a Session, a TrackingClient or a URI.

    Returns:
        A client of the studio that owns the session's home.
    """
    return MonitoringClient(jobs_client(session))
