"""A variant on Ray Serve: one Serve application a generation, its instances as replicas.

When an endpoint's runtime is ``ray``, the engine starts a single-model variant as a
:class:`ServeVariant` in place of :class:`.instances.VariantInstances` (same interface):
the Serve application ``<namespace>-<endpoint>-<variant>-g<N>`` (route prefix the same)
of one deployment whose ``num_replicas`` is the instance count, each replica with the
Ray resources of the instance type (:func:`.runtime.ray.resources_for`) and running the
variant's model server (:mod:`.serve_replica`). Serve places replicas spread over the
nodes, replaces one that dies or fails its health check, and drains one it stops.
The studio's router stays in front (auth, weights, TargetVariant, data capture,
figures) and forwards to Serve's HTTP proxy, which runs on the head node only and
listens where ``MLSTUDIO_SERVE_HOST`` and ``MLSTUDIO_SERVE_PORT`` say (``127.0.0.1:8000``
by default; the first studio to start Serve on a cluster fixes them): a studio not on
the head machine needs the proxy on an address it can reach.

Pipelines and multi-model variants on the ray runtime stay
:class:`.instances.VariantInstances` (each host a Ray actor of the runner).

Blocking and thread-safe like :class:`.instances.VariantInstances`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..exceptions import StoreUnavailableError, StudioError, ValidationError
from ..runtime.base import JobRunner
from ..runtime.ray import namespace_of, resources_for
from .instances import Instance, InstanceStatus, VariantInstances, VariantPlan, unpack_model
from .multi_model import MULTI_MODEL_ENV
from .serve_replica import (
    RECORD_SUFFIX,
    REPLICA_HEADER,
    ModelServerReplica,
    handle_of,
    sweep,
)
from .upstream import Answer

log = logging.getLogger(__name__)

ENV_SERVE_PORT = "MLSTUDIO_SERVE_PORT"
ENV_SERVE_HOST = "MLSTUDIO_SERVE_HOST"
DEFAULT_SERVE_PORT = 8000
DEFAULT_SERVE_HOST = "127.0.0.1"
DEPLOYMENT = "model-server"
#: seconds between Serve's health checks of a replica (a ping of its model server)
HEALTH_CHECK_PERIOD_S = 2.0
#: requests a replica takes at once (its model server queues the rest)
MAX_ONGOING_REQUESTS = 32
#: tries of a replica's start before Serve reports the deployment as failed
CONSTRUCTOR_RETRIES = 2
#: seconds a resize waits for Serve to reach the new replica count
RESIZE_TIMEOUT_S = 180.0
#: seconds a sweep of dead replicas' servers may take on their nodes
SWEEP_TIMEOUT_S = 30.0

_connect_lock = threading.Lock()


def serves(plan: VariantPlan, runner: JobRunner) -> bool:
    """Whether a variant runs on Ray Serve: the ray runtime, one container, one model.

    Args:
        plan: The variant's plan (after :func:`.multi_model.prepare_plan`).
        runner: Its runtime's runner.

    Returns:
        True for a :class:`ServeVariant`.
    """
    return (
        runner.name == "ray"
        and not plan.containers
        and plan.environment.get(MULTI_MODEL_ENV) != "true"
    )


def answered_by_replica(answer: Answer) -> bool:
    """Whether an answer of Serve's proxy came from a replica (else the proxy answered by
    itself: no replica took the request, or the one that did died before answering).

    Args:
        answer: The proxy's answer.

    Returns:
        True when a replica wrote it.
    """
    return REPLICA_HEADER in answer.headers


def connect(runner: Any) -> Any:
    """Ray, this process connected to the runner's cluster in its namespace (once).

    Args:
        runner: The :class:`.runtime.ray.RayRunner`.

    Returns:
        The ``ray`` module.

    Raises:
        StoreUnavailableError: No cluster answers.
    """
    import ray

    with _connect_lock:
        if not ray.is_initialized():
            try:
                ray.init(
                    address=runner.address_of_cluster,
                    namespace=runner.namespace,
                    log_to_driver=False,
                    configure_logging=False,
                )
            except Exception as exc:  # ConnectionError, TimeoutError, ...
                raise StoreUnavailableError(
                    f"cannot reach the Ray cluster at {runner.address_of_cluster}: {exc}"
                ) from None
    return ray


def proxy_origin() -> tuple[str, int]:
    """Where Serve's HTTP proxy listens: ``MLSTUDIO_SERVE_HOST`` and ``MLSTUDIO_SERVE_PORT``.

    Returns:
        ``(host, port)``.

    Raises:
        ValidationError: The port is not a number.
    """
    text = os.environ.get(ENV_SERVE_PORT) or str(DEFAULT_SERVE_PORT)
    if not text.isdigit():
        raise ValidationError(f"{ENV_SERVE_PORT} is not a port: {text!r}", field=ENV_SERVE_PORT)
    return os.environ.get(ENV_SERVE_HOST) or DEFAULT_SERVE_HOST, int(text)


def start_serve() -> str:
    """Start Serve on the connected cluster (its proxy on the head node only), once;
    where Serve already runs, its proxy's address is the one it was started with.

    Returns:
        The proxy's origin, ``http://host:port``.
    """
    from ray import serve

    host, port = proxy_origin()
    serve.start(proxy_location="HeadOnly", http_options={"host": host, "port": port})
    # Serve already running on the cluster keeps the address it was started with: ask
    # its controller where the proxy is (Ray has no public call for it)
    with contextlib.suppress(Exception):
        from ray.serve.context import _get_global_client

        client = _get_global_client()
        assert client is not None  # serve.start made one
        running = client.http_config
        if (running.host, running.port) != (host, port):
            log.warning(
                "Ray Serve already runs its proxy on %s:%s (not %s:%s): using it",
                running.host,
                running.port,
                host,
                port,
            )
        host, port = str(running.host), int(running.port)
    reach = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return f"http://{reach}:{port}"


def application_name(runner: Any, endpoint: str, variant: str, generation: int) -> str:
    """The Serve application of a generation of a variant (unique per studio home).

    Args:
        runner: The :class:`.runtime.ray.RayRunner` (its namespace names the home).
        endpoint: The endpoint's name.
        variant: The variant's name.
        generation: The generation.

    Returns:
        ``<namespace>-<endpoint>-<variant>-g<N>``.
    """
    namespace = getattr(runner, "namespace", None) or namespace_of(runner.state_root)
    return f"{namespace}-{endpoint}-{variant}-g{generation}"


def remove_leftovers(runner: Any, root: Path) -> list[str]:
    """Delete the Serve applications a previous studio of this home left running (a
    studio that did not close: Serve outlives it), when its endpoints folder ``root``
    shows it had variants on Serve.

    Args:
        runner: The :class:`.runtime.ray.RayRunner`.
        root: The engine's endpoints folder.

    Returns:
        The applications deleted.
    """
    if not any(root.glob("*/*/replicas")):
        return []
    connect(runner)
    from ray import serve

    prefix = f"{runner.namespace}-"
    try:
        names = [n for n in serve.status().applications if n.startswith(prefix)]
        for name in names:
            serve.delete(name)
    except Exception:  # Serve is not running (nothing left), or did not answer
        log.warning("could not remove the Serve applications left running", exc_info=True)
        return []
    return names


class ServeVariant(VariantInstances):
    """One generation of a variant as a Serve application (see the module docstring).

    ``instances`` are its replicas as their records show them (:meth:`refresh`); Serve
    replaces a dead one itself, so the engine's health loop only refreshes them.
    """

    #: the runtime replaces dead instances itself: the engine refreshes, never restarts
    self_healing = True

    def __init__(self, plan: VariantPlan, runner: Any, folder: Path, generation: int) -> None:
        super().__init__(plan, runner, folder, generation)
        self.app = application_name(runner, plan.endpoint_name, plan.variant_name, generation)
        self.records = folder / "replicas"
        self.state_root = folder / "runtime"
        self.url = ""
        #: replicas found dead (their servers stopped on their nodes)
        self.replaced = 0
        self._process_runner: Any = None

    # -- Serve ----------------------------------------------------------------------------
    def _deploy(self, count: int) -> None:
        """Run the application with ``count`` replicas (same version: a change of the
        count alone keeps the running replicas)."""
        from ray import serve

        template = self.spec(0, count)
        options = {
            "name": DEPLOYMENT,
            "num_replicas": count,
            "ray_actor_options": resources_for(template),
            "health_check_period_s": HEALTH_CHECK_PERIOD_S,
            "health_check_timeout_s": 10.0,
            "graceful_shutdown_wait_loop_s": 0.5,
            "graceful_shutdown_timeout_s": max(10.0, self.plan.timeout_s),
            "max_ongoing_requests": MAX_ONGOING_REQUESTS,
            # a replica that cannot start says why at once (Serve's default tries 20 times)
            "max_constructor_retry_count": CONSTRUCTOR_RETRIES,
        }
        make: Any = serve.deployment  # typed for its decorator use only
        deployment = make(ModelServerReplica).options(
            version=f"g{self.generation}", _internal=True, **options
        )
        app = deployment.bind(
            template,
            str(self.state_root),
            str(self.records),
            self.plan.ready_timeout_s,
            self.plan.timeout_s,
        )
        try:
            serve.run(app, name=self.app, route_prefix=f"/{self.app}")
        except Exception as exc:  # RuntimeError: the deployment failed (a replica's why)
            if isinstance(exc, StudioError):
                raise
            message = _failure(self.app) or str(exc).strip()
            raise StudioError(
                f"variant {self.plan.variant_name!r} did not start on Ray Serve: {message[-2000:]}"
            ) from None

    def start(self, count: int | None = None) -> None:
        """Unpack the model and run the Serve application; return once every replica
        answers /ping.

        Raises:
            ValidationError: A node of the cluster does not share the studio's disk.
            StudioError: A replica's model server exited or did not get ready (with its
                last log lines); the application is deleted again.
        """
        count = self.plan.instance_count if count is None else count
        self._check_cancelled()
        ray_runner: Any = self.runner
        connect(ray_runner)
        unseen = ray_runner.unshared_nodes()
        if unseen:
            raise ValidationError(
                f"variant {self.plan.variant_name!r} cannot run on Ray Serve: its replicas read"
                f" the model from the studio's disk, which the Ray node(s) {', '.join(unseen)}"
                " do not share (jobs' files travel through an s3:// artifact root; endpoints'"
                " do not yet)",
                field="runtime",
            )
        unpack_model(self.plan, self.model_dir)
        try:
            self.url = f"{start_serve()}/{self.app}"
            self._check_cancelled()
            self._deploy(count)
            self._check_cancelled()
        except BaseException:
            self.stop()
            raise
        self.refresh()
        shutil.rmtree(self.failed_logs, ignore_errors=True)

    def replicas(self) -> list[dict[str, Any]]:
        """The records of the replicas that started (alive or not), by host.

        Returns:
            Each replica's record (``host``, ``actor``, ``node_id``, ``address``,
            ``started_at``, ``url``, ``handle``).
        """
        found = []
        for path in sorted(self.records.glob(f"*{RECORD_SUFFIX}")):
            with contextlib.suppress(OSError, ValueError):
                found.append(json.loads(path.read_text()))
        return found

    def _live_actors(self) -> set[str]:
        ray = connect(self.runner)
        return {
            str(entry["name"])
            for entry in ray.util.list_named_actors(all_namespaces=True)
            if entry.get("namespace") == "serve"
        }

    def refresh(self) -> bool:
        """Read the replicas from their records; stop the servers of those whose actor is
        gone (on their nodes) and forget them.

        Returns:
            Whether the set of replicas in routing changed.
        """
        records = self.replicas()
        try:
            live = self._live_actors()
        except Exception:  # the cluster did not answer: keep what we know
            log.warning("could not list the replicas of %s", self.app, exc_info=True)
            return False
        alive = [r for r in records if r["actor"] in live]
        dead = [r for r in records if r["actor"] not in live]
        for record in dead:
            self._sweep(record, wait=False)
        instances = [
            Instance(
                host=str(r["host"]),
                url=self.url,
                status=InstanceStatus.HEALTHY,
                started_at=float(r["started_at"]),
                node={"NodeId": str(r["node_id"]), "Address": str(r["address"])},
            )
            for r in alive
        ]
        with self._lock:
            before = [i.host for i in self.instances]
            self.instances = instances
            self.replaced += len(dead)
        return before != [i.host for i in instances]

    def _sweep(self, record: dict[str, Any], *, wait: bool) -> None:
        """Stop a gone replica's model server on its node and forget its record."""
        ray = connect(self.runner)
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        host = str(record["host"])
        (self.records / f"{host}{RECORD_SUFFIX}").unlink(missing_ok=True)
        task = ray.remote(num_cpus=0)(sweep).options(
            scheduling_strategy=NodeAffinitySchedulingStrategy(str(record["node_id"]), soft=False)
        )
        done = task.remote(str(self.state_root), record)
        if wait:
            with contextlib.suppress(Exception):  # a dead node took the server with it
                ray.get(done, timeout=SWEEP_TIMEOUT_S)

    # -- the interface the engine uses ----------------------------------------------------
    def alive(self, instance: Instance) -> bool:
        """Whether the replica's actor still lives."""
        return any(r["host"] == instance.host for r in self.replicas()) and (
            instance.host in {i.host for i in self.instances}
        )

    def check(self, instance: Instance) -> bool:
        """Serve checks its replicas itself: whether the replica is still one."""
        return self.alive(instance)

    def restart(self, instance: Instance) -> Instance:
        """Serve replaces a dead replica itself: nothing to do."""
        return instance

    def resize(self, count: int) -> None:
        """Change the number of replicas live (Serve drains those it stops); return once
        ``count`` replicas are ready and the others are gone.

        Raises:
            StudioError: Serve did not reach ``count`` in :data:`RESIZE_TIMEOUT_S`.
        """
        self._check_cancelled()
        self._deploy(count)
        deadline = time.monotonic() + RESIZE_TIMEOUT_S
        while True:
            self.refresh()
            if len(self.instances) == count:
                break
            if time.monotonic() > deadline:
                raise StudioError(
                    f"variant {self.plan.variant_name!r} has {len(self.instances)} replicas"
                    f" on Ray Serve, not {count}, after {RESIZE_TIMEOUT_S:.0f} s"
                )
            self._cancelled.wait(0.1)
            self._check_cancelled()
        self.plan = replace(self.plan, instance_count=count)

    def stop(self) -> None:
        """Delete the Serve application (its replicas stop their servers), stop the
        servers of replicas that died, and remove the generation's folder."""
        with self._lock:
            self.instances = []
        try:
            connect(self.runner)
            from ray import serve

            serve.delete(self.app)
            for record in self.replicas():
                self._sweep(record, wait=True)
        except Exception:
            log.exception("could not delete Serve application %s", self.app)
        shutil.rmtree(self.folder, ignore_errors=True)

    def keep_logs(self) -> None:
        """A replica that fails says why in the error itself: nothing to keep."""

    def read_log(self, host: str, offset: int = 0) -> tuple[str, int, bool]:
        """A replica's model server log (``replica-<id>``)."""
        records = {str(r["host"]): r for r in self.replicas()}
        record = records.get(host)
        if record is None:
            hosts = ", ".join(records) or "none"
            raise ValidationError(f"no instance {host!r} (instances: {hosts})", field="Host")
        if self._process_runner is None:
            from ..runtime.process import ProcessRunner

            self._process_runner = ProcessRunner(self.state_root, warm_start=False)
        text, next_offset = self._process_runner.logs(handle_of(record), offset)
        return text, next_offset, False


def _failure(app: str) -> str:
    """What Serve says of a deployment of ``app`` that failed (a replica's exception)."""
    from ray import serve

    try:
        status = serve.status().applications.get(app)
    except Exception:  # the reason is a courtesy: the failure itself is raised anyway
        return ""
    if status is None:
        return ""
    found = [d.message for d in status.deployments.values() if d.message] or [status.message]
    # a replica's exception is a traceback: its last line says why
    lines = [line.strip() for line in "\n".join(found).splitlines() if line.strip()]
    return lines[-1] if lines else ""
