"""The process runtime: each host of a job is a subprocess of the studio's own Python.

Per host, the runner keeps ``<state_root>/<job>/<host>/`` with ``state.json`` (pid, process
start time, labels, the exit code once known), ``output.log`` (stdout and stderr) and
``exit_code`` (written by the job's supervisor). The job's ``/opt/ml`` is the spec's
``ml_dir``; mounts become symbolic links inside it.

- The process the runner starts and records is the job's *supervisor*
  (:func:`.launcher.fork_supervised`), whose child is the job: when the job ends, the
  supervisor writes its exit code to ``exit_code`` (atomically) and exits with it. The
  code so outlives the studio: a runner of a studio started again after a crash
  (``kill -9``), which is no longer the job's parent, reads it there.
- The supervisor runs in its own session/process group, with the job; ``stop`` signals
  the whole group (SIGTERM, then SIGKILL after the grace period).
- Limits where the OS allows: memory as RLIMIT_AS (an allocation beyond it fails inside the
  job — there is no OOM kill, so ``oom_killed`` stays false), CPUs as an affinity mask of
  ``ceil(cpus)`` CPUs.
- A new runner instance (after a studio restart) re-attaches by pid, trusting it only when
  the process's start time matches the recorded one, so a reused pid is never signalled.
  Only a job whose supervisor was killed (SIGKILL) while no runner watched it has an
  unknown exit code.
- Script-mode jobs (``train`` with a ``.py`` entry point) start in a *warm spare*, a
  Python started in advance that has imported nothing beyond Python's start-up and runs
  the script as ``python script.py`` would (:mod:`.warm`, :func:`.launcher.spare`); the
  spare is the job's supervisor and forks the job. What a spare cannot honour (a
  ``working_dir``, a variable read only at start-up that differs, no spare ready) starts
  cold: ``python -I -S launcher.py --mlstudio-supervise <exit file> python script.py``
  (the studio's own Python supervises). ``warm_start=False`` always starts cold.
  ``close`` kills the spare.
- ``serve`` runs the model server (``hosting/model_server.py``) with the studio's Python.
  With ``spec.expose`` the runner picks a free port on 127.0.0.1 and passes it as
  ``SAGEMAKER_BIND_TO_PORT`` with ``SAGEMAKER_BIND_ADDRESS=127.0.0.1`` (overriding the
  spec's env); ``state.json`` keeps it as ``port`` (and the label ``mlstudio.expose`` the
  container port asked for), so ``address`` answers from a new runner too. The port is
  free when picked; another program could take it before the job binds it (the job then
  exits with an error), as with any ephemeral port chosen ahead.
- The hosts of a multi-instance job reach each other by name from Python: each gets
  ``MLSTUDIO_HOST_ADDRESSES`` (:func:`host_addresses`) and the ``hostnames`` folder first
  on ``PYTHONPATH``, whose ``sitecustomize`` makes the ``socket`` module resolve ``algo-i``
  (``hostnames/mlstudio_hostnames.py``; the warm spare installs it before the script).
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..exceptions import ConflictError, NotFoundError, ValidationError
from . import launcher, warm
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
    host_name,
    read_text_from,
    signal_exit_code,
)
from .sampling import ProcessTreeMeter

_NAME_RE = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$")
STATE_FILE = "state.json"
LOG_FILE = "output.log"
#: where the job's supervisor records its exit code (:func:`.launcher.record_exit`)
EXIT_FILE = "exit_code"
LOST = "the process ended while no runner watched it; its exit code is unknown"
#: what ``serve`` runs (standard library and numpy; also the image's /usr/local/bin/serve)
MODEL_SERVER = Path(__file__).resolve().parent.parent / "hosting" / "model_server.py"
#: the folder whose ``sitecustomize`` resolves a multi-instance job's host names
HOSTNAMES_DIR = Path(__file__).resolve().parent / "hostnames"
#: ``algo-1=address,...``: the names it resolves (read by ``mlstudio_hostnames``)
HOST_ADDRESSES = "MLSTUDIO_HOST_ADDRESSES"


def host_addresses(count: int) -> str:
    """``algo-1=127.77.0.1,...`` for a job of ``count`` hosts: an address of its own per
    host on Linux (the whole of 127.0.0.0/8 is the loopback interface there, so two hosts
    can each bind the same port on their own name), 127.0.0.1 for every host elsewhere."""
    own = sys.platform.startswith("linux")
    return ",".join(
        f"{host_name(i)}={f'127.77.{i // 250}.{i % 250 + 1}' if own else LOOPBACK}"
        for i in range(count)
    )


def free_port(address: str = LOOPBACK) -> int:
    """A TCP port nothing listens on at ``address`` right now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((address, 0))
        return int(probe.getsockname()[1])


def find_program(name: str, cwd: Path, env: Mapping[str, str]) -> str:
    """The program ``exec`` would start for ``name`` in ``cwd`` with ``env``: a name with
    a slash as it is (relative to ``cwd``), any other searched on ``env``'s ``PATH``.
    FileNotFoundError when there is none, PermissionError when it cannot be executed."""
    if os.sep not in name:
        found = shutil.which(name, path=env.get("PATH", os.defpath))
        if found is None:
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), name)
        return found
    path = Path(name) if os.path.isabs(name) else cwd / name
    if not path.exists():
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), name)
    if not path.is_file() or not os.access(path, os.X_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), name)
    return name


def _proc_start_time(pid: int) -> float | None:
    """A stable start time of ``pid`` (None if it does not exist): psutil, else /proc."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with jupyter_server
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return float(fields[19])  # starttime in clock ticks since boot
        except (OSError, IndexError, ValueError):
            return None
    try:
        return float(psutil.Process(pid).create_time())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


def _is_zombie(pid: int) -> bool:
    try:
        import psutil

        return bool(psutil.Process(pid).status() == psutil.STATUS_ZOMBIE)
    except Exception:
        return False


def _cpu_set(cpus: float | None) -> set[int] | None:
    if cpus is None or not hasattr(os, "sched_getaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    return set(allowed[: max(1, min(len(allowed), math.ceil(cpus)))])


def _limit_process(pid: int, cpus: float | None, memory_bytes: int | None) -> None:
    """The limits :func:`_limits` sets, set from outside on the running process ``pid``
    (a warm spare, before it reads its job). OSError when the OS refuses."""
    if memory_bytes is not None:
        import resource

        resource.prlimit(pid, resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    cpu_set = _cpu_set(cpus)
    if cpu_set is not None:
        os.sched_setaffinity(pid, cpu_set)


def _limits(cpus: float | None, memory_bytes: int | None) -> Callable[[], None] | None:
    if cpus is None and memory_bytes is None:
        return None
    cpu_set = _cpu_set(cpus)

    def apply() -> None:  # runs in the child between fork and exec
        if memory_bytes is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        if cpu_set is not None:
            os.sched_setaffinity(0, cpu_set)

    return apply


class ProcessRunner(JobRunner):
    """Runs job hosts as subprocesses; state under ``state_root`` (see module docstring)."""

    name = "process"

    def __init__(
        self, state_root: Path, *, python: str | None = None, warm_start: bool = True
    ) -> None:
        self.state_root = Path(state_root)
        self.python = python or sys.executable
        self._lock = threading.RLock()
        self._children: dict[tuple[str, str], subprocess.Popen[bytes]] = {}
        #: the profiler's meters, one per sampled host (:meth:`sample`)
        self._meters: dict[tuple[str, str], ProcessTreeMeter] = {}
        #: the warm spare of script-mode jobs (:mod:`.warm`); None: always start cold
        self.warm = warm.WarmPool(self.python, _proc_start_time) if warm_start else None

    # -- paths and state ------------------------------------------------------------------
    def ml_path(self, spec_ml_dir: Path, relative: str = "") -> str:
        return str(spec_ml_dir / relative) if relative else str(spec_ml_dir)

    def _dir(self, job_name: str, host: str) -> Path:
        return self.state_root / job_name / host

    def _read(self, handle: JobHandle) -> dict[str, Any]:
        try:
            return dict(
                json.loads((self._dir(handle.job_name, handle.host) / STATE_FILE).read_text())
            )
        except (OSError, ValueError) as exc:
            raise NotFoundError(
                f"no process job {handle.job_name}/{handle.host} (cleaned up or never started)"
            ) from exc

    def _write(self, folder: Path, state: Mapping[str, Any]) -> None:
        tmp = folder / (STATE_FILE + ".tmp")
        tmp.write_text(json.dumps(state, indent=2, sort_keys=True))
        os.replace(tmp, folder / STATE_FILE)

    # -- launch ---------------------------------------------------------------------------
    def _argv(self, spec: ContainerSpec) -> list[str]:
        argv = [*(spec.entrypoint or ()), *spec.command]
        if not argv:
            raise ValidationError("the process runtime needs a command", field="command")
        if argv[0] == "train":
            return [self.python, launcher.__file__, *argv[1:]]
        if argv[0] == "serve":
            return [self.python, str(MODEL_SERVER), *argv[1:]]
        if argv[0] in ("python", "python3"):
            return [self.python, *argv[1:]]
        return argv

    def _host_path(self, spec: ContainerSpec, target: str, field: str) -> Path:
        relative = os.path.relpath(target, OPT_ML)
        if not target.startswith(OPT_ML) or relative.startswith(".."):
            raise ValidationError(
                f"{target!r} is not under {OPT_ML}; the process runtime maps only {OPT_ML}",
                field=field,
            )
        return spec.ml_dir / relative if relative != "." else spec.ml_dir

    def _link_mounts(self, spec: ContainerSpec) -> None:
        for mount in spec.mounts:
            dest = self._host_path(spec, mount.target, "mounts")
            if not Path(mount.source).exists():
                raise ValidationError(f"mount source {mount.source} does not exist", field="mounts")
            if dest.is_symlink():
                dest.unlink()
            elif dest.is_dir() and not any(dest.iterdir()):
                dest.rmdir()
            elif dest.exists():
                raise ValidationError(
                    f"cannot mount {mount.source} at {mount.target}: it is not empty",
                    field="mounts",
                )
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.symlink_to(Path(mount.source).absolute())

    def launch(self, spec: ContainerSpec) -> JobHandle:
        for value, field in ((spec.job_name, "job_name"), (spec.host, "host")):
            if not _NAME_RE.match(value or ""):
                raise ValidationError(f"invalid name {value!r}", field=field)
        if spec.image is not None:
            raise ValidationError(
                f"the process runtime runs the studio's Python and cannot run image"
                f" {spec.image!r}; use the docker runtime",
                field="image_uri",
            )
        argv = self._argv(spec)
        if not spec.ml_dir.is_dir():
            raise ValidationError(f"{spec.ml_dir} is not a folder", field="ml_dir")
        if spec.working_dir:
            cwd = self._host_path(spec, spec.working_dir, "working_dir")
        else:
            cwd = spec.ml_dir / "code" if (spec.ml_dir / "code").is_dir() else spec.ml_dir
        if spec.expose is not None and not 0 < spec.expose < 65536:
            raise ValidationError(f"cannot expose port {spec.expose}", field="expose")
        labels = {
            **spec.labels,
            LABEL_JOB: spec.job_name,
            LABEL_HOST: spec.host,
            LABEL_MANAGED: "true",
        }
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **spec.env}
        script_mode = False
        if argv[1:2] == [launcher.__file__] and not spec.working_dir:
            # script mode: start the entry point itself, as `python script.py` (the
            # launcher's rules, resolved here), saving a second interpreter start
            direct = launcher.direct_command(env, argv[2:], self.python)
            if direct is not None:
                argv, code_dir, env["PYTHONPATH"] = direct
                cwd = Path(code_dir)
                script_mode = True
        if spec.instance_count > 1 and argv[1:2] != [str(MODEL_SERVER)]:
            # the hosts' names resolve in their Pythons (model servers need no peers)
            env[HOST_ADDRESSES] = host_addresses(spec.instance_count)
            env["PYTHONPATH"] = os.pathsep.join(
                p for p in (str(HOSTNAMES_DIR), env.get("PYTHONPATH", "")) if p
            )
        port: int | None = None
        if spec.expose is not None:
            labels[LABEL_EXPOSE] = str(spec.expose)
            port = free_port()
            env["SAGEMAKER_BIND_TO_PORT"] = str(port)
            env["SAGEMAKER_BIND_ADDRESS"] = LOOPBACK
        elif argv[1:2] == [str(MODEL_SERVER)]:
            env.setdefault("SAGEMAKER_BIND_ADDRESS", LOOPBACK)  # never other interfaces
        folder = self._dir(spec.job_name, spec.host)
        with self._lock:
            try:
                folder.mkdir(parents=True, exist_ok=False)
            except FileExistsError as exc:
                raise ConflictError(
                    f"job {spec.job_name} already has a process for {spec.host}",
                    field="job_name",
                ) from exc
            try:
                self._link_mounts(spec)
                spare = None
                if script_mode and self.warm is not None:
                    spare = self._launch_warm(spec, folder / LOG_FILE, cwd, argv, env)
                if spare is not None:
                    child, create_time = spare.process, spare.create_time
                else:
                    child, create_time = self._launch_cold(spec, folder / LOG_FILE, cwd, argv, env)
            except OSError as exc:
                shutil.rmtree(folder, ignore_errors=True)
                raise ValidationError(f"cannot start {argv[0]}: {exc}", field="command") from exc
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            started = time.time()
            self._children[(spec.job_name, spec.host)] = child
            self._write(
                folder,
                {
                    "job_name": spec.job_name,
                    "host": spec.host,
                    "pid": child.pid,
                    "create_time": create_time,
                    "started_at": started,
                    "ml_dir": str(spec.ml_dir),
                    "argv": argv,
                    "labels": labels,
                    "port": port,
                    "exit_code": None,
                    "warm": spare is not None,
                },
            )
        if script_mode and self.warm is not None:
            self.warm.refill()  # in the background: the next script-mode job starts warm
        return JobHandle(self.name, spec.job_name, spec.host, str(child.pid), started, labels)

    def _launch_warm(
        self,
        spec: ContainerSpec,
        log: Path,
        cwd: Path,
        argv: list[str],
        env: Mapping[str, str],
    ) -> warm.Spare | None:
        """Hand the job to the ready spare (see :mod:`.warm`); None when it cannot take
        it (then the caller starts the job cold)."""
        assert self.warm is not None
        data = warm.message(str(log), str(log.parent / EXIT_FILE), str(cwd), argv, env)
        if data is None:
            return None
        with open(log, "ab"):
            pass  # the log exists when launch returns, as on the cold path
        spare = self.warm.take(env)
        if spare is None:
            return None
        try:
            _limit_process(spare.pid, spec.cpus, spec.memory_bytes)
            spare.send(data)
        except OSError:
            spare.discard()  # gone, or refused the limits: the job starts cold
            return None
        return spare

    def _launch_cold(
        self,
        spec: ContainerSpec,
        log_path: Path,
        cwd: Path,
        argv: list[str],
        env: Mapping[str, str],
    ) -> tuple[subprocess.Popen[bytes], float | None]:
        """Start ``argv`` under a supervisor in the studio's own Python (see the module
        docstring); OSError when the program cannot be started."""
        find_program(argv[0], cwd, env)  # the supervisor could only report it in the log
        supervisor = [
            sys.executable or self.python,
            "-I",  # isolated: none of the job's PYTHON* variables, no user site
            "-S",  # no site: the supervisor imports nothing it does not need
            launcher.__file__,
            launcher.SUPERVISE_FLAG,
            str(log_path.parent / EXIT_FILE),
            *argv,
        ]
        with open(log_path, "ab") as log:
            child = subprocess.Popen(
                supervisor,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_limits(spec.cpus, spec.memory_bytes),
                close_fds=True,
            )
        return child, _proc_start_time(child.pid)

    # -- watching -------------------------------------------------------------------------
    def _alive(self, state: Mapping[str, Any]) -> bool:
        """The recorded process still exists (same pid and start time) and is not a zombie."""
        pid = int(state["pid"])
        now = _proc_start_time(pid)
        recorded = state.get("create_time")
        if now is None or (recorded is not None and abs(now - float(recorded)) > 0.01):
            return False
        return not _is_zombie(pid)

    def _finish(self, handle: JobHandle, state: dict[str, Any], code: int | None) -> JobState:
        """Record that the host has ended: with the code its supervisor wrote, else
        ``code`` (what waiting for the supervisor gave; None when it was not our child)."""
        recorded = launcher.read_exit(str(self._dir(handle.job_name, handle.host) / EXIT_FILE))
        code = code if recorded is None else recorded
        state["exit_code"] = code
        state["lost"] = code is None
        state["ended_at"] = time.time()
        with contextlib.suppress(OSError):
            self._write(self._dir(handle.job_name, handle.host), state)
        return JobState(RunStatus.EXITED, code, detail=LOST if code is None else None)

    def poll(self, handle: JobHandle) -> JobState:
        with self._lock:
            state = self._read(handle)
            if state.get("ended_at") is not None:
                code = state.get("exit_code")
                return JobState(RunStatus.EXITED, code, detail=LOST if code is None else None)
            child = self._children.get((handle.job_name, handle.host))
            if child is not None and child.pid == int(state["pid"]):
                returncode = child.poll()
                if returncode is None:
                    return JobState(RunStatus.RUNNING)
                return self._finish(handle, state, signal_exit_code(returncode))
            if self._alive(state):
                return JobState(RunStatus.RUNNING)
            ended, code = self._reap(int(state["pid"]))
            if not ended:  # our child, caught while dying: not a zombie yet
                return JobState(RunStatus.RUNNING)
            return self._finish(handle, state, code)

    @staticmethod
    def _reap(pid: int) -> tuple[bool, int | None]:
        """``(ended, exit code)`` without blocking: the code when ``pid`` is a child of this
        process that has ended, ``(False, None)`` while that child has not quite ended yet,
        ``(True, None)`` when it is not (or no longer) a child of this process."""
        try:
            reaped, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return True, None
        if reaped != pid:
            return False, None
        return True, signal_exit_code(os.waitstatus_to_exitcode(status))

    def wait(self, handle: JobHandle, timeout: float | None = None) -> JobState:
        child = self._children.get((handle.job_name, handle.host))
        if child is not None:
            self._read(handle)  # NotFoundError after cleanup
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout)
        return super().wait(handle, timeout if child is None else 0)

    def sample(self, handle: JobHandle) -> HostSample | None:
        """The host's process tree (its supervisor and everything below it) measured with
        psutil (:class:`.sampling.ProcessTreeMeter`); the network is not measured."""
        key = (handle.job_name, handle.host)
        if not self.poll(handle).running:
            with self._lock:
                self._meters.pop(key, None)
            return None
        state = self._read(handle)
        with self._lock:
            meter = self._meters.get(key)
            if meter is None or meter.pid != int(state["pid"]):
                try:
                    meter = ProcessTreeMeter(int(state["pid"]), state.get("create_time"))
                except Exception:  # psutil.NoSuchProcess: ended meanwhile
                    return None
                self._meters[key] = meter
        found = meter.measure()
        if found is None:
            with self._lock:
                self._meters.pop(key, None)
        return found

    def logs(self, handle: JobHandle, since_offset: int = 0) -> tuple[str, int]:
        self._read(handle)
        try:
            return read_text_from(self._dir(handle.job_name, handle.host) / LOG_FILE, since_offset)
        except OSError as exc:
            raise NotFoundError(f"no log for {handle.job_name}/{handle.host}") from exc

    def address(self, handle: JobHandle) -> tuple[str, int]:
        state = self._read(handle)  # NotFoundError once cleaned up
        if state.get("port") is None:
            raise ValidationError(
                f"job {handle.job_name}/{handle.host} exposed no port", field="expose"
            )
        return LOOPBACK, int(state["port"])

    # -- stopping and cleaning up ---------------------------------------------------------
    def _signal_group(self, state: Mapping[str, Any], sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(int(state["pid"]), sig)

    def stop(self, handle: JobHandle, grace_seconds: float = 10.0) -> JobState:
        current = self.poll(handle)
        if not current.running:
            return current
        state = self._read(handle)
        self._signal_group(state, signal.SIGTERM)
        current = self.wait(handle, grace_seconds)
        # SIGKILL whatever is left of the group: the leader if it ignored SIGTERM, and any
        # process it started (the group outlives its leader only while members remain)
        self._signal_group(state, signal.SIGKILL)
        if current.running:
            current = self.wait(handle, 10.0)
        return current

    def find(self, labels: Mapping[str, str] | None = None) -> list[JobHandle]:
        handles = []
        for path in sorted(self.state_root.glob(f"*/*/{STATE_FILE}")):
            try:
                state = json.loads(path.read_text())
            except (OSError, ValueError):
                continue
            have = state.get("labels") or {}
            if all(have.get(k) == v for k, v in (labels or {}).items()):
                handles.append(
                    JobHandle(
                        self.name,
                        state["job_name"],
                        state["host"],
                        str(state["pid"]),
                        float(state["started_at"]),
                        have,
                    )
                )
        return handles

    def close(self) -> None:
        """Kill the warm spare (jobs keep running; a new runner finds them)."""
        if self.warm is not None:
            self.warm.close()

    def cleanup(self, handle: JobHandle) -> None:
        try:
            state = self.poll(handle)
        except NotFoundError:
            return
        if state.running:
            self.stop(handle, grace_seconds=0)
        with self._lock:
            self._children.pop((handle.job_name, handle.host), None)
            self._meters.pop((handle.job_name, handle.host), None)
            folder = self._dir(handle.job_name, handle.host)
            shutil.rmtree(folder, ignore_errors=True)
            with contextlib.suppress(OSError):
                folder.parent.rmdir()  # the job's folder, once its last host is gone
