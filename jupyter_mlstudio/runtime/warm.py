"""Warm interpreters for the process runtime: script-mode jobs start in a spare Python.

:class:`ProcessRunner <.process.ProcessRunner>` keeps one *spare*: the studio's Python
running ``launcher.py --mlstudio-warm-spare`` (:func:`.launcher.spare`), started in advance
by a background thread — lazily at the first script-mode launch, and again right after
each one — in its own session, with stdin, stdout and stderr on ``/dev/null``,
``PYTHONUNBUFFERED=1`` and the studio's environment without ``PYTHONPATH``. It has
imported only what Python loads at start-up and waits, blocked on a pipe, for one launch
message (:func:`message`: the log file, the exit file, the folder, ``[python, script,
*args]``, the environment). The runner sets the spec's resource limits on it from outside
(``prlimit``, the CPU affinity), writes the message and closes the pipe; the spare forks
and becomes the job's supervisor (:func:`.launcher.fork_supervised`: its pid and start
time are the job's as the runner records them, as a cold start's supervisor's are), so
``poll``/``stop``/``reattach``/``cleanup`` treat it as any other job.

What the spare cannot honour, the runner starts cold (``python script.py``) as before: a
non-Python program or a ``working_dir``, an environment that differs from the spare's in
a variable read only when a process starts (:func:`read_at_startup`; ``PYTHONPATH`` is
fine: the spare rebuilds ``sys.path`` from it), and no spare ready and alive. A spare is
used once; a dead one is replaced. :meth:`WarmPool.close` kills the spare, and a spare
whose runner's process is gone reads the end of its pipe and exits.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence

from . import launcher

#: variables read at start-up by Python (``PYTHON*``, see "Environment variables" in
#: Python's documentation), by the C library and the dynamic loader (``LD_*``,
#: ``MALLOC_*``, ``GLIBC_TUNABLES``), for the locale (``LANG``, ``LC_*``: the encodings of
#: stdio and file names), for ``site`` (``HOME``: the user site folder) and by the ``time``
#: module, which Python imports at start-up (``TZ``)
_STARTUP_PREFIXES = ("PYTHON", "LC_", "LD_", "MALLOC_")
_STARTUP_NAMES = frozenset({"HOME", "TZ", "LANG", "GLIBC_TUNABLES", "__PYVENV_LAUNCHER__"})
#: rebuilt in the spare (:func:`.launcher.startup_path`)
PYTHONPATH = "PYTHONPATH"


def read_at_startup(name: str) -> bool:
    """Whether the variable ``name`` only matters when a process starts (so a spare
    started with another value cannot honour it); ``PYTHONPATH`` does not count."""
    if name == PYTHONPATH:
        return False
    return name in _STARTUP_NAMES or name.startswith(_STARTUP_PREFIXES)


def startup_difference(started: Mapping[str, str], wanted: Mapping[str, str]) -> str | None:
    """A variable read at start-up whose value differs between a spare's start-up
    environment ``started`` and a job's ``wanted``; None when there is none."""
    for name in sorted(started.keys() | wanted.keys()):
        if read_at_startup(name) and started.get(name) != wanted.get(name):
            return name
    return None


def message(
    log: str, exit_file: str, cwd: str, argv: Sequence[str], env: Mapping[str, str]
) -> bytes | None:
    """The launch message :func:`.launcher.spare` reads; None when something cannot be
    passed (a NUL character, a variable name with ``=``: the cold path reports it)."""
    fields = [log, exit_file, cwd, str(len(argv)), *argv]
    for name, value in env.items():
        if not name or "=" in name:
            return None
        fields.append(f"{name}={value}")
    encoded = [os.fsencode(f) for f in fields]
    if any(b"\0" in f for f in encoded):
        return None
    return b"\0".join(encoded)


def spare_env() -> dict[str, str]:
    """The environment a spare starts with: the studio's, ``PYTHONUNBUFFERED=1`` (as every
    job of the process runtime has it), no ``PYTHONPATH``."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop(PYTHONPATH, None)
    return env


class Spare:
    """One warm interpreter: the process, the write end of its launch pipe, the
    environment it started with and its start time (as :mod:`.process` records it)."""

    def __init__(
        self, process: subprocess.Popen[bytes], channel: int, ready: int, env: dict[str, str]
    ) -> None:
        self.process = process
        self.pid = process.pid
        self.env = env
        self.create_time: float | None = None
        self._channel: int | None = channel  # closed by send or discard (or when collected)
        self._ready: int | None = ready  # read and closed by the pool's starting thread
        self._lock = threading.Lock()

    def __del__(self) -> None:  # a runner dropped without close: the spare reads EOF, exits
        for fd in (self._channel, self._ready):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)

    def send(self, data: bytes) -> None:
        """Write the launch message and close the pipe. OSError (BrokenPipeError) when the
        spare is gone."""
        with self._lock:
            if self._channel is None:
                raise BrokenPipeError("the spare's pipe is closed")
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(self._channel, view) :]
            finally:
                os.close(self._channel)
                self._channel = None

    def wait_ready(self) -> bool:
        """Block until the spare has started (True) or died (False); once, in the thread
        that started it (which closes the pipe after: :meth:`close_ready`)."""
        if self._ready is None:
            return False
        try:
            return os.read(self._ready, 1) == b"1"
        except OSError:
            return False

    def close_ready(self) -> None:
        fd, self._ready = self._ready, None
        if fd is not None:
            os.close(fd)

    def discard(self) -> None:
        """Kill the spare (its whole group) and reap it. Idempotent."""
        with self._lock:
            if self._channel is not None:
                os.close(self._channel)
                self._channel = None
            if self.process.poll() is None:  # still ours: the pid cannot have been reused
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(10)


class WarmPool:
    """Keeps one ready :class:`Spare` (see the module docstring). Thread-safe."""

    def __init__(
        self, python: str, start_time: Callable[[int], float | None], refill_delay: float = 0.0
    ) -> None:
        self.python = python
        self.refill_delay = refill_delay
        self._start_time = start_time
        self._lock = threading.Lock()
        self._ready: Spare | None = None
        self._starting: Spare | None = None
        self._thread: threading.Thread | None = None
        self._closed = threading.Event()
        self._changed = threading.Condition(self._lock)

    def take(self, env: Mapping[str, str]) -> Spare | None:
        """The ready spare, when it is alive and can run a job with ``env``; it is no
        longer the pool's (call :meth:`refill` after the launch). None: start cold."""
        stale = None
        with self._lock:
            spare = self._ready
            if spare is None:
                return None
            if startup_difference(spare.env, env) is not None:
                if startup_difference(spare.env, spare_env()) is None:
                    return None  # the job asks for something else: it starts cold
                stale, spare = spare, None  # the studio's environment changed since
            self._ready = None
        if stale is not None:
            stale.discard()
            return None
        assert spare is not None
        if spare.process.poll() is not None:  # killed while it waited
            spare.discard()
            return None
        return spare

    def refill(self) -> None:
        """Start a spare in a background thread unless one is ready or starting."""
        with self._lock:
            if self._closed.is_set() or self._ready is not None or self._thread is not None:
                return
            self._thread = threading.Thread(
                target=self._start, name="mlstudio-warm-spare", daemon=True
            )
            self._thread.start()

    def wait_ready(self, timeout: float | None = None) -> Spare | None:
        """Start a spare if needed and wait until one is ready (None after ``timeout``)."""
        self.refill()
        with self._changed:
            self._changed.wait_for(
                lambda: self._ready is not None or self._closed.is_set(), timeout
            )
            return self._ready

    @property
    def spare(self) -> Spare | None:
        """The ready spare (still the pool's), if any."""
        return self._ready

    def _spawn(self) -> Spare:
        channel_r, channel_w = os.pipe()
        ready_r, ready_w = os.pipe()
        env = spare_env()
        try:
            process = subprocess.Popen(
                [
                    self.python,
                    launcher.__file__,
                    launcher.SPARE_FLAG,
                    str(channel_r),
                    str(ready_w),
                ],
                cwd="/",
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                close_fds=True,
                pass_fds=(channel_r, ready_w),
            )
        except BaseException:
            os.close(channel_w)
            os.close(ready_r)
            raise
        finally:
            os.close(channel_r)
            os.close(ready_w)
        return Spare(process, channel_w, ready_r, env)

    def _start(self) -> None:
        spare: Spare | None = None
        kept = False
        try:
            if self.refill_delay > 0 and self._closed.wait(self.refill_delay):
                return
            spare = self._spawn()
            with self._lock:
                if self._closed.is_set():
                    return  # discarded below
                self._starting = spare
            ok = spare.wait_ready()
            spare.close_ready()
            spare.create_time = self._start_time(spare.pid) if ok else None
            with self._lock:
                self._starting = None
                if ok and spare.create_time is not None and not self._closed.is_set():
                    self._ready, kept = spare, True
        except Exception:  # no spare this time: jobs start cold
            pass
        finally:
            with self._lock:
                self._thread = None
                self._changed.notify_all()
            if spare is not None and not kept:
                spare.close_ready()
                spare.discard()

    def close(self) -> None:
        """Kill the spare (ready or starting); no new one starts. Idempotent."""
        with self._lock:
            self._closed.set()
            spares = [s for s in (self._ready, self._starting) if s is not None]
            self._ready = None
            thread = self._thread
            self._changed.notify_all()
        for spare in spares:
            spare.discard()
        if thread is not None:
            thread.join(10)
