"""Fixtures of the hosting tests: model servers run as real subprocesses on free ports."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from jupyter_mlstudio.runtime.process import MODEL_SERVER, free_port

READY_TIMEOUT_S = 60.0


def model_request(
    name: str, model_data: str | Path, code: str | Path, program: str = "inference.py"
) -> dict:
    """A CreateModel request: script-mode ``program`` from the folder ``code`` serving the
    model archive ``model_data``."""
    return {
        "ModelName": name,
        "PrimaryContainer": {
            "ModelDataUrl": str(model_data),
            "Environment": {"SAGEMAKER_PROGRAM": program, "SAGEMAKER_SUBMIT_DIRECTORY": str(code)},
        },
    }


def variant(name: str, model: str, weight: float = 1.0, count: int = 1) -> dict:
    """A ProductionVariant of an endpoint config request."""
    return {
        "VariantName": name,
        "ModelName": model,
        "InitialVariantWeight": weight,
        "InitialInstanceCount": count,
    }


@dataclass
class ServerProcess:
    """A model server subprocess; its stdout and stderr go to ``log``."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path
    connections: list[http.client.HTTPConnection] = field(default_factory=list)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def connect(self) -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        self.connections.append(conn)
        return conn

    def request(
        self,
        method: str,
        path: str,
        body: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, str, bytes]:
        """One request on a new connection: (status, content type, body)."""
        conn = self.connect()
        conn.request(method, path, body=body, headers=dict(headers or {}))
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()

    def invoke(
        self, body: bytes | str, content_type: str, accept: str | None = None
    ) -> tuple[int, str, bytes]:
        headers = {"Content-Type": content_type}
        if accept is not None:
            headers["Accept"] = accept
        return self.request("POST", "/invocations", body, headers)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the model server exited early:\n{self.text()}")
            try:
                if self.request("GET", "/ping")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"the model server did not answer /ping:\n{self.text()}")

    def terminate(self, timeout: float = 20.0) -> int:
        """SIGTERM; the exit code."""
        for conn in self.connections:
            conn.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)


StartServer = Callable[..., ServerProcess]


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[StartServer]:
    """``start_server(env, wait=True)``: a model server with ``env`` (over a clean one) on a
    free 127.0.0.1 port; waits for /ping unless ``wait`` is false. Killed at the end."""
    started: list[ServerProcess] = []

    def start(env: Mapping[str, str], wait: bool = True) -> ServerProcess:
        port = free_port()
        log = tmp_path / f"server-{len(started) + 1}.log"
        environment = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONUNBUFFERED": "1",
            "SAGEMAKER_BIND_ADDRESS": "127.0.0.1",
            "SAGEMAKER_BIND_TO_PORT": str(port),
            **env,
        }
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [sys.executable, str(MODEL_SERVER)],
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=tmp_path,
            )
        server = ServerProcess(process, port, log)
        started.append(server)
        if wait:
            server.wait_ready()
        return server

    yield start
    for server in started:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait(10)
