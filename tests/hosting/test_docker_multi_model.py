"""A multi-model endpoint on the docker runtime: the studio image's ``serve`` in
multi-model mode, models unpacked by the studio into each instance's cache (seen by the
container through its /opt/ml/model mount), loaded on demand and evicted under a cap."""

from __future__ import annotations

import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_mlstudio.config import resolve_config
from jupyter_mlstudio.entities import EndpointStatus
from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.services.studio import Studio
from tests.hosting.conftest import variant
from tests.runtime.conftest import docker_host, script_image  # noqa: F401 - fixtures

pytestmark = pytest.mark.docker

IDENTITY = """
import json
import os


def model_fn(model_dir):
    with open(os.path.join(model_dir, "model.json")) as handle:
        return json.load(handle)


def predict_fn(data, model):
    return {"model": model["name"], "host": os.environ.get("SM_CURRENT_HOST"), "rows": len(data)}
"""


@pytest.fixture
def docker_studio(tmp_path: Path, script_image: str) -> Iterator[Studio]:  # noqa: F811
    home = tmp_path / "home"
    home.mkdir()
    studio = Studio.open(resolve_config(home=home, default_runtime="docker"))
    yield studio
    studio.close()


def identity_archive(folder: Path, name: str) -> Path:
    """A model.tar.gz with its own code/inference.py answering the model's name."""
    staged = folder / f"stage-{name}"
    (staged / "code").mkdir(parents=True)
    (staged / "code" / "inference.py").write_text(IDENTITY)
    (staged / "model.json").write_text(json.dumps({"name": name}))
    target = folder / "prefix" / f"{name}.tar.gz"
    target.parent.mkdir(exist_ok=True)
    with tarfile.open(target, "w:gz") as tar:
        for item in sorted(staged.iterdir()):
            tar.add(item, arcname=item.name)
    return target


def test_multi_model_endpoint_in_containers(docker_studio: Studio, tmp_path: Path) -> None:
    names = [f"model-{i}" for i in range(6)]
    for name in names:
        identity_archive(tmp_path, name)
    hosting = docker_studio.endpoints
    hosting.create_model(
        {
            "ModelName": "dk-mme",
            "PrimaryContainer": {
                "Mode": "MultiModel",
                "ModelDataUrl": f"{tmp_path / 'prefix'}/",
                "Environment": {"MLSTUDIO_MME_MAX_MODELS": "2"},
            },
        }
    )
    hosting.create_endpoint_config(
        {
            "EndpointConfigName": "dk-mme-config",
            "ProductionVariants": [variant("AllTraffic", "dk-mme", count=2)],
        }
    )
    hosting.create_endpoint({"EndpointName": "dk-mme", "EndpointConfigName": "dk-mme-config"})
    endpoint = hosting.wait("dk-mme", 240)
    assert endpoint.endpoint_status is EndpointStatus.IN_SERVICE, endpoint.failure_reason
    hosts: dict[str, str] = {}
    for _ in range(2):
        for name in names:
            answer = hosting.invoke_sync(
                "dk-mme",
                json.dumps([[1, 2], [3, 4]]).encode(),
                content_type="application/json",
                accept="application/json",
                target_model=f"{name}.tar.gz",
            )
            got = json.loads(answer.body)
            assert got["model"] == name
            assert got["rows"] == 2
            # a model stays on the instance its name hashes to
            assert hosts.setdefault(name, got["host"]) == got["host"]
    with pytest.raises(ValidationError) as missing:
        hosting.invoke_sync("dk-mme", b"[[1]]", content_type="application/json", target_model="x")
    assert missing.value.field == "TargetModel"
    (described,) = hosting.endpoint_models("dk-mme")["Variants"]
    assert {i["Host"] for i in described["Instances"]} == set(hosts.values())
    for instance in described["Instances"]:
        assert len(instance["LoadedModels"]) <= 2
        for model in instance["Models"]:
            assert hosts[model["TargetModel"].removesuffix(".tar.gz")] == instance["Host"]
    models = [m for i in described["Instances"] for m in i["Models"]]
    assert sum(m["Invocations"] for m in models) == 2 * len(names)
    assert sum(m["Evictions"] for m in models) == sum(m["Loads"] for m in models) - sum(
        len(i["LoadedModels"]) for i in described["Instances"]
    )
    hosting.delete_endpoint("dk-mme")
