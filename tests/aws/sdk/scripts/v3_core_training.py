"""sagemaker-core (the SageMaker Python SDK v3) resources, as a user writes them: upload
data and code to S3, ``TrainingJob.create`` with the scikit-learn image and its shapes,
``wait`` (with the job's logs), ``refresh``, ``TrainingJob.get`` and ``get_all``; then
a batch ``TransformJob`` of the model and an endpoint (``Model``, ``EndpointConfig``,
``Endpoint``) ``invoke``-d with CSV, and delete all three. Prints what the test checks as
JSON on a line starting with ``RESULT``.

Usage: python v3_core_training.py BASE_NAME
"""

from __future__ import annotations

import io
import json
import sys
import tarfile
from pathlib import Path

import numpy as np
from sagemaker.core import image_uris
from sagemaker.core.helper.session_helper import Session
from sagemaker.core.resources import Endpoint, EndpointConfig, Model, TrainingJob, TransformJob
from sagemaker.core.shapes import (
    AlgorithmSpecification,
    Channel,
    ContainerDefinition,
    DataSource,
    OutputDataConfig,
    ProductionVariant,
    ResourceConfig,
    S3DataSource,
    StoppingCondition,
    TransformDataSource,
    TransformInput,
    TransformOutput,
    TransformResources,
    TransformS3DataSource,
)

RESULT = "RESULT"
ROLE = "arn:aws:iam::000000000000:role/SageMakerRole"
HERE = Path(__file__).resolve().parent
ENTRY = "v3_entry.py"
#: seconds between two describes while waiting (the SDK's default is 5)
POLL = 1


def rows() -> np.ndarray:
    """label, x0, x1: the label is 1 where x0 > x1."""
    rng = np.random.default_rng(0)
    features = rng.uniform(0, 10, size=(60, 2))
    labels = (features[:, 0] > features[:, 1]).astype(float)
    return np.column_stack([labels, features])


def features_csv(data: np.ndarray) -> str:
    """The first ten rows' features as CSV."""
    features = io.StringIO()
    np.savetxt(features, data[:10, 1:], delimiter=",")
    return features.getvalue()


def source_archive() -> bytes:
    """sourcedir.tar.gz with the entry script, as the SDKs pack ``source_dir``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.add(HERE / ENTRY, arcname=ENTRY)
    return buffer.getvalue()


def main(base_name: str) -> None:
    session = Session()
    bucket = session.default_bucket()
    s3 = session.boto_session.client("s3")
    data = rows()
    csv = io.StringIO()
    np.savetxt(csv, data, delimiter=",")
    s3.put_object(Bucket=bucket, Key=f"{base_name}/train/train.csv", Body=csv.getvalue())
    s3.put_object(Bucket=bucket, Key=f"{base_name}/code/sourcedir.tar.gz", Body=source_archive())
    code_uri = f"s3://{bucket}/{base_name}/code/sourcedir.tar.gz"
    image = image_uris.retrieve(
        "sklearn",
        session.boto_region_name,
        version="1.2-1",
        py_version="py3",
        instance_type="ml.m5.large",
    )

    job_name = f"{base_name}-train"
    job = TrainingJob.create(
        training_job_name=job_name,
        role_arn=ROLE,
        algorithm_specification=AlgorithmSpecification(
            training_image=image, training_input_mode="File"
        ),
        input_data_config=[
            Channel(
                channel_name="train",
                content_type="text/csv",
                data_source=DataSource(
                    s3_data_source=S3DataSource(
                        s3_data_type="S3Prefix",
                        s3_uri=f"s3://{bucket}/{base_name}/train",
                        s3_data_distribution_type="FullyReplicated",
                    )
                ),
            )
        ],
        output_data_config=OutputDataConfig(s3_output_path=f"s3://{bucket}/{base_name}/output"),
        resource_config=ResourceConfig(
            instance_type="ml.m5.large", instance_count=1, volume_size_in_gb=1
        ),
        stopping_condition=StoppingCondition(max_runtime_in_seconds=600),
        hyper_parameters={
            "max_iter": "200",
            "sagemaker_program": json.dumps(ENTRY),
            "sagemaker_submit_directory": json.dumps(code_uri),
        },
    )
    created_status = job.training_job_status
    job.wait(poll=POLL, timeout=300, logs=True)  # CloudWatch Logs: the studio's job log
    job.refresh()
    fetched = TrainingJob.get(job_name)
    listed = [found.training_job_name for found in TrainingJob.get_all(name_contains=base_name)]
    model_data = job.model_artifacts.s3_model_artifacts

    model = Model.create(
        model_name=f"{base_name}-model",
        execution_role_arn=ROLE,
        primary_container=ContainerDefinition(
            image=image,
            model_data_url=model_data,
            environment={"SAGEMAKER_PROGRAM": ENTRY, "SAGEMAKER_SUBMIT_DIRECTORY": code_uri},
        ),
    )
    endpoint_config = EndpointConfig.create(
        endpoint_config_name=f"{base_name}-config",
        production_variants=[
            ProductionVariant(
                variant_name="AllTraffic",
                model_name=model.model_name,
                initial_instance_count=1,
                instance_type="ml.m5.large",
            )
        ],
    )
    s3.put_object(Bucket=bucket, Key=f"{base_name}/batch/rows.csv", Body=features_csv(data))
    transform = TransformJob.create(
        transform_job_name=f"{base_name}-transform",
        model_name=model.model_name,
        transform_input=TransformInput(
            data_source=TransformDataSource(
                s3_data_source=TransformS3DataSource(
                    s3_data_type="S3Prefix", s3_uri=f"s3://{bucket}/{base_name}/batch"
                )
            ),
            content_type="text/csv",
            split_type="Line",
        ),
        transform_output=TransformOutput(
            s3_output_path=f"s3://{bucket}/{base_name}/batch-out", accept="text/csv"
        ),
        transform_resources=TransformResources(instance_type="ml.m5.large", instance_count=1),
    )
    transform.wait(poll=POLL, timeout=300)
    batch = s3.get_object(Bucket=bucket, Key=f"{base_name}/batch-out/rows.csv.out")
    batch_predictions = [float(v) for v in batch["Body"].read().decode().split()]

    endpoint = Endpoint.create(
        endpoint_name=f"{base_name}-endpoint",
        endpoint_config_name=endpoint_config.endpoint_config_name,
    )
    endpoint.wait_for_status("InService", poll=POLL, timeout=300)
    answer = endpoint.invoke(body=features_csv(data), content_type="text/csv")
    predictions = json.loads(answer.body.read())
    endpoint_status = endpoint.endpoint_status

    endpoint.delete()
    endpoint.wait_for_delete(poll=POLL, timeout=120)
    endpoint_config.delete()
    model.delete()
    result = {
        "bucket": bucket,
        "image": image,
        "job": job_name,
        "created_status": created_status,
        "status": job.training_job_status,
        "secondary_status": job.secondary_status,
        "fetched_status": fetched.training_job_status,
        "fetched_image": fetched.algorithm_specification.training_image,
        "hyper_parameters": fetched.hyper_parameters,
        "listed": listed,
        "model_data": model_data,
        "model": model.model_name,
        "endpoint_config": endpoint_config.endpoint_config_name,
        "endpoint": endpoint.endpoint_name,
        "transform": transform.transform_job_name,
        "transform_status": transform.transform_job_status,
        "batch_predictions": batch_predictions,
        "endpoint_status": endpoint_status,
        "content_type": answer.content_type,
        "predictions": predictions,
        "labels": data[:10, 0].tolist(),
    }
    # a line of its own: rich's wait panels leave the cursor mid-line
    print(f"\n{RESULT} {json.dumps(result)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
