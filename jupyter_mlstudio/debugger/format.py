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


class StepWriter:
    """Writes one step: arrays go straight into a temporary file as they are saved (no
    copy is kept), :meth:`commit` adds the footer and renames the file into place."""

    def __init__(self, folder: Path, worker: str, step: int, mode: str, mode_step: int) -> None:
        self.folder = folder
        self.worker = worker
        self.step = step
        self.mode = mode
        self.mode_step = mode_step
        self.entries: list[dict[str, Any]] = []
        self._names: set[str] = set()
        self._file: Any = None
        self._offset = 0
        self._crc = 0

    def _open(self) -> Any:
        if self._file is None:
            try:
                self._file = open(self._temp_path(), "wb")  # noqa: SIM115 - commit/abort close it
            except FileNotFoundError:  # the first step (mkdir once, not every step)
                self.folder.mkdir(parents=True, exist_ok=True)
                self._file = open(self._temp_path(), "wb")  # noqa: SIM115
        return self._file

    def _temp_path(self) -> Path:
        return self.folder / f".{step_file_name(self.step, self.worker)}.tmp"

    def __len__(self) -> int:
        return len(self.entries)

    def add_array(self, name: str, array: np.ndarray, collections: list[str]) -> None:
        """Write ``array`` (numeric) as tensor ``name`` of this step (a second save of the
        same name in a step replaces the first in the footer)."""
        if array.dtype.kind not in "biuf":
            raise TypeError(f"tensor {name!r}: cannot save dtype {array.dtype}")
        if array.ndim == 0:
            self.add_scalar(name, array.item(), collections)
            return
        data = np.ascontiguousarray(array)
        handle = self._open()
        view = memoryview(data).cast("B")  # type: ignore[arg-type]
        handle.write(view)
        self._crc = zlib.crc32(view, self._crc)
        self._add(
            {
                "name": name,
                "collections": collections,
                "dtype": data.dtype.str,
                "shape": list(data.shape),
                "offset": self._offset,
                "nbytes": data.nbytes,
            }
        )
        self._offset += data.nbytes

    def add_scalar(self, name: str, value: Any, collections: list[str]) -> None:
        """Record scalar ``value`` (int, float or bool) as tensor ``name`` of this step."""
        number = float(value)
        text: Any = number if math.isfinite(number) else repr(number)
        self._add({"name": name, "collections": collections, "value": text})

    def _add(self, entry: dict[str, Any]) -> None:
        if entry["name"] in self._names:
            self.entries = [e for e in self.entries if e["name"] != entry["name"]]
        self._names.add(entry["name"])
        self.entries.append(entry)

    def commit(self) -> Path | None:
        """Finish the file and rename it into place; None when nothing was saved."""
        if not self.entries:
            self.abort()
            return None
        footer = {
            "format": FORMAT_VERSION,
            "worker": self.worker,
            "step": self.step,
            "mode": self.mode,
            "mode_step": self.mode_step,
            "time": time.time(),
            "payload": self._offset,
            "crc32": self._crc,
            "tensors": self.entries,
        }
        body = json.dumps(footer, separators=(",", ":")).encode()
        handle = self._open()
        handle.write(body)
        handle.write(_TRAILER.pack(len(body), MAGIC))
        handle.close()
        self._file = None
        target = self.folder / step_file_name(self.step, self.worker)
        os.replace(self._temp_path(), target)
        return target

    def abort(self) -> None:
        """Drop the step (its temporary file too)."""
        if self._file is not None:
            self._file.close()
            self._file = None
            self._temp_path().unlink(missing_ok=True)


def write_step(
    folder: Path,
    worker: str,
    step: int,
    mode: str,
    mode_step: int,
    items: list[tuple[str, Any, list[str]]],
) -> Path | None:
    """Write one step's ``(name, value, collections)`` items (arrays or numbers) whole.

    Returns:
        The step file, or None when there was nothing to write.
    """
    writer = StepWriter(folder, worker, step, mode, mode_step)
    try:
        for name, value, collections in items:
            if isinstance(value, np.ndarray):
                writer.add_array(name, value, collections)
            else:
                writer.add_scalar(name, value, collections)
        return writer.commit()
    except BaseException:
        writer.abort()
        raise


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
