"""Measuring a host for the profiler (:meth:`.base.JobRunner.sample`).

- :class:`ProcessTreeMeter` measures a process-runtime host: the job's supervisor and every
  process below it, with psutil. CPU time and disk bytes are kept as cumulative counters
  that never go back: a process that ends leaves what it used in the total (up to the
  last sample that saw it). The network is not measured: Linux counts bytes per network
  namespace, and the job shares the machine's with everything else.
- :func:`docker_sample` turns one reading of the Docker engine's stats (``one_shot``)
  into a :class:`.base.HostSample`, with the CPU rates from the previous reading.
- :class:`GpuProbe` follows one ``nvidia-smi`` reporting the visible NVIDIA devices
  every half second, shared by every host sampled; :func:`parse_nvidia_smi` reads its
  CSV.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .base import HostSample

#: what the profiler asks nvidia-smi, in this order
GPU_QUERY = ("index", "utilization.gpu", "memory.used", "memory.total")
_MIB = 1 << 20


def parse_nvidia_smi(text: str) -> list[dict[str, float]]:
    """The GPUs in the output of ``nvidia-smi --query-gpu=index,utilization.gpu,
    memory.used,memory.total --format=csv,noheader,nounits`` (memory in MiB there, bytes
    here); a line that does not parse (``[N/A]``, a warning) is left out."""
    gpus = []
    for line in text.splitlines():
        parts = [part.strip() for part in line.split(",")]
        if len(parts) != len(GPU_QUERY):
            continue
        try:
            index, utilization, used, total = (float(part) for part in parts)
        except ValueError:
            continue
        gpus.append(
            {
                "index": int(index),
                "utilization_percent": utilization,
                "memory_used_bytes": int(used * _MIB),
                "memory_total_bytes": int(total * _MIB),
            }
        )
    return gpus


class GpuProbe:
    """The visible NVIDIA GPUs, from one ``nvidia-smi`` that reports every
    ``interval_ms`` (``-lms``: NVML stays initialised, where a new ``nvidia-smi`` a
    sample would cost tens of milliseconds of CPU each).

    Started by the first :meth:`read`; it ends once nobody has read for ``idle_s``
    seconds (the next read starts it again) or at :meth:`close`, and dies with the pipe
    if the studio does. Without the program, or until it has reported, the answer is an
    empty list.
    """

    #: at most one start of nvidia-smi in this many seconds (when it keeps failing)
    RESTART_S = 10.0

    def __init__(self, interval_ms: int = 500, idle_s: float = 30.0) -> None:
        self.interval_ms = interval_ms
        self.idle_s = idle_s
        self._lock = threading.Lock()
        self._program: str | bool | None = False  # False: not looked for yet
        self._process: subprocess.Popen[str] | None = None
        self._started_at = -float("inf")
        self._read_at = 0.0
        self._gpus: list[dict[str, float]] = []

    def read(self) -> list[dict[str, float]]:
        """The GPUs and their use at nvidia-smi's last report (a copy)."""
        with self._lock:
            if self._program is False:
                self._program = shutil.which("nvidia-smi")
            if not self._program:
                return []
            self._read_at = time.monotonic()
            running = self._process is not None and self._process.poll() is None
            if not running and time.monotonic() - self._started_at >= self.RESTART_S:
                self._start(str(self._program))
            return [dict(gpu) for gpu in self._gpus]

    def _start(self, program: str) -> None:
        self._started_at = time.monotonic()
        self._gpus = []
        command = [
            program,
            f"--query-gpu={','.join(GPU_QUERY)}",
            "--format=csv,noheader,nounits",
            f"--loop-ms={self.interval_ms}",
        ]
        try:
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
            )
        except OSError:
            self._process = None
            return
        self._process = process
        threading.Thread(
            target=self._follow, args=(process,), name="mlstudio-nvidia-smi", daemon=True
        ).start()

    def _follow(self, process: subprocess.Popen[str]) -> None:
        """Read the reports: one line per GPU, the GPUs in order; a GPU seen again starts
        the next report, so the previous one is complete."""
        current: dict[int, dict[str, float]] = {}
        assert process.stdout is not None
        with contextlib.suppress(OSError, ValueError):
            for line in process.stdout:
                for gpu in parse_nvidia_smi(line):
                    index = int(gpu["index"])
                    if index in current:
                        with self._lock:
                            self._gpus = [current[i] for i in sorted(current)]
                        current = {}
                    current[index] = gpu
                if time.monotonic() - self._read_at > self.idle_s:
                    break
        self._end(process)

    def _end(self, process: subprocess.Popen[str]) -> None:
        with contextlib.suppress(OSError):
            process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5)
        if process.stdout is not None:
            with contextlib.suppress(OSError):
                process.stdout.close()

    def close(self) -> None:
        """End nvidia-smi (a later :meth:`read` starts it again)."""
        with self._lock:
            process, self._process = self._process, None
            self._started_at = -float("inf")
        if process is not None:
            with contextlib.suppress(OSError):
                process.terminate()


#: one probe for the whole studio: every runner and host shares its readings
GPUS = GpuProbe()


@dataclass
class _Reading:
    monotonic: float
    cpu_seconds: float
    machine: Any  # psutil's per-CPU times, or None
    machine_total: Any  # psutil's machine-wide times, or None


class ProcessTreeMeter:
    """Measures the process ``pid`` (started at ``create_time``) and its descendants."""

    def __init__(self, pid: int, create_time: float | None, gpus: GpuProbe = GPUS) -> None:
        import psutil

        self._psutil = psutil
        self.pid = pid
        self.create_time = create_time
        self.gpus = gpus
        self._root = psutil.Process(pid)
        #: pid → the psutil object (kept: its create time is read once)
        self._procs: dict[int, Any] = {pid: self._root}
        #: (pid, create time) → (cpu seconds, read bytes, write bytes) at the last reading
        self._last: dict[tuple[int, float], tuple[float, int, int]] = {}
        #: what processes that ended had used
        self._gone = [0.0, 0, 0]
        self._previous: _Reading | None = None
        self._memory_total = int(psutil.virtual_memory().total)
        self._lock = threading.Lock()

    def measure(self) -> HostSample | None:
        """A sample of the tree now; None when its root has ended. Thread-safe."""
        with self._lock:
            return self._measure()

    def _measure(self) -> HostSample | None:
        psutil = self._psutil
        try:
            if self._root.status() == psutil.STATUS_ZOMBIE:
                return None
            members = [self._root, *self._root.children(recursive=True)]
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return None
        now, mono = time.time(), time.monotonic()
        seen: dict[tuple[int, float], tuple[float, int, int]] = {}
        rss = 0
        procs: dict[int, Any] = {}
        for found in members:
            proc = self._procs.get(found.pid, found)
            try:
                with proc.oneshot():
                    key = (proc.pid, proc.create_time())
                    times = proc.cpu_times()
                    rss += int(proc.memory_info().rss)
                    try:
                        io = proc.io_counters()
                        disk = (int(io.read_bytes), int(io.write_bytes))
                    except (psutil.AccessDenied, AttributeError):
                        disk = (0, 0)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            procs[proc.pid] = proc
            seen[key] = (float(times.user + times.system), *disk)
        for key in self._last.keys() - seen.keys():  # ended since the last reading
            for i, value in enumerate(self._last[key]):
                self._gone[i] += value
        self._last, self._procs = seen, procs
        cpu_seconds = self._gone[0] + sum(v[0] for v in seen.values())
        read_bytes = int(self._gone[1]) + sum(v[1] for v in seen.values())
        write_bytes = int(self._gone[2]) + sum(v[2] for v in seen.values())
        machine = _quiet(lambda: psutil.cpu_times(percpu=True))
        machine_total = _quiet(psutil.cpu_times)
        previous, self._previous = (
            self._previous,
            _Reading(mono, cpu_seconds, machine, machine_total),
        )
        cores: list[float] = []
        io_wait: float | None = None
        if previous is None:
            started = self.create_time or self._root.create_time()
            cpu = 100.0 * cpu_seconds / max(now - started, 1e-3)
        else:
            cpu = (
                100.0 * (cpu_seconds - previous.cpu_seconds) / max(mono - previous.monotonic, 1e-3)
            )
            if machine and previous.machine and len(machine) == len(previous.machine):
                cores = [_busy(a, b) for a, b in zip(previous.machine, machine, strict=True)]
            if machine_total is not None and previous.machine_total is not None:
                io_wait = _share(previous.machine_total, machine_total, "iowait")
        return HostSample(
            t=now,
            cpu_percent=max(0.0, cpu),
            memory_bytes=rss,
            memory_percent=100.0 * rss / self._memory_total if self._memory_total else 0.0,
            cpu_cores=cores,
            disk_read_bytes=read_bytes,
            disk_write_bytes=write_bytes,
            io_wait_percent=io_wait,
            gpus=self.gpus.read(),
        )


def _quiet(read: Any) -> Any:
    try:
        return read()
    except Exception:  # a platform without the figure
        return None


def _total(times: Any) -> float:
    # guest time is already counted in user time on Linux
    return float(sum(times)) - float(getattr(times, "guest", 0) + getattr(times, "guest_nice", 0))


def _busy(before: Any, after: Any) -> float:
    """The % of one CPU's time between two readings that was neither idle nor I/O wait."""
    total = _total(after) - _total(before)
    if total <= 0:
        return 0.0
    idle = (after.idle - before.idle) + (
        getattr(after, "iowait", 0.0) - getattr(before, "iowait", 0.0)
    )
    return round(max(0.0, min(100.0, 100.0 * (total - idle) / total)), 2)


def _share(before: Any, after: Any, name: str) -> float | None:
    total = _total(after) - _total(before)
    if total <= 0 or not hasattr(after, name):
        return None
    return max(0.0, 100.0 * (getattr(after, name) - getattr(before, name)) / total)


# -- docker ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DockerReading:
    """What :func:`docker_sample` keeps of a reading to compute the next one's rates."""

    t: float
    total_ns: int
    percpu_ns: tuple[int, ...]


def _engine_time(text: str) -> float | None:
    """The engine's ``read`` time (RFC 3339 with nanoseconds) as epoch s; None for the zero
    time the engine gives a stopped container."""
    if not text or text.startswith("0001-"):
        return None
    body = text.rstrip("Z")
    if "." in body:
        head, fraction = body.split(".", 1)
        body = f"{head}.{fraction[:6]}"
    try:
        return datetime.fromisoformat(body + "+00:00").timestamp()
    except ValueError:
        return None


def docker_sample(
    stats: Mapping[str, Any], previous: DockerReading | None, started_at: float
) -> tuple[HostSample, DockerReading] | None:
    """One sample from the engine's stats of a container, and what to keep for the next.

    Args:
        stats: ``GET /containers/{id}/stats?stream=false&one_shot=true``'s body.
        previous: The reading kept from the container's previous sample, or None.
        started_at: When the container started (epoch s): the first sample's CPU is the
            average since then.

    Returns:
        The sample and the reading to keep, or None when the container is not running
        (the engine answers a stopped container with the zero time and no figures).
    """
    t = _engine_time(str(stats.get("read") or ""))
    cpu_stats = stats.get("cpu_stats") or {}
    usage = cpu_stats.get("cpu_usage") or {}
    memory = stats.get("memory_stats") or {}
    if t is None or not memory:
        return None
    total = int(usage.get("total_usage") or 0)
    percpu = tuple(int(v) for v in usage.get("percpu_usage") or ())
    cores: list[float] = []
    if previous is None:
        cpu = 100.0 * total / 1e9 / max(t - started_at, 1e-3)
    else:
        elapsed = max(t - previous.t, 1e-3)
        cpu = 100.0 * (total - previous.total_ns) / 1e9 / elapsed
        if percpu and len(percpu) == len(previous.percpu_ns):
            cores = [
                round(max(0.0, min(100.0, 100.0 * (a - b) / 1e9 / elapsed)), 2)
                for a, b in zip(percpu, previous.percpu_ns, strict=True)
            ]
    detail = memory.get("stats") or {}
    inactive = detail.get("total_inactive_file", detail.get("inactive_file", 0))
    used = max(0, int(memory.get("usage") or 0) - int(inactive or 0))
    limit = int(memory.get("limit") or 0)
    disk = _blkio(stats.get("blkio_stats") or {})
    net = _networks(stats.get("networks"))
    sample = HostSample(
        t=t,
        cpu_percent=max(0.0, cpu),
        memory_bytes=used,
        memory_percent=100.0 * used / limit if limit else 0.0,
        cpu_cores=cores,
        disk_read_bytes=disk[0],
        disk_write_bytes=disk[1],
        net_rx_bytes=net[0],
        net_tx_bytes=net[1],
    )
    return sample, DockerReading(t, total, percpu)


def _blkio(blkio: Mapping[str, Any]) -> tuple[int | None, int | None]:
    entries = blkio.get("io_service_bytes_recursive")
    if not isinstance(entries, Sequence):
        return None, None
    read = write = 0
    for entry in entries:
        op = str(entry.get("op", "")).lower()
        if op == "read":
            read += int(entry.get("value") or 0)
        elif op == "write":
            write += int(entry.get("value") or 0)
    return read, write


def _networks(networks: Any) -> tuple[int | None, int | None]:
    if not isinstance(networks, Mapping) or not networks:
        return None, None
    rx = sum(int(n.get("rx_bytes") or 0) for n in networks.values())
    tx = sum(int(n.get("tx_bytes") or 0) for n in networks.values())
    return rx, tx


class StatsFollower(threading.Thread):
    """Keeps the latest reading of a container's stats stream (the engine sends one a
    second; a one-shot request made while a stream runs waits up to a second for the
    engine's next reading, so the sampler reads the stream instead). Ends with the
    stream: when the container stops or is removed, or the engine goes away."""

    def __init__(self, open_stream: Any, name: str) -> None:
        super().__init__(name=name, daemon=True)
        self._open_stream = open_stream
        self._lock = threading.Lock()
        self._latest: Mapping[str, Any] | None = None
        self._count = 0

    def run(self) -> None:
        try:
            for item in self._open_stream():
                with self._lock:
                    self._latest, self._count = item, self._count + 1
        except Exception:  # the stream broke: the next sample reads once and starts anew
            return

    def latest(self) -> tuple[Mapping[str, Any] | None, int]:
        """The last reading and how many came before it (to tell a new one)."""
        with self._lock:
            return self._latest, self._count
