"""An AutoML job on the docker runtime: its candidates train in the studio's image (its
scikit-learn, not the studio's), and the best one serves as a two-container pipeline in
containers, answering raw rows as the candidate's fitted objects do."""

from __future__ import annotations

import tarfile
from pathlib import Path

import docker
import pytest

from jupyter_mlstudio.artifacts.transfer import local_path
from jupyter_mlstudio.config import resolve_config
from jupyter_mlstudio.entities import EndpointStatus, JobKind, JobStatus
from jupyter_mlstudio.hosting.instances import LABEL_ENDPOINT
from jupyter_mlstudio.services.studio import Studio
from tests.runtime.conftest import docker_host, script_image  # noqa: F401 - fixtures

from ..support.automl_data import TARGETS, make_table
from .conftest import request

#: the two containers' handlers called in a row, without the model servers or the router
DIRECT = """
import os, sys
sys.path.insert(0, "/opt/ml/model/code")
import automl_inference as ai
os.environ["MLSTUDIO_AUTOML_CONTAINER"] = "feature-transform"
first = ai.model_fn("/opt/ml/model")
rows = open("/opt/ml/model/rows.csv").read()
numbers, _ = ai.output_fn(ai.predict_fn(ai.input_fn(rows, "text/csv"), first), "text/csv")
os.environ["MLSTUDIO_AUTOML_CONTAINER"] = "algorithm"
os.environ["SAGEMAKER_INFERENCE_OUTPUT"] = "predicted_label,probability"
second = ai.model_fn("/opt/ml/model")
out, _ = ai.output_fn(ai.predict_fn(ai.input_fn(numbers, "text/csv"), second), "text/csv")
print(out, end="")
"""


@pytest.mark.docker
def test_automl_on_docker(
    script_image: str,  # noqa: F811 - the fixture: the image is built
    tmp_path: Path,
) -> None:
    table = make_table(rows=300, seed=4)
    asked = table.tail(4)
    path = tmp_path / "customers.csv"
    table.head(len(table) - 4).to_csv(path, index=False)
    home = tmp_path / "home"
    home.mkdir()
    studio = Studio.open(resolve_config(home=home, default_runtime="docker"))
    try:
        body = request(
            "dk-automl",
            path,
            TARGETS["binary"],
            CompletionCriteria={"MaxCandidates": 4},
            Mode="HYPERPARAMETER_TUNING",
        )
        studio.job_kinds[JobKind.AUTOML].create(body)
        job = studio.automl.wait("dk-automl", 600)
        assert job.status is JobStatus.COMPLETED, job.failure_reason
        items, _ = studio.automl.list_candidates("dk-automl")
        assert len(items) == 4
        for item in items:
            training = studio.store.get_job(item["CandidateName"], JobKind.TRAINING)
            assert training.runtime == "docker"
        best = job.outputs["BestCandidate"]

        hosting = studio.endpoints
        containers = best["InferenceContainers"]
        containers[1]["Environment"]["SAGEMAKER_INFERENCE_OUTPUT"] = "predicted_label,probability"
        hosting.create_model({"ModelName": "dk-best", "Containers": containers})
        hosting.create_endpoint_config(
            {
                "EndpointConfigName": "dk-best",
                "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": "dk-best"}],
            }
        )
        hosting.create_endpoint({"EndpointName": "dk-best", "EndpointConfigName": "dk-best"})
        endpoint = hosting.wait("dk-best", 240)
        assert endpoint.endpoint_status is EndpointStatus.IN_SERVICE, endpoint.failure_reason
        handles = studio.jobs.runner("docker").find({LABEL_ENDPOINT: "dk-best"})
        assert sorted(h.host for h in handles) == ["algo-1-c1", "algo-1-c2"]

        features = asked.drop(columns=[TARGETS["binary"]])
        rows = features.to_csv(index=False, header=False)
        answer = hosting.invoke_sync("dk-best", rows.encode(), content_type="text/csv")
        lines = answer.body.decode().split()
        # what the candidate's own objects give, run in the image's Python (its scikit-learn)
        archive = local_path(containers[0]["ModelDataUrl"], field="ModelDataUrl")
        with tarfile.open(archive) as tar:
            tar.extractall(tmp_path / "best", filter="data")
        (tmp_path / "best" / "rows.csv").write_text(rows)
        direct = docker.from_env().containers.run(
            script_image,
            ["python3", "-c", DIRECT],
            volumes={str(tmp_path / "best"): {"bind": "/opt/ml/model", "mode": "ro"}},
            remove=True,
            network_disabled=True,
        )
        assert lines == direct.decode().split()
        assert {line.split(",")[0] for line in lines} <= {"yes", "no"}
        hosting.delete_endpoint("dk-best")
    finally:
        studio.close()
