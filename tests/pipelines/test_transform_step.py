"""A Transform step on the process runtime, in a whole studio: a Model step serves a
scikit-learn model and the Transform step runs a batch transform job with it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from jupyter_mlstudio.config import StudioConfig
from jupyter_mlstudio.entities import JobKind
from jupyter_mlstudio.services.studio import Studio
from tests.hosting.test_endpoints import code, trained  # noqa: F401 - fixtures
from tests.hosting.test_transform import csv_text


@pytest.fixture
def studio(pipeline_config: StudioConfig) -> Iterator[Studio]:
    opened = Studio.open(pipeline_config)
    yield opened
    opened.close()


def test_a_model_step_then_a_transform_step(
    studio: Studio,
    trained: tuple[LogisticRegression, np.ndarray, Path],  # noqa: F811 - the fixture
    code: Path,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    model, x, archive = trained
    data = tmp_path / "batch"
    data.mkdir()
    (data / "rows.csv").write_text(csv_text(x[:5]))
    out = tmp_path / "predictions"
    steps = [
        {
            "Name": "Model",
            "Type": "Model",
            "Arguments": {
                "PrimaryContainer": {
                    "ModelDataUrl": str(archive),
                    "Environment": {
                        "SAGEMAKER_PROGRAM": "inference.py",
                        "SAGEMAKER_SUBMIT_DIRECTORY": str(code),
                    },
                }
            },
        },
        {
            "Name": "Predict",
            "Type": "Transform",
            "Arguments": {
                "ModelName": {"Get": "Steps.Model.ModelName"},
                "TransformInput": {
                    "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": str(data)}},
                    "ContentType": "text/csv",
                    "SplitType": "Line",
                },
                "TransformOutput": {"S3OutputPath": str(out), "AssembleWith": "Line"},
                "TransformResources": {"InstanceType": "local", "InstanceCount": 1},
            },
        },
    ]
    text = json.dumps({"Version": "2020-12-01", "Steps": steps})
    studio.pipelines.create({"PipelineName": "batch", "PipelineDefinition": text})
    arn = studio.pipeline_executions.start("batch", {})["PipelineExecutionArn"]
    done = studio.pipeline_executions.wait(arn, 180)
    listed = {s["StepName"]: s for s in studio.pipeline_executions.list_steps(arn)}
    assert done["PipelineExecutionStatus"] == "Succeeded", (done, listed)
    job_arn = listed["Predict"]["Metadata"]["TransformJob"]["Arn"]
    assert ":transform-job/pipelines-" in job_arn
    job = studio.store.get_job(job_arn.rsplit("/", 1)[1], JobKind.TRANSFORM)
    assert job.spec["ModelName"] == listed["Model"]["Metadata"]["Model"]["Arn"].rsplit("/", 1)[1]
    predictions = json.loads((out / "rows.csv.out").read_text())
    assert predictions == model.predict(x[:5]).tolist()
