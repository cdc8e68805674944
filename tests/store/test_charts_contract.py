"""The chart part of the store contract on every backend (SQLite and PostgreSQL).

Part of ``TrackingContract`` (and of ``StoreContract``); test_contract.py runs the rest.
"""

from __future__ import annotations

import gc
from typing import Any

import pytest

from jupyter_mlstudio.exceptions import NotFoundError
from jupyter_mlstudio.store.sql import charts
from jupyter_mlstudio.store.sql.store import SqlStore
from jupyter_mlstudio.testing.store_contract_charts import StoreChartContract
from jupyter_mlstudio.testing.store_helpers import expect, points


class TestSqlStoreCharts(StoreChartContract):
    pass


class TestCollectorPause:
    """``get_metric_chart`` reads its rows with the cyclic garbage collector paused
    (half the time of a 1,000-run chart) and always turns it back on."""

    def test_chart_is_read_with_the_collector_paused(
        self, store: SqlStore, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        store.create_trial_component("run")
        store.log_metrics("run", points("m", [float(i) for i in range(50)]))
        seen: list[bool] = []
        read = charts.fetch_all

        def spy(connection: Any, stmt: Any) -> list[Any]:
            seen.append(gc.isenabled())
            return read(connection, stmt)

        monkeypatch.setattr(charts, "fetch_all", spy)
        assert gc.isenabled()
        store.get_metric_chart(["run"], "m", max_points=10)  # bucketed
        store.get_metric_chart(["run"], "m", max_points=100)  # exact
        assert seen == [False, False]
        assert gc.isenabled()
        with expect(NotFoundError):  # an error on the way still resumes it
            store.get_metric_chart(["missing"], "m")
        assert gc.isenabled()

    def test_overlapping_pauses_resume_once_the_last_ends(self) -> None:
        first, second = charts.collector_paused(), charts.collector_paused()
        first.__enter__()
        second.__enter__()
        first.__exit__(None, None, None)
        assert not gc.isenabled()  # the second chart is still being read
        second.__exit__(None, None, None)
        assert gc.isenabled()

    def test_a_collector_already_off_stays_off(self) -> None:
        gc.disable()
        try:
            with charts.collector_paused():
                assert not gc.isenabled()
            assert not gc.isenabled()
        finally:
            gc.enable()
