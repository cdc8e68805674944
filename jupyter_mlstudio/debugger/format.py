"""The on-disk format of saved tensors: one file per step and worker, written then renamed.

Below a hook's ``out_dir``::

    events/<global step, 12 digits>_<worker>.step    one step of one worker
    events/.<...>.step.tmp                           the step being written (never read)
    training_job_end.ts                              the hook closed (the run is over)

A step file is the raw bytes of its arrays one after the other (C order, native dtype),
then a JSON footer, then 16 bytes: the footer's length (8 bytes, little-endian) and
:data:`MAGIC`. The footer names the step (``step``, ``mode``, ``mode_step``,
``worker``, ``time``), the payload's length and CRC-32, and each tensor: ``name``,
``collections``, and either ``value`` (a scalar, inline) or ``dtype``/``shape``/
``offset``/``nbytes`` (an array in the payload). Writing then renaming means a reader
sees a step whole or not at all; a file that is cut short or does not check out (a crash
while copying, a damaged disk) is reported as :class:`CorruptStep` and skipped.
"""

from __future__ import annotations

import json
import math
import os
import struct
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

MAGIC = b"MLSDBG01"
FORMAT_VERSION = 1
EVENTS_DIR = "events"
SUFFIX = ".step"
END_FILE = "training_job_end.ts"
_TRAILER = struct.Struct("<Q8s")


class CorruptStep(ValueError):
    """A step file that cannot be read whole."""


def step_file_name(step: int, worker: str) -> str:
    """The file name of ``step`` of ``worker``."""
    return f"{step:012d}_{worker}{SUFFIX}"


def parse_step_file_name(name: str) -> tuple[int, str] | None:
    """(global step, worker) of a step file's name; None for any other name."""
    if not name.endswith(SUFFIX) or len(name) < 14 or name[12] != "_":
        return None
    digits = name[:12]
    if not digits.isdigit():
        return None
    return int(digits), name[13 : -len(SUFFIX)]


_IOV_MAX = 512  # buffers per writev call (the system's limit is at least 1024)


def _scalar_entry(name: str, value: Any, collections: list[str]) -> dict[str, Any]:
    number = float(value)
    text: Any = number if math.isfinite(number) else repr(number)  # JSON has no NaN
    return {"name": name, "collections": collections, "value": text}


def _write_all(fd: int, buffers: list[Any]) -> None:
    for start in range(0, len(buffers), _IOV_MAX):
        chunk = buffers[start : start + _IOV_MAX]
        total = sum(len(b) for b in chunk)
        written = os.writev(fd, chunk)
        if written < total:  # a short write: the rest one buffer at a time
            rest = memoryview(b"".join(bytes(b) for b in chunk))[written:]
            while rest:
                rest = rest[os.write(fd, rest) :]


def write_step(
    folder: Path,
    worker: str,
    step: int,
    mode: str,
    mode_step: int,
    items: list[tuple[str, Any, list[str]]],
) -> Path | None:
    """Write one step's ``(name, value, collections)`` items (numeric arrays or numbers)
    to a temporary file in one ``writev`` and rename it into place; a name given twice
    keeps its last value.

    Returns:
        The step file, or None when there was nothing to write.

    Raises:
        TypeError: An array of a dtype that is not numeric.
        OSError: The file could not be written.
    """
    entries: dict[str, dict[str, Any]] = {}
    buffers: list[Any] = []
    offset = crc = 0
    for name, value, collections in items:
        if isinstance(value, np.ndarray) and value.ndim:
            if value.dtype.kind not in "biuf":
                raise TypeError(f"tensor {name!r}: cannot save dtype {value.dtype}")
            data = np.ascontiguousarray(value)
            view = memoryview(data).cast("B")  # type: ignore[arg-type]
            crc = zlib.crc32(view, crc)
            buffers.append(view)
            entries.pop(name, None)
            entries[name] = {
                "name": name,
                "collections": collections,
                "dtype": data.dtype.str,
                "shape": list(data.shape),
                "offset": offset,
                "nbytes": data.nbytes,
            }
            offset += data.nbytes
        else:
            scalar = value.item() if isinstance(value, np.ndarray) else value
            entries.pop(name, None)
            entries[name] = _scalar_entry(name, scalar, collections)
    if not entries:
        return None
    footer = {
        "format": FORMAT_VERSION,
        "worker": worker,
        "step": step,
        "mode": mode,
        "mode_step": mode_step,
        "time": time.time(),
        "payload": offset,
        "crc32": crc,
        "tensors": list(entries.values()),
    }
    body = json.dumps(footer, separators=(",", ":")).encode()
    buffers += [body, _TRAILER.pack(len(body), MAGIC)]
    file_name = step_file_name(step, worker)
    temp = os.path.join(folder, f".{file_name}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    try:
        fd = os.open(temp, flags, 0o644)
    except FileNotFoundError:  # the first step: make the folder (once, not every step)
        os.makedirs(folder, exist_ok=True)
        fd = os.open(temp, flags, 0o644)
    try:
        _write_all(fd, buffers)
    except BaseException:
        os.close(fd)
        os.unlink(temp)
        raise
    os.close(fd)
    target = os.path.join(folder, file_name)
    os.replace(temp, target)
    return Path(target)


@dataclass
class StepMeta:
    """A step file's footer, checked against the file."""

    path: Path
    step: int
    worker: str
    mode: str
    mode_step: int
    time: float
    tensors: list[dict[str, Any]] = field(default_factory=list)


def _scalar(value: Any) -> float:
    return float(value)  # "nan", "inf" and "-inf" parse too


def read_step(path: Path, summarize: bool = True) -> StepMeta:
    """Read and check a step file: the footer, the payload's length and CRC. With
    ``summarize``, each array entry gets ``summary`` (mean, min, max, norm, abs_mean,
    nan, inf) computed from the payload read for the check.

    Raises:
        CorruptStep: The file is cut short, damaged or not a step file.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise CorruptStep(f"{path.name}: cannot read ({exc})") from None
    if len(data) < _TRAILER.size:
        raise CorruptStep(f"{path.name}: cut short ({len(data)} bytes)")
    length, magic = _TRAILER.unpack_from(data, len(data) - _TRAILER.size)
    if magic != MAGIC or length > len(data) - _TRAILER.size:
        raise CorruptStep(f"{path.name}: cut short or not a step file")
    start = len(data) - _TRAILER.size - length
    try:
        footer = json.loads(data[start : start + length])
        payload = int(footer["payload"])
        entries = list(footer["tensors"])
    except (ValueError, KeyError, TypeError):
        raise CorruptStep(f"{path.name}: unreadable footer") from None
    if payload != start:
        raise CorruptStep(f"{path.name}: payload of {start} bytes, {payload} expected")
    view = memoryview(data)[:payload]
    if zlib.crc32(view) != int(footer.get("crc32", -1)):
        raise CorruptStep(f"{path.name}: checksum mismatch")
    meta = StepMeta(
        path=path,
        step=int(footer["step"]),
        worker=str(footer["worker"]),
        mode=str(footer["mode"]),
        mode_step=int(footer["mode_step"]),
        time=float(footer.get("time", 0.0)),
        tensors=entries,
    )
    for entry in entries:
        if "value" in entry:
            entry["value"] = _scalar(entry["value"])
        elif summarize:
            entry["summary"] = summarize_array(_array(view, entry))
    return meta


def _array(view: memoryview, entry: dict[str, Any]) -> np.ndarray:
    offset, nbytes = int(entry["offset"]), int(entry["nbytes"])
    flat = np.frombuffer(view[offset : offset + nbytes], dtype=np.dtype(entry["dtype"]))
    return flat.reshape(entry["shape"])


def summarize_array(array: np.ndarray) -> dict[str, Any]:
    """mean, min, max, L2 norm, mean absolute value, and whether it holds NaN / ±inf."""
    values = array.astype(np.float64, copy=False).ravel()
    if values.size == 0:
        return {"mean": None, "min": None, "max": None, "norm": 0.0, "abs_mean": None}
    nan = bool(np.isnan(values).any())
    inf = bool(np.isinf(values).any())
    return {
        "mean": float(values.mean()),
        "min": float(values.min()),
        "max": float(values.max()),
        "norm": float(np.sqrt(np.dot(values, values))),
        "abs_mean": float(np.abs(values).mean()),
        "nan": nan,
        "inf": inf,
    }


def load_array(path: Path, entry: dict[str, Any]) -> np.ndarray:
    """An array entry's values, read from its step file.

    Raises:
        CorruptStep: The file no longer holds the array.
    """
    dtype = np.dtype(entry["dtype"])
    count = int(entry["nbytes"]) // max(dtype.itemsize, 1)
    try:
        flat = np.fromfile(path, dtype=dtype, count=count, offset=int(entry["offset"]))
    except (OSError, ValueError) as exc:
        raise CorruptStep(f"{path.name}: cannot read {entry['name']} ({exc})") from None
    if flat.size != count:
        raise CorruptStep(f"{path.name}: {entry['name']} cut short")
    return flat.reshape(entry["shape"])
