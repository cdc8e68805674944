"""The ``store`` fixture: every contract test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_mlstudio.store import open_store
from jupyter_mlstudio.store.base import MetadataStore
from tests.support.postgres import PostgresServer, postgres_server


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="session")
def postgres_template(postgres: PostgresServer) -> Iterator[str]:
    """A database migrated to head once; each test copies it (CREATE DATABASE ... TEMPLATE)."""
    url = postgres.create_database()
    open_store(url).close()
    yield url.rsplit("/", 1)[1]
    postgres.drop_database(url)


@pytest.fixture
def postgres_url(postgres: PostgresServer, postgres_template: str) -> Iterator[str]:
    url = postgres.create_database(template=postgres_template)
    yield url
    postgres.drop_database(url)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'studio' / 'mlstudio.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(store_url: str) -> Iterator[MetadataStore]:
    opened = open_store(store_url)
    yield opened
    opened.close()
