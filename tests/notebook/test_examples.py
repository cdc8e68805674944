"""The example notebooks run top to bottom (with a fresh studio home)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def execute(name: str, home: Path) -> nbformat.NotebookNode:
    notebook = nbformat.read(EXAMPLES / name, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=240,
        kernel_name="python3",
        resources={"metadata": {"path": str(home)}},
    )
    client.execute()
    return notebook


def outputs_text(notebook: nbformat.NotebookNode) -> str:
    parts: list[str] = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append(str(output.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def test_experiments_sweep_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLSTUDIO_HOME", str(tmp_path))
    for var in ("MLSTUDIO_TRACKING_URI", "MLSTUDIO_DATABASE_URL", "MLSTUDIO_ARTIFACT_ROOT"):
        monkeypatch.delenv(var, raising=False)
    notebook = execute("experiments_sweep.ipynb", tmp_path)
    text = outputs_text(notebook)
    assert "6 runs logged" in text
    assert "val_loss - Min" in text
    assert "baseline-majority" in text
    assert (tmp_path / "mlstudio.db").exists()
    # the plotly outputs carry the logged data
    widgets = [
        o
        for cell in notebook.cells
        for o in cell.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert len(widgets) == 2
