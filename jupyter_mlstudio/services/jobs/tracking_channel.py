"""The job tracking channel: what a job logs with :mod:`.mlstudio_job` reaches its run.

Job side: :mod:`.mlstudio_job` (standard library only) appends JSON lines to
``/opt/ml/output/mlstudio/metrics.jsonl`` of its host — ``{"metric", "value",
"timestamp", "step"}`` or ``{"parameters": {...}}``. Studio side: :func:`install` copies
that module into every host's ``/opt/ml/.mlstudio/python/`` before the start,
:func:`channel_env` points the job at both, and the supervisor's :class:`ChannelReader`
reads each host's file from where it stopped (the offset is kept in
``<job>/logs/<host>.channel``, so a re-attached supervisor goes on from there) and logs
the points and parameters to the job's run. Malformed lines are skipped with a warning.

No image change is needed: the folder is in every host's ``/opt/ml`` (bind-mounted on
docker). ``PYTHONPATH`` gets the folder on the process runtime and in the studio's image;
another image keeps its own ``PYTHONPATH`` (a container's environment would replace the
image's) and its scripts add ``/opt/ml/.mlstudio/python`` to ``sys.path``.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ...entities import MetricPoint
from ...exceptions import ValidationError
from ...runtime.base import JobRunner
from ...runtime.images import DEFAULT_TAG
from ...store.base import MetadataStore
from . import mlstudio_job

log = logging.getLogger(__name__)

MODULE_DIR = ".mlstudio/python"  # below /opt/ml
CHANNEL_FILE = "output/mlstudio/metrics.jsonl"  # below /opt/ml
MAX_READ = 4 * 1024 * 1024


def install(ml_dir: Path) -> None:
    """Put :mod:`.mlstudio_job` and the channel's folder into a host's ``/opt/ml``."""
    target = ml_dir / MODULE_DIR
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(mlstudio_job.__file__, target / "mlstudio_job.py")
    (ml_dir / CHANNEL_FILE).parent.mkdir(parents=True, exist_ok=True)


def channel_env(
    runner: JobRunner, ml_dir: Path, image: str | None, env: Mapping[str, str]
) -> dict[str, str]:
    """The variables that point a host at its channel (merged into ``env``'s
    PYTHONPATH, and on the process runtime the studio's own)."""
    out = {mlstudio_job.ENV_FILE: runner.ml_path(ml_dir, CHANNEL_FILE)}
    if runner.name == "process" or image in (None, DEFAULT_TAG):
        inherited = env.get("PYTHONPATH")
        if inherited is None and runner.name == "process":
            inherited = os.environ.get("PYTHONPATH")
        out["PYTHONPATH"] = os.pathsep.join(
            p for p in (runner.ml_path(ml_dir, MODULE_DIR), inherited) if p
        )
    return out


class ChannelReader:
    """Reads one host's channel file on from a remembered offset."""

    def __init__(self, path: Path, offset_file: Path) -> None:
        self.path = path
        self.offset_file = offset_file
        try:
            self.offset = int(offset_file.read_text())
        except (OSError, ValueError):
            self.offset = 0
        self._pending = self.offset

    def read(self) -> tuple[list[MetricPoint], dict[str, float | str]]:
        """The complete lines written since the last read (a partial last line waits)."""
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self.offset)
                data = handle.read(MAX_READ)
        except OSError:
            return [], {}
        end = data.rfind(b"\n") + 1
        if not end:
            if len(data) == MAX_READ:  # no line ends in 4 MiB: not a channel's line
                log.warning("%s: skipping %d bytes without a line end", self.path, len(data))
                self._pending = self.offset + len(data)
            return [], {}  # nothing new, or an unfinished line
        points: list[MetricPoint] = []
        parameters: dict[str, float | str] = {}
        for line in data[:end].splitlines():
            try:
                _parse(json.loads(line), points, parameters)
            except (ValueError, TypeError, KeyError, AttributeError):
                log.warning("%s: a line that is no metric or parameter: %.200r", self.path, line)
        self._pending = self.offset + end
        return points, parameters

    def commit(self) -> None:
        """What :meth:`read` returned is logged: go on after it next time."""
        if self._pending == self.offset:
            return
        self.offset = self._pending
        try:
            self.offset_file.write_text(str(self.offset))
        except OSError:
            log.warning("cannot keep the channel offset in %s", self.offset_file, exc_info=True)


def _parse(record: Any, points: list[MetricPoint], parameters: dict[str, float | str]) -> None:
    if "parameters" in record:
        for key, value in dict(record["parameters"]).items():
            ok = isinstance(value, (int, float, str)) and not isinstance(value, bool)
            parameters[str(key)] = value if ok else str(value)
        return
    value = float(record["value"])
    if not math.isfinite(value):
        raise ValueError("not finite")
    step = record.get("step")
    points.append(
        MetricPoint(
            metric_name=str(record["metric"]),
            value=value,
            step=None if step is None else int(step),
            timestamp=datetime.fromtimestamp(float(record["timestamp"]), timezone.utc),
        )
    )


def log_to_run(
    store: MetadataStore,
    run: str,
    points: list[MetricPoint],
    parameters: dict[str, float | str],
) -> None:
    """Log to the run; a batch the store refuses (a bad metric name) goes point by point,
    the refused points are skipped. StudioError (the store is down) propagates."""
    if parameters:
        store.update_trial_component(run, parameters=parameters)
    if not points:
        return
    try:
        store.log_metrics(run, points)
    except ValidationError:
        for point in points:
            try:
                store.log_metrics(run, [point])
            except ValidationError as exc:
                log.warning("run %s: point of %r refused: %s", run, point.metric_name, exc)
