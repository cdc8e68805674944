"""The runtime contract on a real Docker engine, and what only the docker runtime promises."""

from __future__ import annotations

import http.client
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from jupyter_mlstudio.exceptions import NotFoundError, ValidationError
from jupyter_mlstudio.runtime.base import LABEL_JOB, ContainerSpec, JobHandle, JobRunner
from jupyter_mlstudio.runtime.docker import LABEL_HOME, DockerRunner, container_name, home_id
from jupyter_mlstudio.testing.runtime_contract import RuntimeContract
from jupyter_mlstudio.testing.runtime_contract_serving import listeners
from tests.support.docker_engine import DockerEngine

pytestmark = pytest.mark.docker


class TestDockerRunner(RuntimeContract):
    oom_kills = True
    hosts_resolve = True
    memory_limit = 128 << 20

    @pytest.fixture(autouse=True)
    def _image(self, script_image: str) -> None:
        type(self).image = script_image

    @pytest.fixture
    def make_runner_at(self, docker_host: DockerEngine) -> Callable[[Path], JobRunner]:
        return lambda state_root: DockerRunner(state_root, base_url=docker_host.base_url)

    def assert_loopback_only(self, runner: JobRunner, handle: JobHandle, port: int) -> None:
        assert isinstance(runner, DockerRunner)
        info = runner.client.api.inspect_container(handle.ref)
        published = {"HostIp": "127.0.0.1", "HostPort": str(port)}
        assert info["NetworkSettings"]["Ports"] == {"8080/tcp": [published]}
        assert info["HostConfig"]["PortBindings"] == {
            "8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}]
        }
        assert "SAGEMAKER_BIND_TO_PORT=8080" in info["Config"]["Env"]

    def diagnose(self, runner: JobRunner, handle: JobHandle, port: int) -> str:
        """Where the published port leads: the engine's binding, who listens on the host
        side, and whether the container answers on its own bridge address."""
        assert isinstance(runner, DockerRunner)
        settings = runner.client.api.inspect_container(handle.ref)["NetworkSettings"]
        addresses = [n.get("IPAddress") for n in (settings.get("Networks") or {}).values()]
        found = [f"ports {settings.get('Ports')}", listeners(port)]
        for ip in filter(None, addresses):
            conn = http.client.HTTPConnection(ip, 8080, timeout=3)
            try:
                conn.request("GET", "/ping")
                found.append(f"{ip}:8080 answers HTTP {conn.getresponse().status}")
            except OSError as exc:
                found.append(f"{ip}:8080: {exc!r}")
            finally:
                conn.close()
        return "; ".join(found)

    def kill(self, runner: JobRunner, handle: JobHandle) -> None:
        assert isinstance(runner, DockerRunner)
        runner.client.api.kill(handle.ref)


@pytest.fixture
def runner(docker_host: DockerEngine, script_image: str, tmp_path: Path) -> Iterator[DockerRunner]:
    runner = DockerRunner(tmp_path / "state", base_url=docker_host.base_url)
    yield runner
    for handle in runner.find({"mlstudio.test-module": "docker"}):
        runner.cleanup(handle)
    runner.close()


def _spec(tmp_path: Path, image: str | None, **fields: object) -> ContainerSpec:
    ml_dir = tmp_path / "ml"
    ml_dir.mkdir(exist_ok=True)
    values: dict[str, object] = {
        "job_name": f"job-{uuid.uuid4().hex[:8]}",
        "ml_dir": ml_dir,
        "image": image,
        "labels": {"mlstudio.test-module": "docker"},
    }
    values.update(fields)
    return ContainerSpec(**values)  # type: ignore[arg-type]


def test_a_missing_image_is_never_pulled(runner: DockerRunner, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        runner.launch(_spec(tmp_path, "mlstudio/not-built:1"))
    assert info.value.field == "image_uri"
    assert "never pulled" in info.value.message
    assert "mlstudio images build" in info.value.message
    assert runner.client.images.list(name="mlstudio/not-built") == []


def test_container_settings(runner: DockerRunner, tmp_path: Path, script_image: str) -> None:
    spec = _spec(
        tmp_path, None, command=("python3", "-c", "print('hi')"), cpus=1.5, memory_bytes=256 << 20
    )
    handle = runner.launch(spec)
    assert runner.wait(handle, 60).exit_code == 0
    info = runner.client.api.inspect_container(handle.ref)
    host = info["HostConfig"]
    assert info["Name"] == f"/mlstudio-{spec.job_name}-algo-1-{runner.home}"
    assert info["Name"] == "/" + container_name(spec.job_name, "algo-1", runner.home)
    assert runner.home == home_id(tmp_path / "state")
    assert info["Config"]["Image"] == script_image  # None means the script-mode image
    assert info["Config"]["Labels"][LABEL_JOB] == spec.job_name
    assert info["Config"]["Labels"][LABEL_HOME] == runner.home
    assert host["Init"] is True
    assert host["Privileged"] is False
    assert host["Memory"] == 256 << 20
    assert host["NanoCpus"] == 1_500_000_000
    assert not host.get("PortBindings")
    assert any(m["Destination"] == "/opt/ml" for m in info["Mounts"])
    assert runner.logs(handle)[0] == "hi\n"
    runner.cleanup(handle)
    with pytest.raises(NotFoundError):
        runner.poll(handle)
    assert runner.client.containers.list(all=True, filters={"id": handle.ref}) == []


def test_launch_returns_before_the_job_ends(runner: DockerRunner, tmp_path: Path) -> None:
    started = time.monotonic()
    handle = runner.launch(_spec(tmp_path, None, command=("sleep", "30")))
    launch_seconds = time.monotonic() - started
    assert runner.poll(handle).running
    assert launch_seconds < 10
    assert runner.stop(handle, grace_seconds=5).exit_code == 143  # SIGTERM via init


def test_multi_node_network_is_removed_with_the_last_host(
    runner: DockerRunner, tmp_path: Path
) -> None:
    asked = f"mlstudio-net-{uuid.uuid4().hex[:8]}"
    network = runner.network_name(asked)
    assert network == f"{asked}-{runner.home}"  # one per home
    handle = runner.launch(_spec(tmp_path, None, command=("true",), network=asked))
    runner.wait(handle, 60)
    assert [n.name for n in runner.client.networks.list(names=[network])] == [network]
    runner.cleanup(handle)
    assert runner.client.networks.list(names=[network]) == []
