"""An AutoML job end to end on the process runtime: analysis, notebooks, candidates as
training jobs, ranking, and the rules around them (one job shared by the module's tests)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest

from jupyter_mlstudio.artifacts.transfer import local_path
from jupyter_mlstudio.entities import JobKind, JobStatus
from jupyter_mlstudio.services.jobs.automl.candidates import AUTOML_TAG
from jupyter_mlstudio.services.jobs.automl.job import automl_pipeline as ap
from jupyter_mlstudio.services.jobs.automl.search import DEFAULT_ORDER

from ..support.automl_data import TARGETS, write_table
from .conftest import AutoMLStudio, request

NAME = "churn"
CANDIDATES = 6


@pytest.fixture(scope="module")
def finished(module_studio: AutoMLStudio, tmp_path_factory: pytest.TempPathFactory) -> Any:
    table = write_table(tmp_path_factory.mktemp("data") / "customers.csv", rows=600)
    body = request(
        NAME,
        table,
        TARGETS["binary"],
        CompletionCriteria={"MaxCandidates": CANDIDATES},
        Mode="HYPERPARAMETER_TUNING",
    )
    module_studio.automl.create_automl_job(body)
    job = module_studio.automl.wait(NAME, 300)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    return job


def _candidates(studio: AutoMLStudio, **query: Any) -> list[dict[str, Any]]:
    items, token = studio.automl.list_candidates(NAME, **query)
    assert token is None
    return items


def test_stages_and_resolved_attributes(finished: Any) -> None:
    outputs = finished.outputs
    assert outputs["AutoMLJobSecondaryStatus"] == "MaxCandidatesReached"
    stages = [s["Stage"] for s in outputs["Stages"]]
    assert stages == ["Starting", "AnalyzingData", "FeatureEngineering", "ModelTuning"]
    assert all(s.get("EndTime") for s in outputs["Stages"])
    resolved = outputs["ResolvedAttributes"]
    assert resolved["ProblemType"] == "BinaryClassification"
    assert resolved["AutoMLJobObjective"] == {"MetricName": "F1"}  # SageMaker's default
    assert resolved["CompletionCriteria"]["MaxCandidates"] == CANDIDATES
    columns = {c["Name"]: c["Type"] for c in outputs["Analysis"]["Columns"]}
    assert columns["customer_id"] == "dropped"  # a row number
    assert columns["source"] == "dropped"  # constant
    assert columns["age"] == "numeric"
    assert columns["plan"] == "categorical"
    assert outputs["Analysis"]["Classes"] == ["no", "yes"]


def test_candidates_are_training_jobs_of_the_same_split(
    finished: Any, module_studio: AutoMLStudio, tmp_path: Path
) -> None:
    items = _candidates(module_studio, sort_by="CreationTime", sort_order="Ascending")
    assert len(items) == CANDIDATES
    data = finished.outputs["DataLocation"]
    train = ap.read_table(local_path(data["Train"], field="Train"))
    holdout = ap.read_table(local_path(data["Validation"], field="Validation"))
    analysis = ap.Analysis.from_json(local_path(data["Analysis"], field="Analysis").read_text())
    assert len(train) + len(holdout) == 600
    features = [c for c in train.columns if c != TARGETS["binary"]]
    assert list(analysis.columns) == features  # the table's order, as rows arrive to serve
    algorithms = []
    for item in items:
        assert item["CandidateStatus"] == "Completed"
        job = module_studio.store.get_job(item["CandidateName"], JobKind.TRAINING)
        assert job.tags[AUTOML_TAG] == NAME
        assert job.experiment_name == NAME  # runs in an experiment named after the job
        hyperparameters = {k: str(v) for k, v in job.spec["HyperParameters"].items()}
        spec = ap.CandidateSpec.from_hyperparameters(hyperparameters)
        algorithms.append(spec.algorithm)
        # the objective as the job reported it is what the same pipeline scores here
        transform = ap.build_preprocessor(spec.preprocessing, analysis)
        x = transform.fit_transform(ap.prepare_features(train, analysis))
        estimator = ap.build_estimator(spec, analysis.problem_type).fit(
            x, ap.target_values(train, analysis)
        )
        x_holdout = transform.transform(ap.prepare_features(holdout, analysis))
        expected = ap.scores(
            analysis.problem_type,
            ap.target_values(holdout, analysis),
            estimator.predict(x_holdout),
            estimator.predict_proba(x_holdout),
            [str(c) for c in estimator.classes_],
        )
        reported = {
            m["MetricName"]: m["Value"] for m in item["CandidateProperties"]["CandidateMetrics"]
        }
        assert reported.keys() == expected.keys()
        for name, value in expected.items():
            assert reported[name] == pytest.approx(value, abs=1e-9), name
        assert item["FinalAutoMLJobObjectiveMetric"]["Value"] == pytest.approx(expected["F1"])
    # every algorithm at its defaults first, then the search's choices
    assert algorithms[: len(DEFAULT_ORDER)] == list(DEFAULT_ORDER)


def test_best_candidate_and_sorting(finished: Any, module_studio: AutoMLStudio) -> None:
    ranked = _candidates(
        module_studio, sort_by="FinalObjectiveMetricValue", sort_order="Descending"
    )
    values = [c["FinalAutoMLJobObjectiveMetric"]["Value"] for c in ranked]
    assert values == sorted(values, reverse=True)
    worst_first = _candidates(
        module_studio, sort_by="FinalObjectiveMetricValue", sort_order="Ascending"
    )
    assert [c["FinalAutoMLJobObjectiveMetric"]["Value"] for c in worst_first] == sorted(values)
    best = finished.outputs["BestCandidate"]
    assert best["CandidateName"] == ranked[0]["CandidateName"]
    assert best["FinalAutoMLJobObjectiveMetric"]["MetricName"] == "F1"
    containers = best["InferenceContainers"]
    assert [c["Environment"]["MLSTUDIO_AUTOML_CONTAINER"] for c in containers] == [
        "feature-transform",
        "algorithm",
    ]
    assert "probability" in containers[1]["Environment"]["SAGEMAKER_INFERENCE_SUPPORTED"]
    assert all(c["ModelDataUrl"].endswith("model.tar.gz") for c in containers)


def test_candidate_listing_filters_and_pages(finished: Any, module_studio: AutoMLStudio) -> None:
    first, token = module_studio.automl.list_candidates(NAME, max_results=4)
    assert len(first) == 4
    assert token
    rest, end = module_studio.automl.list_candidates(NAME, max_results=4, next_token=token)
    assert end is None
    names = [c["CandidateName"] for c in first + rest]
    assert len(set(names)) == CANDIDATES
    assert _candidates(module_studio, status="Failed") == []
    one = _candidates(module_studio, candidate_name=names[0])
    assert [c["CandidateName"] for c in one] == [names[0]]
    with pytest.raises(Exception, match="NextToken"):
        module_studio.automl.list_candidates(NAME, next_token="x")


def test_notebooks_and_log(finished: Any, module_studio: AutoMLStudio) -> None:
    artifacts = finished.outputs["AutoMLJobArtifacts"]
    for key in ("DataExplorationNotebookLocation", "CandidateDefinitionNotebookLocation"):
        name = artifacts[key].rsplit("/", 1)[-1]
        opened = module_studio.automl.open_notebook(NAME, name)
        try:
            book = nbformat.reads(opened.reader.read().decode(), as_version=4)
        finally:
            opened.close()
        nbformat.validate(book)
    definitions = local_path(artifacts["CandidateDefinitionNotebookLocation"], field="x")
    text = definitions.read_text()
    for item in _candidates(module_studio):  # rewritten at the end with every candidate
        assert item["CandidateName"] in text
    log = module_studio.automl.read_logs(NAME).Text
    assert "stage AnalyzingData" in log
    assert "MaxCandidatesReached" in log
    with pytest.raises(Exception, match="has no file"):
        module_studio.automl.open_notebook(NAME, "other.ipynb")


def test_stop_on_an_ended_job_is_a_conflict(finished: Any, module_studio: AutoMLStudio) -> None:
    with pytest.raises(Exception, match="cannot be stopped"):
        module_studio.automl.stop_automl_job(NAME)
    assert json.dumps(finished.outputs["BestCandidate"])  # stored as JSON
