"""Training jobs of several instances (algo-1 .. algo-N) on the process runtime."""

from __future__ import annotations

import json
import tarfile
import time
from pathlib import Path

import pytest

from jupyter_mlstudio.entities import JobStatus, SecondaryStatus
from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.runtime.process import free_port
from jupyter_mlstudio.services.jobs.service import JobService

from .conftest import training_request
from .test_training import finished, wait_for


def multi_request(name: str, count: int, data: Path | None = None, **hps: object) -> dict:
    body = training_request(name, "multi_host.py", data)
    body["HyperParameters"] = hps
    body["ResourceConfig"] = {"InstanceType": "local", "InstanceCount": count}
    return body


def test_every_host_runs_with_its_contract_and_the_model_comes_from_algo_1(
    jobs: JobService, train_data: Path
) -> None:
    jobs.create_training_job(multi_request("mh-ok", 3, train_data))
    job = finished(jobs, "mh-ok")
    assert job.status is JobStatus.COMPLETED, (job.failure_reason, jobs.read_logs("mh-ok").Text)
    assert job.exit_code == 0
    for host in ("algo-1", "algo-2", "algo-3"):
        logs = jobs.read_logs("mh-ok", host=host)
        assert f"host={host} hosts=algo-1,algo-2,algo-3" in logs.Text
        assert f"config_host={host} config_hosts=algo-1,algo-2,algo-3" in logs.Text
        assert "files=train.csv" in logs.Text  # every host gets the channel
        assert f"done {host}" in logs.Text
        assert logs.Complete is True
    home = jobs._studio_config().home / "jobs" / "mh-ok"
    config = json.loads(
        (home / "hosts" / "algo-2" / "ml/input/config/resourceconfig.json").read_text()
    )
    assert config["current_host"] == "algo-2"
    uri = job.outputs["ModelArtifacts"]["S3ModelArtifacts"]
    with tarfile.open(Path(uri.removeprefix("file://"))) as tar:
        member = tar.extractfile("host.txt")
        assert member is not None
        assert member.read() == b"algo-1"


def test_hosts_reach_each_other_by_name(jobs: JobService) -> None:
    # algo-1 listens on its own name; algo-2 and algo-3 connect to "algo-1" and get its
    # greeting, and a Python they start resolves the name as well
    jobs.create_training_job(multi_request("mh-names", 3, port=free_port(), resolve="yes"))
    job = finished(jobs, "mh-names", timeout=90)
    logs = {h: jobs.read_logs("mh-names", host=h).Text for h in ("algo-1", "algo-2", "algo-3")}
    assert job.status is JobStatus.COMPLETED, (job.failure_reason, logs)
    for host in ("algo-2", "algo-3"):
        assert "resolved algo-1=127.77.0.1" in logs[host]
        assert "got 'hello from algo-1'" in logs[host]
        assert "child resolved algo-1=127.77.0.1" in logs[host]


def test_one_failing_host_fails_the_job_and_stops_the_others(jobs: JobService) -> None:
    jobs.create_training_job(multi_request("mh-fail", 3, fail_host="algo-2", sleep=60))
    job = finished(jobs, "mh-fail", timeout=45)
    assert job.status is JobStatus.FAILED
    assert job.failure_reason == "algo-2: RuntimeError: algo-2 gave up"
    assert job.exit_code == 4
    assert "done algo-1" not in jobs.read_logs("mh-fail", host="algo-1").Text
    assert job.end_time is not None
    assert (job.end_time - job.creation_time).total_seconds() < 40


def test_failing_host_without_failure_file_reports_its_exit_code(jobs: JobService) -> None:
    body = multi_request("mh-code", 2)
    body["ScriptMode"]["EntryPoint"] = str(Path(__file__).parent / "scripts" / "fail.py")
    body["Environment"] = {}
    jobs.create_training_job(body)
    job = finished(jobs, "mh-code")
    assert job.status is JobStatus.FAILED
    assert job.failure_reason is not None
    assert job.failure_reason.startswith("algo-")  # whichever host ended first
    assert job.exit_code == 3


def test_stop_stops_every_host(jobs: JobService) -> None:
    jobs.create_training_job(multi_request("mh-stop", 2, sleep=120))

    def both_running() -> bool:
        return all("host=" in jobs.read_logs("mh-stop", host=h).Text for h in ("algo-1", "algo-2"))

    wait_for(both_running)
    started = time.monotonic()
    jobs.stop_job("mh-stop")
    job = finished(jobs, "mh-stop", timeout=40)
    assert job.status is JobStatus.STOPPED
    assert job.secondary_status is SecondaryStatus.STOPPED
    assert time.monotonic() - started < 30
    runtime_root = jobs._studio_config().home / "runtime" / "process" / "mh-stop"
    assert not runtime_root.exists()  # both hosts cleaned up


def test_instance_count_is_bounded(jobs: JobService) -> None:
    with pytest.raises(ValidationError) as info:
        jobs.create_training_job(multi_request("mh-many", 17))
    assert info.value.field == "ResourceConfig.InstanceCount"


def test_a_sharded_channel_is_split_between_the_hosts(jobs: JobService, tmp_path: Path) -> None:
    data = tmp_path / "shards"
    data.mkdir()
    for name in ("a.csv", "b.csv", "c.csv"):
        (data / name).write_text("1\n")
    body = multi_request("mh-shard", 2, data)
    body["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3DataDistributionType"] = (
        "ShardedByS3Key"
    )
    jobs.create_training_job(body)
    job = finished(jobs, "mh-shard")
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    assert "files=a.csv,c.csv" in jobs.read_logs("mh-shard", host="algo-1").Text
    assert "files=b.csv" in jobs.read_logs("mh-shard", host="algo-2").Text
