"""``kill -9`` of the studio's server while jobs run and an endpoint starts, then the
server started again on the same home.

Each job must end as its process ended while the studio was down — Completed with its
``model.tar.gz``, or Failed with the text of its ``/opt/ml/output/failure`` — and the
endpoint must be rebuilt (InService) with nothing left of what the dead studio started:
no process of it on the process runtime, no container of it on docker.

One real ``jupyter server`` per runtime
(:class:`~tests.support.studio_server.StudioServer`). The scripts and the
model wait for a ``go`` file the test writes in their ``/opt/ml``, so the kill always
lands while they run, and nothing waits longer than it must.
"""

from __future__ import annotations

import functools
import io
import json
import tarfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import pytest

from jupyter_mlstudio.config import resolve_config
from jupyter_mlstudio.hosting.instances import LABEL_ENDPOINT
from jupyter_mlstudio.runtime.base import LABEL_JOB
from jupyter_mlstudio.services.jobs.layout import host_ml_dir, job_dir
from tests.runtime.conftest import docker_host, script_image  # noqa: F401 - fixtures
from tests.support.studio_server import StudioServer

#: waits for /opt/ml/input/go, saves a model and ends well
TRAINS = """
import os, time
print("started", flush=True)
while not os.path.exists(os.path.join(os.environ["SM_INPUT_DIR"], "go")):
    time.sleep(0.05)
with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w") as f:
    f.write("trained while the studio was down")
print("done", flush=True)
"""

#: waits for /opt/ml/input/go, then fails with a reason
FAILS = """
import os, sys, time
print("started", flush=True)
while not os.path.exists(os.path.join(os.environ["SM_INPUT_DIR"], "go")):
    time.sleep(0.05)
with open(os.path.join(os.environ["SM_OUTPUT_DIR"], "failure"), "w") as f:
    f.write("ValueError: the data has no rows")
print("failing", flush=True)
sys.exit(3)
"""

#: a model server whose model_fn waits for <its /opt/ml>/go: the endpoint stays Creating
INFERENCE = """
import os, time

def model_fn(model_dir):
    go = os.path.join(os.path.dirname(model_dir.rstrip("/")), "go")
    print("model_fn waits", flush=True)
    while not os.path.exists(go):
        time.sleep(0.05)
    return "loaded"

def predict_fn(data, model):
    return {"model": model, "rows": len(data)}
"""

REASON = "ValueError: the data has no rows"
DEADLINE_S = 60.0


def until(check: Callable[[], Any], what: str, timeout: float = DEADLINE_S) -> Any:
    """Poll ``check`` until it returns something true; AssertionError after ``timeout``."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 1.5, 0.5)


def descendants(pid: int) -> set[int]:
    return {p.pid for p in psutil.Process(pid).children(recursive=True)}


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@dataclass
class Crash:
    """The studio, and what it runs: two jobs and an endpoint, named for this run (a
    Docker engine is shared: names from another home or an earlier run must not meet)."""

    studio: StudioServer
    token: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    @property
    def trains(self) -> str:
        return f"crash-ok-{self.token}"

    @property
    def fails(self) -> str:
        return f"crash-fail-{self.token}"

    @property
    def endpoint(self) -> str:
        return f"crash-ep-{self.token}"

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        status, answer = self.studio.call(method, path, body)
        assert status < 300, (method, path, status, answer)
        return answer

    def start_job(self, name: str, script: Path) -> None:
        self.ok(
            "POST",
            "training-jobs",
            {
                "TrainingJobName": name,
                "ScriptMode": {"EntryPoint": str(script)},
                "ResourceConfig": {"InstanceType": "local", "InstanceCount": 1},
            },
        )

    def start_endpoint(self, code: Path) -> None:
        env = {"SAGEMAKER_PROGRAM": "inference.py", "SAGEMAKER_SUBMIT_DIRECTORY": str(code)}
        model, config = f"{self.endpoint}-model", f"{self.endpoint}-config"
        self.ok("POST", "models", {"ModelName": model, "PrimaryContainer": {"Environment": env}})
        variant = {
            "VariantName": "AllTraffic",
            "ModelName": model,
            "InitialInstanceCount": 1,
            "InstanceType": "ml.m5.large",
        }
        self.ok(
            "POST",
            "endpoint-configs",
            {"EndpointConfigName": config, "ProductionVariants": [variant]},
        )
        self.ok("POST", "endpoints", {"EndpointName": self.endpoint, "EndpointConfigName": config})

    def logs_show(self, path: str, text: str) -> bool:
        status, answer = self.studio.call("GET", path)
        return status == 200 and text in (answer or {}).get("Text", "")

    def ended(self, name: str) -> dict[str, Any] | None:
        job = self.ok("GET", f"training-jobs/{name}")
        return dict(job) if job["Status"] in ("Completed", "Failed", "Stopped") else None

    def release_jobs(self) -> None:
        config = resolve_config(home=self.studio.home)
        for name in (self.trains, self.fails):
            (host_ml_dir(job_dir(config, name)) / "input" / "go").touch()

    def endpoint_settled(self) -> str | None:
        """Let every model server of the endpoint load its model (a ``go`` in each of
        their /opt/ml); the endpoint's status once InService or Failed."""
        for folder in (self.studio.home / "endpoints" / self.endpoint).glob("*/algo-*/ml"):
            (folder / "go").touch()
        status = self.ok("GET", f"endpoints/{self.endpoint}")["EndpointStatus"]
        return str(status) if status in ("InService", "Failed") else None


class Processes:
    """The hosts the process runtime's runner recorded (``state.json``: pid, labels)."""

    def __init__(self, crash: Crash) -> None:
        self.root = crash.studio.home / "runtime" / "process"
        self.endpoint = crash.endpoint

    def _states(self) -> list[dict[str, Any]]:
        return [json.loads(p.read_text()) for p in self.root.glob("*/*/state.json")]

    def job_ended(self, name: str) -> bool:
        return all(gone(int(s["pid"])) for s in self._states() if s["job_name"] == name)

    def endpoint_hosts(self) -> set[str]:
        return {
            str(s["pid"])
            for s in self._states()
            if s["labels"].get(LABEL_ENDPOINT) == self.endpoint and not gone(int(s["pid"]))
        }


class Containers:
    """The containers of the docker runtime, by their labels."""

    def __init__(self, crash: Crash, base_url: str) -> None:
        import docker

        self.client = docker.DockerClient(base_url=base_url)
        self.endpoint = crash.endpoint

    def _ids(self, label: str, value: str, *, running: bool) -> set[str]:
        found = self.client.api.containers(all=not running, filters={"label": f"{label}={value}"})
        return {str(c["Id"]) for c in found}

    def job_ended(self, name: str) -> bool:
        return not self._ids(LABEL_JOB, name, running=True)

    def endpoint_hosts(self) -> set[str]:
        return self._ids(LABEL_ENDPOINT, self.endpoint, running=False)


@pytest.mark.timeout(180)
@pytest.mark.parametrize("runtime", ["process", pytest.param("docker", marks=pytest.mark.docker)])
def test_a_studio_killed_while_jobs_run_finishes_them_on_restart(
    tmp_path: Path, runtime: str, request: pytest.FixtureRequest
) -> None:
    env: dict[str, str] = {}
    crash = Crash(StudioServer(tmp_path / "studio", runtime=runtime, env=env))
    studio = crash.studio
    watch: Processes | Containers
    if runtime == "docker":
        request.getfixturevalue("script_image")
        env["DOCKER_HOST"] = request.getfixturevalue("docker_host").base_url
        watch = Containers(crash, env["DOCKER_HOST"])
    else:
        watch = Processes(crash)
    scripts = tmp_path / "scripts"
    code = tmp_path / "model-code"
    for folder in (scripts, code):
        folder.mkdir()
    (scripts / "trains.py").write_text(TRAINS)
    (scripts / "fails.py").write_text(FAILS)
    (code / "inference.py").write_text(INFERENCE)

    studio.start()
    try:
        crash.start_job(crash.trains, scripts / "trains.py")
        crash.start_job(crash.fails, scripts / "fails.py")
        crash.start_endpoint(code)
        for path in (f"training-jobs/{crash.trains}/logs", f"training-jobs/{crash.fails}/logs"):
            until(functools.partial(crash.logs_show, path, "started"), path)
        logs = f"endpoints/{crash.endpoint}/logs"
        until(lambda: crash.logs_show(logs, "model_fn waits"), "the model server")
        assert crash.ok("GET", f"endpoints/{crash.endpoint}")["EndpointStatus"] == "Creating"
        assert studio.process is not None
        old_processes = descendants(studio.process.pid)
        old_hosts = watch.endpoint_hosts()
        assert len(old_hosts) == 1

        studio.kill()
        # the jobs outlive the studio and end while it is down
        assert not watch.job_ended(crash.trains)
        assert not watch.job_ended(crash.fails)
        crash.release_jobs()
        until(lambda: watch.job_ended(crash.trains), "the training job to end")
        until(lambda: watch.job_ended(crash.fails), "the failing job to end")

        studio.start()
        good = until(lambda: crash.ended(crash.trains), "the training job's record")
        assert good["Status"] == "Completed", good.get("FailureReason")
        assert good["ExitCode"] == 0
        logged = crash.ok("GET", f"training-jobs/{crash.trains}/logs")["Text"]
        assert logged.splitlines() == ["started", "done"]
        status, body = studio.download(f"training-jobs/{crash.trains}/artifacts/model.tar.gz")
        assert status == 200
        with tarfile.open(fileobj=io.BytesIO(body)) as tar:
            member = tar.extractfile("model.txt")
            assert member is not None
            assert member.read() == b"trained while the studio was down"
        bad = until(lambda: crash.ended(crash.fails), "the failing job's record")
        assert bad["Status"] == "Failed"
        assert bad["FailureReason"] == REASON
        assert bad["ExitCode"] == 3

        assert until(crash.endpoint_settled, "the endpoint") == "InService"
        answer = crash.ok(
            "POST", f"endpoints/{crash.endpoint}/invocations", {"instances": [[1, 2]]}
        )
        assert answer == {"model": "loaded", "rows": 1}
        # nothing of the dead studio is left: its processes, the endpoint's old hosts
        assert sorted(pid for pid in old_processes if not gone(pid)) == []
        hosts = watch.endpoint_hosts()
        assert len(hosts) == 1
        assert hosts.isdisjoint(old_hosts)
    finally:
        studio.stop()
