"""Tracking tests run against both backends: direct SQLite, and HTTP to a real Jupyter
server; job and endpoint tests run once, against the studio (``studio_uri``): jobs and
endpoints always belong to a studio.

pytest-jupyter serves HTTP on the test's own event loop, so a test runs its SDK calls in
a worker thread (``await in_thread(fn)``) while the loop answers them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from jupyter_mlstudio.sdk import TrackingClient
from jupyter_mlstudio.sdk import client as client_module

T = TypeVar("T")


async def in_thread(fn: Callable[[], T]) -> T:
    return await asyncio.get_running_loop().run_in_executor(None, fn)


def _forget_clients(before: set[tuple[int, str]]) -> None:
    for key in set(client_module._clients) - before:
        client_module._clients.pop(key).close()


@pytest.fixture
def studio_uri(request: pytest.FixtureRequest) -> Iterator[str]:
    """The URI of a real studio (pytest-jupyter's server, on ``studio_home``), with
    ``MLSTUDIO_TOKEN`` set so that the default client reaches it."""
    monkeypatch = request.getfixturevalue("monkeypatch")
    request.getfixturevalue("jp_serverapp")
    request.getfixturevalue("http_server")  # accepts connections on jp_http_port
    port = request.getfixturevalue("jp_http_port")
    base = request.getfixturevalue("jp_base_url")
    token = request.getfixturevalue("jp_auth_header")["Authorization"].split()[-1]
    monkeypatch.setenv("MLSTUDIO_TOKEN", token)
    before = set(client_module._clients)
    yield f"http://127.0.0.1:{port}{base}"
    _forget_clients(before)


@pytest.fixture(params=["direct", "http"])
def tracking_uri(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A tracking URI whose default client (environment) reaches the same records: a
    SQLite file (the SQL store itself), or a studio over HTTP."""
    if request.param == "http":
        yield request.getfixturevalue("studio_uri")
        return
    monkeypatch = request.getfixturevalue("monkeypatch")
    monkeypatch.setenv("MLSTUDIO_ARTIFACT_ROOT", str(tmp_path / "artifacts"))
    before = set(client_module._clients)
    yield f"sqlite:///{tmp_path / 'sdk.db'}"
    _forget_clients(before)


@pytest.fixture
def client(tracking_uri: str) -> Iterator[TrackingClient]:
    tracking = TrackingClient(tracking_uri)
    yield tracking
    tracking.close()


@pytest.fixture
def studio_files(tracking_uri: str, tmp_path: Path, studio_home: Path) -> Path:
    """Where the run files of the backend under test land."""
    return (
        tmp_path / "artifacts" if tracking_uri.startswith("sqlite") else studio_home / "artifacts"
    )
