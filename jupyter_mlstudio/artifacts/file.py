"""Artifacts in a local folder (``file://`` URIs), the studio's default.

Writes go to a temporary file in the target's folder and are renamed over the target
(``os.replace``), so readers never see a partial file and a crash leaves at most a
hidden ``.mlstudio-tmp-*`` file, which listings skip. Every path is resolved with
``realpath`` and must stay inside the resolved root: symbolic links inside the root
may point elsewhere inside it, but never out of it. (The check happens at call time; a
root writable by untrusted local users is out of scope.)
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from ..exceptions import (
    ArtifactPathError,
    ConflictError,
    NotFoundError,
    StoreUnavailableError,
    ValidationError,
)
from .base import (
    ArtifactHealth,
    ArtifactInfo,
    ArtifactList,
    ArtifactStore,
    BytesLike,
    LocalPath,
    PathList,
    guess_content_type,
    is_within,
    join_path,
    local_source_file,
    local_source_tree,
    local_target,
    normalize_path,
)

_TMP_PREFIX = ".mlstudio-tmp-"
_COPY_CHUNK = 1024 * 1024


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# mkstemp creates files readable by the owner only; artifacts get the usual mode.
_FILE_MODE = 0o666 & ~_current_umask()


def _write_atomically(target: str, write: Callable[[BinaryIO], object], *, fsync: bool) -> None:
    """Write ``target`` through a temporary file in its folder and ``os.replace``."""
    folder = os.path.dirname(target)
    for attempt in range(3):
        os.makedirs(folder, exist_ok=True)
        try:
            fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=folder)
            break
        except FileNotFoundError:
            # A concurrent delete removed the emptied folder in between; make it again.
            if attempt == 2:
                raise
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            if fsync:
                os.fsync(handle.fileno())
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _remove_tree(top: str) -> None:
    """``shutil.rmtree`` that tolerates a concurrent delete of part of the tree."""
    for attempt in range(3):
        try:
            shutil.rmtree(top)
            return
        except FileNotFoundError:
            if not os.path.lexists(top) or attempt == 2:
                return


class FileArtifactStore(ArtifactStore):
    """Artifacts as files below ``root`` (created on the first write)."""

    backend = "file"

    def __init__(self, root: LocalPath, *, fsync: bool = True) -> None:
        self._root = os.path.abspath(os.path.expanduser(os.fspath(root)))
        self._root_real = os.path.realpath(self._root)
        self._fsync = fsync

    @property
    def root(self) -> Path:
        """The root folder."""
        return Path(self._root)

    @property
    def root_uri(self) -> str:
        return Path(self._root).as_uri()

    def uri_for(self, path: str = "") -> str:
        key = normalize_path(path, allow_root=True)
        return Path(self._root, *key.split("/")).as_uri() if key else self.root_uri

    # -- paths ----------------------------------------------------------------------

    def _local(self, path: str, *, field: str = "path", allow_root: bool = False) -> str:
        """The local name of ``path``, after checking that it resolves inside the root."""
        key = normalize_path(path, field=field, allow_root=allow_root)
        full = os.path.join(self._root_real, *key.split("/")) if key else self._root_real
        if not is_within(os.path.realpath(full), self._root_real):
            raise ArtifactPathError(
                f"invalid artifact {field} {path!r}: a symbolic link leads out of the "
                "artifact root",
                field=field,
            )
        return full

    def _key(self, full: str) -> str:
        rel = os.path.relpath(full, self._root_real)
        return "" if rel == "." else rel.replace(os.sep, "/")

    @contextlib.contextmanager
    def _os_errors(self, path: str, *, writing: bool = False) -> Iterator[None]:
        """Translate the file system's errors into the contract's."""
        try:
            yield
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError) as exc:
            if writing:
                raise ConflictError(
                    f"cannot write artifact {path!r}: it is a folder, or a parent is a file",
                    field="path",
                ) from exc
            raise NotFoundError(f"artifact {path!r} not found in {self.root_uri}") from exc
        except FileExistsError as exc:
            raise ConflictError(
                f"cannot write artifact {path!r}: a parent folder is a file", field="path"
            ) from exc
        except OSError as exc:
            if exc.errno == errno.ENAMETOOLONG:
                raise ArtifactPathError(
                    f"artifact path {path!r} is too long", field="path"
                ) from exc
            raise StoreUnavailableError(
                f"artifact store {self.root_uri} failed on {path!r}: {exc.strerror or exc}"
            ) from exc

    def _info(self, full: str, st: os.stat_result, is_dir: bool) -> ArtifactInfo:
        key = self._key(full)
        return ArtifactInfo(
            path=key,
            is_dir=is_dir,
            size=None if is_dir else st.st_size,
            modified=datetime.fromtimestamp(st.st_mtime, tz=timezone.utc),
            content_type=None if is_dir else guess_content_type(key),
        )

    def _prune(self, folder: str) -> None:
        """Remove the folders left empty by a delete, up to (not including) the root."""
        while folder != self._root_real and is_within(folder, self._root_real):
            try:
                os.rmdir(folder)
            except OSError:
                return
            folder = os.path.dirname(folder)

    # -- writing --------------------------------------------------------------------

    def put_bytes(self, path: str, data: BytesLike, content_type: str | None = None) -> None:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise ValidationError(
                f"artifact data must be bytes, got {type(data).__name__}", field="data"
            )
        full = self._local(path)
        with self._os_errors(path, writing=True):
            _write_atomically(full, lambda handle: handle.write(data), fsync=self._fsync)

    def put_file(self, path: str, local_file: LocalPath, content_type: str | None = None) -> None:
        source = local_source_file(local_file)
        full = self._local(path)

        def copy(handle: BinaryIO) -> None:
            with open(source, "rb") as src:
                shutil.copyfileobj(src, handle, _COPY_CHUNK)

        with self._os_errors(path, writing=True):
            _write_atomically(full, copy, fsync=self._fsync)

    def put_dir(self, prefix: str, local_dir: LocalPath) -> PathList:
        base = normalize_path(prefix, field="prefix", allow_root=True)
        written = []
        for rel, source in local_source_tree(local_dir):
            key = join_path(base, rel)
            self.put_file(key, source)
            written.append(key)
        return written

    # -- reading --------------------------------------------------------------------

    def get_bytes(self, path: str) -> bytes:
        full = self._local(path)
        with self._os_errors(path), open(full, "rb") as handle:
            return handle.read()

    def open_read(self, path: str) -> BinaryIO:
        full = self._local(path)
        with self._os_errors(path):
            return open(full, "rb")  # the caller closes the reader

    def download_file(self, path: str, local_file: LocalPath) -> None:
        full = self._local(path)
        with self._os_errors(path):
            source = open(full, "rb")  # noqa: SIM115 - closed below
        with source:
            target = local_target(local_file)
            _write_atomically(
                str(target),
                lambda handle: shutil.copyfileobj(source, handle, _COPY_CHUNK),
                fsync=False,
            )

    def download_dir(self, prefix: str, local_dir: LocalPath) -> PathList:
        base = normalize_path(prefix, field="prefix", allow_root=True)
        entries = self.list(base, recursive=True)
        if not entries:
            raise NotFoundError(f"no artifacts below {base!r} in {self.root_uri}")
        copied = []
        for entry in entries:
            rel = entry.path[len(base) + 1 :] if base else entry.path
            self.download_file(entry.path, Path(os.fspath(local_dir), *rel.split("/")))
            copied.append(entry.path)
        return copied

    # -- inspecting -----------------------------------------------------------------

    def exists(self, path: str) -> bool:
        full = self._local(path)
        if os.path.basename(full).startswith(_TMP_PREFIX):
            return False
        return os.path.exists(full)

    def stat(self, path: str) -> ArtifactInfo:
        full = self._local(path)
        if os.path.basename(full).startswith(_TMP_PREFIX):
            raise NotFoundError(f"artifact {path!r} not found in {self.root_uri}")
        with self._os_errors(path):
            st = os.stat(full)
        return self._info(full, st, is_dir=os.path.isdir(full))

    def list(self, prefix: str = "", recursive: bool = False) -> ArtifactList:
        top = self._local(prefix, field="prefix", allow_root=True)
        if not os.path.isdir(top):
            return []
        found: ArtifactList = []
        # Each folder carries the resolved folders above it: a link back up is a loop.
        pending = [(top, frozenset({os.path.realpath(top)}))]
        with self._os_errors(prefix):
            while pending:
                folder, above = pending.pop()
                for full, st, is_dir in self._scan(folder):
                    if not (is_dir and recursive):
                        found.append(self._info(full, st, is_dir))
                        continue
                    real = os.path.realpath(full)
                    if real not in above:
                        pending.append((full, above | {real}))
        return sorted(found, key=lambda info: info.path)

    def _scan(self, folder: str) -> Iterator[tuple[str, os.stat_result, bool]]:
        """The valid entries of one folder that resolve inside the root."""
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            return  # deleted meanwhile
        for entry in entries:
            if entry.name.startswith(_TMP_PREFIX):
                continue
            try:
                normalize_path(entry.name)
                if entry.is_symlink() and not is_within(
                    os.path.realpath(entry.path), self._root_real
                ):
                    continue
                st = entry.stat()
            except (ArtifactPathError, FileNotFoundError):
                continue  # an odd name, a dangling link, or deleted meanwhile
            is_dir = entry.is_dir()
            if is_dir or entry.is_file():
                yield entry.path, st, is_dir

    # -- deleting -------------------------------------------------------------------

    def delete(self, path: str) -> None:
        full = self._local(path)
        if os.path.isdir(full):
            raise ValidationError(
                f"artifact path {path!r} is a folder; use delete_prefix", field="path"
            )
        if os.path.basename(full).startswith(_TMP_PREFIX):
            raise NotFoundError(f"artifact {path!r} not found in {self.root_uri}")
        with self._os_errors(path):
            os.unlink(full)
        self._prune(os.path.dirname(full))

    def delete_prefix(self, prefix: str) -> int:
        top = self._local(prefix, field="prefix")
        if not os.path.isdir(top):
            return 0
        count = len(self.list(prefix, recursive=True))
        with self._os_errors(prefix):
            if os.path.islink(top):
                os.unlink(top)
            else:
                _remove_tree(top)
        self._prune(os.path.dirname(top))
        return count

    # -- lifecycle ------------------------------------------------------------------

    def health(self) -> ArtifactHealth:
        try:
            folder = self._root_real
            while not os.path.exists(folder):
                folder = os.path.dirname(folder)
            if not os.path.isdir(folder):
                detail = f"{folder} is not a folder"
            elif not os.access(folder, os.W_OK | os.X_OK):
                detail = f"{folder} is not writable"
            elif folder != self._root_real:
                return ArtifactHealth(
                    self.backend, self.root_uri, True, "the root is created on the first write"
                )
            else:
                return ArtifactHealth(self.backend, self.root_uri, True)
        except Exception as exc:  # never raises
            detail = f"cannot check the root: {exc}"
        return ArtifactHealth(self.backend, self.root_uri, False, detail)
