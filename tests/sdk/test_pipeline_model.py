"""``PipelineModel`` of the studio's SDK against a real studio (process runtime): two
script-mode models — a preprocessor that encodes raw CSV rows with a categorical column,
and a classifier — deployed as one endpoint and run as a batch transform."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_mlstudio.exceptions import ModelError, ValidationError
from jupyter_mlstudio.sdk import (
    CSVSerializer,
    JSONDeserializer,
    Model,
    ModelPackage,
    PipelineModel,
    Predictor,
    TrackingClient,
)
from jupyter_mlstudio.sdk.hosting_client import hosting_client
from tests.hosting.test_inference_pipeline import Fitted, csv_of, raw_rows

from .conftest import in_thread


@pytest.fixture
def tracking_uri(studio_uri: str) -> str:
    """Endpoints belong to a studio: these tests run once, against one."""
    return studio_uri


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home of the test's own, so that nothing reaches ~/.mlstudio."""
    monkeypatch.setenv("MLSTUDIO_HOME", str(tmp_path / "sdk-home"))
    monkeypatch.setenv("MLSTUDIO_RUNTIME", "process")
    return tmp_path / "sdk-home"


def _members(fitted: Fitted, client: TrackingClient) -> list[Model]:
    preprocess = Model(
        model_data=str(fitted.pre_archive),
        entry_point="preprocess.py",
        source_dir=str(fitted.pre_code),
        env={"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "text/csv"},
        sagemaker_session=client,
    )
    classify = Model(
        model_data=str(fitted.clf_archive),
        entry_point="classifier.py",
        source_dir=str(fitted.clf_code),
        sagemaker_session=client,
    )
    return [preprocess, classify]


async def test_pipeline_model_deploy_predict_transform_and_delete(
    client: TrackingClient, home: Path, tmp_path: Path
) -> None:
    fitted = Fitted(tmp_path)
    rows = raw_rows(12, seed=5)

    def work() -> None:
        pipeline = PipelineModel(_members(fitted, client), name="sdk-pipe")
        predictor = pipeline.deploy(
            1,
            "local",
            serializer=CSVSerializer(),
            deserializer=JSONDeserializer(),
            endpoint_name="sdk-pipe-ep",
        )
        assert isinstance(predictor, Predictor)
        assert pipeline.name == "sdk-pipe"
        # the code was copied when the model was created: later edits change nothing
        (fitted.pre_code / "preprocess.py").write_text("raise SystemExit('edited later')\n")
        assert predictor.predict(csv_of(rows)) == fitted.predict(rows)
        described = hosting_client(client).describe_model("sdk-pipe")
        assert [c.container_hostname for c in described.containers] == [None, None]
        assert described.inference_execution_config == {"Mode": "Serial"}
        bad = rows.copy()
        bad[0, 2] = "boom"
        with pytest.raises(ModelError, match=r"container 1 of 2 \(container-1, script mode\)"):
            predictor.predict(csv_of(bad))

        source = tmp_path / "batch" / "rows.csv"
        source.parent.mkdir()
        source.write_text(csv_of(rows))
        transformer = pipeline.transformer(
            1, "local", strategy="MultiRecord", output_path=str(tmp_path / "out"), accept="text/csv"
        )
        transformer.transform(str(source), content_type="text/csv", split_type="Line")
        job = transformer.latest_transform_job
        assert job is not None
        assert job.describe().status.value == "Completed"
        written = (tmp_path / "out" / "rows.csv.out").read_text().split()
        assert [int(float(v)) for v in written] == fitted.predict(rows)

        predictor.delete_endpoint()
        pipeline.delete_model()
        with pytest.raises(ValidationError):
            pipeline.delete_model()  # not created any more

    await in_thread(work)


def test_pipeline_model_arguments_refused(tmp_path: Path) -> None:
    fitted = Fitted(tmp_path)
    with pytest.raises(ValidationError) as info:
        PipelineModel([])
    assert info.value.field == "models"
    with pytest.raises(ValidationError, match="1 to 15"):
        PipelineModel([Model(model_data=str(fitted.clf_archive))] * 16)
    package = ModelPackage(model_package_arn="group/1")
    with pytest.raises(ValidationError, match=r"models\[1\] must be a Model"):
        PipelineModel([Model(model_data=str(fitted.clf_archive)), package])
    pipeline = PipelineModel([Model(model_data=str(fitted.clf_archive), image_uri="img:1")])
    assert pipeline.pipeline_container_def() == [
        {"Environment": {}, "Image": "img:1", "ModelDataUrl": str(fitted.clf_archive)}
    ]
    with pytest.raises(ValidationError):
        pipeline.deploy(1, "local", update_endpoint=True)
