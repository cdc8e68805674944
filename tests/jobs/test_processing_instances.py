"""Processing jobs of several instances: one host per instance, inputs sharded or
replicated, every host's outputs collected; no /opt/ml path reaches a process-runtime job."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jupyter_mlstudio.entities import JobKind, JobStatus
from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.services.jobs.service import JobService
from jupyter_mlstudio.store.base import MetadataStore

from .conftest import SCRIPTS

ROOT = "/opt/ml/processing"
HOSTS = ["algo-1", "algo-2", "algo-3"]


@pytest.fixture
def parts(tmp_path: Path) -> Path:
    folder = tmp_path / "parts"
    (folder / "more").mkdir(parents=True)
    for i in range(5):
        (folder / f"part-{i}.csv").write_text(f"{i}\n")
    for i in range(2):
        (folder / "more" / f"extra-{i}.csv").write_text(f"x{i}\n")
    return folder


def sharded_request(name: str, parts: Path, out: Path | None, count: int = 3) -> dict:
    output: dict = {"LocalPath": f"{ROOT}/output/reports"}
    if out is not None:
        output["S3Uri"] = str(out)
    return {
        "ProcessingJobName": name,
        "AppSpecification": {
            "ContainerEntrypoint": ["python3", f"{ROOT}/input/code/shard_report.py"],
            "ContainerArguments": [
                "--config",
                "/opt/ml/config",
                "--shards",
                f"{ROOT}/input/shards",
                f"--full={ROOT}/input/full",
                f"--output={ROOT}/output/reports",
            ],
        },
        "Environment": {"DATA": f"{ROOT}/input/shards"},
        "ProcessingInputs": [
            {
                "InputName": "code",
                "S3Input": {"S3Uri": str(SCRIPTS), "LocalPath": f"{ROOT}/input/code"},
            },
            {
                "InputName": "shards",
                "S3Input": {
                    "S3Uri": parts.as_uri(),
                    "LocalPath": f"{ROOT}/input/shards",
                    "S3DataDistributionType": "ShardedByS3Key",
                },
            },
            {
                "InputName": "full",
                "S3Input": {"S3Uri": str(parts), "LocalPath": f"{ROOT}/input/full"},
            },
        ],
        "ProcessingOutputConfig": {"Outputs": [{"OutputName": "reports", "S3Output": output}]},
        "ProcessingResources": {"ClusterConfig": {"InstanceCount": count, "InstanceType": "local"}},
    }


def reports_of(jobs: JobService, name: str) -> dict[str, dict]:
    found = {}
    for host in HOSTS:
        text = jobs.read_logs(name, JobKind.PROCESSING, host=host).Text
        line = next(x for x in text.splitlines() if x.startswith("REPORT "))
        found[host] = json.loads(line[len("REPORT ") :])
    return found


def check_shards(reports: dict[str, dict], parts: Path) -> None:
    everything = sorted(p.relative_to(parts).as_posix() for p in parts.rglob("*") if p.is_file())
    assert [r["host"] for r in reports.values()] == HOSTS
    shards = [reports[h]["shards"] for h in HOSTS]
    assert sorted(f for shard in shards for f in shard) == everything  # each file once
    assert [len(s) for s in shards] == [3, 2, 2]
    assert all(reports[h]["full"] == everything for h in HOSTS)  # FullyReplicated


def test_every_instance_gets_its_shard_and_all_outputs_are_collected(
    jobs: JobService, parts: Path, tmp_path: Path
) -> None:
    out = tmp_path / "published"
    jobs.create_processing_job(sharded_request("pi-1", parts, out))
    job = jobs.wait("pi-1", 90)
    assert job.status is JobStatus.COMPLETED, (
        job.failure_reason,
        [jobs.read_logs("pi-1", JobKind.PROCESSING, host=h).Text for h in HOSTS],
    )
    reports = reports_of(jobs, "pi-1")
    check_shards(reports, parts)
    assert sorted(p.name for p in out.iterdir()) == [f"{h}.txt" for h in HOSTS]
    assert job.outputs["ProcessingOutputs"] == [{"OutputName": "reports", "S3Uri": str(out)}]
    # the process runtime hands the job no /opt/ml path: arguments (also --x=/opt/ml/...),
    # environment, working folder and processingjobconfig.json are the hosts' folders
    for host in HOSTS:
        assert reports[host]["opt_ml_seen"] is False
        assert reports[host]["config_paths_exist"] is True
    home = jobs._studio_config().home / "jobs" / "pi-1"
    assert reports["algo-2"]["data_env"] == str(home / "hosts/algo-2/ml/processing/input/shards")


def test_default_destination_collects_every_instance(
    jobs: JobService, parts: Path, job_config
) -> None:  # type: ignore[no-untyped-def]
    jobs.create_processing_job(sharded_request("pi-2", parts, None, count=2))
    job = jobs.wait("pi-2", 90)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    uri = job.outputs["ProcessingOutputs"][0]["S3Uri"]
    folder = Path(uri.removeprefix("file://"))
    assert sorted(p.name for p in folder.iterdir()) == ["algo-1.txt", "algo-2.txt"]
    with jobs.open_artifact("pi-2", JobKind.PROCESSING, "reports/algo-2.txt").reader as f:
        assert json.loads(f.read())["host"] == "algo-2"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"ProcessingResources": {"ClusterConfig": {"InstanceCount": 17}}},
            "ProcessingResources.ClusterConfig.InstanceCount",
        ),
        (
            {"ProcessingResources": {"ClusterConfig": {"InstanceCount": 0}}},
            "ProcessingResources.ClusterConfig.InstanceCount",
        ),
    ],
)
def test_instance_count_is_bounded(
    jobs: JobService, job_store: MetadataStore, parts: Path, change: dict, field: str
) -> None:
    body = {**sharded_request("pi-bad", parts, None), **change}
    with pytest.raises(ValidationError) as info:
        jobs.create_processing_job(body)
    assert info.value.field == field
    assert job_store.list_jobs().items == []


def test_an_unknown_distribution_is_refused(jobs: JobService, parts: Path) -> None:
    body = sharded_request("pi-dist", parts, None)
    body["ProcessingInputs"][1]["S3Input"]["S3DataDistributionType"] = "Randomly"
    with pytest.raises(ValidationError) as info:
        jobs.create_processing_job(body)
    assert info.value.field == "ProcessingInputs[1].S3Input.S3DataDistributionType"
