"""The metadata store: the contract (``base.py``) and the backend chosen by URL."""

from __future__ import annotations

from ..exceptions import ValidationError
from .base import MetadataStore, StoreHealth

__all__ = ["MetadataStore", "StoreHealth", "open_store"]

_SQL_SCHEMES = ("sqlite", "postgresql", "postgres")


def open_store(url: str) -> MetadataStore:
    """Open the store behind ``url`` and bring its schema up to date.

    ``sqlite:///path/to/mlstudio.db`` (the parent folder is created) or
    ``postgresql://user:password@host/db`` (``postgresql+psycopg://`` likewise; plain
    ``postgresql://`` uses psycopg 3). Another scheme is a ``ValidationError`` on
    ``database_url``.
    """
    if not isinstance(url, str) or "://" not in url:
        raise ValidationError(
            f"Invalid database URL {url!r}: use sqlite:///<path> or postgresql://...",
            field="database_url",
        )
    scheme = url.split("://", 1)[0].split("+", 1)[0].lower()
    if scheme not in _SQL_SCHEMES:
        raise ValidationError(
            f"Unsupported database URL scheme {scheme!r}: use sqlite:///<path> or postgresql://...",
            field="database_url",
        )
    from .sql import SqlStore  # imported here: SQLAlchemy loads only when a store is opened

    return SqlStore(url)
