"""Script-mode code of a model: where the studio copies it from when it creates the model
or registers a version (``SAGEMAKER_PROGRAM`` and ``SAGEMAKER_SUBMIT_DIRECTORY``).

A ``source_dir`` folder is sent as it is; an ``entry_point`` alone, or with
``dependencies``, is staged into a temporary folder first (only those files are sent, as
SageMaker packs them); a ``source_dir`` URI or archive is named as it is.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from typing import Any

from ..exceptions import ValidationError
from .workflow.entities import is_pipeline_variable


def local_path(path: Any) -> Any:
    """A local path made absolute (the studio may run in another folder); URIs and
    pipeline variables (a training step's model) as they are.

    Args:
        path: A path, a URI or a pipeline variable.

    Returns:
        The absolute path, or ``path`` itself.
    """
    if is_pipeline_variable(path):
        return path
    path = str(path)
    return path if "://" in path else os.path.abspath(os.path.expanduser(path))


def is_archive(path: str) -> bool:
    """Whether ``path`` names a ``.tar.gz`` (``sourcedir.tar.gz``)."""
    return path.endswith((".tar.gz", ".tgz"))


@contextlib.contextmanager
def staged_code(
    entry_point: str | None, source_dir: str | None, dependencies: Sequence[str]
) -> Iterator[dict[str, str]]:
    """The script-mode environment, with the code where the studio can copy it from for
    the time of the ``with`` block.

    Args:
        entry_point: The script (a local file; relative to ``source_dir`` when given).
        source_dir: Its folder, a URI or an archive (None: the script alone).
        dependencies: Files or folders copied next to the script.

    Returns:
        ``SAGEMAKER_PROGRAM`` and ``SAGEMAKER_SUBMIT_DIRECTORY`` (empty without a script).

    Raises:
        ValidationError: A script, folder or dependency that is not there (its field).
    """
    if not entry_point:
        yield {}
        return
    if "://" in entry_point:
        raise ValidationError("entry_point must be a local file", field="entry_point")
    source = source_dir
    if source and ("://" in source or is_archive(source)):
        yield {"SAGEMAKER_PROGRAM": entry_point, "SAGEMAKER_SUBMIT_DIRECTORY": local_path(source)}
        return
    if source:
        folder = local_path(source)
        if not os.path.isdir(folder):
            raise ValidationError(f"source_dir {folder} is not a folder", field="source_dir")
        program = entry_point
        if os.path.isabs(program):
            program = os.path.relpath(program, folder)
            if program.startswith(".."):
                raise ValidationError(
                    f"entry_point {entry_point} is not inside source_dir {folder}",
                    field="entry_point",
                )
        if not dependencies:
            yield {"SAGEMAKER_PROGRAM": program, "SAGEMAKER_SUBMIT_DIRECTORY": folder}
            return
    else:
        script = local_path(entry_point)
        if not os.path.isfile(script):
            raise ValidationError(f"entry_point {script} does not exist", field="entry_point")
        program = os.path.basename(script)
    with tempfile.TemporaryDirectory(prefix="mlstudio-model-code-") as staging:
        if source:
            shutil.copytree(local_path(source), staging, dirs_exist_ok=True)
        else:
            shutil.copy2(local_path(entry_point), os.path.join(staging, program))
        for dependency in dependencies:
            path = local_path(dependency)
            target = os.path.join(staging, os.path.basename(path.rstrip(os.sep)))
            if os.path.isdir(path):
                shutil.copytree(path, target, dirs_exist_ok=True)
            elif os.path.isfile(path):
                shutil.copy2(path, target)
            else:
                raise ValidationError(f"dependency {path} does not exist", field="dependencies")
        yield {"SAGEMAKER_PROGRAM": program, "SAGEMAKER_SUBMIT_DIRECTORY": staging}


def code_in_place(
    entry_point: str | None, source_dir: str | None, dependencies: Sequence[str]
) -> dict[str, str]:
    """The script-mode environment naming the code where it is, for a pipeline's model
    step (read when the step runs).

    Args:
        entry_point: The script.
        source_dir: Its folder or URI (None: the script's own folder).
        dependencies: Not supported there yet (refused).

    Returns:
        ``SAGEMAKER_PROGRAM`` and ``SAGEMAKER_SUBMIT_DIRECTORY`` (empty without a script).

    Raises:
        ValidationError: ``dependencies`` were given.
    """
    if not entry_point:
        return {}
    if dependencies:
        raise ValidationError(
            "dependencies are not supported in a pipeline's model step", field="dependencies"
        )
    if source_dir:
        folder = local_path(source_dir)
        program = entry_point
        if os.path.isabs(program) and "://" not in folder:
            program = os.path.relpath(program, folder)
        return {"SAGEMAKER_PROGRAM": program, "SAGEMAKER_SUBMIT_DIRECTORY": folder}
    script = local_path(entry_point)
    return {
        "SAGEMAKER_PROGRAM": os.path.basename(script),
        "SAGEMAKER_SUBMIT_DIRECTORY": os.path.dirname(script),
    }
