"""The SageMaker Python SDK v2's SKLearnProcessor, as a user writes it: a CSV uploaded to
S3 goes in, ``process.py`` runs (``run()`` waits and shows its log), the summary it wrote
comes back from S3. Prints what the test checks on a line ``RESULT <json>``.

Usage: python v2_processing.py BASE_NAME
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import sagemaker
from sagemaker.processing import ProcessingInput, ProcessingOutput
from sagemaker.s3 import S3Downloader
from sagemaker.sklearn.processing import SKLearnProcessor

ROLE = "arn:aws:iam::000000000000:role/SageMakerRole"
HERE = Path(__file__).resolve().parent


def main(base_name: str) -> None:
    session = sagemaker.Session()
    bucket = session.default_bucket()
    data = np.arange(30, dtype=float).reshape(10, 3)
    with tempfile.TemporaryDirectory() as folder:
        np.savetxt(Path(folder) / "rows.csv", data, delimiter=",")
        input_uri = session.upload_data(folder, bucket=bucket, key_prefix=f"{base_name}/input")
    output_uri = f"s3://{bucket}/{base_name}/output"

    processor = SKLearnProcessor(
        framework_version="1.2-1",
        role=ROLE,
        instance_type="ml.m5.large",
        instance_count=1,
        base_job_name=base_name,
        sagemaker_session=session,
    )
    processor.run(
        code=str(HERE / "process.py"),
        inputs=[ProcessingInput(source=input_uri, destination="/opt/ml/processing/input/data")],
        outputs=[ProcessingOutput(source="/opt/ml/processing/output", destination=output_uri)],
        arguments=[
            "--input",
            "/opt/ml/processing/input/data",
            "--output",
            "/opt/ml/processing/output",
        ],
    )
    job = processor.latest_job.describe()
    summary = json.loads(S3Downloader.read_file(f"{output_uri}/summary.json", session))
    print(
        "\nRESULT",
        json.dumps(
            {
                "job_name": job["ProcessingJobName"],
                "status": job["ProcessingJobStatus"],
                "summary": summary,
                "expected": {"rows": 10, "sums": data.sum(axis=0).tolist()},
            }
        ),
    )


if __name__ == "__main__":
    main(sys.argv[1])
