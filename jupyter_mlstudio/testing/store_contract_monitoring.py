"""The Model Monitor part of the metadata store contract: schedules and their executions,
one execution a window. :class:`MonitoringContract` is part of ``StoreContract`` and needs a
``store`` fixture yielding a fresh, empty :class:`~jupyter_mlstudio.store.base.MetadataStore`."""

from __future__ import annotations

from datetime import timedelta

from ..entities import MonitoringExecution, MonitoringJobDefinition, MonitoringSchedule
from ..exceptions import ConflictError, NotFoundError, ValidationError
from ..store.base import MetadataStore
from .store_helpers import T0, assert_aware, expect

CONFIG = {
    "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
    "MonitoringJobDefinition": {"MonitoringInputs": [{"EndpointInput": {"EndpointName": "ep"}}]},
}


def schedule(name: str, endpoint: str = "ep", minutes: int = 0) -> MonitoringSchedule:
    at = T0 + timedelta(minutes=minutes)
    return MonitoringSchedule(
        monitoring_schedule_name=name,
        endpoint_name=endpoint,
        config=CONFIG,
        tags={"team": "ml"},
        creation_time=at,
        last_modified_time=at,
    )


def execution(schedule_name: str, hour: int, job: str) -> MonitoringExecution:
    at = T0 + timedelta(hours=hour)
    return MonitoringExecution(
        monitoring_schedule_name=schedule_name,
        scheduled_time=at,
        processing_job_name=job,
        endpoint_name="ep",
        output_uri=f"s3://b/out/{hour}",
        creation_time=at,
        last_modified_time=at,
    )


class MonitoringContract:
    """Schedules: created, described, listed, updated, deleted; executions unique a window."""

    def test_monitoring_schedules(self, store: MetadataStore) -> None:
        made = store.create_monitoring_schedule(schedule("hourly"))
        assert made.config == CONFIG
        assert made.tags == {"team": "ml"}
        assert made.monitoring_schedule_status == "Pending"
        assert made.monitoring_schedule_arn.endswith(":monitoring-schedule/hourly")
        assert_aware(made.creation_time)
        assert store.get_monitoring_schedule("hourly") == made
        with expect(ConflictError, "MonitoringScheduleName"):
            store.create_monitoring_schedule(schedule("hourly"))
        with expect(ValidationError, "MonitoringScheduleName"):
            store.create_monitoring_schedule(schedule("bad name"))
        with expect(NotFoundError, "MonitoringScheduleName"):
            store.get_monitoring_schedule("none")
        store.create_monitoring_schedule(schedule("other", endpoint="ep2", minutes=1))
        names = [s.monitoring_schedule_name for s in store.list_monitoring_schedules().items]
        assert names == ["other", "hourly"]
        page = store.list_monitoring_schedules(endpoint_name="ep")
        assert [s.monitoring_schedule_name for s in page.items] == ["hourly"]
        found = store.list_monitoring_schedules(name_contains="OTH").items
        assert [s.monitoring_schedule_name for s in found] == ["other"]
        first = store.list_monitoring_schedules(max_results=1)
        second = store.list_monitoring_schedules(max_results=1, next_token=first.next_token)
        assert [s.monitoring_schedule_name for s in first.items + second.items] == [
            "other",
            "hourly",
        ]
        changed = store.update_monitoring_schedule("hourly", status="Failed", failure_reason="x")
        assert (changed.monitoring_schedule_status, changed.failure_reason) == ("Failed", "x")
        assert changed.last_modified_time > made.last_modified_time
        failed = store.list_monitoring_schedules(status="Failed").items
        assert [s.monitoring_schedule_name for s in failed] == ["hourly"]
        cleared = store.update_monitoring_schedule(
            "hourly", status="Scheduled", failure_reason=None
        )
        assert cleared.failure_reason is None
        store.delete_monitoring_schedule("other")
        with expect(NotFoundError, "MonitoringScheduleName"):
            store.delete_monitoring_schedule("other")

    def test_monitoring_executions(self, store: MetadataStore) -> None:
        store.create_monitoring_schedule(schedule("hourly"))
        with expect(NotFoundError, "MonitoringScheduleName"):
            store.create_monitoring_execution(execution("none", 0, "model-monitoring-0"))
        first = store.create_monitoring_execution(execution("hourly", 1, "model-monitoring-1"))
        assert first.monitoring_execution_status == "Pending"
        assert first.violation_count is None
        assert first.output_uri == "s3://b/out/1"
        # the same window again, even under another job's name: refused
        with expect(ConflictError, "ScheduledTime"):
            store.create_monitoring_execution(execution("hourly", 1, "model-monitoring-1b"))
        store.create_monitoring_execution(execution("hourly", 2, "model-monitoring-2"))
        listed = store.list_monitoring_executions(schedule_name="hourly").items
        assert [e.processing_job_name for e in listed] == [
            "model-monitoring-2",
            "model-monitoring-1",
        ]
        ascending = store.list_monitoring_executions(sort_order="Ascending", max_results=1)
        assert [e.processing_job_name for e in ascending.items] == ["model-monitoring-1"]
        rest = store.list_monitoring_executions(
            sort_order="Ascending", next_token=ascending.next_token
        )
        assert [e.processing_job_name for e in rest.items] == ["model-monitoring-2"]
        after = store.list_monitoring_executions(scheduled_after=T0 + timedelta(hours=1)).items
        assert [e.processing_job_name for e in after] == ["model-monitoring-2"]
        done = store.update_monitoring_execution(
            "model-monitoring-1", status="CompletedWithViolations", violation_count=2
        )
        assert (done.monitoring_execution_status, done.violation_count) == (
            "CompletedWithViolations",
            2,
        )
        by_status = store.list_monitoring_executions(status="CompletedWithViolations").items
        assert [e.processing_job_name for e in by_status] == ["model-monitoring-1"]
        assert store.list_monitoring_executions(endpoint_name="ep2").items == []
        with expect(NotFoundError, "ProcessingJobName"):
            store.update_monitoring_execution("none", status="Failed")
        store.delete_monitoring_schedule("hourly")
        assert store.list_monitoring_executions().items == []

    def test_monitoring_job_definitions(self, store: MetadataStore) -> None:
        def definition(name: str, kind: str, minutes: int) -> MonitoringJobDefinition:
            return MonitoringJobDefinition(
                job_definition_name=name,
                monitoring_type=kind,
                definition={"JobDefinitionName": name},
                tags={"a": "1"},
                creation_time=T0 + timedelta(minutes=minutes),
            )

        made = store.create_monitoring_job_definition(definition("dq", "DataQuality", 0))
        assert made.job_definition_arn.endswith(":data-quality-job-definition/dq")
        assert store.get_monitoring_job_definition("dq") == made
        assert store.get_monitoring_job_definition("dq", "DataQuality") == made
        with expect(NotFoundError, "JobDefinitionName"):
            store.get_monitoring_job_definition("dq", "ModelQuality")
        with expect(ConflictError, "JobDefinitionName"):
            store.create_monitoring_job_definition(definition("dq", "ModelQuality", 1))
        store.create_monitoring_job_definition(definition("mq", "ModelQuality", 2))
        listed = store.list_monitoring_job_definitions().items
        assert [d.job_definition_name for d in listed] == ["mq", "dq"]
        quality = store.list_monitoring_job_definitions(monitoring_type="ModelQuality").items
        assert [d.job_definition_name for d in quality] == ["mq"]
        with expect(NotFoundError, "JobDefinitionName"):
            store.delete_monitoring_job_definition("mq", "DataQuality")
        store.delete_monitoring_job_definition("mq", "ModelQuality")
        with expect(NotFoundError, "JobDefinitionName"):
            store.get_monitoring_job_definition("mq")
