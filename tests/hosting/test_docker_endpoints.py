"""An endpoint on the docker runtime: a classic script-mode model trained in a container is
served by the studio image's `serve` in containers published on 127.0.0.1, routed by the
studio, and a killed container comes back."""

from __future__ import annotations

import json
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from jupyter_mlstudio.config import resolve_config
from jupyter_mlstudio.entities import EndpointStatus, JobStatus
from jupyter_mlstudio.hosting.instances import LABEL_ENDPOINT, InstanceStatus
from jupyter_mlstudio.services.studio import Studio
from tests.hosting.conftest import model_request, variant
from tests.jobs.conftest import SCRIPTS, training_request
from tests.runtime.conftest import docker_host, script_image  # noqa: F401 - fixtures

pytestmark = pytest.mark.docker


@pytest.fixture
def docker_studio(tmp_path: Path, script_image: str) -> Iterator[Studio]:  # noqa: F811
    home = tmp_path / "home"
    home.mkdir()
    studio = Studio.open(resolve_config(home=home, default_runtime="docker"))
    studio.endpoints.engine.health_interval_s = 0.5
    yield studio
    studio.close()


def test_train_then_serve_in_containers(docker_studio: Studio, tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 3))
    y = (x[:, 0] + x[:, 1] > 0).astype(float)
    data = tmp_path / "train"
    data.mkdir()
    np.savetxt(data / "train.csv", np.column_stack([y, x]), delimiter=",", fmt="%.5f")
    docker_studio.jobs.create_training_job(training_request("dk-train", "train_sklearn.py", data))
    job = docker_studio.jobs.wait("dk-train", 240)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    hosting = docker_studio.endpoints
    model_data = job.outputs["ModelArtifacts"]["S3ModelArtifacts"]
    # no model_fn in the training script: the server loads model.joblib itself
    hosting.create_model(model_request("dk-model", model_data, SCRIPTS, "train_sklearn.py"))
    hosting.create_endpoint_config(
        {
            "EndpointConfigName": "dk-config",
            "ProductionVariants": [variant("AllTraffic", "dk-model", count=2)],
        }
    )
    hosting.create_endpoint({"EndpointName": "dk-ep", "EndpointConfigName": "dk-config"})
    endpoint = hosting.wait("dk-ep", 240)
    assert endpoint.endpoint_status is EndpointStatus.IN_SERVICE, endpoint.failure_reason

    rows = "\n".join(",".join(f"{v:.5f}" for v in row) for row in x).encode()
    answer = hosting.invoke_sync("dk-ep", rows, content_type="text/csv", accept="application/json")
    predicted = np.array(json.loads(answer.body))
    assert predicted.shape == (80,)
    assert (predicted == y).mean() > 0.9  # the trained model's own answers

    # the containers publish their port on 127.0.0.1 only
    runner = docker_studio.jobs.runner("docker")
    handles = runner.find({LABEL_ENDPOINT: "dk-ep"})
    assert len(handles) == 2
    client = runner.client
    for handle in handles:
        ports = client.api.inspect_container(handle.ref)["NetworkSettings"]["Ports"]
        bindings = [b for values in ports.values() if values for b in values]
        assert bindings
        assert {b["HostIp"] for b in bindings} == {"127.0.0.1"}

    # a killed container is restarted by the health checks
    pool = hosting.engine.get("dk-ep").variants["AllTraffic"].pool
    victim = pool.instances[0]
    assert victim.handle is not None
    client.api.kill(victim.handle.ref)
    for _ in range(10):
        hosting.invoke_sync("dk-ep", rows.split(b"\n")[0], content_type="text/csv")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        instances = pool.instances
        if (
            len(instances) == 2
            and all(i.status == InstanceStatus.HEALTHY for i in instances)
            and any(i.restarts for i in instances)
        ):
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"the container did not come back: {hosting.describe_endpoint('dk-ep')}")

    hosting.delete_endpoint("dk-ep")
    assert runner.find({LABEL_ENDPOINT: "dk-ep"}) == []


def test_a_container_that_cannot_start_keeps_its_log(docker_studio: Studio, tmp_path: Path) -> None:
    staged = tmp_path / "model"
    staged.mkdir()
    (staged / "weights.txt").write_text("1 2 3\n")
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(staged / "weights.txt", arcname="weights.txt")
    code = tmp_path / "code"
    code.mkdir()
    (code / "inference.py").write_text(
        "print('loading in a container', flush=True)\nraise RuntimeError('cannot import me')\n"
    )
    hosting = docker_studio.endpoints
    hosting.create_model(model_request("broken", archive, code))
    hosting.create_endpoint_config(
        {
            "EndpointConfigName": "broken-config",
            "ProductionVariants": [variant("AllTraffic", "broken")],
        }
    )
    hosting.create_endpoint({"EndpointName": "ep-broken", "EndpointConfigName": "broken-config"})
    failed = hosting.wait("ep-broken", 120)
    assert failed.endpoint_status is EndpointStatus.FAILED
    assert "cannot import me" in (failed.failure_reason or "")
    text = hosting.read_logs("ep-broken")["Text"]
    assert "loading in a container" in text
    assert "RuntimeError: cannot import me" in text
    runner = docker_studio.jobs.runner("docker")
    assert runner.find({LABEL_ENDPOINT: "ep-broken"}) == []  # the container itself is gone
    hosting.delete_endpoint("ep-broken")
