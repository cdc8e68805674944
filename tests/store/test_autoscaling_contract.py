"""The autoscaling part of the store contract on every backend."""

from __future__ import annotations

from jupyter_mlstudio.testing.store_contract_autoscaling import AutoscalingContract


class TestSqlStoreAutoscaling(AutoscalingContract):
    pass
