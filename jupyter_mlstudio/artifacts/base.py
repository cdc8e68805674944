"""The artifact store contract.

An :class:`ArtifactStore` keeps the studio's files (models, job inputs and outputs, code
bundles, plots) under one root: a local folder (``file://``) or an S3 bucket and prefix
(``s3://``). Every implementation:

* addresses artifacts by **path**: a POSIX relative key inside the root such as
  ``"jobs/train-1/output/model.tar.gz"``. Every path goes through
  :func:`normalize_path`, which is the only place that decides what a valid path is;
  anything that could leave the root raises ``ArtifactPathError`` (``field`` names the
  argument: ``"path"`` or ``"prefix"``) before any I/O happens;
* treats a **prefix** as a folder, never as a string prefix: ``list("model")`` lists
  ``model/...`` and never ``models/...``; ``""`` is the root where a method allows it;
* is safe to call from many threads at once (the server calls it from an executor) and
  from many processes on the same root (notebooks, jobs and the server write at once).
  A write is atomic: readers see the old content or the new content, never a part;
  concurrent writes to one path end with one of the written contents (last writer wins);
* returns frozen values (:class:`ArtifactInfo`, :class:`ArtifactHealth`) or plain
  ``str``/``bytes``/``list`` objects owned by the caller;
* raises only :mod:`jupyter_mlstudio.exceptions` errors for problems on the store's side:
  ``ArtifactPathError`` (bad path), ``ValidationError`` (other bad input, with
  ``field``), ``NotFoundError`` (no such artifact, or no such bucket),
  ``ConflictError`` (the path is taken by a folder, or a parent is a file: only stores
  with real folders raise it), ``StoreUnavailableError`` (the root cannot be reached,
  read or written: connection refused, access denied, disk errors). Errors of the
  caller's *local* files (``local_file``, ``local_dir`` of downloads) propagate as
  ``OSError``.

Folders are implicit: a folder exists while an artifact lives below it. Empty folders
are not artifacts; stores do not create them, and the file store removes the folders a
delete leaves empty. (Some S3-compatible servers, SeaweedFS among them, keep an emptied
folder visible in non-recursive listings for a while; AWS S3 does not.)

The contract test suite in ``jupyter_mlstudio.testing.artifact_contract`` runs against
every implementation; a new backend passes it before it is used.
"""

from __future__ import annotations

import abc
import mimetypes
import os
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, TypeVar
from urllib.parse import unquote

from ..exceptions import ArtifactPathError, ValidationError

#: Longest accepted path, in UTF-8 bytes (the S3 key limit).
MAX_PATH_BYTES = 1024
#: Longest accepted path segment, in UTF-8 bytes (common file-system limit).
MAX_SEGMENT_BYTES = 255


@dataclass(frozen=True)
class ArtifactInfo:
    """One entry of a listing, or what :meth:`ArtifactStore.stat` knows about a path."""

    path: str  # normalised path from the store's root, no trailing slash
    is_dir: bool
    size: int | None = None  # bytes; None for folders
    modified: datetime | None = None  # timezone-aware UTC; None where unknown (S3 folders)
    content_type: str | None = None  # media type stored or guessed from the name


@dataclass(frozen=True)
class ArtifactHealth:
    """What ``mlstudio doctor`` and the server's health route report."""

    backend: str  # "file", "s3"
    uri: str  # the root URI
    ok: bool
    detail: str | None = None


# Aliases keep annotations readable inside classes that define a ``list`` method.
ArtifactList = list[ArtifactInfo]
PathList = list[str]
LocalPath = str | os.PathLike[str]
BytesLike = bytes | bytearray | memoryview
_Store = TypeVar("_Store", bound="ArtifactStore")


def normalize_path(path: str, *, field: str = "path", allow_root: bool = False) -> str:
    """Return the canonical form of an artifact path, or raise ``ArtifactPathError``.

    Accepted: a relative POSIX path of non-empty segments. ``"."`` segments and one
    trailing ``"/"`` are dropped (``"./a/b/"`` becomes ``"a/b"``). Rejected: anything
    that is not a ``str``, absolute paths, ``".."`` segments, empty segments
    (``"a//b"``), backslashes, NUL and other control characters, over-long paths or
    segments, and paths whose percent-decoded form would be rejected (``"%2e%2e/x"``),
    so that a layer that decodes once more cannot turn a stored name into an escape.
    The empty path (the root) is accepted only with ``allow_root``.

    Paths are never decoded: ``"a%20b"`` names an artifact called ``a%20b``.
    """
    canonical = _normalize(path, field=field, allow_root=allow_root)
    decoded = unquote(path)
    if decoded != path:
        _normalize(decoded, field=field, allow_root=True, original=path)
    return canonical


def _normalize(path: object, *, field: str, allow_root: bool, original: object = None) -> str:
    shown = original if original is not None else path

    def reject(why: str) -> ArtifactPathError:
        return ArtifactPathError(f"invalid artifact {field} {shown!r}: {why}", field=field)

    if not isinstance(path, str):
        raise reject(f"expected a string, got {type(path).__name__}")
    if "\\" in path:
        raise reject("backslashes are not allowed; use '/'")
    if any(unicodedata.category(ch) == "Cc" for ch in path):
        raise reject("control characters (NUL, newline, ...) are not allowed")
    if path.startswith("/"):
        raise reject("absolute paths are not allowed; give a path inside the artifact root")
    if path.startswith("~"):
        raise reject("'~' is not expanded; give a path inside the artifact root")
    if len(path.encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES:
        raise reject(f"longer than {MAX_PATH_BYTES} bytes")
    trimmed = path[:-1] if path.endswith("/") else path
    segments = [segment for segment in trimmed.split("/") if segment != "."] if trimmed else []
    for segment in segments:
        if segment == "":
            raise reject("empty path segments ('//') are not allowed")
        if segment == "..":
            raise reject("'..' segments are not allowed")
        if len(segment.encode("utf-8", "surrogatepass")) > MAX_SEGMENT_BYTES:
            raise reject(f"a segment is longer than {MAX_SEGMENT_BYTES} bytes")
    if not segments and not allow_root:
        raise reject("the path is empty")
    return "/".join(segments)


def join_path(prefix: str, name: str) -> str:
    """Join two normalised paths (either may be the root ``""``)."""
    return f"{prefix}/{name}" if prefix and name else prefix or name


def guess_content_type(path: str) -> str | None:
    """The media type implied by a path's file name, if any."""
    return mimetypes.guess_type(path.rsplit("/", 1)[-1], strict=False)[0]


def local_source_file(local_file: LocalPath, *, field: str = "local_file") -> str:
    """Check that a local file to upload exists; raise ``ValidationError`` otherwise."""
    name = os.fspath(local_file)
    if not os.path.isfile(name):
        raise ValidationError(f"{name!r} is not an existing file", field=field)
    return name


def local_source_tree(local_dir: LocalPath, *, field: str = "local_dir") -> list[tuple[str, str]]:
    """The files below a local folder to upload, as ``(relative path, absolute file)``.

    Sorted by relative path. Symbolic links are followed only while they stay inside
    ``local_dir`` (a link to elsewhere is skipped, and so is a link back up); names that
    are not valid artifact paths raise ``ArtifactPathError``. Raises ``ValidationError``
    when ``local_dir`` is not a folder.
    """
    top = os.fspath(local_dir)
    if not os.path.isdir(top):
        raise ValidationError(f"{top!r} is not an existing folder", field=field)
    top_real = os.path.realpath(top)
    found: list[tuple[str, str]] = []
    # Each folder carries the resolved folders above it: a link back up is a loop.
    pending: list[tuple[str, str, frozenset[str]]] = [(top, "", frozenset({top_real}))]
    while pending:
        folder, rel_folder, above = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                real = os.path.realpath(entry.path)
                if not is_within(real, top_real):
                    continue
                rel = join_path(rel_folder, entry.name)
                if entry.is_dir():
                    if real not in above:
                        pending.append((entry.path, rel, above | {real}))
                elif entry.is_file():
                    found.append((normalize_path(rel), entry.path))
    return sorted(found)


def is_within(real_path: str, real_root: str) -> bool:
    """Whether a resolved path is ``real_root`` or below it."""
    return real_path == real_root or real_path.startswith(real_root.rstrip(os.sep) + os.sep)


def local_target(local_file: LocalPath) -> Path:
    """A local download target, its parent folders created."""
    target = Path(os.fspath(local_file))
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


class ArtifactStore(abc.ABC):
    """Files of experiments, jobs and models under one root.

    Every method that takes a path normalises it with :func:`normalize_path` first and
    raises ``ArtifactPathError`` for a bad one; that is not repeated below.
    """

    #: Short backend name ("file", "s3"), reported by :meth:`health`.
    backend: str = ""

    # -- addressing -----------------------------------------------------------------

    @property
    @abc.abstractmethod
    def root_uri(self) -> str:
        """The URI of the root (``file:///...`` or ``s3://bucket/prefix``)."""

    @abc.abstractmethod
    def uri_for(self, path: str = "") -> str:
        """The URI of ``path`` (which need not exist); ``""`` gives :attr:`root_uri`.

        Opening the result with ``open_artifact_store`` addresses the same place.
        """

    # -- writing --------------------------------------------------------------------

    @abc.abstractmethod
    def put_bytes(self, path: str, data: BytesLike, content_type: str | None = None) -> None:
        """Store ``data`` at ``path``, replacing what was there, atomically.

        ``content_type`` is kept where the backend keeps media types (S3); otherwise, or
        when ``None``, it is guessed from the name.

        Raises:
            ValidationError: ``data`` is not bytes-like (``field="data"``).
            ConflictError: the path is a folder, or a parent is a file (file store).
            StoreUnavailableError: the root cannot be written.
        """

    @abc.abstractmethod
    def put_file(self, path: str, local_file: LocalPath, content_type: str | None = None) -> None:
        """Upload a local file to ``path`` atomically (multipart for large files on S3).

        Raises:
            ValidationError: ``local_file`` is not an existing file (``field="local_file"``).
            ConflictError, StoreUnavailableError: as for :meth:`put_bytes`.
        """

    @abc.abstractmethod
    def put_dir(self, prefix: str, local_dir: LocalPath) -> PathList:
        """Upload every file below ``local_dir`` to ``prefix/<relative path>``.

        ``prefix`` may be ``""`` (the root). Empty local folders are not recreated.
        Each file is written atomically; the upload as a whole is not (a failure leaves
        the files written so far). Returns the artifact paths written, sorted.

        Raises:
            ValidationError: ``local_dir`` is not a folder (``field="local_dir"``).
            ConflictError, StoreUnavailableError: as for :meth:`put_bytes`.
        """

    # -- reading --------------------------------------------------------------------

    @abc.abstractmethod
    def get_bytes(self, path: str) -> bytes:
        """The whole content of the artifact at ``path``.

        Raises:
            NotFoundError: no artifact at ``path`` (also when ``path`` is a folder).
            StoreUnavailableError: the root cannot be read.
        """

    @abc.abstractmethod
    def open_read(self, path: str) -> BinaryIO:
        """A binary reader of the artifact at ``path``, for streaming in chunks.

        The artifact is looked up when this is called (``NotFoundError`` is raised here,
        not on the first ``read``); the caller closes the reader (it is a context
        manager). A failure while reading raises ``StoreUnavailableError``.

        Raises:
            NotFoundError: no artifact at ``path``.
            StoreUnavailableError: the root cannot be read.
        """

    @abc.abstractmethod
    def download_file(self, path: str, local_file: LocalPath) -> None:
        """Copy the artifact at ``path`` to ``local_file``, creating its parent folders.

        The local file appears complete or not at all (written under a temporary name,
        then renamed); nothing is created when the artifact is missing.

        Raises:
            NotFoundError: no artifact at ``path``.
            StoreUnavailableError: the root cannot be read.
        """

    @abc.abstractmethod
    def download_dir(self, prefix: str, local_dir: LocalPath) -> PathList:
        """Copy every artifact below ``prefix`` to ``local_dir/<path relative to prefix>``.

        ``prefix`` may be ``""`` (the root). Returns the artifact paths copied, sorted.

        Raises:
            NotFoundError: no artifact below ``prefix``.
            StoreUnavailableError: the root cannot be read.
        """

    # -- inspecting -----------------------------------------------------------------

    @abc.abstractmethod
    def exists(self, path: str) -> bool:
        """Whether an artifact or a non-empty folder is at ``path``.

        Raises:
            StoreUnavailableError: the root cannot be read.
        """

    @abc.abstractmethod
    def stat(self, path: str) -> ArtifactInfo:
        """What is at ``path``: an artifact (size, time, type) or a folder.

        Raises:
            NotFoundError: nothing at ``path``.
            StoreUnavailableError: the root cannot be read.
        """

    @abc.abstractmethod
    def list(self, prefix: str = "", recursive: bool = False) -> ArtifactList:
        """The entries below the folder ``prefix``, sorted by path.

        Non-recursive: the artifacts and folders directly in ``prefix``. Recursive: every
        artifact below ``prefix`` and no folders. Paths are from the root (not from
        ``prefix``). A missing folder, or a ``prefix`` that names an artifact, lists as
        ``[]``. Names that are not valid paths (written by other tools) are left out.

        Raises:
            StoreUnavailableError: the root cannot be read.
        """

    # -- deleting -------------------------------------------------------------------

    @abc.abstractmethod
    def delete(self, path: str) -> None:
        """Delete the artifact at ``path``.

        Raises:
            NotFoundError: no artifact at ``path``.
            ValidationError: ``path`` is a folder (``field="path"``); use
                :meth:`delete_prefix`.
            StoreUnavailableError: the root cannot be written.
        """

    @abc.abstractmethod
    def delete_prefix(self, prefix: str) -> int:
        """Delete the folder ``prefix`` and everything below it; return how many
        artifacts were deleted (``0`` when there was nothing).

        The root itself cannot be deleted this way: ``""`` raises ``ArtifactPathError``.

        Raises:
            StoreUnavailableError: the root cannot be written.
        """

    # -- lifecycle ------------------------------------------------------------------

    @abc.abstractmethod
    def health(self) -> ArtifactHealth:
        """Check that the root can be reached (and written, where cheap). Never raises."""

    def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release connections. The store is unusable afterwards."""

    def __enter__(self: _Store) -> _Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.root_uri!r})"
