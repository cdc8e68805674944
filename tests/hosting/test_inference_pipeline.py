"""Inference pipelines on the process runtime: a model of two containers — a script-mode
preprocessor that encodes raw CSV rows (a categorical string column) and a scikit-learn
classifier — deployed and invoked through the studio's REST routes, a failing container,
batch transform over the pipeline, and the requests refused."""

from __future__ import annotations

import asyncio
import json
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from tornado.httpclient import HTTPClientError

from jupyter_mlstudio.config import resolve_config
from jupyter_mlstudio.entities import EndpointStatus, JobStatus
from jupyter_mlstudio.exceptions import ModelError
from jupyter_mlstudio.hosting.instances import LABEL_ENDPOINT, InstanceStatus
from jupyter_mlstudio.services.studio import Studio
from tests.hosting.test_transform import lines, transform
from tests.hosting.test_transform import request as transform_request
from tests.runtime.conftest import docker_host, script_image  # noqa: F401 - fixtures
from tests.server.test_api import call

PREPROCESS = """
import csv
import io
import os

import joblib
import numpy as np


def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "preprocess.joblib"))


def input_fn(body, content_type):
    if content_type != "text/csv":
        raise ValueError(f"the preprocessor reads text/csv, not {content_type}")
    rows = [r for r in csv.reader(io.StringIO(body)) if r]
    return np.array([[float(r[0]), float(r[1]), r[2]] for r in rows], dtype=object)


def predict_fn(data, model):
    if (data[:, 2] == "boom").any():
        raise ValueError("the preprocessor refuses the colour 'boom'")
    return model.transform(data)


def output_fn(prediction, accept):
    if accept != "text/csv":
        raise ValueError(f"the preprocessor answers text/csv, not {accept}")
    lines = [",".join(repr(float(v)) for v in row) for row in np.asarray(prediction)]
    return "\\n".join(lines) + "\\n", "text/csv"
"""

CLASSIFIER = """
import io
import os

import joblib
import numpy as np


def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "model.joblib"))


def input_fn(body, content_type):
    print(f"classifier received {content_type}", flush=True)
    if content_type != "text/csv":
        raise ValueError(f"the classifier reads text/csv, not {content_type}")
    return np.loadtxt(io.StringIO(body), delimiter=",", ndmin=2)


def predict_fn(data, model):
    if (np.abs(data) > 1e6).any():
        raise ValueError("the classifier refuses values above a million")
    return model.predict(data)
"""

COLOURS = ["red", "green", "blue"]


def _archive(folder: Path, name: str, obj: Any, file: str) -> Path:
    staged = folder / name
    staged.mkdir()
    joblib.dump(obj, staged / file)
    archive = folder / f"{name}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(staged / file, arcname=file)
    return archive


def raw_rows(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.empty((n, 3), dtype=object)
    out[:, 0] = rng.normal(10, 3, n)
    out[:, 1] = rng.normal(-2, 1, n)
    out[:, 2] = rng.choice(COLOURS, n)
    return out


def csv_of(rows: np.ndarray) -> str:
    return "".join(f"{float(a)!r},{float(b)!r},{c}\n" for a, b, c in rows)


class Fitted:
    """The two fitted objects, their archives and code folders."""

    def __init__(self, root: Path) -> None:
        x = raw_rows(300)
        y = ((x[:, 0].astype(float) > 10) ^ (x[:, 2] == "blue")).astype(int)
        self.pre = ColumnTransformer(
            [("num", StandardScaler(), [0, 1]), ("cat", OneHotEncoder(), [2])],
            sparse_threshold=0,
        ).fit(x)
        self.clf = LogisticRegression().fit(self.pre.transform(x), y)
        self.pre_archive = _archive(root, "pre", self.pre, "preprocess.joblib")
        self.clf_archive = _archive(root, "clf", self.clf, "model.joblib")
        self.pre_code = root / "pre-code"
        self.pre_code.mkdir()
        (self.pre_code / "preprocess.py").write_text(PREPROCESS)
        self.clf_code = root / "clf-code"
        self.clf_code.mkdir()
        (self.clf_code / "classifier.py").write_text(CLASSIFIER)

    def predict(self, rows: np.ndarray) -> list[int]:
        return [int(v) for v in self.clf.predict(self.pre.transform(rows))]

    def containers(self) -> list[dict[str, Any]]:
        return [
            {
                "ContainerHostname": "preprocess",
                "ModelDataUrl": str(self.pre_archive),
                "Environment": {
                    "SAGEMAKER_PROGRAM": "preprocess.py",
                    "SAGEMAKER_SUBMIT_DIRECTORY": str(self.pre_code),
                    "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "text/csv",
                },
            },
            {
                "ContainerHostname": "classifier",
                "ModelDataUrl": str(self.clf_archive),
                "Environment": {
                    "SAGEMAKER_PROGRAM": "classifier.py",
                    "SAGEMAKER_SUBMIT_DIRECTORY": str(self.clf_code),
                },
            },
        ]


@pytest.fixture
def fitted(tmp_path: Path) -> Fitted:
    return Fitted(tmp_path)


async def _deploy(jp_fetch: Any, name: str, model: str, timeout: float = 120) -> dict:
    config = {
        "EndpointConfigName": f"{name}-config",
        "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": model}],
    }
    status, body = await call(jp_fetch, "POST", "endpoint-configs", body=config)
    assert status == 201, body
    status, body = await call(
        jp_fetch,
        "POST",
        "endpoints",
        body={"EndpointName": name, "EndpointConfigName": f"{name}-config"},
    )
    assert status == 201, body
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        status, endpoint = await call(jp_fetch, "GET", "endpoints", name)
        assert status == 200, endpoint
        if endpoint["EndpointStatus"] != "Creating":
            assert endpoint["EndpointStatus"] == "InService", endpoint
            return endpoint
        assert asyncio.get_running_loop().time() < deadline, endpoint
        await asyncio.sleep(0.2)


async def _invoke(jp_fetch: Any, name: str, body: str, **headers: str) -> Any:
    try:
        return await jp_fetch(
            "mlstudio",
            "api",
            "endpoints",
            name,
            "invocations",
            method="POST",
            body=body,
            headers=headers,
        )
    except HTTPClientError as exc:
        return exc


async def test_pipeline_endpoint_over_rest(jp_fetch: Any, fitted: Fitted) -> None:
    model: dict[str, Any] = {
        "ModelName": "pipe",
        "Containers": fitted.containers(),
        "InferenceExecutionConfig": {"Mode": "Serial"},
    }
    status, created = await call(jp_fetch, "POST", "models", body=model)
    assert status == 201, created
    assert "PrimaryContainer" not in created
    assert [c["ContainerHostname"] for c in created["Containers"]] == ["preprocess", "classifier"]
    # each container's code was packed like a PrimaryContainer's
    for container in created["Containers"]:
        assert container["Environment"]["SAGEMAKER_SUBMIT_DIRECTORY"].endswith("sourcedir.tar.gz")
    status, described = await call(jp_fetch, "GET", "models", "pipe")
    assert described == created
    assert described["InferenceExecutionConfig"] == {"Mode": "Serial"}
    single = {
        "ModelName": "clf-only",
        "PrimaryContainer": fitted.containers()[1] | {"ContainerHostname": None},
    }
    assert (await call(jp_fetch, "POST", "models", body=single))[0] == 201

    endpoint = await _deploy(jp_fetch, "ep-pipe", "pipe")
    await _deploy(jp_fetch, "ep-plain", "clf-only")
    (variant,) = endpoint["ProductionVariants"]
    assert variant["Containers"] == [
        {"ContainerHostname": "preprocess", "ModelDataUrl": str(fitted.pre_archive)},
        {"ContainerHostname": "classifier", "ModelDataUrl": str(fitted.clf_archive)},
    ]
    assert variant["Instances"][0]["Containers"] == [
        {"ContainerHostname": "preprocess", "Host": "algo-1-c1"},
        {"ContainerHostname": "classifier", "Host": "algo-1-c2"},
    ]

    rows = raw_rows(25, seed=1)
    answer = await _invoke(
        jp_fetch,
        "ep-pipe",
        csv_of(rows),
        **{"Content-Type": "text/csv", "Accept": "application/json"},
    )
    assert answer.code == 200, answer
    assert answer.headers["Content-Type"].startswith("application/json")
    assert json.loads(answer.body) == fitted.predict(rows)
    # the classifier got the preprocessor's text/csv, not the client's type (its log line
    # reaches the container's log a moment after the answer)
    deadline = time.monotonic() + 15
    while True:
        status, logs = await call(
            jp_fetch, "GET", "endpoints", "ep-pipe", "logs", params={"Host": "algo-1-c2"}
        )
        assert status == 200, logs
        if "classifier received" in logs["Text"] or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    assert "classifier received text/csv" in logs["Text"]

    # a container that refuses ends the chain: a ModelError naming it
    bad = rows.copy()
    bad[3, 2] = "boom"
    refused = await _invoke(jp_fetch, "ep-pipe", csv_of(bad), **{"Content-Type": "text/csv"})
    assert refused.code == 424
    error = json.loads(refused.response.body)
    assert error["code"] == "ModelError"
    assert "container 1 of 2 (preprocess" in error["message"]
    assert "refuses the colour 'boom'" in error["message"]
    huge = rows.copy()
    huge[0, 0] = 1e12
    refused = await _invoke(jp_fetch, "ep-pipe", csv_of(huge), **{"Content-Type": "text/csv"})
    assert refused.code == 424
    message = json.loads(refused.response.body)["message"]
    assert "container 2 of 2 (classifier" in message
    assert "above a million" in message
    # the pipeline and the other endpoint still answer
    again = await _invoke(
        jp_fetch, "ep-pipe", csv_of(rows[:3]), **{"Content-Type": "text/csv", "Accept": "text/csv"}
    )
    assert again.code == 200
    assert [int(float(v)) for v in again.body.split()] == fitted.predict(rows[:3])
    encoded = fitted.pre.transform(rows[:3])
    plain = await _invoke(
        jp_fetch,
        "ep-plain",
        "".join(",".join(repr(float(v)) for v in r) + "\n" for r in encoded),
        **{"Content-Type": "text/csv", "Accept": "application/json"},
    )
    assert plain.code == 200
    assert json.loads(plain.body) == fitted.predict(rows[:3])
    status, figures = await call(jp_fetch, "GET", "endpoints", "ep-pipe", "metrics")
    assert status == 200
    (figure,) = figures["Variants"]
    assert figure["Invocations"] == 4
    assert figure["Invocation5XXErrors"] + figure["Invocation4XXErrors"] == 2


async def test_pipeline_requests_refused(jp_fetch: Any, fitted: Fitted) -> None:
    containers = fitted.containers()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"PrimaryContainer": containers[0], "Containers": containers}, "Containers"),
        ({"Containers": [containers[1]] * 16}, "Containers"),
        ({}, "PrimaryContainer"),
        (
            {"Containers": containers, "InferenceExecutionConfig": {"Mode": "Direct"}},
            "InferenceExecutionConfig.Mode",
        ),
        (
            {"Containers": [containers[0], {"ModelDataUrl": "/nowhere/model.tar.gz"}]},
            "Containers[1].ModelDataUrl",
        ),
        (
            {"Containers": [containers[0], containers[0]]},
            "Containers[1].ContainerHostname",
        ),
    ]
    for extra, field in cases:
        status, error = await call(jp_fetch, "POST", "models", body={"ModelName": "bad", **extra})
        assert status == 400, (field, error)
        assert error["field"] == field, error
    status, _ = await call(jp_fetch, "GET", "models", "bad")
    assert status == 404  # nothing recorded


@pytest.fixture
def studio(tmp_path: Path) -> Iterator[Studio]:
    home = tmp_path / "home"
    home.mkdir()
    opened = Studio.open(resolve_config(home=home, default_runtime="process"))
    yield opened
    opened.close()


def test_batch_transform_over_a_pipeline(studio: Studio, fitted: Fitted, tmp_path: Path) -> None:
    studio.endpoints.create_model({"ModelName": "pipe", "Containers": fitted.containers()})
    rows = raw_rows(80, seed=2)
    source = tmp_path / "data.csv"
    source.write_text(csv_of(rows))
    out = tmp_path / "out"
    body = transform_request(
        "pipe-batch",
        str(source),
        str(out),
        model="pipe",
        BatchStrategy="MultiRecord",
        TransformResources={"InstanceCount": 2},
    )
    job = transform(studio, body)
    assert job.status is JobStatus.COMPLETED, job.failure_reason
    assert [int(float(v)) for v in lines(out / "data.csv.out")] == fitted.predict(rows)
    assert job.outputs["RecordCount"] == 80
    # every container's log is kept under its host name
    logs = studio.transform.read_logs("pipe-batch", "algo-1-c2")
    assert "classifier received text/csv" in logs.Text
    assert studio.jobs.runner("process").reattach("pipe-batch") == []

    # a record the first container refuses fails alone; the job names the container
    bad = rows[:20].copy()
    bad[4, 2] = "boom"
    source.write_text(csv_of(bad))
    body = transform_request(
        "pipe-bad",
        str(source),
        str(tmp_path / "out-bad"),
        model="pipe",
        BatchStrategy="MultiRecord",
    )
    job = transform(studio, body)
    assert job.status is JobStatus.FAILED
    assert job.failure_reason is not None
    assert job.failure_reason.startswith("1 of 20 records failed: first error: data.csv record 5")
    assert "container 1 of 2 (preprocess, script mode)" in job.failure_reason
    good = [i for i in range(20) if i != 4]
    written = [int(float(v)) for v in lines(tmp_path / "out-bad" / "data.csv.out")]
    assert written == fitted.predict(bad[good])


def test_a_dead_container_restarts_its_instance_and_capture_sees_the_ends(
    studio: Studio, fitted: Fitted, tmp_path: Path
) -> None:
    hosting = studio.endpoints
    hosting.engine.health_interval_s = 0.3
    hosting.create_model({"ModelName": "pipe", "Containers": fitted.containers()})
    hosting.create_endpoint_config(
        {
            "EndpointConfigName": "pipe-config",
            "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": "pipe"}],
            "DataCaptureConfig": {
                "EnableCapture": True,
                "InitialSamplingPercentage": 100,
                "DestinationS3Uri": str(tmp_path / "capture"),
            },
        }
    )
    hosting.create_endpoint({"EndpointName": "ep-pipe", "EndpointConfigName": "pipe-config"})
    endpoint = hosting.wait("ep-pipe", 120)
    assert endpoint.endpoint_status is EndpointStatus.IN_SERVICE, endpoint.failure_reason
    rows = raw_rows(5, seed=4)
    body = csv_of(rows).encode()
    answer = hosting.invoke_sync("ep-pipe", body, content_type="text/csv", accept="text/csv")
    assert [int(float(v)) for v in answer.body.split()] == fitted.predict(rows)

    # the capture holds the client's request and the last container's answer
    capture = hosting.engine.get("ep-pipe").capture
    assert capture is not None
    capture.close()  # flush now
    (record,) = hosting.captures("ep-pipe")["Records"]
    assert record["captureData"]["endpointInput"]["data"] == body.decode()
    assert record["captureData"]["endpointInput"]["observedContentType"] == "text/csv"
    assert record["captureData"]["endpointOutput"]["data"] == answer.body.decode()

    # the second container dies: the whole instance is restarted, then answers again
    pool = hosting.engine.get("ep-pipe").variants["AllTraffic"].pool
    (instance,) = pool.instances
    second = instance.members[1]
    assert second.handle is not None
    runner = studio.jobs.runner("process")
    runner.stop(second.handle, grace_seconds=0.1)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        (current,) = pool.instances
        if current.restarts and current.status == InstanceStatus.HEALTHY:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"the instance did not come back: {hosting.describe_endpoint('ep-pipe')}")
    assert current.members[0].handle != instance.members[0].handle  # both containers anew
    assert all(runner.poll(m.handle).running for m in current.members if m.handle)
    answer = hosting.invoke_sync("ep-pipe", body, content_type="text/csv", accept="text/csv")
    assert [int(float(v)) for v in answer.body.split()] == fitted.predict(rows)
    hosting.delete_endpoint("ep-pipe")
    assert runner.find({LABEL_ENDPOINT: "ep-pipe"}) == []


# -- the docker runtime ------------------------------------------------------------------------
# The studio image has its own scikit-learn (runtime/images.py): the models there are the
# fitted objects' parameters as JSON, applied with numpy, so no pickle crosses versions.

PREPROCESS_JSON = """
import csv
import io
import json
import os

import numpy as np


def model_fn(model_dir):
    with open(os.path.join(model_dir, "pre.json")) as f:
        return json.load(f)


def input_fn(body, content_type):
    if content_type != "text/csv":
        raise ValueError(f"the preprocessor reads text/csv, not {content_type}")
    return [r for r in csv.reader(io.StringIO(body)) if r]


def predict_fn(rows, p):
    if any(r[2] == "boom" for r in rows):
        raise ValueError("the preprocessor refuses the colour 'boom'")
    out = []
    for r in rows:
        numbers = [(float(r[i]) - p["mean"][i]) / p["scale"][i] for i in range(2)]
        out.append(numbers + [1.0 if r[2] == c else 0.0 for c in p["categories"]])
    return np.array(out)


def output_fn(prediction, accept):
    lines = [",".join(repr(float(v)) for v in row) for row in prediction]
    return "\\n".join(lines) + "\\n", "text/csv"
"""

CLASSIFIER_JSON = """
import io
import json
import os

import numpy as np


def model_fn(model_dir):
    with open(os.path.join(model_dir, "clf.json")) as f:
        return json.load(f)


def input_fn(body, content_type):
    print(f"classifier received {content_type}", flush=True)
    return np.loadtxt(io.StringIO(body), delimiter=",", ndmin=2)


def predict_fn(data, p):
    scores = data @ np.array(p["coef"]) + p["intercept"]
    return np.array(p["classes"])[(scores > 0).astype(int)]
"""


def _json_archive(root: Path, name: str, params: dict[str, Any]) -> Path:
    archive = root / f"{name}.tar.gz"
    (root / name).write_text(json.dumps(params))
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(root / name, arcname=name)
    return archive


def json_containers(fitted: Fitted, root: Path) -> list[dict[str, Any]]:
    """The pipeline of ``fitted`` with its parameters as JSON (for the studio image)."""
    scaler = fitted.pre.named_transformers_["num"]
    encoder = fitted.pre.named_transformers_["cat"]
    pre = _json_archive(
        root,
        "pre.json",
        {
            "mean": scaler.mean_.tolist(),
            "scale": scaler.scale_.tolist(),
            "categories": encoder.categories_[0].tolist(),
        },
    )
    clf = _json_archive(
        root,
        "clf.json",
        {
            "coef": fitted.clf.coef_[0].tolist(),
            "intercept": float(fitted.clf.intercept_[0]),
            "classes": fitted.clf.classes_.tolist(),
        },
    )
    code = root / "json-code"
    code.mkdir()
    (code / "pre_json.py").write_text(PREPROCESS_JSON)
    (code / "clf_json.py").write_text(CLASSIFIER_JSON)
    return [
        {
            "ContainerHostname": "preprocess",
            "ModelDataUrl": str(pre),
            "Environment": {
                "SAGEMAKER_PROGRAM": "pre_json.py",
                "SAGEMAKER_SUBMIT_DIRECTORY": str(code),
                "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "text/csv",
            },
        },
        {
            "ContainerHostname": "classifier",
            "ModelDataUrl": str(clf),
            "Environment": {
                "SAGEMAKER_PROGRAM": "clf_json.py",
                "SAGEMAKER_SUBMIT_DIRECTORY": str(code),
            },
        },
    ]


@pytest.mark.docker
def test_pipeline_on_docker(
    script_image: str,  # noqa: F811 - the fixture: the image is built
    fitted: Fitted,
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    studio = Studio.open(resolve_config(home=home, default_runtime="docker"))
    try:
        hosting = studio.endpoints
        hosting.create_model(
            {"ModelName": "dk-pipe", "Containers": json_containers(fitted, tmp_path)}
        )
        hosting.create_endpoint_config(
            {
                "EndpointConfigName": "dk-pipe-config",
                "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": "dk-pipe"}],
            }
        )
        hosting.create_endpoint({"EndpointName": "dk-pipe", "EndpointConfigName": "dk-pipe-config"})
        endpoint = hosting.wait("dk-pipe", 240)
        assert endpoint.endpoint_status is EndpointStatus.IN_SERVICE, endpoint.failure_reason
        # one container per pipeline container, each its own
        runner = studio.jobs.runner("docker")
        handles = runner.find({LABEL_ENDPOINT: "dk-pipe"})
        assert sorted(h.host for h in handles) == ["algo-1-c1", "algo-1-c2"]

        rows = raw_rows(20, seed=3)
        answer = hosting.invoke_sync(
            "dk-pipe", csv_of(rows).encode(), content_type="text/csv", accept="application/json"
        )
        assert json.loads(answer.body) == fitted.predict(rows)
        text, _, _ = hosting.engine.read_log("dk-pipe", "AllTraffic", "algo-1-c2", 0)
        assert "classifier received text/csv" in text
        bad = rows.copy()
        bad[1, 2] = "boom"
        with pytest.raises(ModelError, match=r"container 1 of 2 \(preprocess, script mode\)"):
            hosting.invoke_sync("dk-pipe", csv_of(bad).encode(), content_type="text/csv")

        source = tmp_path / "batch.csv"
        source.write_text(csv_of(rows))
        body = transform_request(
            "dk-pipe-batch", str(source), str(tmp_path / "out"), model="dk-pipe"
        )
        job = transform(studio, body, timeout=240)
        assert job.status is JobStatus.COMPLETED, job.failure_reason
        assert [int(float(v)) for v in lines(tmp_path / "out" / "batch.csv.out")] == (
            fitted.predict(rows)
        )
        hosting.delete_endpoint("dk-pipe")
        assert runner.find({LABEL_ENDPOINT: "dk-pipe"}) == []
    finally:
        studio.close()
