"""The docker runtime: each host of a job is a container, through docker-py.

- The spec's ``ml_dir`` is bind-mounted at ``/opt/ml`` (read-write), each mount at its
  target (read-only unless said otherwise). Limits: ``mem_limit`` (= ``memswap_limit``, so
  no swap) and ``nano_cpus``. ``init=True`` so SIGTERM reaches the job. No privileges; the
  job runs as the calling user when that is not root.
- No published ports, except ``spec.expose``: that container port is published on
  ``127.0.0.1`` at a port the engine picks (label ``mlstudio.expose``), and the container
  gets ``SAGEMAKER_BIND_TO_PORT=<expose>``. ``address`` reads the host port from the
  engine (``NetworkSettings.Ports``) and remembers it in ``<state_root>/<job>/<host>/port``,
  because the engine forgets it when the container stops.
- One engine may serve many studio homes (each with its own runner state root). A runner
  knows its home by :func:`home_id` (a short hash of its state root): containers are
  named ``mlstudio-<job>-<host>-<home id>`` and labelled (``mlstudio.job``,
  ``mlstudio.host``, ``mlstudio.managed``, ``mlstudio.home``), and ``find``/``reattach``
  see only the containers of their own home, also after a restart. So two homes may run
  jobs and endpoints of the same names without meeting. With ``spec.network`` the
  container joins the user-defined bridge network ``<spec.network>-<home id>`` (created on
  demand, removed by ``cleanup`` when empty) under the alias ``spec.host``, so ``algo-1``
  .. ``algo-N`` reach each other by name.
- Images are never pulled: a missing image is a ValidationError on ``image_uri`` saying how
  to build it. ``image=None`` means the studio's script-mode image
  (:data:`.images.DEFAULT_TAG`).
- Logs stream live from the engine into ``<state_root>/<job>/<host>/output.log`` (one
  thread per container), so reads by byte offset are cheap and survive ``docker logs``
  truncation; a new runner instance re-streams them from the start. The stream of a
  container ends once the engine has sent its last output: ``poll`` waits for that
  before it reports the container exited, so the log is whole from then on (also for a
  container that exited while no runner watched it).

The docker-py client is created on first use (never at import, never on an event loop).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import posixpath
import shutil
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..exceptions import ConflictError, NotFoundError, StoreUnavailableError, ValidationError
from .base import (
    LABEL_EXPOSE,
    LABEL_HOST,
    LABEL_JOB,
    LABEL_MANAGED,
    LOOPBACK,
    OPT_ML,
    ContainerSpec,
    HostSample,
    JobHandle,
    JobRunner,
    JobState,
    RunStatus,
    read_text_from,
)
from .images import DEFAULT_TAG
from .sampling import DockerReading, StatsFollower, docker_sample

LABEL_NETWORK = "mlstudio.network"
#: the studio home a container belongs to (:func:`home_id` of the runner's state root)
LABEL_HOME = "mlstudio.home"
LOG_FILE = "output.log"
PORT_FILE = "port"


def home_id(state_root: Path) -> str:
    """The short id of the studio home whose runner keeps its state in ``state_root``.

    Args:
        state_root: The runner's state folder (``<home>/runtime/docker``).

    Returns:
        The first 8 hex digits of the SHA-256 of its absolute, resolved path: the same for
        every runner of that home, another for every other home.
    """
    return hashlib.sha256(str(Path(state_root).resolve()).encode()).hexdigest()[:8]


def container_name(job_name: str, host: str, home: str) -> str:
    """The name of the container of ``host`` of ``job_name`` in the studio home ``home``
    (a :func:`home_id`)."""
    return f"mlstudio-{job_name}-{host}-{home}"


@dataclass
class _Watch:
    """A sampled container: its stats stream, the last reading and sample made of it."""

    follower: StatsFollower
    count: int = 0
    sample: HostSample | None = None
    reading: DockerReading | None = None


class DockerRunner(JobRunner):
    """Runs job hosts as containers on the engine ``base_url`` (default: DOCKER_HOST)."""

    name = "docker"

    def __init__(
        self,
        state_root: Path,
        *,
        base_url: str | None = None,
        client: Any = None,
        timeout: int = 120,
    ) -> None:
        self.state_root = Path(state_root)
        #: the studio home this runner serves: on its containers' names and labels
        self.home = home_id(self.state_root)
        self._base_url = base_url
        self._timeout = timeout
        self._client = client
        self._lock = threading.RLock()
        self._followers: dict[str, threading.Thread] = {}
        #: exited containers whose log stream was waited for (once: a stream that does not
        #: end in time is not waited for at every poll)
        self._streamed: set[str] = set()
        #: what :meth:`sample` keeps per sampled container
        self._watches: dict[str, _Watch] = {}

    # -- engine access --------------------------------------------------------------------
    @property
    def client(self) -> Any:
        with self._lock:
            if self._client is None:
                import docker

                try:
                    if self._base_url:
                        self._client = docker.DockerClient(
                            base_url=self._base_url, timeout=self._timeout
                        )
                    else:
                        self._client = docker.from_env(timeout=self._timeout)
                except Exception as exc:
                    raise StoreUnavailableError(f"no Docker engine answers: {exc}") from exc
            return self._client

    @contextlib.contextmanager
    def _engine(self, what: str) -> Iterator[None]:
        """Translate docker-py errors: NotFound → NotFoundError, 409 → ConflictError,
        connection failures → StoreUnavailableError."""
        import requests
        from docker.errors import APIError, DockerException
        from docker.errors import NotFound as DockerNotFound

        try:
            yield
        except DockerNotFound as exc:
            raise NotFoundError(f"{what}: {exc.explanation or exc}") from exc
        except APIError as exc:
            if exc.status_code == 409:
                raise ConflictError(f"{what}: {exc.explanation or exc}", field="job_name") from exc
            raise StoreUnavailableError(f"{what}: {exc.explanation or exc}") from exc
        except (requests.exceptions.ConnectionError, DockerException) as exc:
            raise StoreUnavailableError(
                f"{what}: the Docker engine does not answer ({exc})"
            ) from exc

    def ml_path(self, spec_ml_dir: Path, relative: str = "") -> str:
        return posixpath.join(OPT_ML, relative) if relative else OPT_ML

    def _log_path(self, job_name: str, host: str) -> Path:
        return self.state_root / job_name / host / LOG_FILE

    # -- launch ---------------------------------------------------------------------------
    def check_image(self, image: str) -> None:
        """Check that ``image`` is on the engine (never pulls); ``launch`` does the same.

        Raises ValidationError (field ``image_uri``) saying how to build a missing image,
        StoreUnavailableError when the engine does not answer.
        """
        from docker.errors import ImageNotFound

        try:
            with self._engine(f"image {image}"):
                self.client.images.get(image)
        except NotFoundError as exc:
            raise self._missing_image(image) from exc
        except ImageNotFound as exc:  # pragma: no cover - NotFound subclass, caught above
            raise self._missing_image(image) from exc

    @staticmethod
    def _missing_image(image: str) -> ValidationError:
        how = (
            "run 'mlstudio images build' to build it"
            if image == DEFAULT_TAG
            else f"build it first (docker build -t {image} ...); 'mlstudio images build' makes"
            f" the studio's script-mode image {DEFAULT_TAG}"
        )
        return ValidationError(
            f"image {image!r} is not on the Docker engine and images are never pulled: {how}",
            field="image_uri",
        )

    def network_name(self, network: str) -> str:
        """The engine's name of the network a spec of this home names ``network``."""
        return f"{network}-{self.home}"

    def _ensure_network(self, name: str, job_name: str) -> None:
        api = self.client.api
        with self._lock, self._engine(f"network {name}"):
            if not [n for n in api.networks(names=[name]) if n.get("Name") == name]:
                api.create_network(
                    name,
                    driver="bridge",
                    check_duplicate=True,
                    labels={LABEL_MANAGED: "true", LABEL_JOB: job_name, LABEL_HOME: self.home},
                )

    def launch(self, spec: ContainerSpec) -> JobHandle:
        image = spec.image or DEFAULT_TAG
        if not spec.ml_dir.is_dir():
            raise ValidationError(f"{spec.ml_dir} is not a folder", field="ml_dir")
        for mount in spec.mounts:
            if not Path(mount.source).exists():
                raise ValidationError(f"mount source {mount.source} does not exist", field="mounts")
            if not mount.target.startswith("/"):
                raise ValidationError(
                    f"mount target {mount.target!r} is not absolute", field="mounts"
                )
        if spec.expose is not None and not 0 < spec.expose < 65536:
            raise ValidationError(f"cannot expose port {spec.expose}", field="expose")
        self.check_image(image)
        labels = {
            **spec.labels,
            LABEL_JOB: spec.job_name,
            LABEL_HOST: spec.host,
            LABEL_MANAGED: "true",
            LABEL_HOME: self.home,
        }
        env = dict(spec.env)
        ports: dict[int, tuple[str, None]] | None = None
        if spec.expose is not None:
            labels[LABEL_EXPOSE] = str(spec.expose)
            env["SAGEMAKER_BIND_TO_PORT"] = str(spec.expose)
            ports = {spec.expose: (LOOPBACK, None)}
        network = self.network_name(spec.network) if spec.network else None
        if network:
            labels[LABEL_NETWORK] = network
            self._ensure_network(network, spec.job_name)
        binds = {str(spec.ml_dir.absolute()): {"bind": OPT_ML, "mode": "rw"}}
        for mount in spec.mounts:
            mode = "ro" if mount.read_only else "rw"
            binds[str(Path(mount.source).absolute())] = {"bind": mount.target, "mode": mode}
        api = self.client.api
        host_config = api.create_host_config(
            binds=binds,
            init=True,
            mem_limit=spec.memory_bytes,
            memswap_limit=spec.memory_bytes,
            nano_cpus=int(spec.cpus * 1e9) if spec.cpus else None,
            network_mode=network or "bridge",
            privileged=False,
            port_bindings=ports,
        )
        networking = None
        if network:
            endpoint = api.create_endpoint_config(aliases=[spec.host])
            networking = api.create_networking_config({network: endpoint})
        user = None if os.geteuid() == 0 else f"{os.getuid()}:{os.getgid()}"
        name = container_name(spec.job_name, spec.host, self.home)
        log_path = self._log_path(spec.job_name, spec.host)
        with self._engine(f"container {name}"):
            created = api.create_container(
                image,
                command=list(spec.command),
                entrypoint=list(spec.entrypoint) if spec.entrypoint is not None else None,
                name=name,
                hostname=spec.host,
                environment=env,
                labels=labels,
                ports=list(ports) if ports else None,
                host_config=host_config,
                networking_config=networking,
                working_dir=spec.working_dir,
                user=user,
                detach=True,
            )
            container_id = str(created["Id"])
            try:
                log_path.parent.mkdir(parents=True, exist_ok=True)
                log_path.write_bytes(b"")
                api.start(container_id)
            except BaseException:
                with contextlib.suppress(Exception):
                    api.remove_container(container_id, force=True, v=True)
                shutil.rmtree(log_path.parent, ignore_errors=True)
                raise
            info = api.inspect_container(container_id)
            started = self._started_at(info)
        handle = JobHandle(self.name, spec.job_name, spec.host, container_id, started, labels)
        if spec.expose is not None:
            self._published_port(handle, info)
        self._follow(handle, truncate=False)
        return handle

    def _published_port(self, handle: JobHandle, info: Mapping[str, Any]) -> int | None:
        """The host port the engine published the exposed port on (remembered in the state
        folder, since a stopped container's inspect no longer shows it); None if unknown."""
        labels = info.get("Config", {}).get("Labels") or {}
        expose = labels.get(LABEL_EXPOSE)
        path = self._log_path(handle.job_name, handle.host).parent / PORT_FILE
        bindings = (info.get("NetworkSettings", {}).get("Ports") or {}).get(f"{expose}/tcp")
        for binding in bindings or ():
            if binding.get("HostIp") == LOOPBACK and binding.get("HostPort"):
                port = int(binding["HostPort"])
                with contextlib.suppress(OSError):
                    if not path.is_file() or path.read_text() != str(port):
                        path.parent.mkdir(parents=True, exist_ok=True)
                        path.write_text(str(port))
                return port
        try:
            return int(path.read_text())
        except (OSError, ValueError):
            return None

    def address(self, handle: JobHandle) -> tuple[str, int]:
        with self._engine(f"job {handle.job_name}/{handle.host}"):
            info = self.client.api.inspect_container(handle.ref)
        if not (info.get("Config", {}).get("Labels") or {}).get(LABEL_EXPOSE):
            raise ValidationError(
                f"job {handle.job_name}/{handle.host} exposed no port", field="expose"
            )
        port = self._published_port(handle, info)
        if port is None:
            raise NotFoundError(
                f"job {handle.job_name}/{handle.host} exited before the engine published its port"
            )
        return LOOPBACK, port

    @staticmethod
    def _started_at(info: Mapping[str, Any]) -> float:
        text = str(info.get("State", {}).get("StartedAt") or info.get("Created") or "")
        try:
            return datetime.fromisoformat(text[:26].rstrip("Z") + "+00:00").timestamp()
        except ValueError:
            return 0.0

    # -- logs -----------------------------------------------------------------------------
    def _follow(self, handle: JobHandle, *, truncate: bool) -> None:
        """Stream the container's logs into its log file (one thread per container)."""
        with self._lock:
            thread = self._followers.get(handle.ref)
            if thread is not None:
                return
            path = self._log_path(handle.job_name, handle.host)
            path.parent.mkdir(parents=True, exist_ok=True)
            if truncate or not path.exists():
                path.write_bytes(b"")
            thread = threading.Thread(
                target=self._stream_logs,
                args=(handle.ref, path),
                name=f"mlstudio-logs-{handle.job_name}-{handle.host}",
                daemon=True,
            )
            self._followers[handle.ref] = thread
            thread.start()

    def _stream_logs(self, container_id: str, path: Path) -> None:
        with contextlib.suppress(Exception), open(path, "ab", buffering=0) as out:
            stream = self.client.api.logs(
                container_id, stdout=True, stderr=True, stream=True, follow=True
            )
            for chunk in stream:
                out.write(chunk)

    def _log_complete(self, container_id: str, timeout: float = 5.0) -> None:
        """Wait (once, at most ``timeout``) for the log stream of an exited container to
        end."""
        thread = self._followers.get(container_id)
        if thread is not None and container_id not in self._streamed:
            thread.join(timeout)
            self._streamed.add(container_id)

    def logs(self, handle: JobHandle, since_offset: int = 0) -> tuple[str, int]:
        path = self._log_path(handle.job_name, handle.host)
        if handle.ref not in self._followers:
            self.poll(handle)  # NotFoundError once the container is gone
            self._follow(handle, truncate=True)
            self.poll(handle)  # exited: the whole log is streamed before it is read
        try:
            return read_text_from(path, since_offset)
        except OSError as exc:
            raise NotFoundError(f"no log for {handle.job_name}/{handle.host}") from exc

    # -- watching and stopping ------------------------------------------------------------
    def poll(self, handle: JobHandle) -> JobState:
        with self._engine(f"job {handle.job_name}/{handle.host}"):
            info = self.client.api.inspect_container(handle.ref)
        state = info.get("State", {})
        if state.get("Running") or state.get("Status") in ("created", "restarting"):
            return JobState(RunStatus.RUNNING)
        self._log_complete(handle.ref)
        return JobState(
            RunStatus.EXITED,
            int(state.get("ExitCode", 0)),
            oom_killed=bool(state.get("OOMKilled")),
            detail=state.get("Error") or None,
        )

    def sample(self, handle: JobHandle) -> HostSample | None:
        """The container measured from the engine's stats. The first sample reads once
        (``one_shot``, about 10 ms) and starts following the container's stats stream;
        later ones take the stream's latest reading without waiting. The engine reads a
        container once a second: sampled more often, the same sample comes back (same
        ``t``). CPU rates are from this runner's previous reading. No GPUs: the runner
        starts containers without devices."""
        if not self.poll(handle).running:  # NotFoundError once removed
            with self._lock:
                self._watches.pop(handle.ref, None)
            return None
        with self._lock:
            watch = self._watches.get(handle.ref)
        if watch is not None and watch.follower.is_alive():
            stats, count = watch.follower.latest()
            if stats is None or count == watch.count:
                return watch.sample
        else:
            stats, count = self._stats_once(handle), 0
        with self._lock:
            watch = self._watches.get(handle.ref)
            previous = watch.reading if watch is not None else None
            found = docker_sample(stats, previous, handle.started_at)
            if found is None:
                self._watches.pop(handle.ref, None)
                return None
            if watch is None or not watch.follower.is_alive():
                watch = _Watch(self._follow_stats(handle))
                self._watches[handle.ref] = watch
            watch.sample, watch.reading = found
            watch.count = max(watch.count, count)
            return watch.sample

    def _stats_once(self, handle: JobHandle) -> dict[str, Any]:
        from docker.errors import InvalidVersion

        api = self.client.api
        with self._engine(f"job {handle.job_name}/{handle.host}"):
            try:
                return dict(api.stats(handle.ref, stream=False, one_shot=True))
            except InvalidVersion:  # an engine older than API 1.41: two readings, ~1 s
                return dict(api.stats(handle.ref, stream=False))

    def _follow_stats(self, handle: JobHandle) -> StatsFollower:
        api = self.client.api
        follower = StatsFollower(
            lambda: api.stats(handle.ref, stream=True, decode=True),
            name=f"mlstudio-stats-{handle.job_name}-{handle.host}",
        )
        follower.start()
        return follower

    def stop(self, handle: JobHandle, grace_seconds: float = 10.0) -> JobState:
        if not self.poll(handle).running:
            return self.poll(handle)
        with self._engine(f"stopping {handle.job_name}/{handle.host}"):
            self.client.api.stop(handle.ref, timeout=max(0, math.ceil(grace_seconds)))
        return self.wait(handle, 30.0)

    def find(self, labels: Mapping[str, str] | None = None) -> list[JobHandle]:
        wanted = {**(labels or {}), LABEL_MANAGED: "true", LABEL_HOME: self.home}
        with self._engine("listing containers"):
            found = self.client.api.containers(
                all=True, filters={"label": [f"{k}={v}" for k, v in wanted.items()]}
            )
        handles = []
        for item in found:
            have = item.get("Labels") or {}
            handles.append(
                JobHandle(
                    self.name,
                    have.get(LABEL_JOB, ""),
                    have.get(LABEL_HOST, ""),
                    str(item["Id"]),
                    float(item.get("Created") or 0),
                    have,
                )
            )
        return handles

    def cleanup(self, handle: JobHandle) -> None:
        api = self.client.api
        network = handle.labels.get(LABEL_NETWORK)
        with contextlib.suppress(NotFoundError), self._engine(f"removing {handle.ref}"):
            info = api.inspect_container(handle.ref)
            network = network or (info.get("Config", {}).get("Labels") or {}).get(LABEL_NETWORK)
            api.remove_container(handle.ref, force=True, v=True)
        thread = self._followers.pop(handle.ref, None)
        self._streamed.discard(handle.ref)
        self._watches.pop(handle.ref, None)
        if thread is not None:
            thread.join(timeout=5.0)
        folder = self._log_path(handle.job_name, handle.host).parent
        shutil.rmtree(folder, ignore_errors=True)
        with contextlib.suppress(OSError):
            folder.parent.rmdir()
        if network:
            self._remove_network_if_unused(network)

    def _remove_network_if_unused(self, name: str) -> None:
        api = self.client.api
        with contextlib.suppress(Exception):
            for net in [n for n in api.networks(names=[name]) if n.get("Name") == name]:
                detail = api.inspect_network(net["Id"])
                labels = detail.get("Labels") or {}
                ours = labels.get(LABEL_MANAGED) == "true" and labels.get(LABEL_HOME) == self.home
                if ours and not detail.get("Containers"):
                    api.remove_network(net["Id"])

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                with contextlib.suppress(Exception):
                    self._client.close()
            self._client = None
