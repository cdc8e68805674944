"""An AutoML job's data: reading its input, the analysis and the split, and where the
job keeps its files (``<S3OutputPath>/<job>/...`` or the studio's ``automl/<job>/...``).

The AnalyzingData stage is :func:`analyse_input`: every channel read (CSV files under a
prefix, gzipped or not), the table analysed, the objective checked against the problem
type, the labelled rows split once (or the validation channel used as the holdout), and
four files written: ``data/table`` (the whole table, for the data exploration notebook),
``data/train``, ``data/validation`` and ``data/analysis`` (what every candidate reads).
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ....artifacts import transfer
from ....artifacts.base import ArtifactStore
from ....exceptions import StudioError
from .job import automl_pipeline as ap
from .requests import CreateAutoMLJobRequest


class StageFailed(Exception):
    """The job cannot go on; ``field`` names the request field at fault, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class Location:
    """Where a job keeps its files: ``root`` is ``<S3OutputPath>/<job>`` or the studio's
    artifact store prefix ``automl/<job>``."""

    destination: str | None  # S3OutputPath as given, or None: the studio's store
    job_name: str
    default: ArtifactStore

    def key(self, *parts: str) -> str:
        return "/".join((self.job_name, *parts))

    def uri(self, *parts: str) -> str:
        if self.destination is None:
            return self.default.uri_for("automl/" + self.key(*parts))
        base = self.destination.rstrip("/")
        if transfer.is_s3(base):
            return f"{base}/{self.key(*parts)}"
        return (
            transfer.local_path(base, field="OutputDataConfig.S3OutputPath") / self.key(*parts)
        ).as_uri()

    def put(self, file: Path, *parts: str) -> str:
        if self.destination is None:
            return transfer.publish(file, None, "automl/" + self.key(*parts), self.default)
        return transfer.publish(file, self.destination.rstrip("/"), self.key(*parts), self.default)


@dataclass(frozen=True)
class Analysed:
    """What the AnalyzingData stage found and wrote."""

    analysis: ap.Analysis
    objective: ap.Objective
    #: the job's ``DataLocation``: Train, Validation, Analysis, Table (URIs), Input, Bytes,
    #: TrainingRows, ValidationRows
    data: dict[str, Any]


def analyse_input(request: CreateAutoMLJobRequest, location: Location) -> Analysed:
    """Read, analyse and split the job's input; write the files candidates read.

    Args:
        request: The job's request.
        location: Where the job keeps its files.

    Returns:
        The analysis, the objective and the files' locations.

    Raises:
        StageFailed: An input that cannot be read or learned from, naming the field.
    """
    channels = request.InputDataConfig
    target = channels[0].TargetAttributeName
    with tempfile.TemporaryDirectory(prefix="mlstudio-automl-") as scratch:
        tables = {
            (c.ChannelType or "training"): _read_channel(i, c, Path(scratch))
            for i, c in enumerate(channels)
        }
        frame, size = tables["training"]
        try:
            analysis = ap.analyse(frame, target, request.ProblemType)
            objective = ap.check_objective(
                request.AutoMLJobObjective.MetricName
                if request.AutoMLJobObjective
                else ap.DEFAULT_OBJECTIVE[analysis.problem_type],
                analysis.problem_type,
            )
        except ap.DataError as exc:
            raise StageFailed(str(exc), exc.field) from None
        if "validation" in tables:
            train, holdout = frame, tables["validation"][0]
            if target not in holdout.columns:
                raise StageFailed(
                    f"the validation channel has no column {target!r}",
                    "InputDataConfig[1].TargetAttributeName",
                )
            holdout = holdout[holdout[target].notna()]
            train = train[train[target].notna()]
        else:
            config = request.AutoMLJobConfig
            fraction = (
                config.DataSplitConfig.ValidationFraction
                if config and config.DataSplitConfig
                else None
            ) or ap.DEFAULT_VALIDATION_FRACTION
            train, holdout = ap.split(frame, analysis, fraction)
        folder = Path(scratch) / "out"
        folder.mkdir()
        frame.to_csv(folder / "table.csv", index=False)  # one file, for the notebook
        train.to_csv(folder / "train.csv", index=False)
        holdout.to_csv(folder / "validation.csv", index=False)
        (folder / "analysis.json").write_text(analysis.to_json())
        data = {
            "Train": location.put(folder / "train.csv", "data", "train", "train.csv"),
            "Validation": location.put(
                folder / "validation.csv", "data", "validation", "validation.csv"
            ),
            "Analysis": location.put(folder / "analysis.json", "data", "analysis", "analysis.json"),
            "Table": location.put(folder / "table.csv", "data", "table", "table.csv"),
            "Input": channels[0].DataSource.S3DataSource.S3Uri,
            "Bytes": size,
            "TrainingRows": len(train),
            "ValidationRows": len(holdout),
        }
    return Analysed(analysis, objective, data)


def load_analysis(outputs: dict[str, Any]) -> tuple[ap.Analysis, ap.Objective]:
    """The analysis and objective of a job that analysed its data already (a restart)."""
    data = outputs["DataLocation"]
    with tempfile.TemporaryDirectory(prefix="mlstudio-automl-") as scratch:
        transfer.fetch(data["Analysis"], Path(scratch))
        analysis = ap.Analysis.from_json((Path(scratch) / "analysis.json").read_text())
    name = (outputs.get("AutoMLJobObjective") or {}).get("MetricName")
    return analysis, ap.check_objective(
        name or ap.DEFAULT_OBJECTIVE[analysis.problem_type], analysis.problem_type
    )


def _read_channel(index: int, channel: Any, scratch: Path) -> tuple[Any, int]:
    uri = channel.DataSource.S3DataSource.S3Uri
    field_name = f"InputDataConfig[{index}].DataSource.S3DataSource.S3Uri"
    folder = scratch / f"in-{index}"
    try:
        transfer.fetch(uri, folder)
    except (StudioError, OSError) as exc:
        raise StageFailed(f"cannot read {uri}: {exc}", field_name) from None
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    if not files:
        raise StageFailed(f"{uri} holds no files", field_name)
    compressed = channel.CompressionType == "Gzip"
    frames = []
    try:
        for path in files:
            frames.append(ap.read_table(path if not compressed else _gunzip(path, scratch)))
    except ap.DataError as exc:
        raise StageFailed(f"{uri}: {exc}", field_name) from None
    import pandas as pd  # with scikit-learn: only where an AutoML job runs

    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return frame, sum(p.stat().st_size for p in files)


def analysis_summary(analysis: ap.Analysis) -> dict[str, Any]:
    """The analysis as the job's ``Outputs.Analysis`` (what the AutoML view shows)."""
    return {
        "Rows": analysis.rows,
        "Target": analysis.target,
        "Classes": analysis.classes[:50],
        "InferredBecause": analysis.inferred_because,
        "Columns": [
            {
                "Name": name,
                "Type": kind,
                "Missing": analysis.missing.get(name, 0),
                "Distinct": analysis.distinct.get(name, 0),
            }
            for name, kind in analysis.columns.items()
        ],
    }


def _gunzip(path: Path, scratch: Path) -> Path:
    target = scratch / (path.name + ".csv")
    with gzip.open(path, "rb") as source, open(target, "wb") as out:
        shutil.copyfileobj(source, out)
    return target
