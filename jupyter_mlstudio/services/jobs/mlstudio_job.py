"""Log to the job's run from inside a training or processing job: standard library only.

Inside a job, on any runtime and in any image with Python 3.8 or newer::

    from mlstudio_job import load_run

    with load_run() as run:
        run.log_parameter("learning_rate", 0.1)
        run.log_metric(name="loss", value=0.42, step=1)

Each call appends one JSON line to the job's tracking channel, the file named by
``MLSTUDIO_METRICS_FILE`` (``/opt/ml/output/mlstudio/metrics.jsonl`` in a container). The
studio's supervisor of the job reads the file while the job runs and logs what it finds to
the job's run — the run named by ``ExperimentConfig.RunName``, else the job's own
``<job>-aws-training-job`` / ``<job>-aws-processing-job``. Nothing here needs the network,
the studio's database or the studio's package.

The studio copies this file into every job as ``/opt/ml/.mlstudio/python/mlstudio_job.py``
and puts that folder on ``PYTHONPATH`` for the studio's own image and the process runtime;
in another image add ``/opt/ml/.mlstudio/python`` to ``sys.path`` (or copy the file in).
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Mapping
from typing import Any

ENV_FILE = "MLSTUDIO_METRICS_FILE"
DEFAULT_FILE = "/opt/ml/output/mlstudio/metrics.jsonl"

__all__ = ["Run", "load_run"]


def _seconds(timestamp: Any) -> float:
    if timestamp is None:
        return time.time()
    if hasattr(timestamp, "timestamp"):  # a datetime (naive: local time, as Python reads it)
        return float(timestamp.timestamp())
    return float(timestamp)


class Run:
    """The job's run, as far as a job can write to it: metrics and parameters."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.experiment_name = os.environ.get("MLSTUDIO_EXPERIMENT_NAME")
        self.run_name = os.environ.get("MLSTUDIO_RUN_NAME")

    def log_metric(
        self, name: str, value: float, timestamp: Any = None, step: int | None = None
    ) -> None:
        """One point of metric ``name``; ``step`` an int or None, ``timestamp`` seconds
        since the epoch or a datetime (default: now). ValueError for a non-finite value."""
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"metric {name!r}: {value!r} is not a finite number")
        record: dict[str, Any] = {
            "metric": str(name),
            "value": number,
            "timestamp": _seconds(timestamp),
        }
        if step is not None:
            record["step"] = int(step)
        self._write(record)

    def log_parameter(self, name: str, value: Any) -> None:
        """A parameter (number or string; anything else is recorded as its string)."""
        self.log_parameters({name: value})

    def log_parameters(self, parameters: Mapping[str, Any]) -> None:
        values: dict[str, Any] = {}
        for key, value in dict(parameters).items():
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                value = str(value)
            values[str(key)] = value
        self._write({"parameters": values})

    def _write(self, record: Mapping[str, Any]) -> None:
        line = (json.dumps(record, separators=(",", ":"), allow_nan=False) + "\n").encode()
        # one append per record: lines of several processes never interleave
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)

    def close(self) -> None:
        """Nothing to release: every record is written when it is logged."""

    def __enter__(self) -> Run:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def load_run(
    run_name: str | None = None, experiment_name: str | None = None, sagemaker_session: Any = None
) -> Run:
    """The job's run. ``run_name``/``experiment_name``, when given, must be the job's
    (``MLSTUDIO_RUN_NAME``/``MLSTUDIO_EXPERIMENT_NAME``): a job logs to its own run only."""
    run = Run(os.environ.get(ENV_FILE) or DEFAULT_FILE)
    for given, own, what in (
        (run_name, run.run_name, "run"),
        (experiment_name, run.experiment_name, "experiment"),
    ):
        if given is not None and given != own:
            raise ValueError(f"this job logs to its own run only, not to {what} {given!r}")
    folder = os.path.dirname(run.path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    return run
