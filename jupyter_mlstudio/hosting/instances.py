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
from typing import Any

from ..artifacts import transfer
from ..entities import ContainerDefinition, Model
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
from .pipeline import ContainerPlan, Member, container_hostname, member_host, member_model_dir

log = logging.getLogger(__name__)

SERVING_PORT = 8080
LABEL_ENDPOINT = "mlstudio.endpoint"
LABEL_VARIANT = "mlstudio.variant"
LABEL_KIND = "mlstudio.kind"
KIND = "Endpoint"
#: how long a new instance may take to answer /ping
READY_TIMEOUT_S = 180.0
#: how long a host taken out of service by a resize gets before it is stopped: the
#: requests the router sent it by its previous table reach it (each is then answered)
DRAIN_S = 1.0
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
    #: an inference pipeline's containers (``handle`` and ``url`` are then the first's)
    members: list[Member] = field(default_factory=list)
    #: the Ray node it runs on, ``{"NodeId", "Address"}`` (a Serve replica's)
    node: dict[str, str] | None = None

    def parts(self) -> list[Instance | Member]:
        """What runs for this instance: its containers (a pipeline), else itself.

        Returns:
            Objects with ``host``, ``handle`` and ``url``.
        """
        return list(self.members) or [self]

    def named_parts(self) -> list[Instance | Member]:
        """Itself and its containers: every host name its logs are read by.

        Returns:
            ``[self, *members]``.
        """
        return [self, *self.members]


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
    #: an inference pipeline's containers, in order (the fields above are the first's)
    containers: tuple[ContainerPlan, ...] = ()

    def describe(self) -> dict[str, Any]:
        """What the endpoint's description adds for a pipeline: the containers each
        instance runs, in order.

        Returns:
            ``{"Containers": [{"ContainerHostname", "Image", "ModelDataUrl"}]}``; nothing
            for a model of one container.
        """
        if not self.containers:
            return {}
        return {"Containers": [c.describe() for c in self.containers]}


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
    field_name = f"{field_prefix}.ModelName"
    members = [
        _plan_container(model, i, container, runtime, field_name)
        for i, container in enumerate(model.serving_containers)
    ]
    for member in members:
        note = resolve_image(member.image_label, field=field_name).note(runtime)
        if note:
            log.info("%s %s, model %s: %s", endpoint_name, variant_name, model.model_name, note)
    first = members[0]
    return VariantPlan(
        endpoint_name=endpoint_name,
        variant_name=variant_name,
        model=model,
        instance_count=instance_count,
        instance_type=instance_type,
        runtime=runtime,
        image=first.image,
        program=first.program,
        code_source=first.code_source,
        environment=first.environment,
        timeout_s=timeout_s,
        ready_timeout_s=ready_timeout_s or READY_TIMEOUT_S,
        containers=tuple(members) if model.is_pipeline else (),
    )


def _plan_container(
    model: Model, index: int, container: ContainerDefinition, runtime: str, field: str
) -> ContainerPlan:
    """One container of ``model`` as the runtime will run it; ValidationError names
    ``field`` when it cannot."""
    where = f"model {model.model_name!r}"
    if model.is_pipeline:
        where += f", container {index + 1}"
    resolved = resolve_image(container.image, field=field)
    image = resolved.image
    # the ray runtime runs the studio's Python on the nodes, as the process runtime does
    if runtime in ("process", "ray") and not resolved.script_mode:
        raise ValidationError(
            f"{where} uses image {image!r}, which the {runtime} runtime cannot"
            " run; use the docker runtime or a script-mode model",
            field=field,
        )
    if runtime in ("process", "ray"):
        image = None
    elif image is None:
        image = DEFAULT_TAG
    env = dict(container.environment)
    program = env.pop("SAGEMAKER_PROGRAM", None)
    code = env.pop("SAGEMAKER_SUBMIT_DIRECTORY", None)
    if in_model_archive(code):
        code = None  # unpacked with the model: every instance's SAGEMAKER_SUBMIT_DIRECTORY
    if container.image is None and not program and not container.model_data_url:
        raise ValidationError(
            f"{where} has neither an image, an entry point (SAGEMAKER_PROGRAM) nor model data",
            field=field,
        )
    return ContainerPlan(
        index=index,
        hostname=container_hostname(container.container_hostname, index),
        image=image,
        image_label=container.image,
        model_data_url=container.model_data_url,
        program=program,
        code_source=code,
        environment=env,
    )


def unpack_model(plan: VariantPlan, model_dir: Path) -> None:
    """The model artifact and code of ``plan`` into ``model_dir`` (``code/`` inside); of
    a pipeline, each container's into its own folder (:func:`.pipeline.member_model_dir`)."""
    if plan.containers:
        for member in plan.containers:
            _unpack(
                member.model_data_url, member.code_source, member_model_dir(model_dir, member.index)
            )
        return
    _unpack(plan.model.primary_container.model_data_url, plan.code_source, model_dir)


def _unpack(url: str | None, code_source: str | None, model_dir: Path) -> None:
    model_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mlstudio-model-") as tmp:
        if url:
            _unpack_into(url, model_dir, Path(tmp) / "model", field="ModelDataUrl")
        if code_source:
            code = model_dir / "code"
            source = code_source
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

    #: whether the runtime replaces dead instances itself (then the engine's health loop
    #: calls :meth:`refresh` instead of checking and restarting each instance)
    self_healing = False

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
        #: hosts :meth:`resize` took out of service, until they are stopped
        self._draining: list[Instance] = []

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

    def spec(self, index: int, count: int, member: ContainerPlan | None = None) -> ContainerSpec:
        """What the runner starts for host ``index``; for a pipeline, for its container
        ``member`` (host ``algo-N-c<i>``, its own model folder and environment)."""
        host = host_name(index)
        plan = self.plan
        image, environment, program = plan.image, plan.environment, plan.program
        model_dir = self.model_dir
        if member is not None:
            host = member_host(host, member.index)
            image, environment, program = member.image, member.environment, member.program
            model_dir = member_model_dir(self.model_dir, member.index)
        ml_dir = self.folder / host / "ml"
        ml_dir.mkdir(parents=True, exist_ok=True)
        runner = self.runner
        env = dict(environment)
        env["SM_MODEL_DIR"] = runner.ml_path(ml_dir, "model")
        env["SAGEMAKER_SUBMIT_DIRECTORY"] = runner.ml_path(ml_dir, "model/code")
        if program:
            env["SAGEMAKER_PROGRAM"] = program
        env.setdefault("SAGEMAKER_MODEL_SERVER_TIMEOUT", str(int(plan.timeout_s)))
        env["SM_CURRENT_HOST"] = host
        limits = resource_limits(plan.instance_type)
        return ContainerSpec(
            job_name=self.job_name,
            ml_dir=ml_dir,
            command=("serve",),
            image=image,
            env=env,
            mounts=(Mount(model_dir, "/opt/ml/model", read_only=True),),
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
            parts = [part for instance in self.instances for part in instance.parts()]
        for part in parts:
            if part.handle is None:
                continue
            try:
                text, _ = self.runner.logs(part.handle)
                target.mkdir(parents=True, exist_ok=True)
                (target / f"{part.host}.log").write_text(text, encoding="utf-8")
            except (StudioError, OSError):
                log.warning("could not keep the log of %s %s", self.job_name, part.host)

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
        if self.plan.containers:
            instance = self._launch_members(index, count)
        else:
            spec = self.spec(index, count)
            instance = Instance(host=spec.host, handle=self.runner.launch(spec))
        with self._lock:
            cancelled = self._cancelled.is_set()
            if not cancelled:  # stop() sees it from now on
                self.instances = [i for i in self.instances if i.host != instance.host]
                self.instances.append(instance)
                self.instances.sort(key=lambda i: int(i.host.rsplit("-", 1)[-1]))
        if cancelled:  # cancelled while it launched: stop() may have missed it
            self._stop_instance(instance)
            self._check_cancelled()
        for part in instance.parts():
            assert part.handle is not None
            host, port = self.runner.address(part.handle)
            part.url = f"http://{host}:{port}"
        instance.url = instance.parts()[0].url
        return instance

    def _launch_members(self, index: int, count: int) -> Instance:
        """Host ``index`` of a pipeline: one model server per container (what started
        is stopped again when one cannot start)."""
        members: list[Member] = []
        try:
            for plan in self.plan.containers:
                spec = self.spec(index, count, plan)
                members.append(Member(plan, spec.host, self.runner.launch(spec)))
        except BaseException:
            self._stop_instance(Instance(host=host_name(index), members=members))
            raise
        return Instance(host=host_name(index), handle=members[0].handle, members=members)

    def _wait_ready(self, instance: Instance) -> None:
        timeout = self.plan.ready_timeout_s
        deadline = time.monotonic() + timeout
        delay = 0.02
        waiting = instance.parts()
        while True:
            self._check_cancelled()
            waiting = [part for part in waiting if not ping(part.url)]
            if not waiting:
                instance.status = InstanceStatus.HEALTHY
                instance.failures = 0
                return
            for part in waiting:
                assert part.handle is not None
                state = self.runner.poll(part.handle)
                if not state.running:
                    raise StudioError(
                        f"instance {part.host} of variant {self.plan.variant_name!r} exited"
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
        """The last lines of the instance's log (of each container of a pipeline, named)."""
        parts = instance.parts()
        tails = []
        for part in parts:
            if part.handle is None:
                continue
            try:
                text, _ = self.runner.logs(part.handle)
            except NotFoundError:
                tails.append("(no log)")
                continue
            tail = [line for line in text.strip().splitlines() if line.strip()][-lines:]
            joined = " | ".join(tail)[-1500:] or "(empty log)"
            tails.append(f"{part.host}: {joined}" if instance.members else joined)
        return " || ".join(tails)

    def members_of(self, host: str) -> list[Member]:
        """The containers of instance ``host`` of a pipeline, in order (empty otherwise).

        Args:
            host: ``algo-N``.

        Returns:
            Its members.
        """
        for instance in self.instances:
            if instance.host == host:
                return instance.members
        return []

    def alive(self, instance: Instance) -> bool:
        """Whether every process (container) of the instance still runs."""
        for part in instance.parts():
            if part.handle is None:
                return False
            try:
                if not self.runner.poll(part.handle).running:
                    return False
            except StudioError:
                return False
        return True

    def check(self, instance: Instance) -> bool:
        """One health check: the host still runs and answers /ping (every container of a
        pipeline)."""
        return self.alive(instance) and all(
            ping(part.url, timeout=2.0) for part in instance.parts()
        )

    def restart(self, instance: Instance) -> Instance:
        """Replace a dead host (all its containers) by a new one with the same name;
        returns it when ready."""
        for part in instance.parts():
            if part.handle is None:
                continue
            try:
                self.runner.stop(part.handle, grace_seconds=2.0)
                self.runner.cleanup(part.handle)
            except StudioError:
                log.warning("could not clean up %s %s", self.job_name, part.host)
        index = int(instance.host.rsplit("-", 1)[-1]) - 1
        fresh = self._launch(index, max(self.plan.instance_count, index + 1))
        fresh.restarts = instance.restarts + 1
        fresh.status = InstanceStatus.RESTARTING
        self._wait_ready(fresh)
        return fresh

    def refresh(self) -> bool:
        """Bring :attr:`instances` up to date with the runtime (a self-healing one's).

        Returns:
            Whether the instances in routing changed (never, here).
        """
        return False

    def resize(self, count: int) -> None:
        """Start or stop hosts so that ``count`` run (new ones are ready on return).

        Hosts in surplus drain: they leave :attr:`instances` at once (the router's next
        table has none of them) and are stopped :data:`DRAIN_S` later, on a thread of
        their own; the model server answers the requests it has before it exits."""
        with self._lock:
            current = len(self.instances)
        for index in range(current, count):
            self._wait_ready(self._launch(index, count))
        with self._lock:
            surplus = self.instances[count:]
            self.instances = self.instances[:count]
            self._draining.extend(surplus)
        self.plan = replace(self.plan, instance_count=count)
        if surplus:
            threading.Thread(
                target=self._drain, args=(surplus,), name=f"{self.job_name}-drain", daemon=True
            ).start()

    def _drain(self, surplus: list[Instance]) -> None:
        self._cancelled.wait(DRAIN_S)  # requests routed by the old table reach their host
        for instance in surplus:
            with self._lock:
                if instance not in self._draining:
                    continue  # stop() took it
                self._draining.remove(instance)
            try:
                self._stop_instance(instance)
            except StudioError:
                log.exception("could not stop %s %s", self.job_name, instance.host)

    def _stop_instance(self, instance: Instance) -> None:
        instance.status = InstanceStatus.STOPPED
        for part in instance.parts():
            if part.handle is None:
                continue
            try:
                self.runner.stop(part.handle, grace_seconds=5.0)
                self.runner.cleanup(part.handle)
            except NotFoundError:
                pass

    def stop(self) -> None:
        """Stop every host and remove the generation's folder."""
        with self._lock:
            instances, self.instances = list(self.instances), []
            instances += self._draining
            self._draining = []
        for instance in instances:
            try:
                self._stop_instance(instance)
            except StudioError:
                log.exception("could not stop %s %s", self.job_name, instance.host)
        shutil.rmtree(self.folder, ignore_errors=True)

    def read_log(self, host: str, offset: int = 0) -> tuple[str, int, bool]:
        """A host's log; of a pipeline, ``algo-N`` is its first container's and
        ``algo-N-c<i>`` container i's."""
        with self._lock:
            named: list[tuple[Instance, Instance | Member]] = [
                (i, part) for i in self.instances for part in i.named_parts()
            ]
        found = next(((i, part) for i, part in named if part.host == host), None)
        if found is None or found[1].handle is None:
            hosts = ", ".join(part.host for _, part in named) or "none"
            raise ValidationError(f"no instance {host!r} (instances: {hosts})", field="Host")
        instance, part = found
        assert part.handle is not None
        text, next_offset = self.runner.logs(part.handle, offset)
        return text, next_offset, instance.status == InstanceStatus.STOPPED


def ping(url: str | None, timeout: float = 1.0) -> bool:
    if not url:
        return False
    try:
        with urllib.request.urlopen(f"{url}/ping", timeout=timeout) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False
