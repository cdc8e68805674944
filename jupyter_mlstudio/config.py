"""Where the studio keeps things, resolved the same way by the server, the CLI and the SDK.

Precedence: an explicit value (traitlet or argument) → environment variable → default
under the studio home folder.

- home folder: ``MLSTUDIO_HOME``, default ``~/.mlstudio``
- database URL: ``MLSTUDIO_DATABASE_URL``, default ``sqlite:///<home>/mlstudio.db``
- artifact root: ``MLSTUDIO_ARTIFACT_ROOT``, default ``file://<home>/artifacts``
- default runtime: ``MLSTUDIO_RUNTIME``, default ``auto`` (docker if an engine answers,
  else process); ``ray`` runs jobs on the Ray cluster at ``MLSTUDIO_RAY_ADDRESS``
- Ray cluster: ``MLSTUDIO_RAY_ADDRESS`` (``host:6379`` or ``ray://host:10001``), none by
  default; whether its nodes share the studio's disk: ``MLSTUDIO_RAY_SHARED_DISK``
  (``yes``, ``no``, default ``auto``: asked of every node)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .exceptions import ValidationError

RUNTIME_CHOICES = ("auto", "process", "docker", "ray")

ENV_HOME = "MLSTUDIO_HOME"
ENV_DATABASE_URL = "MLSTUDIO_DATABASE_URL"
ENV_ARTIFACT_ROOT = "MLSTUDIO_ARTIFACT_ROOT"
ENV_RUNTIME = "MLSTUDIO_RUNTIME"
ENV_RAY_ADDRESS = "MLSTUDIO_RAY_ADDRESS"
ENV_RAY_SHARED_DISK = "MLSTUDIO_RAY_SHARED_DISK"
SHARED_DISK_CHOICES = {"yes": True, "no": False, "auto": None}


@dataclass(frozen=True)
class StudioConfig:
    home: Path
    database_url: str
    artifact_root: str
    default_runtime: str
    ray_address: str | None = None
    #: whether the Ray cluster's nodes see the studio's home; None: ask every node
    ray_shared_disk: bool | None = None


def default_home() -> Path:
    value = os.environ.get(ENV_HOME)
    return Path(value).expanduser() if value else Path.home() / ".mlstudio"


def resolve_config(
    *,
    home: str | os.PathLike[str] | None = None,
    database_url: str | None = None,
    artifact_root: str | None = None,
    default_runtime: str | None = None,
    ray_address: str | None = None,
    ray_shared_disk: str | None = None,
) -> StudioConfig:
    """Resolve the configuration; empty strings count as "not given"."""
    home_path = Path(home).expanduser() if home else default_home()
    home_path = home_path.absolute()
    db = (
        database_url or os.environ.get(ENV_DATABASE_URL) or f"sqlite:///{home_path / 'mlstudio.db'}"
    )
    root = artifact_root or os.environ.get(ENV_ARTIFACT_ROOT) or (home_path / "artifacts").as_uri()
    if "://" not in root:  # a plain path
        root = Path(root).expanduser().absolute().as_uri()
    runtime = default_runtime or os.environ.get(ENV_RUNTIME) or "auto"
    if runtime not in RUNTIME_CHOICES:
        raise ValidationError(
            f"default runtime must be one of {', '.join(RUNTIME_CHOICES)} (got {runtime!r})",
            field="default_runtime",
        )
    ray = ray_address or os.environ.get(ENV_RAY_ADDRESS) or None
    if runtime == "ray" and not ray:
        raise ValidationError(
            f"the ray runtime needs a cluster address: set {ENV_RAY_ADDRESS} (host:6379 or"
            " ray://host:10001) or c.StudioApp.ray_address",
            field="ray_address",
        )
    shared = (ray_shared_disk or os.environ.get(ENV_RAY_SHARED_DISK) or "auto").strip().lower()
    if shared not in SHARED_DISK_CHOICES:
        raise ValidationError(
            f"{ENV_RAY_SHARED_DISK} must be yes, no or auto (got {shared!r})",
            field="ray_shared_disk",
        )
    return StudioConfig(
        home=home_path,
        database_url=db,
        artifact_root=root,
        default_runtime=runtime,
        ray_address=ray,
        ray_shared_disk=SHARED_DISK_CHOICES[shared],
    )
