"""Processing jobs on the process runtime, through the job service."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_mlstudio.entities import JobKind, JobStatus, SecondaryStatus
from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.services.jobs.service import JobService
from jupyter_mlstudio.store.base import MetadataStore

from .conftest import SCRIPTS

CODE = "/opt/ml/processing/input/code"


def processing_request(name: str, data: Path, out: Path, **extra: object) -> dict:
    body: dict = {
        "ProcessingJobName": name,
        "AppSpecification": {
            "ContainerEntrypoint": ["python3", f"{CODE}/preprocess.py"],
            "ContainerArguments": [
                "--input",
                "/opt/ml/processing/input/data",
                "--output",
                "/opt/ml/processing/output/clean",
            ],
        },
        "ProcessingInputs": [
            {"InputName": "code", "S3Input": {"S3Uri": str(SCRIPTS), "LocalPath": CODE}},
            {
                "InputName": "data",
                "S3Input": {"S3Uri": data.as_uri(), "LocalPath": "/opt/ml/processing/input/data"},
            },
        ],
        "ProcessingOutputConfig": {
            "Outputs": [
                {
                    "OutputName": "clean",
                    "S3Output": {
                        "S3Uri": str(out),
                        "LocalPath": "/opt/ml/processing/output/clean",
                    },
                }
            ]
        },
    }
    body.update(extra)
    return body


def test_processing_job_copies_inputs_runs_and_publishes_outputs(
    jobs: JobService, job_store: MetadataStore, train_data: Path, tmp_path: Path
) -> None:
    out = tmp_path / "published"
    job = jobs.create_processing_job(processing_request("prep-1", train_data, out))
    assert job.kind is JobKind.PROCESSING
    job = jobs.wait("prep-1", 60)
    logs = jobs.read_logs("prep-1", JobKind.PROCESSING).Text
    assert job.status is JobStatus.COMPLETED, (job.failure_reason, logs)
    assert "rows=60" in logs
    assert len((out / "clean.csv").read_text().splitlines()) == 60
    assert job.outputs["ProcessingOutputs"] == [{"OutputName": "clean", "S3Uri": str(out)}]
    assert job.secondary_status is SecondaryStatus.COMPLETED
    assert job.trial_component_name == "prep-1-aws-processing-job"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ProcessingJobName": "no_good"}, "ProcessingJobName"),
        (
            {"AppSpecification": {"ImageUri": "someone/else:1", "ContainerEntrypoint": ["x"]}},
            "AppSpecification.ImageUri",
        ),
        ({"AppSpecification": {}}, "AppSpecification.ContainerEntrypoint"),
        (
            {
                "ProcessingInputs": [
                    {"InputName": "d", "S3Input": {"S3Uri": "/nope", "LocalPath": CODE}}
                ]
            },
            "ProcessingInputs[0].S3Input.S3Uri",
        ),
        (
            {
                "ProcessingInputs": [
                    {"InputName": "d", "S3Input": {"S3Uri": "/", "LocalPath": "/tmp/x"}}
                ]
            },
            "ProcessingInputs[0].S3Input.LocalPath",
        ),
    ],
)
def test_bad_processing_input_names_the_field(
    jobs: JobService,
    job_store: MetadataStore,
    train_data: Path,
    tmp_path: Path,
    change: dict,
    field: str,
) -> None:
    body = {**processing_request("prep-bad", train_data, tmp_path / "o"), **change}
    with pytest.raises(ValidationError) as info:
        jobs.create_processing_job(body)
    assert info.value.field == field
    assert job_store.list_jobs().items == []


def test_failing_processing_job_reports_the_exit_code(
    jobs: JobService, train_data: Path, tmp_path: Path
) -> None:
    body = processing_request("prep-fail", train_data, tmp_path / "o")
    body["AppSpecification"]["ContainerArguments"] = ["--input", "/opt/ml/processing/missing"]
    jobs.create_processing_job(body)
    job = jobs.wait("prep-fail", 60)
    assert job.status is JobStatus.FAILED
    assert job.exit_code == 1
    assert "exited with code 1" in (job.failure_reason or "")
