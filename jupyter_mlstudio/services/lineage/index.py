"""What a lineage walk looks up across records, read once per walk and only when needed:
the jobs by the locations they wrote, the pipeline steps by what they started or made, and
the registered versions by their model data.

Nothing here is kept between walks: each answer reads the store as it is.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ...artifacts import transfer
from ...entities import Job, JobKind, ModelPackage
from ...exceptions import NotFoundError, StudioError
from ...store.base import MetadataStore

#: Most jobs (of all kinds) read to find producers and pipeline steps.
MAX_JOBS = 5000
#: Most registered versions read to find the version a model was created from.
MAX_PACKAGES = 5000
PAGE = 500


def normalise_uri(uri: str) -> str:
    """One spelling per location: ``file://`` URIs for local paths, no trailing slash."""
    text = str(uri).strip()
    if not transfer.is_s3(text):
        with contextlib.suppress(StudioError, ValueError):
            text = transfer.local_path(text, field="Uri").as_uri()
    return text.rstrip("/") if len(text.rstrip("/")) > len("file://") else text


def job_outputs(job: Job) -> list[str]:
    """The locations a job wrote (normalised): its model and output data, its processing
    outputs, its transform output folder."""
    outputs = job.outputs or {}
    found: list[str] = []
    if job.kind is JobKind.TRAINING:
        found.append((outputs.get("ModelArtifacts") or {}).get("S3ModelArtifacts") or "")
        found.append((outputs.get("OutputDataArtifacts") or {}).get("S3Uri") or "")
    elif job.kind is JobKind.PROCESSING:
        found.extend(str(o.get("S3Uri") or "") for o in outputs.get("ProcessingOutputs") or [])
    elif job.kind is JobKind.TRANSFORM:
        found.append((outputs.get("TransformOutput") or {}).get("S3OutputPath") or "")
    return [normalise_uri(u) for u in found if u]


def job_inputs(job: Job) -> list[tuple[str, str]]:
    """``(input name, normalised URI)`` of each location a job read."""
    spec = job.spec or {}
    found: list[tuple[str, str]] = []
    if job.kind is JobKind.TRAINING:
        for channel in spec.get("InputDataConfig") or []:
            uri = ((channel.get("DataSource") or {}).get("S3DataSource") or {}).get("S3Uri")
            found.append((str(channel.get("ChannelName") or "train"), str(uri or "")))
    elif job.kind is JobKind.PROCESSING:
        for item in spec.get("ProcessingInputs") or []:
            uri = (item.get("S3Input") or {}).get("S3Uri")
            found.append((str(item.get("InputName") or "input"), str(uri or "")))
    elif job.kind is JobKind.TRANSFORM:
        source = ((spec.get("TransformInput") or {}).get("DataSource") or {}).get("S3DataSource")
        found.append(("input", str((source or {}).get("S3Uri") or "")))
    return [(name, normalise_uri(uri)) for name, uri in found if uri]


def related(a: str, b: str) -> bool:
    """One location is the other or lies under it."""
    return a == b or a.startswith(b + "/") or b.startswith(a + "/")


@dataclass(frozen=True)
class StepRef:
    """A pipeline step that started a job or made a model or version."""

    execution: Job
    step_name: str
    record: dict[str, Any]


class LineageIndex:
    """The lookups of one walk over ``store``, each read on first use."""

    def __init__(self, store: MetadataStore) -> None:
        self._store = store
        self._jobs: list[Job] | None = None
        self._steps: dict[str, StepRef] | None = None
        self._packages: list[ModelPackage] | None = None
        self.truncated = False

    def _all_jobs(self) -> list[Job]:
        if self._jobs is None:
            self._jobs = list(self._pages())
        return self._jobs

    def _pages(self) -> Iterator[Job]:
        token: str | None = None
        count = 0
        while True:
            page = self._store.list_jobs(max_results=PAGE, next_token=token)
            for job in page.items:
                count += 1
                if count > MAX_JOBS:
                    self.truncated = True
                    return
                yield job
            token = page.next_token
            if not token:
                return

    def producers(self, uri: str, before: Job | None = None) -> list[Job]:
        """The jobs that wrote ``uri`` (or a location it holds, or that holds it), oldest
        first; with ``before``, only jobs created before that job, and never that job."""
        found = []
        for job in self._all_jobs():
            if job.kind is JobKind.PIPELINE_EXECUTION:
                continue
            if before is not None and (
                job.job_name == before.job_name or job.creation_time > before.creation_time
            ):
                continue
            if any(related(uri, out) for out in job_outputs(job)):
                found.append(job)
        return sorted(found, key=lambda j: j.creation_time)

    def step_of(self, key: str) -> StepRef | None:
        """The step that started the job named ``key``, or made the model or version of
        ARN ``key``; the execution where it ran wins over those that took it from cache."""
        if self._steps is None:
            self._steps = {}
            executions = [j for j in self._all_jobs() if j.kind is JobKind.PIPELINE_EXECUTION]
            # oldest first, cache hits after: the first record of a key is where it ran
            executions.sort(key=lambda j: j.creation_time)
            records = [
                (execution, name, record)
                for execution in executions
                for name, record in (execution.outputs.get("Steps") or {}).items()
                if isinstance(record, dict)
            ]
            records.sort(key=lambda r: bool(r[2].get("CacheHitResult")))
            for execution, name, record in records:
                for made in self._made_by(record):
                    self._steps.setdefault(made, StepRef(execution, name, record))
        return self._steps.get(key)

    @staticmethod
    def _made_by(record: dict[str, Any]) -> list[str]:
        keys = []
        if record.get("JobName"):
            keys.append(str(record["JobName"]))
        metadata = record.get("Metadata") or {}
        for kind in ("Model", "RegisterModel"):
            arn = (metadata.get(kind) or {}).get("Arn")
            if arn:
                keys.append(str(arn))
        return keys

    def packages_with(self, model_data_url: str) -> list[ModelPackage]:
        """The registered versions whose first container's model data is ``model_data_url``
        (normalised), oldest first."""
        if self._packages is None:
            self._packages = self._read_packages()
        return [
            p
            for p in self._packages
            if any(normalise_uri(u) == model_data_url for u in package_model_data(p))
        ]

    def _read_packages(self) -> list[ModelPackage]:
        found: list[ModelPackage] = []
        token: str | None = None
        while True:
            groups = self._store.list_model_package_groups(max_results=PAGE, next_token=token)
            for group in groups.items:
                inner: str | None = None
                while True:
                    try:
                        page = self._store.list_model_packages(
                            group.model_package_group_name,
                            sort_order="Ascending",
                            max_results=PAGE,
                            next_token=inner,
                        )
                    except NotFoundError:  # deleted meanwhile
                        break
                    found.extend(page.items)
                    if len(found) >= MAX_PACKAGES:
                        self.truncated = True
                        return found[:MAX_PACKAGES]
                    inner = page.next_token
                    if not inner:
                        break
            token = groups.next_token
            if not token:
                return found


def package_model_data(package: ModelPackage) -> list[str]:
    """The model data URLs of a version's inference containers."""
    containers = (package.spec.get("InferenceSpecification") or {}).get("Containers") or []
    return [str(c["ModelDataUrl"]) for c in containers if c.get("ModelDataUrl")]
