"""The pipelines part of the metadata store contract.

:class:`PipelineRecords` is a base of :class:`~.base.MetadataStore`; the rules of the whole
contract hold (thread safety, frozen entities, one transaction a call, the studio's
errors only).
"""

from __future__ import annotations

import abc
from collections.abc import Mapping

from ..entities import Page
from ..entities.pipelines import Pipeline
from .arguments import UNSET, SortOrder


class PipelineRecords(abc.ABC):
    """Pipeline definitions (their executions are jobs)."""

    @abc.abstractmethod
    def create_pipeline(
        self,
        pipeline_name: str,
        *,
        definition: str,
        display_name: str | None = None,
        description: str | None = None,
        role_arn: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Pipeline:
        """A pipeline with its definition's JSON text kept as given (the service checks
        the definition). ConflictError(PipelineName) if the name is taken."""

    @abc.abstractmethod
    def get_pipeline(self, pipeline_name: str) -> Pipeline:
        """NotFoundError(PipelineName) when there is none of that name."""

    @abc.abstractmethod
    def list_pipelines(
        self,
        *,
        name_prefix: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[Pipeline]:
        """Newest first by default (by creation time); ``name_prefix`` ignores case."""

    @abc.abstractmethod
    def update_pipeline(
        self,
        pipeline_name: str,
        *,
        definition: str | None = UNSET,
        display_name: str | None = UNSET,
        description: str | None = UNSET,
        role_arn: str | None = UNSET,
    ) -> Pipeline:
        """Change the fields given (a None definition keeps the old one); the
        modification time moves on."""

    @abc.abstractmethod
    def delete_pipeline(self, pipeline_name: str) -> None:
        """NotFoundError(PipelineName) when there is none of that name."""
