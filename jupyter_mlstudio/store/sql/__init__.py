"""SQLAlchemy implementation of the metadata store (SQLite and PostgreSQL)."""

from .store import SqlStore

__all__ = ["SqlStore"]
