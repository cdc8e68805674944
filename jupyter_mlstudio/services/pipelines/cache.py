"""Step caching (a step's ``CacheConfig``): a job step whose arguments and code are those
of a step that succeeded in an earlier execution of the same pipeline, within
``ExpireAfter``, takes that step's result instead of running (SageMaker's rule: the
instance type and count do not count, the code's content and the hyperparameters do)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ...entities import Job

#: arguments that do not change a step's result
_RESOURCES = ("ResourceConfig", "ProcessingResources", "TransformResources")
_DURATION = re.compile(
    r"^P?(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$"
)


def expire_after(text: Any) -> timedelta | None:
    """``ExpireAfter`` (ISO 8601: ``P30D``, ``PT1H``, ``T12H``) as a duration; None when
    there is none or it cannot be read (then a cached result never expires)."""
    if not isinstance(text, str) or not text:
        return None
    match = _DURATION.match(text)
    if match is None or not any(match.groups()):
        return None
    parts = {k: int(v) for k, v in match.groupdict().items() if v}
    return timedelta(
        days=parts.get("d", 0),
        hours=parts.get("h", 0),
        minutes=parts.get("m", 0),
        seconds=parts.get("s", 0),
    )


def _code_paths(arguments: dict[str, Any]) -> list[str]:
    script = arguments.get("ScriptMode") or {}
    paths = [script.get("EntryPoint"), script.get("SourceDir")]
    for item in arguments.get("ProcessingInputs") or []:
        if isinstance(item, dict) and item.get("InputName") == "code":
            paths.append((item.get("S3Input") or {}).get("S3Uri"))
    return [p for p in paths if isinstance(p, str) and p]


def _digest_path(digest: Any, text: str) -> None:
    path = Path(text.removeprefix("file://"))
    files: Iterable[Path] = (
        sorted(f for f in path.rglob("*") if f.is_file()) if path.is_dir() else [path]
    )
    for file in files:
        digest.update(str(file.relative_to(path) if path.is_dir() else file.name).encode())
        try:
            digest.update(file.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")


def cache_key(step_type: str, arguments: dict[str, Any]) -> str:
    """The key of a job step's result: its type, its resolved arguments but the resources,
    and the content of its code."""
    kept = {k: v for k, v in arguments.items() if k not in _RESOURCES}
    digest = hashlib.sha256(json.dumps([step_type, kept], sort_keys=True).encode())
    for text in _code_paths(arguments):
        _digest_path(digest, text)
    return digest.hexdigest()


def cached_step(
    executions: Iterable[Job], step_name: str, key: str, now: datetime, ttl: timedelta | None
) -> tuple[Job, dict[str, Any]] | None:
    """The newest earlier execution whose step ``step_name`` succeeded with ``key`` (and
    ended within ``ttl`` of ``now``), and that step's record."""
    found: tuple[Job, dict[str, Any]] | None = None
    for execution in executions:
        record = (execution.outputs.get("Steps") or {}).get(step_name)
        if not record or record.get("StepStatus") != "Succeeded":
            continue
        if record.get("CacheKey") != key or "JobName" not in record:
            continue
        ended = datetime.fromisoformat(record["EndTime"])
        if ttl is not None and now - ended > ttl:
            continue
        if found is None or record["EndTime"] > found[1]["EndTime"]:
            found = (execution, record)
    return found
