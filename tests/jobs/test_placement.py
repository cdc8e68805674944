"""The record of where a job's hosts run: the nodes the Ray runtime put on their handles."""

from __future__ import annotations

from jupyter_mlstudio.runtime.base import JobHandle
from jupyter_mlstudio.runtime.ray import LABEL_NODE, LABEL_NODE_ADDRESS
from jupyter_mlstudio.services.jobs.placement import host_nodes


def _handle(host: str, labels: dict[str, str]) -> JobHandle:
    return JobHandle(runtime="ray", job_name="j", host=host, ref=f"j/{host}", labels=labels)


def test_each_host_with_its_node_in_host_order() -> None:
    handles = [
        _handle("algo-10", {LABEL_NODE: "c" * 56, LABEL_NODE_ADDRESS: "10.0.0.3"}),
        _handle("algo-2", {LABEL_NODE: "b" * 56, LABEL_NODE_ADDRESS: "10.0.0.2"}),
        _handle("algo-1", {LABEL_NODE: "a" * 56, LABEL_NODE_ADDRESS: "10.0.0.1"}),
    ]
    assert host_nodes(handles) == [
        {"Host": "algo-1", "Node": {"NodeId": "a" * 56, "Address": "10.0.0.1"}},
        {"Host": "algo-2", "Node": {"NodeId": "b" * 56, "Address": "10.0.0.2"}},
        {"Host": "algo-10", "Node": {"NodeId": "c" * 56, "Address": "10.0.0.3"}},
    ]


def test_hosts_on_the_studios_machine_have_no_node() -> None:
    handles = [_handle("algo-1", {"mlstudio.job": "j"}), _handle("algo-2", {})]
    assert host_nodes(handles) == []
