"""Checkpoints of a training job (``CheckpointConfig{S3Uri, LocalPath}``).

Before the hosts start, everything under ``S3Uri`` is restored into each host's local
checkpoint folder (``LocalPath``, default ``/opt/ml/checkpoints``). While the job runs, a
:class:`CheckpointSyncThread` mirrors algo-1's folder to ``S3Uri`` every
:data:`SYNC_INTERVAL_S` seconds, uploading only the files that changed since they were
last restored or uploaded (size or modification time) and have not been modified for
:data:`SETTLE_S` seconds (a file still being written waits for a later round). When the
hosts have ended — completed, failed, stopped or out of time — a last round uploads every
changed file. So a job started again with the same ``CheckpointConfig`` finds the last
checkpoint its predecessor wrote, even when that one was stopped. Files deleted locally
stay at ``S3Uri``.

``S3Uri`` is ``s3://bucket/prefix`` (boto3, through the S3 artifact store), ``file://``
or a local path. Where the folder is: ``LocalPath`` below ``/opt/ml`` is that place in the
host's ``/opt/ml`` folder (on the process runtime the job sees the folder's real path,
also given as ``MLSTUDIO_CHECKPOINT_DIR``); elsewhere (docker only) it is a read-write
mount of ``<host folder>/checkpoints``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from pathlib import Path, PurePosixPath

from ...artifacts import open_artifact_store
from ...artifacts.base import ArtifactStore
from ...exceptions import NotFoundError, StudioError, ValidationError
from ...runtime.base import OPT_ML, Mount

log = logging.getLogger(__name__)

DEFAULT_LOCAL_PATH = f"{OPT_ML}/checkpoints"
ENV_CHECKPOINT_DIR = "MLSTUDIO_CHECKPOINT_DIR"
SYNC_INTERVAL_S = 2.0
SETTLE_S = 1.0
FIELD = "CheckpointConfig.LocalPath"

Snapshot = dict[str, tuple[int, int]]  # relative path → (size, mtime_ns)


def check_local_path(local_path: str | None, runtime: str) -> str:
    """The checkpoint folder as the job sees it; ValidationError (CheckpointConfig.LocalPath)
    for a relative path, ``..``, or (process runtime) a place outside ``/opt/ml``."""
    path = PurePosixPath(local_path or DEFAULT_LOCAL_PATH)
    if not path.is_absolute() or ".." in path.parts or path == PurePosixPath("/"):
        raise ValidationError(f"{local_path!r} must be an absolute folder path", field=FIELD)
    if runtime != "docker" and not _below_opt_ml(path):
        raise ValidationError(
            f"{local_path!r}: on the {runtime} runtime the checkpoint folder must be below"
            f" {OPT_ML} (the job's folder)",
            field=FIELD,
        )
    return str(path)


def _below_opt_ml(path: PurePosixPath) -> bool:
    return path.is_relative_to(OPT_ML) and path != PurePosixPath(OPT_ML)


def host_folder(ml_dir: Path, local_path: str) -> Path:
    """Where a host's checkpoints are on this machine (``ml_dir`` is its ``/opt/ml``)."""
    path = PurePosixPath(local_path)
    if _below_opt_ml(path):
        return ml_dir / path.relative_to(OPT_ML)
    return ml_dir.parent / "checkpoints"


def mount_for(ml_dir: Path, local_path: str) -> Mount | None:
    """The read-write mount a checkpoint folder outside ``/opt/ml`` needs (docker)."""
    if _below_opt_ml(PurePosixPath(local_path)):
        return None
    folder = host_folder(ml_dir, local_path)
    folder.mkdir(parents=True, exist_ok=True)
    return Mount(folder, local_path, read_only=False)


def scan(folder: Path) -> Snapshot:
    """Every regular file below ``folder``: relative POSIX path → (size, mtime_ns)."""
    found: Snapshot = {}
    if not folder.is_dir():
        return found
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in files:
            path = Path(root) / name
            with contextlib.suppress(OSError):
                info = path.stat()
                if path.is_file():
                    found[path.relative_to(folder).as_posix()] = (info.st_size, info.st_mtime_ns)
    return found


class CheckpointSync:
    """One local folder and its checkpoint location; remembers what was uploaded.

    Not thread-safe: one thread at a time (the sync thread, then the supervisor)."""

    def __init__(self, folder: Path, destination: str) -> None:
        self.folder = folder
        self.destination = destination
        self._synced: Snapshot = {}
        self._store: ArtifactStore | None = None

    def _location(self) -> ArtifactStore:
        if self._store is None:  # kept open: an S3 client is costly to make
            self._store = open_artifact_store(self.destination.rstrip("/"))
        return self._store

    def restore(self) -> int:
        """Copy everything at the location into the folder; return the number of files."""
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            copied = self._location().download_dir("", self.folder)
        except NotFoundError:
            copied = []
        self._synced = scan(self.folder)
        return len(copied)

    def sync(self, settle_s: float = 0.0) -> list[str]:
        """Upload the files changed since the last upload (and older than ``settle_s``
        seconds); return their relative paths. A file that cannot be uploaded is tried
        again in the next round."""
        now = time.time_ns()
        uploaded: list[str] = []
        for name, state in scan(self.folder).items():
            if self._synced.get(name) == state or now - state[1] < settle_s * 1e9:
                continue
            try:
                self._location().put_file(name, self.folder / name)
            except ValidationError:  # vanished meanwhile, or a name no store can hold
                log.warning("checkpoint %s not uploaded", self.folder / name, exc_info=True)
                continue
            self._synced[name] = state
            uploaded.append(name)
        return uploaded

    def close(self) -> None:
        if self._store is not None:
            with contextlib.suppress(Exception):
                self._store.close()
            self._store = None


class CheckpointSyncThread(threading.Thread):
    """Runs :meth:`CheckpointSync.sync` every ``interval_s`` until :meth:`finish`."""

    def __init__(
        self, sync: CheckpointSync, job_name: str, interval_s: float = SYNC_INTERVAL_S
    ) -> None:
        super().__init__(name=f"mlstudio-checkpoints-{job_name}", daemon=True)
        self.sync = sync
        self.job_name = job_name
        self.interval_s = interval_s
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(self.interval_s):
            self._round(SETTLE_S)

    def _round(self, settle_s: float) -> None:
        try:
            uploaded = self.sync.sync(settle_s)
        except StudioError:  # the location does not answer: try again next round
            log.warning("job %s: checkpoints not synced", self.job_name, exc_info=True)
            return
        if uploaded:
            log.debug("job %s: %d checkpoint files synced", self.job_name, len(uploaded))

    def finish(self, final: bool = True) -> None:
        """Stop the rounds; with ``final``, upload every changed file now (the hosts have
        ended). Idempotent."""
        self._done.set()
        if self.is_alive():
            self.join()
        if final:
            self._round(0.0)
        self.sync.close()
