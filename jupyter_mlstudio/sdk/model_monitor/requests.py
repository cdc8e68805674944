"""What the monitors send: the analyzer's environment, names and paths, and the refusal
of what the studio's analyzer cannot do."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from ...exceptions import ValidationError
from .inputs import CONTAINER_BASE_PATH

SUGGESTION_JOB_BASE_NAME = "baseline-suggestion-job"
MONITORING_SCHEDULE_BASE_NAME = "monitoring-schedule"
BASELINE_DATASET_INPUT_NAME = "baseline_dataset_input"
BASELINE_DATASET_PATH = f"{CONTAINER_BASE_PATH}/input/{BASELINE_DATASET_INPUT_NAME}"
DEFAULT_OUTPUT_NAME = "monitoring_output"
#: seconds a start or stop may take to leave ``Pending``
SCHEDULE_CHANGE_TIMEOUT = 180.0


def location(path: str | None) -> str | None:
    """A local path made absolute (the studio may run in another folder); URIs as they are.

    Args:
        path: A path, a URI or None.

    Returns:
        The absolute path, the URI, or None.
    """
    if path is None:
        return None
    return path if "://" in path else os.path.abspath(os.path.expanduser(path))


def refuse(**arguments: Any) -> None:
    """Refuse what the studio cannot do.

    Args:
        arguments: Argument name → value; any that is not None is refused.

    Raises:
        ValidationError: Naming the first argument given.
    """
    for name, value in arguments.items():
        if value is not None:
            raise ValidationError(f"{name} is not supported by the studio's analyzer", field=name)


def environment(env: Mapping[str, str] | None, **variables: Any) -> dict[str, str]:
    """A job's environment: ``env`` plus the analyzer's variables that are not None.

    Args:
        env: The monitor's own variables.
        variables: The analyzer's (``dataset_format`` a dict, sent as JSON; booleans of
            ``publish_cloudwatch_metrics`` as ``Enabled``/``Disabled``).

    Returns:
        Name → string value.
    """
    merged = dict(env or {})
    for name, value in variables.items():
        if value is None:
            continue
        if isinstance(value, dict):
            value = json.dumps(value)
        elif isinstance(value, bool):
            value = "Enabled" if value else "Disabled"
        merged[name] = str(value)
    return merged
