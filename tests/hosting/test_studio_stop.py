"""A studio stopped normally (SIGTERM) while an endpoint is Creating: it stops at once,
leaves none of the endpoint's model servers running, and does not record the endpoint
Failed — the next studio on the home finishes the deploy.

One real ``jupyter server`` per runtime
(:class:`~tests.support.studio_server.StudioServer`); the model's ``model_fn``
waits for a ``go`` file in its ``/opt/ml`` (``tests/jobs/test_crash.py``), so the stop
always lands while the endpoint starts.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from jupyter_mlstudio.config import resolve_config
from jupyter_mlstudio.entities import EndpointStatus
from jupyter_mlstudio.store import open_store
from tests.jobs.test_crash import INFERENCE, Containers, Crash, descendants, gone, until
from tests.runtime.conftest import docker_host, script_image  # noqa: F401 - fixtures
from tests.support.studio_server import StudioServer

#: what a normal stop may take: stopping a model server is a SIGTERM to it
STOP_WITHIN_S = 15.0


def stopped_within(process: subprocess.Popen[bytes], seconds: float) -> float | None:
    """SIGTERM ``process``; the seconds it took to exit, None when it did not in time."""
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return None
    return time.monotonic() - started


@pytest.mark.timeout(240)
@pytest.mark.parametrize("runtime", ["process", pytest.param("docker", marks=pytest.mark.docker)])
def test_a_studio_stopped_while_an_endpoint_is_creating_stops_its_model_servers(
    tmp_path: Path, runtime: str, request: pytest.FixtureRequest
) -> None:
    env: dict[str, str] = {}
    crash = Crash(StudioServer(tmp_path / "studio", runtime=runtime, env=env))
    studio = crash.studio
    containers = None
    if runtime == "docker":
        request.getfixturevalue("script_image")
        env["DOCKER_HOST"] = request.getfixturevalue("docker_host").base_url
        containers = Containers(crash, env["DOCKER_HOST"])
    code = tmp_path / "model-code"
    code.mkdir()
    (code / "inference.py").write_text(INFERENCE)

    studio.start()
    try:
        crash.start_endpoint(code)
        logs = f"endpoints/{crash.endpoint}/logs"
        until(lambda: crash.logs_show(logs, "model_fn waits"), "the model server")
        assert crash.ok("GET", f"endpoints/{crash.endpoint}")["EndpointStatus"] == "Creating"
        assert studio.process is not None
        started = descendants(studio.process.pid)  # its model server, on the process runtime
        if containers is not None:
            assert len(containers.endpoint_hosts()) == 1

        took = stopped_within(studio.process, STOP_WITHIN_S)
        assert took is not None, f"the studio did not stop within {STOP_WITHIN_S:g} s"
        assert sorted(pid for pid in started if not gone(pid)) == []
        if containers is not None:
            assert containers.endpoint_hosts() == set()
        store = open_store(resolve_config(home=studio.home).database_url)
        try:  # a stop is no failed deploy: the next studio finishes it
            assert store.get_endpoint(crash.endpoint).endpoint_status is EndpointStatus.CREATING
        finally:
            store.close()

        studio.start()
        assert until(crash.endpoint_settled, "the endpoint") == "InService"
        answer = crash.ok(
            "POST", f"endpoints/{crash.endpoint}/invocations", {"instances": [[1, 2]]}
        )
        assert answer == {"model": "loaded", "rows": 1}
    finally:
        studio.stop()
