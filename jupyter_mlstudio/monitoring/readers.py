"""Streaming readers: CSV and JSON lines datasets as chunks of columns.

Every reader yields :class:`Chunk` objects of at most about ``CHUNK_BYTES`` of input, so
memory stays bounded whatever the size of the data. Values are strings; ``""`` is a
missing value. A line or record that cannot be parsed is counted (``parse_errors``) and
skipped, never raised.
"""

from __future__ import annotations

import csv
import io
import json
import math
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

CHUNK_BYTES = 2 << 20
"""Bytes of input read per chunk."""


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


def cell_text(value: Any) -> str:
    """A JSON value as a cell: None -> missing (``""``), numbers as Python writes them."""
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
    columns = [[cell_text(row.get(name)) for row in named] for name in names]
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
