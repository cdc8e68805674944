"""CreateModel's rules: what a model's container must name, and the code snapshot."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path

from ..artifacts import transfer
from ..artifacts.base import ArtifactStore
from ..exceptions import ValidationError
from .hosting_requests import ContainerSpec

ENV_FIELD = "PrimaryContainer.Environment"


def check_container(container: ContainerSpec) -> tuple[str | None, str | None]:
    """The script-mode entry point and code location it names (either may be None);
    ValidationError names the field when the container cannot be served."""
    if container.Mode not in (None, "SingleModel"):
        raise ValidationError("only Mode SingleModel is supported", field="PrimaryContainer.Mode")
    if container.ModelDataUrl:
        transfer.check_source(container.ModelDataUrl, field="PrimaryContainer.ModelDataUrl")
    program = container.Environment.get("SAGEMAKER_PROGRAM")
    code = container.Environment.get("SAGEMAKER_SUBMIT_DIRECTORY")
    if not container.Image and not program and not container.ModelDataUrl:
        raise ValidationError(
            "give PrimaryContainer.Image, or script-mode code (Environment"
            " SAGEMAKER_PROGRAM and SAGEMAKER_SUBMIT_DIRECTORY), or ModelDataUrl",
            field="PrimaryContainer",
        )
    if program and not code and not container.Image:
        raise ValidationError(
            "SAGEMAKER_PROGRAM needs SAGEMAKER_SUBMIT_DIRECTORY (the folder of the code)",
            field=f"{ENV_FIELD}.SAGEMAKER_SUBMIT_DIRECTORY",
        )
    return program, code


def snapshot_code(
    artifacts: ArtifactStore, model_name: str, code: str, program: str | None
) -> tuple[str, str | None]:
    """``(SAGEMAKER_SUBMIT_DIRECTORY to record, artifact prefix written or None)``: a local
    code folder is packed into the artifact store (later edits do not change the model); a
    ``.tar.gz`` or URI is checked and kept as given."""
    field = f"{ENV_FIELD}.SAGEMAKER_SUBMIT_DIRECTORY"
    if transfer.is_s3(code):
        return code, None
    path = transfer.local_path(code, field=field)
    if not path.exists():
        raise ValidationError(f"{field}: {path} does not exist", field=field)
    if not path.is_dir():
        return path.as_uri(), None
    if program and not (path / program).is_file():
        raise ValidationError(
            f"the entry point {program!r} is not in {path}", field=f"{ENV_FIELD}.SAGEMAKER_PROGRAM"
        )
    prefix = f"models/{model_name}/{uuid.uuid4().hex[:12]}"
    with tempfile.TemporaryDirectory(prefix="mlstudio-code-") as tmp:
        staged = Path(tmp) / "code"
        shutil.copytree(
            path, staged, ignore=shutil.ignore_patterns("__pycache__", ".git", ".ipynb_checkpoints")
        )
        archive = transfer.pack(staged, Path(tmp) / "sourcedir.tar.gz")
        artifacts.put_file(f"{prefix}/sourcedir.tar.gz", archive)
    return artifacts.uri_for(f"{prefix}/sourcedir.tar.gz"), prefix
