"""The SageMaker Python SDK v3's ``ModelBuilder`` as a user writes it for an image and a
model already in S3: ``SourceCode`` with the inference code (repacked into the model
archive under ``code/``), ``build()`` (a Model resource), ``deploy()`` (which waits for
the endpoint), ``invoke`` with CSV, then delete the endpoint, its configuration and the
model. Prints what the test checks as JSON on a line starting with ``RESULT``.

Usage: python v3_model_builder.py BASE_NAME
"""

from __future__ import annotations

import io
import json
import sys
import tarfile
from pathlib import Path

from sagemaker.core import image_uris
from sagemaker.core.helper.session_helper import Session
from sagemaker.core.resources import EndpointConfig
from sagemaker.core.training.configs import SourceCode
from sagemaker.serve.model_builder import ModelBuilder

RESULT = "RESULT"
ROLE = "arn:aws:iam::000000000000:role/SageMakerRole"
HERE = Path(__file__).resolve().parent
#: label 1 where x0 > x1
MODEL = {"weights": [1.0, -1.0], "bias": 0.0}
ROWS = [[5.0, 1.0], [1.0, 5.0], [3.0, 2.0], [0.5, 0.7]]


def model_archive() -> bytes:
    """model.tar.gz with the model only (no code: ModelBuilder adds it)."""
    data = json.dumps(MODEL).encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("model.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def main(base_name: str) -> None:
    session = Session()
    bucket = session.default_bucket()
    s3 = session.boto_session.client("s3")
    s3.put_object(Bucket=bucket, Key=f"{base_name}/model.tar.gz", Body=model_archive())
    image = image_uris.retrieve(
        "sklearn",
        session.boto_region_name,
        version="1.2-1",
        py_version="py3",
        instance_type="ml.m5.large",
    )
    builder = ModelBuilder(
        image_uri=image,
        s3_model_data_url=f"s3://{bucket}/{base_name}/model.tar.gz",
        source_code=SourceCode(
            source_dir=str(HERE / "v3_serve_source"), entry_script="v3_inference.py"
        ),
        role_arn=ROLE,
        instance_type="ml.m5.large",
    )
    model = builder.build(model_name=f"{base_name}-model")
    container = model.primary_container
    endpoint = builder.deploy(endpoint_name=f"{base_name}-endpoint", initial_instance_count=1)
    body = "".join(f"{a},{b}\n" for a, b in ROWS)
    answer = endpoint.invoke(body=body, content_type="text/csv", accept="application/json")
    predictions = json.loads(answer.body.read())
    endpoint.refresh()
    status = endpoint.endpoint_status
    config_name = endpoint.endpoint_config_name
    endpoint.delete()
    endpoint.wait_for_delete(poll=1, timeout=120)
    EndpointConfig.get(config_name).delete()
    model.delete()
    result = {
        "model": model.model_name,
        "model_data": container.model_data_url,
        "environment": container.environment,
        "endpoint": endpoint.endpoint_name,
        "endpoint_config": config_name,
        "status": status,
        "predictions": predictions,
    }
    # a line of its own: rich's wait panels leave the cursor mid-line
    print(f"\n{RESULT} {json.dumps(result)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
