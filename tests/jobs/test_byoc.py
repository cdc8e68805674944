"""Bring your own container: an image built here (FROM the local script-mode image, nothing
pulled) with its own ``train`` on PATH, run as a training job through the SDK's Estimator."""

from __future__ import annotations

import contextlib
import io
import secrets
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_mlstudio.entities import JobStatus
from jupyter_mlstudio.ownership import current_owner, stop_owner
from jupyter_mlstudio.sdk import TrackingClient
from jupyter_mlstudio.sdk import client as client_module
from jupyter_mlstudio.sdk.estimator import Estimator
from jupyter_mlstudio.sdk.inputs import TrainingInput
from jupyter_mlstudio.sdk.jobs_client import jobs_client
from tests.runtime.conftest import docker_host, script_image  # noqa: F401 - fixtures
from tests.support.docker_engine import DockerEngine

pytestmark = pytest.mark.docker

TRAIN = """\
#!/usr/bin/env python3
import json, os

with open("/opt/ml/input/config/hyperparameters.json") as f:
    hp = json.load(f)
epochs = int(hp["epochs"])
data = "/opt/ml/input/data/train"
rows = sum(
    len(open(os.path.join(data, name)).read().splitlines()) for name in sorted(os.listdir(data))
)
print(f"rows={rows} epochs={epochs}", flush=True)
loss = float(hp["start_loss"])
for epoch in range(1, epochs + 1):
    print(f"epoch={epoch} loss={loss}", flush=True)
    loss /= 2
with open("/opt/ml/model/model.txt", "w") as f:
    f.write(f"trained on {rows} rows for {epochs} epochs\\n")
"""

DOCKERFILE = """\
FROM {base}
COPY train /opt/program/train
RUN chmod 755 /opt/program/train
ENV PATH=/opt/program:$PATH
"""


def _add(tar: tarfile.TarFile, name: str, text: str, mode: int = 0o644) -> None:
    data = text.encode()
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    tar.addfile(info, io.BytesIO(data))


@pytest.fixture
def byoc_image(docker_host: DockerEngine, script_image: str) -> Iterator[str]:  # noqa: F811
    """A BYOC image built from the local script-mode image; removed afterwards."""
    import docker

    client = docker.DockerClient(base_url=docker_host.base_url, timeout=120)
    tag = f"mlstudio-test/byoc:{secrets.token_hex(4)}"
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as tar:
        _add(tar, "Dockerfile", DOCKERFILE.format(base=script_image))
        _add(tar, "train", TRAIN, 0o755)
    context.seek(0)
    try:
        client.images.build(fileobj=context, custom_context=True, tag=tag, pull=False, rm=True)
        yield tag
    finally:
        for container in client.containers.list(all=True, filters={"ancestor": tag}):
            container.remove(force=True)
        with contextlib.suppress(docker.errors.ImageNotFound):
            client.images.remove(tag, force=True)
        client.close()


@pytest.fixture
def script_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TrackingClient]:
    """What a script outside JupyterLab has: tracking straight into a SQLite file on a
    fresh home, no studio running; its first job starts a background studio for that home
    (with the same store and artifact root, on the docker runtime), stopped at the end."""
    home = tmp_path / "home"
    monkeypatch.setenv("MLSTUDIO_HOME", str(home))
    monkeypatch.setenv("MLSTUDIO_ARTIFACT_ROOT", str(tmp_path / "artifacts"))
    monkeypatch.setenv("MLSTUDIO_RUNTIME", "docker")
    before = set(client_module._clients)
    tracking = TrackingClient(f"sqlite:///{tmp_path / 'byoc.db'}")
    try:
        yield tracking
    finally:
        tracking.close()
        for key in set(client_module._clients) - before:
            client_module._clients.pop(key).close()
        assert stop_owner(home), "the background studio did not stop"


def test_own_image_trains_with_its_train_command(
    byoc_image: str, script_client: TrackingClient, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "part-0.csv").write_text("1,0.5\n0,0.1\n1,0.9\n")
    (data / "part-1.csv").write_text("0,0.2\n")
    estimator = Estimator(
        image_uri=byoc_image,
        hyperparameters={"epochs": 3, "start_loss": 0.5},
        metric_definitions=[{"Name": "loss", "Regex": "loss=([0-9.]+)"}],
        base_job_name="byoc",
        sagemaker_session=script_client,
    )
    estimator.fit({"train": TrainingInput(str(data), content_type="text/csv")}, logs=False)

    job = estimator.describe()
    logs = jobs_client(script_client).job_logs(job.kind, job.job_name).Text
    assert job.status is JobStatus.COMPLETED, (job.failure_reason, logs)
    assert job.runtime == "docker"
    owner = current_owner(tmp_path / "home")
    assert owner is not None
    assert owner.kind == "background"  # the job's owner outlives the script
    assert "rows=4 epochs=3" in logs
    assert "epoch=3 loss=0.125" in logs

    model_data = estimator.model_data
    assert model_data is not None
    assert model_data.endswith(f"{job.job_name}/output/model.tar.gz")
    with tarfile.open(model_data.removeprefix("file://")) as tar:
        assert tar.getnames() == ["model.txt"]
        member = tar.extractfile("model.txt")
        assert member is not None
        assert member.read() == b"trained on 4 rows for 3 epochs\n"

    series = script_client.get_metric_series(f"{job.job_name}-aws-training-job", "loss")
    assert [p.value for p in series] == [0.5, 0.25, 0.125]
