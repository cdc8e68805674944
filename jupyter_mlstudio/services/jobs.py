"""Read side of jobs. Launching jobs arrives with the runtimes (see docs/architecture.md)."""

from __future__ import annotations

from ..entities import Job, JobKind, JobStatus, Page
from ..store.base import MetadataStore, SortOrder


class JobService:
    def __init__(self, store: MetadataStore) -> None:
        self._store = store

    def list_jobs(
        self,
        kind: JobKind,
        *,
        status: JobStatus | None = None,
        name_contains: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[Job]:
        return self._store.list_jobs(
            kind=kind,
            status=status,
            name_contains=name_contains,
            sort_order=sort_order,
            max_results=max_results,
            next_token=next_token,
        )

    def get_job(self, job_name: str, kind: JobKind) -> Job:
        return self._store.get_job(job_name, kind)
