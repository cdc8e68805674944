"""The SageMaker Python SDK v2's Model Monitor, unmodified, against a real studio
(``scripts/v2_model_monitor.py``): an endpoint deployed with a ``DataCaptureConfig``, a
baseline suggested from the training features, a one-time ``DefaultModelMonitor``
schedule over the shifted traffic, and its execution's violations read back as SageMaker's
files."""

from __future__ import annotations

from .conftest import SdkStudio
from .test_sagemaker_v2 import run_v2, unique


async def test_a_one_time_schedule_finds_the_shifted_traffic(sdk_studio: SdkStudio) -> None:
    base = unique("v2-mon")
    out, _ = await run_v2(sdk_studio, "v2_model_monitor.py", base)
    assert out["baseline_item_count"] == 200
    assert out["baseline_features"] == ["x0", "x1"]
    schedule = out["schedule_name"]
    assert out["schedule_arn"] == (
        f"arn:aws:sagemaker:us-east-1:000000000000:monitoring-schedule/{schedule}"
    )
    # the SDK made a job definition and named it: described as it was given
    config = out["schedule_config"]
    assert config["MonitoringJobDefinitionName"] == out["job_definition"]
    assert config["MonitoringType"] == "DataQuality"
    assert "MonitoringJobDefinition" not in config
    assert config["ScheduleConfig"]["ScheduleExpression"] == "NOW"
    assert out["job_definition"].startswith("data-quality-job-definition-")
    assert out["definitions_left"] == []
    assert out["schedule_status"] == "Scheduled"
    assert out["stopped_status"] == "Stopped"

    assert out["execution_status"] == "Completed"
    assert out["listed_status"] == "CompletedWithViolations"
    endpoint = out["endpoint_name"]
    assert f"/{base}/reports/{endpoint}/{schedule}/" in out["execution_output"]
    drifted = {(v["feature_name"], v["constraint_check_type"]) for v in out["violations"]}
    assert ("x0", "baseline_drift_check") in drifted, out["violations"]
    assert not any(name == "x1" for name, _ in drifted), out["violations"]

    server = sdk_studio.server
    status, job = server.call("GET", f"processing-jobs/{out['execution_job']}")
    assert status == 200, job
    assert job["Status"] == "Completed", job
    # delete_monitoring_schedule() deleted the schedule and the SDK's job definition
    status, _ = server.call("GET", f"monitoring-schedules/{schedule}")
    assert status == 404
