"""Tuning jobs on the process runtime, through the service: the search, the counters,
the best job, early stopping, completion criteria, warm start and bad requests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.entities import JobKind, JobStatus
from jupyter_mlstudio.exceptions import ConflictError, ValidationError
from jupyter_mlstudio.services.jobs.tuning.service import TuningService
from jupyter_mlstudio.store.base import MetadataStore

from .conftest import objective_of, tuning_request


def test_random_search_runs_its_jobs_and_finds_the_best(
    tuning: TuningService, store: MetadataStore, script: Path
) -> None:
    tuning.create_tuning_job(tuning_request("tune-a", script, max_jobs=4, parallel=2))
    job = tuning.wait("tune-a", 120)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    outputs = job.outputs
    assert outputs["TrainingJobStatusCounters"]["Completed"] == 4
    assert outputs["ObjectiveStatusCounters"] == {"Succeeded": 4, "Pending": 0, "Failed": 0}
    assert outputs["CompletionReason"] == "MaxNumberOfTrainingJobs reached"
    items, token = tuning.list_training_jobs("tune-a", sort_by="FinalObjectiveMetricValue")
    assert token is None
    assert len(items) == 4
    for item in items:
        tuned = item["TunedHyperParameters"]
        want = objective_of(float(tuned["x"]), n_estimators=int(tuned["n-estimators"]))
        metric = item["FinalHyperParameterTuningJobObjectiveMetric"]
        assert metric["Value"] == pytest.approx(want, rel=1e-6)
        assert item["ObjectiveStatus"] == "Succeeded"
        training = store.get_job(item["TrainingJobName"], JobKind.TRAINING)
        # hyphenated names reach the script as SageMaker passes them
        assert training.spec["HyperParameters"]["n-estimators"] == tuned["n-estimators"]
        assert training.experiment_name == "tune-a"
    values = [i["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for i in items]
    assert values == sorted(values, reverse=True)
    assert outputs["BestTrainingJob"]["TrainingJobName"] == items[0]["TrainingJobName"]
    assert sorted(i["TrainingJobNumber"] for i in items) == [1, 2, 3, 4]
    log = tuning.read_logs("tune-a").Text
    assert log.count("started with") == 4
    assert "tuning job Completed" in log


def test_bad_requests_name_the_field_and_start_nothing(
    tuning: TuningService, store: MetadataStore, script: Path
) -> None:
    ranges = "HyperParameterTuningJobConfig.ParameterRanges"
    inverted = {"Name": "a", "MinValue": "5", "MaxValue": "1"}
    log_from_zero = {"Name": "lr", "MinValue": "0", "MaxValue": "1", "ScalingType": "Logarithmic"}
    cases: list[tuple[dict[str, Any], str]] = [
        (
            {"ranges": {"IntegerParameterRanges": [inverted]}},
            f"{ranges}.IntegerParameterRanges[0].MinValue",
        ),
        (
            {"ranges": {"CategoricalParameterRanges": [{"Name": "k", "Values": []}]}},
            f"{ranges}.CategoricalParameterRanges[0].Values",
        ),
        (
            {"ranges": {"ContinuousParameterRanges": [log_from_zero]}},
            f"{ranges}.ContinuousParameterRanges[0].ScalingType",
        ),
        (
            {"max_jobs": 2, "parallel": 3},
            "HyperParameterTuningJobConfig.ResourceLimits.MaxParallelTrainingJobs",
        ),
        (
            {"strategy": "Grid"},
            f"{ranges}.IntegerParameterRanges",
        ),
    ]
    for i, (options, field) in enumerate(cases):
        body = tuning_request(f"bad-{i}", script, **options)
        with pytest.raises(ValidationError) as info:
            tuning.create_tuning_job(body)
        assert info.value.field == field, (options, info.value)
    body = tuning_request("bad-objective", script)
    body["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]["MetricName"] = "auc"
    with pytest.raises(ValidationError) as info:
        tuning.create_tuning_job(body)
    assert info.value.field == (
        "HyperParameterTuningJobConfig.HyperParameterTuningJobObjective.MetricName"
    )
    body = tuning_request("bad-parent", script)
    body["WarmStartConfig"] = {
        "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "nope"}],
        "WarmStartType": "IdenticalDataAndAlgorithm",
    }
    with pytest.raises(ValidationError) as info:
        tuning.create_tuning_job(body)
    assert info.value.field == (
        "WarmStartConfig.ParentHyperParameterTuningJobs[0].HyperParameterTuningJobName"
    )
    body = tuning_request("bad-script", script)
    body["TrainingJobDefinition"]["ScriptMode"]["EntryPoint"] = str(script.parent / "missing.py")
    with pytest.raises(ValidationError) as info:
        tuning.create_tuning_job(body)
    assert str(info.value.field).startswith("TrainingJobDefinition.ScriptMode")
    assert store.list_jobs(max_results=100).items == []


def test_name_taken_is_a_conflict(tuning: TuningService, script: Path) -> None:
    tuning.create_tuning_job(tuning_request("tune-c", script, max_jobs=1, parallel=1))
    with pytest.raises(ConflictError):
        tuning.create_tuning_job(tuning_request("tune-c", script, max_jobs=1, parallel=1))
    assert tuning.wait("tune-c", 60).status is JobStatus.COMPLETED
