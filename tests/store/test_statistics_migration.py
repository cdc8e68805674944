"""Revision 0005 turns M2 into standard deviations and bucket totals into means, and
recomputes from the points what an overflow had already spoiled."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from jupyter_mlstudio.entities import MetricPoint
from jupyter_mlstudio.store import open_store
from jupyter_mlstudio.store.sql import SqlStore
from jupyter_mlstudio.store.sql.migrate import current_revision, upgrade
from jupyter_mlstudio.testing.store_contract import T0
from jupyter_mlstudio.testing.store_contract_limits import close, exact


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    postgres = request.getfixturevalue("postgres")
    url = postgres.create_database()
    yield url
    postgres.drop_database(url)


# Twelve points at steps 0..11 each: one bucket at every level; charts of 10 points read it.
SERIES = {
    "plain": [float(i) for i in range(12)],
    "huge": [1.5e308] * 6 + [-1.7e308] * 6,  # the running total overflows
    "tiny": [5e-324] + [0.0] * 11,
}


def _as_0004_wrote_them(values: list[float]) -> tuple[float, float, float]:
    """``(mean, m2, total)`` as the code of revision 0004 kept them (overflowing)."""
    mean = math.fsum(values) / len(values) if max(map(abs, values)) < 1e300 else -math.inf
    m2 = sum((v - mean) ** 2 for v in values) if math.isfinite(mean) else math.inf
    total = 0.0
    for value in values:
        total += value
    return mean, m2, total


def test_upgrade_from_0004_keeps_and_repairs_statistics(empty_url: str) -> None:
    old = SqlStore(empty_url, upgrade=False)
    upgrade(old.engine, "0004")
    assert current_revision(old.engine) == "0004"
    with old.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO trial_components (name, status, creation_time, last_modified_time)"
                " VALUES ('old-run', 'Completed', :t, :t)"
            ),
            {"t": T0},
        )
        run_id = connection.execute(text("SELECT id FROM trial_components")).scalar_one()
        for name, values in SERIES.items():
            connection.execute(
                text(
                    "INSERT INTO metric_points (trial_component_id, metric_name, value, step,"
                    " timestamp) VALUES (:r, :n, :v, :s, :t)"
                ),
                [{"r": run_id, "n": name, "v": v, "s": s, "t": T0} for s, v in enumerate(values)],
            )
            mean, m2, total = _as_0004_wrote_them(values)
            common = {"r": run_id, "n": name, "c": len(values), "lo": min(values)}
            connection.execute(
                text(
                    "INSERT INTO metric_summaries (trial_component_id, metric_name, count, mean,"
                    " m2, min, max, last, time_stamp) VALUES (:r, :n, :c, :mean, :m2, :lo, :hi,"
                    " :last, :t)"
                ),
                {**common, "mean": mean, "m2": m2, "hi": max(values), "last": values[-1], "t": T0},
            )
            connection.execute(
                text(
                    "INSERT INTO metric_buckets (trial_component_id, metric_name, level, bucket,"
                    " count, total, min, max, last, last_step) VALUES (:r, :n, :level, 0, :c,"
                    " :total, :lo, :hi, :last, :step)"
                ),
                [
                    {
                        **common,
                        "level": level,
                        "total": total,
                        "hi": max(values),
                        "last": values[-1],
                        "step": len(values) - 1,
                    }
                    for level in range(10)
                ],
            )
    old.close()

    migrated = open_store(empty_url)  # upgrades to head
    try:
        run = migrated.get_trial_component("old-run")
        json.dumps(run.to_api(), allow_nan=False)
        summaries = {m.metric_name: m for m in run.metrics}
        for name, values in SERIES.items():
            want_mean, want_std = exact(values)
            scale = max(map(abs, values))
            got = summaries[name]
            assert close(got.avg, want_mean, scale), (name, got.avg, want_mean)
            assert close(got.std_dev, want_std, scale), (name, got.std_dev, want_std)
            chart = migrated.get_metric_chart(["old-run"], name, max_points=10)["old-run"]
            assert (chart.exact, chart.count) == (False, [12])
            assert close(chart.avg[0], want_mean, scale), (name, chart.avg, want_mean)
        # New points land on top of the migrated statistics.
        migrated.log_metrics(
            "old-run", [MetricPoint(metric_name="huge", value=1.7e308, step=5, timestamp=T0)]
        )
        values = [*SERIES["huge"], 1.7e308]
        want_mean, want_std = exact(values)
        (huge,) = [
            m for m in migrated.get_trial_component("old-run").metrics if m.metric_name == "huge"
        ]
        assert close(huge.avg, want_mean, 1.7e308)
        assert close(huge.std_dev, want_std, 1.7e308)
        chart = migrated.get_metric_chart(["old-run"], "huge", max_points=10)["old-run"]
        assert close(chart.avg[0], want_mean, 1.7e308)
    finally:
        migrated.close()
