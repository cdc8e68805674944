"""Hosting records of ``SqlStore``: models, endpoint configurations and endpoints (a mixin:
it needs the store's ``_session``). Row-level helpers live in ``endpoints.py``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy.orm import Session

from ... import entities as e
from ...exceptions import ConflictError
from ..base import UNSET, SortOrder
from . import convert, endpoints
from .lookups import check_name, taken


class HostingQueries:
    """The model, endpoint-config and endpoint methods of ``SqlStore``."""

    def _session(
        self, *, write: bool = False, conflict: ConflictError | None = None
    ) -> AbstractContextManager[Session]:
        raise NotImplementedError

    # -- models ------------------------------------------------------------------

    def create_model(
        self,
        model_name: str,
        primary_container: e.ContainerDefinition,
        *,
        tags: Mapping[str, str] | None = None,
        containers: Sequence[e.ContainerDefinition] | None = None,
    ) -> e.Model:
        row = endpoints.new_model_row(model_name, primary_container, tags, containers)
        with self._session(write=True, conflict=taken(endpoints.ModelRow, row.name)) as s:
            s.add(row)
            s.flush()
            return convert.model(row)

    def get_model(self, model_name: str) -> e.Model:
        with self._session() as s:
            return convert.model(endpoints.get_model(s, model_name))

    def list_models(
        self,
        *,
        name_contains: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> e.Page[e.Model]:
        with self._session() as s:
            rows, token = endpoints.page_models(
                s,
                name_contains=name_contains,
                sort_order=sort_order,
                max_results=max_results,
                next_token=next_token,
            )
            return e.Page[e.Model](items=[convert.model(r) for r in rows], next_token=token)

    def delete_model(self, model_name: str) -> None:
        with self._session(write=True) as s:
            endpoints.delete_model(s, model_name)

    # -- endpoint configurations -------------------------------------------------

    def create_endpoint_config(
        self,
        endpoint_config_name: str,
        production_variants: Sequence[e.ProductionVariant],
        *,
        data_capture_config: Mapping[str, Any] | None = None,
    ) -> e.EndpointConfig:
        row = endpoints.new_config_row(
            endpoint_config_name, production_variants, data_capture_config
        )
        conflict = taken(endpoints.EndpointConfigRow, row.name)
        with self._session(write=True, conflict=conflict) as s:
            s.add(row)
            s.flush()
            return convert.endpoint_config(row)

    def get_endpoint_config(self, endpoint_config_name: str) -> e.EndpointConfig:
        with self._session() as s:
            return convert.endpoint_config(endpoints.get_config(s, endpoint_config_name))

    def list_endpoint_configs(
        self,
        *,
        name_contains: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> e.Page[e.EndpointConfig]:
        with self._session() as s:
            rows, token = endpoints.page_configs(
                s,
                name_contains=name_contains,
                sort_order=sort_order,
                max_results=max_results,
                next_token=next_token,
            )
            return e.Page[e.EndpointConfig](
                items=[convert.endpoint_config(r) for r in rows], next_token=token
            )

    def delete_endpoint_config(self, endpoint_config_name: str) -> None:
        conflict = ConflictError(
            f"Endpoint configuration {endpoint_config_name!r} is in use",
            field="EndpointConfigName",
        )
        with self._session(write=True, conflict=conflict) as s:
            endpoints.delete_config(s, endpoint_config_name)

    # -- endpoints ---------------------------------------------------------------

    def create_endpoint(
        self,
        endpoint_name: str,
        endpoint_config_name: str,
        *,
        tags: Mapping[str, str] | None = None,
    ) -> e.Endpoint:
        name = check_name(endpoints.EndpointRow, endpoint_name)
        with self._session(write=True, conflict=taken(endpoints.EndpointRow, name)) as s:
            row = endpoints.new_endpoint_row(s, name, endpoint_config_name, tags)
            s.add(row)
            s.flush()
            return convert.endpoint(row)

    def get_endpoint(self, endpoint_name: str) -> e.Endpoint:
        with self._session() as s:
            return convert.endpoint(endpoints.get(s, endpoint_name))

    def list_endpoints(
        self,
        *,
        status: e.EndpointStatus | None = None,
        name_contains: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> e.Page[e.Endpoint]:
        with self._session() as s:
            rows, token = endpoints.page(
                s,
                status=status,
                name_contains=name_contains,
                sort_order=sort_order,
                max_results=max_results,
                next_token=next_token,
            )
            return e.Page[e.Endpoint](items=[convert.endpoint(r) for r in rows], next_token=token)

    def update_endpoint(
        self,
        endpoint_name: str,
        *,
        status: e.EndpointStatus | None = None,
        endpoint_config_name: str | None = None,
        failure_reason: str | None = UNSET,
        desired_variants: Mapping[str, e.DesiredVariant] | None = UNSET,
    ) -> e.Endpoint:
        with self._session(write=True) as s:
            row = endpoints.get(s, endpoint_name, for_update=True)
            endpoints.apply_update(
                s,
                row,
                status=status,
                endpoint_config_name=endpoint_config_name,
                failure_reason=failure_reason,
                desired_variants=desired_variants,
            )
            s.flush()
            return convert.endpoint(row)

    def delete_endpoint(self, endpoint_name: str) -> None:
        with self._session(write=True) as s:
            endpoints.delete(s, endpoint_name)
