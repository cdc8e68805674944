"""examples/endpoints.ipynb runs top to bottom: a scikit-learn script-mode model trained,
deployed, invoked with CSV and JSON, split 70/30 with a second version, watched, compared
with a batch transform and deleted, on the process runtime with real model servers."""

from __future__ import annotations

import ast
import re
import sqlite3
import tarfile
import time
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split

from .test_examples import execute, outputs_text


def _line(text: str, prefix: str) -> str:
    (found,) = re.findall(rf"^{re.escape(prefix)}(.*)$", text, flags=re.M)
    return found


def test_endpoints_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLSTUDIO_HOME", str(tmp_path))
    for var in (
        "MLSTUDIO_TRACKING_URI",
        "MLSTUDIO_DATABASE_URL",
        "MLSTUDIO_ARTIFACT_ROOT",
        "MLSTUDIO_RUNTIME",  # the notebook's own default: the process runtime
    ):
        monkeypatch.delenv(var, raising=False)
    started = time.monotonic()
    notebook = execute("endpoints.ipynb", tmp_path)
    elapsed = time.monotonic() - started
    text = outputs_text(notebook)
    assert "runtime: process" in text
    assert elapsed < 180, f"the notebook took {elapsed:.0f} s"

    # the endpoint answers the trained model's own predictions for the held-out rows
    (model_data,) = re.findall(r"^(file://\S+/output/model\.tar\.gz)$", text, flags=re.M)
    with tarfile.open(model_data.removeprefix("file://")) as tar:
        tar.extract("model.joblib", tmp_path / "check", filter="data")
    model = joblib.load(tmp_path / "check" / "model.joblib")
    iris = load_iris()
    _, x_test, _, y_test = train_test_split(
        iris.data, iris.target, test_size=30, stratify=iris.target, random_state=0
    )
    expected = model.predict(x_test).astype(int).tolist()
    assert "!\n" in text  # deploy's progress ended in service
    assert re.search(r"^iris-tree-\S+ InService$", text, flags=re.M)
    assert ast.literal_eval(_line(text, "predicted: ")) == expected
    assert ast.literal_eval(_line(text, "actual:    ")) == y_test.tolist()
    accuracy = float(_line(text, "accuracy: "))
    assert accuracy == pytest.approx(np.mean(np.array(expected) == y_test), abs=5e-4)
    assert accuracy > 0.8
    # JSON in, twice (a list of rows and {"instances": ...}): the same first five labels
    json_answers = re.findall(r"^(\[[0-9., ]+\])$", text, flags=re.M)
    assert [ast.literal_eval(a) for a in json_answers] == [[float(v) for v in expected[:5]]] * 2

    # two variants at 70/30 after the update, and the split over 200 requests
    assert "{'v1': 0.7, 'v2': 0.3}" in text
    ((v1, v2),) = re.findall(r"^\{'v1': (\d+), 'v2': (\d+)\}$", text, flags=re.M)
    split = {"v1": int(v1), "v2": int(v2)}
    assert split["v1"] + split["v2"] == 200
    assert 110 <= split["v1"] <= 170, split  # 140 expected; ±30 is more than 4 sigma
    # target_variant: each version answered the held-out rows itself
    assert float(_line(text, "v1: accuracy ")) == pytest.approx(accuracy, abs=5e-4)
    assert float(_line(text, "v2: accuracy ")) > 0.8

    # per-variant figures: the 200 requests and the targeted one, no errors
    figures = {
        name: (int(calls), int(e4), int(e5))
        for name, calls, e4, e5 in re.findall(r"^(v[12])\s+(\d+)\s+(\d+)\s+(\d+)\s", text, re.M)
    }
    assert figures == {"v1": (split["v1"] + 1, 0, 0), "v2": (split["v2"] + 1, 0, 0)}
    # every request was captured, with its variant
    captured = ast.literal_eval(_line(text, "captured: "))
    assert captured == {"AllTraffic": 3, "v1": split["v1"] + 1, "v2": split["v2"] + 1}
    capture_root = tmp_path / "artifacts" / "data-capture"
    variants = {f.relative_to(capture_root).parts[1] for f in capture_root.rglob("*.jsonl")}
    assert variants == {"AllTraffic", "v1", "v2"}

    # batch transform of the held-out rows: the endpoint's predictions, in test.csv.out
    assert ast.literal_eval(_line(text, "batch: ")) == expected
    assert "same as the endpoint: True" in text
    written = np.loadtxt(tmp_path / "endpoints-example" / "batch-out" / "test.csv.out")
    assert written.astype(int).tolist() == expected

    # deleted: the endpoint, its configurations, the models, the instance folders
    assert re.search(r"^deleted: Endpoint 'iris-tree-\S+' does not exist$", text, flags=re.M)
    with sqlite3.connect(tmp_path / "mlstudio.db") as db:
        for table in ("endpoints", "endpoint_configs", "models"):
            assert db.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
    endpoints = tmp_path / "endpoints"
    assert not endpoints.exists() or not any(endpoints.iterdir())
    assert (tmp_path / "endpoints-example" / "src" / "train.py").is_file()
