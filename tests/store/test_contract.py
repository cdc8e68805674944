"""The store contract on every backend (the ``store`` fixture is parametrized).

The chart suite runs in test_charts_contract.py; this module runs the other parts of
``StoreContract`` and checks that the composite suites hold exactly their parts.
"""

from __future__ import annotations

from jupyter_mlstudio.testing.store_contract import (
    RunsContract,
    StoreContract,
    TrackingContract,
)
from jupyter_mlstudio.testing.store_contract_charts import StoreChartContract
from jupyter_mlstudio.testing.store_contract_columns import MetricColumnsContract
from jupyter_mlstudio.testing.store_contract_jobs import JobsEndpointsContract
from jupyter_mlstudio.testing.store_contract_limits import (
    RecordLimitsContract,
    TrackingLimitsContract,
)
from jupyter_mlstudio.testing.store_contract_monitoring import MonitoringContract
from jupyter_mlstudio.testing.store_contract_pipelines import PipelineContract
from jupyter_mlstudio.testing.store_contract_registry import RegistryContract

TRACKING_PARTS = (RunsContract, StoreChartContract, TrackingLimitsContract, MetricColumnsContract)
RECORD_PARTS = (
    JobsEndpointsContract,
    RecordLimitsContract,
    RegistryContract,
    PipelineContract,
    MonitoringContract,
)


class TestSqlStore(
    RunsContract,
    TrackingLimitsContract,
    MetricColumnsContract,
    JobsEndpointsContract,
    RecordLimitsContract,
    RegistryContract,
    PipelineContract,
    MonitoringContract,
):
    pass


def _own_names(cls: type) -> set[str]:
    return {name for name in vars(cls) if not name.startswith("__")}


def _tests(cls: type) -> set[str]:
    return {name for name in dir(cls) if name.startswith("test_")}


def test_no_part_shadows_another() -> None:
    parts = TRACKING_PARTS + RECORD_PARTS
    for i, part in enumerate(parts):
        for other in parts[i + 1 :]:
            assert _own_names(part) & _own_names(other) == set(), (part, other)


def test_the_composites_hold_their_parts() -> None:
    tracking = set().union(*map(_tests, TRACKING_PARTS))
    records = set().union(*map(_tests, RECORD_PARTS))
    assert _tests(TrackingContract) == tracking
    assert _tests(StoreContract) == tracking | records
    assert _tests(TestSqlStore) | _tests(StoreChartContract) == _tests(StoreContract)
