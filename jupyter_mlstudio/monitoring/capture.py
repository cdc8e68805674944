"""Captured records (SageMaker's capture JSON lines) of a window, as chunks of rows.

A record is ``{"captureData": {"endpointInput": {...}, "endpointOutput": {...}},
"eventMetadata": {"eventId", "inferenceTime"}, "eventVersion"}``; its payloads are CSV
(one or several rows, no header), JSON (objects by name, arrays by position) or base64 of
either. Records that do not parse are counted, never raised.
"""

from __future__ import annotations

import base64
import binascii
import csv
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from .readers import (
    CHUNK_BYTES,
    Block,
    Chunk,
    ReadStats,
    cell_text,
    parse_time,
    read_blocks,
    rows_to_chunk,
)

CAPTURE_CHUNK_ROWS = 20_000
"""Rows of captured records gathered per chunk."""

_HOUR_PATH = re.compile(r"/(\d{4})/(\d{2})/(\d{2})/(\d{2})/[^/]+$")


def _time_key(when: datetime) -> str:
    """A UTC time as a string that sorts like the time (microseconds, fixed width)."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _record_time_key(value: str) -> str:
    """:func:`_time_key` of a record's ``inferenceTime``, without a datetime for the
    usual ``YYYY-MM-DDTHH:MM:SS[.fff]Z``."""
    if (
        isinstance(value, str)
        and len(value) >= 20
        and value[-1] == "Z"
        and value[4] == "-"
        and value[10] == "T"
        and value[19] in ".Z"
    ):
        fraction = value[20:-1]
        if len(value) == 20 or (fraction.isdigit() and len(fraction) <= 6):
            return f"{value[:19]}.{fraction:0<6}"
    return _time_key(parse_time(value))


@dataclass
class Captured:
    """One captured record inside the window.

    Attributes:
        event_id: ``eventMetadata.eventId``.
        input: ``captureData.endpointInput`` (or None).
        output: ``captureData.endpointOutput`` (or None).
    """

    event_id: str
    input: dict[str, Any] | None
    output: dict[str, Any] | None


def _file_in_window(path: Path, start: datetime | None, end: datetime | None) -> bool:
    """False only for files of SageMaker's hourly layout wholly outside the window."""
    match = _HOUR_PATH.search(path.as_posix())
    if not match:
        return True
    try:
        year, month, day, hh = (int(g) for g in match.groups())
        hour = datetime(year, month, day, hh, tzinfo=timezone.utc)
    except ValueError:
        return True
    # a record written at the end of an hour can land in the next hour's folder
    if start is not None and hour + timedelta(hours=2) <= start:
        return False
    return not (end is not None and hour - timedelta(hours=1) >= end)


def capture_blocks(
    files: Sequence[Path],
    *,
    start: datetime | None,
    end: datetime | None,
    chunk_bytes: int = CHUNK_BYTES,
) -> Iterator[Block]:
    """Blocks of the capture files that can hold records of ``[start, end)`` (files of
    SageMaker's hourly layout wholly outside the window are skipped)."""
    kept = [p for p in files if _file_in_window(p, start, end)]
    return read_blocks(kept, chunk_bytes=chunk_bytes)


def block_records(
    block: Block, *, start: datetime | None, end: datetime | None, stats: ReadStats
) -> Iterator[Captured]:
    """Captured records of one block whose ``inferenceTime`` is in ``[start, end)``.

    Args:
        block: A block of a capture file.
        start: Window start (inclusive), or None for no bound.
        end: Window end (exclusive), or None for no bound.
        stats: Counts the records in the window and those that do not parse.

    Yields:
        The records in the window, in order.
    """
    low = _time_key(start) if start is not None else None
    high = _time_key(end) if end is not None else None
    try:
        lines: list[str] | list[bytes] = block.data.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        lines = block.data.splitlines()  # decoded line by line: a bad one is one error
    for raw in lines:
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
            meta = record["eventMetadata"]
            when = _record_time_key(meta["inferenceTime"])
            data = record["captureData"]
            if not isinstance(data, dict):
                raise TypeError("captureData is not an object")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            stats.records += 1
            stats.error(f"not a capture record: {type(exc).__name__}")
            continue
        if (low is not None and when < low) or (high is not None and when >= high):
            continue
        stats.records += 1
        yield Captured(
            str(meta.get("eventId", "")),
            data.get("endpointInput"),
            data.get("endpointOutput"),
        )


def captured_records(
    files: Sequence[Path],
    *,
    start: datetime | None,
    end: datetime | None,
    stats: ReadStats,
) -> Iterator[Captured]:
    """Captured records whose ``inferenceTime`` is in ``[start, end)``.

    Args:
        files: Capture files (JSON lines).
        start: Window start (inclusive), or None for no bound.
        end: Window end (exclusive), or None for no bound.
        stats: Counts the records in the window and those that do not parse.

    Yields:
        The records in the window, in file order.
    """
    for block in capture_blocks(files, start=start, end=end):
        yield from block_records(block, start=start, end=end, stats=stats)


def payload_text(part: dict[str, Any]) -> tuple[str, str]:
    """(kind, text) of a captured payload: kind ``csv`` or ``json``.

    Args:
        part: ``endpointInput`` or ``endpointOutput``.

    Returns:
        The payload's kind and its text (base64 payloads decoded).

    Raises:
        ValueError: When it is neither CSV nor JSON, or does not decode.
    """
    encoding = str(part.get("encoding", "")).upper()
    content_type = str(part.get("observedContentType", "")).lower()
    data = part.get("data")
    if not isinstance(data, str):
        raise ValueError("data is not a string")
    if encoding == "BASE64":
        try:
            data = base64.b64decode(data, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise ValueError("base64 data that is not UTF-8 text") from None
        encoding = "JSON" if "json" in content_type else "CSV" if "csv" in content_type else ""
    if encoding == "CSV":
        return "csv", data
    if encoding == "JSON":
        return "json", data
    raise ValueError(f"payload encoding {encoding or '?'} is neither CSV nor JSON")


def csv_payload_rows(text: str) -> list[list[str]]:
    """The rows of a CSV payload (one or several lines)."""
    lines = text.splitlines()
    if len(lines) != 1 or not lines[0].strip():
        lines = [line for line in lines if line.strip()]
    if not lines:
        raise ValueError("empty CSV payload")
    if '"' not in text:
        if " " not in text and "\t" not in text:
            return [line.split(",") for line in lines]
        return [[v.strip() for v in line.split(",")] for line in lines]
    return [[v.strip() for v in row] for row in csv.reader(lines)]


def json_payload_rows(text: str) -> list[dict[str, Any] | list[Any]]:
    """The rows of a JSON payload: objects (by name) or arrays (by position).

    Accepts an object, ``{"instances": [...]}``, a list of objects or of arrays, a flat
    array (one positional row), and JSON lines.
    """
    try:
        value = json.loads(text)
    except ValueError:
        value = [json.loads(line) for line in text.splitlines() if line.strip()]
    if isinstance(value, dict):
        for key in ("instances", "inputs", "features"):
            if isinstance(value.get(key), list) and len(value) == 1:
                value = value[key]
                break
        else:
            return [value]
    if isinstance(value, list):
        if value and all(isinstance(v, dict | list) for v in value):
            return list(value)
        if not any(isinstance(v, dict | list) for v in value):
            return [value]
    raise ValueError("JSON payload is neither an object nor a list of rows")


def _output_rows(part: dict[str, Any] | None, count: int) -> list[list[str]]:
    """The endpointOutput's values per input row ([] when they do not line up)."""
    if part is None:
        return []
    try:
        kind, text = payload_text(part)
        if kind == "csv":
            rows = csv_payload_rows(text)
        else:
            value = json.loads(text)
            if isinstance(value, dict) and len(value) == 1:
                value = next(iter(value.values()))
            values = value if isinstance(value, list) else [value]
            if count > 1 and len(values) == count:
                values = [[v] if not isinstance(v, list) else v for v in values]
            else:
                values = [values]
            rows = [[cell_text(v) for v in row] for row in values]
    except ValueError:
        return []
    return rows if len(rows) == count else []


def capture_chunks(
    records: Iterable[Captured],
    *,
    feature_names: Sequence[str] | None,
    stats: ReadStats,
    rows_per_chunk: int = CAPTURE_CHUNK_ROWS,
) -> Iterator[Chunk]:
    """Chunks of the rows of captured ``endpointInput`` payloads.

    CSV rows carry no header: they are matched to ``feature_names`` by position; a row one
    output short is preceded by the ``endpointOutput`` values, as SageMaker does for a
    baseline with ``output_columns_position`` START (the label first); a row of any other
    width is a parse error. Without feature names the columns are ``_c0`` ... named by
    the first row's width. JSON objects are matched by name.

    Args:
        records: The window's captured records.
        feature_names: The baseline's features, in column order, if known.
        stats: Counts payloads that do not parse.
        rows_per_chunk: Rows gathered per chunk.

    Yields:
        Chunks of rows.
    """
    names = list(feature_names) if feature_names else None
    named: list[dict[str, Any]] = []
    positional: list[list[str]] = []
    width = len(names) if names else -1
    for record in records:
        simple = _simple_csv_row(record.input)
        if simple is not None and width > 0:  # the usual record: one plain CSV row
            if len(simple) != width:
                out = _simple_csv_row(record.output)
                if out is not None and len(out) + len(simple) == width:
                    simple = out + simple  # output_columns_position START
            if len(simple) == width:
                positional.append(simple)
                if len(positional) + len(named) >= rows_per_chunk:
                    yield from _flush(names, positional, named)
                    named, positional = [], []
                continue
        if record.input is None:
            stats.error("the record has no endpointInput")
            continue
        try:
            kind, text = payload_text(record.input)
            rows = csv_payload_rows(text) if kind == "csv" else json_payload_rows(text)
        except ValueError as exc:
            stats.error(str(exc))
            continue
        by_name: list[dict[str, Any]] = []
        by_position: list[list[str]] = []
        outputs: list[list[str]] | None = None
        for i, row in enumerate(rows):
            if isinstance(row, dict):
                by_name.append(row)
                continue
            if kind == "json":
                row = [cell_text(v) for v in row]
            if names is None:
                names = [f"_c{n}" for n in range(len(row))]
            width = len(names)
            if len(row) != width and outputs is None:
                outputs = _output_rows(record.output, len(rows))
            if len(row) != width and outputs and len(outputs[i]) + len(row) == width:
                row = [*outputs[i], *row]  # output_columns_position START
            if len(row) != width:
                by_name, by_position = [], []
                stats.error(f"expected {width} columns, found {len(row)}")
                break
            by_position.append(row)
        named.extend(by_name)
        positional.extend(by_position)
        if len(named) + len(positional) >= rows_per_chunk:
            yield from _flush(names, positional, named)
            named, positional = [], []
    yield from _flush(names, positional, named)


def _simple_csv_row(part: dict[str, Any] | None) -> list[str] | None:
    """The row of a CSV payload of one plain line (no quotes, no spaces), else None."""
    if part is None or part.get("encoding") != "CSV":
        return None
    data = part.get("data")
    if not isinstance(data, str):
        return None
    if data.endswith("\n"):
        data = data.rstrip("\r\n")
    if not data or "\n" in data or '"' in data or " " in data or "\r" in data or "\t" in data:
        return None
    return data.split(",")


def _flush(
    names: list[str] | None, positional: list[list[str]], named: list[dict[str, Any]]
) -> Iterator[Chunk]:
    if positional and names:
        yield Chunk(list(names), [list(c) for c in zip(*positional, strict=True)], len(positional))
    if named:
        yield rows_to_chunk(named)
