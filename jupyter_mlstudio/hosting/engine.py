"""The router: live endpoints, their instances, and the path of every invocation.

:class:`HostingEngine` keeps one :class:`LiveEndpoint` per endpoint in service. Lifecycle
calls (``deploy``, ``update``, ``set_weights``, ``remove``) block while instances start or
stop; the hosting service runs them on worker threads, one at a time per endpoint.
``invoke`` is a coroutine and runs on whichever asyncio loop calls it (the Jupyter server's
loop, or the SDK's private loop in-process); it only reads immutable routing tables, so
lifecycle threads swap tables under it without locks on the request path.

A health thread checks every instance every :data:`HEALTH_INTERVAL_S` seconds (is the host
alive, does ``/ping`` answer); an instance that fails is taken out of routing and
restarted, and comes back when it answers again.

:meth:`HostingEngine.close` stops everything, also the instances still starting: a
lifecycle call in progress then raises at once (:meth:`VariantInstances.cancel`) and one
that starts later is refused, so no thread keeps waiting for a model server after close.
"""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..exceptions import (
    LimitExceededError,
    ModelError,
    ModelTimeoutError,
    NoHealthyInstanceError,
    NotFoundError,
    StudioError,
    ValidationError,
)
from ..runtime.base import JobHandle, read_text_from
from ..runtime.ray import LABEL_NODE, LABEL_NODE_ADDRESS
from .capture import DataCapture
from .figures import VariantFigures
from .instances import FAILED_LOGS, Instance, InstanceStatus, VariantInstances, VariantPlan
from .multi_model import MultiModels, check_target_model, prepare_plan
from .pipeline import invoke_chain
from .routing import RoutedVariant, RoutingTable, Target
from .serve import ServeVariant, answered_by_replica, serves
from .upstream import Upstream, UpstreamError

log = logging.getLogger(__name__)

HEALTH_INTERVAL_S = 2.0
#: consecutive failed /ping answers (of a live host) before it is restarted
UNHEALTHY_AFTER = 3
DEFAULT_MAX_PAYLOAD = 6 * 1024 * 1024
DRAIN_TIMEOUT_S = 60.0
#: variant and host names as the studio makes them (nothing that walks out of a folder)
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


@dataclass(frozen=True)
class Invocation:
    body: bytes
    content_type: str
    variant: str
    model_ms: float
    custom_attributes: str | None = None


@dataclass
class LiveVariant:
    name: str
    weight: float
    pool: VariantInstances
    figures: VariantFigures = field(default_factory=VariantFigures)


@dataclass
class LiveEndpoint:
    name: str
    config_name: str
    variants: dict[str, LiveVariant]
    capture: DataCapture | None = None
    table: RoutingTable = field(default_factory=lambda: RoutingTable(()))
    lock: threading.RLock = field(default_factory=threading.RLock)

    def rebuild(self) -> None:
        """Swap in a routing table of the healthy instances (atomic for readers)."""
        routed = []
        for variant in self.variants.values():
            targets = tuple(
                Target(i.host, i.url)
                for i in variant.pool.instances
                if i.status == InstanceStatus.HEALTHY and i.url
            )
            routed.append(RoutedVariant(variant.name, variant.weight, targets))
        self.table = RoutingTable(tuple(routed))


class HostingEngine:
    """Live endpoints of one studio. Thread-safe; ``invoke`` on any asyncio loop."""

    def __init__(
        self,
        root: Path,
        *,
        max_payload: int = DEFAULT_MAX_PAYLOAD,
        timeout_s: float = 60.0,
        health_interval_s: float = HEALTH_INTERVAL_S,
    ) -> None:
        self.root = root
        self.max_payload = max_payload
        self.timeout_s = timeout_s
        self.health_interval_s = health_interval_s
        self._endpoints: dict[str, LiveEndpoint] = {}
        #: variants starting (endpoint, variant) → their pool, for their logs
        self._starting: dict[tuple[str, str], VariantInstances] = {}
        self._generation = int(time.time()) % 1_000_000
        self._lock = threading.Lock()
        self._upstreams: dict[asyncio.AbstractEventLoop, Upstream] = {}
        self._stopped = threading.Event()
        self._wake = threading.Event()
        self._restarts = ThreadPoolExecutor(max_workers=4, thread_name_prefix="mlstudio-restart")
        self._restarting: set[tuple[str, str, str]] = set()
        #: the loaded models of multi-model variants (hosting/multi_model.py)
        self.models = MultiModels()
        self._health = threading.Thread(
            target=self._health_loop, name="mlstudio-health", daemon=True
        )
        self._health.start()

    # -- lifecycle (blocking) ---------------------------------------------------------------

    def _next_generation(self) -> int:
        with self._lock:
            self._generation += 1
            return self._generation

    def start_variant(self, plan: VariantPlan, runner: Any) -> VariantInstances:
        """Start a new generation of a variant and wait until every instance is ready."""
        plan = prepare_plan(plan)  # a multi-model variant starts with no model
        generation = self._next_generation()
        folder = self.root / plan.endpoint_name / f"{plan.variant_name}-g{generation}"
        # a single-model variant on the ray runtime runs as a Ray Serve application
        kind = ServeVariant if serves(plan, runner) else VariantInstances
        pool = kind(plan, runner, folder, generation)
        key = (plan.endpoint_name, plan.variant_name)
        with self._lock:  # its logs are readable while it starts (read_log); close stops it
            self._check_open()
            self._starting[key] = pool
        try:
            pool.start()
        finally:
            with self._lock:
                if self._starting.get(key) is pool:
                    del self._starting[key]
        return pool

    def _check_open(self) -> None:
        """StudioError once :meth:`close` has begun (call with ``_lock`` held)."""
        if self._stopped.is_set():
            raise StudioError("the studio is closing: no endpoint starts any more")

    def deploy(
        self,
        name: str,
        config_name: str,
        variants: Sequence[tuple[VariantPlan, Any, float]],
        capture: DataCapture | None = None,
    ) -> None:
        """Start every variant (plan, runner, weight) and put the endpoint in service.
        On failure, what started is stopped and the error is raised."""
        started: list[VariantInstances] = []
        try:
            for plan, runner, _ in variants:
                started.append(self.start_variant(plan, runner))
        except BaseException:
            for pool in started:
                pool.stop()
            if capture is not None:
                capture.close()
            raise
        live = LiveEndpoint(
            name,
            config_name,
            {
                pool.plan.variant_name: LiveVariant(pool.plan.variant_name, weight, pool)
                for pool, (_, _, weight) in zip(started, variants, strict=True)
            },
            capture=capture,
        )
        live.rebuild()
        try:
            with self._lock:  # close() stops what is in _endpoints, or refuses it here
                self._check_open()
                old, self._endpoints[name] = self._endpoints.get(name), live
        except StudioError:
            self._retire(live.variants.values(), capture)
            raise
        if old is not None:  # a rebuild replaced a leftover: retire it
            self._retire(old.variants.values(), old.capture)

    def update(
        self,
        name: str,
        config_name: str,
        variants: Sequence[tuple[VariantPlan, Any, float]],
        capture: DataCapture | None,
    ) -> None:
        """Blue/green: start the new variants beside the old ones, swap the routing table
        when all are ready, then drain and stop the old ones. On failure the old
        variants keep serving and the error is raised."""
        live = self.get(name)
        with live.lock:
            started: list[VariantInstances] = []
            try:
                for plan, runner, _ in variants:
                    started.append(self.start_variant(plan, runner))
            except BaseException:
                for pool in started:
                    pool.stop()
                if capture is not None:
                    capture.close()
                raise
            old_variants = list(live.variants.values())
            old_capture = live.capture
            old_figures = {v.name: v.figures for v in old_variants}
            live.variants = {
                pool.plan.variant_name: LiveVariant(
                    pool.plan.variant_name,
                    weight,
                    pool,
                    old_figures.get(pool.plan.variant_name) or VariantFigures(),
                )
                for pool, (_, _, weight) in zip(started, variants, strict=True)
            }
            live.config_name = config_name
            live.capture = capture
            live.rebuild()
        self._retire(old_variants, old_capture)

    def _retire(self, variants: Any, capture: DataCapture | None) -> None:
        """Wait for requests in flight on old instances (bounded), then stop them."""
        pools = [v.pool for v in variants]
        # the requests in flight run on the server's loop: waiting on it would only stall
        # them, so a caller on that loop stops the instances at once
        try:
            on_loop = asyncio.get_running_loop() in self._upstreams
        except RuntimeError:
            on_loop = False
        deadline = time.monotonic() + (0.0 if on_loop else DRAIN_TIMEOUT_S)
        while any(p.in_flight > 0 for p in pools) and time.monotonic() < deadline:
            time.sleep(0.02)
        for pool in pools:
            pool.stop()
        if capture is not None:
            capture.close()

    def set_weights(
        self, name: str, weights: Mapping[str, float], counts: Mapping[str, int]
    ) -> None:
        """Change variant weights and instance counts in place (new instances are ready
        before they receive traffic)."""
        live = self.get(name)
        with live.lock:
            for variant_name, count in counts.items():
                variant = live.variants[variant_name]
                variant.pool.resize(count)
                live.rebuild()
            for variant_name, weight in weights.items():
                live.variants[variant_name].weight = weight
            live.rebuild()

    def remove(self, name: str) -> None:
        """Stop the endpoint's instances and forget it (no error when unknown)."""
        with self._lock:
            live = self._endpoints.pop(name, None)
        if live is not None:
            live.table = RoutingTable(())
            with live.lock:
                self._retire(live.variants.values(), live.capture)
        shutil.rmtree(self.root / name, ignore_errors=True)  # also a failed one's logs

    def get(self, name: str) -> LiveEndpoint:
        live = self._endpoints.get(name)
        if live is None:
            raise NotFoundError(f"Endpoint {name!r} is not in service")
        return live

    def is_live(self, name: str) -> bool:
        return name in self._endpoints

    # -- describe -----------------------------------------------------------------------------

    def describe_variants(self, name: str) -> list[dict[str, Any]]:
        live = self._endpoints.get(name)
        if live is None:
            return []
        out = []
        for variant in live.variants.values():
            instances = list(variant.pool.instances)
            out.append(
                {
                    "VariantName": variant.name,
                    "ModelName": variant.pool.plan.model.model_name,
                    "CurrentWeight": variant.weight,
                    "DesiredWeight": variant.weight,
                    "CurrentInstanceCount": sum(
                        1 for i in instances if i.status == InstanceStatus.HEALTHY
                    ),
                    "DesiredInstanceCount": variant.pool.plan.instance_count,
                    "InstanceType": variant.pool.plan.instance_type,
                    "Runtime": variant.pool.plan.runtime,
                    "Instances": [_instance_info(i) for i in instances],
                    **variant.pool.plan.describe(),
                }
            )
        return out

    def figures(self, name: str, minutes: float = 15) -> list[dict[str, Any]]:
        live = self.get(name)
        return [
            {"VariantName": v.name, **v.figures.snapshot(minutes)} for v in live.variants.values()
        ]

    def read_log(
        self, name: str, variant: str | None, host: str, offset: int
    ) -> tuple[str, int, bool]:
        """An instance's log: of the variant in service, else of one still starting
        (creating or updating the endpoint)."""
        live = self._endpoints.get(name)
        pools = {v.name: v.pool for v in live.variants.values()} if live else {}
        with self._lock:
            starting = {v: pool for (e, v), pool in self._starting.items() if e == name}
        for variant_name, pool in starting.items():
            pools.setdefault(variant_name, pool)
        if not pools:
            raise NotFoundError(f"Endpoint {name!r} has no instances")
        if variant is None:
            variant = next(iter(pools))
        chosen = pools.get(variant)
        if chosen is None:
            raise ValidationError(
                f"no variant {variant!r} in endpoint {name!r}", field="VariantName"
            )
        try:
            return chosen.read_log(host, offset)
        except ValidationError:
            if chosen in starting.values():  # that host is not launched yet
                return "", offset, False
            raise

    def read_failed_log(
        self, name: str, variant: str | None, host: str, offset: int
    ) -> tuple[str, int] | None:
        """The kept log of an instance of the last variant of ``name`` that failed to
        start (:meth:`VariantInstances.keep_logs`; the first such variant when ``variant``
        is None); None when there is none."""
        folder = self.root / name / FAILED_LOGS
        if variant is None:
            kept = sorted(p.name for p in folder.glob("*") if p.is_dir())
            if not kept:
                return None
            variant = kept[0]
        if not _SAFE_NAME.match(variant) or not _SAFE_NAME.match(host):
            return None
        try:
            return read_text_from(folder / variant / f"{host}.log", offset)
        except OSError:
            return None

    def has_instances(self, name: str) -> bool:
        """In service, or instances starting."""
        with self._lock:
            return name in self._endpoints or any(e == name for e, _ in self._starting)

    # -- invocations ----------------------------------------------------------------------------

    def _upstream(self) -> Upstream:
        loop = asyncio.get_running_loop()
        upstream = self._upstreams.get(loop)
        if upstream is None or upstream.closed:
            upstream = self._upstreams[loop] = Upstream()
        return upstream

    async def invoke(
        self,
        name: str,
        body: bytes,
        *,
        content_type: str | None = None,
        accept: str | None = None,
        target_variant: str | None = None,
        custom_attributes: str | None = None,
        inference_id: str | None = None,
        received: float | None = None,
        target_model: str | None = None,
    ) -> Invocation:
        """Route one request. Raises NotFoundError (not in service), LimitExceededError
        (payload), ValidationError (unknown TargetVariant; TargetModel missing, unknown or
        out of place), NoHealthyInstanceError, ModelError (the model answered 4xx/5xx, or
        a TargetModel failed to load), ModelTimeoutError."""
        # overhead is measured from when the server got the request (``received``, a
        # perf_counter value) when the caller knows it, else from here
        started = received if received is not None else time.perf_counter()
        live = self._endpoints.get(name)
        if live is None:
            raise NotFoundError(f"Endpoint {name!r} is not in service")
        if len(body) > self.max_payload:
            raise LimitExceededError(
                f"the request body is {len(body)} bytes; the limit is {self.max_payload} bytes"
                f" ({self.max_payload / 1024 / 1024:g} MB)",
                field="Body",
            )
        table = live.table
        routed = table.choose(target_variant)
        variant = live.variants.get(routed.name)
        models = self.models.of(variant.pool) if variant is not None else None
        check_target_model(models is not None, target_model, name)
        headers = {"Content-Type": content_type or "application/octet-stream"}
        if accept:
            headers["Accept"] = accept
        if custom_attributes:
            headers["X-Amzn-SageMaker-Custom-Attributes"] = custom_attributes
        upstream = self._upstream()
        attempts = min(2, len(routed.targets)) or 1
        for attempt in range(attempts):
            target = routed.next_target()
            if models is not None:  # the instance that has the model, or will load it
                target = models.choose(routed.targets, target_model or "", attempt)
            pool = variant.pool if variant is not None else None
            if pool is not None:
                pool.in_flight += 1
            model_started = time.perf_counter()
            try:
                members = pool.members_of(target.host) if pool is not None else []
                if members:  # an inference pipeline: through its containers in order
                    answer = await invoke_chain(
                        upstream.post, members, body, headers, self.timeout_s
                    )
                elif models is None:
                    answer = await upstream.post(
                        target.url, "/invocations", body, headers, self.timeout_s
                    )
                    if pool is not None and pool.self_healing and not answered_by_replica(answer):
                        # Serve's proxy answered by itself: no replica wrote a byte of it
                        raise UpstreamError(f"Ray Serve answered {answer.status}, no replica did")
                else:
                    answer = await models.post(
                        upstream, target, target_model or "", body, headers, self.timeout_s
                    )
            except (ValidationError, ModelError) as exc:  # a TargetModel missing or not loading
                self._record(variant, getattr(exc, "original_status", 400), None, started)
                raise
            except asyncio.TimeoutError as exc:
                self._record(variant, 504, None, started)
                raise ModelTimeoutError(
                    f"the model of variant {routed.name!r} did not answer within"
                    f" {self.timeout_s:g} s"
                ) from exc
            except ValueError as exc:  # a header value that would split the request
                raise ValidationError(str(exc), field="headers") from exc
            except UpstreamError as exc:
                self._suspect(live, routed.name, target.host)
                if attempt + 1 < attempts:
                    continue
                self._record(variant, 503, None, started)
                raise NoHealthyInstanceError(
                    f"instance {target.host} of variant {routed.name!r} is not reachable ({exc})"
                ) from exc
            finally:
                if pool is not None:
                    pool.in_flight -= 1
            model_ms = (time.perf_counter() - model_started) * 1000
            status, payload = answer.status, answer.body
            answer_type = answer.headers.get("content-type", "application/octet-stream")
            answer_attributes = answer.headers.get("x-amzn-sagemaker-custom-attributes")
            self._record(variant, status, model_ms, started)
            if status >= 400:
                message = payload[:2000].decode("utf-8", errors="replace").strip()
                raise ModelError(
                    f"the model of variant {routed.name!r} answered {status}: {message}",
                    original_status=status,
                )
            if live.capture is not None:
                live.capture.offer(
                    routed.name, content_type, body, answer_type, payload, inference_id
                )
            return Invocation(payload, answer_type, routed.name, model_ms, answer_attributes)
        raise NoHealthyInstanceError(
            f"variant {routed.name!r} has no reachable instance"
        )  # pragma: no cover

    @staticmethod
    def _record(
        variant: LiveVariant | None, status: int, model_ms: float | None, started: float
    ) -> None:
        if variant is None:
            return
        total_ms = (time.perf_counter() - started) * 1000
        overhead = max(0.0, total_ms - (model_ms or 0.0))
        variant.figures.record(status, model_ms, overhead)

    def _suspect(self, live: LiveEndpoint, variant: str, host: str) -> None:
        """A request could not reach an instance: take it out of routing, check it now."""
        chosen = live.variants.get(variant)
        if chosen is None:
            return
        if chosen.pool.self_healing:  # one address for every replica: let it refresh
            self._wake.set()
            return
        for instance in chosen.pool.instances:
            if instance.host == host and instance.status == InstanceStatus.HEALTHY:
                instance.status = InstanceStatus.UNHEALTHY
                instance.failures = UNHEALTHY_AFTER
        live.rebuild()
        self._wake.set()

    # -- health ----------------------------------------------------------------------------------

    def _health_loop(self) -> None:
        while not self._stopped.is_set():
            self._wake.wait(self.health_interval_s)
            self._wake.clear()
            if self._stopped.is_set():
                return
            for live in list(self._endpoints.values()):
                try:
                    self._check_endpoint(live)
                except Exception:  # keep checking the others
                    log.exception("health check of endpoint %s failed", live.name)

    def _check_endpoint(self, live: LiveEndpoint) -> None:
        changed = False
        for variant in list(live.variants.values()):
            pool = variant.pool
            if pool.self_healing:  # the runtime replaces dead instances itself
                if pool.refresh():
                    changed = True
                continue
            for instance in list(pool.instances):
                key = (live.name, pool.job_name, instance.host)
                if key in self._restarting or instance.status == InstanceStatus.STOPPED:
                    continue
                if pool.check(instance):
                    if instance.status != InstanceStatus.HEALTHY:
                        instance.status = InstanceStatus.HEALTHY
                        changed = True
                    instance.failures = 0
                    continue
                instance.failures += 1
                alive = self._alive(pool, instance)
                if alive and instance.failures < UNHEALTHY_AFTER:
                    continue
                if instance.status == InstanceStatus.HEALTHY:
                    changed = True
                instance.status = InstanceStatus.UNHEALTHY
                instance.detail = "exited" if not alive else "does not answer /ping"
                if self._stopped.is_set():
                    return
                self._restarting.add(key)
                self._restarts.submit(self._restart, live, pool, instance, key)
        if changed:
            live.rebuild()

    @staticmethod
    def _alive(pool: VariantInstances, instance: Instance) -> bool:
        return pool.alive(instance)

    def _restart(
        self, live: LiveEndpoint, pool: VariantInstances, instance: Instance, key: Any
    ) -> None:
        try:
            log.warning(
                "endpoint %s: restarting %s of %s (%s)",
                live.name,
                instance.host,
                pool.plan.variant_name,
                instance.detail,
            )
            if pool.folder.exists() and live.variants.get(pool.plan.variant_name, None) is not None:
                pool.restart(instance)
                live.rebuild()
        except Exception as exc:
            instance.detail = f"restart failed: {exc}"
            log.warning("endpoint %s: %s", live.name, instance.detail)
        finally:
            self._restarting.discard(key)

    # -- shutdown ----------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop the health thread and every instance: those starting at once (the
        ``deploy`` or ``update`` that started them raises), those in service once their
        requests in flight are answered (bounded). Later lifecycle calls raise
        StudioError."""
        with self._lock:
            self._stopped.set()
            starting = list(self._starting.values())
            live = list(self._endpoints.values())
        self._wake.set()
        self._restarts.shutdown(wait=False, cancel_futures=True)
        for endpoint in live:  # a resize or restart of theirs stops waiting for new hosts
            for variant in list(endpoint.variants.values()):
                variant.pool.cancel()
        for pool in starting:
            pool.cancel()
            pool.stop()
        for name in list(self._endpoints):
            self.remove(name)
        try:
            current: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        for loop, upstream in list(self._upstreams.items()):
            if loop is current or loop.is_closed() or not loop.is_running():
                upstream.close()
            else:
                loop.call_soon_threadsafe(upstream.close)
        self._upstreams.clear()


def _instance_info(instance: Instance) -> dict[str, Any]:
    info: dict[str, Any] = {
        "Host": instance.host,
        "Status": instance.status,
        "Restarts": instance.restarts,
        "StartedAt": instance.started_at,
    }
    node = instance.node or _node_of(instance.handle)
    if node:  # on the ray runtime: the node it runs on
        info["Node"] = node
    if instance.detail and instance.status != InstanceStatus.HEALTHY:
        info["Detail"] = instance.detail
    if instance.members:  # a pipeline's containers, by the host names of their logs
        info["Containers"] = [
            {"ContainerHostname": m.plan.hostname, "Host": m.host} for m in instance.members
        ]
    return info


def _node_of(handle: JobHandle | None) -> dict[str, str] | None:
    """The Ray node of a host the ray runtime started (from its handle's labels)."""
    if handle is None or LABEL_NODE not in handle.labels:
        return None
    return {
        "NodeId": handle.labels[LABEL_NODE],
        "Address": handle.labels.get(LABEL_NODE_ADDRESS, ""),
    }
