"""How the SDK names what it creates, and which run a job it starts belongs to.

SageMaker's rules: a job, model or endpoint without a given name is called
``<base>-<UTC time>`` (:func:`name_from_base`); the base is ``base_job_name`` when given,
else the entry point's or image's name (:func:`base_name_from`). A job started inside a
``with Run(...)`` block is recorded in that run (:func:`active_experiment_config`).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping

from ..entities import utcnow
from .run import current_run

#: SageMaker's longest job, model and endpoint name
NAME_MAX = 63
#: the longest base :func:`base_name_from` derives (room for the time stamp)
BASE_MAX = 30


def base_name_from(entry_point: str | None = None, image_uri: str | None = None) -> str:
    """The base of generated names for a script or an image.

    Args:
        entry_point: A script path; its file name without extension is the base.
        image_uri: An image (``registry/repository:tag``), used when there is no
            ``entry_point``; its repository name is the base.

    Returns:
        That name with every character other than letters and digits turned into ``-``,
        at most :data:`BASE_MAX` characters; ``job`` when nothing is left.
    """
    if entry_point:
        stem = os.path.splitext(os.path.basename(entry_point))[0]
    else:
        stem = (image_uri or "job").rsplit("/", 1)[-1].split(":", 1)[0]
    cleaned = "".join(c if c.isalnum() else "-" for c in stem).strip("-") or "job"
    return cleaned[:BASE_MAX]


def name_from_base(base: str) -> str:
    """A new unique name, as SageMaker names jobs: ``<base>-YYYY-MM-DD-HH-MM-SS-mmm-xxxx``.

    Args:
        base: The name's start; cut so that the whole fits in :data:`NAME_MAX` characters.

    Returns:
        ``base``, the current UTC time to the millisecond and four random hex digits (so
        that two names made in the same millisecond differ).
    """
    now = utcnow()
    stamp = f"{now:%Y-%m-%d-%H-%M-%S}-{now.microsecond // 1000:03d}"
    suffix = secrets.token_hex(2)
    return f"{base[: NAME_MAX - len(stamp) - len(suffix) - 2]}-{stamp}-{suffix}"


def active_experiment_config(given: Mapping[str, str] | None) -> Mapping[str, str] | None:
    """The ``experiment_config`` of a job about to start.

    Args:
        given: The caller's ``experiment_config`` (``ExperimentName``, ``RunName``, ...).

    Returns:
        ``given`` when not None; else the innermost ``with Run(...)`` block of this thread
        as ``{"ExperimentName": ..., "RunName": ...}``; else None.
    """
    if given is not None:
        return given
    run = current_run()
    if run is None:
        return None
    return {"ExperimentName": run.experiment_name, "RunName": run.run_name}
