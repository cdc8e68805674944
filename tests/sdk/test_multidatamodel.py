"""``MultiDataModel`` and ``predict(target_model=)`` of the studio's SDK, against a real
studio (pytest-jupyter's server) serving real scikit-learn models."""

from __future__ import annotations

import functools
import tarfile
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
from sklearn.dummy import DummyRegressor

from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.sdk import (
    CSVSerializer,
    JSONDeserializer,
    Model,
    MultiDataModel,
    Predictor,
)
from jupyter_mlstudio.sdk.client import TrackingClient
from jupyter_mlstudio.sdk.hosting_client import hosting_client

from .conftest import in_thread

OWN_IDENTITY = """
import os


def model_fn(model_dir):
    return open(os.path.join(model_dir, "identity.txt")).read().strip()


def predict_fn(data, model):
    return [model] * len(data)
"""


@pytest.fixture
def tracking_uri(studio_uri: str) -> str:
    return studio_uri


def constant_archive(folder: Path, name: str, value: float) -> Path:
    staged = folder / f"stage-{name}"
    staged.mkdir(parents=True)
    model = DummyRegressor(strategy="constant", constant=value).fit(np.zeros((2, 1)), [0, 0])
    joblib.dump(model, staged / "model.joblib")
    archive = folder / name
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(staged / "model.joblib", arcname="model.joblib")
    return archive


def predict_two(predictor: Predictor, target: str) -> Any:
    return predictor.predict([[1.0], [2.0]], target_model=target)


def test_arguments_are_checked(tmp_path: Path) -> None:
    base = Model(entry_point="inference.py", source_dir=str(tmp_path))
    with pytest.raises(ValidationError) as refused:
        MultiDataModel("m", str(tmp_path), model=base, image_uri="img")
    assert refused.value.field == "model"
    with pytest.raises(ValidationError) as refused:
        MultiDataModel("m", "")
    assert refused.value.field == "model_data_prefix"
    mdm = MultiDataModel("m", str(tmp_path / "prefix"))
    assert mdm.model_data_prefix == f"{tmp_path / 'prefix'}/"
    assert list(mdm.list_models()) == []
    with pytest.raises(ValidationError) as refused:
        mdm.add_model(str(tmp_path / "nope.tar.gz"))
    assert refused.value.field == "model_data_source"
    archive = constant_archive(tmp_path, "a.tar.gz", 1.0)
    with pytest.raises(ValidationError) as refused:
        mdm.add_model(str(archive), "../escape.tar.gz")
    assert refused.value.field == "model_data_path"


async def test_multi_data_model_deploys_adds_lists_and_predicts(
    client: TrackingClient, tmp_path: Path
) -> None:
    prefix = tmp_path / "prefix"
    sources = tmp_path / "sources"
    sources.mkdir()
    mdm = MultiDataModel("mdm-studio", str(prefix), sagemaker_session=client)
    # a local file, under its own name and under a path of its own
    for i in range(3):
        mdm.add_model(str(constant_archive(sources, f"m{i}.tar.gz", float(i))))
    added = mdm.add_model(
        constant_archive(sources, "other.tar.gz", 42.0).as_uri(), "deep/forty-two.tar.gz"
    )
    assert added == str(prefix / "deep" / "forty-two.tar.gz")
    # a model with its own code/: it answers its identity
    staged = tmp_path / "own"
    (staged / "code").mkdir(parents=True)
    (staged / "code" / "inference.py").write_text(OWN_IDENTITY)
    (staged / "identity.txt").write_text("I am own")
    with tarfile.open(sources / "own.tar.gz", "w:gz") as tar:
        for item in sorted(staged.iterdir()):
            tar.add(item, arcname=item.name)
    listed = list(mdm.list_models())
    assert listed == ["deep/forty-two.tar.gz", "m0.tar.gz", "m1.tar.gz", "m2.tar.gz"]
    predictor = await in_thread(
        lambda: mdm.deploy(
            1, "local", serializer=CSVSerializer(), deserializer=JSONDeserializer(), wait=True
        )
    )
    assert predictor.endpoint_name == "mdm-studio"
    described = await in_thread(lambda: hosting_client(client).describe_model("mdm-studio"))
    assert described.primary_container.mode == "MultiModel"
    assert described.primary_container.model_data_url == f"{prefix}/"
    for target, value in [("m2.tar.gz", 2.0), ("deep/forty-two.tar.gz", 42.0), ("m0.tar.gz", 0)]:
        answer = await in_thread(functools.partial(predict_two, predictor, target))
        assert answer == [value, value]
    # added while the endpoint serves: the next invocation naming it loads it
    mdm.add_model(str(sources / "own.tar.gz"), "own.tar.gz")
    assert await in_thread(lambda: predictor.predict([[1.0]], target_model="own.tar.gz")) == [
        "I am own"
    ]
    with pytest.raises(ValidationError) as refused:
        await in_thread(lambda: predictor.predict([[1.0]]))
    assert refused.value.field == "TargetModel"
    models = await in_thread(lambda: hosting_client(client).endpoint_models("mdm-studio"))
    (host,) = models["Variants"][0]["Instances"]
    assert len(host["LoadedModels"]) == 4
    await in_thread(predictor.delete_endpoint)
    await in_thread(mdm.delete_model)
