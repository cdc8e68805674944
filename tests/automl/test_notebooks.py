"""The AutoML job's two notebooks: generated with nbformat, valid, and run as they are.

The tables are the examples' kind (numeric, categorical and missing values, an identifier
and a constant column), analysed and split by the job's own code. The executing tests run
each notebook in a ``python3`` kernel of the test venv (one kernel per notebook) and check
what it computed against the job's pipeline code run here: the column summary against the
analysis, each candidate's holdout objective against ``build_preprocessor`` /
``build_estimator`` / ``scores``. The other tests run the notebooks' code in this process.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pandas as pd
import pytest
import sklearn
from nbclient import NotebookClient

from jupyter_mlstudio.services.jobs.automl import notebooks
from jupyter_mlstudio.services.jobs.automl.job import automl_pipeline as ap
from jupyter_mlstudio.services.jobs.automl.notebooks import CandidateEntry
from tests.support.automl_data import TARGETS, write_table
from tests.support.seaweedfs import run_seaweedfs, weed_or_skip

PROBLEMS = {"binary": ap.BINARY, "multiclass": ap.MULTICLASS, "regression": ap.REGRESSION}
#: hyperparameters away from the defaults, one candidate per algorithm
TUNED = {
    "hist-gradient-boosting": {
        "learning_rate": 0.05,
        "max_leaf_nodes": 15,
        "min_samples_leaf": 10,
        "l2_regularization": 0.01,
        "max_iter": 120,
    },
    "random-forest": {"n_estimators": 60, "max_features": 0.8, "min_samples_leaf": 3},
    "extra-trees": {"n_estimators": 50, "max_features": 0.4, "min_samples_leaf": 2},
    "linear": {"alpha": 0.37},
}
RESULT = "NOTEBOOK-RESULT "


class Job:
    """A table analysed and split as an AutoML job does, its splits written as CSVs."""

    def __init__(self, folder: Path, problem: str, rows: int = 300) -> None:
        self.data_path = write_table(folder / "input" / "data.csv", rows=rows, problem=problem)
        self.frame = ap.read_table(self.data_path)
        self.analysis = ap.analyse(self.frame, TARGETS[problem])
        self.train, self.holdout = ap.split(self.frame, self.analysis)
        self.train_path = folder / "split" / "train.csv"
        self.validation_path = folder / "split" / "validation.csv"
        self.train_path.parent.mkdir()
        self.train.to_csv(self.train_path, index=False)
        self.holdout.to_csv(self.validation_path, index=False)
        #: the splits as the candidates read them
        self.train_csv = ap.read_table(self.train_path)
        self.holdout_csv = ap.read_table(self.validation_path)

    def holdout_scores(self, spec: ap.CandidateSpec) -> dict[str, float]:
        """Every metric of ``spec`` as a candidate's training job computes it."""
        train, holdout = self.train_csv, self.holdout_csv
        transform = ap.build_preprocessor(spec.preprocessing, self.analysis)
        estimator = ap.build_estimator(spec, self.analysis.problem_type)
        x_train = transform.fit_transform(ap.prepare_features(train, self.analysis))
        estimator.fit(x_train, ap.target_values(train, self.analysis))
        x_holdout = transform.transform(ap.prepare_features(holdout, self.analysis))
        probabilities, classes = None, None
        if self.analysis.problem_type != ap.REGRESSION:
            classes = [str(c) for c in estimator.classes_]
            probabilities = estimator.predict_proba(x_holdout)
        return ap.scores(
            self.analysis.problem_type,
            ap.target_values(holdout, self.analysis),
            np.asarray(estimator.predict(x_holdout)),
            probabilities,
            classes,
        )


def _specs() -> list[ap.CandidateSpec]:
    return [
        ap.CandidateSpec(ap.ALGORITHMS[name].preprocessing, name, params)
        for name, params in TUNED.items()
    ]


def _execute(notebook: nbformat.NotebookNode, folder: Path, result: str) -> Any:
    """Run ``notebook`` in a fresh ``python3`` kernel with a last cell that prints the JSON
    of the expression ``result``; that value."""
    nbformat.validate(nbformat.reads(nbformat.writes(notebook), as_version=4))
    notebook.cells.append(
        nbformat.v4.new_code_cell(
            "import json, sys\n"
            "_studio = sorted(m for m in sys.modules if m.startswith('jupyter_mlstudio'))\n"
            f"print({RESULT!r} + json.dumps({{'studio': _studio, 'value': {result}}}))"
        )
    )
    client = NotebookClient(
        notebook, kernel_name="python3", timeout=240, resources={"metadata": {"path": str(folder)}}
    )
    client.execute()
    (printed,) = [
        line[len(RESULT) :]
        for output in notebook.cells[-1].outputs
        for line in output.get("text", "").splitlines()
        if line.startswith(RESULT)
    ]
    found = json.loads(printed)
    assert found["studio"] == [], "the notebook must run without the studio"
    return found["value"]


def _figures(notebook: nbformat.NotebookNode) -> list[dict[str, Any]]:
    return [
        output["data"]["application/vnd.plotly.v1+json"]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "application/vnd.plotly.v1+json" in output.get("data", {})
    ]


def _markdown(notebook: nbformat.NotebookNode) -> str:
    return "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")


def _run_cells(notebook: nbformat.NotebookNode, count: int) -> dict[str, Any]:
    """Run the first ``count`` code cells in this process; their variables."""
    namespace: dict[str, Any] = {}
    for cell in [c for c in notebook.cells if c.cell_type == "code"][:count]:
        exec(compile(cell.source, "<notebook cell>", "exec"), namespace)
    return namespace


def _check_exploration(job: Job, notebook: nbformat.NotebookNode, folder: Path) -> None:
    assert "jupyter_mlstudio" not in "".join(c.source for c in notebook.cells)
    summary = _execute(notebook, folder, "column_types.to_dict('records')")
    analysis = job.analysis
    assert [row["column"] for row in summary] == list(job.frame.columns)
    for row in summary:
        name = row["column"]
        kind = "target" if name == analysis.target else analysis.columns[name]
        assert row["inferred type"] == kind
        assert row["missing"] == row["missing now"] == analysis.missing[name]
        assert row["distinct"] == row["distinct now"] == analysis.distinct[name]
        assert row["missing %"] == round(100 * analysis.missing[name] / analysis.rows, 2)
    assert sum(analysis.missing.values()) > 0
    figures = _figures(notebook)
    kinds = [trace["type"] for figure in figures for trace in figure["data"][:1]]
    target_chart = "histogram" if analysis.problem_type == ap.REGRESSION else "bar"
    assert kinds == ["bar", target_chart, "heatmap", "bar"]
    (heatmap,) = [f for f in figures if f["data"][0]["type"] == "heatmap"]
    expected = list(analysis.features(ap.NUMERIC))
    if analysis.problem_type == ap.REGRESSION:
        expected.append(analysis.target)
    assert heatmap["data"][0]["x"] == expected
    text = _markdown(notebook)
    assert f"**{analysis.problem_type}** problem because {analysis.inferred_because}" in text
    assert "`customer_id` (an identifier)" in text
    assert "`source` (constant)" in text


def _check_definitions(job: Job, folder: Path, objective: str) -> None:
    maximize = ap.OBJECTIVES[objective].maximize
    notebook, entries, expected = _definitions(job, objective)
    leaderboard = _execute(notebook, folder, "leaderboard.to_dict('records')")
    assert [row["candidate"] for row in leaderboard] == [e.name for e in entries]
    for row, entry, value in zip(leaderboard, entries, expected, strict=True):
        assert row["algorithm"] == entry.spec.algorithm
        assert row[objective] == pytest.approx(value, abs=1e-9)
        if entry.objective_value is None:
            assert row["reported by the job"] is None or math.isnan(row["reported by the job"])
        else:
            assert row["reported by the job"] == entry.objective_value
    values = [row[objective] for row in leaderboard]
    assert values == sorted(values, reverse=maximize)
    printed = [o.get("text", "") for c in notebook.cells for o in c.get("outputs", [])]
    assert sum(f"{objective} on the holdout: " in text for text in printed) == len(entries)


def _definitions(
    job: Job, objective: str
) -> tuple[nbformat.NotebookNode, list[CandidateEntry], list[float]]:
    """The definitions notebook of one candidate per algorithm, best first (as the job
    lists them), the last without a reported value (a candidate still training); the
    entries and each one's objective as the job's code computes it."""
    maximize = ap.OBJECTIVES[objective].maximize
    found = [(spec, job.holdout_scores(spec)[objective]) for spec in _specs()]
    found.sort(key=lambda pair: -pair[1] if maximize else pair[1])
    entries = [
        CandidateEntry(f"job-{i}-{spec.algorithm}", spec, None if i == 3 else value)
        for i, (spec, value) in enumerate(found)
    ]
    notebook = notebooks.candidate_definitions_notebook(
        job.analysis,
        entries,
        job_name="churn-job",
        objective=objective,
        train_uri=str(job.train_path),
        validation_uri=job.validation_path.as_uri(),
    )
    return notebook, entries, [value for _, value in found]


@pytest.mark.parametrize(("problem", "objective"), [("binary", "F1"), ("regression", "RMSE")])
def test_both_notebooks_run_and_reproduce_the_job(
    tmp_path: Path, problem: str, objective: str
) -> None:
    job = Job(tmp_path, problem)
    exploration = notebooks.data_exploration_notebook(
        job.analysis, job_name="churn-job", data_uri=job.data_path.as_uri()
    )
    _check_exploration(job, exploration, tmp_path)
    _check_definitions(job, tmp_path, objective)


@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_candidate_code_builds_the_objects_of_the_pipeline(tmp_path: Path, problem: str) -> None:
    frame = ap.read_table(write_table(tmp_path / "data.csv", rows=120, problem=problem))
    frame = frame.rename(columns={"plan": 'plan "tier" it\'s', "region": "région\\n"})
    analysis = ap.analyse(frame, TARGETS[problem])
    assert analysis.problem_type == PROBLEMS[problem]
    x = ap.prepare_features(frame, analysis)
    for name in ap.ALGORITHMS:
        for spec in (ap.default_spec(name), *[s for s in _specs() if s.algorithm == name]):
            source = notebooks.candidate_code(spec, analysis)
            assert "automl_pipeline" not in source
            assert "jupyter_mlstudio" not in source
            namespace: dict[str, Any] = {}
            exec(compile(source, "<candidate>", "exec"), namespace)
            built = {
                "feature_transform": ap.build_preprocessor(spec.preprocessing, analysis),
                "estimator": ap.build_estimator(spec, analysis.problem_type),
            }
            for variable, expected in built.items():
                written = namespace[variable]
                assert type(written) is type(expected)
                for changed_only in (True, False):
                    with sklearn.config_context(print_changed_only=changed_only):
                        assert repr(written) == repr(expected), source
                assert _params(written) == _params(expected), source
            np.testing.assert_array_equal(
                namespace["feature_transform"].fit_transform(x),
                built["feature_transform"].fit_transform(x),
            )
            assert max(len(line) for line in source.splitlines()) <= 100


def _params(estimator: Any) -> dict[str, str]:
    """Every parameter, nested ones too: estimators by class, other values by repr."""
    return {
        key: type(value).__name__ if hasattr(value, "get_params") else repr(value)
        for key, value in estimator.get_params(deep=True).items()
    }


@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_every_objective_is_computed_as_scores_computes_it(tmp_path: Path, problem: str) -> None:
    job = Job(tmp_path, problem, rows=200)
    spec = ap.CandidateSpec("scaled-onehot", "linear", {"alpha": 0.5})
    expected = job.holdout_scores(spec)
    objectives = ap.metric_names(job.analysis.problem_type)
    assert set(expected) == set(objectives)
    for objective in objectives:
        notebook = notebooks.candidate_definitions_notebook(
            job.analysis,
            [CandidateEntry("only", spec, expected[objective])],
            job_name="job",
            objective=objective,
            train_uri=job.train_path.as_uri(),
            validation_uri=str(job.validation_path),
        )
        # setup, features, the objective, the candidate, the leaderboard
        namespace = _run_cells(notebook, 5)
        pd.testing.assert_frame_equal(
            namespace["x_train"], ap.prepare_features(job.train_csv, job.analysis)
        )
        np.testing.assert_array_equal(
            namespace["y_holdout"], ap.target_values(job.holdout_csv, job.analysis)
        )
        (row,) = namespace["leaderboard"].to_dict("records")
        assert row[objective] == pytest.approx(expected[objective], abs=1e-9), objective
        assert row["reported by the job"] == expected[objective]


def test_no_candidates_and_unknown_objectives(tmp_path: Path) -> None:
    job = Job(tmp_path, "binary", rows=100)
    notebook = notebooks.candidate_definitions_notebook(
        job.analysis,
        [],
        job_name="job",
        objective="Accuracy",
        train_uri=str(job.train_path),
        validation_uri=str(job.validation_path),
    )
    nbformat.validate(notebook)
    namespace = _run_cells(notebook, 10)
    assert namespace["leaderboard"].empty
    assert list(namespace["leaderboard"].columns)[3] == "Accuracy"
    with pytest.raises(ValueError, match="'Quality'"):
        notebooks.candidate_definitions_notebook(
            job.analysis, [], job_name="job", objective="Quality", train_uri="a", validation_uri="b"
        )


@pytest.mark.s3
def test_load_table_reads_s3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first cell reads the table from S3 with the kernel's environment alone."""
    weed_or_skip()
    job = Job(tmp_path, "multiclass", rows=80)
    with run_seaweedfs(tmp_path / "weed") as s3:
        s3.client().upload_file(str(job.data_path), s3.bucket, "automl/in put/data.csv")
        for key, value in s3.env().items():
            monkeypatch.setenv(key, value)
        notebook = notebooks.data_exploration_notebook(
            job.analysis, job_name="job", data_uri=f"s3://{s3.bucket}/automl/in put/data.csv"
        )
        namespace = _run_cells(notebook, 1)
    pd.testing.assert_frame_equal(namespace["data"], job.frame)
