"""Streaming readers: datasets and captured records as chunks of columns of strings.

Every reader yields :class:`Chunk` objects of at most about ``CHUNK_BYTES`` of input, so
memory stays bounded whatever the size of the data. Values are strings; ``""`` is a
missing value. A line or record that cannot be parsed is counted (``parse_errors``) and
skipped, never raised.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
import math
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np

CHUNK_BYTES = 2 << 20
"""Bytes of input read per chunk."""

CAPTURE_CHUNK_ROWS = 20_000
"""Rows of captured records gathered per chunk."""

_HOUR_PATH = re.compile(r"/(\d{4})/(\d{2})/(\d{2})/(\d{2})/[^/]+$")


class DatasetError(Exception):
    """The dataset cannot be analysed at all (the message says why, in one line)."""


@dataclass
class Chunk:
    """Rows of a dataset, column by column.

    Attributes:
        names: The column names, in order.
        columns: One list of values per name, each ``rows`` long (``""`` is missing), or
            for a column a CSV block parsed wholly as numbers, a numpy array (int64 when
            every value was written as an integer, float64 otherwise).
        rows: The number of rows.
        source: The CSV text of a chunk with numpy columns (their values as text, on
            demand).
    """

    names: list[str]
    columns: list[Any]
    rows: int
    source: str | None = field(default=None, repr=False)
    _flat: list[str] | None = field(default=None, repr=False)

    def text(self, index: int) -> list[str]:
        """Column ``index``'s values as text, whatever form it is held in."""
        column = self.columns[index]
        if isinstance(column, list):
            return column
        if self._flat is None:
            lines = [line for line in (self.source or "").splitlines() if line]
            self._flat = ",".join(lines).split(",")
        return self._flat[index :: len(self.names)]


@dataclass
class ReadStats:
    """What a reader saw: records read and records it could not parse."""

    records: int = 0
    parse_errors: int = 0
    error_examples: list[str] = field(default_factory=list)

    def error(self, message: str) -> None:
        """Count one unparsable record (the first few messages are kept)."""
        self.parse_errors += 1
        if len(self.error_examples) < 5:
            self.error_examples.append(message)


def list_files(source: str | Path) -> list[Path]:
    """The files of a dataset source: the file itself, or every file below a folder.

    Args:
        source: A local file or folder.

    Returns:
        The files in sorted path order (hidden files and ``_SUCCESS``-style markers left out).

    Raises:
        DatasetError: When the source does not exist or holds no file.
    """
    path = Path(source)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DatasetError(f"dataset_source: {source} does not exist")
    files = sorted(
        p
        for p in path.rglob("*")
        if p.is_file() and not p.name.startswith((".", "_")) and ".tmp" not in p.suffixes
    )
    if not files:
        raise DatasetError(f"dataset_source: no files under {source}")
    return files


@dataclass
class Block:
    """A piece of one input file: whole lines as raw bytes (the unit a worker profiles).

    Attributes:
        data: The lines (a CSV file's header left out).
        names: A CSV file's column names (None for other formats).
        path: The file, for messages.
    """

    data: bytes
    names: list[str] | None = None
    path: str = ""


def _parse_header(line: str) -> list[str]:
    return [name.strip() for name in next(csv.reader([line]))]


def _decode(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{Path(path).name}: not UTF-8 text ({exc.reason})") from None


def read_blocks(
    files: Sequence[Path], *, chunk_bytes: int = CHUNK_BYTES, csv_header: bool | None = None
) -> Iterator[Block]:
    """The files cut into blocks of whole lines of about ``chunk_bytes``.

    Args:
        files: The files, read in order.
        chunk_bytes: Bytes per block.
        csv_header: For CSV: whether each file's first line names the columns (without
            one they are ``_c0``, ``_c1`` ... as SageMaker names them); None for JSON lines.

    Yields:
        Blocks, in file order.

    Raises:
        DatasetError: When a CSV file's header differs from the first file's.
    """
    names: list[str] | None = None
    for path in files:
        with open(path, "rb") as f:
            pending = b""
            if csv_header is not None:
                first = f.readline()
                while first and not first.strip():
                    first = f.readline()
                if not first:
                    continue
                line = _decode(first, str(path)).lstrip("\ufeff").rstrip("\r\n")
                if csv_header:
                    file_names = _parse_header(line)
                    if names is None:
                        names = file_names
                    elif file_names != names:
                        raise DatasetError(
                            f"{path.name}: its header differs from the first file's header"
                        )
                else:
                    if names is None:
                        names = [f"_c{i}" for i in range(len(next(csv.reader([line]))))]
                    pending = first.lstrip(b"\xef\xbb\xbf")
            while True:
                data = f.read(chunk_bytes)
                if data and not data.endswith(b"\n"):
                    data += f.readline()
                if pending:
                    data, pending = pending + data, b""
                if not data:
                    break
                yield Block(data, names, str(path))


def _split_rows(
    lines: list[str], width: int, stats: ReadStats, *, quoted: bool = True
) -> list[list[str]] | None:
    """Columns of ``lines`` of ``width`` fields; rows of another width are counted."""
    if not quoted:
        flat = ",".join(lines).split(",")
        if len(flat) == len(lines) * width:
            return [flat[j::width] for j in range(width)]
        rows = [line.split(",") for line in lines]
    else:
        rows = list(csv.reader(io.StringIO("\n".join(lines))))
    good = [r for r in rows if len(r) == width]
    for r in rows:
        if len(r) != width:
            stats.error(f"expected {width} columns, found {len(r)}")
    if not good:
        return None
    return [list(c) for c in zip(*good, strict=True)]


_SAMPLE_LINES = 50


def _sample_kind(values: list[str]) -> str:
    """The numpy type a column's sampled values suggest: i8, f8, or O (text)."""
    kind = "i8"
    for value in values:
        text = value.strip()
        digits = text[1:] if text[:1] in "+-" else text
        if digits.isdigit() and digits.isascii() and len(digits) <= 18:
            continue
        if not text or "_" in text:
            return "O"
        try:
            number = float(text)
        except ValueError:
            return "O"
        if not math.isfinite(number):
            return "O"
        kind = "f8"
    return kind


def _typed_chunk(text: str, names: list[str], stats: ReadStats) -> Chunk | None:
    """A CSV block parsed by numpy's C reader, number columns straight into arrays.

    The column types come from the block's first lines; None (the caller parses the block
    in Python) when they do not hold for the whole block, when a value is missing from a
    number column, or when no column is a number.
    """
    width = len(names)
    head = text[: 1 << 14].splitlines()[:_SAMPLE_LINES]
    if len(text) > 1 << 14:
        head = head[:-1]
    rows = [line.split(",") for line in head if line]
    if not rows or any(len(r) != width for r in rows):
        return None
    kinds = [_sample_kind([r[j] for r in rows]) for j in range(width)]
    if all(k == "O" for k in kinds):
        return None
    dtype = np.dtype([(f"c{j}", k) for j, k in enumerate(kinds)])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = np.loadtxt(
                io.StringIO(text),
                delimiter=",",
                dtype=dtype,
                comments=None,
                quotechar=None,
                ndmin=1,
            )
    except ValueError:
        return None
    columns: list[Any] = []
    for j, kind in enumerate(kinds):
        column = table[f"c{j}"]
        if kind == "O":
            columns.append(column.tolist())
            continue
        column = np.ascontiguousarray(column)
        if kind == "f8" and not np.isfinite(column).all():
            return None
        columns.append(column)
    rows_read = int(table.shape[0])
    stats.records += rows_read
    return Chunk(list(names), columns, rows_read, source=text)


def csv_block_chunks(block: Block, stats: ReadStats) -> Iterator[Chunk]:
    """The rows of one CSV block.

    Args:
        block: A block from :func:`read_blocks` (with its column names).
        stats: Counts rows and rows of the wrong width.

    Yields:
        One chunk (none when no row parses).
    """
    names = block.names or []
    text = _decode(block.data, block.path).lstrip("\ufeff")
    if names and '"' not in text:
        typed = _typed_chunk(text, names, stats)
        if typed is not None:
            yield typed
            return
    lines = text.splitlines()
    if "" in lines:
        lines = [line for line in lines if line]
    if not lines or not names:
        return
    stats.records += len(lines)
    columns = _split_rows(lines, len(names), stats, quoted='"' in text)
    if columns is not None:
        yield Chunk(list(names), columns, len(columns[0]) if columns else 0)


def csv_chunks(
    files: Sequence[Path],
    *,
    header: bool,
    stats: ReadStats,
    chunk_bytes: int = CHUNK_BYTES,
) -> Iterator[Chunk]:
    """Chunks of CSV files (each file has a header line when ``header`` is true).

    Args:
        files: The files, read in order.
        header: Whether each file's first line names the columns; without one the
            columns are ``_c0``, ``_c1`` ... as SageMaker names them.
        stats: Counts rows and rows of the wrong width.
        chunk_bytes: Bytes of input per chunk.

    Yields:
        Chunks of rows.
    """
    for block in read_blocks(files, chunk_bytes=chunk_bytes, csv_header=header):
        yield from csv_block_chunks(block, stats)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, separators=(",", ":"))


def rows_to_chunk(named: list[dict[str, Any]]) -> Chunk:
    """A chunk from rows given as objects (columns in first-seen order).

    Args:
        named: Rows as flat objects; a key missing from a row is a missing value.

    Returns:
        The chunk.
    """
    order: dict[str, None] = {}
    for row in named:
        for key in row:
            if key not in order:
                order[key] = None
    names = list(order)
    columns = [[_cell(row.get(name)) for row in named] for name in names]
    return Chunk(names, columns, len(named))


def json_lines_chunks(
    files: Sequence[Path], *, stats: ReadStats, chunk_bytes: int = CHUNK_BYTES
) -> Iterator[Chunk]:
    """Chunks of JSON lines files of flat objects.

    Args:
        files: The files, read in order.
        stats: Counts records and lines that are not JSON objects.
        chunk_bytes: Bytes of input per chunk.

    Yields:
        Chunks of rows.
    """
    for block in read_blocks(files, chunk_bytes=chunk_bytes):
        yield from json_block_chunks(block, stats)


def json_block_chunks(block: Block, stats: ReadStats) -> Iterator[Chunk]:
    """The rows of one block of JSON lines.

    Args:
        block: A block from :func:`read_blocks`.
        stats: Counts records and lines that are not JSON objects.

    Yields:
        One chunk (none when no line parses).
    """
    named: list[dict[str, Any]] = []
    for line in _decode(block.data, block.path).lstrip("\ufeff").splitlines():
        if not line.strip():
            continue
        stats.records += 1
        try:
            obj = json.loads(line)
        except ValueError:
            stats.error("not a JSON line")
            continue
        if not isinstance(obj, dict):
            stats.error("a JSON line that is not an object")
            continue
        named.append(obj)
    if named:
        yield rows_to_chunk(named)


def parse_time(value: str) -> datetime:
    """An ISO-8601 time (``Z`` or an offset) as an aware UTC datetime.

    Args:
        value: e.g. ``2026-12-06T10:00:00Z``.

    Returns:
        The time in UTC.

    Raises:
        ValueError: When it is not an ISO-8601 time.
    """
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


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
            rows = [[_cell(v) for v in row] for row in values]
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
                row = [_cell(v) for v in row]
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
