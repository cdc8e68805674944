"""The SageMaker Python SDK v2's inference pipeline, as a user writes it: two SKLearnModels
(a preprocessor of raw rows with a categorical column, then a classifier) in a
``PipelineModel``, deployed, asked for predictions, run as a batch transform, deleted.
Prints what the test checks on a line ``RESULT <json>``.

Usage: python v2_pipeline.py BASE_NAME
"""

from __future__ import annotations

import json
import sys
import tarfile
import tempfile
from pathlib import Path

import joblib
import numpy as np
import sagemaker
from sagemaker.deserializers import JSONDeserializer
from sagemaker.pipeline import PipelineModel
from sagemaker.predictor import Predictor
from sagemaker.serializers import CSVSerializer
from sagemaker.sklearn import SKLearnModel
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import OneHotEncoder, StandardScaler

ROLE = "arn:aws:iam::000000000000:role/SageMakerRole"
HERE = Path(__file__).resolve().parent
COLOURS = ["red", "green", "blue"]


def raw_rows(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.empty((n, 3), dtype=object)
    out[:, 0] = rng.normal(10, 3, n)
    out[:, 1] = rng.normal(-2, 1, n)
    out[:, 2] = rng.choice(COLOURS, n)
    return out


def csv_of(rows: np.ndarray) -> str:
    return "".join(f"{float(a)!r},{float(b)!r},{c}\n" for a, b, c in rows)


def upload(session: sagemaker.Session, bucket: str, prefix: str, obj: object, file: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        joblib.dump(obj, Path(folder) / file)
        archive = Path(folder) / "model.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(Path(folder) / file, arcname=file)
        return session.upload_data(str(archive), bucket=bucket, key_prefix=prefix)


def main(base_name: str) -> None:
    session = sagemaker.Session()
    bucket = session.default_bucket()
    x = raw_rows(200, seed=0)
    y = ((x[:, 0].astype(float) > 10) ^ (x[:, 2] == "blue")).astype(int)
    pre = ColumnTransformer(
        [("num", StandardScaler(), [0, 1]), ("cat", OneHotEncoder(), [2])], sparse_threshold=0
    ).fit(x)
    clf = LogisticRegression().fit(pre.transform(x), y)
    pre_data = upload(session, bucket, f"{base_name}/pre", pre, "preprocess.joblib")
    clf_data = upload(session, bucket, f"{base_name}/clf", clf, "model.joblib")
    source = str(HERE / "pipeline_source")
    common = {
        "role": ROLE,
        "source_dir": source,
        "framework_version": "1.2-1",
        "py_version": "py3",
        "sagemaker_session": session,
    }
    preprocess = SKLearnModel(
        model_data=pre_data,
        entry_point="preprocess.py",
        env={"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "text/csv"},
        **common,
    )
    classify = SKLearnModel(model_data=clf_data, entry_point="classifier.py", **common)
    pipeline = PipelineModel(
        models=[preprocess, classify],
        role=ROLE,
        predictor_cls=Predictor,
        name=f"{base_name}-model",
        sagemaker_session=session,
    )
    endpoint_name = f"{base_name}-ep"
    predictor = pipeline.deploy(
        initial_instance_count=1,
        instance_type="ml.m5.large",
        endpoint_name=endpoint_name,
        serializer=CSVSerializer(),
        deserializer=JSONDeserializer(),
    )
    rows = raw_rows(15, seed=1)
    predictions = predictor.predict(csv_of(rows))
    described = session.sagemaker_client.describe_model(ModelName=pipeline.name)

    # batch transform over the same pipeline (the model exists: the SDK reuses it)
    data_uri = f"s3://{bucket}/{base_name}/batch/rows.csv"
    sagemaker.s3.S3Uploader.upload_string_as_file_body(
        csv_of(rows), data_uri, sagemaker_session=session
    )
    output = f"s3://{bucket}/{base_name}/out"
    transformer = pipeline.transformer(
        instance_count=1,
        instance_type="ml.m5.large",
        strategy="MultiRecord",
        assemble_with="Line",
        output_path=output,
        accept="text/csv",
    )
    transformer.transform(data_uri, content_type="text/csv", split_type="Line", wait=True)
    written = sagemaker.s3.S3Downloader.read_file(f"{output}/rows.csv.out", session)

    predictor.delete_endpoint()
    pipeline.delete_model()
    print(
        "\nRESULT",
        json.dumps(
            {
                "endpoint_name": endpoint_name,
                "model_name": pipeline.name,
                "containers": [
                    {k: c.get(k) for k in ("Image", "ModelDataUrl")}
                    for c in described["Containers"]
                ],
                "has_primary": "PrimaryContainer" in described,
                "predictions": list(predictions),
                "batch": [int(float(v)) for v in written.split()],
                "expected": [int(v) for v in clf.predict(pre.transform(rows))],
            }
        ),
    )


if __name__ == "__main__":
    main(sys.argv[1])
