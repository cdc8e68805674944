"""The SageMaker Python SDK v2's SKLearn flow, as a user writes it: upload the data,
``fit`` (which tails the job's logs), ``deploy``, ``predict`` a numpy array, then delete
the endpoint and the model. Prints what the test checks on a line ``RESULT <json>``.

Usage: python v2_sklearn.py BASE_NAME
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import sagemaker
from sagemaker.sklearn import SKLearn

ROLE = "arn:aws:iam::000000000000:role/SageMakerRole"
HERE = Path(__file__).resolve().parent


def rows() -> np.ndarray:
    """label, x0, x1: the label is 1 where x0 > x1."""
    rng = np.random.default_rng(0)
    features = rng.uniform(0, 10, size=(60, 2))
    labels = (features[:, 0] > features[:, 1]).astype(float)
    return np.column_stack([labels, features])


def main(base_name: str) -> None:
    session = sagemaker.Session()
    bucket = session.default_bucket()
    data = rows()
    with tempfile.TemporaryDirectory() as folder:
        np.savetxt(Path(folder) / "train.csv", data, delimiter=",")
        train_uri = session.upload_data(folder, bucket=bucket, key_prefix=f"{base_name}/train")

    source = HERE / "sklearn_source"
    estimator = SKLearn(
        entry_point="train.py",
        source_dir=str(source),
        framework_version="1.2-1",
        py_version="py3",
        instance_type="ml.m5.large",
        instance_count=1,
        role=ROLE,
        base_job_name=base_name,
        hyperparameters={"max-depth": 4},
        sagemaker_session=session,
    )
    estimator.fit({"train": train_uri})
    job_name = estimator.latest_training_job.name
    # a new kernel's way back to a job: from what DescribeTrainingJob answers
    attached = SKLearn.attach(job_name, sagemaker_session=session)

    predictor = estimator.deploy(initial_instance_count=1, instance_type="ml.m5.large")
    endpoint_name = predictor.endpoint_name
    config = session.sagemaker_client.describe_endpoint_config(EndpointConfigName=endpoint_name)
    model_name = config["ProductionVariants"][0]["ModelName"]
    predictions = predictor.predict(data[:10, 1:])
    # the model first: delete_model() reads the endpoint's configuration, which
    # delete_endpoint() deletes (on SageMaker too, the other order fails)
    predictor.delete_model()
    predictor.delete_endpoint()
    print(
        "\nRESULT",
        json.dumps(
            {
                "bucket": bucket,
                "train_uri": train_uri,
                "job_name": job_name,
                "model_data": estimator.model_data,
                "attached": {
                    "entry_point": attached.entry_point,
                    "source_dir": attached.source_dir,
                    "hyperparameters": attached.hyperparameters(),
                    "model_data": attached.model_data,
                },
                "endpoint_name": endpoint_name,
                "model_name": model_name,
                "predictions": np.asarray(predictions).tolist(),
                "expected": data[:10, 0].tolist(),
            }
        ),
    )


if __name__ == "__main__":
    main(sys.argv[1])
