"""sagemaker-core (the SageMaker Python SDK v3) ``ProcessingJob.create`` with the
scikit-learn image, code and data in S3, then ``wait`` and read the output back from S3.
Prints what the test checks as JSON on a line starting with ``RESULT``.

Usage: python v3_core_processing.py BASE_NAME
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sagemaker.core import image_uris
from sagemaker.core.helper.session_helper import Session
from sagemaker.core.resources import ProcessingJob
from sagemaker.core.shapes import (
    AppSpecification,
    ProcessingClusterConfig,
    ProcessingInput,
    ProcessingOutput,
    ProcessingOutputConfig,
    ProcessingResources,
    ProcessingS3Input,
    ProcessingS3Output,
    ProcessingStoppingCondition,
)

RESULT = "RESULT"
ROLE = "arn:aws:iam::000000000000:role/SageMakerRole"
HERE = Path(__file__).resolve().parent
CODE = "/opt/ml/processing/input/code"
DATA = "/opt/ml/processing/input/data"
OUT = "/opt/ml/processing/output"
#: seconds between two describes while waiting (the SDK's default is 5)
POLL = 1


def s3_input(name: str, uri: str, local_path: str) -> ProcessingInput:
    """One S3 prefix copied into the job's folder before it starts."""
    return ProcessingInput(
        input_name=name,
        s3_input=ProcessingS3Input(
            s3_uri=uri, local_path=local_path, s3_data_type="S3Prefix", s3_input_mode="File"
        ),
    )


def main(base_name: str) -> None:
    session = Session()
    bucket = session.default_bucket()
    s3 = session.boto_session.client("s3")
    s3.put_object(Bucket=bucket, Key=f"{base_name}/data/a.csv", Body="1,2,3\n4,5,6\n")
    s3.put_object(Bucket=bucket, Key=f"{base_name}/data/b.csv", Body="10,20\n")
    s3.put_object(
        Bucket=bucket,
        Key=f"{base_name}/code/v3_process.py",
        Body=(HERE / "v3_process.py").read_bytes(),
    )
    image = image_uris.retrieve(
        "sklearn",
        session.boto_region_name,
        version="1.2-1",
        py_version="py3",
        instance_type="ml.m5.large",
    )
    job_name = f"{base_name}-process"
    output_uri = f"s3://{bucket}/{base_name}/output"
    job = ProcessingJob.create(
        processing_job_name=job_name,
        role_arn=ROLE,
        app_specification=AppSpecification(
            image_uri=image,
            container_entrypoint=["python3", f"{CODE}/v3_process.py"],
            container_arguments=[DATA, OUT],
        ),
        processing_inputs=[
            s3_input("code", f"s3://{bucket}/{base_name}/code", CODE),
            s3_input("data", f"s3://{bucket}/{base_name}/data", DATA),
        ],
        processing_output_config=ProcessingOutputConfig(
            outputs=[
                ProcessingOutput(
                    output_name="sums",
                    s3_output=ProcessingS3Output(
                        s3_uri=output_uri, local_path=OUT, s3_upload_mode="EndOfJob"
                    ),
                )
            ]
        ),
        processing_resources=ProcessingResources(
            cluster_config=ProcessingClusterConfig(
                instance_count=1, instance_type="ml.m5.large", volume_size_in_gb=1
            )
        ),
        stopping_condition=ProcessingStoppingCondition(max_runtime_in_seconds=300),
        environment={"GREETING": "hello"},
    )
    created_status = job.processing_job_status
    job.wait(poll=POLL, timeout=300)
    sums = s3.get_object(Bucket=bucket, Key=f"{base_name}/output/sums.csv")["Body"].read()
    listed = [found.processing_job_name for found in ProcessingJob.get_all(name_contains=base_name)]
    result = {
        "job": job_name,
        "created_status": created_status,
        "status": job.processing_job_status,
        "image": job.app_specification.image_uri,
        "output_uri": job.processing_output_config.outputs[0].s3_output.s3_uri,
        "sums": sums.decode().split(),
        "listed": listed,
    }
    # a line of its own: rich's wait panels leave the cursor mid-line
    print(f"\n{RESULT} {json.dumps(result)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
