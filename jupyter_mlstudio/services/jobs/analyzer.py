"""Processing jobs that run Model Monitor's analyzer (:mod:`jupyter_mlstudio.monitoring`).

A processing job whose ``AppSpecification.ImageUri`` is the studio's analyzer image, or
SageMaker's ``sagemaker-model-monitor-analyzer`` (what the SageMaker SDK's
``suggest_baseline`` names), runs the studio's own analyzer program with the studio's
Python on the process runtime, as SageMaker runs its managed container: the image holds
nothing of the user's. Its ``dataset_format`` is checked before the job starts.
"""

from __future__ import annotations

import json
from typing import Any

from ...exceptions import ValidationError
from ...monitoring import ANALYZER_IMAGE
from .requests import AppSpecificationSpec, CreateProcessingJobRequest

#: the runtime every analyzer job runs on
RUNTIME = "process"
COMMAND = ["python3", "-m", "jupyter_mlstudio.monitoring"]
_SAGEMAKER_REPOSITORY = "/sagemaker-model-monitor-analyzer"
_FORMATS = ("csv", "json", "sagemakerCaptureJson")
FIELD = "Environment.dataset_format"
#: the file a processing job's FailureReason is read from (SageMaker's ExitMessage)
FAILURE_FILE = "/opt/ml/output/message"


def is_analyzer(image: str | None) -> bool:
    """Whether ``image`` names the analyzer (the studio's, or SageMaker's in any region)."""
    text = (image or "").strip()
    return text == ANALYZER_IMAGE or _SAGEMAKER_REPOSITORY in text.split(":", 1)[0]


def as_analyzer_job(request: CreateProcessingJobRequest) -> CreateProcessingJobRequest | None:
    """The request as the analyzer runs it (the studio's command, no image), or None when
    it does not name the analyzer.

    Args:
        request: A checked CreateProcessingJob request.

    Returns:
        The request to plan on :data:`RUNTIME`, or None.

    Raises:
        ValidationError: ``Environment.dataset_format`` missing, not JSON, or a format the
            analyzer does not read (Parquet; JSON that is not JSON lines).
    """
    if not is_analyzer(request.AppSpecification.ImageUri):
        return None
    check_dataset_format(request.Environment.get("dataset_format"))
    app = AppSpecificationSpec(ImageUri=None, ContainerEntrypoint=COMMAND)
    # why the analysis could not run becomes the job's FailureReason
    environment = {"MLSTUDIO_FAILURE_FILE": FAILURE_FILE, **request.Environment}
    return request.model_copy(update={"AppSpecification": app, "Environment": environment})


def check_dataset_format(text: Any) -> None:
    """Refuse, naming :data:`FIELD`, a ``dataset_format`` the analyzer cannot read."""
    if not isinstance(text, str) or not text.strip():
        raise ValidationError(
            "the analyzer needs dataset_format (DatasetFormat.csv() or DatasetFormat.json())",
            field=FIELD,
        )
    try:
        value = json.loads(text)
    except ValueError:
        raise ValidationError(f"dataset_format is not JSON: {text[:80]!r}", field=FIELD) from None
    kinds = list(value) if isinstance(value, dict) else []
    if len(kinds) != 1 or kinds[0] not in _FORMATS:
        raise ValidationError(
            f"dataset_format {text[:80]!r}: the analyzer reads CSV and JSON lines datasets"
            " (Parquet is not supported)",
            field=FIELD,
        )
    options = value[kinds[0]]
    if kinds[0] == "json" and isinstance(options, dict) and options.get("lines") is False:
        raise ValidationError(
            "dataset_format: JSON datasets must be JSON lines (DatasetFormat.json(lines=True))",
            field=FIELD,
        )
