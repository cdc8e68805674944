"""Revision 0003 folds the points logged before it into the downsampled series."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from jupyter_mlstudio.entities import MetricPoint
from jupyter_mlstudio.store import open_store
from jupyter_mlstudio.store.sql import SqlStore
from jupyter_mlstudio.store.sql.migrate import current_revision, upgrade
from jupyter_mlstudio.testing.store_contract import T0


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    postgres = request.getfixturevalue("postgres")
    url = postgres.create_database()
    yield url
    postgres.drop_database(url)


def _series() -> dict[str, list[tuple[int | None, float]]]:
    rng = random.Random(3)
    stepped: list[tuple[int | None, float]] = [(s, rng.random()) for s in range(2550)]
    rng.shuffle(stepped)
    stepped.append((15, 99.0))  # a second point at step 15, logged last: it is "last"
    unstepped: list[tuple[int | None, float]] = [(None, float(i % 17)) for i in range(700)]
    unstepped[300] = (5000, -3.0)
    return {"loss": stepped, "acc": unstepped}


def test_upgrade_from_0002_builds_the_buckets(empty_url: str) -> None:
    old = SqlStore(empty_url, upgrade=False)
    upgrade(old.engine, "0002")
    assert current_revision(old.engine) == "0002"
    with old.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO trial_components (name, status, creation_time, last_modified_time)"
                " VALUES ('old-run', 'Completed', :t, :t)"
            ),
            {"t": T0},
        )
        run_id = connection.execute(text("SELECT id FROM trial_components")).scalar_one()
        for name, logged in _series().items():
            connection.execute(
                text(
                    "INSERT INTO metric_points (trial_component_id, metric_name, value, step,"
                    " timestamp) VALUES (:r, :n, :v, :s, :t)"
                ),
                [
                    {"r": run_id, "n": name, "v": v, "s": s, "t": T0 + timedelta(seconds=i)}
                    for i, (s, v) in enumerate(logged)
                ],
            )
        connection.execute(  # the summaries 0002 kept (only the count matters here)
            text(
                "INSERT INTO metric_summaries (trial_component_id, metric_name, count, mean, m2,"
                " min, max, last, time_stamp) SELECT trial_component_id, metric_name, COUNT(*),"
                " AVG(value), 0, MIN(value), MAX(value), MAX(value), MAX(timestamp)"
                " FROM metric_points GROUP BY trial_component_id, metric_name"
            )
        )
    old.close()

    migrated = open_store(empty_url)  # upgrades to head
    fresh = open_store(empty_url.replace("old.db", "fresh.db")) if "sqlite" in empty_url else None
    try:
        reference = fresh or migrated
        if fresh is not None:
            fresh.create_trial_component("old-run")
            for name, logged in _series().items():
                fresh.log_metrics(
                    "old-run",
                    [
                        MetricPoint(metric_name=name, value=v, step=s, timestamp=T0)
                        for s, v in logged
                    ],
                )
        for name in ("loss", "acc"):
            for max_points in (10, 50, 200):
                got = migrated.get_metric_chart(["old-run"], name, max_points=max_points)
                assert not got["old-run"].exact
                if fresh is not None:
                    want = reference.get_metric_chart(["old-run"], name, max_points=max_points)
                    g, w = got["old-run"], want["old-run"]
                    assert g.model_copy(update={"avg": []}) == w.model_copy(update={"avg": []})
                    assert g.avg == pytest.approx(w.avg, rel=1e-12), (name, max_points)
        acc = migrated.get_metric_chart(["old-run"], "acc", max_points=50)["old-run"]
        assert acc.steps[-1] == 5000
        assert acc.last[-1] == -3.0
        assert sum(acc.count) == 700
        loss = migrated.get_metric_chart(["old-run"], "loss", max_points=200)["old-run"]
        assert loss.bucket_width == 16
        assert loss.last[loss.steps.index(15)] == 99.0
        # New points land on top of the migrated buckets.
        migrated.log_metrics(
            "old-run", [MetricPoint(metric_name="acc", value=100.0, step=None, timestamp=T0)]
        )
        acc = migrated.get_metric_chart(["old-run"], "acc", max_points=50)["old-run"]
        assert sum(acc.count) == 701
        assert max(acc.max) == 100.0
    finally:
        migrated.close()
        if fresh is not None:
            fresh.close()
