"""The serving part of the runtime contract (mixed into :class:`.runtime_contract.RuntimeContract`).

A runtime that serves runs ``serve`` (the model server) from a spec with ``expose``: the
port is reachable on 127.0.0.1 only, ``address`` says where (also from a new runner after a
restart, and until ``cleanup``), a host that dies is seen as exited, SIGTERM stops it
cleanly. The test trains a scikit-learn model with ``train`` on the runtime itself (so the
model is pickled by the scikit-learn that loads it) and serves it with a classic inference
script (``model_fn`` only). The test modules provide two hooks: ``assert_loopback_only`` and
``kill``.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import shutil
import socket
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest

from ..exceptions import NotFoundError, ValidationError
from ..runtime.base import LOOPBACK, ContainerSpec, JobHandle, JobRunner, host_name

SLEEPER = """
import time
print("sleeping", flush=True)
time.sleep(120)
"""

TRAIN_MODEL = """
import json, os
import joblib
import numpy as np
from sklearn.linear_model import LinearRegression
X = np.arange(40, dtype=float).reshape(20, 2)
y = X @ np.array([1.5, -2.0]) + 0.25 + np.sin(X[:, 0])
model = LinearRegression().fit(X, y)
joblib.dump(model, os.path.join(os.environ["SM_MODEL_DIR"], "model.joblib"))
rows = [[0.5, 1.0], [3.0, -4.0], [1e-3, 7.25]]
with open(os.path.join(os.environ["SM_OUTPUT_DATA_DIR"], "expected.json"), "w") as f:
    json.dump({"rows": rows, "predictions": model.predict(np.array(rows)).tolist()}, f)
"""

#: a classic scikit-learn inference script: model_fn only, training code under __main__
INFERENCE_SCRIPT = """
import os
import joblib

def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "model.joblib"))

if __name__ == "__main__":
    # the training part of the script: the model server must not run it
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "MAIN_RAN"), "w") as f:
        f.write("yes")
"""


def wait_for_ping(
    runner: JobRunner,
    handle: JobHandle,
    timeout: float = 90.0,
    diagnose: Callable[[JobRunner, JobHandle, int], str] | None = None,
) -> tuple[str, int]:
    """Wait until the host answers ``GET /ping`` at ``runner.address(handle)``; on a timeout
    the assertion says what the last attempt got and what ``diagnose`` finds."""
    host, port = runner.address(handle)
    deadline = time.monotonic() + timeout
    last = "no attempt"
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(host, port, timeout=5)
            try:
                conn.request("GET", "/ping")
                status = conn.getresponse().status
                if status == 200:
                    return host, port
                last = f"HTTP {status}"
            finally:
                conn.close()
        except OSError as exc:
            last = repr(exc)
        if not runner.poll(handle).running:
            raise AssertionError(f"the model server exited: {runner.logs(handle)[0]}")
        time.sleep(0.1)
    found = diagnose(runner, handle, port) if diagnose else ""
    raise AssertionError(
        f"no answer to /ping at {host}:{port} within {timeout} s (last attempt: {last});"
        f" {found}; log: {runner.logs(handle)[0]}"
    )


def listeners(port: int) -> str:
    """Which processes listen on ``port`` (a diagnosis for a port that does not answer)."""
    import psutil

    found = []
    for conn in psutil.net_connections(kind="tcp"):
        if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN:
            try:
                name = psutil.Process(conn.pid).name() if conn.pid else "?"
            except psutil.Error:
                name = "?"
            found.append(f"{conn.laddr.ip}:{port} by {name} (pid {conn.pid})")
    return "listening: " + (", ".join(found) or "nothing")


def listening_addresses(pid: int) -> list[tuple[str, int]]:
    """The (ip, port) pairs the process ``pid`` and its descendants listen on (a process
    runtime host: its supervisor and the job under it)."""
    import psutil

    root = psutil.Process(pid)
    found = []
    for process in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            for conn in process.net_connections(kind="inet"):
                if conn.status == psutil.CONN_LISTEN:
                    found.append((conn.laddr.ip, conn.laddr.port))
    return found


def invoke(
    address: tuple[str, int], body: str, content_type: str, accept: str
) -> tuple[int, str, str]:
    """POST /invocations; (status, content type, body text)."""
    conn = http.client.HTTPConnection(*address, timeout=30)
    try:
        conn.request("POST", "/invocations", body, {"Content-Type": content_type, "Accept": accept})
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read().decode()
    finally:
        conn.close()


def logs_when(runner: JobRunner, handle: JobHandle, text: str, timeout: float = 30.0) -> str:
    """The host's whole log once ``text`` is in it (a new runner may still be catching up),
    or as it is after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        log = runner.logs(handle)[0]
        if text in log or time.monotonic() > deadline:
            return log
        time.sleep(0.05)


def other_local_address() -> str | None:
    """An IPv4 address of this machine that is not a loopback one (None if it has none)."""
    import psutil

    for addresses in psutil.net_if_addrs().values():
        for address in addresses:
            if address.family == socket.AF_INET and not address.address.startswith("127."):
                return str(address.address)
    return None


class ServingContract:
    """``serve`` with ``expose`` on a runtime; see the module docstring."""

    image: ClassVar[str | None] = None

    def spec(
        self, runner: JobRunner, job_root: Path, token: str, script: str, **fields: Any
    ) -> ContainerSpec:  # pragma: no cover - RuntimeContract's
        raise NotImplementedError

    def assert_loopback_only(self, runner: JobRunner, handle: JobHandle, port: int) -> None:
        """Check, the runtime's own way, that ``port`` (what ``address`` gave for
        ``handle``) is bound to 127.0.0.1 and nothing else."""
        raise NotImplementedError("check how the runtime binds exposed ports")

    def test_serving(
        self,
        runner: JobRunner,
        make_runner: Callable[[], JobRunner],
        job_root: Path,
        token: str,
    ) -> None:
        trained = self.spec(runner, job_root, token, TRAIN_MODEL)
        training = runner.launch(trained)
        assert runner.wait(training, 180).exit_code == 0, runner.logs(training)[0]
        expected = json.loads((trained.ml_dir / "output/data/expected.json").read_text())
        job_name = f"serve-{uuid.uuid4().hex[:8]}"
        handles = []
        labels = trained.labels  # the test's token: the runner fixture cleans up
        for index in range(2):
            ml_dir = job_root / job_name / host_name(index)
            code = ml_dir / "model" / "code"
            code.mkdir(parents=True)
            shutil.copy(trained.ml_dir / "model" / "model.joblib", ml_dir / "model")
            (code / "inference.py").write_text(INFERENCE_SCRIPT)
            spec = ContainerSpec(
                job_name=job_name,
                ml_dir=ml_dir,
                image=self.image,
                command=("serve",),
                env={
                    "SM_MODEL_DIR": runner.ml_path(ml_dir, "model"),
                    "SAGEMAKER_PROGRAM": "inference.py",
                    "SAGEMAKER_SUBMIT_DIRECTORY": runner.ml_path(ml_dir, "model/code"),
                },
                host=host_name(index),
                instance_index=index,
                instance_count=2,
                labels=labels,
                expose=8080,
            )
            handles.append(runner.launch(spec))
        addresses = [wait_for_ping(runner, h, diagnose=self.diagnose) for h in handles]
        assert [host for host, _ in addresses] == [LOOPBACK, LOOPBACK]
        assert addresses[0][1] != addresses[1][1]
        rows, predictions = expected["rows"], expected["predictions"]
        csv_rows = "\n".join(",".join(repr(v) for v in row) for row in rows)
        for address in addresses:
            status, kind, text = invoke(address, csv_rows, "text/csv", "text/csv")
            assert (status, kind) == (200, "text/csv"), text
            assert [float(line) for line in text.splitlines()] == predictions
            status, kind, text = invoke(
                address, json.dumps({"instances": rows}), "application/json", "application/json"
            )
            assert (status, kind) == (200, "application/json"), text
            assert json.loads(text) == predictions
        assert "model server: loaded inference.py" in logs_when(runner, handles[0], "listening")
        assert not (job_root / job_name / "algo-1" / "model" / "code" / "MAIN_RAN").exists()
        for handle, (_, port) in zip(handles, addresses, strict=True):
            self.assert_loopback_only(runner, handle, port)
            elsewhere = other_local_address()
            if elsewhere is not None:
                with pytest.raises(ConnectionRefusedError):
                    socket.create_connection((elsewhere, port), timeout=5).close()
        # a studio restart: a new runner finds the hosts and their addresses
        restarted = make_runner()
        try:
            found = restarted.reattach(job_name)
            assert [h.ref for h in found] == [h.ref for h in handles]
            assert [restarted.address(h) for h in found] == addresses
            # a host that dies is seen as exited; the other one serves on
            self.kill(runner, handles[1])
            deadline = time.monotonic() + 30
            while restarted.poll(found[1]).running and time.monotonic() < deadline:
                time.sleep(0.05)
            dead = restarted.poll(found[1])
            assert not dead.running
            assert dead.exit_code == 137, dead
            assert invoke(addresses[0], csv_rows, "text/csv", "text/csv")[0] == 200
            assert restarted.address(found[1]) == addresses[1]  # known until cleanup
            # SIGTERM: the server stops cleanly
            assert restarted.stop(found[0], grace_seconds=20).exit_code == 0
            assert "model server: SIGTERM: stopping" in logs_when(restarted, found[0], "stopping")
            restarted.cleanup(found[1])
            with pytest.raises(NotFoundError):
                restarted.address(found[1])
        finally:
            restarted.close()

    def diagnose(self, runner: JobRunner, handle: JobHandle, port: int) -> str:
        """What a runtime can tell about a published port that does not answer."""
        return listeners(port)

    def kill(self, runner: JobRunner, handle: JobHandle) -> None:
        """SIGKILL the host from outside the runner (a crash)."""
        raise NotImplementedError("kill the host's process or container")

    def test_address_needs_an_exposed_port(
        self, runner: JobRunner, job_root: Path, token: str
    ) -> None:
        handle = runner.launch(self.spec(runner, job_root, token, SLEEPER))
        with pytest.raises(ValidationError) as info:
            runner.address(handle)
        assert info.value.field == "expose"
        runner.cleanup(handle)
        with pytest.raises(NotFoundError):
            runner.address(handle)
