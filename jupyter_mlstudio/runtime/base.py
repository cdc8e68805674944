"""The job runner contract: what every runtime (process, docker, later ray) provides.

A runner starts one *host* of a job — one process or one container, named ``algo-1`` ..
``algo-N`` for a job of N instances — from a :class:`ContainerSpec`, and answers questions
about it through the :class:`JobHandle` it returns. The job service builds one spec per host
(see :mod:`.contract` for the files and environment of the SageMaker training contract) and
owns the job's records; a runner only knows processes/containers.

Contract, for every implementation:

- **Synchronous and blocking.** Every method may block on the OS or the container engine;
  callers on an event loop run them in an executor. ``launch`` returns as soon as the job is
  started (it does not wait for it to finish).
- **Thread safety.** One runner instance may be shared by many threads; any method may be
  called concurrently, also for the same handle.
- **Immutability.** :class:`JobHandle` and :class:`JobState` are frozen values; a handle
  stays valid after the runner that made it is gone (``reattach`` with a new runner
  instance finds an equal handle).
- **One studio home per runner.** A runner serves the home whose state it keeps (its
  state root). ``find``, ``reattach`` and so the clean-ups built on them see only the hosts
  that runners of the same state root started: two homes on one machine (one Docker
  engine) may run jobs of the same name, and neither sees, re-attaches or removes the
  other's.
- **Exit codes** follow the container convention on every runtime: a job killed by signal
  ``N`` exits with ``128 + N`` (137 after SIGKILL, 143 after SIGTERM).
- **Errors.** Bad specs raise :class:`~jupyter_mlstudio.exceptions.ValidationError` with the
  field named (``image_uri`` for a missing image, ``command``, ``mounts``, ``expose``,
  ...), before anything is started; an unknown handle or job raises
  :class:`~jupyter_mlstudio.exceptions.NotFoundError`; a duplicate live job/host raises
  :class:`~jupyter_mlstudio.exceptions.ConflictError`; an engine that cannot be reached
  raises :class:`~jupyter_mlstudio.exceptions.StoreUnavailableError`.
- **Logs** are the job's stdout and stderr interleaved, as bytes in one stream; ``logs``
  reads from a byte offset and returns the new offset, so a reader can follow a running job
  and resume after a restart. Logs remain readable after the job exits until ``cleanup``.
- **Sampling.** ``sample`` measures a running host for the profiler (a
  :class:`HostSample`): CPU, memory, disk and network counters, GPUs where the host sees an
  NVIDIA device. A host that has exited (and is not cleaned up) gives ``None``; a cleaned
  up one raises NotFoundError, as ``poll`` does. ``cpu_percent`` of the first sample of a
  handle is the host's average since it started; later ones cover the time since the
  previous sample of the same runner. A runtime that cannot measure returns ``None``
  (this default).
- **Serving.** A spec with ``expose`` (a container port; 8080 for ``serve``) makes that
  port reachable from the studio, bound to 127.0.0.1 only and never to other interfaces;
  ``address`` returns ``("127.0.0.1", host_port)``. The host port is fixed at launch, stays
  the same for the host's life (also for a new runner after a restart) and is answered
  until ``cleanup``; nothing listens on it once the host has exited.
"""

from __future__ import annotations

import abc
import enum
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..exceptions import ValidationError

OPT_ML = "/opt/ml"

#: label keys every runner puts on what it starts (docker labels; process state files)
LABEL_JOB = "mlstudio.job"
LABEL_HOST = "mlstudio.host"
LABEL_MANAGED = "mlstudio.managed"
#: the container port a spec exposed (``ContainerSpec.expose``), on every runtime
LABEL_EXPOSE = "mlstudio.expose"
#: the loopback address exposed ports are bound to
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Mount:
    """A host folder or file made visible to the job at ``target`` (an ``/opt/ml/...`` path).

    Docker bind-mounts it; the process runtime links it into the job's ``/opt/ml`` folder
    (and cannot enforce ``read_only``).
    """

    source: Path
    target: str
    read_only: bool = True


@dataclass(frozen=True)
class ContainerSpec:
    """One host of a job, as a runner starts it.

    ``image`` is a local image tag (docker) or ``None`` (the process runtime: the studio's
    own Python). ``command`` is the argument list given to the image (``["train"]``,
    ``["serve"]``, or a script's arguments); ``entrypoint`` replaces the image's entrypoint.
    The process runtime runs ``entrypoint + command``, where ``train`` means the script-mode
    launcher (:mod:`.launcher`) and a leading ``python``/``python3`` means the studio's
    Python. ``ml_dir`` is the host folder that *is* the job's ``/opt/ml`` (write it with
    :func:`.contract.write_training_contract`); ``env`` must use the paths the runner's
    :meth:`JobRunner.ml_path` gives.

    ``command=["serve"]`` is the model server (:mod:`jupyter_mlstudio.hosting.model_server`:
    the studio's Python on the process runtime, ``/usr/local/bin/serve`` in the studio's
    image; a BYOC image runs its own ``serve``). ``expose`` is the container port the job
    listens on (8080 for ``serve``); the runner makes it reachable on 127.0.0.1 only and
    :meth:`JobRunner.address` tells where. The process runtime passes the port it picked as
    ``SAGEMAKER_BIND_TO_PORT`` (with ``SAGEMAKER_BIND_ADDRESS=127.0.0.1``), since a process
    has no port of its own to map; docker sets ``SAGEMAKER_BIND_TO_PORT`` to ``expose``.
    """

    job_name: str
    ml_dir: Path
    command: Sequence[str] = ("train",)
    image: str | None = None
    entrypoint: Sequence[str] | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    mounts: Sequence[Mount] = ()
    cpus: float | None = None
    memory_bytes: int | None = None
    host: str = "algo-1"
    instance_index: int = 0
    instance_count: int = 1
    network: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    working_dir: str | None = None
    expose: int | None = None
    #: the host's ``ml.*`` instance type (``cpus``/``memory_bytes`` are its limits capped
    #: to this machine; a cluster runtime asks for the type's own resources)
    instance_type: str | None = None


@dataclass(frozen=True)
class JobHandle:
    """A started host of a job. ``ref`` is the runtime's id (a pid, a container id)."""

    runtime: str
    job_name: str
    host: str
    ref: str
    started_at: float = field(default_factory=time.time)
    labels: Mapping[str, str] = field(default_factory=dict, compare=False)


class RunStatus(str, enum.Enum):
    RUNNING = "running"
    EXITED = "exited"


@dataclass(frozen=True)
class JobState:
    """What :meth:`JobRunner.poll` saw.

    ``exit_code`` is ``None`` while running, and also when the job ended while nobody was
    watching and the runtime could not learn its code (``detail`` then says so).
    """

    status: RunStatus
    exit_code: int | None = None
    oom_killed: bool = False
    detail: str | None = None

    @property
    def running(self) -> bool:
        return self.status is RunStatus.RUNNING


@dataclass(frozen=True)
class HostSample:
    """What :meth:`JobRunner.sample` measured of one host at ``t`` (epoch seconds).

    ``cpu_percent`` is the host's own CPU use (100 = one core busy); ``cpu_cores`` the use
    of each core in % (the whole machine's per core on the process runtime; the
    container's own per core on docker when the engine reports them; empty when unknown
    and on a handle's first sample). ``memory_bytes`` is resident memory (the process
    tree's RSS; a container's usage less its inactive page cache), ``memory_percent`` of
    the host's memory limit or else the machine's memory. The disk and network figures
    are cumulative byte counters since the host started (``None`` when the runtime cannot
    tell them apart from others': the network of the process runtime).
    ``io_wait_percent`` is the share of CPU time spent waiting for I/O (the machine's on
    the process runtime, ``None`` when unknown). ``gpus`` has one entry per visible NVIDIA
    device: ``{"index", "utilization_percent", "memory_used_bytes",
    "memory_total_bytes"}``.
    """

    t: float
    cpu_percent: float
    memory_bytes: int
    memory_percent: float
    cpu_cores: list[float] = field(default_factory=list)
    disk_read_bytes: int | None = None
    disk_write_bytes: int | None = None
    net_rx_bytes: int | None = None
    net_tx_bytes: int | None = None
    io_wait_percent: float | None = None
    gpus: list[dict[str, float]] = field(default_factory=list)


class JobRunner(abc.ABC):
    """Starts and watches the hosts of jobs. See the module docstring for the contract."""

    #: the runtime's name, as configured (``process``, ``docker``)
    name: str = ""

    @abc.abstractmethod
    def ml_path(self, spec_ml_dir: Path, relative: str = "") -> str:
        """The path the job sees for ``/opt/ml/<relative>`` (``/opt/ml/...`` in a container,
        a folder under ``spec_ml_dir`` for the process runtime). Never raises."""

    @abc.abstractmethod
    def launch(self, spec: ContainerSpec) -> JobHandle:
        """Start one host of a job and return at once.

        Raises ValidationError (bad spec, missing image — never pulled), ConflictError (this
        job/host is already live), StoreUnavailableError (engine unreachable).
        """

    @abc.abstractmethod
    def poll(self, handle: JobHandle) -> JobState:
        """The current state, without waiting. Raises NotFoundError once cleaned up."""

    def wait(self, handle: JobHandle, timeout: float | None = None) -> JobState:
        """Block until the job exits or ``timeout`` seconds pass; return the last state
        (still running after a timeout). Raises NotFoundError once cleaned up."""
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = 0.02
        while True:
            state = self.poll(handle)
            if not state.running:
                return state
            if deadline is not None and time.monotonic() >= deadline:
                return state
            remaining = 1.0 if deadline is None else max(0.0, deadline - time.monotonic())
            time.sleep(min(delay, remaining))
            delay = min(delay * 1.5, 0.5)

    @abc.abstractmethod
    def logs(self, handle: JobHandle, since_offset: int = 0) -> tuple[str, int]:
        """Log text from byte ``since_offset`` on, and the offset to ask for next.

        Never splits a UTF-8 character (an incomplete one is left for the next call).
        Raises NotFoundError once cleaned up.
        """

    def follow_logs(
        self, handle: JobHandle, since_offset: int = 0, poll_interval: float = 0.2
    ) -> Iterator[str]:
        """Yield log text as it appears until the job has exited and all is read."""
        offset = since_offset
        while True:
            running = self.poll(handle).running
            chunk, offset = self.logs(handle, offset)
            if chunk:
                yield chunk
            if not running:
                chunk, offset = self.logs(handle, offset)
                if chunk:
                    yield chunk
                return
            if not chunk:
                time.sleep(poll_interval)

    @abc.abstractmethod
    def stop(self, handle: JobHandle, grace_seconds: float = 10.0) -> JobState:
        """SIGTERM, then SIGKILL after ``grace_seconds``; return the final state.

        Stopping a job that has already exited is a no-op. Raises NotFoundError once
        cleaned up.
        """

    def address(self, handle: JobHandle) -> tuple[str, int]:
        """Where the studio reaches the port the host's spec exposed: ``("127.0.0.1",
        host_port)``.

        The same answer for the host's whole life and from a new runner instance; still
        answered after the host exited (nothing listens then). Raises NotFoundError once
        cleaned up (or when the engine never published the port because the host exited
        at once), ValidationError (field ``expose``) when the spec exposed no port or the
        runtime cannot expose ports (this default).
        """
        self.poll(handle)  # NotFoundError once cleaned up
        raise ValidationError(
            f"the {self.name or type(self).__name__} runtime does not expose ports",
            field="expose",
        )

    def sample(self, handle: JobHandle) -> HostSample | None:
        """Measure the running host (see :class:`HostSample`) without waiting.

        Returns None when the host has exited, or when the runtime cannot measure hosts
        (this default). Raises NotFoundError once cleaned up, StoreUnavailableError when
        the engine does not answer.
        """
        self.poll(handle)  # NotFoundError once cleaned up
        return None

    @abc.abstractmethod
    def find(self, labels: Mapping[str, str] | None = None) -> list[JobHandle]:
        """Handles of every host a runner of this studio home (this state root) started
        and has not cleaned up, whose labels include ``labels``; running or exited. Works
        from a fresh runner instance."""

    def reattach(self, job_name: str) -> list[JobHandle]:
        """The hosts of ``job_name`` left by an earlier runner instance (e.g. before a studio
        restart), ordered by host; empty when nothing is left. Check each with ``poll``."""
        return sorted(self.find({LABEL_JOB: job_name}), key=lambda h: _host_key(h.host))

    @abc.abstractmethod
    def cleanup(self, handle: JobHandle) -> None:
        """Forget the host: kill it if still running, remove the container (or the runner's
        state and log files; the ``/opt/ml`` folder stays, it belongs to the caller) and a
        multi-node network nobody uses any more. Idempotent."""

    def room_for(self, instance_type: str, instance_count: int = 1) -> int | None:
        """How many more jobs of ``instance_count`` hosts of ``instance_type`` the runtime
        could place now, from the resources free at this moment (a cluster's nodes).

        A scheduler (the tuner) starts no more jobs than this, on top of its own limits.
        The answer may lag a launch that just returned by a moment.

        Args:
            instance_type: The hosts' ``ml.*`` instance type (or ``local``).
            instance_count: The hosts of one job.

        Returns:
            The number of jobs (0 when none fits now), or None when the runtime knows no
            limit (this default: the process and docker runtimes share the studio's
            machine, which the job's limits already cap).

        Raises:
            ValidationError: An unknown instance type.
            StoreUnavailableError: The cluster does not answer.
        """
        return None

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release clients and threads; handles stay valid for a new runner."""

    def __enter__(self) -> JobRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def host_name(index: int) -> str:
    """``algo-1`` for the first instance, as SageMaker names hosts."""
    return f"algo-{index + 1}"


def _host_key(host: str) -> tuple[int, str]:
    prefix, _, number = host.rpartition("-")
    return (int(number), prefix) if number.isdigit() else (0, host)


def signal_exit_code(returncode: int) -> int:
    """Popen's ``-N`` (killed by signal N) as the container convention ``128 + N``."""
    return 128 - returncode if returncode < 0 else returncode


def read_text_from(path: str | os.PathLike[str], offset: int) -> tuple[str, int]:
    """A log file's text from byte ``offset`` (negative: 0) up to its last complete
    character, and the offset to read on from. OSError when it cannot be read."""
    start = max(0, offset)
    with open(path, "rb") as file:
        file.seek(start)
        data = file.read()
    text, used = decode_complete(data)
    return text, start + used


def decode_complete(data: bytes) -> tuple[str, int]:
    """Decode UTF-8, leaving an incomplete trailing character; return (text, bytes used)."""
    for cut in range(0, min(4, len(data) + 1)):
        end = len(data) - cut
        try:
            return data[:end].decode("utf-8"), end
        except UnicodeDecodeError as exc:
            if exc.start < end - 3:  # broken in the middle: not a truncation
                return data.decode("utf-8", errors="replace"), len(data)
    return data.decode("utf-8", errors="replace"), len(data)
