"""Hosting: models, endpoint configurations, endpoints and their invocations.

The records live in the metadata store; the live side (instances, routing, figures,
capture) in :class:`~jupyter_mlstudio.hosting.engine.HostingEngine`. Requests are checked
before anything is recorded or started (the field is named); creating, updating and
changing weights then run on a worker thread while the endpoint shows Creating/Updating,
like SageMaker; describe shows where it is. At most one such operation runs per endpoint.

A studio that closes stops every instance, also those still starting, and leaves the
records as they are: an endpoint Creating, Updating or SystemUpdating is no failure of
its own, and the next studio on the home rebuilds it (:meth:`HostingService.recover`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import logging
import os
import shutil
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from ...artifacts.base import ArtifactStore
from ...config import StudioConfig
from ...entities import (
    DesiredVariant,
    Endpoint,
    EndpointConfig,
    EndpointStatus,
    Page,
    validate_name,
)
from ...entities.common import ENDPOINT_NAME_MAX
from ...exceptions import ConflictError, NotFoundError, StudioError, ValidationError
from ...hosting.capture import CaptureSettings, DataCapture, read_records
from ...hosting.engine import DEFAULT_MAX_PAYLOAD, HostingEngine, Invocation
from ...hosting.instances import (
    FAILED_LOGS,
    KIND,
    LABEL_ENDPOINT,
    LABEL_KIND,
    VariantPlan,
    plan_variant,
)
from ...hosting.serve import remove_leftovers
from ...ownership import OwnerCheck, current_owner
from ...store.base import MetadataStore, SortOrder
from ..jobs.requests import parse_request
from .records import HostingRecords
from .requests import (
    CreateEndpointRequest,
    UpdateEndpointWeightsAndCapacitiesRequest,
    tags_of,
)
from .weights import plan_weight_change

log = logging.getLogger(__name__)

#: how long :meth:`HostingService.close` waits for the operations in flight to end (they
#: end at once: close stops the instances they wait for)
CLOSE_WAIT_S = 10.0


class HostingService(HostingRecords):
    """Models, endpoint configurations (:class:`.records.HostingRecords`) and
    endpoints. Thread-safe. ``invoke`` is a coroutine for the server's loop;
    ``invoke_sync`` is the same for threads."""

    def __init__(
        self,
        store: MetadataStore,
        artifacts: ArtifactStore,
        config: StudioConfig,
        *,
        runner: Callable[[str], Any],
        runtime_name: Callable[[], str],
        max_payload: int = DEFAULT_MAX_PAYLOAD,
        timeout_s: float = 60.0,
        owner_check: OwnerCheck | None = None,
    ) -> None:
        super().__init__(store, artifacts)
        self._owner_check = owner_check
        self._config = config
        self._runner = runner
        self._runtime_name = runtime_name
        self.engine = HostingEngine(
            config.home / "endpoints", max_payload=max_payload, timeout_s=timeout_s
        )
        self._ops = ThreadPoolExecutor(max_workers=4, thread_name_prefix="mlstudio-hosting")
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self._pending: dict[str, Future[None]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_lock = threading.Lock()
        #: set by close: an operation that ends now leaves the record for the next studio
        self._closing = threading.Event()

    def _require_owner(self) -> None:
        if self._owner_check is not None:
            self._owner_check.require("EndpointName")

    # -- endpoints ------------------------------------------------------------------------------

    def list_endpoints(
        self,
        *,
        status: EndpointStatus | None = None,
        name_contains: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[Endpoint]:
        return self._store.list_endpoints(
            status=status,
            name_contains=name_contains,
            sort_order=sort_order,
            max_results=max_results,
            next_token=next_token,
        )

    def get_endpoint(self, name: str) -> Endpoint:
        return self._store.get_endpoint(name)

    def create_endpoint(self, request: CreateEndpointRequest | Mapping[str, Any]) -> Endpoint:
        self._require_owner()
        req = parse_request(CreateEndpointRequest, request)
        name = validate_name(req.EndpointName, field="EndpointName", max_length=ENDPOINT_NAME_MAX)
        if self._exists(self._store.get_endpoint, name):
            raise ConflictError(f"Endpoint {name!r} exists already", field="EndpointName")
        try:
            config = self._store.get_endpoint_config(req.EndpointConfigName)
        except NotFoundError as exc:
            raise ValidationError(
                f"Could not find endpoint configuration {req.EndpointConfigName!r}",
                field="EndpointConfigName",
            ) from exc
        plans = self._plans(name, config, {})
        capture = self._capture_settings(config)
        endpoint = self._store.create_endpoint(
            name, config.endpoint_config_name, tags=tags_of(req.Tags)
        )
        self._submit(name, lambda: self._deploy(name, config, plans, capture))
        return endpoint

    def _plans(
        self, name: str, config: EndpointConfig, desired: Mapping[str, DesiredVariant]
    ) -> list[tuple[VariantPlan, Any, float]]:
        """Each variant's plan, runner and weight; ValidationError before anything starts."""
        runtime = self._runtime_name()
        runner = self._runner(runtime)
        out = []
        for i, variant in enumerate(config.production_variants):
            field = f"ProductionVariants[{i}]"
            try:
                model = self._store.get_model(variant.model_name)
            except NotFoundError as exc:
                raise ValidationError(
                    f"model {variant.model_name!r} of variant {variant.variant_name!r} does not"
                    " exist any more",
                    field=f"{field}.ModelName",
                ) from exc
            wish = desired.get(variant.variant_name) or DesiredVariant()
            plan = plan_variant(
                name,
                variant.variant_name,
                model,
                wish.desired_instance_count or variant.initial_instance_count,
                variant.instance_type,
                runtime,
                field_prefix=field,
                timeout_s=self.engine.timeout_s,
                ready_timeout_s=variant.container_startup_health_check_timeout_in_seconds,
            )
            check = getattr(runner, "check_image", None)
            if plan.image and check is not None:
                try:
                    check(plan.image)
                except ValidationError as exc:
                    raise ValidationError(exc.message, field=f"{field}.ModelName") from exc
            weight = variant.initial_variant_weight
            if wish.desired_weight is not None:
                weight = wish.desired_weight
            out.append((plan, runner, weight))
        return out

    def _capture_settings(self, config: EndpointConfig) -> CaptureSettings | None:
        return CaptureSettings.parse(config.data_capture_config, self._capture_root())

    def capture_settings(self, name: str) -> CaptureSettings | None:
        """An endpoint's data capture (None when it captures nothing); NotFoundError."""
        endpoint = self._store.get_endpoint(name)
        return self._capture_settings(
            self._store.get_endpoint_config(endpoint.endpoint_config_name)
        )

    def _open_capture(self, name: str, settings: CaptureSettings | None) -> DataCapture | None:
        return None if settings is None else DataCapture(name, settings)

    def _lock(self, name: str) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(name, threading.Lock())

    def _submit(self, name: str, operation: Callable[[], None]) -> None:
        def run() -> None:
            with self._lock(name):
                operation()

        try:
            self._pending[name] = self._ops.submit(run)
        except RuntimeError:  # closed meanwhile: the next studio finishes what the record says
            if not self._closing.is_set():
                raise
            log.info("endpoint %s: the studio is closing; the next studio finishes it", name)

    def _stopped_by_close(self, name: str, exc: Exception) -> bool:
        """Whether ``exc`` ended an operation because the studio closes: the record then
        stays as it is (Creating, Updating, SystemUpdating) for the next studio."""
        if not self._closing.is_set():
            return False
        log.info(
            "endpoint %s: stopped with the studio (%s); the next studio finishes it", name, exc
        )
        return True

    def wait(self, name: str, timeout: float | None = None) -> Endpoint:
        """Wait for the endpoint's running operation (tests and the in-process SDK)."""
        pending = self._pending.get(name)
        if pending is not None:
            pending.result(timeout)
        return self._store.get_endpoint(name)

    def _deploy(
        self,
        name: str,
        config: EndpointConfig,
        plans: list[tuple[VariantPlan, Any, float]],
        capture: CaptureSettings | None,
    ) -> None:
        try:
            self.engine.deploy(
                name, config.endpoint_config_name, plans, self._open_capture(name, capture)
            )
        except Exception as exc:
            if self._stopped_by_close(name, exc):
                return
            log.warning("endpoint %s failed to start: %s", name, exc)
            self._set_status(name, EndpointStatus.FAILED, failure_reason=_reason(exc))
            return
        if self._set_status(name, EndpointStatus.IN_SERVICE, failure_reason=None) is None:
            self.engine.remove(name)  # deleted while it was starting

    def _set_status(self, name: str, status: EndpointStatus, **changes: Any) -> Endpoint | None:
        try:
            return self._store.update_endpoint(name, status=status, **changes)
        except NotFoundError:
            return None

    def _require_in_service(self, name: str) -> Endpoint:
        endpoint = self._store.get_endpoint(name)
        if endpoint.endpoint_status is not EndpointStatus.IN_SERVICE:
            raise ConflictError(
                f"Endpoint {name!r} is {endpoint.endpoint_status.value}; it must be InService"
            )
        return endpoint

    def update_endpoint(self, name: str, endpoint_config_name: str) -> Endpoint:
        """UpdateEndpoint: blue/green to another config. On failure the endpoint keeps
        serving its old config (InService, with the FailureReason)."""
        self._require_owner()
        with self._lock(name):
            self._require_in_service(name)
            try:
                config = self._store.get_endpoint_config(endpoint_config_name)
            except NotFoundError as exc:
                raise ValidationError(
                    f"Could not find endpoint configuration {endpoint_config_name!r}",
                    field="EndpointConfigName",
                ) from exc
            plans = self._plans(name, config, {})
            capture = self._capture_settings(config)
            endpoint = self._store.update_endpoint(name, status=EndpointStatus.UPDATING)
        self._submit(name, lambda: self._update(name, config, plans, capture))
        return endpoint

    def _update(
        self,
        name: str,
        config: EndpointConfig,
        plans: list[tuple[VariantPlan, Any, float]],
        capture: CaptureSettings | None,
    ) -> None:
        try:
            if self.engine.is_live(name):
                self.engine.update(
                    name, config.endpoint_config_name, plans, self._open_capture(name, capture)
                )
            else:
                self.engine.deploy(
                    name, config.endpoint_config_name, plans, self._open_capture(name, capture)
                )
        except Exception as exc:
            if self._stopped_by_close(name, exc):
                return
            log.warning("endpoint %s: update failed: %s", name, exc)
            self._set_status(
                name, EndpointStatus.IN_SERVICE, failure_reason=f"Update failed: {_reason(exc)}"
            )
            return
        self._set_status(
            name,
            EndpointStatus.IN_SERVICE,
            endpoint_config_name=config.endpoint_config_name,
            failure_reason=None,
        )

    def update_endpoint_weights_and_capacities(
        self,
        name: str,
        request: UpdateEndpointWeightsAndCapacitiesRequest | Mapping[str, Any] | list[Any],
    ) -> Endpoint:
        self._require_owner()
        if isinstance(request, list):
            request = {"DesiredWeightsAndCapacities": request}
        req = parse_request(UpdateEndpointWeightsAndCapacitiesRequest, request)
        with self._lock(name):
            endpoint = self._require_in_service(name)
            config = self._store.get_endpoint_config(endpoint.endpoint_config_name)
            change = plan_weight_change(name, config, endpoint.desired_variants, req)
            updated = self._store.update_endpoint(name, status=EndpointStatus.UPDATING)
        self._submit(
            name, lambda: self._reweigh(name, change.weights, change.counts, change.desired)
        )
        return updated

    def _reweigh(
        self,
        name: str,
        weights: dict[str, float],
        counts: dict[str, int],
        desired: dict[str, DesiredVariant],
    ) -> None:
        try:
            self.engine.set_weights(name, weights, counts)
        except Exception as exc:
            if self._stopped_by_close(name, exc):
                return
            log.warning("endpoint %s: weights update failed: %s", name, exc)
            self._set_status(
                name, EndpointStatus.IN_SERVICE, failure_reason=f"Update failed: {_reason(exc)}"
            )
            return
        self._set_status(
            name, EndpointStatus.IN_SERVICE, desired_variants=desired, failure_reason=None
        )

    def delete_endpoint(self, name: str) -> None:
        """Stop the endpoint's instances and delete it (returns when it is gone)."""
        self._store.get_endpoint(name)  # NotFoundError
        self._set_status(name, EndpointStatus.DELETING)
        with self._lock(name):
            self.engine.remove(name)
            with contextlib.suppress(NotFoundError):
                self._store.delete_endpoint(name)
        self._pending.pop(name, None)

    def describe_endpoint(self, name: str) -> dict[str, Any]:
        """DescribeEndpoint: the record, its live variants (or the config's while none
        run) and its data capture settings."""
        endpoint = self._store.get_endpoint(name)
        out = endpoint.to_api()
        out.pop("DesiredVariants", None)
        variants = self.engine.describe_variants(name)
        try:
            config = self._store.get_endpoint_config(endpoint.endpoint_config_name)
        except NotFoundError:
            config = None
        if not variants and config is not None:
            variants = [
                {
                    "VariantName": v.variant_name,
                    "ModelName": v.model_name,
                    "CurrentWeight": v.initial_variant_weight,
                    "DesiredWeight": v.initial_variant_weight,
                    "CurrentInstanceCount": 0,
                    "DesiredInstanceCount": v.initial_instance_count,
                    "InstanceType": v.instance_type,
                    "Instances": [],
                }
                for v in config.production_variants
            ]
        out["ProductionVariants"] = variants
        if config is not None and config.data_capture_config:
            settings = self._capture_settings(config)
            capture = dict(config.data_capture_config)
            capture["CaptureStatus"] = "Started" if settings else "Stopped"
            if settings is not None:
                capture["DestinationS3Uri"] = settings.destination
            out["DataCaptureConfig"] = capture
        return out

    # -- invocations --------------------------------------------------------------------------

    async def invoke(self, name: str, body: bytes, **headers: Any) -> Invocation:
        """InvokeEndpoint: route one request (see :meth:`HostingEngine.invoke`). Raises
        ConflictError when the endpoint is not in service here."""
        try:
            return await self.engine.invoke(name, body, **headers)
        except NotFoundError:
            endpoint = self._store.get_endpoint(name)  # NotFoundError when there is none
            if endpoint.endpoint_status is EndpointStatus.IN_SERVICE:
                raise ConflictError(self._served_elsewhere(name)) from None
            raise ConflictError(
                f"Endpoint {name!r} is {endpoint.endpoint_status.value}; it cannot be invoked"
                " until it is InService"
            ) from None

    def _served_elsewhere(self, name: str) -> str:
        """Why an endpoint recorded InService is not served here: this studio is stopping,
        or it does not own the home (a second JupyterLab on it shows the records of the
        endpoints the owner serves)."""
        if self._closing.is_set():
            return f"Endpoint {name!r} is InService, but this studio is stopping"
        owner = current_owner(self._config.home)
        if owner is None or owner.pid == os.getpid():
            return f"Endpoint {name!r} is InService, but this studio runs no instance of it"
        return (
            f"Endpoint {name!r} is served by the studio that owns {self._config.home}"
            f" ({owner.url}), not by this one; invoke it there"
        )

    def invoke_sync(self, name: str, body: bytes, **headers: Any) -> Invocation:
        """``invoke`` from a thread: runs on this service's own event loop."""
        loop = self._private_loop()
        return asyncio.run_coroutine_threadsafe(self.invoke(name, body, **headers), loop).result()

    def _private_loop(self) -> asyncio.AbstractEventLoop:
        with self._loop_lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(
                    target=loop.run_forever, name="mlstudio-invoke", daemon=True
                ).start()
                self._loop = loop
            return self._loop

    def figures(self, name: str, minutes: float = 15) -> dict[str, Any]:
        self._store.get_endpoint(name)
        variants = self.engine.figures(name, minutes) if self.engine.is_live(name) else []
        return {"EndpointName": name, "Variants": variants}

    def endpoint_models(self, name: str) -> dict[str, Any]:
        """The models each variant serves: for a multi-model variant, per instance the
        models loaded now (least recently used first) and the figures of every model it
        has served (invocations, errors, latency, loads, load time, evictions).

        Args:
            name: The endpoint.

        Returns:
            ``EndpointName`` and ``Variants`` (none while nothing is in service here).

        Raises:
            NotFoundError: No such endpoint.
        """
        self._store.get_endpoint(name)
        variants: list[dict[str, Any]] = []
        live = self.engine.get(name) if self.engine.is_live(name) else None
        for variant in list(live.variants.values()) if live is not None else []:
            plan = variant.pool.plan
            models = self.engine.models.of(variant.pool)
            described: dict[str, Any] = {
                "VariantName": variant.name,
                "ModelName": plan.model.model_name,
                "Mode": "MultiModel" if models is not None else "SingleModel",
                "ModelDataUrl": models.prefix
                if models is not None
                else plan.model.primary_container.model_data_url,
                "Instances": models.describe() if models is not None else [],
            }
            if models is not None:
                described["MaxModels"] = models.max_models
                described["ModelCacheSetting"] = "Enabled" if models.keep_loaded else "Disabled"
            variants.append(described)
        return {"EndpointName": name, "Variants": variants}

    def captures(
        self, name: str, *, variant: str | None = None, max_results: int = 50
    ) -> dict[str, Any]:
        endpoint = self._store.get_endpoint(name)
        config = self._store.get_endpoint_config(endpoint.endpoint_config_name)
        settings = self._capture_settings(config)
        if settings is None:
            return {"Records": [], "Files": [], "CaptureStatus": "Stopped"}
        records, files = read_records(
            settings.destination, name, variant=variant, max_results=max_results
        )
        return {"Records": records, "Files": files, "CaptureStatus": "Started"}

    def read_logs(
        self, name: str, *, variant: str | None = None, host: str = "algo-1", offset: int = 0
    ) -> dict[str, Any]:
        self._store.get_endpoint(name)
        if self.engine.has_instances(name):
            text, next_offset, complete = self.engine.read_log(name, variant, host, offset)
        else:
            # nothing runs: a variant that failed to start may have left its instances' logs
            kept = self.engine.read_failed_log(name, variant, host, offset)
            text, next_offset = kept if kept is not None else ("", offset)
            complete = True
        return {"Text": text, "NextOffset": next_offset, "Complete": complete}

    # -- restart ----------------------------------------------------------------------------------

    def recover(self) -> list[str]:
        """At the start of the studio that owns the home: remove every endpoint instance
        the previous studio left, and rebuild every endpoint that was in service (or on
        its way) from its config. Returns the names being rebuilt."""
        token = None
        endpoints: list[Endpoint] = []
        while True:
            page = self._store.list_endpoints(max_results=100, next_token=token)
            endpoints.extend(page.items)
            token = page.next_token
            if not token:
                break
        self._remove_leftovers({e.endpoint_name for e in endpoints})
        rebuilt: list[str] = []
        for endpoint in endpoints:
            name = endpoint.endpoint_name
            if endpoint.endpoint_status is EndpointStatus.DELETING:
                self._store.delete_endpoint(name)
                self.engine.remove(name)  # its kept logs
                continue
            if endpoint.endpoint_status is EndpointStatus.FAILED:
                continue
            try:
                config = self._store.get_endpoint_config(endpoint.endpoint_config_name)
                plans = self._plans(name, config, endpoint.desired_variants)
                capture = self._capture_settings(config)
            except StudioError as exc:
                self._set_status(name, EndpointStatus.FAILED, failure_reason=_reason(exc))
                continue
            self._set_status(name, EndpointStatus.SYSTEM_UPDATING)
            self._submit(name, functools.partial(self._deploy, name, config, plans, capture))
            rebuilt.append(name)
        return rebuilt

    def _remove_leftovers(self, endpoints: set[str]) -> None:
        """Remove the hosts labelled as endpoint instances of this home on the runtime in
        use, whatever their endpoint (this studio has started none yet: those of
        endpoints in service are started again, those of endpoints that no longer exist
        or have none would run on unseen), and their folders. The logs of a variant that
        failed to start stay while its endpoint exists (a Failed endpoint keeps showing
        why until it is deleted)."""
        try:
            runner = self._runner(self._runtime_name())
            leftovers = runner.find({LABEL_KIND: KIND})
            if runner.name == "ray":  # variants on Ray Serve: their applications
                remove_leftovers(runner, self.engine.root)
        except StudioError as exc:
            log.warning("could not look for the endpoint instances left running: %s", exc)
            leftovers = []
        for handle in leftovers:
            try:
                runner.cleanup(handle)
            except StudioError as exc:
                log.warning(
                    "could not remove %s of endpoint %s (%s): %s",
                    handle.host,
                    handle.labels.get(LABEL_ENDPOINT),
                    handle.job_name,
                    exc,
                )
        for folder in self.engine.root.glob("*"):
            if folder.name not in endpoints:
                shutil.rmtree(folder, ignore_errors=True)
                continue
            for path in folder.glob("*"):
                if path.name != FAILED_LOGS:
                    shutil.rmtree(path, ignore_errors=True)

    def close(self) -> None:
        """Stop every instance, also those still starting, and return once the operations
        in flight have ended (bounded by :data:`CLOSE_WAIT_S`). The records stay: the
        next studio rebuilds the endpoints in service and finishes those on their way."""
        self._closing.set()
        self._ops.shutdown(wait=False, cancel_futures=True)
        self.engine.close()
        running = [f for f in self._pending.values() if not f.done()]
        _, late = concurrent.futures.wait(running, timeout=CLOSE_WAIT_S)
        if late:
            log.warning("%d endpoint operations were still running at close", len(late))
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)


def _reason(exc: BaseException) -> str:
    message = exc.message if isinstance(exc, StudioError) else str(exc) or type(exc).__name__
    return message[:1024]
