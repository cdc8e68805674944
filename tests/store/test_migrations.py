"""Migrations: an old database file upgrades on open and keeps its data."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from jupyter_mlstudio.entities import JobKind, ProductionVariant, utcnow
from jupyter_mlstudio.store import open_store
from jupyter_mlstudio.store.sql import SqlStore
from jupyter_mlstudio.store.sql.migrate import current_revision, head_revision
from jupyter_mlstudio.testing.store_contract import make_job

OLD_DB = Path(__file__).resolve().parent.parent / "data" / "mlstudio-0001.db"


def test_head_is_0010() -> None:
    assert head_revision() == "0010"


def test_upgrade_from_0001(tmp_path: Path) -> None:
    copy = tmp_path / "old.db"
    shutil.copy(OLD_DB, copy)
    with sqlite3.connect(copy) as raw:
        assert raw.execute("SELECT version_num FROM mlstudio_alembic_version").fetchone() == (
            "0001",
        )
    store = SqlStore(f"sqlite:///{copy}")
    try:
        assert current_revision(store.engine) == "0010"
        health = store.health()
        assert health.ok
        assert health.schema_revision == "0010"

        experiment = store.get_experiment("old-exp")
        assert experiment.display_name == "Old experiment"
        assert experiment.tags == {"team": "vision"}
        assert experiment.creation_time == datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
        summaries = {s.experiment_name: s for s in store.list_experiments().items}
        assert summaries["old-exp"].trial_count == 1
        assert summaries["old-exp"].trial_component_count == 1
        assert summaries["old-exp-2"].trial_count == 0

        run = store.get_trial_component("old-run")
        assert run.parameters == {"lr": 0.01, "optimizer": "adam"}
        assert run.output_artifacts["model"].value == "file:///models/old.tar.gz"
        assert run.trial_names == ["old-trial"]
        (loss,) = run.metrics
        assert (loss.count, loss.min, loss.max, loss.last, loss.avg) == (3, 1.0, 3.0, 1.0, 2.0)
        assert [p.value for p in store.get_metric_series("old-run", "loss")] == [3.0, 2.0, 1.0]

        # Old runs take new points, and the tables of 0002 work.
        from jupyter_mlstudio.entities import MetricPoint

        store.log_metrics(
            "old-run", [MetricPoint(metric_name="loss", value=0.0, step=3, timestamp=utcnow())]
        )
        (loss,) = store.get_trial_component("old-run").metrics
        assert (loss.count, loss.min, loss.last, loss.avg) == (4, 0.0, 0.0, 1.5)
        assert store.create_job(make_job("new-job")).kind is JobKind.TRAINING
        store.create_endpoint_config(
            "cfg", [ProductionVariant(variant_name="AllTraffic", model_name="m")]
        )
        assert store.create_endpoint("ep", "cfg").endpoint_config_name == "cfg"
    finally:
        store.close()
    # Opening again is a no-op.
    open_store(f"sqlite:///{copy}").close()


def test_unknown_newer_revision_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "future.db"
    shutil.copy(OLD_DB, copy)
    with sqlite3.connect(copy) as raw:
        raw.execute("UPDATE mlstudio_alembic_version SET version_num = '9999'")
    from jupyter_mlstudio.exceptions import StoreUnavailableError

    with pytest.raises(StoreUnavailableError, match="schema"):
        SqlStore(f"sqlite:///{copy}")
