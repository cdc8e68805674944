"""Records of a batch transform: splitting input files, batching records into requests,
the JSONPath filters of ``DataProcessing``, joining answers to their input, assembling
output files. Pure functions of bytes; no I/O beyond the streams they are given.

Formats follow the request's content types: ``text/csv`` records are rows (JSONPath
sees a row as an array of its fields), ``application/json`` and
``application/jsonlines`` records are JSON values. Other content types pass through as
bytes (no filters, no join).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, BinaryIO

from ....exceptions import ValidationError

CSV = "text/csv"
JSON = "application/json"
JSON_LINES = "application/jsonlines"
JSON_TYPES = (JSON, JSON_LINES, "application/x-jsonlines", "application/jsonl")

SINGLE_RECORD = "SingleRecord"
MULTI_RECORD = "MultiRecord"
LINE = "Line"
NONE = "None"

#: the key SageMaker joins a JSON input and its answer under
OUTPUT_KEY = "SageMakerOutput"
INPUT_KEY = "SageMakerInput"


class RecordError(ValueError):
    """A record (or an answer) the filters or the join cannot handle; the record fails."""


def media_type(content_type: str | None) -> str:
    """``"text/csv; charset=utf-8"`` → ``"text/csv"``."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def record_format(content_type: str | None) -> str:
    """``csv``, ``json`` or ``bytes``: how records of this content type are read."""
    kind = media_type(content_type)
    if kind == CSV:
        return "csv"
    if kind in JSON_TYPES or kind.endswith("+json"):
        return "json"
    return "bytes"


# -- JSONPath (the subset SageMaker's examples use) -----------------------------------------


@dataclass(frozen=True)
class Names:
    """``.name`` or ``['a', 'b']``: one key (its value) or several (an object of them)."""

    names: tuple[str, ...]


@dataclass(frozen=True)
class Indexes:
    """``[0]``, ``[1:]``, ``[0,-1]``, ``[0,5:]``, ``[*]``: one index (its value) or a union
    of indexes and slices (a list, in that order)."""

    items: tuple[int | slice, ...]


@dataclass(frozen=True)
class JsonPath:
    text: str
    steps: tuple[Names | Indexes, ...]

    @property
    def is_root(self) -> bool:
        return not self.steps

    @property
    def uses_names(self) -> bool:
        return any(isinstance(step, Names) for step in self.steps)


ROOT = JsonPath("$", ())

_NAME = re.compile(r"\.([A-Za-z_][A-Za-z0-9_-]*)")
_BRACKET = re.compile(r"\[([^\[\]]*)\]")
_QUOTED = re.compile(r"""^\s*(?:'([^']*)'|"([^"]*)")\s*$""")
_INDEX = re.compile(r"^\s*(-?\d+)?\s*(:)?\s*(-?\d+)?\s*$")


def parse_json_path(text: str | None, *, field: str) -> JsonPath:
    """Parse a filter: ``$`` then ``.name``, ``['name', ...]``, ``[i]``, ``[i:j]``,
    ``[i, j:]`` or ``[*]`` steps. Anything else (``..``, filters ``?()``, slice steps) is a
    ValidationError naming ``field``."""
    if text is None or text.strip() in ("", "$"):
        return ROOT
    source = text.strip()
    if not source.startswith("$"):
        raise ValidationError(f"{field}: a JSONPath starts with '$' (got {text!r})", field=field)
    steps: list[Names | Indexes] = []
    rest = source[1:]
    while rest:
        if rest.startswith(".."):
            raise _unsupported(text, field, "recursive descent '..'")
        name = _NAME.match(rest)
        if name:
            steps.append(Names((name.group(1),)))
            rest = rest[name.end() :]
            continue
        bracket = _BRACKET.match(rest)
        if not bracket:
            raise _unsupported(text, field, f"{rest!r}")
        steps.append(_bracket_step(bracket.group(1), text, field))
        rest = rest[bracket.end() :]
    return JsonPath(source, tuple(steps))


def _unsupported(text: str, field: str, what: str) -> ValidationError:
    return ValidationError(
        f"{field}: {what} in {text!r} is not supported; use '$', '$.name', \"$['a','b']\","
        " '$[1:]', '$[0,-1]' or '$[0,5:]'",
        field=field,
    )


def _bracket_step(inner: str, text: str, field: str) -> Names | Indexes:
    parts = inner.split(",")
    if not inner.strip():
        raise _unsupported(text, field, "an empty []")
    names = [m.group(1) if m.group(1) is not None else m.group(2) for m in _quoted(parts)]
    if len(names) == len(parts):
        return Names(tuple(names))
    if inner.strip() == "*":
        return Indexes((slice(None),))
    items: list[int | slice] = []
    for part in parts:
        match = _INDEX.match(part)
        if not match or not (match.group(1) or match.group(2) or match.group(3)):
            raise _unsupported(text, field, f"[{inner}]")
        start, colon, stop = match.groups()
        if colon:
            items.append(slice(_int(start), _int(stop)))
        elif stop is None and start is not None:
            items.append(int(start))
        else:
            raise _unsupported(text, field, f"[{inner}]")
    return Indexes(tuple(items))


def _quoted(parts: list[str]) -> list[re.Match[str]]:
    matches = [_QUOTED.match(part) for part in parts]
    return [m for m in matches if m is not None]


def _int(value: str | None) -> int | None:
    return None if value is None else int(value)


def select(value: Any, path: JsonPath) -> Any:
    """Apply ``path`` to ``value``; RecordError when it does not fit the value."""
    for step in path.steps:
        if isinstance(step, Names):
            if not isinstance(value, dict):
                raise RecordError(f"{path.text}: {_kind(value)} has no keys")
            missing = [n for n in step.names if n not in value]
            if missing:
                raise RecordError(f"{path.text}: no key {missing[0]!r}")
            value = (
                value[step.names[0]] if len(step.names) == 1 else {n: value[n] for n in step.names}
            )
            continue
        if not isinstance(value, list):
            raise RecordError(f"{path.text}: {_kind(value)} is not an array")
        if len(step.items) == 1 and isinstance(step.items[0], int):
            value = _at(value, step.items[0], path)
            continue
        picked: list[Any] = []
        for item in step.items:
            picked.extend(value[item] if isinstance(item, slice) else [_at(value, item, path)])
        value = picked
    return value


def _at(values: list[Any], index: int, path: JsonPath) -> Any:
    if not -len(values) <= index < len(values):
        raise RecordError(f"{path.text}: index {index} is out of range for {len(values)} values")
    return values[index]


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return f"the value {json.dumps(value)[:40]}"


# -- CSV and JSON records ----------------------------------------------------------------------


def csv_fields(text: str) -> list[str]:
    rows = list(csv.reader([text]))
    return rows[0] if rows else []


def csv_line(fields: Sequence[Any]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([_csv_value(v) for v in fields])
    return out.getvalue()


def _csv_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(f"the record is not UTF-8 text: {exc}") from None


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise RecordError(f"the {what} is not JSON: {exc}") from None


def _dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def filter_input(record: bytes, path: JsonPath, fmt: str) -> bytes:
    """What the model gets of ``record`` under ``InputFilter``."""
    if path.is_root:
        return record
    text = _decode(record)
    if fmt == "csv":
        picked = select(csv_fields(text), path)
        return csv_line(picked if isinstance(picked, list) else [picked]).encode()
    return _dump(select(_json(text, "input record"), path)).encode()


def _answer_value(answer: str, fmt: str) -> Any:
    """An answer record as a value to join: JSON parsed; a CSV row as its value (one field)
    or the list of its values, numbers as numbers."""
    if fmt == "json":
        return _json(answer, "answer")
    values: list[Any] = []
    for item in csv_fields(answer):
        try:
            values.append(json.loads(item))
        except ValueError:
            values.append(item)
    return values[0] if len(values) == 1 else values


def _answer_fields(answer: str, fmt: str) -> list[str]:
    if fmt != "json":
        return csv_fields(answer)
    value = _json(answer, "answer")
    return [_csv_value(v) for v in value] if isinstance(value, list) else [_csv_value(value)]


def output_record(
    record: bytes,
    answer: bytes,
    *,
    input_format: str,
    output_format: str,
    join: bool,
    output_filter: JsonPath,
) -> bytes:
    """One output record: the answer, or (``join``) the input joined with it — a CSV row
    gets the answer's fields appended; a JSON object gets ``SageMakerOutput``, any other
    JSON value becomes ``{"SageMakerInput": ..., "SageMakerOutput": ...}`` — then
    ``OutputFilter``."""
    out_text = _decode(answer)
    if not join:
        if output_filter.is_root:
            return answer
        if output_format == "json":
            return _dump(select(_json(out_text, "answer"), output_filter)).encode()
        picked = select(csv_fields(out_text), output_filter)
        return csv_line(picked if isinstance(picked, list) else [picked]).encode()
    in_text = _decode(record)
    if input_format == "csv":
        if output_filter.is_root and output_format != "json":
            return f"{in_text},{out_text}".encode()
        joined = csv_fields(in_text) + _answer_fields(out_text, output_format)
        picked = select(joined, output_filter)
        return csv_line(picked if isinstance(picked, list) else [picked]).encode()
    source = _json(in_text, "input record")
    value = _answer_value(out_text, output_format)
    if isinstance(source, dict):
        merged: Any = {**source, OUTPUT_KEY: value}
    else:
        merged = {INPUT_KEY: source, OUTPUT_KEY: value}
    return _dump(select(merged, output_filter)).encode()


# -- splitting, batching, answers -------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """Record ``number`` (1-based, counting non-empty lines) of an input file: its bytes as
    read and what the model gets of it (after ``InputFilter``); ``error`` when it cannot
    be sent (it fails without a request)."""

    number: int
    raw: bytes
    payload: bytes
    error: str | None = None


def split_records(stream: BinaryIO, split_type: str) -> Iterator[tuple[int, bytes]]:
    """``Line``: every non-empty line (``\\n`` or ``\\r\\n`` endings), numbered from 1;
    ``None``: the whole file as record 1 (nothing for an empty file)."""
    if split_type != LINE:
        data = stream.read()
        if data:
            yield 1, data
        return
    number = 0
    for line in stream:
        line = line.rstrip(b"\n").rstrip(b"\r")
        if not line.strip():
            continue
        number += 1
        yield number, line


def body_of(records: Sequence[Record], split_type: str) -> bytes:
    """A request's body: records ended by newlines (``Line``), or the one record as is."""
    if split_type != LINE:
        return b"".join(r.payload for r in records)
    return b"".join(r.payload + b"\n" for r in records)


def batch_records(
    records: Iterable[Record], strategy: str, max_bytes: int, split_type: str
) -> Iterator[list[Record]]:
    """Mini-batches: one record each (``SingleRecord``), or as many consecutive records as
    fit in ``max_bytes`` (``MultiRecord``). A record with an error, or larger than
    ``max_bytes`` (it gets an error), is a batch of its own."""
    extra = 1 if split_type == LINE else 0
    batch: list[Record] = []
    size = 0
    for record in records:
        cost = len(record.payload) + extra
        if record.error is None and cost > max_bytes:
            record = replace(
                record,
                error=f"the record has {cost} bytes, more than MaxPayloadInMB"
                f" ({max_bytes // (1024 * 1024)} MB)",
            )
        if strategy == SINGLE_RECORD or record.error is not None:
            if batch:
                yield batch
                batch, size = [], 0
            yield [record]
            continue
        if batch and size + cost > max_bytes:
            yield batch
            batch, size = [], 0
        batch.append(record)
        size += cost
    if batch:
        yield batch


def split_answer(body: bytes, count: int, output_format: str) -> list[bytes]:
    """The answer of a batch of ``count`` records, one item per record: the whole answer
    for one record; else its lines, or the items of a JSON array. RecordError when the
    model answered another number of records."""
    if count == 1:
        return [_strip_newline(body)]
    lines = [line.rstrip(b"\r") for line in body.split(b"\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) == count:
        return lines
    if output_format == "json":
        try:
            value = json.loads(body)
        except ValueError:
            value = None
        if isinstance(value, list) and len(value) == count:
            return [_dump(item).encode() for item in value]
    raise RecordError(f"the model answered {len(lines)} lines for {count} records")


def _strip_newline(data: bytes) -> bytes:
    if data.endswith(b"\r\n"):
        return data[:-2]
    return data[:-1] if data.endswith(b"\n") else data


def assemble(body: bytes, assemble_with: str) -> bytes:
    """An answer (or an output record) as written to the output file: ``Line`` ends it
    with exactly one newline, ``None`` writes it as it is."""
    if assemble_with == LINE:
        return _strip_newline(body) + b"\n"
    return body


# -- manifest files -------------------------------------------------------------------------


def parse_manifest(data: bytes, *, field: str) -> tuple[str, list[str]]:
    """A ManifestFile: ``[{"prefix": "s3://bucket/prefix/"}, "relative/key", ...]`` →
    (prefix, keys). ValidationError naming ``field`` for anything else."""
    try:
        items = json.loads(data)
    except ValueError as exc:
        raise ValidationError(f"{field}: the manifest is not JSON: {exc}", field=field) from None
    if (
        not isinstance(items, list)
        or not items
        or not isinstance(items[0], dict)
        or not isinstance(items[0].get("prefix"), str)
    ):
        raise ValidationError(
            f'{field}: a manifest is a JSON list: [{{"prefix": "s3://bucket/prefix/"}},'
            ' "key", ...]',
            field=field,
        )
    keys = items[1:]
    if not keys or not all(isinstance(k, str) and k.strip("/") for k in keys):
        raise ValidationError(
            f"{field}: the manifest must list at least one file (strings after the prefix)",
            field=field,
        )
    keys = [k.lstrip("/") for k in keys]
    for key in keys:
        if ".." in key.split("/") or "\\" in key:
            raise ValidationError(
                f"{field}: the manifest's key {key!r} leaves its prefix", field=field
            )
    return items[0]["prefix"], keys
