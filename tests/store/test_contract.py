"""The store contract on every backend (the ``store`` fixture is parametrized)."""

from __future__ import annotations

from jupyter_mlstudio.testing.store_contract import StoreContract


class TestSqlStore(StoreContract):
    pass
