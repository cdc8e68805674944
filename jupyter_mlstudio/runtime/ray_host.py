"""What runs on a Ray node for the ray runtime: a host's actor, and the disk probe.

:class:`HostActor` is the body of the detached actor ``<job>/<host>``: it runs the host
with the process runtime on its node (the training contract, logs, exit codes, stop with a
grace period, limits) and answers the runner's calls; with ``staging`` its files travel
through the artifact root (:class:`.ray_staging.NodeFiles`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .base import ContainerSpec, HostSample, JobHandle, JobState

if TYPE_CHECKING:  # imported when used: a host's worker starts without boto3
    from .ray_staging import NodeFiles, S3Access

#: labels of a host's handle: the Ray node it runs on (id, and address)
LABEL_NODE = "mlstudio.ray.node"
LABEL_NODE_ADDRESS = "mlstudio.ray.node_address"
#: labels of a host whose files travel through the artifact root: where, and its folder on
#: the studio's disk
LABEL_STAGING = "mlstudio.ray.staging"
LABEL_ML_DIR = "mlstudio.ray.ml_dir"


def reads_token(path: str, token: str) -> bool:
    """Whether this node reads ``token`` in ``path`` (a task pinned to each node)."""
    try:
        return Path(path).read_text() == token
    except OSError:
        return False


class HostActor:
    """Runs one host on its node with the process runtime (the body of a Ray actor);
    ``staging`` (access, prefix, node folder) when its files travel through the artifact
    root."""

    def __init__(self, state_root: str, staging: tuple[S3Access, str, str] | None = None) -> None:
        from .process import ProcessRunner

        self.files: NodeFiles | None = None
        if staging is not None:
            from .ray_staging import NodeFiles

            access, prefix, local = staging
            self.files = NodeFiles(access, prefix, Path(local) / "files")
            state_root = str(Path(local) / "runtime")
        self.runner = ProcessRunner(Path(state_root), warm_start=False)
        self.handle: JobHandle | None = None

    def node(self) -> dict[str, str]:
        import ray

        context = ray.get_runtime_context()
        return {"node_id": context.get_node_id(), "address": ray.util.get_node_ip_address()}

    def launch(self, spec: ContainerSpec) -> JobHandle:
        node = self.node()
        labels = {LABEL_NODE: node["node_id"], LABEL_NODE_ADDRESS: node["address"]}
        if self.files is not None:
            labels |= {LABEL_STAGING: self.files.prefix, LABEL_ML_DIR: str(spec.ml_dir)}
            spec = self.files.prepare(spec)
        handle = self.runner.launch(spec)
        if self.files is not None:
            self.files.start()
        self.handle = replace(handle, labels={**handle.labels, **labels})
        return self.handle

    def flush(self) -> int:
        """Send the host's last changes (its files travel through the artifact root)."""
        return self.files.flush() if self.files is not None else 0

    def labels(self) -> dict[str, str]:
        return dict(self.handle.labels) if self.handle else {}

    def started_at(self) -> float:
        return self.handle.started_at if self.handle else 0.0

    def pid(self) -> int:
        """The process group of the host (its supervisor's pid)."""
        return int(self.handle.ref) if self.handle else 0

    def poll(self) -> JobState:
        assert self.handle is not None
        return self.runner.poll(self.handle)

    def logs(self, since_offset: int) -> tuple[str, int]:
        assert self.handle is not None
        return self.runner.logs(self.handle, since_offset)

    def stop(self, grace_seconds: float) -> JobState:
        assert self.handle is not None
        return self.runner.stop(self.handle, grace_seconds)

    def sample(self) -> HostSample | None:
        assert self.handle is not None
        return self.runner.sample(self.handle)

    def address(self) -> tuple[str, int]:
        assert self.handle is not None
        return self.runner.address(self.handle)

    def cleanup(self) -> None:
        if self.handle is not None:
            self.runner.cleanup(self.handle)
        if self.files is not None:
            self.files.cleanup()
