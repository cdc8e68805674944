"""IPython magics: ``%load_ext jupyter_mlstudio``, then

- ``%mlstudio experiments [--contains TEXT]`` — experiments with run counts (a DataFrame)
- ``%mlstudio runs EXPERIMENT`` — one row per run: parameters and metric summaries
- ``%mlstudio compare EXPERIMENT --metric NAME [--runs a,b] [--log] [--smooth 0.6]`` —
  a plotly chart of the metric against step for the experiment's runs
- ``%%mlstudio_run EXPERIMENT [--name RUN]`` — run the cell as a tracked run; the cell sees
  the run as ``run`` (``run.log_metric(...)``), its source is saved as the artifact
  ``cell.py``, and the run ends Completed, or Failed if the cell raises.
"""

from __future__ import annotations

import argparse
import os
import shlex
import tempfile
from typing import Any

from IPython.core.magic import Magics, cell_magic, line_magic, magics_class

from ..exceptions import StudioError
from .analytics import ExperimentAnalytics
from .client import resolve_client
from .plots import plot_metric
from .run import Run


class MagicUsageError(Exception):
    """Bad magic arguments; shown as a one-line message."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # never exit the kernel
        raise MagicUsageError(f"{self.prog}: {message}")


def _line_parser() -> _Parser:
    parser = _Parser(prog="%mlstudio", add_help=False)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    experiments = sub.add_parser("experiments", add_help=False)
    experiments.add_argument("--contains", default=None)
    runs = sub.add_parser("runs", add_help=False)
    runs.add_argument("experiment")
    compare = sub.add_parser("compare", add_help=False)
    compare.add_argument("experiment")
    compare.add_argument("--metric", required=True)
    compare.add_argument("--runs", default=None, help="comma-separated run names")
    compare.add_argument("--log", action="store_true", help="log-scale y axis")
    compare.add_argument("--smooth", type=float, default=0.0)
    compare.add_argument("--static", action="store_true", help="a plain Figure, no widget")
    return parser


def _cell_parser() -> _Parser:
    parser = _Parser(prog="%%mlstudio_run", add_help=False)
    parser.add_argument("experiment")
    parser.add_argument("--name", default=None, help="run name (generated when omitted)")
    return parser


def experiments_frame(contains: str | None = None) -> Any:
    import pandas as pd

    client = resolve_client()
    rows = [
        {
            "ExperimentName": e.experiment_name,
            "DisplayName": e.display_name,
            "Runs": e.trial_component_count,
            "Trials": e.trial_count,
            "CreationTime": e.creation_time,
        }
        for e in client.iter_experiments()
        if contains is None or contains.lower() in e.experiment_name.lower()
    ]
    columns = ["ExperimentName", "DisplayName", "Runs", "Trials", "CreationTime"]
    return pd.DataFrame(rows, columns=columns)


@magics_class
class StudioMagics(Magics):
    @line_magic
    def mlstudio(self, line: str) -> Any:
        try:
            args = _line_parser().parse_args(shlex.split(line))
            if args.command == "experiments":
                return experiments_frame(args.contains)
            if args.command == "runs":
                return ExperimentAnalytics(experiment_name=args.experiment).dataframe()
            if args.command == "compare":
                runs = [r.strip() for r in args.runs.split(",")] if args.runs else None
                return plot_metric(
                    args.experiment,
                    args.metric,
                    runs=runs,
                    log_y=args.log,
                    smoothing=args.smooth,
                    widget=not args.static,
                )
            raise MagicUsageError(
                "usage: %mlstudio experiments | runs EXPERIMENT | compare EXPERIMENT --metric NAME"
            )
        except (MagicUsageError, StudioError) as exc:
            print(f"mlstudio: {exc}")
            return None

    @cell_magic
    def mlstudio_run(self, line: str, cell: str) -> Any:
        try:
            args = _cell_parser().parse_args(shlex.split(line))
        except MagicUsageError as exc:
            print(f"mlstudio: {exc}")
            return None
        shell = self.shell
        assert shell is not None
        try:
            with Run(experiment_name=args.experiment, run_name=args.name) as run:
                with tempfile.TemporaryDirectory() as folder:
                    source = os.path.join(folder, "cell.py")
                    with open(source, "w", encoding="utf-8") as handle:
                        handle.write(cell)
                    run.log_file(source, name="cell", media_type="text/x-python", is_output=False)
                shell.user_ns["run"] = run
                result = shell.run_cell(cell)
                if result.error_in_exec is not None:
                    # The traceback is already shown; end the run Failed with its message.
                    raise _CellFailed(
                        f"{type(result.error_in_exec).__name__}: {result.error_in_exec}"
                    )
        except _CellFailed as exc:
            print(f"mlstudio: run {run.run_name!r} failed: {exc}")
        except StudioError as exc:
            print(f"mlstudio: {exc}")
        return None


class _CellFailed(Exception):
    pass


def load_ipython_extension(ipython: Any) -> None:
    ipython.register_magics(StudioMagics)
