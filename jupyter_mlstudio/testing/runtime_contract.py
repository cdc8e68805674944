"""The job runner contract as reusable pytest tests (one suite, every runtime).

Subclass :class:`RuntimeContract` in a test module and provide a ``make_runner_at`` fixture:
a callable returning a *new* runner instance keeping its state in the folder it is given
(one folder is one studio home's runner state). ``make_runner`` (a new runner over the
test's state folder: calling it twice simulates a studio restart) is built from it. Class
attributes say what the runtime can promise:

- ``image``: the image jobs run in (``None`` for the process runtime);
- ``oom_kills``: a job over its memory limit is OOM-killed (exit 137, ``oom_killed``);
  otherwise its allocation fails inside the job (MemoryError, exit 1);
- ``hosts_resolve``: the hosts of a multi-node job reach each other by name.

and implement the two serving hooks of :class:`.runtime_contract_serving.ServingContract`
(``assert_loopback_only``, ``kill``).

Each test writes a small script into the host's ``code/`` folder and runs it with ``train``
under the training contract of :mod:`jupyter_mlstudio.runtime.contract`; the serving tests
are in :mod:`.runtime_contract_serving`, the profiler's ``sample`` in
:mod:`.runtime_contract_sampling`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import textwrap
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

import pytest

from ..exceptions import ConflictError, NotFoundError
from ..runtime.base import ContainerSpec, JobHandle, JobRunner, Mount, host_name
from ..runtime.contract import Channel, TrainingSetup, training_env, write_training_contract
from .runtime_contract_sampling import SamplingContract
from .runtime_contract_serving import ServingContract

LABEL_TEST = "mlstudio.test"

CONTRACT_SCRIPT = """
import argparse, json, os
parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int)
parser.add_argument("--learning-rate", type=float)
parser.add_argument("--optimizer")
parser.add_argument("--model-dir", default=os.environ["SM_MODEL_DIR"])
parser.add_argument("--train", default=os.environ["SM_CHANNEL_TRAIN"])
args = parser.parse_args()
config = os.environ["SM_INPUT_CONFIG_DIR"]
def read(name):
    with open(os.path.join(config, name)) as f:
        return json.load(f)
with open(os.path.join(args.train, "data.csv")) as f:
    rows = f.read().splitlines()
with open(os.path.join(args.model_dir, "model.txt"), "w") as f:
    f.write("weights %d" % len(rows))
with open(os.path.join(os.environ["SM_OUTPUT_DATA_DIR"], "metrics.json"), "w") as f:
    json.dump({"rows": len(rows)}, f)
report = {
    "args": vars(args),
    "env": {k: v for k, v in os.environ.items() if k.startswith("SM_") or k == "TRAINING_JOB_NAME"},
    "hyperparameters": read("hyperparameters.json"),
    "inputdataconfig": read("inputdataconfig.json"),
    "resourceconfig": read("resourceconfig.json"),
    "cwd": os.getcwd(),
    "folders": {d: os.path.isdir(os.path.join(os.environ["SM_INPUT_DIR"], "..", d))
                for d in ("code", "checkpoints", "model", "output/data")},
}
print("REPORT " + json.dumps(report), flush=True)
"""

WAIT_FOR_GO = """
import os, sys, time
go = os.path.join(os.environ["SM_INPUT_DIR"], "go")
print("line-1", flush=True)
while not os.path.exists(go):
    time.sleep(0.05)
print("line-2 \\u00e9", flush=True)
sys.exit(int(os.environ.get("EXIT_CODE", "0")))
"""

GRACEFUL = """
import os, signal, sys, time
def on_term(signum, frame):
    with open(os.path.join(os.environ["SM_OUTPUT_DATA_DIR"], "terminated"), "w") as f:
        f.write("SIGTERM")
    print("terminating", flush=True)
    sys.exit(7)
signal.signal(signal.SIGTERM, on_term)
print("ready", flush=True)
time.sleep(120)
"""

STUBBORN = """
import signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ready", flush=True)
time.sleep(120)
"""

FAILING = """
import os, sys
print("about to fail", flush=True)
with open(os.path.join(os.environ["SM_OUTPUT_DIR"], "failure"), "w") as f:
    f.write("ValueError: the data has no rows")
sys.exit(3)
"""

HUNGRY = """
print("allocating", flush=True)
blob = b"x" * (768 << 20)
print("allocated", len(blob), flush=True)
"""

MULTI_NODE = """
import json, os, socket, sys, time
hosts = json.loads(os.environ["SM_HOSTS"])
me = os.environ["SM_CURRENT_HOST"]
print("HOSTS", me, " ".join(hosts), flush=True)
if os.environ.get("RESOLVE") != "1":
    sys.exit(0)
if me == hosts[0]:
    server = socket.create_server(("0.0.0.0", 7777))
    server.settimeout(60)
    conn, _ = server.accept()
    conn.sendall(b"hello from " + me.encode())
    conn.close()
else:
    deadline = time.time() + 60
    while True:
        try:
            with socket.create_connection((hosts[0], 7777), timeout=2) as conn:
                print("GOT", conn.recv(100).decode(), flush=True)
                break
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.2)
"""


def wait_for_log(
    runner: JobRunner, handle: JobHandle, text: str, timeout: float = 60.0
) -> tuple[str, int]:
    """Read the logs until ``text`` appears; return all the text read and the offset."""
    seen, offset = "", 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        chunk, offset = runner.logs(handle, offset)
        seen += chunk
        if text in seen:
            return seen, offset
        if not chunk and not runner.poll(handle).running:
            chunk, offset = runner.logs(handle, offset)
            seen += chunk
            if text in seen:
                return seen, offset
            break
        time.sleep(0.05)
    raise AssertionError(f"{text!r} did not appear in the logs; they say:\n{seen}")


def launch_and_die(make_runner: Callable[[], JobRunner], spec: ContainerSpec) -> JobHandle:
    """Launch ``spec`` with a new runner in a forked copy of this process that then kills
    itself (SIGKILL), as a studio killed by ``kill -9`` right after a launch; return the
    handle it got. No runner of this process started or watched the job, and none ever
    can wait for it (on the process runtime the job is not a child of this process).
    AssertionError with the child's traceback when the launch failed there."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the studio about to die: only launch, report and die
        answer: dict[str, Any]
        try:
            os.close(read_end)
            handle = make_runner().launch(spec)
            answer = {"handle": dataclasses.asdict(handle)}
        except BaseException:
            answer = {"error": traceback.format_exc()}
        try:
            os.write(write_end, json.dumps(answer).encode())
        finally:
            os.kill(os.getpid(), signal.SIGKILL)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status)
    assert os.WTERMSIG(status) == signal.SIGKILL
    answer = json.loads(data)
    assert "handle" in answer, answer.get("error")
    return JobHandle(**answer["handle"])


class RuntimeContract(ServingContract, SamplingContract):
    """The contract every :class:`~jupyter_mlstudio.runtime.base.JobRunner` passes."""

    image: ClassVar[str | None] = None
    oom_kills: ClassVar[bool] = False
    hosts_resolve: ClassVar[bool] = False
    memory_limit: ClassVar[int] = 256 << 20

    @pytest.fixture
    def make_runner_at(self) -> Callable[[Path], JobRunner]:  # pragma: no cover - provided
        raise NotImplementedError("provide a make_runner_at fixture")

    @pytest.fixture
    def make_runner(
        self, make_runner_at: Callable[[Path], JobRunner], tmp_path: Path
    ) -> Callable[[], JobRunner]:
        return lambda: make_runner_at(tmp_path / "state")

    @pytest.fixture
    def token(self) -> str:
        return uuid.uuid4().hex[:10]

    @pytest.fixture
    def runner(self, make_runner: Callable[[], JobRunner], token: str) -> Iterator[JobRunner]:
        runner = make_runner()
        yield runner
        for handle in runner.find({LABEL_TEST: token}):
            runner.cleanup(handle)
        runner.close()

    @pytest.fixture
    def job_root(self, tmp_path: Path) -> Path:
        return tmp_path / "jobs"

    # -- helpers --------------------------------------------------------------------------
    def spec(
        self,
        runner: JobRunner,
        job_root: Path,
        token: str,
        script: str,
        *,
        job_name: str | None = None,
        hyperparameters: Mapping[str, Any] | None = None,
        channels: tuple[Channel, ...] = (),
        hosts: tuple[str, ...] = ("algo-1",),
        host: str = "algo-1",
        env: Mapping[str, str] | None = None,
        **fields: Any,
    ) -> ContainerSpec:
        job_name = job_name or f"job-{uuid.uuid4().hex[:8]}"
        ml_dir = job_root / job_name / host
        setup = TrainingSetup(
            job_name=job_name,
            current_host=host,
            hosts=hosts,
            hyperparameters=hyperparameters or {},
            channels=channels,
            entry_point="train.py",
        )
        write_training_contract(ml_dir, setup)
        (ml_dir / "code" / "train.py").write_text(textwrap.dedent(script))
        environment = {**training_env(setup, runner.ml_path(ml_dir)), **(env or {})}
        return ContainerSpec(
            job_name=job_name,
            ml_dir=ml_dir,
            image=self.image,
            command=("train",),
            env=environment,
            host=host,
            instance_index=hosts.index(host),
            instance_count=len(hosts),
            labels={LABEL_TEST: token},
            **fields,
        )

    # -- the contract ---------------------------------------------------------------------
    def test_training_contract(self, runner: JobRunner, job_root: Path, token: str) -> None:
        data = job_root.parent / "data"
        data.mkdir(parents=True)
        (data / "data.csv").write_text("1,2\n3,4\n5,6\n")
        hps = {"epochs": 3, "learning-rate": 0.25, "optimizer": "adam"}
        spec = self.spec(
            runner, job_root, token, CONTRACT_SCRIPT,
            hyperparameters=hps,
            channels=(Channel("train", content_type="text/csv"),),
            mounts=(Mount(data, "/opt/ml/input/data/train"),),
        )  # fmt: skip
        handle = runner.launch(spec)
        state = runner.wait(handle, 120)
        text, _ = wait_for_log(runner, handle, "REPORT ")
        assert state.exit_code == 0, text
        report = json.loads(text.split("REPORT ", 1)[1].splitlines()[0])
        assert report["args"]["epochs"] == 3
        assert report["args"]["learning_rate"] == 0.25
        assert report["args"]["optimizer"] == "adam"
        assert report["hyperparameters"] == {
            "epochs": "3",
            "learning-rate": "0.25",
            "optimizer": "adam",
        }
        assert report["inputdataconfig"]["train"]["ContentType"] == "text/csv"
        assert report["resourceconfig"]["current_host"] == "algo-1"
        assert report["resourceconfig"]["hosts"] == ["algo-1"]
        env = report["env"]
        base = runner.ml_path(spec.ml_dir)
        assert env["SM_MODEL_DIR"] == runner.ml_path(spec.ml_dir, "model")
        assert env["SM_CHANNEL_TRAIN"] == runner.ml_path(spec.ml_dir, "input/data/train")
        assert json.loads(env["SM_CHANNELS"]) == ["train"]
        assert json.loads(env["SM_HPS"]) == {
            "epochs": 3,
            "learning-rate": 0.25,
            "optimizer": "adam",
        }
        assert env["SM_HP_EPOCHS"] == "3"
        assert env["SM_HP_OPTIMIZER"] == "adam"
        assert json.loads(env["SM_HOSTS"]) == ["algo-1"]
        assert env["SM_CURRENT_HOST"] == "algo-1"
        assert env["TRAINING_JOB_NAME"] == spec.job_name
        assert env["SM_USER_ENTRY_POINT"] == "train.py"
        assert env["SM_INPUT_CONFIG_DIR"].startswith(base)
        assert int(env["SM_NUM_CPUS"]) >= 1
        assert env["SM_NUM_GPUS"] == "0"
        assert json.loads(env["SM_TRAINING_ENV"])["job_name"] == spec.job_name
        assert all(report["folders"].values()), report["folders"]
        assert report["cwd"] == runner.ml_path(spec.ml_dir, "code")
        # the outputs are on the host, in the caller's folder
        assert (spec.ml_dir / "model" / "model.txt").read_text() == "weights 3"
        assert json.loads((spec.ml_dir / "output/data/metrics.json").read_text()) == {"rows": 3}

    def test_exit_code_and_failure_file(
        self, runner: JobRunner, job_root: Path, token: str
    ) -> None:
        spec = self.spec(runner, job_root, token, FAILING)
        handle = runner.launch(spec)
        state = runner.wait(handle, 60)
        assert not state.running
        assert state.exit_code == 3
        assert not state.oom_killed
        failure = (spec.ml_dir / "output" / "failure").read_text()
        assert failure == "ValueError: the data has no rows"
        assert "about to fail" in runner.logs(handle)[0]

    def test_logs_are_incremental_while_running(
        self, runner: JobRunner, job_root: Path, token: str
    ) -> None:
        spec = self.spec(runner, job_root, token, WAIT_FOR_GO, env={"EXIT_CODE": "5"})
        handle = runner.launch(spec)
        text, offset = wait_for_log(runner, handle, "line-1")
        assert "line-2" not in text
        assert runner.poll(handle).running
        assert runner.logs(handle, offset) == ("", offset)
        (spec.ml_dir / "input" / "go").write_text("")
        _, end = wait_for_log(runner, handle, "line-2")
        assert runner.wait(handle, 60).exit_code == 5
        rest, final = runner.logs(handle, offset)
        assert rest.strip() == "line-2 \u00e9"
        assert final == end > offset
        assert "".join(runner.follow_logs(handle)).splitlines() == ["line-1", "line-2 \u00e9"]

    def test_stop_is_graceful_first(self, runner: JobRunner, job_root: Path, token: str) -> None:
        spec = self.spec(runner, job_root, token, GRACEFUL)
        handle = runner.launch(spec)
        wait_for_log(runner, handle, "ready")
        started = time.monotonic()
        state = runner.stop(handle, grace_seconds=20)
        assert time.monotonic() - started < 15
        assert state.exit_code == 7
        assert (spec.ml_dir / "output" / "data" / "terminated").read_text() == "SIGTERM"
        assert "terminating" in runner.logs(handle)[0]
        assert runner.stop(handle, grace_seconds=1).exit_code == 7  # no-op once exited

    def test_stop_kills_after_grace(self, runner: JobRunner, job_root: Path, token: str) -> None:
        handle = runner.launch(self.spec(runner, job_root, token, STUBBORN))
        wait_for_log(runner, handle, "ready")
        started = time.monotonic()
        state = runner.stop(handle, grace_seconds=1)
        elapsed = time.monotonic() - started
        assert state.exit_code == 137
        assert 0.9 <= elapsed < 15

    def test_reattach_after_restart(
        self,
        runner: JobRunner,
        make_runner: Callable[[], JobRunner],
        job_root: Path,
        token: str,
    ) -> None:
        spec = self.spec(runner, job_root, token, WAIT_FOR_GO)
        handle = runner.launch(spec)
        wait_for_log(runner, handle, "line-1")
        restarted = make_runner()
        try:
            handles = restarted.reattach(spec.job_name)
            assert [(h.job_name, h.host, h.ref) for h in handles] == [
                (spec.job_name, "algo-1", handle.ref)
            ]
            again = handles[0]
            assert restarted.poll(again).running
            assert [h.ref for h in restarted.find({LABEL_TEST: token})] == [handle.ref]
            assert restarted.find({LABEL_TEST: "nobody"}) == []
            wait_for_log(restarted, again, "line-1")
            (spec.ml_dir / "input" / "go").write_text("")
            state = restarted.wait(again, 60)
            assert state.exit_code == 0
            wait_for_log(restarted, again, "line-2")
            assert restarted.reattach("no-such-job") == []
        finally:
            restarted.close()

    def launch_unwatched(
        self, make_runner: Callable[[], JobRunner], spec: ContainerSpec
    ) -> JobHandle:
        """Launch ``spec`` from a process that dies at once after (:func:`launch_and_die`:
        a forked copy of this one); a runtime whose client cannot be forked overrides it."""
        return launch_and_die(make_runner, spec)

    def test_exit_code_of_a_job_that_ended_unwatched(
        self,
        runner: JobRunner,
        make_runner: Callable[[], JobRunner],
        job_root: Path,
        token: str,
    ) -> None:
        """A job that exits while no runner watches it (the studio that launched it was
        killed) reports its real exit code to a runner that re-attaches later, and its
        whole log at the first read."""
        spec = self.spec(runner, job_root, token, WAIT_FOR_GO, env={"EXIT_CODE": "5"})
        handle = self.launch_unwatched(make_runner, spec)
        (spec.ml_dir / "input" / "go").write_text("")
        restarted = make_runner()
        try:
            (again,) = restarted.reattach(spec.job_name)
            assert again.ref == handle.ref
            state = restarted.wait(again, 60)
            assert not state.running
            assert (state.exit_code, state.detail) == (5, None)
            assert restarted.logs(again)[0].splitlines() == ["line-1", "line-2 \u00e9"]
            assert restarted.poll(again).exit_code == 5  # and it stays so
        finally:
            restarted.close()

    def test_memory_limit(self, runner: JobRunner, job_root: Path, token: str) -> None:
        spec = self.spec(runner, job_root, token, HUNGRY, memory_bytes=self.memory_limit, cpus=1)
        handle = runner.launch(spec)
        state = runner.wait(handle, 120)
        text = runner.logs(handle)[0]
        assert "allocated" not in text.replace("allocating", "")
        if self.oom_kills:
            assert state.exit_code == 137
            assert state.oom_killed
        else:
            assert state.exit_code == 1
            assert "MemoryError" in text

    def test_multi_node(self, runner: JobRunner, job_root: Path, token: str) -> None:
        job_name = f"multi-{uuid.uuid4().hex[:8]}"
        hosts = (host_name(0), host_name(1))
        env = {"RESOLVE": "1" if self.hosts_resolve else "0"}
        handles = [
            runner.launch(
                self.spec(
                    runner,
                    job_root,
                    token,
                    MULTI_NODE,
                    job_name=job_name,
                    hosts=hosts,
                    host=host,
                    env=env,
                    network=f"mlstudio-{job_name}",
                )
            )
            for host in hosts
        ]
        states = [runner.wait(h, 120) for h in handles]
        logs = [runner.logs(h)[0] for h in handles]
        assert [s.exit_code for s in states] == [0, 0], logs
        assert "HOSTS algo-1 algo-1 algo-2" in logs[0]
        assert "HOSTS algo-2 algo-1 algo-2" in logs[1]
        if self.hosts_resolve:
            assert "GOT hello from algo-1" in logs[1]
        assert [h.host for h in runner.reattach(job_name)] == ["algo-1", "algo-2"]
        for handle in handles:
            runner.cleanup(handle)
        assert runner.reattach(job_name) == []

    def test_two_homes_keep_to_their_own_jobs(
        self,
        runner: JobRunner,
        make_runner: Callable[[], JobRunner],
        make_runner_at: Callable[[Path], JobRunner],
        job_root: Path,
        token: str,
        tmp_path: Path,
    ) -> None:
        """Two studio homes on one machine (one engine) each run a job of the same name:
        each runner sees, re-attaches and removes only its own."""
        other = make_runner_at(tmp_path / "other-home" / "state")
        try:
            name = f"same-{uuid.uuid4().hex[:8]}"
            mine = runner.launch(self.spec(runner, job_root, token, WAIT_FOR_GO, job_name=name))
            other_root = tmp_path / "other-home" / "jobs"
            theirs_spec = self.spec(other, other_root, token, WAIT_FOR_GO, job_name=name)
            theirs = other.launch(theirs_spec)
            wait_for_log(runner, mine, "line-1")
            wait_for_log(other, theirs, "line-1")
            assert [h.ref for h in runner.reattach(name)] == [mine.ref]
            assert [h.ref for h in runner.find({LABEL_TEST: token})] == [mine.ref]
            assert [h.ref for h in other.reattach(name)] == [theirs.ref]
            assert [h.ref for h in other.find({LABEL_TEST: token})] == [theirs.ref]
            restarted = make_runner()  # a restarted studio of the first home: the same
            try:
                assert [h.ref for h in restarted.reattach(name)] == [mine.ref]
            finally:
                restarted.close()
            runner.cleanup(mine)
            assert runner.reattach(name) == []
            (again,) = other.reattach(name)
            assert again.ref == theirs.ref
            assert other.poll(again).running  # the other home's job runs on
            (theirs_spec.ml_dir / "input" / "go").write_text("")
            assert other.wait(again, 60).exit_code == 0
            assert wait_for_log(other, again, "line-2")[0].startswith("line-1")
        finally:
            for handle in other.find({LABEL_TEST: token}):
                other.cleanup(handle)
            other.close()

    def test_duplicate_and_cleanup(self, runner: JobRunner, job_root: Path, token: str) -> None:
        spec = self.spec(runner, job_root, token, WAIT_FOR_GO)
        handle = runner.launch(spec)
        with pytest.raises(ConflictError):
            runner.launch(spec)
        runner.cleanup(handle)
        runner.cleanup(handle)  # idempotent
        with pytest.raises(NotFoundError):
            runner.poll(handle)
        with pytest.raises(NotFoundError):
            runner.logs(handle)
        assert runner.reattach(spec.job_name) == []
        assert spec.ml_dir.is_dir()  # the caller's folder stays
