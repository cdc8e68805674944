"""Alembic migrations of the SQL store, driven from code (no alembic.ini at runtime).

The store calls :func:`upgrade` when it opens a database: the schema is only ever
created or changed by the revisions in ``migrations/versions``.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from .engine import WRITE_OPTION

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "mlstudio_alembic_version"
# Any constant works: serialises concurrent upgrades of one PostgreSQL database.
_PG_LOCK_KEY = 0x6D6C7374


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["version_table"] = VERSION_TABLE
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return _current(connection)


def _current(connection: Connection) -> str | None:
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return context.get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` in one transaction (no-op when already there).

    On SQLite the transaction starts with ``BEGIN IMMEDIATE`` and on PostgreSQL it takes
    an advisory lock, so processes opening a new database at once upgrade it once.
    """
    if revision == "head" and current_revision(engine) == head_revision():
        return
    with engine.connect() as connection:
        connection = connection.execution_options(**{WRITE_OPTION: True})
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
            command.upgrade(alembic_config(connection), revision)
