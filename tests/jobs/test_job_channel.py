"""The job tracking channel: ``mlstudio_job.load_run()`` inside a job logs to the job's run
(the job writes JSON lines, the supervisor logs them). Real jobs and processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jupyter_mlstudio.entities import JobKind, JobStatus
from jupyter_mlstudio.services.jobs import mlstudio_job, tracking_channel
from jupyter_mlstudio.services.jobs.service import JobService
from jupyter_mlstudio.store.base import MetadataStore

from .conftest import SCRIPTS, training_request
from .test_training import finished, wait_for


def tracked_request(name: str, **extra: object) -> dict:
    body = training_request(name, "tracked.py")
    body["AlgorithmSpecification"] = {}
    body.update(extra)
    return body


def check_tracked_run(store: MetadataStore, run: str, epochs: int = 3) -> None:
    loss = store.get_metric_series(run, "loss")
    assert [(p.step, p.value) for p in loss] == [(e, 1.0 / (e + 1)) for e in range(epochs)]
    accuracy = store.get_metric_series(run, "accuracy")
    assert [p.value for p in accuracy] == pytest.approx([0.5 + e / 10 for e in range(epochs)])
    parameters = store.get_trial_component(run).parameters
    assert parameters["optimizer"] == "sgd"
    assert parameters["layers"] == 2


def test_a_job_logs_to_its_own_run(jobs: JobService, job_store: MetadataStore) -> None:
    jobs.create_training_job(tracked_request("ch-1"))
    job = finished(jobs, "ch-1")
    assert job.status is JobStatus.COMPLETED, (job.failure_reason, jobs.read_logs("ch-1").Text)
    check_tracked_run(job_store, "ch-1-aws-training-job")


def test_a_job_logs_to_the_run_of_its_experiment_config_while_it_runs(
    jobs: JobService, job_store: MetadataStore
) -> None:
    body = tracked_request(
        "ch-2",
        ExperimentConfig={"ExperimentName": "tracking", "RunName": "channel"},
        Environment={"EPOCHS": "40", "SLEEP": "0.1"},
    )
    jobs.create_training_job(body)
    # points arrive while the job runs
    wait_for(lambda: len(job_store.get_metric_series("tracking-channel", "loss")) >= 3)
    assert jobs.get_job("ch-2", JobKind.TRAINING).status is JobStatus.IN_PROGRESS
    job = finished(jobs, "ch-2")
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    check_tracked_run(job_store, "tracking-channel", 40)


def test_processing_jobs_have_the_channel_too(jobs: JobService, job_store: MetadataStore) -> None:
    body = {
        "ProcessingJobName": "ch-prep",
        "AppSpecification": {
            "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/tracked.py"]
        },
        "ProcessingInputs": [
            {
                "InputName": "code",
                "S3Input": {"S3Uri": str(SCRIPTS), "LocalPath": "/opt/ml/processing/input/code"},
            }
        ],
    }
    jobs.create_processing_job(body)
    job = jobs.wait("ch-prep", 60)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    check_tracked_run(job_store, "ch-prep-aws-processing-job")


def run_job_side(tmp_path: Path, code: str, channel: Path) -> subprocess.CompletedProcess[str]:
    """Run ``code`` as a job would: mlstudio_job importable, the channel file named."""
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(mlstudio_job.__file__).parent),
        mlstudio_job.ENV_FILE: str(channel),
    }
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )


def test_reader_takes_complete_lines_skips_bad_ones_and_resumes(tmp_path: Path) -> None:
    channel = tmp_path / "out" / "metrics.jsonl"
    done = run_job_side(
        tmp_path,
        """
        from datetime import datetime, timezone
        import mlstudio_job
        run = mlstudio_job.load_run()
        run.log_metric("m", 1.5, step=3)
        run.log_metric("m", 2, timestamp=datetime(2026, 1, 2, tzinfo=timezone.utc))
        run.log_parameter("obj", [1, 2])
        try:
            run.log_metric("m", float("nan"))
        except ValueError:
            print("nan refused")
        """,
        channel,
    )
    assert done.returncode == 0, done.stderr
    assert "nan refused" in done.stdout
    with open(channel, "a") as out:
        out.write("not json\n")
        out.write(json.dumps({"metric": "late", "value": 1, "timestamp": 0}))  # no newline
    offsets = tmp_path / "algo-1.channel"
    reader = tracking_channel.ChannelReader(channel, offsets)
    points, parameters = reader.read()
    assert [(p.metric_name, p.value, p.step) for p in points] == [("m", 1.5, 3), ("m", 2.0, None)]
    assert points[1].timestamp.year == 2026
    assert parameters == {"obj": "[1, 2]"}
    reader.commit()
    assert reader.read() == ([], {})  # the unfinished line waits
    with open(channel, "a") as out:
        out.write("\n")
    again = tracking_channel.ChannelReader(channel, offsets)  # e.g. after a studio restart
    points, _ = again.read()
    assert [p.metric_name for p in points] == ["late"]


def test_load_run_refuses_another_run(tmp_path: Path) -> None:
    done = run_job_side(
        tmp_path,
        """
        import mlstudio_job
        mlstudio_job.load_run(run_name="someone-else", experiment_name="x")
        """,
        tmp_path / "m.jsonl",
    )
    assert done.returncode == 1
    assert "logs to its own run only" in done.stderr
