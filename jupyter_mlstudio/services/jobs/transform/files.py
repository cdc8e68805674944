"""The files of a batch transform job: its input files (a local file or folder, an S3
prefix or object, or the files a manifest names; S3 ones are downloaded into the job's
folder) and its output files (``<input name>.out``, written in input order, then put
where ``S3OutputPath`` says).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from ....artifacts import open_artifact_store, transfer
from ....artifacts.base import ArtifactStore
from ....exceptions import NotFoundError, StudioError
from .records import parse_manifest
from .requests import MANIFEST_FILE, TransformSettings, local_input_files

FAILED_RECORDS_KEPT = 20
_INPUT_FIELD = "TransformInput.DataSource.S3DataSource.S3Uri"


@dataclass(frozen=True)
class InputFile:
    name: str  # relative path: the output is <name>.out
    path: Path


def list_inputs(settings: TransformSettings, scratch: Path) -> list[InputFile]:
    """The job's input files, sorted by name; S3 objects are downloaded into ``scratch``.
    StudioError ("ClientError: ...") when there are none."""
    uri = settings.input_uri
    if settings.data_type == MANIFEST_FILE:
        return _manifest_inputs(uri, scratch)
    if transfer.is_s3(uri):
        return _s3_inputs(uri, scratch)
    path = transfer.local_path(uri, field=_INPUT_FIELD)
    if path.is_file():
        return [InputFile(path.name, path)]
    files = [InputFile(name, p) for name, p in local_input_files(path)]
    if not files:
        raise StudioError(f"ClientError: no input files in {path}")
    return files


def _manifest_inputs(uri: str, scratch: Path) -> list[InputFile]:
    if transfer.is_s3(uri):
        manifest = scratch / ".manifest.json"
        _download_object(uri, manifest)
        data = manifest.read_bytes()
    else:
        data = transfer.local_path(uri, field=_INPUT_FIELD).read_bytes()
    prefix, keys = parse_manifest(data, field=_INPUT_FIELD)
    files = []
    for key in keys:
        source = f"{prefix.rstrip('/')}/{key}"
        if transfer.is_s3(source):
            target = scratch / key
            _download_object(source, target)
            files.append(InputFile(key, target))
            continue
        path = transfer.local_path(source, field=_INPUT_FIELD)
        if not path.is_file():
            raise StudioError(f"ClientError: the manifest's file {source} does not exist")
        files.append(InputFile(key, path))
    return files


def _s3_inputs(uri: str, scratch: Path) -> list[InputFile]:
    """Every object under the S3 prefix (or the one object it names), downloaded."""
    with open_artifact_store(uri.rstrip("/")) as store:
        keys = sorted(i.path for i in store.list("", recursive=True) if not i.is_dir)
        for key in keys:
            store.download_file(key, scratch / key)
    if keys:
        return [InputFile(key, scratch / key) for key in keys]
    name = uri.rstrip("/").rsplit("/", 1)[-1]
    _download_object(uri, scratch / name)
    return [InputFile(name, scratch / name)]


def _download_object(uri: str, target: Path) -> None:
    parent, _, name = uri.rstrip("/").rpartition("/")
    try:
        with open_artifact_store(parent) as store:
            store.download_file(name, target)
    except NotFoundError:
        raise StudioError(f"ClientError: no input file at {uri}") from None


def open_input(path: Path, gzipped: bool) -> BinaryIO:
    if gzipped:
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


@dataclass
class Outcome:
    """What one batch gave: the bytes to write, in order, and the records that failed
    (record number, error)."""

    outputs: list[bytes] = field(default_factory=list)
    failures: list[tuple[int, str]] = field(default_factory=list)
    records: int = 0


@dataclass
class Tally:
    records: int = 0
    failed: int = 0
    first_errors: list[dict[str, Any]] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    files_done: int = 0

    def figures(self) -> dict[str, int]:
        return {"Records": self.records, "FailedRecords": self.failed, "FilesDone": self.files_done}


class OutputWriter:
    """Output files in input order: ``<name>.out`` below ``out_dir``. One thread."""

    def __init__(self, out_dir: Path, tally: Tally) -> None:
        self.out_dir = out_dir
        self.tally = tally
        self.current: InputFile | None = None
        self.handle: BinaryIO | None = None
        self.entry: dict[str, Any] = {}

    def write(self, item: InputFile, outcome: Outcome) -> None:
        if item is not self.current:
            self.close()
            self.current = item
            target = self.out_dir / f"{item.name}.out"
            target.parent.mkdir(parents=True, exist_ok=True)
            self.handle = open(target, "wb")  # noqa: SIM115 - closed by close()
            self.entry = {"Input": item.name, "Output": f"{item.name}.out"}
            self.entry.update(Records=0, FailedRecords=0)
            self.tally.files.append(self.entry)
        assert self.handle is not None
        for chunk in outcome.outputs:
            self.handle.write(chunk)
        t = self.tally
        t.records += outcome.records
        t.failed += len(outcome.failures)
        self.entry["Records"] += outcome.records
        self.entry["FailedRecords"] += len(outcome.failures)
        for number, error in outcome.failures:
            if len(t.first_errors) < FAILED_RECORDS_KEPT:
                t.first_errors.append({"File": item.name, "Record": number, "Error": error})

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None
            self.tally.files_done += 1

    def upload(self, store: ArtifactStore) -> None:
        """Put every output file into ``store`` (under its relative name); each entry of
        the tally gets the file's ``S3Uri``."""
        for entry in self.tally.files:
            store.put_file(entry["Output"], self.out_dir / entry["Output"])
            entry["S3Uri"] = store.uri_for(entry["Output"])
