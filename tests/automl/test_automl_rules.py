"""AutoML rules: bad input fails clearly and loses nothing, stop, a restarted studio
carries on, ENSEMBLING and regression, definitions only."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from jupyter_mlstudio.entities import JobKind, JobStatus
from jupyter_mlstudio.exceptions import ConflictError, ValidationError
from jupyter_mlstudio.services.jobs.automl.candidates import candidate_jobs
from jupyter_mlstudio.services.jobs.automl.job import automl_pipeline as ap

from ..support.automl_data import TARGETS, write_table
from .conftest import AutoMLStudio, request


def _wait_for(predicate: object, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"AutoMLJobName": "bad name!"}, "AutoMLJobName"),
        ({"ProblemType": "Regression"}, "AutoMLJobObjective"),
        (
            {"ProblemType": "BinaryClassification", "AutoMLJobObjective": {"MetricName": "MSE"}},
            "AutoMLJobObjective.MetricName",
        ),
        ({"AutoMLJobObjective": {"MetricName": "Speed"}}, "AutoMLJobObjective.MetricName"),
        ({"AutoMLJobConfig": {"CompletionCriteria": {"MaxCandidates": 0}}}, "AutoMLJobConfig"),
        ({"InputDataConfig": []}, "InputDataConfig"),
    ],
)
def test_bad_requests_are_refused_naming_the_field(
    studio: AutoMLStudio, tmp_path: Path, body: dict[str, object], field: str
) -> None:
    table = write_table(tmp_path / "t.csv", rows=50)
    full = {**request("job", table, TARGETS["binary"]), **body}
    with pytest.raises(ValidationError) as raised:
        studio.automl.create_automl_job(full)
    assert (raised.value.field or "").startswith(field)
    assert studio.store.list_jobs(kind=JobKind.AUTOML).items == []  # nothing half-written


def test_a_missing_input_is_refused(studio: AutoMLStudio, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as raised:
        studio.automl.create_automl_job(request("job", tmp_path / "none.csv", "y"))
    assert raised.value.field == "InputDataConfig[0].DataSource.S3DataSource.S3Uri"


@pytest.mark.parametrize(
    ("table", "target", "reason"),
    [
        ("a,b\n1,2\n3,4\n", "label", "has no column 'label'"),
        ("label\n1\n2\n1\n2\n1\n2\n1\n2\n1\n2\n1\n", "label", "only the target column"),
        ("a,label\n1,x\n", "label", "at least 10"),
        ("a,label\n" + "".join(f"{i},same\n" for i in range(30)), "label", "single value"),
        ("", "label", "not a readable CSV"),
    ],
)
def test_tables_that_cannot_be_learned_fail_the_job(
    studio: AutoMLStudio, tmp_path: Path, table: str, target: str, reason: str
) -> None:
    path = tmp_path / "t.csv"
    path.write_text(table)
    studio.automl.create_automl_job(request("bad-table", path, target))
    job = studio.automl.wait("bad-table", 60)
    assert job.status is JobStatus.FAILED
    assert reason in (job.failure_reason or "")
    assert job.outputs["AutoMLJobSecondaryStatus"] == "Failed"
    assert candidate_jobs(studio.store, "bad-table") == []


def test_a_problem_type_the_target_cannot_be_fails_the_job(
    studio: AutoMLStudio, tmp_path: Path
) -> None:
    """A problem type the target cannot be ends the job when the data is read."""
    table = write_table(tmp_path / "t.csv", rows=80, problem="regression")
    full = {
        **request("wrong-objective", table, TARGETS["regression"]),
        "ProblemType": "BinaryClassification",
        "AutoMLJobObjective": {"MetricName": "F1"},
    }
    studio.automl.create_automl_job(full)
    job = studio.automl.wait("wrong-objective", 60)
    assert job.status is JobStatus.FAILED
    assert "BinaryClassification target has two values" in (job.failure_reason or "")


def test_definitions_only_writes_notebooks_and_trains_nothing(
    studio: AutoMLStudio, tmp_path: Path
) -> None:
    table = write_table(tmp_path / "t.csv", rows=100)
    body = {**request("plan-only", table, TARGETS["binary"])}
    body["GenerateCandidateDefinitionsOnly"] = True
    studio.automl.create_automl_job(body)
    job = studio.automl.wait("plan-only", 60)
    assert job.status is JobStatus.COMPLETED
    assert job.outputs["AutoMLJobSecondaryStatus"] == "CandidateDefinitionsGenerated"
    assert set(job.outputs["AutoMLJobArtifacts"]) == {
        "DataExplorationNotebookLocation",
        "CandidateDefinitionNotebookLocation",
    }
    assert candidate_jobs(studio.store, "plan-only") == []


def test_stop_stops_the_running_candidates(studio: AutoMLStudio, tmp_path: Path) -> None:
    table = write_table(tmp_path / "t.csv", rows=300)
    body = request("stopped", table, TARGETS["binary"], CompletionCriteria={"MaxCandidates": 20})
    studio.automl.create_automl_job(body)
    _wait_for(lambda: candidate_jobs(studio.store, "stopped"))
    assert studio.automl.stop_automl_job("stopped").status is JobStatus.STOPPING
    job = studio.automl.wait("stopped", 120)
    assert job.status is JobStatus.STOPPED
    assert job.outputs["AutoMLJobSecondaryStatus"] == "Stopped"
    candidates = candidate_jobs(studio.store, "stopped")
    assert 1 <= len(candidates) < 20
    assert all(c.status in (JobStatus.COMPLETED, JobStatus.STOPPED) for c in candidates)
    with pytest.raises(ConflictError):
        studio.automl.stop_automl_job("stopped")


def test_a_restarted_studio_carries_on(studio: AutoMLStudio, tmp_path: Path) -> None:
    table = write_table(tmp_path / "t.csv", rows=300)
    body = request("resumed", table, TARGETS["binary"], CompletionCriteria={"MaxCandidates": 5})
    studio.automl.create_automl_job(body)
    _wait_for(
        lambda: any(
            c.status is JobStatus.COMPLETED for c in candidate_jobs(studio.store, "resumed")
        )
    )
    studio.automl.close()  # the studio goes away mid-job; its candidates keep running
    assert studio.store.get_job("resumed", JobKind.AUTOML).status is JobStatus.IN_PROGRESS
    service = studio.reopen()
    assert service.recover() == ["resumed"]
    job = service.wait("resumed", 180)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    candidates = candidate_jobs(studio.store, "resumed")
    numbers = sorted(int(c.job_name.split("-")[1]) for c in candidates)
    assert numbers == [1, 2, 3, 4, 5]  # none lost, none repeated
    assert "carrying on after" in service.read_logs("resumed").Text


def test_ensembling_on_a_regression_table(studio: AutoMLStudio, tmp_path: Path) -> None:
    table = write_table(tmp_path / "t.csv", rows=400, problem="regression")
    body = request("spend", table, TARGETS["regression"], Mode="ENSEMBLING", CompletionCriteria={})
    studio.automl.create_automl_job(body)
    job = studio.automl.wait("spend", 180)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    assert [s["Stage"] for s in job.outputs["Stages"]][-1] == "TrainingModels"
    assert job.outputs["ResolvedAttributes"]["ProblemType"] == "Regression"
    assert job.outputs["ResolvedAttributes"]["AutoMLJobObjective"] == {"MetricName": "MSE"}
    items, _ = studio.automl.list_candidates("spend")
    algorithms = sorted(i["CandidateDefinition"]["Algorithm"] for i in items)
    assert algorithms == sorted([*ap.ALGORITHMS, ap.ENSEMBLE])  # defaults, then one ensemble
    best = job.outputs["BestCandidate"]["FinalAutoMLJobObjectiveMetric"]
    assert best["MetricName"] == "MSE"
    assert best["Type"] == "Minimize"
    assert best["Value"] == min(i["FinalAutoMLJobObjectiveMetric"]["Value"] for i in items)
