"""examples/autopilot.ipynb runs top to bottom on the process runtime: an AutoML job of at
least five candidates, its two notebooks (run here too), the best candidate deployed as a
two-container inference pipeline that answers raw rows as the candidate's own objects do,
and a batch transform over the same pipeline."""

from __future__ import annotations

import re
import sqlite3
import tarfile
import time
from pathlib import Path

import joblib
import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from jupyter_mlstudio.services.jobs.automl.job import automl_pipeline as ap

from .test_examples import execute, outputs_text


def _run(path: Path) -> nbformat.NotebookNode:
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook,
        timeout=240,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    return notebook


def test_autopilot_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLSTUDIO_HOME", str(tmp_path))
    for var in (
        "MLSTUDIO_TRACKING_URI",
        "MLSTUDIO_DATABASE_URL",
        "MLSTUDIO_ARTIFACT_ROOT",
        "MLSTUDIO_RUNTIME",
    ):
        monkeypatch.delenv(var, raising=False)
    started = time.monotonic()
    notebook = execute("autopilot.ipynb", tmp_path)
    elapsed = time.monotonic() - started
    text = outputs_text(notebook)
    assert "status: Completed / MaxCandidatesReached" in text
    (count,) = re.findall(r"^(\d+) candidates$", text, flags=re.M)
    assert int(count) >= 5
    assert elapsed < 300, f"the notebook took {elapsed:.0f} s"

    # the candidates are training jobs of the studio's store, in the AutoML experiment
    with sqlite3.connect(tmp_path / "mlstudio.db") as db:
        (automl_job,) = db.execute("SELECT name FROM jobs WHERE kind = 'AutoMLJob'").fetchone()
        trained = db.execute(
            "SELECT COUNT(*) FROM jobs WHERE kind = 'TrainingJob' AND status = 'Completed'"
        ).fetchone()[0]
    assert trained == int(count)

    # the endpoint was a two-container pipeline: feature transform, then the algorithm
    containers = re.findall(r"^container (\d): (\S+) \((\S+)\)$", text, flags=re.M)
    assert [c[0] for c in containers] == ["1", "2"]

    # its answers are what the best candidate's fitted objects give for the raw rows
    (best,) = re.findall(r"^best candidate: (\S+)$", text, flags=re.M)
    (archive,) = (tmp_path / "artifacts" / "automl").glob(f"*/tuning/{best}/output/model.tar.gz")
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "best", filter="data")
    analysis = ap.Analysis.from_json((tmp_path / "best" / "analysis.json").read_text())
    transform = joblib.load(tmp_path / "best" / "feature-transform.joblib")
    estimator = joblib.load(tmp_path / "best" / "estimator.joblib")
    work = tmp_path / "autopilot-example"
    rows = pd.read_csv(work / "batch" / "customers.csv", header=None, names=list(analysis.columns))
    assert set(rows["plan"].dropna()) <= {"basic", "plus", "premium"}  # raw text went in
    features = transform.transform(ap.prepare_features(rows, analysis))
    labels = [str(v) for v in estimator.predict(features)]
    probabilities = estimator.predict_proba(features).max(axis=1)
    answers = re.findall(r"^customer \d+: (yes|no) \(probability ([0-9.]+)\)", text, flags=re.M)
    assert [a[0] for a in answers] == labels
    assert [float(a[1]) for a in answers] == pytest.approx(probabilities.tolist(), abs=6e-4)
    batch = (work / "batch-out" / "customers.csv.out").read_text().split()
    assert batch == labels  # batch transform through the same pipeline

    # both notebooks the job wrote run as they are
    for name in (
        "SageMakerAutopilotDataExplorationNotebook.ipynb",
        "SageMakerAutopilotCandidateDefinitionNotebook.ipynb",
    ):
        ran = _run(work / name)
        errors = [
            o for c in ran.cells for o in c.get("outputs", []) if o.get("output_type") == "error"
        ]
        assert errors == [], name
    assert automl_job in best
