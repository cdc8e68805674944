"""Warm starts of the process runtime: a script-mode job runs in a spare Python started in
advance, and must not be told apart from ``python script.py``. Real processes, no mocks."""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import psutil
import pytest

from jupyter_mlstudio.runtime import launcher, warm
from jupyter_mlstudio.runtime.base import ContainerSpec, JobHandle, JobRunner
from jupyter_mlstudio.runtime.process import ProcessRunner
from jupyter_mlstudio.testing.runtime_contract import RuntimeContract
from jupyter_mlstudio.testing.runtime_contract_serving import listening_addresses

#: what the script sees, taken before it imports anything
REPORT = """
import sys
MODULES = sorted(sys.modules)
import json, os, time
print("REPORT " + json.dumps({
    "modules": MODULES,
    "argv": sys.argv,
    "orig_argv": sys.orig_argv,
    "path": sys.path,
    "cwd": os.getcwd(),
    "env": dict(os.environ),
    "name": __name__,
    "file": __file__,
    "flags": repr(sys.flags),
    "stdout": [sys.stdout.encoding, sys.stdout.line_buffering, sys.stdout.write_through],
    "stdin": [sys.stdin.isatty(), sys.stdin.read()],
    "tzname": time.tzname,
    "main": [k for k in vars(sys.modules["__main__"]) if k.startswith("__")],
}), flush=True)
"""

WAIT_FOR_GO = """
import os, sys, time
print("line-1", flush=True)
while not os.path.exists(os.path.join(os.path.dirname(os.path.abspath(__file__)), "go")):
    time.sleep(0.05)
print("line-2", flush=True)
"""


@pytest.fixture
def runner(tmp_path: Path) -> Iterator[ProcessRunner]:
    runner = ProcessRunner(tmp_path / "state")
    yield runner
    for handle in runner.find():
        runner.cleanup(handle)
    runner.close()


def make_spec(
    root: Path,
    job_name: str,
    script: str,
    *,
    ml_dir: Path | None = None,
    program: str = "train.py",
    env: Mapping[str, str] | None = None,
    **fields: Any,
) -> ContainerSpec:
    ml_dir = ml_dir or root / "jobs" / job_name
    code = ml_dir / "code"
    code.mkdir(parents=True, exist_ok=True)
    (code / program).write_text(textwrap.dedent(script))
    environment = {
        "SAGEMAKER_PROGRAM": program,
        "SAGEMAKER_SUBMIT_DIRECTORY": str(code),
        "SM_USER_ARGS": '["--epochs", "3"]',
        **(env or {}),
    }
    return ContainerSpec(job_name=job_name, ml_dir=ml_dir, env=environment, **fields)


def ready_spare(runner: ProcessRunner) -> int:
    """The pid of the runner's spare, once one is ready."""
    assert runner.warm is not None
    spare = runner.warm.wait_ready(60)
    assert spare is not None, "no spare became ready"
    return spare.pid


def was_warm(runner: ProcessRunner, handle: JobHandle) -> bool:
    state = json.loads(
        (runner.state_root / handle.job_name / handle.host / "state.json").read_text()
    )
    return bool(state["warm"])


def report(runner: JobRunner, handle: JobHandle) -> dict[str, Any]:
    state = runner.wait(handle, 60)
    text = runner.logs(handle)[0]
    assert state.exit_code == 0, text
    line = next(x for x in text.splitlines() if x.startswith("REPORT "))
    return dict(json.loads(line[len("REPORT ") :]))


def gone(pid: int, timeout: float = 10.0) -> bool:
    """``pid`` no longer runs (exited, or a zombie nobody reaped yet)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.02)
    return False


def spares_of(pid: int) -> list[psutil.Process]:
    """Live warm spares whose parent is ``pid``."""
    found = []
    for child in psutil.Process(pid).children():
        with_flag = False
        try:
            with_flag = launcher.SPARE_FLAG in child.cmdline()
            alive = child.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            continue
        if with_flag and alive:
            found.append(child)
    return found


# -- a warm job is `python script.py` ---------------------------------------------------


@pytest.mark.parametrize(
    "pythonpath",
    [
        None,
        "lib",  # relative: against the job's folder
        "lib::{root}/elsewhere/..:{code}:{site}:lib/",  # empty, normalised, duplicates
    ],
)
def test_a_warm_job_sees_what_python_script_py_sees(
    tmp_path: Path, runner: ProcessRunner, pythonpath: str | None
) -> None:
    ml_dir = tmp_path / "ml"
    env = {"EXTRA": "été"}
    if pythonpath is not None:
        site = next(p for p in sys.path if p.endswith("site-packages"))
        code = ml_dir / "code"
        env["PYTHONPATH"] = pythonpath.format(root=tmp_path, code=code, site=site)
    cold_runner = ProcessRunner(tmp_path / "cold", warm_start=False)
    try:
        cold = report(
            cold_runner,
            cold_runner.launch(make_spec(tmp_path, "cold", REPORT, ml_dir=ml_dir, env=env)),
        )
    finally:
        cold_runner.close()
    # the code folder reached through a symbolic link: sys.path[0] is the real folder
    link = tmp_path / "code-link"
    link.symlink_to(ml_dir / "code")
    linked = {**env, "SAGEMAKER_SUBMIT_DIRECTORY": str(link)}
    cold_runner = ProcessRunner(tmp_path / "cold", warm_start=False)
    try:
        cold_linked = report(
            cold_runner,
            cold_runner.launch(make_spec(tmp_path, "cold-link", REPORT, ml_dir=ml_dir, env=linked)),
        )
    finally:
        cold_runner.close()

    ready_spare(runner)
    handle = runner.launch(make_spec(tmp_path, "warm", REPORT, ml_dir=ml_dir, env=env))
    hot = report(runner, handle)
    assert was_warm(runner, handle)
    ready_spare(runner)
    handle = runner.launch(make_spec(tmp_path, "warm-link", REPORT, ml_dir=ml_dir, env=linked))
    hot_linked = report(runner, handle)
    assert was_warm(runner, handle)

    assert hot == cold
    assert hot_linked == cold_linked
    assert hot_linked["path"][0] == str(ml_dir / "code")
    assert hot_linked["argv"][0] == str(link / "train.py")
    script = str(ml_dir / "code" / "train.py")
    assert hot["argv"] == [script, "--epochs", "3"]
    assert hot["orig_argv"] == [sys.executable, *hot["argv"]]
    assert hot["env"]["EXTRA"] == "été"
    assert "json" not in hot["modules"]
    assert hot["stdin"] == [False, ""]

    # and a bare `python script.py` with that environment, in that folder
    bare = subprocess.run(
        hot["orig_argv"], cwd=hot["cwd"], env=hot["env"], capture_output=True, text=True, timeout=60
    )
    assert bare.returncode == 0, bare.stderr
    line = next(x for x in bare.stdout.splitlines() if x.startswith("REPORT "))
    bare_report = json.loads(line[len("REPORT ") :])
    bare_report["stdin"] = [False, ""]  # the bare run's stdin is the test's
    assert hot == bare_report


@pytest.mark.parametrize(
    ("body", "code", "logged"),
    [
        ("print('fine')\n", 0, ["fine"]),
        ("import sys\nprint('about to fail')\nsys.exit(3)\n", 3, ["about to fail"]),
        (
            "def f():\n    raise ValueError('bad data')\nprint('start')\nf()\n",
            1,
            ["start", "Traceback (most recent call last):", "ValueError: bad data"],
        ),
        ("raise SystemExit('giving up')\n", 1, ["giving up"]),
    ],
)
def test_exit_codes_and_logs_of_warm_jobs(
    tmp_path: Path, runner: ProcessRunner, body: str, code: int, logged: list[str]
) -> None:
    pid = ready_spare(runner)
    handle = runner.launch(make_spec(tmp_path, "job", body))
    assert handle.ref == str(pid)
    assert was_warm(runner, handle)
    state = runner.wait(handle, 60)
    text = (runner.state_root / "job" / "algo-1" / "output.log").read_text()
    assert state.exit_code == code, text
    assert runner.logs(handle)[0] == text
    for piece in logged:
        assert piece in text
    assert "launcher.py" not in text  # the traceback is the script's


def test_stop_of_a_warm_job_is_143(tmp_path: Path, runner: ProcessRunner) -> None:
    ready_spare(runner)
    handle = runner.launch(
        make_spec(tmp_path, "job", "import time\nprint('ready', flush=True)\ntime.sleep(120)\n")
    )
    assert was_warm(runner, handle)
    deadline = time.monotonic() + 30
    while "ready" not in runner.logs(handle)[0]:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert runner.stop(handle, grace_seconds=10).exit_code == 143


def test_multiprocessing_spawn_finds_a_warm_scripts_main(
    tmp_path: Path, runner: ProcessRunner
) -> None:
    ready_spare(runner)
    script = """
    import multiprocessing as mp

    def square(x):
        return x * x

    if __name__ == "__main__":
        with mp.get_context("spawn").Pool(1) as pool:
            print("squares", pool.map(square, [2, 3]), flush=True)
    """
    handle = runner.launch(make_spec(tmp_path, "job", script))
    assert was_warm(runner, handle)
    state = runner.wait(handle, 120)
    text = runner.logs(handle)[0]
    assert state.exit_code == 0, text
    assert "squares [4, 9]" in text


@pytest.mark.parametrize("warm_start", [True, False])
def test_host_names_of_a_multi_instance_job_resolve(tmp_path: Path, warm_start: bool) -> None:
    # the spare has started before the job's PYTHONPATH existed: it installs the names
    # itself; a cold start gets them from the job's sitecustomize
    runner = ProcessRunner(tmp_path / "state", warm_start=warm_start)
    try:
        if warm_start:
            ready_spare(runner)
        script = """
        import socket
        print("NAMES", socket.gethostbyname("algo-1"), socket.gethostbyname("ALGO-2"), flush=True)
        """
        spec = make_spec(tmp_path, "job", script, host="algo-2", instance_index=1, instance_count=2)
        handle = runner.launch(spec)
        assert was_warm(runner, handle) is warm_start
        state = runner.wait(handle, 60)
        text = runner.logs(handle)[0]
        assert state.exit_code == 0, text
        assert "NAMES 127.77.0.1 127.77.0.2" in text
    finally:
        for handle in runner.find():
            runner.cleanup(handle)
        runner.close()


def test_limits_apply_to_a_warm_job(tmp_path: Path, runner: ProcessRunner) -> None:
    ready_spare(runner)
    script = """
    import json, os
    print("CPUS", json.dumps(sorted(os.sched_getaffinity(0))), flush=True)
    blob = b"x" * (768 << 20)
    print("allocated", flush=True)
    """
    handle = runner.launch(make_spec(tmp_path, "job", script, cpus=1, memory_bytes=256 << 20))
    assert was_warm(runner, handle)
    state = runner.wait(handle, 60)
    text = runner.logs(handle)[0]
    assert state.exit_code == 1, text
    assert "MemoryError" in text
    assert "allocated" not in text
    assert len(json.loads(text.split("CPUS ", 1)[1].splitlines()[0])) == 1


def test_a_warm_job_is_reattached_by_a_fresh_runner(tmp_path: Path, runner: ProcessRunner) -> None:
    pid = ready_spare(runner)
    spec = make_spec(tmp_path, "job", WAIT_FOR_GO)
    handle = runner.launch(spec)
    assert handle.ref == str(pid)
    restarted = ProcessRunner(tmp_path / "state")
    try:
        deadline = time.monotonic() + 30
        while "line-1" not in runner.logs(handle)[0]:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        (again,) = restarted.reattach("job")
        assert again.ref == str(pid)
        assert restarted.poll(again).running
        (spec.ml_dir / "code" / "go").write_text("")
        assert restarted.wait(again, 60).exit_code == 0
        assert restarted.logs(again)[0].splitlines() == ["line-1", "line-2"]
    finally:
        restarted.close()


# -- what cannot be warm starts cold, and leaves the spare --------------------------------


@pytest.mark.parametrize(
    ("program", "env", "fields"),
    [
        ("train.sh", {}, {}),
        ("train.py", {}, {"working_dir": "/opt/ml/code"}),
        ("train.py", {"PYTHONHASHSEED": "123"}, {}),
        ("train.py", {"PYTHONDONTWRITEBYTECODE": ""}, {}),  # set for the tests: unset here
        ("train.py", {"LC_ALL": "C"}, {}),
    ],
)
def test_what_a_spare_cannot_honour_starts_cold(
    tmp_path: Path,
    runner: ProcessRunner,
    program: str,
    env: dict[str, str],
    fields: dict[str, Any],
) -> None:
    pid = ready_spare(runner)
    script = "#!/bin/sh\necho ran\n" if program.endswith(".sh") else "print('ran')\n"
    spec = make_spec(tmp_path, "job", script, program=program, env=env, **fields)
    if program.endswith(".sh"):
        (spec.ml_dir / "code" / program).chmod(0o755)
    handle = runner.launch(spec)
    assert runner.wait(handle, 60).exit_code == 0
    assert runner.logs(handle)[0].strip() == "ran"
    assert not was_warm(runner, handle)
    assert handle.ref != str(pid)
    assert runner.warm is not None
    assert runner.warm.spare is not None
    assert runner.warm.spare.pid == pid  # still there for the next job


def test_variables_read_at_startup() -> None:
    for name in ("PYTHONHASHSEED", "PYTHONOPTIMIZE", "PYTHONWARNINGS", "PYTHONSAFEPATH"):
        assert warm.read_at_startup(name)
    for name in ("PYTHON_COLORS", "PYTHONUTF8", "PYTHONIOENCODING", "LC_ALL", "LANG", "TZ"):
        assert warm.read_at_startup(name)
    for name in ("PYTHONPATH", "SM_MODEL_DIR", "OMP_NUM_THREADS", "PATH"):
        assert not warm.read_at_startup(name)
    started = {"PYTHONUNBUFFERED": "1", "HOME": "/root", "A": "1"}
    assert warm.startup_difference(started, {**started, "A": "2", "PYTHONPATH": "x"}) is None
    assert warm.startup_difference(started, {**started, "PYTHONOPTIMIZE": "1"}) == "PYTHONOPTIMIZE"
    assert warm.startup_difference(started, {"A": "1", "HOME": "/root"}) == "PYTHONUNBUFFERED"


# -- the spare's life -------------------------------------------------------------------


def test_a_spare_killed_while_waiting_is_replaced(tmp_path: Path, runner: ProcessRunner) -> None:
    first = ready_spare(runner)
    os.killpg(first, signal.SIGKILL)
    assert gone(first)
    handle = runner.launch(make_spec(tmp_path, "cold", "print('ran')\n"))
    assert not was_warm(runner, handle)
    assert runner.wait(handle, 60).exit_code == 0
    assert runner.logs(handle)[0] == "ran\n"
    second = ready_spare(runner)
    assert second not in (first, int(handle.ref))
    handle = runner.launch(make_spec(tmp_path, "warm", "print('ran')\n"))
    assert handle.ref == str(second)
    assert was_warm(runner, handle)
    assert runner.wait(handle, 60).exit_code == 0
    assert runner.logs(handle)[0] == "ran\n"


def test_back_to_back_launches_never_share_a_spare(tmp_path: Path, runner: ProcessRunner) -> None:
    ready_spare(runner)
    handles = [
        runner.launch(make_spec(tmp_path, f"job-{i}", f"print('job {i}')\n")) for i in range(3)
    ]
    assert was_warm(runner, handles[0])
    assert len({h.ref for h in handles}) == 3
    for i, handle in enumerate(handles):
        assert runner.wait(handle, 60).exit_code == 0
        assert runner.logs(handle)[0] == f"job {i}\n"
    # the next job after a pause is warm again, in a spare none of them used
    pid = ready_spare(runner)
    assert str(pid) not in {h.ref for h in handles}
    handle = runner.launch(make_spec(tmp_path, "job-3", "print('job 3')\n"))
    assert handle.ref == str(pid)
    assert runner.wait(handle, 60).exit_code == 0


def test_close_kills_the_spare(tmp_path: Path) -> None:
    runner = ProcessRunner(tmp_path / "state")
    pid = ready_spare(runner)
    assert [p.pid for p in spares_of(os.getpid())].count(pid) == 1
    runner.close()
    assert not psutil.pid_exists(pid)  # killed and reaped
    assert pid not in [p.pid for p in spares_of(os.getpid())]
    runner.close()  # idempotent
    # a closed runner starts jobs cold
    handle = runner.launch(make_spec(tmp_path, "job", "print('ran')\n"))
    assert runner.wait(handle, 60).exit_code == 0
    assert not was_warm(runner, handle)
    assert runner.warm is not None
    assert runner.warm.spare is None


def test_a_spare_exits_when_its_runner_is_dropped_unclosed(tmp_path: Path) -> None:
    runner = ProcessRunner(tmp_path / "state")
    pid = ready_spare(runner)
    with warnings.catch_warnings():  # "subprocess ... is still running": it is about to end
        warnings.simplefilter("ignore", ResourceWarning)
        del runner
        gc.collect()
    assert gone(pid)


def test_a_spare_exits_when_its_studio_is_gone(tmp_path: Path) -> None:
    """No orphans: a studio that dies without closing its runner leaves no spare."""
    code = f"""
    import os, sys
    from pathlib import Path
    from jupyter_mlstudio.runtime.process import ProcessRunner
    runner = ProcessRunner(Path({str(tmp_path / "state")!r}))
    spare = runner.warm.wait_ready(60)
    print(spare.pid, flush=True)
    os._exit(0)
    """
    studio = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )
    assert studio.returncode == 0, studio.stderr
    pid = int(studio.stdout.strip())
    assert gone(pid)


def test_a_warm_job_whose_studio_was_killed_reports_its_exit_code(tmp_path: Path) -> None:
    """The spare stays as the job's supervisor and records its exit code, so a studio
    started again after ``kill -9`` knows how the job ended."""
    spec = make_spec(tmp_path, "job", WAIT_FOR_GO + "raise SystemExit(4)\n")
    code = f"""
    import os, signal
    from pathlib import Path
    from jupyter_mlstudio.runtime.base import ContainerSpec
    from jupyter_mlstudio.runtime.process import ProcessRunner
    runner = ProcessRunner(Path({str(tmp_path / "state")!r}))
    runner.warm.wait_ready(60)
    spec = ContainerSpec(job_name="job", ml_dir=Path({str(spec.ml_dir)!r}), env={spec.env!r})
    print(runner.launch(spec).ref, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    """
    studio = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )
    assert studio.returncode == -signal.SIGKILL, studio.stderr
    (spec.ml_dir / "code" / "go").write_text("")
    restarted = ProcessRunner(tmp_path / "state")
    try:
        (handle,) = restarted.reattach("job")
        assert handle.ref == studio.stdout.strip()
        assert was_warm(restarted, handle)
        state = restarted.wait(handle, 60)
        assert (state.exit_code, state.detail) == (4, None)
        assert restarted.logs(handle)[0].splitlines() == ["line-1", "line-2"]
    finally:
        for handle in restarted.find():
            restarted.cleanup(handle)
        restarted.close()


# -- the whole contract, with a spare ready for each test's first launch -------------------


class CountingRunner(ProcessRunner):
    """Counts its launches, and those its spare took."""

    launches = 0
    warm_launches = 0

    def launch(self, spec: ContainerSpec) -> JobHandle:
        handle = super().launch(spec)
        self.launches += 1
        self.warm_launches += was_warm(self, handle)
        return handle


class TestWarmProcessRunner(RuntimeContract):
    """Every contract test's first script-mode launch is warm (and so is one host of the
    multi-node test). The launch of ``test_exit_code_of_a_job_that_ended_unwatched`` is
    made in a forked copy of this process, out of sight:
    ``test_a_warm_job_whose_studio_was_killed_reports_its_exit_code`` checks it warm."""

    image = None
    oom_kills = False
    hosts_resolve = True

    @pytest.fixture
    def made(self) -> Iterator[list[CountingRunner]]:
        """The runners a test made; its first launch must have been warm."""
        runners: list[CountingRunner] = []
        yield runners
        launched = [r for r in runners if r.launches]
        assert not launched or launched[0].warm_launches >= 1

    @pytest.fixture
    def make_runner_at(self, made: list[CountingRunner]) -> Callable[[Path], JobRunner]:
        def make(state_root: Path) -> JobRunner:
            runner = CountingRunner(state_root)
            ready_spare(runner)
            made.append(runner)
            return runner

        return make

    def assert_loopback_only(self, runner: JobRunner, handle: JobHandle, port: int) -> None:
        assert listening_addresses(int(handle.ref)) == [("127.0.0.1", port)]

    def kill(self, runner: JobRunner, handle: JobHandle) -> None:
        os.killpg(int(handle.ref), signal.SIGKILL)
