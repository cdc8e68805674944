"""Script mode's source archive, as the SageMaker SDKs upload it (``sourcedir.tar.gz``).

The SDKs pack the code's folder and name the archive in the ``sagemaker_submit_directory``
hyperparameter (an ``s3://`` object, or a local file in local mode); the studio's script
mode takes a folder, so the archive is fetched and unpacked into a scratch folder, which
the studio copies into the job's code folder when it creates the job.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

from ..artifacts import transfer
from ..exceptions import StudioError
from .errors import validation

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz")


def is_archive(uri: str) -> bool:
    """Whether ``uri`` names a source archive rather than a folder."""
    return uri.lower().endswith(ARCHIVE_SUFFIXES)


def unpack_source(uri: str, scratch: Path, *, field: str) -> Path:
    """Fetch the archive ``uri`` (``s3://``, ``file://`` or a path) and unpack it.

    Args:
        uri: Where the archive is.
        scratch: A folder of the caller's, removed after the job is created.
        field: The member that named the archive (errors name it).

    Returns:
        The unpacked folder.

    Raises:
        AwsError: ``ValidationException`` when the archive cannot be fetched or read, or
            holds paths that leave its folder.
    """
    download = scratch / "download"
    try:
        transfer.fetch(uri, download)
    except StudioError as exc:
        raise validation(f"{field}: {exc.message}") from None
    files = [p for p in download.rglob("*") if p.is_file()]
    if len(files) != 1:
        raise validation(f"{field}: {uri!r} is not one archive")
    target = scratch / "source"
    try:
        with tarfile.open(files[0]) as archive:
            archive.extractall(target, filter="data")  # no links out, no absolute paths
    except (tarfile.TarError, OSError) as exc:
        raise validation(f"{field}: {uri!r} is not a readable .tar.gz ({exc})") from None
    return target
