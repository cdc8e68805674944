"""Early stopping, stop, completion criteria, warm start, Grid and failed jobs."""

from __future__ import annotations

import time
from pathlib import Path

from jupyter_mlstudio.entities import JobKind, JobStatus
from jupyter_mlstudio.services.jobs.tuning.service import TuningService
from jupyter_mlstudio.store.base import MetadataStore

from .conftest import tuning_request


def test_early_stopping_stops_jobs_whose_objective_plateaus(
    tuning: TuningService, store: MetadataStore, script: Path
) -> None:
    """12 jobs; the settings with x > 6 plateau at -5 every epoch: once three jobs have
    ended, the median rule stops such jobs after their warm-up epochs."""
    ranges = {"ContinuousParameterRanges": [{"Name": "x", "MinValue": "0", "MaxValue": "12"}]}
    body = tuning_request(
        "tune-early",
        script,
        max_jobs=12,
        parallel=3,
        ranges=ranges,
        static={"epochs": "12", "sleep": "0.15"},
        TrainingJobEarlyStoppingType="Auto",
    )
    tuning.create_tuning_job(body)
    job = tuning.wait("tune-early", 240)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    items, _ = tuning.list_training_jobs("tune-early")
    early = [i for i in items if i.get("TrainingJobEarlyStoppingType") == "Auto"]
    assert early, [(i["TunedHyperParameters"], i["TrainingJobStatus"]) for i in items]
    best = job.outputs["BestTrainingJob"]
    top = best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
    for item in early:
        assert item["TrainingJobStatus"] == "Stopped"
        training = store.get_job(item["TrainingJobName"], JobKind.TRAINING)
        assert training.status is JobStatus.STOPPED
        # stopped before its last epoch, below the best
        assert item["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] < top
        series = store.get_metric_series(str(training.trial_component_name), "objective")
        assert 2 <= len(series) < 12
    assert any(float(i["TunedHyperParameters"]["x"]) > 6 for i in early)  # the plateau
    assert best["TrainingJobStatus"] == "Completed"
    outputs = job.outputs
    assert outputs["TrainingJobsStoppedEarly"] == len(early)
    assert outputs["TrainingJobStatusCounters"]["Stopped"] == len(early)
    assert float(outputs["BestTrainingJob"]["TunedHyperParameters"]["x"]) <= 6
    assert "stopping early" in tuning.read_logs("tune-early").Text


def test_stop_stops_the_running_jobs(
    tuning: TuningService, store: MetadataStore, script: Path
) -> None:
    body = tuning_request("tune-stop", script, max_jobs=6, parallel=2, static={"sleep": "30"})
    tuning.create_tuning_job(body)
    deadline = time.monotonic() + 30
    while not tuning.list_training_jobs("tune-stop")[0]:  # stop once jobs run
        assert time.monotonic() < deadline, "no training job started"
        time.sleep(0.05)
    tuning.stop_tuning_job("tune-stop")
    job = tuning.wait("tune-stop", 120)
    assert job.status is JobStatus.STOPPED
    items, _ = tuning.list_training_jobs("tune-stop")
    assert 1 <= len(items) <= 2
    assert {i["TrainingJobStatus"] for i in items} == {"Stopped"}


def test_target_objective_ends_the_search(tuning: TuningService, script: Path) -> None:
    criteria = {"TargetObjectiveMetricValue": -100.0}  # the first job reaches it
    body = tuning_request(
        "tune-target", script, max_jobs=8, parallel=1, TuningJobCompletionCriteria=criteria
    )
    tuning.create_tuning_job(body)
    job = tuning.wait("tune-target", 120)
    assert job.status is JobStatus.COMPLETED
    assert job.outputs["CompletionReason"] == "TargetObjectiveMetricValue reached"
    assert len(tuning.list_training_jobs("tune-target")[0]) == 1


def test_grid_tries_every_point_once(tuning: TuningService, script: Path) -> None:
    ranges = {
        "CategoricalParameterRanges": [
            {"Name": "kernel", "Values": ["linear", "rbf"]},
            {"Name": "x", "Values": ["1", "3", "5"]},
        ]
    }
    body = tuning_request("tune-grid", script, strategy="Grid", ranges=ranges, parallel=3)
    del body["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"]
    tuning.create_tuning_job(body)
    job = tuning.wait("tune-grid", 120)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    items, _ = tuning.list_training_jobs("tune-grid")
    points = {(i["TunedHyperParameters"]["kernel"], i["TunedHyperParameters"]["x"]) for i in items}
    assert len(items) == 6
    assert points == {(k, x) for k in ("linear", "rbf") for x in ("1", "3", "5")}
    best = job.outputs["BestTrainingJob"]["TunedHyperParameters"]
    assert best == {"kernel": "rbf", "x": "3"}


def test_failed_jobs_count_as_failed_not_as_objectives(tuning: TuningService, script: Path) -> None:
    body = tuning_request("tune-fail", script, max_jobs=4, parallel=2, static={"fail-above": "-1"})
    tuning.create_tuning_job(body)
    job = tuning.wait("tune-fail", 120)
    assert job.status is JobStatus.FAILED
    assert "no training job reported the objective" in str(job.failure_reason)
    assert job.outputs["TrainingJobStatusCounters"]["NonRetryableError"] == 4
    assert job.outputs["ObjectiveStatusCounters"]["Failed"] == 4
    assert "BestTrainingJob" not in job.outputs


def test_warm_start_seeds_the_search_with_the_parents_jobs(
    tuning: TuningService, script: Path
) -> None:
    tuning.create_tuning_job(tuning_request("tune-parent", script, max_jobs=3, parallel=3))
    parent = tuning.wait("tune-parent", 120)
    assert parent.status is JobStatus.COMPLETED
    body = tuning_request("tune-child", script, strategy="Bayesian", max_jobs=2, parallel=1)
    body["WarmStartConfig"] = {
        "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "tune-parent"}],
        "WarmStartType": "IdenticalDataAndAlgorithm",
    }
    tuning.create_tuning_job(body)
    child = tuning.wait("tune-child", 120)
    assert child.status is JobStatus.COMPLETED, child.failure_reason
    overall = child.outputs["OverallBestTrainingJob"]
    values = [
        parent.outputs["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"],
        child.outputs["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"],
    ]
    assert overall["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] == max(values)
    assert len(tuning.list_training_jobs("tune-child")[0]) == 2


def test_hyperband_stops_the_weak_jobs_at_its_rungs(
    tuning: TuningService, store: MetadataStore, script: Path
) -> None:
    """Hyperband (Optuna's HyperbandPruner over MinResource..MaxResource epochs) stops
    the jobs that fall behind at a rung; the best job runs every epoch."""
    ranges = {"ContinuousParameterRanges": [{"Name": "x", "MinValue": "0", "MaxValue": "12"}]}
    body = tuning_request(
        "tune-hyperband",
        script,
        strategy="Hyperband",
        max_jobs=12,
        parallel=3,
        ranges=ranges,
        static={"epochs": "9", "sleep": "0.25"},
        StrategyConfig={"HyperbandStrategyConfig": {"MinResource": 1, "MaxResource": 9}},
    )
    tuning.create_tuning_job(body)
    job = tuning.wait("tune-hyperband", 240)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    items, _ = tuning.list_training_jobs("tune-hyperband")
    early = [i for i in items if i.get("TrainingJobEarlyStoppingType")]
    assert early
    assert job.outputs["TrainingJobsStoppedEarly"] == len(early)
    best = job.outputs["BestTrainingJob"]
    assert best["TrainingJobStatus"] == "Completed"
    run = store.get_job(best["TrainingJobName"], JobKind.TRAINING).trial_component_name
    assert len(store.get_metric_series(str(run), "objective")) == 9
