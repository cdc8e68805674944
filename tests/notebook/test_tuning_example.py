"""examples/tuning.ipynb runs top to bottom: a Random and a Bayesian tuning job of one
scikit-learn script-mode script on the process runtime, their analytics DataFrames, the
best-so-far chart, and the best model deployed, asked for predictions and deleted.

What the notebook shows is checked against the studio's store and against the models the
training jobs left: every job's hyperparameters reached the script (the saved forest has
them) and its objective is the AUC that forest scores on the validation channel."""

from __future__ import annotations

import ast
import base64
import json
import re
import sqlite3
import tarfile
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from .test_examples import execute, outputs_text

STRATEGIES = ("Random", "Bayesian")
TUNED = ("n-estimators", "max-depth", "min-samples-leaf", "criterion")


class _Table(HTMLParser):
    """The rows of a DataFrame's HTML display, as {column: text}."""

    def __init__(self) -> None:
        super().__init__()
        self.header: list[str] = []
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "tr":
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = []

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self.header:
                self.rows.append(self._row)
            else:
                self.header = self._row
            self._row = None

    def records(self) -> list[dict[str, str]]:
        """Each row by column name (the index column left out)."""
        return [dict(zip(self.header[1:], row[1:], strict=True)) for row in self.rows]


def dataframes(notebook: Any) -> list[list[dict[str, str]]]:
    """The analytics DataFrames the notebook displayed, in order."""
    found = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html", "")
            if "FinalObjectiveValue" in html:
                table = _Table()
                table.feed(html)
                found.append(table.records())
    return found


def _values(array: Any) -> list[Any]:
    """A plotly JSON array: a list, or a typed array (``{"dtype", "bdata"}``, base64)."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def chart(notebook: Any) -> dict[str, tuple[list[Any], list[Any]]]:
    """The plotly figure's traces by name, as (x, y)."""
    (figure,) = [
        output["data"]["application/vnd.plotly.v1+json"]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "application/vnd.plotly.v1+json" in output.get("data", {})
    ]
    return {t["name"]: (_values(t["x"]), _values(t["y"])) for t in figure["data"]}


def stored_training_jobs(home: Path, tuning_job: str) -> dict[str, dict[str, Any]]:
    """The tuning job's training jobs as the studio's store holds them."""
    with sqlite3.connect(home / "mlstudio.db") as db:
        rows = db.execute(
            "SELECT name, status, spec, outputs FROM jobs WHERE kind = 'TrainingJob'"
            " AND name LIKE ?",
            (f"{tuning_job}-%",),
        ).fetchall()
    jobs = {}
    for name, status, spec, outputs in rows:
        (metric,) = json.loads(outputs)["FinalMetricDataList"]
        assert metric["MetricName"] == "validation:auc"
        jobs[name] = {
            "status": status,
            "hyperparameters": json.loads(spec)["HyperParameters"],
            "value": metric["Value"],
            "number": int(name.split("-")[-2]),
        }
    return jobs


def forest(home: Path, job_name: str) -> Any:
    """The model a training job saved (its model.tar.gz)."""
    archive = home / "artifacts" / "jobs" / job_name / "output" / "model.tar.gz"
    folder = home / "check" / job_name
    with tarfile.open(archive) as tar:
        tar.extract("model.joblib", folder, filter="data")
    return joblib.load(folder / "model.joblib")


def _line(text: str, prefix: str) -> str:
    (found,) = re.findall(rf"^{re.escape(prefix)}(.*)$", text, flags=re.M)
    return found


def test_tuning_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLSTUDIO_HOME", str(tmp_path))
    for var in (
        "MLSTUDIO_TRACKING_URI",
        "MLSTUDIO_DATABASE_URL",
        "MLSTUDIO_ARTIFACT_ROOT",
        "MLSTUDIO_RUNTIME",  # the notebook's own default: the process runtime
    ):
        monkeypatch.delenv(var, raising=False)
    started = time.monotonic()
    notebook = execute("tuning.ipynb", tmp_path)
    elapsed = time.monotonic() - started
    text = outputs_text(notebook)
    assert "runtime: process" in text
    assert elapsed < 120, f"the notebook took {elapsed:.0f} s"

    validation = np.loadtxt(
        tmp_path / "tuning-example" / "data" / "validation" / "validation.csv", delimiter=","
    )
    x_val, y_val = validation[:, 1:], validation[:, 0]
    names = dict(re.findall(r"^(Random|Bayesian) (rf-\S+)$", text, flags=re.M))
    assert sorted(names) == sorted(STRATEGIES)
    best_value = {}
    traces = chart(notebook)
    for strategy, frame in zip(STRATEGIES, dataframes(notebook), strict=True):
        jobs = stored_training_jobs(tmp_path, names[strategy])
        # the analytics DataFrame: one row per training job, as the store has them
        assert len(frame) == len(jobs) == 6
        assert {row["TrainingJobName"] for row in frame} == set(jobs)
        for row in frame:
            job = jobs[row["TrainingJobName"]]
            assert row["TrainingJobStatus"] == job["status"] == "Completed"
            assert float(row["FinalObjectiveValue"]) == job["value"]
            for name in TUNED:
                assert str(row[name]).removesuffix(".0") == job["hyperparameters"][name]
            # the script got the hyperparameters and printed the AUC of what it trained
            model = forest(tmp_path, row["TrainingJobName"])
            assert model.n_estimators == int(job["hyperparameters"]["n-estimators"])
            assert model.max_depth == int(job["hyperparameters"]["max-depth"])
            assert model.min_samples_leaf == int(job["hyperparameters"]["min-samples-leaf"])
            assert model.criterion == job["hyperparameters"]["criterion"]
            auc = roc_auc_score(y_val, model.predict_proba(x_val)[:, 1])
            assert job["value"] == pytest.approx(auc, abs=5e-6)
        best_value[strategy] = max(job["value"] for job in jobs.values())

        # Session.wait_for_tuning_job's description, and best_training_job(): the best
        waited = rf"^{strategy}: Completed, 6 jobs completed, best ([0-9.]+) \((\S+)\)$"
        ((value, best_job),) = re.findall(waited, text, flags=re.M)
        assert float(value) == best_value[strategy]
        assert jobs[best_job]["value"] == best_value[strategy]
        assert _line(text, f"{strategy} best job: ") == best_job

        # the chart: each job's objective, and the running maximum, by job number
        in_order = [job["value"] for job in sorted(jobs.values(), key=lambda j: j["number"])]
        running = np.maximum.accumulate(in_order).tolist()
        assert traces[f"{strategy} job"] == ([1, 2, 3, 4, 5, 6], in_order)
        assert traces[f"{strategy} best so far"] == ([1, 2, 3, 4, 5, 6], running)
        assert running[-1] == best_value[strategy]
        assert ast.literal_eval(_line(text, f"{strategy} best so far: ")) == [
            round(v, 5) for v in running
        ]

    # the better tuner's best job was deployed, answered for its model and was deleted
    winner, deployed = _line(text, "winner: ").split()
    assert winner in STRATEGIES
    assert best_value[winner] == max(best_value.values())
    assert deployed == _line(text, f"{winner} best job: ")
    assert _line(text, "model: ") == (
        f"file://{tmp_path}/artifacts/jobs/{deployed}/output/model.tar.gz"
    )
    assert "!\n" in text  # deploy's progress ended in service
    assert _line(text, "endpoint: ") == deployed
    expected = forest(tmp_path, deployed).predict(x_val[:10]).astype(int).tolist()
    assert ast.literal_eval(_line(text, "predicted: ")) == expected
    assert ast.literal_eval(_line(text, "actual:    ")) == y_val[:10].astype(int).tolist()
    assert _line(text, "deleted ") == deployed
    with sqlite3.connect(tmp_path / "mlstudio.db") as db:
        for table in ("endpoints", "endpoint_configs", "models"):
            assert db.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
    assert (tmp_path / "tuning-example" / "src" / "train.py").is_file()
