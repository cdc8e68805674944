"""The analyzer program: environment variables in, SageMaker's files out.

Modes (see the package docstring for the variables):

- baseline (``dataset_format`` csv or json lines): ``statistics.json`` and
  ``constraints.json`` of the dataset;
- monitoring (``dataset_format`` sagemakerCaptureJson): ``statistics.json`` of the captured
  records in ``[start_time, end_time)``, ``constraint_violations.json`` against the
  baseline and ``feature_drift.json``;
- ``analysis_type=MODEL_QUALITY``: the same two modes with model quality metrics,
  predictions merged with ground truth by ``eventId`` when monitoring.

A run that cannot analyse (bad format, no data, unreadable baseline) ends with one line
saying why, last on stderr and in the file ``MLSTUDIO_FAILURE_FILE`` names, and exit
code 1. Files are written to a temporary name and renamed, so a killed job leaves no half
file behind.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .capture import block_records, capture_blocks, capture_chunks, captured_records
from .checks import check_window, suggest_constraints
from .parallel import PARALLEL_MIN_BYTES, profile_blocks, worker_count
from .profile import STRING
from .quality import (
    BINARY,
    REGRESSION,
    QualityError,
    check_quality,
    label_text,
    payload_value,
    quality_statistics,
    suggest_quality_constraints,
)
from .readers import (
    Block,
    Chunk,
    DatasetError,
    ReadStats,
    csv_block_chunks,
    csv_chunks,
    json_block_chunks,
    json_lines_chunks,
    list_files,
    parse_time,
    read_blocks,
)

UNSUPPORTED_FORMAT = "dataset_format: only csv and json (lines) datasets are supported"


class AnalyzerError(Exception):
    """The analysis cannot run; the message is the one-line reason."""


def write_json(path: Path, body: Any, *, compact: bool = False) -> None:
    """Write ``body`` as JSON to ``path`` atomically (temporary file, then rename).

    Args:
        path: The destination file.
        body: A JSON-serialisable value.
        compact: No indentation (statistics.json, with its sketches, is large).
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    text = json.dumps(  # dumps, not dump: one call into the C encoder
        body,
        indent=None if compact else 2,
        separators=(",", ":") if compact else None,
        allow_nan=False,
        default=_json_default,
    )
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _clean(value: Any) -> Any:
    """NaN and infinities (not JSON) as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _log(message: str) -> None:
    print(f"[model-monitor] {message}", flush=True)


def _env(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    return value.strip() if value and value.strip() else None


def _dataset_format(env: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    raw = _env(env, "dataset_format")
    if raw is None:
        raise AnalyzerError("dataset_format: not set (csv, json lines or sagemakerCaptureJson)")
    try:
        value = json.loads(raw)
    except ValueError:
        raise AnalyzerError("dataset_format: not JSON") from None
    if not isinstance(value, dict) or len(value) != 1:
        raise AnalyzerError(UNSUPPORTED_FORMAT)
    kind, options = next(iter(value.items()))
    options = options if isinstance(options, dict) else {}
    if kind == "json" and options.get("lines", True) is not True:
        raise AnalyzerError(UNSUPPORTED_FORMAT)
    if kind not in ("csv", "json", "sagemakerCaptureJson"):
        raise AnalyzerError(UNSUPPORTED_FORMAT)
    return kind, options


def _load_json(env: Mapping[str, str], name: str) -> dict[str, Any] | None:
    path = _env(env, name)
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as f:
            value = json.load(f)
    except FileNotFoundError:
        raise AnalyzerError(f"{name}: {path} does not exist") from None
    except (OSError, ValueError) as exc:
        raise AnalyzerError(f"{name}: {path} is not readable JSON ({exc})") from None
    if not isinstance(value, dict):
        raise AnalyzerError(f"{name}: {path} is not a JSON object")
    return value


def _window(env: Mapping[str, str]) -> tuple[datetime | None, datetime | None]:
    bounds: list[datetime | None] = []
    for name in ("start_time", "end_time"):
        raw = _env(env, name)
        if raw is None:
            bounds.append(None)
            continue
        try:
            bounds.append(parse_time(raw))
        except ValueError:
            raise AnalyzerError(f"{name}: {raw} is not an ISO-8601 time") from None
    return bounds[0], bounds[1]


def _dataset_chunks(
    kind: str, options: Mapping[str, Any], files: list[Path]
) -> Callable[[ReadStats], Iterator[Chunk]]:
    if kind == "csv":
        header = bool(options.get("header", True))
        return lambda stats: csv_chunks(files, header=header, stats=stats)
    return lambda stats: json_lines_chunks(files, stats=stats)


def _workers(env: Mapping[str, str], files: list[Path]) -> int:
    size = sum(p.stat().st_size for p in files)
    return worker_count(dict(env)) if size >= PARALLEL_MIN_BYTES else 1


def _baseline_names(
    statistics: Mapping[str, Any] | None, constraints: Mapping[str, Any] | None
) -> tuple[list[str], list[str]]:
    """(feature names in column order, String features) from the baseline files."""
    for body in (statistics, constraints):
        features = (body or {}).get("features") or []
        names = [f["name"] for f in features if isinstance(f, dict) and "name" in f]
        if names:
            strings = [
                f["name"]
                for f in features
                if isinstance(f, dict) and f.get("inferred_type") == STRING and "name" in f
            ]
            return names, strings
    return [], []


def run_baseline(env: Mapping[str, str], kind: str, options: Mapping[str, Any], out: Path) -> None:
    """Profile a csv / json lines dataset; write statistics.json and constraints.json."""
    files = list_files(_required(env, "dataset_source"))
    chunks = _dataset_chunks(kind, options, files)
    if env.get("analysis_type", "").upper() == "MODEL_QUALITY":
        return _quality_baseline(env, chunks, out)
    started = time.monotonic()
    header = bool(options.get("header", True)) if kind == "csv" else None
    profile, stats = profile_blocks(
        read_blocks(files, csv_header=header),
        csv_block_chunks if kind == "csv" else json_block_chunks,
        workers=_workers(env, files),
    )
    if profile.item_count == 0:
        raise AnalyzerError(f"dataset_source: no rows in {len(files)} file(s)")
    profile.replay(lambda: chunks(ReadStats()))
    statistics = profile.statistics(stats.parse_errors)
    write_json(out / "statistics.json", statistics, compact=True)
    write_json(out / "constraints.json", suggest_constraints(statistics))
    _log(
        f"baseline: {profile.item_count} rows, {len(profile.columns)} columns, "
        f"{stats.parse_errors} unparsable, {time.monotonic() - started:.1f} s"
    )


def run_monitoring(env: Mapping[str, str], out: Path) -> None:
    """Profile the captured records of the window and check them against the baseline."""
    start, end = _window(env)
    source = _required(env, "dataset_source")
    if not Path(source).exists():  # the studio gives no input when no hour was captured
        raise AnalyzerError(f"no captured records between {_when(start)} and {_when(end)}")
    files = list_files(source)
    baseline_statistics = _load_json(env, "baseline_statistics")
    constraints = _load_json(env, "baseline_constraints")
    if env.get("analysis_type", "").upper() == "MODEL_QUALITY":
        return _quality_monitoring(env, files, start, end, constraints, baseline_statistics, out)
    names, strings = _baseline_names(baseline_statistics, constraints)

    def chunks(stats: ReadStats) -> Iterator[Chunk]:
        records = captured_records(files, start=start, end=end, stats=stats)
        return capture_chunks(records, feature_names=names or None, stats=stats)

    def block_chunks(block: Block, stats: ReadStats) -> Iterator[Chunk]:
        records = block_records(block, start=start, end=end, stats=stats)
        return capture_chunks(records, feature_names=names or None, stats=stats)

    profile, stats = profile_blocks(
        capture_blocks(files, start=start, end=end),
        block_chunks,
        string_columns=strings,
        workers=_workers(env, files),
    )
    if stats.records == 0:
        raise AnalyzerError(f"no captured records between {_when(start)} and {_when(end)}")
    profile.replay(lambda: chunks(ReadStats()))
    statistics = profile.statistics(stats.parse_errors)
    violations, drift = check_window(
        profile,
        constraints,
        baseline_statistics,
        record_count=stats.records - stats.parse_errors,
        parse_errors=stats.parse_errors,
    )
    write_json(out / "statistics.json", statistics, compact=True)
    write_json(out / "feature_drift.json", drift)
    write_json(out / "constraint_violations.json", {"violations": violations})
    _log(
        f"monitoring: {stats.records} records ({stats.parse_errors} unparsable), "
        f"{profile.item_count} rows, {len(violations)} violations"
    )
    for example in stats.error_examples:
        _log(f"unparsable record: {example}")


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else "(open)"


def _required(env: Mapping[str, str], name: str) -> str:
    value = _env(env, name)
    if value is None:
        raise AnalyzerError(f"{name}: not set")
    return value


def _threshold(env: Mapping[str, str]) -> float:
    raw = _env(env, "probability_threshold_attribute")
    if raw is None:
        return 0.5
    try:
        return float(raw)
    except ValueError:
        raise AnalyzerError(f"probability_threshold_attribute: {raw} is not a number") from None


def _problem_type(env: Mapping[str, str]) -> str:
    value = _env(env, "problem_type") or ""
    if value not in (BINARY, "MulticlassClassification", REGRESSION):
        raise AnalyzerError(
            f"problem_type: {value or '(not set)'} is not BinaryClassification, "
            "MulticlassClassification or Regression"
        )
    return value


def _quality_write(
    out: Path,
    problem_type: str,
    actual: list[Any],
    predicted: list[Any],
    probabilities: list[float | None],
    parse_errors: int,
) -> dict[str, Any]:
    try:
        metrics = quality_statistics(problem_type, actual, predicted, probabilities or None)
    except QualityError as exc:
        raise AnalyzerError(str(exc)) from None
    statistics = {
        "version": 0.0,
        "dataset": {
            "item_count": len(actual),
            "evaluation_time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "mlstudio_parse_errors": parse_errors,
        },
        **metrics,
    }
    statistics = _clean(statistics)
    write_json(out / "statistics.json", statistics, compact=True)
    return statistics


def _prediction(
    value_of: Callable[[str | None], Any], env: Mapping[str, str], problem_type: str
) -> tuple[Any, float | None]:
    """(label, probability) from an output, by the inference/probability attributes."""
    inference = _env(env, "inference_attribute")
    probability_attr = _env(env, "probability_attribute")
    threshold = _threshold(env)
    probability = float(value_of(probability_attr)) if probability_attr else None
    if inference is not None:
        label = value_of(inference)
    elif probability is not None:
        label = 1 if probability >= threshold else 0
    else:
        label = value_of(None)
        if problem_type == BINARY:
            try:
                number = float(label)
            except (TypeError, ValueError):
                number = math.nan
            if 0.0 <= number <= 1.0 and not number.is_integer():
                probability, label = number, 1 if number >= threshold else 0
    if problem_type == REGRESSION:
        label = float(label)
    return label, probability


def _quality_baseline(
    env: Mapping[str, str], chunks: Callable[[ReadStats], Iterator[Chunk]], out: Path
) -> None:
    problem_type = _problem_type(env)
    truth_attr = _required(env, "ground_truth_attribute")
    stats = ReadStats()
    actual: list[Any] = []
    predicted: list[Any] = []
    probabilities: list[float | None] = []
    for chunk in chunks(stats):
        index = {name: i for i, name in enumerate(chunk.names)}

        def column(attr: str | None, index: dict[str, int] = index) -> int | None:
            if attr is None:
                return None
            key = attr if attr in index else f"_c{attr}" if attr.isdigit() else attr
            if key not in index:
                raise AnalyzerError(f"{attr}: no such column in the dataset")
            return index[key]

        truth_col = column(truth_attr)
        for row in range(chunk.rows):

            def value_of(attr: str | None, row: int = row, chunk: Chunk = chunk) -> Any:
                position = column(attr)
                return chunk.columns[position if position is not None else 0][row]

            truth = chunk.columns[truth_col][row] if truth_col is not None else ""
            if truth == "":
                stats.error("no ground truth in the row")
                continue
            try:
                label, probability = _prediction(value_of, env, problem_type)
            except (TypeError, ValueError):
                stats.error("a prediction that does not parse")
                continue
            actual.append(float(truth) if problem_type == REGRESSION else label_text(truth))
            predicted.append(label)
            probabilities.append(probability)
    if not actual:
        raise AnalyzerError("dataset_source: no rows with a prediction and a ground truth")
    statistics = _quality_write(
        out, problem_type, actual, predicted, probabilities, stats.parse_errors
    )
    write_json(out / "constraints.json", _clean(suggest_quality_constraints(statistics)))
    _log(f"model quality baseline: {len(actual)} rows, {stats.parse_errors} unparsable")


def _ground_truth(source: str, stats: ReadStats) -> dict[str, Any]:
    truth: dict[str, Any] = {}
    for path in list_files(source):
        with open(path, "rb") as f:
            for raw in f:
                if not raw.strip():
                    continue
                try:
                    record = json.loads(raw.decode("utf-8"))
                    event_id = str(record["eventMetadata"]["eventId"])
                    truth[event_id] = payload_value(record["groundTruthData"], None)
                except (ValueError, KeyError, TypeError, IndexError, AttributeError):
                    stats.error("a ground-truth record that does not parse")
    return truth


def _quality_monitoring(
    env: Mapping[str, str],
    files: list[Path],
    start: datetime | None,
    end: datetime | None,
    constraints: dict[str, Any] | None,
    baseline_statistics: dict[str, Any] | None,
    out: Path,
) -> None:
    problem_type = _problem_type(env)
    stats = ReadStats()
    truth = _ground_truth(_required(env, "ground_truth_source"), stats)
    actual: list[Any] = []
    predicted: list[Any] = []
    probabilities: list[float | None] = []
    seen = 0
    for record in captured_records(files, start=start, end=end, stats=stats):
        seen += 1
        if record.event_id not in truth:
            continue
        output = record.output
        if output is None:
            stats.error("the record has no endpointOutput")
            continue
        try:

            def value_of(attr: str | None, part: dict[str, Any] = output) -> Any:
                return payload_value(part, attr)

            label, probability = _prediction(value_of, env, problem_type)
            expected = truth[record.event_id]
            expected = float(expected) if problem_type == REGRESSION else label_text(expected)
        except (TypeError, ValueError, IndexError):
            stats.error("a prediction or ground truth that does not parse")
            continue
        actual.append(expected)
        predicted.append(label)
        probabilities.append(probability)
    if seen == 0:
        raise AnalyzerError(f"no captured records between {_when(start)} and {_when(end)}")
    if not actual:
        raise AnalyzerError(
            f"none of the {seen} captured records in the window has ground truth "
            "(merged by eventId)"
        )
    statistics = _quality_write(
        out, problem_type, actual, predicted, probabilities, stats.parse_errors
    )
    if constraints is None and baseline_statistics is not None:
        constraints = suggest_quality_constraints(baseline_statistics)
    violations = check_quality(statistics, constraints)
    write_json(out / "constraint_violations.json", {"violations": violations})
    _log(
        f"model quality: {seen} records, {len(actual)} merged with ground truth, "
        f"{stats.parse_errors} unparsable, {len(violations)} violations"
    )


def run(env: Mapping[str, str]) -> None:
    """Run the analysis the environment describes.

    Args:
        env: The environment variables.

    Raises:
        AnalyzerError: When it cannot run.
    """
    kind, options = _dataset_format(env)
    out = Path(_required(env, "output_path"))
    out.mkdir(parents=True, exist_ok=True)
    try:
        if kind == "sagemakerCaptureJson":
            run_monitoring(env, out)
        else:
            run_baseline(env, kind, options, out)
    except DatasetError as exc:
        raise AnalyzerError(str(exc)) from None


def main(env: Mapping[str, str] | None = None) -> int:
    """The program's entry point.

    Args:
        env: The environment (default ``os.environ``).

    Returns:
        0 when the analysis ran (with or without violations), 1 when it could not.
    """
    env = os.environ if env is None else env
    try:
        run(env)
        return 0
    except AnalyzerError as exc:
        reason = str(exc)
    except Exception as exc:  # the job must end with its one-line reason
        import traceback

        traceback.print_exc()
        reason = f"analyzer error: {type(exc).__name__}: {exc}".replace("\n", " ")
    print(reason, file=sys.stderr, flush=True)
    failure_file = env.get("MLSTUDIO_FAILURE_FILE")
    if failure_file:
        try:
            path = Path(failure_file)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_text(reason + "\n", encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass
    return 1
