"""A model whose inference code is inside its own archive: ``model.tar.gz`` with ``code/``
and ``SAGEMAKER_SUBMIT_DIRECTORY=/opt/ml/model/code``, as the SageMaker SDKs write it when
they repack code into the model (v3's ModelBuilder, v2's ``Model(entry_point=...)``)."""

from __future__ import annotations

import tarfile
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.artifacts import transfer
from jupyter_mlstudio.runtime.images import DEFAULT_TAG
from jupyter_mlstudio.services.studio import Studio

from .conftest import in_thread
from .test_hosting import FAST_WAITER, LINEAR, numbers, runtime, train  # noqa: F401
from .test_jobs_api import ROLE

MODEL_CODE = "/opt/ml/model/code"


def repack(model_data: str, folder: Path) -> Path:
    """The trained model.tar.gz again, with ``code/inference.py`` added."""
    unpacked = folder / "unpacked"
    transfer.fetch(model_data, folder / "fetched")
    (archive,) = (folder / "fetched").rglob("*.tar.gz")
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    repacked = folder / "repacked" / "model.tar.gz"
    repacked.parent.mkdir()
    with tarfile.open(repacked, "w:gz") as tar:
        for path in sorted(unpacked.iterdir()):
            tar.add(path, arcname=path.name)
        tar.add(LINEAR / "inference.py", arcname="code/inference.py")
    return repacked


async def test_a_repacked_model_serves_the_code_in_its_archive(
    sagemaker: Any,
    runtime: Any,  # noqa: F811 - the fixture of test_hosting
    studio: Studio,
    tmp_path: Path,
) -> None:
    trained = await train(sagemaker, studio, tmp_path, "repack-train")
    repacked = await in_thread(lambda: repack(trained, tmp_path / "repack"))
    await in_thread(
        lambda: sagemaker.create_model(
            ModelName="repacked-model",
            ExecutionRoleArn=ROLE,
            PrimaryContainer={
                "Image": DEFAULT_TAG,
                "ModelDataUrl": repacked.as_uri(),
                "Environment": {
                    "SAGEMAKER_PROGRAM": "inference.py",
                    "SAGEMAKER_SUBMIT_DIRECTORY": MODEL_CODE,
                },
            },
        )
    )
    described = await in_thread(lambda: sagemaker.describe_model(ModelName="repacked-model"))
    assert described["PrimaryContainer"]["Environment"]["SAGEMAKER_SUBMIT_DIRECTORY"] == (
        MODEL_CODE
    )  # kept as given: no local folder of that name is looked for

    variant = {
        "VariantName": "AllTraffic",
        "ModelName": "repacked-model",
        "InitialInstanceCount": 1,
        "InstanceType": "ml.m5.large",
    }
    await in_thread(
        lambda: sagemaker.create_endpoint_config(
            EndpointConfigName="repacked-config", ProductionVariants=[variant]
        )
    )
    await in_thread(
        lambda: sagemaker.create_endpoint(
            EndpointName="repacked-endpoint", EndpointConfigName="repacked-config"
        )
    )
    waiter = sagemaker.get_waiter("endpoint_in_service")
    await in_thread(lambda: waiter.wait(EndpointName="repacked-endpoint", WaiterConfig=FAST_WAITER))
    answer = await in_thread(
        lambda: runtime.invoke_endpoint(
            EndpointName="repacked-endpoint",
            ContentType="text/csv",
            Accept="text/csv",
            Body="1,1\n4,0\n",
        )
    )
    # predict_fn of code/inference.py: y = 2 * x1 + 3 * x2, rounded
    assert numbers(answer["Body"].read()) == pytest.approx([5.0, 8.0])
    await in_thread(lambda: sagemaker.delete_endpoint(EndpointName="repacked-endpoint"))
