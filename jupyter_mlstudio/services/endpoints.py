"""Read side of endpoints. Serving arrives with the hosting layer (docs/architecture.md)."""

from __future__ import annotations

from ..entities import Endpoint, EndpointConfig, EndpointStatus, Page
from ..store.base import MetadataStore, SortOrder


class EndpointService:
    def __init__(self, store: MetadataStore) -> None:
        self._store = store

    def list_endpoints(
        self,
        *,
        status: EndpointStatus | None = None,
        name_contains: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[Endpoint]:
        return self._store.list_endpoints(
            status=status,
            name_contains=name_contains,
            sort_order=sort_order,
            max_results=max_results,
            next_token=next_token,
        )

    def get_endpoint(self, endpoint_name: str) -> Endpoint:
        return self._store.get_endpoint(endpoint_name)

    def get_endpoint_config(self, endpoint_config_name: str) -> EndpointConfig:
        return self._store.get_endpoint_config(endpoint_config_name)
