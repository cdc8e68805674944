"""Training jobs on the process runtime, through the job service."""

from __future__ import annotations

import tarfile
import time
from pathlib import Path

import pytest

from jupyter_mlstudio.entities import Job, JobKind, JobStatus, SecondaryStatus
from jupyter_mlstudio.exceptions import ConflictError, ValidationError
from jupyter_mlstudio.services.jobs.service import JobService
from jupyter_mlstudio.store.base import MetadataStore

from .conftest import SCRIPTS, training_request


def finished(jobs: JobService, name: str, timeout: float = 60) -> Job:
    job = jobs.wait(name, timeout)
    assert job.status in (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.STOPPED), job
    return job


def wait_for(predicate, timeout: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_script_mode_sklearn_trains_unmodified(
    jobs: JobService, job_store: MetadataStore, train_data: Path
) -> None:
    created = jobs.create_training_job(training_request("sk-1", "train_sklearn.py", train_data))
    assert created.status is JobStatus.IN_PROGRESS
    assert created.secondary_status is SecondaryStatus.STARTING
    assert created.runtime == "process"
    job = finished(jobs, "sk-1")
    logs = jobs.read_logs("sk-1").Text
    assert job.status is JobStatus.COMPLETED, (job.failure_reason, logs)
    assert job.exit_code == 0
    assert "val_accuracy=" in logs
    statuses = [t.status for t in job.secondary_status_transitions]
    assert statuses == [
        SecondaryStatus.STARTING,
        SecondaryStatus.DOWNLOADING,
        SecondaryStatus.TRAINING,
        SecondaryStatus.UPLOADING,
        SecondaryStatus.COMPLETED,
    ]
    uri = job.outputs["ModelArtifacts"]["S3ModelArtifacts"]
    assert uri.startswith("file://")
    assert uri.endswith("sk-1/output/model.tar.gz")
    with tarfile.open(Path(uri.removeprefix("file://"))) as tar:
        assert tar.getnames() == ["model.joblib"]
    assert job.outputs["OutputDataArtifacts"]["S3Uri"].endswith("output.tar.gz")
    # metrics from the log, on the job's own run
    assert job.trial_component_name == "sk-1-aws-training-job"
    series = job_store.get_metric_series("sk-1-aws-training-job", "validation:accuracy")
    assert len(series) == 1
    assert 0.5 <= series[0].value <= 1.0
    assert len(job_store.get_metric_series("sk-1-aws-training-job", "train:loss")) == 2
    component = job_store.get_trial_component("sk-1-aws-training-job")
    assert component.status.primary_status.value == "Completed"
    assert component.parameters["C"] == 0.5
    names = [m["MetricName"] for m in job.outputs["FinalMetricDataList"]]
    assert names == ["train:loss", "validation:accuracy"]
    # complete log read, incrementally
    first = jobs.read_logs("sk-1", offset=0)
    assert first.Complete is True
    assert jobs.read_logs("sk-1", offset=first.NextOffset).Text == ""


def test_experiment_config_records_the_job_as_a_run_of_the_experiment(
    jobs: JobService, job_store: MetadataStore, train_data: Path
) -> None:
    body = training_request(
        "sk-exp",
        "train_sklearn.py",
        train_data,
        ExperimentConfig={"ExperimentName": "churn", "RunName": "first"},
    )
    job = jobs.create_training_job(body)
    assert job.experiment_name == "churn"
    assert job.trial_component_name == "churn-first"
    job = finished(jobs, "sk-exp")
    assert job.status is JobStatus.COMPLETED, (job.failure_reason, jobs.read_logs("sk-exp").Text)
    runs = job_store.list_trial_components(experiment_name="churn").items
    assert [r.trial_component_name for r in runs] == ["churn-first"]
    # load_run() inside the script logged to the same run
    assert [p.value for p in job_store.get_metric_series("churn-first", "from_script")] == [1.0]
    assert job_store.get_metric_series("churn-first", "validation:accuracy")


def test_failure_file_becomes_the_failure_reason(jobs: JobService) -> None:
    jobs.create_training_job(training_request("bad-1", "fail.py"))
    job = finished(jobs, "bad-1")
    assert job.status is JobStatus.FAILED
    assert job.failure_reason == "ValueError: the data is bad"
    assert job.exit_code == 3
    assert job.secondary_status is SecondaryStatus.FAILED


def test_max_runtime_is_enforced(jobs: JobService) -> None:
    body = training_request("slow-1", "sleep.py", StoppingCondition={"MaxRuntimeInSeconds": 1})
    jobs.create_training_job(body)
    job = finished(jobs, "slow-1", 40)
    assert job.status is JobStatus.FAILED
    assert job.secondary_status is SecondaryStatus.MAX_RUNTIME_EXCEEDED
    assert job.failure_reason is not None
    assert "MaxRuntimeExceeded" in job.failure_reason
    assert job.exit_code == 143


def test_stop_goes_through_stopping_to_stopped(jobs: JobService) -> None:
    jobs.create_training_job(training_request("stop-1", "sleep.py"))
    wait_for(lambda: "sleeping" in jobs.read_logs("stop-1").Text)
    stopping = jobs.stop_job("stop-1")
    assert stopping.status in (JobStatus.STOPPING, JobStatus.STOPPED)
    job = finished(jobs, "stop-1", 30)
    assert job.status is JobStatus.STOPPED
    assert SecondaryStatus.STOPPING in [t.status for t in job.secondary_status_transitions]
    assert job.secondary_status is SecondaryStatus.STOPPED
    with pytest.raises(ConflictError):
        jobs.stop_job("stop-1")


def test_a_stopped_job_uploads_what_it_saved_in_its_grace_period(jobs: JobService) -> None:
    jobs.create_training_job(training_request("stop-2", "save_on_stop.py"))
    wait_for(lambda: "training" in jobs.read_logs("stop-2").Text)
    jobs.stop_job("stop-2")
    job = finished(jobs, "stop-2", 30)
    assert job.status is JobStatus.STOPPED
    uri = job.outputs["ModelArtifacts"]["S3ModelArtifacts"]
    with tarfile.open(uri.removeprefix("file://")) as tar:
        member = tar.extractfile("partial.txt")
        assert member is not None
        assert member.read() == b"epoch 3 of 10\n"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"TrainingJobName": "bad_name"}, "TrainingJobName"),
        ({"ScriptMode": None}, "ScriptMode.EntryPoint"),
        ({"ScriptMode": {"EntryPoint": "/no/such/train.py"}}, "ScriptMode.EntryPoint"),
        (
            {
                "InputDataConfig": [
                    {"ChannelName": "train", "DataSource": {"S3DataSource": {"S3Uri": "/no/data"}}}
                ]
            },
            "InputDataConfig[0].DataSource.S3DataSource.S3Uri",
        ),
        ({"ResourceConfig": {"InstanceType": "ml.banana.big"}}, "ResourceConfig.InstanceType"),
        (
            {"AlgorithmSpecification": {"TrainingImage": "my/image:1"}},
            "AlgorithmSpecification.TrainingImage",
        ),
        ({"HyperParameters": {"a": [1]}}, "HyperParameters.a"),
        ({"Colour": "red"}, "Colour"),
    ],
)
def test_bad_input_is_refused_before_launch_with_the_field_named(
    jobs: JobService, job_store: MetadataStore, change: dict, field: str
) -> None:
    body = {**training_request("refused", "train_sklearn.py"), **change}
    if body.get("ScriptMode") is None:
        body.pop("ScriptMode")
    with pytest.raises(ValidationError) as info:
        jobs.create_training_job(body)
    assert info.value.field == field
    assert job_store.list_jobs().items == []
    assert not (jobs.runner("process").state_root).exists() or not any(
        jobs.runner("process").state_root.iterdir()
    )


def test_duplicate_job_name_conflicts(jobs: JobService) -> None:
    jobs.create_training_job(training_request("dup-1", "fail.py"))
    with pytest.raises(ConflictError) as info:
        jobs.create_training_job(training_request("dup-1", "fail.py"))
    assert info.value.field == "TrainingJobName"
    finished(jobs, "dup-1")


def test_restart_reattaches_live_jobs_and_fails_orphans(
    jobs: JobService, job_store: MetadataStore, job_config, train_data: Path
) -> None:  # type: ignore[no-untyped-def]
    from jupyter_mlstudio.artifacts import open_artifact_store
    from jupyter_mlstudio.entities import utcnow

    jobs.create_training_job(training_request("live-1", "sleep.py"))
    wait_for(lambda: "sleeping" in jobs.read_logs("live-1").Text)
    jobs.close()  # the studio goes away; the job keeps running
    now = utcnow()
    job_store.create_job(
        Job(
            job_name="orphan-1",
            kind=JobKind.TRAINING,
            status=JobStatus.IN_PROGRESS,
            runtime="process",
            creation_time=now,
            last_modified_time=now,
        )
    )
    again = JobService(job_store, open_artifact_store(job_config.artifact_root), job_config)
    try:
        assert sorted(again.recover()) == ["live-1", "orphan-1"]
        orphan = job_store.get_job("orphan-1")
        assert orphan.status is JobStatus.FAILED
        assert orphan.failure_reason
        assert "no longer exists" in orphan.failure_reason
        assert job_store.get_job("live-1").status is JobStatus.IN_PROGRESS
        again.stop_job("live-1")
        job = again.wait("live-1", 30)
        assert job.status is JobStatus.STOPPED
        assert "sleeping" in again.read_logs("live-1").Text
    finally:
        again.close()


def test_source_dir_is_copied_into_the_code_folder(
    jobs: JobService, job_config, train_data: Path
) -> None:  # type: ignore[no-untyped-def]
    body = training_request(
        "src-1",
        "x",
        train_data,
        ScriptMode={"EntryPoint": "train_sklearn.py", "SourceDir": str(SCRIPTS)},
    )
    jobs.create_training_job(body)
    job = finished(jobs, "src-1")
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    code = job_config.home / "jobs" / "src-1" / "ml" / "code"
    assert (code / "train_sklearn.py").is_file()
    assert (code / "sleep.py").is_file()


def test_opt_ml_paths_in_hyperparameters_are_where_the_job_sees_opt_ml(
    jobs: JobService, job_config, train_data: Path
) -> None:  # type: ignore[no-untyped-def]
    """SageMaker scripts get ``--data-dir /opt/ml/input/data/train``; on the process
    runtime /opt/ml is the host's folder, so such values (argv, SM_HPS, SM_HP_*,
    hyperparameters.json) name that folder; other text is left alone."""
    body = training_request(
        "optml-1",
        "opt_ml_paths.py",
        train_data,
        HyperParameters={
            "data-dir": "/opt/ml/input/data/train",
            "model-file": "/opt/ml/model/files.txt",
            "note": "see /opt/mlx and /opt/ml-docs",
        },
    )
    jobs.create_training_job(body)
    job = finished(jobs, "optml-1")
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    ml = job_config.home / "jobs" / "optml-1" / "ml"
    log = (job_config.home / "jobs" / "optml-1" / "logs" / "algo-1.log").read_text()
    assert f"data={ml / 'input' / 'data' / 'train'} model={ml / 'model' / 'files.txt'}" in log
    assert "note=see /opt/mlx and /opt/ml-docs" in log
    uri = job.outputs["ModelArtifacts"]["S3ModelArtifacts"]
    with tarfile.open(Path(uri.removeprefix("file://"))) as tar:
        member = tar.extractfile("files.txt")
        assert member is not None
        assert member.read() == b"train.csv"
