"""examples/debugger.ipynb runs top to bottom on the process runtime: the diverging SGD
training is stopped by LossNotDecreasing within seconds, the healthy one passes every rule,
and the saved tensors read back with ``create_trial``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .test_examples import execute, outputs_text


def test_debugger_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLSTUDIO_HOME", str(tmp_path))
    for var in (
        "MLSTUDIO_TRACKING_URI",
        "MLSTUDIO_DATABASE_URL",
        "MLSTUDIO_ARTIFACT_ROOT",
        "MLSTUDIO_RUNTIME",
    ):
        monkeypatch.delenv(var, raising=False)
    text = outputs_text(execute("debugger.ipynb", tmp_path))
    (seconds,) = re.findall(r"status: Stopped after ([0-9.]+) s", text)
    assert float(seconds) < 30  # planned for about 20 s of epochs: stopped early
    assert re.search(
        r"LossNotDecreasing: IssuesFound .*StopTraining: the training job was stopped", text
    )
    assert "status: Completed" in text
    healthy = text.split("status: Completed", 1)[1]
    assert "LossNotDecreasing: NoIssuesFound" in healthy
    assert "ExplodingTensor: NoIssuesFound" in healthy
    assert re.search(r"ProfilerReport: (NoIssuesFound|IssuesFound)", healthy)
    assert "'loss'" in text  # the trial's tensor names
