"""Hyperparameter tuning jobs through boto3's real ``sagemaker`` client, on the process
runtime: a small Random search of a tiny script, its training jobs, a stop."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from jupyter_mlstudio.entities import JobKind, JobStatus
from jupyter_mlstudio.runtime.images import DEFAULT_TAG
from jupyter_mlstudio.services.studio import Studio

from ..tuning.conftest import SCRIPT, objective_of
from .conftest import in_thread
from .test_jobs_api import ROLE, assert_conforms, output_shape, raw_answers

ARN = "arn:aws:sagemaker:us-east-1:000000000000"


def tuning_request(
    name: str, code: Path, tmp_path: Path, *, jobs: int = 3, static: dict[str, str] | None = None
) -> dict[str, Any]:
    """A CreateHyperParameterTuningJob request as boto3 users write it (script mode in
    the static hyperparameters, as the SageMaker SDK sends it)."""
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": {
            "Strategy": "Random",
            "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "objective"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": jobs, "MaxParallelTrainingJobs": 2},
            "ParameterRanges": {
                "ContinuousParameterRanges": [
                    {"Name": "x", "MinValue": "0", "MaxValue": "6", "ScalingType": "Linear"}
                ],
                "CategoricalParameterRanges": [{"Name": "kernel", "Values": ["linear", "rbf"]}],
            },
            "RandomSeed": 3,
        },
        "TrainingJobDefinition": {
            "AlgorithmSpecification": {
                "TrainingImage": DEFAULT_TAG,
                "TrainingInputMode": "File",
                "MetricDefinitions": [{"Name": "objective", "Regex": r"objective: (-?[0-9.]+)"}],
            },
            "RoleArn": ROLE,
            "StaticHyperParameters": {
                **(static or {}),
                "sagemaker_program": json.dumps("train.py"),
                "sagemaker_submit_directory": json.dumps(code.as_uri()),
            },
            "OutputDataConfig": {"S3OutputPath": (tmp_path / "output").as_uri()},
            "ResourceConfig": {
                "InstanceType": "ml.m5.large",
                "InstanceCount": 1,
                "VolumeSizeInGB": 1,
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": 600},
        },
        "Tags": [{"Key": "team", "Value": "fraud"}],
    }


@pytest.fixture
def code(tmp_path: Path) -> Path:
    folder = tmp_path / "code"
    folder.mkdir()
    (folder / "train.py").write_text(SCRIPT)
    return folder


async def test_a_random_search_runs_and_its_training_jobs_are_listed_by_objective(
    sagemaker: Any, studio: Studio, code: Path, tmp_path: Path
) -> None:
    answers = raw_answers(sagemaker)
    request = tuning_request("boto-tune", code, tmp_path)
    created = await in_thread(lambda: sagemaker.create_hyper_parameter_tuning_job(**request))
    assert created["HyperParameterTuningJobArn"] == f"{ARN}:hyper-parameter-tuning-job/boto-tune"
    job = await in_thread(lambda: studio.tuning.wait("boto-tune", timeout=180))
    assert job.status is JobStatus.COMPLETED, job.failure_reason

    described = await in_thread(
        lambda: sagemaker.describe_hyper_parameter_tuning_job(
            HyperParameterTuningJobName="boto-tune"
        )
    )
    assert described["HyperParameterTuningJobStatus"] == "Completed"
    assert described["HyperParameterTuningJobConfig"]["Strategy"] == "Random"
    assert described["TrainingJobStatusCounters"]["Completed"] == 3
    assert described["ObjectiveStatusCounters"]["Succeeded"] == 3
    assert described["TrainingJobDefinition"]["StaticHyperParameters"] == {}
    assert described["TrainingJobDefinition"]["RoleArn"] == ROLE
    assert described["HyperParameterTuningEndTime"] >= described["CreationTime"]
    best = described["BestTrainingJob"]
    assert best["TrainingJobArn"] == f"{ARN}:training-job/{best['TrainingJobName'].lower()}"

    listed = await in_thread(
        lambda: sagemaker.list_training_jobs_for_hyper_parameter_tuning_job(
            HyperParameterTuningJobName="boto-tune",
            SortBy="FinalObjectiveMetricValue",
            SortOrder="Descending",
        )
    )
    summaries = listed["TrainingJobSummaries"]
    assert len(summaries) == 3
    values = [s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for s in summaries]
    assert values == sorted(values, reverse=True)
    assert summaries[0]["TrainingJobName"] == best["TrainingJobName"]
    for s in summaries:  # each objective is the script's function of its hyperparameters
        tuned = s["TunedHyperParameters"]
        expected = objective_of(float(tuned["x"]), tuned["kernel"])
        assert s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] == pytest.approx(
            expected, abs=1e-3
        )
        assert s["TrainingJobStatus"] == "Completed"
        assert s["TuningJobName"] == "boto-tune"
    one = summaries[-1]["TrainingJobName"]
    training = await in_thread(lambda: sagemaker.describe_training_job(TrainingJobName=one))
    assert training["TrainingJobStatus"] == "Completed"
    assert "sagemaker_program" not in training["HyperParameters"]

    paged = await in_thread(
        lambda: sagemaker.list_training_jobs_for_hyper_parameter_tuning_job(
            HyperParameterTuningJobName="boto-tune", SortBy="Name", MaxResults=2
        )
    )
    assert len(paged["TrainingJobSummaries"]) == 2
    rest = await in_thread(
        lambda: sagemaker.list_training_jobs_for_hyper_parameter_tuning_job(
            HyperParameterTuningJobName="boto-tune", SortBy="Name", NextToken=paged["NextToken"]
        )
    )
    names = [
        s["TrainingJobName"] for s in paged["TrainingJobSummaries"] + rest["TrainingJobSummaries"]
    ]
    assert names == sorted(s["TrainingJobName"] for s in summaries)

    tuning_jobs = await in_thread(
        lambda: sagemaker.list_hyper_parameter_tuning_jobs(
            NameContains="boto", StatusEquals="Completed"
        )
    )
    (only,) = tuning_jobs["HyperParameterTuningJobSummaries"]
    assert only["HyperParameterTuningJobName"] == "boto-tune"
    assert only["Strategy"] == "Random"
    assert only["TrainingJobStatusCounters"]["Completed"] == 3
    assert studio.store.get_job("boto-tune", JobKind.TUNING).tags == {"team": "fraud"}

    for operation in (
        "DescribeHyperParameterTuningJob",
        "ListTrainingJobsForHyperParameterTuningJob",
        "ListHyperParameterTuningJobs",
    ):
        assert_conforms(output_shape(operation), answers[operation], operation)


async def test_a_tuning_job_is_stopped(
    sagemaker: Any, studio: Studio, code: Path, tmp_path: Path
) -> None:
    request = tuning_request("boto-stop", code, tmp_path, jobs=4, static={"sleep": "60"})
    await in_thread(lambda: sagemaker.create_hyper_parameter_tuning_job(**request))
    await in_thread(
        lambda: sagemaker.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="boto-stop")
    )
    job = await in_thread(lambda: studio.tuning.wait("boto-stop", timeout=120))
    assert job.status is JobStatus.STOPPED
    described = await in_thread(
        lambda: sagemaker.describe_hyper_parameter_tuning_job(
            HyperParameterTuningJobName="boto-stop"
        )
    )
    assert described["HyperParameterTuningJobStatus"] == "Stopped"
    listed = await in_thread(
        lambda: sagemaker.list_training_jobs_for_hyper_parameter_tuning_job(
            HyperParameterTuningJobName="boto-stop"
        )
    )
    assert all(s["TrainingJobStatus"] != "InProgress" for s in listed["TrainingJobSummaries"])
    assert described["TrainingJobStatusCounters"]["Completed"] == 0

    with pytest.raises(ClientError) as again:  # it has ended
        await in_thread(
            lambda: sagemaker.stop_hyper_parameter_tuning_job(
                HyperParameterTuningJobName="boto-stop"
            )
        )
    assert again.value.response["Error"]["Code"] == "ValidationException"


async def test_tuning_errors_are_sagemakers(
    sagemaker: Any, studio: Studio, code: Path, tmp_path: Path
) -> None:
    with pytest.raises(ClientError) as missing:
        await in_thread(
            lambda: sagemaker.describe_hyper_parameter_tuning_job(
                HyperParameterTuningJobName="nope"
            )
        )
    assert missing.value.response["Error"]["Code"] == "ResourceNotFound"

    request = tuning_request("boto-bad", code, tmp_path)
    request["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]["MetricName"] = (
        "loss"
    )
    with pytest.raises(ClientError) as bad:
        await in_thread(lambda: sagemaker.create_hyper_parameter_tuning_job(**request))
    assert bad.value.response["Error"]["Code"] == "ValidationException"
    assert "MetricName" in bad.value.response["Error"]["Message"]

    ecr = tuning_request("boto-ecr", code, tmp_path)
    ecr["TrainingJobDefinition"]["AlgorithmSpecification"]["TrainingImage"] = (
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-algo:latest"
    )
    with pytest.raises(ClientError) as refused:
        await in_thread(lambda: sagemaker.create_hyper_parameter_tuning_job(**ecr))
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert "mlstudio images" in refused.value.response["Error"]["Message"]
    assert studio.store.list_jobs().items == []
    assert not (studio.config.home / "aws-sources").exists() or not any(
        (studio.config.home / "aws-sources").iterdir()
    )


async def test_a_source_archive_is_kept_for_the_tuners_training_jobs(
    sagemaker: Any, studio: Studio, code: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "sourcedir.tar.gz"  # what the SageMaker SDK uploads
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(code / "train.py", arcname="train.py")
    request = tuning_request("boto-archive", code, tmp_path, jobs=2)
    static = request["TrainingJobDefinition"]["StaticHyperParameters"]
    static["sagemaker_submit_directory"] = json.dumps(archive.as_uri())
    await in_thread(lambda: sagemaker.create_hyper_parameter_tuning_job(**request))
    job = await in_thread(lambda: studio.tuning.wait("boto-archive", timeout=180))
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    (kept,) = (studio.config.home / "aws-sources").iterdir()
    assert kept.name.startswith("boto-archive-")
    assert (kept / "source" / "train.py").read_text() == SCRIPT
    assert not (kept / "download").exists()
    listed = await in_thread(
        lambda: sagemaker.list_training_jobs_for_hyper_parameter_tuning_job(
            HyperParameterTuningJobName="boto-archive", StatusEquals="Completed"
        )
    )
    assert len(listed["TrainingJobSummaries"]) == 2
