"""Multi-model endpoints: the platform's part (SageMaker's, played by the studio).

A model whose container has ``Mode: MultiModel`` names a prefix (``ModelDataUrl`` ending in
``/``) of model archives. Its instances start with no model (:func:`prepare_plan`: the
model server runs with ``SAGEMAKER_MULTI_MODEL=true``, nothing is unpacked at start) and
an invocation names one archive by ``TargetModel``. The router then:

1. picks the instance: one that has the model loaded, else one by a hash of the name (so
   the same model goes to the same instance, as SageMaker routes);
2. loads the model there if needed: ``<prefix><TargetModel>`` is fetched from the artifact
   store and unpacked into that instance's model cache,
   ``<model dir>/.multi-model/<host>/<name>`` (the model folder is mounted at
   ``/opt/ml/model`` in a container, linked for the process runtime), then the model server
   is asked to load it (``POST /models``);
3. sends the request to ``POST /models/<name>/invoke``.

Loads on one instance run one at a time; concurrent first invocations of a model load it
once. Loaded models are evicted least-recently-used (never one being invoked): before a
load when ``MLSTUDIO_MME_MAX_MODELS`` (the container's Environment; default
:data:`DEFAULT_MAX_MODELS`) are loaded, and when the model server answers 507 (its memory
is over ``MLSTUDIO_MME_MEMORY_FRACTION`` of the instance's). Eviction unloads the model
in the server and deletes its unpacked files. ``MultiModelConfig.ModelCacheSetting:
Disabled`` unloads a model after each invocation.

Errors: a ``TargetModel`` missing or not under the prefix is a ValidationError naming
``TargetModel`` (400; other models are unaffected); a model that fails to load is a
ModelError with the loader's message.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import shutil
import tarfile
import tempfile
import threading
import time
import urllib.error
import urllib.request
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..artifacts import transfer
from ..entities import ContainerDefinition
from ..exceptions import ModelError, NotFoundError, StudioError, ValidationError
from ..runtime.contract import machine_memory_bytes, resource_limits
from .figures import ModelFigures
from .instances import VariantInstances, VariantPlan
from .routing import Target
from .upstream import Answer, Upstream

log = logging.getLogger(__name__)

MULTI_MODEL = "MultiModel"
#: what tells the model server to speak the multi-model API
MULTI_MODEL_ENV = "SAGEMAKER_MULTI_MODEL"
#: the most models loaded on one instance (the container's Environment may set it)
MAX_MODELS_ENV = "MLSTUDIO_MME_MAX_MODELS"
DEFAULT_MAX_MODELS = 32
#: the instance's memory, for the model server's memory cap
MEMORY_ENV = "MLSTUDIO_MME_MEMORY_BYTES"
#: where the platform finds the archives (ModelDataUrl), and whether it keeps them loaded
PREFIX_ENV = "MLSTUDIO_MME_MODEL_DATA_URL"
CACHE_SETTING_ENV = "MLSTUDIO_MME_MODEL_CACHE"
#: the models' folder, under the variant's model folder (``/opt/ml/model`` inside)
CACHE_FOLDER = ".multi-model"
LOAD_TIMEOUT_S = 300.0
TARGET_MODEL = "TargetModel"
TARGET_MODEL_MAX = 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def is_multi_model(container: ContainerDefinition) -> bool:
    """Whether a container serves many models (``Mode: MultiModel``).

    Args:
        container: A model's container.

    Returns:
        True for Mode MultiModel.
    """
    return container.mode == MULTI_MODEL


def prepare_plan(plan: VariantPlan) -> VariantPlan:
    """The plan the instances of a multi-model variant start with (``plan`` itself for a
    single-model one): no model data unpacked at start, the model server in multi-model
    mode, the caps and the prefix in the environment.

    Args:
        plan: The variant's plan, as :func:`.instances.plan_variant` made it.

    Returns:
        The plan to start.
    """
    container = plan.model.primary_container
    if not is_multi_model(container):
        return plan
    env = dict(plan.environment)
    env[MULTI_MODEL_ENV] = "true"
    env[PREFIX_ENV] = container.model_data_url or ""
    env.setdefault(MAX_MODELS_ENV, str(DEFAULT_MAX_MODELS))
    memory = resource_limits(plan.instance_type).memory_bytes or machine_memory_bytes()
    if memory:
        env.setdefault(MEMORY_ENV, str(memory))
    setting = (container.multi_model_config or {}).get("ModelCacheSetting") or "Enabled"
    env[CACHE_SETTING_ENV] = setting
    served = container.model_copy(update={"model_data_url": None})
    model = plan.model.model_copy(update={"primary_container": served})
    return replace(plan, model=model, environment=env)


def check_target_model(multi_model: bool, target_model: str | None, endpoint: str) -> None:
    """Refuse a TargetModel a variant cannot take.

    Args:
        multi_model: Whether the chosen variant is multi-model.
        target_model: The invocation's TargetModel.
        endpoint: The endpoint's name (for the message).

    Raises:
        ValidationError: ``TargetModel`` missing on a multi-model endpoint, given on a
            single-model one, or not a relative path under the prefix.
    """
    if not multi_model:
        if target_model:
            raise ValidationError(
                f"Endpoint {endpoint!r} hosts a single model: TargetModel is for multi-model"
                " endpoints",
                field=TARGET_MODEL,
            )
        return
    if not target_model:
        raise ValidationError(
            f"Endpoint {endpoint!r} is a multi-model endpoint: name the model with TargetModel"
            " (the X-Amzn-SageMaker-Target-Model header)",
            field=TARGET_MODEL,
        )
    parts = target_model.split("/")
    if (
        len(target_model) > TARGET_MODEL_MAX
        or target_model.startswith("/")
        or any(p in ("", ".", "..") for p in parts)
        or any(ord(c) < 32 for c in target_model)
    ):
        raise ValidationError(
            f"TargetModel {target_model[:100]!r} must be a relative path under the model data"
            f" prefix (at most {TARGET_MODEL_MAX} characters, no '.' or '..' parts)",
            field=TARGET_MODEL,
        )


def server_name(target_model: str) -> str:
    """The name a model has in the model server and in the cache folder: readable, safe in
    a URL path and a file name, distinct for distinct TargetModels.

    Args:
        target_model: The TargetModel.

    Returns:
        ``m-<readable part>-<hash>``.
    """
    readable = _UNSAFE.sub("-", target_model).strip("-.")[:80]
    digest = hashlib.sha1(target_model.encode()).hexdigest()[:10]
    return f"m-{readable}-{digest}" if readable else f"m-{digest}"


class ModelCache:
    """The LRU rules of one instance: the loaded models in order of use (least recent
    first) and how many invocations use each. Not thread-safe (callers hold a lock).

    Args:
        max_models: The most models loaded at once.
    """

    def __init__(self, max_models: int) -> None:
        self.max_models = max(1, max_models)
        self._order: OrderedDict[str, int] = OrderedDict()

    def __contains__(self, name: object) -> bool:
        return name in self._order

    def __len__(self) -> int:
        return len(self._order)

    def names(self) -> list[str]:
        """The loaded models, least recently used first."""
        return list(self._order)

    def use(self, name: str) -> bool:
        """Start an invocation of ``name`` if it is loaded (it becomes the most recent).

        Returns:
            Whether it is loaded.
        """
        if name not in self._order:
            return False
        self._order[name] += 1
        self._order.move_to_end(name)
        return True

    def release(self, name: str) -> None:
        """An invocation of ``name`` ended."""
        if name in self._order and self._order[name] > 0:
            self._order[name] -= 1

    def add(self, name: str) -> None:
        """``name`` was loaded for an invocation (in use once, most recent)."""
        self._order[name] = self._order.get(name, 0) + 1
        self._order.move_to_end(name)

    def remove(self, name: str) -> None:
        self._order.pop(name, None)

    def full(self) -> bool:
        """Whether loading one more needs an eviction first."""
        return len(self._order) >= self.max_models

    def victim(self) -> str | None:
        """The least recently used model no invocation uses; None when all are in use."""
        return next((name for name, using in self._order.items() if using == 0), None)


class InstanceModels:
    """The models of one instance (one model server): the cache, figures, a load lock."""

    def __init__(self, host: str, url: str, folder: Path, max_models: int) -> None:
        self.host = host
        self.url = url
        self.folder = folder  # <model dir>/.multi-model/<host>
        self.cache = ModelCache(max_models)
        self.cond = threading.Condition()
        self.load_lock = threading.Lock()
        self.figures: dict[str, ModelFigures] = {}

    def figures_of(self, target_model: str) -> ModelFigures:
        with self.cond:
            return self.figures.setdefault(target_model, ModelFigures())

    def try_use(self, target_model: str) -> bool:
        with self.cond:
            return self.cache.use(target_model)

    def release(self, target_model: str) -> None:
        with self.cond:
            self.cache.release(target_model)
            self.cond.notify_all()


class MultiModelVariant:
    """The platform side of one multi-model variant generation (its pool). Thread-safe;
    :meth:`post` runs on any event loop.

    Args:
        pool: The variant's instances.
    """

    def __init__(self, pool: VariantInstances) -> None:
        env = pool.plan.environment
        self.pool = pool
        self.prefix = env.get(PREFIX_ENV, "")
        self.max_models = int(env.get(MAX_MODELS_ENV) or DEFAULT_MAX_MODELS)
        self.keep_loaded = env.get(CACHE_SETTING_ENV, "Enabled") != "Disabled"
        self.timeout_s = max(LOAD_TIMEOUT_S, pool.plan.timeout_s)
        self._lock = threading.Lock()
        self._instances: dict[str, InstanceModels] = {}  # by url

    def instance(self, target: Target) -> InstanceModels:
        """The models of ``target``; a new url (a restarted instance) starts empty."""
        with self._lock:
            found = self._instances.get(target.url)
            if found is None:
                for url, other in list(self._instances.items()):
                    if other.host == target.host:  # its server is gone with its models
                        del self._instances[url]
                folder = self.pool.model_dir / CACHE_FOLDER / target.host
                shutil.rmtree(folder, ignore_errors=True)
                found = InstanceModels(target.host, target.url, folder, self.max_models)
                self._instances[target.url] = found
            return found

    def choose(self, targets: Sequence[Target], target_model: str, attempt: int) -> Target:
        """The instance for ``target_model``: one that has it loaded, else by its hash
        (the next one on a retry)."""
        if attempt == 0:
            with self._lock:
                for target in targets:
                    found = self._instances.get(target.url)
                    if found is not None and target_model in found.cache:
                        return target
        digest = int(hashlib.sha1(target_model.encode()).hexdigest()[:8], 16)
        return targets[(digest + attempt) % len(targets)]

    async def post(
        self,
        upstream: Upstream,
        target: Target,
        target_model: str,
        body: bytes,
        headers: dict[str, str],
        timeout: float,
    ) -> Answer:
        """Invoke ``target_model`` on ``target``, loading it there first if needed.

        Raises:
            ValidationError: No such TargetModel under the prefix.
            ModelError: The model could not be loaded (the loader's message).
            UpstreamError, asyncio.TimeoutError: As :meth:`Upstream.post`.
        """
        models = self.instance(target)
        name = server_name(target_model)
        for again in (False, True):
            if not models.try_use(target_model):
                await asyncio.to_thread(self._load, models, target_model)
            figures = models.figures_of(target_model)  # of models that exist only
            started = time.perf_counter()
            try:
                answer = await upstream.post(
                    target.url, f"/models/{name}/invoke", body, headers, timeout
                )
            except BaseException:
                figures.record(503, None)
                raise
            finally:
                models.release(target_model)
            if answer.status == 404 and b"is loaded" in answer.body and not again:
                self._forget(models, target_model)  # the server lost it: load it again
                continue
            figures.record(answer.status, (time.perf_counter() - started) * 1000)
            if not self.keep_loaded:
                await asyncio.to_thread(self._evict, models, target_model, False)
            return answer
        raise AssertionError("unreachable")  # pragma: no cover

    # -- loading and eviction (blocking; on worker threads) ----------------------------------

    def _load(self, models: InstanceModels, target_model: str) -> None:
        """Load ``target_model`` on the instance and mark it in use (once per model
        however many invocations wait for it)."""
        with models.load_lock:
            if models.try_use(target_model):  # loaded while this one waited
                return
            started = time.perf_counter()
            name = server_name(target_model)
            folder = models.folder / name
            self._unpack(target_model, folder)
            try:
                while True:
                    with models.cond:
                        full = models.cache.full()
                    if full:
                        self._evict(models, self._wait_victim(models), True)
                        continue
                    status, message = self._request(
                        models.url,
                        "POST",
                        "/models",
                        {"model_name": name, "url": f"{CACHE_FOLDER}/{models.host}/{name}"},
                    )
                    if status in (200, 409):
                        break
                    if status == 507:
                        with models.cond:
                            victim = models.cache.victim()
                        if victim is not None:
                            self._evict(models, victim, True)
                            continue
                    raise ModelError(
                        f"TargetModel {target_model!r} could not be loaded: {message}",
                        original_status=status,
                    )
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            with models.cond:
                models.cache.add(target_model)
            models.figures_of(target_model).record_load((time.perf_counter() - started) * 1000)

    def _wait_victim(self, models: InstanceModels) -> str:
        with models.cond:
            ready = models.cond.wait_for(lambda: models.cache.victim() is not None, self.timeout_s)
            victim = models.cache.victim()
        if not ready or victim is None:
            raise ModelError(
                f"instance {models.host} has {len(models.cache)} models loaded, all in use:"
                " none can be unloaded to make room",
                original_status=507,
            )
        return victim

    def _evict(self, models: InstanceModels, target_model: str, evicted: bool) -> None:
        """Unload a model in the server and delete its files."""
        name = server_name(target_model)
        status, message = self._request(models.url, "DELETE", f"/models/{name}", None)
        if status not in (200, 404):
            log.warning(
                "instance %s: unloading %s answered %s: %s", models.host, name, status, message
            )
        self._forget(models, target_model)
        if evicted:
            models.figures_of(target_model).record_eviction()

    def _forget(self, models: InstanceModels, target_model: str) -> None:
        with models.cond:
            models.cache.remove(target_model)
            models.cond.notify_all()
        shutil.rmtree(models.folder / server_name(target_model), ignore_errors=True)

    def _unpack(self, target_model: str, folder: Path) -> None:
        """``<prefix><target_model>`` into ``folder`` (a .tar.gz is unpacked)."""
        uri = self.prefix + target_model
        missing = ValidationError(
            f"TargetModel {target_model!r}: there is no {uri}", field=TARGET_MODEL
        )
        shutil.rmtree(folder, ignore_errors=True)
        folder.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="fetch-", dir=folder.parent) as tmp:
            scratch = Path(tmp) / "data"
            try:
                transfer.fetch(uri, scratch)
            except NotFoundError:
                raise missing from None
            except StudioError as exc:
                raise ModelError(f"TargetModel {target_model!r}: {exc.message}") from exc
            files = [p for p in scratch.rglob("*") if p.is_file()]
            if not files:
                raise missing
            folder.mkdir(parents=True)
            if len(files) == 1 and files[0].name.endswith((".tar.gz", ".tgz", ".tar")):
                try:
                    with tarfile.open(files[0]) as tar:
                        tar.extractall(folder, filter="data")
                except (tarfile.TarError, OSError) as exc:
                    shutil.rmtree(folder, ignore_errors=True)
                    raise ModelError(
                        f"TargetModel {target_model!r}: {uri} is not a readable tar archive: {exc}"
                    ) from exc
            else:
                shutil.copytree(scratch, folder, dirs_exist_ok=True)

    def _request(
        self, url: str, method: str, path: str, payload: dict[str, str] | None
    ) -> tuple[int, str]:
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(
            f"{url}{path}", data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as answer:
                return answer.status, _message(answer.read())
        except urllib.error.HTTPError as exc:
            return exc.code, _message(exc.read())
        except (urllib.error.URLError, OSError) as exc:
            return 503, f"the instance does not answer ({exc})"

    # -- figures ---------------------------------------------------------------------------

    def describe(self) -> list[dict[str, Any]]:
        """Per instance: its loaded models (least recently used first) and every model it
        has seen, with figures."""
        with self._lock:
            instances = sorted(self._instances.values(), key=lambda m: m.host)
        out = []
        for models in instances:
            with models.cond:
                loaded = models.cache.names()
                seen = dict(models.figures)
            out.append(
                {
                    "Host": models.host,
                    "LoadedModels": loaded,
                    "Models": [
                        {"TargetModel": target, "Loaded": target in loaded, **fig.snapshot()}
                        for target, fig in sorted(seen.items())
                    ],
                }
            )
        return out


def _message(body: bytes) -> str:
    text = body.decode("utf-8", errors="replace").strip()
    try:
        parsed = json.loads(text)
    except ValueError:
        return text[:2000]
    if isinstance(parsed, dict) and "status" in parsed:
        return str(parsed["status"])[:2000]
    return text[:2000]


class MultiModels:
    """The multi-model state of every pool of an engine, made on first use. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pools: weakref.WeakKeyDictionary[VariantInstances, MultiModelVariant] = (
            weakref.WeakKeyDictionary()
        )

    def of(self, pool: VariantInstances) -> MultiModelVariant | None:
        """The state of ``pool``; None for a single-model variant."""
        if pool.plan.environment.get(MULTI_MODEL_ENV) != "true":
            return None
        with self._lock:
            found = self._pools.get(pool)
            if found is None:
                found = self._pools[pool] = MultiModelVariant(pool)
            return found
