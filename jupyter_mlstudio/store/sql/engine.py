"""Engines for the SQL store: URL normalisation and SQLite connection settings.

SQLite runs in WAL mode with a generous ``busy_timeout`` so several processes (the server,
notebooks, jobs) can share one file. pysqlite's own transaction handling is switched off
and the store emits ``BEGIN`` itself: ``BEGIN IMMEDIATE`` for write transactions, so
concurrent writers queue on the database lock instead of failing with "database is
locked" when a read transaction tries to upgrade to a write.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

from ...exceptions import ValidationError

#: Execution option that marks a connection's transaction as a write transaction.
WRITE_OPTION = "mlstudio_write"

SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalize_url(url: str) -> URL:
    """Parse ``url``; plain ``postgresql://`` becomes ``postgresql+psycopg://``."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # ArgumentError and friends
        raise ValidationError(f"Invalid database URL: {exc}", field="database_url") from exc
    backend, _, driver = parsed.drivername.partition("+")
    if backend in ("postgresql", "postgres"):
        if driver not in ("", "psycopg"):
            raise ValidationError(
                f"Unsupported PostgreSQL driver {driver!r}: use postgresql+psycopg://",
                field="database_url",
            )
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if driver not in ("", "pysqlite"):
            raise ValidationError(
                f"Unsupported SQLite driver {driver!r}: use sqlite:///", field="database_url"
            )
        return parsed
    raise ValidationError(
        f"Unsupported database URL scheme {parsed.drivername!r}: "
        "use sqlite:///<path> or postgresql://...",
        field="database_url",
    )


def _strict_json(value: Any) -> str:
    """JSON columns hold JSON: NaN and infinity are refused (``ValueError``), never
    written as the ``NaN``/``Infinity`` tokens that no strict parser reads back."""
    return json.dumps(value, allow_nan=False)


def make_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            json_serializer=_strict_json,
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, json_serializer=_strict_json)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let the store emit BEGIN itself (SQLAlchemy's documented pysqlite workaround).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
