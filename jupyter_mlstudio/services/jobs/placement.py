"""Where a job's hosts run: the cluster node of each host, kept with the job.

A runner that places hosts on the nodes of a cluster (the Ray runtime) labels each host's
handle with its node (``mlstudio.ray.node``, ``mlstudio.ray.node_address``). The supervisor
records them in the job's outputs under :data:`HOSTS_KEY` once the hosts run, so the job
still says where its hosts ran after they ended and were cleaned up. This is a studio-only
member of the studio's REST job (``Outputs.Hosts``); SageMaker's Describe* shapes never
carry it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...runtime.base import JobHandle
from ...runtime.ray import LABEL_NODE, LABEL_NODE_ADDRESS

#: the key of the job's outputs that lists its hosts' nodes
HOSTS_KEY = "Hosts"


def host_nodes(handles: Sequence[JobHandle]) -> list[dict[str, Any]]:
    """The node of each host that runs on a cluster node, in the hosts' order.

    Args:
        handles: The job's hosts, as the runner launched (or re-attached) them.

    Returns:
        ``[{"Host": "algo-1", "Node": {"NodeId": ..., "Address": ...}}, ...]``; empty when
        no host carries a node (the process and Docker runtimes run on the studio's
        machine).
    """
    out: list[dict[str, Any]] = []
    for handle in sorted(handles, key=lambda h: _host_index(h.host)):
        node_id = handle.labels.get(LABEL_NODE)
        if node_id:
            address = handle.labels.get(LABEL_NODE_ADDRESS, "")
            out.append({"Host": handle.host, "Node": {"NodeId": node_id, "Address": address}})
    return out


def _host_index(host: str) -> tuple[int, str]:
    """algo-2 before algo-10."""
    number = host.rsplit("-", 1)[-1]
    return (int(number) if number.isdigit() else 0, host)
