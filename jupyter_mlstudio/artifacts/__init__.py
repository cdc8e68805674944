"""Artifact stores: a local folder (``file://``, the default) or S3 (``s3://``).

:func:`open_artifact_store` picks the implementation from the root's URI; everything
else talks to the :class:`ArtifactStore` contract in :mod:`.base`.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import unquote, urlparse

from ..exceptions import ValidationError
from .base import (
    ArtifactHealth,
    ArtifactInfo,
    ArtifactStore,
    normalize_path,
)
from .file import FileArtifactStore
from .s3 import S3ArtifactStore

__all__ = [
    "ArtifactHealth",
    "ArtifactInfo",
    "ArtifactStore",
    "FileArtifactStore",
    "S3ArtifactStore",
    "normalize_path",
    "open_artifact_store",
]

_FIELD = "artifact_root"


def open_artifact_store(uri: str, **options: Any) -> ArtifactStore:
    """The artifact store for a root URI.

    * ``file:///abs/path`` (host empty or ``localhost``; percent-escapes decoded) or a
      plain local path (relative paths are taken from the current folder, ``~`` is
      expanded) → :class:`FileArtifactStore`;
    * ``s3://bucket[/prefix]`` → :class:`S3ArtifactStore`; ``options`` (such as
      ``endpoint_url``) are passed on to it.

    Raises:
        ValidationError: any other scheme, or a malformed URI (``field="artifact_root"``).
    """
    if not isinstance(uri, str) or not uri.strip():
        raise ValidationError("the artifact root must be a non-empty URI or path", field=_FIELD)
    if "\x00" in uri:
        raise ValidationError("the artifact root contains a NUL character", field=_FIELD)
    parsed = urlparse(uri)
    scheme = parsed.scheme.lower()
    if scheme == "s3":
        return S3ArtifactStore(uri, **options)
    if options:
        raise ValidationError(
            f"options {sorted(options)} apply to s3:// roots only, not {uri!r}", field=_FIELD
        )
    if scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            raise ValidationError(
                f"file:// artifact roots must be local (no host): {uri!r}", field=_FIELD
            )
        if parsed.query or parsed.fragment:
            raise ValidationError(f"unexpected query or fragment in {uri!r}", field=_FIELD)
        path = unquote(parsed.path)
        if not path.startswith("/"):
            raise ValidationError(
                f"file:// artifact roots need an absolute path: {uri!r}", field=_FIELD
            )
        return FileArtifactStore(path)
    if scheme == "" or (os.name == "nt" and len(scheme) == 1):  # no scheme, or a drive letter
        return FileArtifactStore(uri)
    raise ValidationError(
        f"unsupported artifact root {uri!r}: use a local path, file:///path or s3://bucket/prefix",
        field=_FIELD,
    )
