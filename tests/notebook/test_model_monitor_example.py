"""examples/model_monitor.ipynb runs top to bottom on the process runtime: the run over
normal traffic finds no violations; the run over shifted traffic finds a
baseline_drift_check and a data_type_check, in the files the SDK reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .test_examples import execute, outputs_text


def test_model_monitor_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLSTUDIO_HOME", str(tmp_path))
    for var in (
        "MLSTUDIO_TRACKING_URI",
        "MLSTUDIO_DATABASE_URL",
        "MLSTUDIO_ARTIFACT_ROOT",
        "MLSTUDIO_RUNTIME",
    ):
        monkeypatch.delenv(var, raising=False)
    text = outputs_text(execute("model_monitor.ipynb", tmp_path))
    assert "rows profiled: 2000" in text
    assert re.search(r"-normal Completed ->", text)
    assert "violations: []" in text
    assert re.search(r"-shifted CompletedWithViolations ->", text)
    shifted = text.split("-shifted CompletedWithViolations", 1)[1]
    assert re.search(r"tenure\s+baseline_drift_check", shifted)
    assert re.search(r"support_calls\s+data_type_check", shifted)
    assert "saved to" in text
