"""The Ray runtime: each host of a job is a detached, named Ray actor on a node of a cluster.

The studio connects to a cluster by address (``ray://host:10001`` through Ray Client, or a
GCS address ``host:6379``; ``MLSTUDIO_RAY_ADDRESS``) as a driver in its own namespace,
``mlstudio-<hash of the state root>``, so two studio homes on one cluster never see each
other's hosts. A host is the actor ``<job>/<host>`` (Ray's dashboard and state API show
which node runs what) with the resources of its instance type (:func:`resources_for`:
``spec.cpus`` CPUs and ``spec.memory_bytes`` of memory, at least one CPU); the actor runs
the host as the process runtime does on its node (:class:`.process.ProcessRunner`: the
training contract, logs, exit codes, stop with a grace period, limits) and answers the
runner's calls. The hosts of a job of several instances are gang-scheduled: the first
launch reserves a placement group of one bundle a host (``SPREAD``: on different nodes
when they can be), named after the job, and every host takes its bundle, so all start
together or none does. Actors are detached and outlive the studio: a new runner finds
them by name (``reattach``), and ``cleanup`` kills the actor (and the job's placement
group with its last host).

A job whose resources no node of the cluster has is refused at launch
(``ValidationError``, field ``instance_type``); one that does not get its resources within
:data:`PLACE_TIMEOUT_S` (a busy cluster) fails the same way, naming what it waited for.
A node that dies takes its actors with it: ``poll`` answers an exit with a ``detail``
naming the node. The job's ``/opt/ml`` folder is the spec's ``ml_dir`` on the studio's
disk. Whether every node sees that disk is asked of each node once (a task pinned to it
reads a token the runner wrote; or told: ``shared_disk``); when one does not, the host's
files travel through the ``s3://`` artifact root (:mod:`.ray_staging`), and a runner
whose artifact root is not ``s3://`` refuses the job, naming the nodes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..config import ENV_RAY_ADDRESS
from ..exceptions import ConflictError, NotFoundError, StoreUnavailableError, ValidationError
from .base import (
    LABEL_HOST,
    LABEL_JOB,
    LABEL_MANAGED,
    ContainerSpec,
    HostSample,
    JobHandle,
    JobRunner,
    JobState,
    RunStatus,
)
from .contract import resource_limits
from .ray_host import (
    LABEL_ML_DIR,
    LABEL_NODE,
    LABEL_NODE_ADDRESS,
    LABEL_STAGING,
    HostActor,
    reads_token,
)
from .ray_staging import (
    SYNC_INTERVAL_S,
    S3Access,
    StudioCopy,
    node_folder,
    require_s3_root,
    staging_prefix,
    upload_inputs,
)

#: seconds a launch waits for the cluster to place a host (or a job's hosts)
PLACE_TIMEOUT_S = 60.0
#: the file (below the runner's state root) a node must read to share the studio's disk
DISK_PROBE = ".disk-probe"
#: seconds a call to a host's actor may take (the actor answers from memory or a file)
CALL_TIMEOUT_S = 30.0
#: calls to a host's actor that answers "unavailable" before it is taken for dead, and
#: the seconds between them
UNAVAILABLE_TRIES = 3
UNAVAILABLE_WAIT_S = 1.0
GIB = 1024**3

_connect_lock = threading.Lock()


def resources_for(spec: ContainerSpec) -> dict[str, float]:
    """The Ray resources of one host: its instance type's own vCPUs and memory
    (``ml.m5.xlarge`` → 4 CPUs, 16 GiB; :func:`.contract.resource_limits`, not capped to
    the studio's machine), else its limits; at least one CPU."""
    cpus, memory = spec.cpus, spec.memory_bytes
    if spec.instance_type:
        limits = resource_limits(spec.instance_type)
        cpus = limits.nominal_cpus or cpus
        memory = limits.nominal_memory_bytes or memory
    out = {"num_cpus": float(cpus or 1.0)}
    if memory:
        out["memory"] = float(memory)
    return out


def namespace_of(state_root: Path) -> str:
    """The Ray namespace of a studio home's runner."""
    digest = hashlib.sha1(str(Path(state_root).absolute()).encode()).hexdigest()[:12]
    return f"mlstudio-{digest}"


def actor_name(job_name: str, host: str) -> str:
    """A host's actor: ``<job>/<host>``."""
    return f"{job_name}/{host}"


def cluster_summary(address: str) -> str:
    """``2 nodes, 3/4 CPUs free, 18.2 GiB memory``: the cluster at ``address`` (connects
    this process as a driver when it is not one yet).

    Raises:
        ValidationError: Ray is not installed.
        StoreUnavailableError: No cluster answers.
    """
    ray = _init(address, None)
    nodes = [n for n in ray.nodes() if n.get("Alive")]
    total, free = ray.cluster_resources(), ray.available_resources()
    return (
        f"{len(nodes)} node{'s' if len(nodes) != 1 else ''},"
        f" {free.get('CPU', 0):g}/{total.get('CPU', 0):g} CPUs free,"
        f" {free.get('memory', 0) / GIB:.1f} GiB memory free"
    )


def _init(address: str, namespace: str | None) -> Any:
    """Ray, this process connected to the cluster at ``address`` (once per process)."""
    try:
        import ray
    except ImportError:
        raise ValidationError(
            "the ray runtime needs Ray: pip install 'jupyter_mlstudio[ray]'", field="runtime"
        ) from None
    with _connect_lock:
        if not ray.is_initialized():
            try:
                ray.init(
                    address=address,
                    namespace=namespace,
                    log_to_driver=False,
                    configure_logging=False,
                )
            except Exception as exc:  # ConnectionError, TimeoutError, ...
                raise StoreUnavailableError(
                    f"cannot reach the Ray cluster at {address}: {type(exc).__name__}: {exc}"
                ) from None
    return ray


class RayRunner(JobRunner):
    """Starts job hosts as Ray actors on the cluster at ``address`` (see the module
    docstring); ``state_root`` is where the hosts' process runtimes keep their state (a
    folder every node can write)."""

    name = "ray"

    def __init__(
        self,
        state_root: Path,
        address: str | None,
        *,
        artifact_root: str | None = None,
        shared_disk: bool | None = None,
    ) -> None:
        if not address:
            raise ValidationError(
                f"the ray runtime needs a cluster address ({ENV_RAY_ADDRESS} or"
                " c.StudioApp.ray_address)",
                field="ray_address",
            )
        self.state_root = Path(state_root).absolute()
        self.address_of_cluster = address
        self.namespace = namespace_of(self.state_root)
        self._ray: Any = None
        self._actor_class: Any = None
        self._lock = threading.RLock()
        self.artifact_root = artifact_root
        self.shared_disk = shared_disk
        #: node id -> whether it read the disk probe
        self._probed: dict[str, bool] = {}
        self._store: Any = None
        self._copies: dict[tuple[str, str], StudioCopy] = {}
        self._received_at: dict[tuple[str, str], float] = {}
        self._received_all: set[tuple[str, str]] = set()

    # -- the cluster ----------------------------------------------------------------------
    def _connect(self) -> Any:
        with self._lock:
            if self._ray is None:
                ray = _init(self.address_of_cluster, self.namespace)
                self._actor_class = ray.remote(HostActor)
                self._ray = ray
            return self._ray

    def _check_fits(self, resources: Mapping[str, float]) -> None:
        """Refuse a host that no living node could ever hold."""
        ray = self._connect()
        for node in ray.nodes():
            have = node.get("Resources") or {} if node.get("Alive") else {}
            if have.get("CPU", 0) >= resources["num_cpus"] and have.get(
                "memory", float("inf")
            ) >= resources.get("memory", 0):
                return
        cpus, memory = resources["num_cpus"], resources.get("memory", 0) / GIB
        raise ValidationError(
            f"no node of the Ray cluster has {cpus:g} CPUs and {memory:.1f} GiB of memory"
            " for one host of this instance type",
            field="instance_type",
        )

    def unshared_nodes(self) -> list[str]:
        """The living nodes (``id (address)``) that do not see the studio's disk: asked of
        each node once (``shared_disk`` None), or all of them (False), or none (True)."""
        if self.shared_disk is True:
            return []
        ray = self._connect()
        alive = {
            str(n["NodeID"]): str(n.get("NodeManagerAddress", "?"))
            for n in ray.nodes()
            if n.get("Alive")
        }
        if self.shared_disk is None:
            with self._lock:
                todo = [node for node in alive if node not in self._probed]
                if todo:
                    self._probe(ray, todo)
        # a node that has not answered the probe (just joined, or dying) is not judged
        unseen = [
            node for node in alive if self.shared_disk is False or self._probed.get(node) is False
        ]
        return [f"{node[:12]} ({alive[node]})" for node in unseen]

    def _probe(self, ray: Any, nodes: list[str]) -> None:
        """Ask each node whether it reads a token written below the state root now."""
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        probe = self.state_root / DISK_PROBE
        probe.parent.mkdir(parents=True, exist_ok=True)
        token = secrets.token_hex(16)
        probe.write_text(token)
        task = ray.remote(reads_token)
        asked = {
            node: task.options(
                num_cpus=0,
                scheduling_strategy=NodeAffinitySchedulingStrategy(node, soft=False),
            ).remote(str(probe), token)
            for node in nodes
        }
        for node, answer in asked.items():
            with contextlib.suppress(Exception):  # no answer: asked again at the next launch
                self._probed[node] = bool(ray.get(answer, timeout=CALL_TIMEOUT_S))

    def _studio_store(self) -> Any:
        """The artifact root, for the studio's side of moving files (opened once)."""
        with self._lock:
            if self._store is None:
                assert self.artifact_root is not None
                self._store = S3Access.of_this_process(self.artifact_root).open()
            return self._store

    def _staging(self, spec: ContainerSpec) -> tuple[S3Access, str, str] | None:
        """Where the host's files travel when some node does not share the studio's disk
        (uploaded now), else None.

        Raises:
            ValidationError: The artifact root is not ``s3://`` (``field="artifact_root"``).
        """
        unseen = self.unshared_nodes()
        if not unseen:
            return None
        root = require_s3_root(self.artifact_root, unseen)
        prefix = staging_prefix(self.namespace, spec.job_name, spec.host)
        upload_inputs(self._studio_store(), prefix, spec)
        local = node_folder(self.namespace, spec.job_name, spec.host)
        return S3Access.of_this_process(root), prefix, str(local)

    def _receive(self, handle: JobHandle, ended: bool) -> None:
        """Bring what a host whose files travel sent into the studio's folder: every
        :data:`SYNC_INTERVAL_S` while it runs, and all of it (after its last round) once
        it has ended."""
        prefix = handle.labels.get(LABEL_STAGING)
        if not prefix or not self.artifact_root:
            return
        key = (handle.job_name, handle.host)
        with self._lock:
            copy = self._copies.get(key)
            if copy is None:
                ml_dir = Path(handle.labels[LABEL_ML_DIR])
                copy = self._copies[key] = StudioCopy(self._studio_store(), prefix, ml_dir)
        if ended:
            if key in self._received_all:
                return
            with contextlib.suppress(_ActorGone, NotFoundError):
                self._call(handle, "flush")
            copy.receive()
            self._received_all.add(key)
        elif time.monotonic() - self._received_at.get(key, 0.0) >= SYNC_INTERVAL_S:
            self._received_at[key] = time.monotonic()
            with contextlib.suppress(StoreUnavailableError):
                copy.receive()

    def _forget_files(self, handle: JobHandle) -> None:
        """Remove a host's files in transit (it is being cleaned up)."""
        key = (handle.job_name, handle.host)
        with self._lock:
            self._copies.pop(key, None)
            self._received_at.pop(key, None)
            self._received_all.discard(key)
        prefix = handle.labels.get(LABEL_STAGING)
        if prefix and self.artifact_root:
            with contextlib.suppress(StoreUnavailableError):
                self._studio_store().delete_prefix(prefix)

    # -- JobRunner ------------------------------------------------------------------------
    def ml_path(self, spec_ml_dir: Path, relative: str = "") -> str:
        return str(spec_ml_dir / relative) if relative else str(spec_ml_dir)

    def _actor(self, job_name: str, host: str) -> Any:
        ray = self._connect()
        try:
            return ray.get_actor(actor_name(job_name, host), namespace=self.namespace)
        except ValueError:
            raise NotFoundError(
                f"no Ray host {job_name}/{host} (cleaned up or never started)"
            ) from None

    def _call(self, handle: JobHandle, method: str, *args: Any) -> Any:
        ray = self._connect()
        try:
            actor = self._actor(handle.job_name, handle.host)
        except NotFoundError:
            if self._marker(handle.job_name, handle.host).exists():
                raise _ActorGone("its actor no longer exists") from None
            raise
        for attempt in range(UNAVAILABLE_TRIES):
            try:
                return ray.get(getattr(actor, method).remote(*args), timeout=CALL_TIMEOUT_S)
            except ray.exceptions.ActorUnavailableError as exc:
                # a moment's unreachability (a network hiccup, a busy node) is not a death
                if attempt == UNAVAILABLE_TRIES - 1:
                    raise _ActorGone(str(exc)) from None
                time.sleep(UNAVAILABLE_WAIT_S)
            except ray.exceptions.RayActorError as exc:
                raise _ActorGone(str(exc)) from None
        raise AssertionError("unreachable")

    def launch(self, spec: ContainerSpec) -> JobHandle:
        if spec.image is not None:
            raise ValidationError(
                f"the ray runtime runs the studio's Python on the cluster's nodes and cannot"
                f" run image {spec.image!r}",
                field="image_uri",
            )
        ray = self._connect()
        resources = resources_for(spec)
        self._check_fits(resources)
        staging = self._staging(spec)
        name = actor_name(spec.job_name, spec.host)
        try:
            ray.get_actor(name, namespace=self.namespace)
        except ValueError:
            pass
        else:
            raise ConflictError(f"host {name} is already live", field="job_name")
        options: dict[str, Any] = {
            "name": name,
            "namespace": self.namespace,
            "lifetime": "detached",
            "max_restarts": 0,
            "max_concurrency": 4,  # a stop may wait out its grace while others poll
            **resources,
        }
        if spec.instance_count > 1:
            options["scheduling_strategy"] = self._bundle(spec, resources)
        actor = self._actor_class.options(**options).remote(str(self.state_root), staging)
        try:
            handle = ray.get(actor.launch.remote(spec), timeout=PLACE_TIMEOUT_S)
        except ray.exceptions.GetTimeoutError:
            ray.kill(actor, no_restart=True)
            raise ValidationError(
                f"the Ray cluster did not place host {name} ({resources_text(resources)})"
                f" within {PLACE_TIMEOUT_S:.0f} s",
                field="instance_type",
            ) from None
        except ray.exceptions.RayTaskError as exc:
            ray.kill(actor, no_restart=True)
            cause = exc.cause if hasattr(exc, "cause") else exc
            if isinstance(cause, (ValidationError, NotFoundError)):
                raise cause from None
            raise
        handle = replace(handle, runtime=self.name, ref=name)
        marker = self._marker(spec.job_name, spec.host)
        marker.parent.mkdir(parents=True, exist_ok=True)
        record = {"ref": name, "started_at": handle.started_at, "labels": dict(handle.labels)}
        marker.write_text(json.dumps(record))
        return handle

    def _bundle(self, spec: ContainerSpec, resources: Mapping[str, float]) -> Any:
        """The host's bundle of the job's placement group (made, and waited for, by the
        first host's launch)."""
        ray = self._connect()
        from ray.util.placement_group import get_placement_group, placement_group
        from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

        group_name = f"{spec.job_name}/hosts"
        try:
            group = get_placement_group(group_name)
        except ValueError:
            bundle = {"CPU": resources["num_cpus"]}
            if "memory" in resources:
                bundle["memory"] = resources["memory"]
            group = placement_group(
                [dict(bundle) for _ in range(spec.instance_count)],
                strategy="SPREAD",
                name=group_name,
                lifetime="detached",
            )
        try:
            ray.get(group.ready(), timeout=PLACE_TIMEOUT_S)
        except ray.exceptions.GetTimeoutError:
            raise ValidationError(
                f"the Ray cluster did not place the {spec.instance_count} hosts of"
                f" {spec.job_name} ({resources_text(resources)} each) within"
                f" {PLACE_TIMEOUT_S:.0f} s",
                field="instance_type",
            ) from None
        return PlacementGroupSchedulingStrategy(
            placement_group=group, placement_group_bundle_index=spec.instance_index
        )

    def poll(self, handle: JobHandle) -> JobState:
        try:
            state = self._call(handle, "poll")
        except _ActorGone as exc:
            state = JobState(RunStatus.EXITED, None, detail=_node_died(handle, exc))
        self._receive(handle, ended=not state.running)
        return state

    def logs(self, handle: JobHandle, since_offset: int = 0) -> tuple[str, int]:
        try:
            return self._call(handle, "logs", since_offset)
        except _ActorGone:
            return "", since_offset

    def stop(self, handle: JobHandle, grace_seconds: float = 10.0) -> JobState:
        try:
            state = self._call(handle, "stop", grace_seconds)
        except _ActorGone as exc:
            state = JobState(RunStatus.EXITED, None, detail=_node_died(handle, exc))
        self._receive(handle, ended=not state.running)
        return state

    def sample(self, handle: JobHandle) -> HostSample | None:
        try:
            return self._call(handle, "sample")
        except _ActorGone:
            return None

    def address(self, handle: JobHandle) -> tuple[str, int]:
        try:
            return self._call(handle, "address")
        except _ActorGone as exc:
            raise NotFoundError(_node_died(handle, exc)) from None

    def node_of(self, handle: JobHandle) -> dict[str, str]:
        """The node a host runs (or ran) on: its Ray ``node_id`` and ``address``."""
        return {
            "node_id": handle.labels.get(LABEL_NODE, ""),
            "address": handle.labels.get(LABEL_NODE_ADDRESS, ""),
        }

    def _names(self) -> list[str]:
        """The named actors of this runner's namespace (the driver's namespace is the first
        runner's of the process)."""
        ray = self._connect()
        return [
            str(entry["name"])
            for entry in ray.util.list_named_actors(all_namespaces=True)
            if entry.get("namespace") == self.namespace
        ]

    def _marker(self, job_name: str, host: str) -> Path:
        """The runner's record of a launched host (kept until ``cleanup``): a host whose
        actor is gone without a clean-up died with its node."""
        return self.state_root / job_name / f"{host}.ray.json"

    def find(self, labels: Mapping[str, str] | None = None) -> list[JobHandle]:
        wanted = dict(labels or {})
        found = []
        for marker in sorted(self.state_root.glob("*/*.ray.json")):
            try:
                record = json.loads(marker.read_text())
                own = {str(k): str(v) for k, v in dict(record["labels"]).items()}
                handle = JobHandle(
                    runtime=self.name,
                    job_name=own[LABEL_JOB],
                    host=own[LABEL_HOST],
                    ref=str(record["ref"]),
                    started_at=float(record["started_at"]),
                    labels=own,
                )
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if all(own.get(k) == v for k, v in wanted.items()):
                found.append(handle)
        return found

    def cleanup(self, handle: JobHandle) -> None:
        ray = self._connect()
        self._marker(handle.job_name, handle.host).unlink(missing_ok=True)
        self._forget_files(handle)
        try:
            actor = self._actor(handle.job_name, handle.host)
        except NotFoundError:
            self._release_group(handle.job_name)
            return
        with contextlib.suppress(ray.exceptions.RayActorError, ray.exceptions.GetTimeoutError):
            ray.get(actor.cleanup.remote(), timeout=CALL_TIMEOUT_S)
        ray.kill(actor, no_restart=True)
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:  # the name is released once the actor is dead
            try:
                ray.get_actor(actor_name(handle.job_name, handle.host), namespace=self.namespace)
            except ValueError:
                break
            time.sleep(0.02)
        self._release_group(handle.job_name)

    def _release_group(self, job_name: str) -> None:
        """Remove the job's placement group once none of its hosts is left."""
        self._connect()
        from ray.util.placement_group import get_placement_group, remove_placement_group

        prefix = f"{job_name}/"
        for _ in range(20):  # a killed actor's name is released shortly after
            left = [n for n in self._names() if n.startswith(prefix)]
            if not left:
                break
            time.sleep(0.05)
        else:
            return
        with contextlib.suppress(ValueError):
            remove_placement_group(get_placement_group(f"{job_name}/hosts"))

    def room_for(self, instance_type: str, instance_count: int = 1) -> int | None:
        """How many more jobs of ``instance_count`` hosts of ``instance_type`` the cluster
        could place now: each host takes its instance type's resources
        (:func:`resources_for`) from the free CPUs and memory of one living node, the
        jobs packed one host at a time (see :meth:`.base.JobRunner.room_for`).

        Args:
            instance_type: The hosts' ``ml.*`` instance type (or ``local``: one CPU).
            instance_count: The hosts of one job.

        Returns:
            The number of jobs that fit now (at most 1000).

        Raises:
            ValidationError: An unknown instance type, or Ray is not installed.
            StoreUnavailableError: The cluster does not answer.
        """
        self._connect()
        from ray._private.state import available_resources_per_node

        probe = ContainerSpec(job_name="room", ml_dir=self.state_root, instance_type=instance_type)
        need = resources_for(probe)
        cpus, memory = need["num_cpus"], need.get("memory", 0.0)
        free = [
            [float(have.get("CPU", 0.0)), float(have.get("memory", 0.0))]
            for have in available_resources_per_node().values()
        ]
        jobs = 0
        while jobs < 1000:
            for _ in range(max(1, instance_count)):
                node = next((n for n in free if n[0] >= cpus - 1e-6 and n[1] >= memory), None)
                if node is None:
                    return jobs
                node[0] -= cpus
                node[1] -= memory
            jobs += 1
        return jobs


def _node_died(handle: JobHandle, exc: Exception) -> str:
    node = handle.labels.get(LABEL_NODE, "?")
    where = handle.labels.get(LABEL_NODE_ADDRESS, "?")
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"the Ray node {node[:12]} ({where}) running {handle.host} is gone: {first[:300]}"


class _ActorGone(Exception):
    """The host's actor died with its node (or was killed)."""


def resources_text(resources: Mapping[str, float]) -> str:
    """``2 CPUs, 8.0 GiB``."""
    text = f"{resources['num_cpus']:g} CPUs"
    if "memory" in resources:
        text += f", {resources['memory'] / GIB:.1f} GiB"
    return text


__all__ = [
    "LABEL_MANAGED",
    "LABEL_NODE",
    "LABEL_NODE_ADDRESS",
    "RayRunner",
    "actor_name",
    "namespace_of",
    "resources_for",
]
