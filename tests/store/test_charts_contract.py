"""The chart part of the store contract on every backend (SQLite and PostgreSQL).

Part of ``TrackingContract`` (and of ``StoreContract``); test_contract.py runs the rest.
"""

from __future__ import annotations

from jupyter_mlstudio.testing.store_contract_charts import StoreChartContract


class TestSqlStoreCharts(StoreChartContract):
    pass
