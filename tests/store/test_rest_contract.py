"""The tracking contract over HTTP: :class:`RestStore` against a real studio.

One ``jupyter server`` with the studio serves the whole module (a subprocess, so that the
contract's synchronous calls do not wait on the test's own event loop); before each test
its SQLite database is emptied, so every test starts from an empty store as the SQL
backends' tests do.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from jupyter_mlstudio.sdk.rest_store import RestStore
from jupyter_mlstudio.sdk.transport import StudioConnection
from jupyter_mlstudio.store.sql.models import Base
from jupyter_mlstudio.testing.store_contract import TrackingContract
from tests.support.studio_server import StudioServer, free_port


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StudioServer]:
    with StudioServer(tmp_path_factory.mktemp("rest-store")) as server:
        yield server


@pytest.fixture(scope="module")
def database(studio: StudioServer) -> Iterator[sa.Engine]:
    engine = sa.create_engine(f"sqlite:///{studio.home / 'mlstudio.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def store(studio: StudioServer, database: sa.Engine) -> Iterator[RestStore]:
    with database.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    opened = RestStore(StudioConnection(f"http://127.0.0.1:{studio.port}/", token=studio.token))
    yield opened
    opened.close()


class TestRestStore(TrackingContract):
    pass


def test_unreachable_studio_is_unavailable_not_a_crash() -> None:
    store = RestStore(StudioConnection(f"http://127.0.0.1:{free_port()}/", token="x"))
    health = store.health()
    assert not health.ok
    assert health.detail
    assert "cannot reach the studio" in health.detail
