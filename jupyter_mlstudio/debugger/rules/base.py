"""What a rule is, what it reads, and what it reports.

A rule evaluation job runs one :class:`Rule` (:mod:`.evaluate`): it calls
:meth:`Rule.check` every ``poll`` seconds while the training job runs and once more with
``final=True`` after it ended; the first :class:`Finding` ends the evaluation with
IssuesFound. A rule reads only through its :class:`RuleContext`: the training job's folder
(mounted read-only into the rule job), each host's saved tensors (:meth:`RuleContext.trial`),
each host's profiler samples and tracking-channel metrics. Standard library (and numpy in
the rules that read tensors): this package runs inside jobs.
"""

from __future__ import annotations

import abc
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: written by the studio into the training job's folder once that job has ended
ENDED_FILE = "ended.json"
#: a host's profiler samples, JSON lines, below the training job's folder
PROFILER_DIR = "profiler"
#: a host's tracking-channel metrics, below the host's /opt/ml
METRICS_FILE = "output/mlstudio/metrics.jsonl"


@dataclass(frozen=True)
class Finding:
    """Why a rule fired: a sentence a person reads (``StatusDetails``), and where."""

    message: str
    step: int | None = None
    host: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleContext:
    """Where a rule evaluation job finds the training job it watches.

    ``job_folder`` is the training job's folder (``<home>/jobs/<job>``): ``ml/`` is algo-1's
    ``/opt/ml``, ``hosts/<host>/ml`` the others', ``profiler/<host>.jsonl`` the samples,
    ``logs/<host>.log`` the logs. ``tensor_path`` is the hook's ``LocalPath`` below
    ``/opt/ml`` (``output/tensors``), or None when the job saves no tensors.
    """

    job_name: str
    job_folder: Path
    hosts: tuple[str, ...] = ("algo-1",)
    tensor_path: str | None = "output/tensors"
    profiler_interval_ms: int = 500
    #: when the training job was created (epoch s)
    created_at: float | None = None
    #: the rule job's own output folder (uploaded under the rule's output): reports go here
    output_folder: Path | None = None

    def host_ml(self, host: str) -> Path:
        """A host's ``/opt/ml`` in the training job's folder."""
        if host == "algo-1":
            return self.job_folder / "ml"
        return self.job_folder / "hosts" / host / "ml"

    def tensor_folders(self) -> list[Path]:
        """Each host's hook output folder (those that exist)."""
        if self.tensor_path is None:
            return []
        folders = [self.host_ml(host) / self.tensor_path for host in self.hosts]
        return [f for f in folders if f.is_dir()]

    def trial(self) -> Any:
        """The saved tensors of every host, as one trial (re-read on every call's
        ``refresh``; :func:`jupyter_mlstudio.debugger.trials.open_trial`)."""
        from ..trials import open_trial

        return open_trial(self.tensor_folders())

    def profiler_file(self, host: str) -> Path:
        """A host's profiler samples (JSON lines, one sample a line)."""
        return self.job_folder / PROFILER_DIR / f"{host}.jsonl"

    def metrics_file(self, host: str) -> Path:
        """A host's tracking-channel metrics (JSON lines written by ``mlstudio_job``)."""
        return self.host_ml(host) / METRICS_FILE

    def ended(self) -> dict[str, Any] | None:
        """The training job's end (``{"TrainingJobStatus": ..., "EndTime": epoch s}``), or
        None while it runs."""
        try:
            return dict(json.loads((self.job_folder / ENDED_FILE).read_text()))
        except (OSError, ValueError, TypeError):
            return None


class Rule(abc.ABC):
    """One built-in rule. Subclasses set ``name`` (SageMaker's) and implement
    :meth:`check`; ``parameters`` are parsed with their defaults (:mod:`.catalog`)."""

    name: str = ""

    def __init__(self, context: RuleContext, parameters: dict[str, Any]) -> None:
        self.context = context
        self.parameters = parameters
        #: what the rule could not read (a half-written step, say): reported, never fatal
        self.warnings: list[str] = []

    @abc.abstractmethod
    def check(self, final: bool) -> Finding | None:
        """Look at what is new since the last call; a Finding when the rule fires.

        Args:
            final: The training job has ended and everything it wrote is there.

        Returns:
            The finding, or None (nothing wrong yet).
        """

    def warn(self, message: str) -> None:
        """Report something the rule skipped (kept once)."""
        if message not in self.warnings:
            self.warnings.append(message)
            print(f"[{self.name}] warning: {message}", flush=True)


def now() -> float:
    """Epoch seconds (one place, so tests can follow the clock)."""
    return time.time()
