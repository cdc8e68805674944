"""The SageMaker Python SDK v3's ``ModelTrainer`` as a user writes it: a ``SourceCode``
folder, the scikit-learn image, a local data folder it uploads, ``train()`` (which waits
and shows the job's logs). Prints what the test checks as JSON on a line starting with
``RESULT``.

Usage: python v3_model_trainer.py BASE_NAME
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np
from sagemaker.core import image_uris
from sagemaker.core.training.configs import Compute, InputData, SourceCode
from sagemaker.train import ModelTrainer

RESULT = "RESULT"
ROLE = "arn:aws:iam::000000000000:role/SageMakerRole"
HERE = Path(__file__).resolve().parent


def rows() -> np.ndarray:
    """label, x0, x1: the label is 1 where x0 > x1."""
    rng = np.random.default_rng(0)
    features = rng.uniform(0, 10, size=(60, 2))
    labels = (features[:, 0] > features[:, 1]).astype(float)
    return np.column_stack([labels, features])


def main(base_name: str) -> None:
    image = image_uris.retrieve(
        "sklearn", "us-east-1", version="1.2-1", py_version="py3", instance_type="ml.m5.large"
    )
    trainer = ModelTrainer(
        training_image=image,
        source_code=SourceCode(
            source_dir=str(HERE / "v3_trainer_source"), entry_script="v3_train.py"
        ),
        compute=Compute(instance_type="ml.m5.large", instance_count=1, volume_size_in_gb=1),
        hyperparameters={"max_iter": 200, "C": 0.5},
        base_job_name=base_name,
        role=ROLE,
    )
    with tempfile.TemporaryDirectory() as folder:
        np.savetxt(Path(folder) / "train.csv", rows(), delimiter=",")
        trainer.train(input_data_config=[InputData(channel_name="train", data_source=folder)])
    job = trainer._latest_training_job
    job.refresh()
    result = {
        "job": job.training_job_name,
        "status": job.training_job_status,
        "image": job.algorithm_specification.training_image,
        "entrypoint": job.algorithm_specification.container_entrypoint,
        "channels": sorted(c.channel_name for c in job.input_data_config),
        "hyper_parameters": job.hyper_parameters,
        "model_data": job.model_artifacts.s3_model_artifacts,
    }
    # a line of its own: rich's wait panels leave the cursor mid-line
    print(f"\n{RESULT} {json.dumps(result)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
