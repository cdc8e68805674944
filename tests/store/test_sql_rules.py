"""Unit tests of the SQL store's tricky rules (backend choice, SQLite settings, tokens, sums)."""

from __future__ import annotations

import math
import random
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.dialects import sqlite as sqlite_dialect

from jupyter_mlstudio.entities import MetricPoint
from jupyter_mlstudio.exceptions import StoreUnavailableError, ValidationError
from jupyter_mlstudio.store import open_store
from jupyter_mlstudio.store.sql import SqlStore
from jupyter_mlstudio.store.sql.engine import normalize_url
from jupyter_mlstudio.store.sql.metrics import merge, prepare_points, sqlite_timestamp, summarize
from jupyter_mlstudio.store.sql.migrate import head_revision
from jupyter_mlstudio.store.sql.models import UTCDateTime
from jupyter_mlstudio.store.sql.paging import decode_token, encode_token


@pytest.mark.parametrize(
    "url", ["mysql://u@h/db", "http://x", "mongodb://h", "not a url", "sqlite+aiosqlite:///x.db"]
)
def test_unknown_scheme(url: str) -> None:
    with pytest.raises(ValidationError) as info:
        open_store(url)
    assert info.value.field == "database_url"


def test_postgresql_urls_use_psycopg3() -> None:
    for url in ("postgresql://u:p@h/db", "postgres://u@h/db", "postgresql+psycopg://u@h/db"):
        assert normalize_url(url).drivername == "postgresql+psycopg"
    with pytest.raises(ValidationError):
        normalize_url("postgresql+psycopg2://u@h/db")


def test_sqlite_parent_folder_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "mlstudio.db"
    open_store(f"sqlite:///{path}").close()
    assert path.exists()


def test_sqlite_connection_settings(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 's.db'}")
    with store.engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("busy_timeout") == 30_000
        assert pragma("synchronous") == 1  # NORMAL
        assert pragma("foreign_keys") == 1
    store.close()


def test_sqlite_write_transactions_begin_immediate(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 's.db'}")
    statements: list[str] = []
    event.listen(
        store.engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_a: statements.append(statement),
    )
    store.create_experiment("exp-1")
    store.get_experiment("exp-1")
    begins = [s for s in statements if s.startswith("BEGIN")]
    store.close()
    assert begins == ["BEGIN IMMEDIATE", "BEGIN"]


def test_writer_waits_for_lock_instead_of_failing(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = SqlStore(f"sqlite:///{path}")
    store.create_trial_component("run")
    blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    import threading

    timer = threading.Timer(0.5, lambda: blocker.execute("COMMIT"))
    timer.start()
    point = MetricPoint(metric_name="m", value=1.0, step=0, timestamp=datetime.now(timezone.utc))
    store.log_metrics("run", [point])  # queues behind the blocker for ~0.5 s
    timer.join()
    blocker.close()
    assert store.get_trial_component("run").metrics[0].count == 1
    store.close()


def test_health_masks_password_and_never_raises() -> None:
    store = SqlStore("postgresql://user:secret@127.0.0.1:1/nothing", upgrade=False)
    health = store.health()
    assert not health.ok
    assert "secret" not in health.url
    assert "***" in health.url
    assert health.head_revision == head_revision()
    assert health.schema_revision is None
    with pytest.raises(StoreUnavailableError):
        store.get_experiment("exp-1")
    store.close()


def test_unreachable_database_on_open() -> None:
    with pytest.raises(StoreUnavailableError) as info:
        open_store("postgresql://user:secret@127.0.0.1:1/nothing")
    assert "secret" not in str(info.value)


def test_bool_parameters_are_refused(tmp_path: Path) -> None:
    # Decision: bool is neither a SageMaker NumberValue nor a StringValue; storing it as
    # 1.0 or "True" would silently change its type, so it is refused.
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    with pytest.raises(ValidationError) as info:
        store.create_trial_component("run", parameters={"flag": True})
    assert info.value.field == "Parameters.flag"
    store.close()


def test_timestamps_round_trip_as_utc(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    local = datetime(2024, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    run = store.create_trial_component("run", start_time=local)
    assert run.start_time == local
    assert run.start_time is not None
    assert run.start_time.tzinfo == timezone.utc
    assert run.start_time.hour == 4
    with store.engine.connect() as connection:
        raw = connection.execute(text("SELECT start_time FROM trial_components")).scalar()
    assert raw == "2024-03-02 04:30:00.000000"
    store.close()


def test_sqlite_timestamp_matches_column_type() -> None:
    dialect = sqlite_dialect.dialect()
    bind = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    column_type = UTCDateTime()
    for stamp in (
        datetime(2024, 1, 1, tzinfo=timezone.utc),
        datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc),
        datetime(2024, 6, 1, 8, 0, 0, 5, tzinfo=timezone(timedelta(hours=3))),
    ):
        assert bind is not None
        expected = bind(column_type.process_bind_param(stamp, dialect))
        assert sqlite_timestamp(stamp) == expected
        (row,) = prepare_points(
            [MetricPoint(metric_name="m", value=1, timestamp=stamp)], sqlite_text=True
        )
        assert row[3] == expected


@pytest.mark.parametrize(
    "token",
    ["", "x" * 5000, encode_token("other", "a", 1), "e30", "W10", "eyJzIjoiYSIsImkiOiIxIn0"],
)
def test_bad_tokens(token: str) -> None:
    with pytest.raises(ValidationError) as info:
        decode_token(token, "a")
    assert info.value.field == "NextToken"


def test_token_round_trip() -> None:
    stamp = datetime(2024, 1, 1, 1, 2, 3, 4, tzinfo=timezone.utc)
    assert decode_token(encode_token("s", stamp, 42), "s") == (stamp, 42)
    assert decode_token(encode_token("s", "name", 7), "s") == ("name", 7)


def test_welford_merge_matches_one_pass() -> None:
    rng = random.Random(7)
    values = [rng.gauss(1e6, 3.0) for _ in range(5000)]
    stamp = datetime(2024, 1, 1, tzinfo=timezone.utc)
    summary = None
    position = 0
    while position < len(values):
        size = rng.randint(1, 700)
        chunk = values[position : position + size]
        rows = [
            ("m", v, position + i, stamp + timedelta(seconds=position + i))
            for i, v in enumerate(chunk)
        ]
        batch = summarize(rows)["m"]
        current = summary or type("Row", (), {"count": 0})()
        merged = merge(current, batch)
        summary = type("Row", (), merged)()
        position += size
    assert summary is not None
    mean = math.fsum(values) / len(values)
    variance = math.fsum((v - mean) ** 2 for v in values) / len(values)
    assert summary.count == len(values)
    assert math.isclose(summary.mean, mean, rel_tol=1e-14)
    assert math.isclose(summary.std_dev**2, variance, rel_tol=1e-9)
    assert summary.last == values[-1]
    assert summary.min == min(values)
    assert summary.max == max(values)
