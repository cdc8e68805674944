"""The instances of one production variant: model servers started by a job runner.

A :class:`VariantInstances` is one *generation* of a variant: its model unpacked once
under ``<endpoints>/<EndpointName>/<VariantName>-g<N>/model`` (mounted at ``/opt/ml/model``
in every instance), and N hosts (``algo-1`` .. ``algo-N``) started with ``serve``. An
update builds a new generation beside the old one (blue/green) and removes the old one
when it is drained.

Blocking: every method may wait on the runtime or the network; the engine calls them from
its executor threads. Thread-safe. :meth:`VariantInstances.cancel` (a studio that closes)
ends every wait for a host at once, from any thread.
"""

from __future__ import annotations

import logging
import shutil
import tarfile
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..artifacts import transfer
from ..entities import Model
from ..exceptions import NotFoundError, StudioError, ValidationError
from ..runtime.base import (
    LABEL_MANAGED,
    ContainerSpec,
    JobHandle,
    JobRunner,
    Mount,
    host_name,
)
from ..runtime.contract import resource_limits
from ..runtime.image_uris import resolve_image
from ..runtime.images import DEFAULT_TAG

log = logging.getLogger(__name__)

SERVING_PORT = 8080
LABEL_ENDPOINT = "mlstudio.endpoint"
LABEL_VARIANT = "mlstudio.variant"
LABEL_KIND = "mlstudio.kind"
KIND = "Endpoint"
#: how long a new instance may take to answer /ping
READY_TIMEOUT_S = 180.0
#: ``<endpoints>/<EndpointName>/FAILED_LOGS/<VariantName>/<host>.log``: the logs of the
#: instances of the last variant that failed to start (read while nothing serves)
FAILED_LOGS = "failed-logs"


#: SAGEMAKER_SUBMIT_DIRECTORY naming the ``code/`` folder of the model archive itself: the
#: SageMaker SDKs write it when they repack inference code into ``model.tar.gz``
#: (ModelBuilder, ``Model(entry_point=...)``); the archive is unpacked there anyway
MODEL_CODE_DIR = "/opt/ml/model/code"


def in_model_archive(code: str | None) -> bool:
    """Whether a SAGEMAKER_SUBMIT_DIRECTORY names the model archive's own ``code/``.

    Args:
        code: The variable's value, if any.

    Returns:
        True for ``/opt/ml/model/code`` (with or without a trailing slash).
    """
    return code is not None and code.rstrip("/") == MODEL_CODE_DIR


class InstanceStatus:
    PENDING = "Pending"
    HEALTHY = "Healthy"
    UNHEALTHY = "Unhealthy"
    RESTARTING = "Restarting"
    STOPPED = "Stopped"


@dataclass
class Instance:
    host: str
    handle: JobHandle | None = None
    url: str | None = None
    status: str = InstanceStatus.PENDING
    restarts: int = 0
    started_at: float = field(default_factory=time.time)
    failures: int = 0  # consecutive failed health checks
    detail: str | None = None


@dataclass(frozen=True)
class VariantPlan:
    """What a generation of a variant runs: validated, ready to launch."""

    endpoint_name: str
    variant_name: str
    model: Model
    instance_count: int
    instance_type: str
    runtime: str
    image: str | None
    program: str | None
    code_source: str | None  # SAGEMAKER_SUBMIT_DIRECTORY as given (folder or .tar.gz)
    environment: Mapping[str, str]
    timeout_s: float = 60.0
    #: seconds an instance may take to answer /ping after it starts
    ready_timeout_s: float = 180.0


def plan_variant(
    endpoint_name: str,
    variant_name: str,
    model: Model,
    instance_count: int,
    instance_type: str,
    runtime: str,
    *,
    field_prefix: str = "ProductionVariants[0]",
    timeout_s: float = 60.0,
    ready_timeout_s: float | None = None,
) -> VariantPlan:
    """Check what can be checked before anything starts (instance type, image on the
    process runtime); ValidationError names the field."""
    try:
        resource_limits(instance_type)
    except ValidationError as exc:
        raise ValidationError(exc.message, field=f"{field_prefix}.InstanceType") from exc
    container = model.primary_container
    resolved = resolve_image(container.image, field=f"{field_prefix}.ModelName")
    image = resolved.image
    if runtime == "process" and not resolved.script_mode:
        raise ValidationError(
            f"model {model.model_name!r} uses image {image!r}, which the process runtime cannot"
            " run; use the docker runtime or a script-mode model",
            field=f"{field_prefix}.ModelName",
        )
    if runtime == "process":
        image = None
    elif image is None:
        image = DEFAULT_TAG
    note = resolved.note(runtime)
    if note:
        log.info("%s %s, model %s: %s", endpoint_name, variant_name, model.model_name, note)
    env = dict(container.environment)
    program = env.pop("SAGEMAKER_PROGRAM", None)
    code = env.pop("SAGEMAKER_SUBMIT_DIRECTORY", None)
    if in_model_archive(code):
        code = None  # unpacked with the model: every instance's SAGEMAKER_SUBMIT_DIRECTORY
    if container.image is None and not program and not container.model_data_url:
        raise ValidationError(
            f"model {model.model_name!r} has neither an image, an entry point"
            " (SAGEMAKER_PROGRAM) nor model data",
            field=f"{field_prefix}.ModelName",
        )
    return VariantPlan(
        endpoint_name=endpoint_name,
        variant_name=variant_name,
        model=model,
        instance_count=instance_count,
        instance_type=instance_type,
        runtime=runtime,
        image=image,
        program=program,
        code_source=code,
        environment=env,
        timeout_s=timeout_s,
        ready_timeout_s=ready_timeout_s or READY_TIMEOUT_S,
    )


def unpack_model(plan: VariantPlan, model_dir: Path) -> None:
    """The model artifact and code of ``plan`` into ``model_dir`` (``code/`` inside)."""
    model_dir.mkdir(parents=True, exist_ok=True)
    url = plan.model.primary_container.model_data_url
    with tempfile.TemporaryDirectory(prefix="mlstudio-model-") as tmp:
        if url:
            _unpack_into(url, model_dir, Path(tmp) / "model", field="ModelDataUrl")
        if plan.code_source:
            code = model_dir / "code"
            source = plan.code_source
            if not transfer.is_s3(source) and transfer.local_path(source, field="code").is_dir():
                shutil.copytree(
                    transfer.local_path(source, field="code"),
                    code,
                    dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", ".git", ".ipynb_checkpoints"),
                )
            else:
                _unpack_into(source, code, Path(tmp) / "code", field="SAGEMAKER_SUBMIT_DIRECTORY")


def _unpack_into(uri: str, target: Path, scratch: Path, *, field: str) -> None:
    """Fetch ``uri`` (a ``.tar.gz``, or a folder) and unpack it into ``target``."""
    try:
        transfer.fetch(uri, scratch)
    except NotFoundError as exc:
        raise ValidationError(f"{field}: {uri} does not exist", field=field) from exc
    files = [p for p in scratch.rglob("*") if p.is_file()]
    archives = [p for p in files if p.name.endswith((".tar.gz", ".tgz", ".tar"))]
    target.mkdir(parents=True, exist_ok=True)
    if len(files) == 1 and archives:
        try:
            with tarfile.open(archives[0]) as tar:
                tar.extractall(target, filter="data")  # no absolute paths, links out, devices
        except (tarfile.TarError, OSError) as exc:
            raise ValidationError(
                f"{field}: {uri} is not a readable tar archive: {exc}", field=field
            ) from exc
        return
    shutil.copytree(scratch, target, dirs_exist_ok=True)


class VariantInstances:
    """One generation of a variant's instances."""

    def __init__(self, plan: VariantPlan, runner: JobRunner, folder: Path, generation: int) -> None:
        self.plan = plan
        self.runner = runner
        self.folder = folder
        self.generation = generation
        self.job_name = f"ep-{plan.endpoint_name}-{plan.variant_name}-g{generation}"
        self._lock = threading.RLock()
        self.instances: list[Instance] = []
        self.in_flight = 0  # requests being answered (the engine counts, on its loop)
        #: set by :meth:`cancel`: no host is launched or waited for any more
        self._cancelled = threading.Event()

    @property
    def model_dir(self) -> Path:
        return self.folder / "model"

    def labels(self) -> dict[str, str]:
        return {
            LABEL_MANAGED: "true",
            LABEL_KIND: KIND,
            LABEL_ENDPOINT: self.plan.endpoint_name,
            LABEL_VARIANT: self.plan.variant_name,
        }

    def spec(self, index: int, count: int) -> ContainerSpec:
        host = host_name(index)
        ml_dir = self.folder / host / "ml"
        ml_dir.mkdir(parents=True, exist_ok=True)
        runner = self.runner
        env = dict(self.plan.environment)
        env["SM_MODEL_DIR"] = runner.ml_path(ml_dir, "model")
        env["SAGEMAKER_SUBMIT_DIRECTORY"] = runner.ml_path(ml_dir, "model/code")
        if self.plan.program:
            env["SAGEMAKER_PROGRAM"] = self.plan.program
        env.setdefault("SAGEMAKER_MODEL_SERVER_TIMEOUT", str(int(self.plan.timeout_s)))
        env["SM_CURRENT_HOST"] = host
        limits = resource_limits(self.plan.instance_type)
        return ContainerSpec(
            job_name=self.job_name,
            ml_dir=ml_dir,
            command=("serve",),
            image=self.plan.image,
            env=env,
            mounts=(Mount(self.model_dir, "/opt/ml/model", read_only=True),),
            cpus=limits.cpus,
            memory_bytes=limits.memory_bytes,
            host=host,
            instance_index=index,
            instance_count=count,
            labels=self.labels(),
            expose=SERVING_PORT,
        )

    # -- lifecycle ----------------------------------------------------------------------

    def start(self, count: int | None = None) -> None:
        """Unpack the model, start the hosts and wait until each answers /ping.

        Raises StudioError with the instance's last log lines when one exits or does not
        get ready in time (what was started is stopped again)."""
        count = self.plan.instance_count if count is None else count
        unpack_model(self.plan, self.model_dir)
        try:
            for index in range(count):
                self._launch(index, count)
            for instance in list(self.instances):
                self._wait_ready(instance)
        except BaseException:
            if not self.cancelled:  # a cancelled start is no failure: nothing to show
                self.keep_logs()
            self.stop()
            raise
        shutil.rmtree(self.failed_logs, ignore_errors=True)  # an earlier failure is over

    @property
    def failed_logs(self) -> Path:
        """Where :meth:`keep_logs` keeps this variant's logs."""
        return self.folder.parent / FAILED_LOGS / self.plan.variant_name

    def keep_logs(self) -> None:
        """Copy every instance's log to :attr:`failed_logs` (replacing what an earlier
        failure of the variant left), so they outlive the instances."""
        target = self.failed_logs
        shutil.rmtree(target, ignore_errors=True)
        with self._lock:
            instances = list(self.instances)
        for instance in instances:
            if instance.handle is None:
                continue
            try:
                text, _ = self.runner.logs(instance.handle)
                target.mkdir(parents=True, exist_ok=True)
                (target / f"{instance.host}.log").write_text(text, encoding="utf-8")
            except (StudioError, OSError):
                log.warning("could not keep the log of %s %s", self.job_name, instance.host)

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._cancelled.is_set()

    def cancel(self) -> None:
        """Launch no more hosts and stop waiting for any: a :meth:`start`, :meth:`resize`
        or :meth:`restart` in progress in another thread raises StudioError at once (a
        start stops what it launched). Hosts already running keep running until
        :meth:`stop`. For good: a cancelled generation never starts hosts again."""
        with self._lock:  # after this, every host launched is in instances or stopped
            self._cancelled.set()

    def _check_cancelled(self) -> None:
        if self._cancelled.is_set():
            raise StudioError(
                f"the instances of variant {self.plan.variant_name!r} were stopped while they"
                " started (the studio is closing)"
            )

    def _launch(self, index: int, count: int) -> Instance:
        self._check_cancelled()
        spec = self.spec(index, count)
        handle = self.runner.launch(spec)
        instance = Instance(host=spec.host, handle=handle)
        with self._lock:
            cancelled = self._cancelled.is_set()
            if not cancelled:  # stop() sees it from now on
                self.instances = [i for i in self.instances if i.host != spec.host] + [instance]
                self.instances.sort(key=lambda i: int(i.host.rsplit("-", 1)[-1]))
        if cancelled:  # cancelled while it launched: stop() may have missed it
            self._stop_instance(instance)
            self._check_cancelled()
        host, port = self.runner.address(handle)
        instance.url = f"http://{host}:{port}"
        return instance

    def _wait_ready(self, instance: Instance) -> None:
        timeout = self.plan.ready_timeout_s
        deadline = time.monotonic() + timeout
        delay = 0.02
        assert instance.handle is not None
        while True:
            self._check_cancelled()
            if ping(instance.url):
                instance.status = InstanceStatus.HEALTHY
                instance.failures = 0
                return
            state = self.runner.poll(instance.handle)
            if not state.running:
                raise StudioError(
                    f"instance {instance.host} of variant {self.plan.variant_name!r} exited"
                    f" with code {state.exit_code}: {self.log_tail(instance)}"
                )
            if time.monotonic() > deadline:
                raise StudioError(
                    f"instance {instance.host} of variant {self.plan.variant_name!r} did not"
                    f" answer /ping within {timeout:.0f} s: {self.log_tail(instance)}"
                )
            self._cancelled.wait(delay)  # cancel() wakes it
            delay = min(delay * 1.5, 0.5)

    def log_tail(self, instance: Instance, lines: int = 8) -> str:
        if instance.handle is None:
            return ""
        try:
            text, _ = self.runner.logs(instance.handle)
        except NotFoundError:
            return "(no log)"
        tail = [line for line in text.strip().splitlines() if line.strip()][-lines:]
        return " | ".join(tail)[-1500:] or "(empty log)"

    def check(self, instance: Instance) -> bool:
        """One health check: the host still runs and answers /ping."""
        if instance.handle is None:
            return False
        try:
            running = self.runner.poll(instance.handle).running
        except NotFoundError:
            running = False
        return running and ping(instance.url, timeout=2.0)

    def restart(self, instance: Instance) -> Instance:
        """Replace a dead host by a new one with the same name; returns it when ready."""
        if instance.handle is not None:
            try:
                self.runner.cleanup(instance.handle)
            except StudioError:
                log.warning("could not clean up %s %s", self.job_name, instance.host)
        index = int(instance.host.rsplit("-", 1)[-1]) - 1
        fresh = self._launch(index, max(self.plan.instance_count, index + 1))
        fresh.restarts = instance.restarts + 1
        fresh.status = InstanceStatus.RESTARTING
        self._wait_ready(fresh)
        return fresh

    def resize(self, count: int) -> None:
        """Start or stop hosts so that ``count`` run (new ones are ready on return)."""
        with self._lock:
            current = len(self.instances)
        for index in range(current, count):
            self._wait_ready(self._launch(index, count))
        with self._lock:
            surplus = self.instances[count:]
            self.instances = self.instances[:count]
        for instance in surplus:
            self._stop_instance(instance)
        self.plan = replace(self.plan, instance_count=count)

    def _stop_instance(self, instance: Instance) -> None:
        instance.status = InstanceStatus.STOPPED
        if instance.handle is None:
            return
        try:
            self.runner.stop(instance.handle, grace_seconds=5.0)
            self.runner.cleanup(instance.handle)
        except NotFoundError:
            pass

    def stop(self) -> None:
        """Stop every host and remove the generation's folder."""
        with self._lock:
            instances, self.instances = list(self.instances), []
        for instance in instances:
            try:
                self._stop_instance(instance)
            except StudioError:
                log.exception("could not stop %s %s", self.job_name, instance.host)
        shutil.rmtree(self.folder, ignore_errors=True)

    def read_log(self, host: str, offset: int = 0) -> tuple[str, int, bool]:
        with self._lock:
            instance = next((i for i in self.instances if i.host == host), None)
        if instance is None or instance.handle is None:
            hosts = ", ".join(i.host for i in self.instances) or "none"
            raise ValidationError(f"no instance {host!r} (instances: {hosts})", field="Host")
        text, next_offset = self.runner.logs(instance.handle, offset)
        return text, next_offset, instance.status == InstanceStatus.STOPPED


def ping(url: str | None, timeout: float = 1.0) -> bool:
    if not url:
        return False
    try:
        with urllib.request.urlopen(f"{url}/ping", timeout=timeout) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False
