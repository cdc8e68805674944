"""examples/training_jobs.ipynb runs top to bottom: script-mode jobs on the process runtime."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .test_examples import execute, outputs_text


def test_training_jobs_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLSTUDIO_HOME", str(tmp_path))
    for var in (
        "MLSTUDIO_TRACKING_URI",
        "MLSTUDIO_DATABASE_URL",
        "MLSTUDIO_ARTIFACT_ROOT",
        "MLSTUDIO_RUNTIME",  # the notebook's own default: the process runtime
    ):
        monkeypatch.delenv(var, raising=False)
    notebook = execute("training_jobs.ipynb", tmp_path)
    text = outputs_text(notebook)
    assert "runtime: process" in text
    assert "3 jobs completed" in text
    # the logs were watched: one val_accuracy line per job while fitting, then the attached one
    assert len(re.findall(r"^val_accuracy=0\.\d{4}$", text, flags=re.M)) == 4
    # ExperimentAnalytics compares the three runs
    for run_name in ("c-0-01", "c-1", "c-100"):
        assert run_name in text
    assert "val:accuracy - Last" in text
    # each job's model_data is a model.tar.gz holding the script's model
    models = re.findall(r"(file://\S+/output/model\.tar\.gz) \['model\.joblib'\]", text)
    assert len(models) == 3
    for uri in models:
        assert Path(uri.removeprefix("file://")).is_file()
    assert (tmp_path / "mlstudio.db").exists()
    assert (tmp_path / "training-example" / "src" / "train.py").is_file()
