"""Alembic environment of the SQL store: runs on the connection ``migrate.py`` passes in."""

from __future__ import annotations

from alembic import context

from jupyter_mlstudio.store.sql.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only `migrate.upgrade` drives these migrations
    raise RuntimeError("Run the store's migrations through jupyter_mlstudio.store.sql.migrate")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=config.attributes["version_table"],
    render_as_batch=True,
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
