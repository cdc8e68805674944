"""The IPython magics and plotly charts, in a real InteractiveShell on a SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell

from jupyter_mlstudio.sdk import TrackingClient
from jupyter_mlstudio.sdk import client as client_module
from jupyter_mlstudio.sdk.plots import smooth


@pytest.fixture
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    monkeypatch.setenv("MLSTUDIO_TRACKING_URI", f"sqlite:///{tmp_path / 'nb.db'}")
    monkeypatch.setenv("MLSTUDIO_ARTIFACT_ROOT", str(tmp_path / "artifacts"))
    before = set(client_module._clients)
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "jupyter_mlstudio")
    yield ip
    for key in set(client_module._clients) - before:
        client_module._clients.pop(key).close()
    InteractiveShell.clear_instance()


def run_cell(ip: InteractiveShell, source: str) -> Any:
    return ip.run_cell(source)


def test_cell_magic_records_a_completed_run(shell: InteractiveShell) -> None:
    source = (
        "%%mlstudio_run sweep --name lr-1\n"
        "run.log_parameter('lr', 0.1)\n"
        "for step, loss in enumerate([3.0, 2.0, 1.0]):\n"
        "    run.log_metric('loss', loss, step=step)\n"
    )
    result = run_cell(shell, source)
    assert result.success
    client = TrackingClient.for_uri()
    run = client.get_trial_component("sweep-lr-1")
    assert run.status.primary_status == "Completed"
    assert run.parameters == {"lr": 0.1}
    (loss,) = run.metrics
    assert (loss.count, loss.min, loss.max, loss.last) == (3, 1.0, 3.0, 1.0)
    assert run.input_artifacts["cell"].media_type == "text/x-python"
    assert run.end_time is not None


def test_cell_magic_marks_a_failing_cell_failed(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    run_cell(shell, "%%mlstudio_run sweep --name broken\nrun.log_metric('loss', 1.0)\n1 / 0\n")
    run = TrackingClient.for_uri().get_trial_component("sweep-broken")
    assert run.status.primary_status == "Failed"
    assert "ZeroDivisionError" in (run.status.message or "")
    assert "failed" in capsys.readouterr().out


def test_line_magics_list_compare_and_report_usage(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, losses in (("a", [4.0, 2.0, 1.0]), ("b", [5.0, 4.0, 3.0])):
        run_cell(
            shell,
            f"%%mlstudio_run sweep --name {name}\n"
            f"for i, v in enumerate({losses}):\n"
            "    run.log_metric('loss', v, step=i)\n",
        )
    experiments = shell.run_line_magic("mlstudio", "experiments")
    assert list(experiments["ExperimentName"]) == ["sweep"]
    assert int(experiments["Runs"].iloc[0]) == 2

    runs = shell.run_line_magic("mlstudio", "runs sweep")
    assert len(runs) == 2
    by_name = runs.set_index("TrialComponentName")
    assert by_name.loc["sweep-a", "loss - Min"] == 1.0
    assert by_name.loc["sweep-b", "loss - Last"] == 3.0

    figure = shell.run_line_magic("mlstudio", "compare sweep --metric loss --static")
    traces = {t.name: list(t.y) for t in figure.data}
    assert traces == {"sweep-a": [4.0, 2.0, 1.0], "sweep-b": [5.0, 4.0, 3.0]}
    assert figure.layout.yaxis.type == "linear"

    only_a = shell.run_line_magic("mlstudio", "compare sweep --metric loss --runs a --log")
    assert [t.name for t in only_a.data] == ["sweep-a"]
    assert only_a.layout.yaxis.type == "log"
    assert type(only_a).__name__ == "FigureWidget"

    assert shell.run_line_magic("mlstudio", "compare sweep") is None
    assert "--metric" in capsys.readouterr().out
    assert shell.run_line_magic("mlstudio", "compare sweep --metric nope --static") is None
    assert "nope" in capsys.readouterr().out


def test_smoothing_is_a_bias_corrected_moving_average() -> None:
    assert smooth([1.0, 1.0, 1.0], 0.9) == pytest.approx([1.0, 1.0, 1.0])
    assert smooth([0.0, 10.0], 0.5) == pytest.approx([0.0, 10.0 * 0.5 / 0.75])
    assert smooth([2.0, 4.0], 0.0) == [2.0, 4.0]
