"""The hosting SDK end to end against a real studio (a Jupyter server), on the process
runtime with real model servers:
Estimator.deploy and Model.deploy, predict with CSV/JSON/NPY, target variants and weights,
update, data capture, figures, model errors, delete."""

from __future__ import annotations

import tarfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from jupyter_mlstudio.exceptions import ModelError, NotFoundError, StudioError, ValidationError
from jupyter_mlstudio.sdk import (
    CSVDeserializer,
    CSVSerializer,
    DataCaptureConfig,
    Estimator,
    JSONDeserializer,
    JSONSerializer,
    Model,
    NumpyDeserializer,
    NumpySerializer,
    Predictor,
    TrackingClient,
    TrainingInput,
    Transformer,
)
from jupyter_mlstudio.sdk.hosting_client import hosting_client

from .conftest import in_thread

SCRIPTS = Path(__file__).parents[1] / "jobs" / "scripts"

PROBABILITY = """
import os

import joblib


def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "model.joblib"))


def predict_fn(data, model):
    return model.predict_proba(data)[:, 1]
"""

FAILING = """
import joblib, os
from helpers import check


def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "model.joblib"))


def predict_fn(data, model):
    check(data)
    return model.predict(data)
"""

HELPERS = """
def check(data):
    if (data < -999).any():
        raise ValueError("a marker row asked me to fail")
"""

BROKEN = "raise RuntimeError('this model cannot even be imported')\n"


@pytest.fixture
def tracking_uri(studio_uri: str) -> str:
    """Jobs and endpoints belong to a studio: these tests run once, against one."""
    return studio_uri


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home of the test's own, so that nothing reaches ~/.mlstudio."""
    monkeypatch.setenv("MLSTUDIO_HOME", str(tmp_path / "sdk-home"))
    monkeypatch.setenv("MLSTUDIO_RUNTIME", "process")
    return tmp_path / "sdk-home"


@pytest.fixture
def rows() -> np.ndarray:
    return np.random.default_rng(7).normal(size=(6, 2)).round(4)


@pytest.fixture
def trained(tmp_path: Path) -> tuple[LogisticRegression, Path]:
    """A model trained here, packed as SageMaker's model.tar.gz."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(80, 2))
    y = (x[:, 0] - x[:, 1] > 0).astype(float)
    model = LogisticRegression(C=0.7).fit(x, y)
    joblib.dump(model, tmp_path / "model.joblib")
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "model.joblib", arcname="model.joblib")
    return model, archive


@pytest.fixture
def code(tmp_path: Path) -> Path:
    folder = tmp_path / "code"
    folder.mkdir()
    (folder / "probability.py").write_text(PROBABILITY)
    (folder / "failing.py").write_text(FAILING)
    (folder / "broken.py").write_text(BROKEN)
    helpers = tmp_path / "libs"
    helpers.mkdir()
    (helpers / "helpers.py").write_text(HELPERS)
    return folder


def _delete_all(predictor: Predictor) -> None:
    predictor.delete_endpoint()
    predictor.delete_model()


async def test_estimator_deploy_predict_update_and_delete(
    client: TrackingClient,
    home: Path,
    tmp_path: Path,
    rows: np.ndarray,
    capsys: pytest.CaptureFixture[str],
) -> None:
    train = tmp_path / "train"
    train.mkdir()
    rng = np.random.default_rng(1)
    x = rng.normal(size=(60, 2))
    y = (x[:, 0] > 0).astype(float)
    np.savetxt(train / "train.csv", np.column_stack([y, x]), delimiter=",", fmt="%.4f")
    estimator = Estimator(
        entry_point=str(SCRIPTS / "train_sklearn.py"),
        hyperparameters={"C": 0.5, "epochs": 1},
        base_job_name="sk-deploy",
        sagemaker_session=client,
    )

    def work() -> None:
        estimator.fit({"train": TrainingInput(str(train))}, logs=False)
        model_data = estimator.model_data
        assert model_data is not None
        with tarfile.open(model_data.removeprefix("file://")) as tar:
            tar.extract("model.joblib", tmp_path / "local", filter="data")
        local = joblib.load(tmp_path / "local" / "model.joblib")
        expected = local.predict(rows)

        predictor = estimator.deploy(1, "local", serializer=CSVSerializer())
        assert predictor.endpoint_name.startswith("sk-deploy-")
        # CSV in, CSV out: SageMaker's lists of strings, the model's exact labels
        predictor.deserializer = CSVDeserializer()
        answer = predictor.predict(rows)
        assert answer == [[repr(float(v))] for v in expected]
        assert predictor.last_invoked_variant == "AllTraffic"
        predictor.deserializer = NumpyDeserializer(accept="text/csv")
        np.testing.assert_array_equal(predictor.predict(rows), expected)
        # JSON in and out, as lists
        predictor.serializer = JSONSerializer()
        predictor.deserializer = JSONDeserializer()
        assert predictor.predict(rows) == expected.tolist()
        assert predictor.predict({"instances": rows[:2]}) == expected[:2].tolist()
        # NPY in and out
        predictor.serializer = NumpySerializer()
        predictor.deserializer = NumpyDeserializer()
        np.testing.assert_array_equal(predictor.predict(rows), expected)
        # the one variant by name; an unknown one is refused
        assert predictor.predict(rows, target_variant="AllTraffic").tolist() == expected.tolist()
        with pytest.raises(ValidationError, match="Nope"):
            predictor.predict(rows, target_variant="Nope")

        described = predictor.describe()
        assert described["EndpointStatus"] == "InService"
        assert [v["VariantName"] for v in described["ProductionVariants"]] == ["AllTraffic"]
        old_config = described["EndpointConfigName"]
        figures = predictor.figures()
        assert [v["VariantName"] for v in figures["Variants"]] == ["AllTraffic"]
        assert figures["Variants"][0]["Invocations"] == 6
        assert figures["Variants"][0]["Invocation4XXErrors"] == 0

        # blue/green to two instances of the same model
        predictor.update_endpoint(initial_instance_count=2, instance_type="local")
        described = predictor.describe()
        assert described["EndpointStatus"] == "InService"
        assert described["EndpointConfigName"] != old_config
        (variant,) = described["ProductionVariants"]
        assert variant["CurrentInstanceCount"] == 2
        assert [i["Host"] for i in variant["Instances"]] == ["algo-1", "algo-2"]
        for _ in range(4):
            np.testing.assert_array_equal(predictor.predict(rows), expected)
        assert "listening on" in predictor.logs(host="algo-2")

        # batch transform of the same rows gives the same predictions
        batch = tmp_path / "batch"
        batch.mkdir()
        (batch / "rows.csv").write_text(CSVSerializer().serialize(rows))
        transformer = estimator.transformer(
            1, "local", strategy="MultiRecord", assemble_with="Line", accept="text/csv"
        )
        transformer.transform(str(batch), content_type="text/csv", split_type="Line", logs=False)
        assert transformer.output_path is not None  # the studio's default location
        output = Path(unquote(urlsplit(transformer.output_path).path)) / "rows.csv.out"
        np.testing.assert_array_equal(np.loadtxt(output), expected)

        hosting = hosting_client(client)
        hosting.delete_model(transformer.model_name)
        config = described["EndpointConfigName"]
        (model_name,) = {
            v.model_name for v in hosting.describe_endpoint_config(config).production_variants
        }
        predictor.delete_endpoint()
        with pytest.raises(NotFoundError):
            predictor.describe()
        with pytest.raises(NotFoundError):
            hosting.describe_endpoint_config(config)
        hosting.describe_endpoint_config(old_config)  # only the current one is deleted
        hosting.delete_endpoint_config(old_config)
        predictor.delete_model()
        with pytest.raises(NotFoundError):
            hosting.describe_model(model_name)

    await in_thread(work)
    out = capsys.readouterr().out
    assert "-" in out
    assert "!\n" in out


async def test_model_deploy_and_transform_from_model_tar_gz(
    client: TrackingClient,
    home: Path,
    tmp_path: Path,
    trained: tuple[LogisticRegression, Path],
    code: Path,
    rows: np.ndarray,
) -> None:
    local, archive = trained

    def work() -> None:
        # script mode with source_dir: the code folder is copied when the model is created
        model = Model(
            model_data=str(archive),
            entry_point="probability.py",
            source_dir=str(code),
            sagemaker_session=client,
        )
        predictor = model.deploy(
            serializer=CSVSerializer(),
            deserializer=NumpyDeserializer(accept="application/json"),
            endpoint_name="proba",
            data_capture_config=DataCaptureConfig(True, sampling_percentage=100),
        )
        (code / "probability.py").write_text("raise SystemExit('edited later')\n")
        assert model.endpoint_name == "proba"
        np.testing.assert_array_equal(predictor.predict(rows), local.predict_proba(rows)[:, 1])

        # the records arrive within about a second of the request
        deadline = time.monotonic() + 20
        while not (records := predictor.captures()) and time.monotonic() < deadline:
            time.sleep(0.2)
        (record,) = records
        sent = record["captureData"]["endpointInput"]
        assert sent["observedContentType"] == "text/csv"
        assert sent["encoding"] == "CSV"
        assert sent["data"] == CSVSerializer().serialize(rows)
        assert record["eventMetadata"]["variantName"] == "AllTraffic"

        # batch transform with the model as it was created (the script was edited since)
        (tmp_path / "batch").mkdir()
        (tmp_path / "batch" / "rows.csv").write_text(CSVSerializer().serialize(rows))
        transformer = model.transformer(
            1,
            "local",
            strategy="SingleRecord",
            output_path=str(tmp_path / "out"),
            accept="text/csv",
            assemble_with="Line",
        )
        transformer.transform(
            str(tmp_path / "batch" / "rows.csv"), content_type="text/csv", split_type="Line"
        )
        job = transformer.latest_transform_job
        assert job is not None
        assert job.describe().status.value == "Completed"
        written = np.loadtxt(tmp_path / "out" / "rows.csv.out")
        np.testing.assert_array_equal(written, predictor.predict(rows))
        attached = Transformer.attach(job.name, sagemaker_session=client)
        assert attached.model_name == model.name
        assert attached.output_path == str(tmp_path / "out")
        assert attached.describe().job_name == job.name
        _delete_all(predictor)

    await in_thread(work)


async def test_variants_weights_and_model_errors(
    client: TrackingClient,
    home: Path,
    trained: tuple[LogisticRegression, Path],
    code: Path,
    tmp_path: Path,
    rows: np.ndarray,
) -> None:
    local, archive = trained
    expected = local.predict(rows)

    def work() -> None:
        # a model without model_fn: the server loads model.joblib; the entry point alone is
        # sent, with its dependency beside it
        labels = Model(
            model_data=f"file://{archive}",
            entry_point=str(code / "failing.py"),
            dependencies=[str(tmp_path / "libs" / "helpers.py")],
            name="labels",
            sagemaker_session=client,
        )
        probabilities = Model(
            model_data=str(archive),
            entry_point="probability.py",
            source_dir=str(code),
            name="probabilities",
            sagemaker_session=client,
        )
        labels.create()
        probabilities.create()
        hosting = hosting_client(client)
        hosting.create_endpoint_config(
            {
                "EndpointConfigName": "ab",
                "ProductionVariants": [
                    {"VariantName": "A", "ModelName": "labels", "InitialVariantWeight": 1},
                    {"VariantName": "B", "ModelName": "probabilities", "InitialVariantWeight": 1},
                ],
            }
        )
        hosting.create_endpoint({"EndpointName": "ab", "EndpointConfigName": "ab"})
        predictor = Predictor("ab", client, JSONSerializer(), JSONDeserializer())
        from jupyter_mlstudio.sdk.predictor import wait_for_endpoint

        wait_for_endpoint(hosting, "ab", progress=False)
        assert predictor.predict(rows, target_variant="A") == expected.tolist()
        assert predictor.last_invoked_variant == "A"
        assert (
            predictor.predict(rows, target_variant="B") == local.predict_proba(rows)[:, 1].tolist()
        )
        assert predictor.last_invoked_variant == "B"
        seen = Counter()
        for _ in range(20):
            predictor.predict(rows[:1])
            seen[predictor.last_invoked_variant] += 1
        assert set(seen) == {"A", "B"}

        described = predictor.update_endpoint_weights_and_capacities({"A": 0.0, "B": 1.0})
        weights = {v["VariantName"]: v["CurrentWeight"] for v in described["ProductionVariants"]}
        assert weights == {"A": 0.0, "B": 1.0}
        for _ in range(5):
            predictor.predict(rows[:1])
            assert predictor.last_invoked_variant == "B"

        # the model's own error comes back as ModelError with its status and message
        marker = rows.copy()
        marker[0, 0] = -1000
        with pytest.raises(ModelError, match="a marker row asked me to fail") as caught:
            predictor.predict(marker, target_variant="A")
        assert caught.value.original_status == 500
        assert predictor.figures()["Variants"][0]["Invocation5XXErrors"] == 1

        # a transform job with that row fails with the count, keeping the good answers
        (tmp_path / "bad").mkdir()
        (tmp_path / "bad" / "rows.csv").write_text(CSVSerializer().serialize(marker))
        transformer = labels.transformer(
            1,
            "local",
            output_path=str(tmp_path / "bad-out"),
            accept="text/csv",
            assemble_with="Line",
        )
        with pytest.raises(StudioError, match=r"transform job .* Failed: 1 of 6 records failed"):
            transformer.transform(
                str(tmp_path / "bad"), content_type="text/csv", split_type="Line", logs=False
            )

        assert sorted(predictor._get_model_names()) == ["labels", "probabilities"]
        _delete_all(predictor)
        with pytest.raises(NotFoundError):
            hosting.describe_model("labels")

    await in_thread(work)


async def test_failed_deploy_raises_with_the_reason(
    client: TrackingClient, home: Path, trained: tuple[LogisticRegression, Path], code: Path
) -> None:
    _, archive = trained
    model = Model(
        model_data=str(archive),
        entry_point="broken.py",
        source_dir=str(code),
        sagemaker_session=client,
    )
    with pytest.raises(StudioError, match=r"Error hosting endpoint broken-.*: Failed\. Reason: "):
        await in_thread(lambda: model.deploy())
    assert model.endpoint_name is not None
    described = await in_thread(
        lambda: hosting_client(client).describe_endpoint(model.endpoint_name)
    )
    assert "this model cannot even be imported" in described["FailureReason"]
    await in_thread(lambda: Predictor(model.endpoint_name, client).delete_endpoint())
    await in_thread(model.delete_model)


def test_arguments_refused_before_anything_is_created(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        Model()
    assert caught.value.field == "image_uri"
    with pytest.raises(ValidationError) as caught:
        Model(model_data="m.tar.gz", source_dir=str(tmp_path))
    assert caught.value.field == "entry_point"
    with pytest.raises(ValidationError) as caught:
        Predictor("x").predict(b"1", component_name="c")
    assert caught.value.field == "component_name"
    with pytest.raises(ValidationError, match="give the predictor a serializer") as caught:
        Predictor("x").predict([1, 2])
    assert caught.value.field == "data"


def test_transform_requests_have_the_create_transform_job_shape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    transformer = Transformer(
        "labels",
        2,
        "local",
        strategy="MultiRecord",
        assemble_with="Line",
        output_path="out",
        accept="text/csv",
        max_concurrent_transforms=2,
        max_payload=1,
        env={"A": "1"},
    )
    request = transformer._request(
        "job-1",
        "data/test.csv",
        "S3Prefix",
        "text/csv",
        None,
        "Line",
        "$[1:]",
        None,
        "Input",
        {"ExperimentName": "e", "RunName": "r"},
        None,
    )
    assert request == {
        "TransformJobName": "job-1",
        "ModelName": "labels",
        "TransformInput": {
            "DataSource": {
                "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": str(tmp_path / "data/test.csv")}
            },
            "ContentType": "text/csv",
            "SplitType": "Line",
        },
        "TransformOutput": {
            "S3OutputPath": str(tmp_path / "out"),
            "Accept": "text/csv",
            "AssembleWith": "Line",
        },
        "TransformResources": {"InstanceType": "local", "InstanceCount": 2},
        "BatchStrategy": "MultiRecord",
        "MaxConcurrentTransforms": 2,
        "MaxPayloadInMB": 1,
        "Environment": {"A": "1"},
        "DataProcessing": {"InputFilter": "$[1:]", "JoinSource": "Input"},
        "ExperimentConfig": {"ExperimentName": "e", "RunName": "r"},
    }
    bare = Transformer("m")._request(
        "j", "s3://b/in/", "S3Prefix", None, None, None, None, None, None, None, None
    )
    assert bare == {
        "TransformJobName": "j",
        "ModelName": "m",
        "TransformInput": {
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/in/"}}
        },
        "TransformOutput": {},
        "TransformResources": {"InstanceType": "local", "InstanceCount": 1},
    }
