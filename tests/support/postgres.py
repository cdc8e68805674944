"""A throwaway PostgreSQL server for tests.

:func:`postgres_server` finds ``initdb``/``pg_ctl`` (on ``PATH``, then
``/usr/lib/postgresql/*/bin``), initialises a cluster in a temporary folder (as the
``postgres`` OS user when running as root), listens on 127.0.0.1 only on a free port with
its unix socket inside that folder, and stops and removes it on exit. Set
``MLSTUDIO_TEST_POSTGRES_URL`` to use an existing server instead (its user needs
CREATEDB). Without PostgreSQL the test is skipped with the reason, except under ``CI``
where it fails: nothing may be skipped silently there.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ENV_URL = "MLSTUDIO_TEST_POSTGRES_URL"
_PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


@dataclass(frozen=True)
class PostgresServer:
    """A running server; ``url`` points at its maintenance database ``postgres``."""

    url: str

    def create_database(self, name: str | None = None, *, template: str | None = None) -> str:
        """Create a database (empty, or a copy of ``template``); return its SQLAlchemy URL."""
        import psycopg
        from sqlalchemy.engine import make_url

        name = name or f"mlstudio_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(_libpq_url(self.url), autocommit=True) as connection:
            copy = f' TEMPLATE "{template}"' if template else ""
            connection.execute(f'CREATE DATABASE "{name}"{copy}')
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def drop_database(self, url: str) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        name = make_url(url).database
        with psycopg.connect(_libpq_url(self.url), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _libpq_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def unavailable(reason: str) -> None:
    """Skip (locally) or fail (when ``CI`` is set) because PostgreSQL is missing."""
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


def find_bin_dir() -> Path | None:
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).parent
    candidates = sorted(
        glob.glob(_PG_BIN_GLOB),
        key=lambda p: int(p.split("/")[-2]) if p.split("/")[-2].isdigit() else 0,
    )
    for candidate in reversed(candidates):
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Yield a server: the one ``MLSTUDIO_TEST_POSTGRES_URL`` names, or a fresh one."""
    url = os.environ.get(ENV_URL)
    if url:
        yield PostgresServer(url)
        return
    bin_dir = find_bin_dir()
    if bin_dir is None:
        unavailable(f"no initdb/pg_ctl on PATH or in {_PG_BIN_GLOB}; set {ENV_URL} to use a server")
        return
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    prefix: list[str] = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root and shutil.which("runuser") is None:
        unavailable("running as root without runuser to start PostgreSQL as 'postgres'")
        return
    folder = Path(tempfile.mkdtemp(prefix="mlstudio-pg-"))
    data, log = folder / "data", folder / "server.log"
    port = _free_port()
    try:
        if as_root:
            import pwd

            user = pwd.getpwnam("postgres")
            os.chown(folder, user.pw_uid, user.pw_gid)
        folder.chmod(0o700)
        subprocess.run(
            [*prefix, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
             "-A", "trust", "--no-sync", "-E", "UTF8"],
            check=True, capture_output=True,
        )  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        subprocess.run(
            [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
             "-l", str(log), "-w", "-t", "60", "start"],
            check=True, capture_output=True,
        )  # fmt: skip
    except (subprocess.CalledProcessError, OSError, KeyError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        if log.exists():
            detail += log.read_bytes()[-2000:]
        shutil.rmtree(folder, ignore_errors=True)
        unavailable(
            f"could not start PostgreSQL from {bin_dir}: {exc} {detail.decode(errors='replace')}"
        )
        return
    try:
        yield PostgresServer(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres")
    finally:
        subprocess.run(
            [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            check=False, capture_output=True,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)
