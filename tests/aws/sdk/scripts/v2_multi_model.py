"""The SageMaker Python SDK v2's multi-model endpoint, as a user writes it: a
``MultiDataModel`` over an S3 prefix with an ``SKLearnModel``'s entry point, models added
from local files and copied from S3, ``list_models``, ``deploy``, ``predict`` with
``target_model``, a TargetModel that does not exist, then delete. Prints what the test
checks on a line ``RESULT <json>``.

Usage: python v2_multi_model.py BASE_NAME
"""

from __future__ import annotations

import json
import sys
import tarfile
import tempfile
from pathlib import Path

import sagemaker
from botocore.exceptions import ClientError
from sagemaker.deserializers import JSONDeserializer
from sagemaker.multidatamodel import MultiDataModel
from sagemaker.serializers import JSONSerializer
from sagemaker.sklearn import SKLearnModel

ROLE = "arn:aws:iam::000000000000:role/SageMakerRole"
HERE = Path(__file__).resolve().parent


def archive(folder: Path, name: str, scale: float) -> Path:
    """A model.tar.gz whose model.json names the model ``name``."""
    staged = folder / name
    staged.mkdir()
    (staged / "model.json").write_text(json.dumps({"name": name, "scale": scale}))
    target = folder / f"{name}.tar.gz"
    with tarfile.open(target, "w:gz") as tar:
        tar.add(staged / "model.json", arcname="model.json")
    return target


def main(base_name: str) -> None:
    session = sagemaker.Session()
    bucket = session.default_bucket()
    prefix = f"s3://{bucket}/{base_name}/models/"
    model = SKLearnModel(
        model_data=prefix,
        role=ROLE,
        entry_point="inference.py",
        source_dir=str(HERE / "mme_source"),
        framework_version="1.2-1",
        py_version="py3",
        sagemaker_session=session,
    )
    mdm = MultiDataModel(
        name=base_name, model_data_prefix=prefix, model=model, sagemaker_session=session
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        added = [mdm.add_model(str(archive(folder, f"model-{i}", i + 1.0))) for i in range(3)]
        elsewhere = session.upload_data(
            str(archive(folder, "copied", 10.0)), bucket=bucket, key_prefix=f"{base_name}/staging"
        )
    added.append(mdm.add_model(elsewhere, "more/copied.tar.gz"))
    listed = sorted(mdm.list_models())
    predictor = mdm.deploy(
        initial_instance_count=1,
        instance_type="ml.m5.large",
        serializer=JSONSerializer(),
        deserializer=JSONDeserializer(),
    )
    answers = {t: predictor.predict([[1, 2], [3, 4]], target_model=t) for t in listed}
    answers["again-model-0"] = predictor.predict([[5, 5]], target_model="model-0.tar.gz")
    try:
        predictor.predict([[1, 2]], target_model="nope.tar.gz")
        missing: dict[str, str] = {}
    except ClientError as exc:
        missing = {
            "code": exc.response["Error"]["Code"],
            "message": exc.response["Error"]["Message"],
        }
    described = session.sagemaker_client.describe_model(ModelName=base_name)
    endpoint_name = predictor.endpoint_name
    predictor.delete_model()
    predictor.delete_endpoint()
    print(
        "\nRESULT",
        json.dumps(
            {
                "prefix": prefix,
                "added": added,
                "listed": listed,
                "answers": answers,
                "missing": missing,
                "container": {
                    "Mode": described["PrimaryContainer"].get("Mode"),
                    "ModelDataUrl": described["PrimaryContainer"].get("ModelDataUrl"),
                },
                "endpoint_name": endpoint_name,
            }
        ),
    )


if __name__ == "__main__":
    main(sys.argv[1])
