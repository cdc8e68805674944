"""``Estimator`` and ``ScriptProcessor`` against a real studio (a Jupyter server)."""

from __future__ import annotations

import tarfile
from pathlib import Path

import numpy as np
import pytest

from jupyter_mlstudio.exceptions import StudioError
from jupyter_mlstudio.sdk import Run, TrackingClient
from jupyter_mlstudio.sdk.estimator import Estimator
from jupyter_mlstudio.sdk.inputs import TrainingInput

from .conftest import in_thread

SCRIPTS = Path(__file__).parents[1] / "jobs" / "scripts"
METRICS = [{"Name": "validation:accuracy", "Regex": r"val_accuracy=([0-9.]+)"}]


@pytest.fixture
def tracking_uri(studio_uri: str) -> str:
    """Jobs and endpoints belong to a studio: these tests run once, against one."""
    return studio_uri


@pytest.fixture
def train_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MLSTUDIO_HOME", str(tmp_path / "sdk-home"))
    monkeypatch.setenv("MLSTUDIO_RUNTIME", "process")
    folder = tmp_path / "train"
    folder.mkdir()
    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 2))
    y = (x[:, 0] > 0).astype(float)
    np.savetxt(folder / "train.csv", np.column_stack([y, x]), delimiter=",", fmt="%.4f")
    return folder


async def test_fit_inside_a_run_trains_and_logs_to_that_run(
    client: TrackingClient, train_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkpoints = train_dir.parent / "checkpoints"

    def work() -> tuple[str | None, str]:
        estimator = Estimator(
            entry_point=str(SCRIPTS / "train_sklearn.py"),
            hyperparameters={"C": 2.0, "epochs": 1},
            metric_definitions=METRICS,
            base_job_name="sk",
            checkpoint_s3_uri=checkpoints.as_uri(),
            checkpoint_local_path="/opt/ml/checkpoints",
            tags=[{"Key": "team", "Value": "fraud"}],
            sagemaker_session=client,
        )
        with Run("est-exp", run_name="r1", sagemaker_session=client):
            estimator.fit({"train": TrainingInput(str(train_dir), content_type="text/csv")})
        assert estimator.latest_training_job is not None
        return estimator.model_data, estimator.latest_training_job.name

    model_data, job_name = await in_thread(work)
    assert model_data is not None
    assert model_data.endswith(f"{job_name}/output/model.tar.gz")
    with tarfile.open(model_data.removeprefix("file://")) as tar:
        assert "model.joblib" in tar.getnames()
    assert "val_accuracy=" in capsys.readouterr().out
    points = await in_thread(lambda: client.get_metric_series("est-exp-r1", "validation:accuracy"))
    assert len(points) == 1
    attached = await in_thread(lambda: Estimator.attach(job_name, sagemaker_session=client))
    assert attached.hyperparameters() == {"C": 2.0, "epochs": 1}
    assert attached.checkpoint_s3_uri == checkpoints.as_uri()
    assert attached.checkpoint_local_path == "/opt/ml/checkpoints"
    assert attached.tags == [{"Key": "team", "Value": "fraud"}]
    assert attached.metric_definitions == METRICS
    assert await in_thread(lambda: attached.model_data) == model_data


async def test_failed_fit_raises_with_the_reason(client: TrackingClient, train_dir: Path) -> None:
    estimator = Estimator(entry_point=str(SCRIPTS / "fail.py"), sagemaker_session=client)
    with pytest.raises(StudioError, match="the data is bad"):
        await in_thread(lambda: estimator.fit(logs=False))


async def test_stop_without_waiting(client: TrackingClient, train_dir: Path) -> None:
    estimator = Estimator(entry_point=str(SCRIPTS / "sleep.py"), sagemaker_session=client)

    def work() -> str:
        estimator.fit(wait=False)
        job = estimator.latest_training_job
        assert job is not None
        estimator.stop()
        return job.wait(logs=False, timeout=30).status.value

    assert await in_thread(work) == "Stopped"


async def test_script_processor_runs_code_with_inputs_and_outputs(
    client: TrackingClient, train_dir: Path, tmp_path: Path
) -> None:
    from jupyter_mlstudio.sdk.processing import ProcessingInput, ProcessingOutput, ScriptProcessor

    out = tmp_path / "clean-out"
    processor = ScriptProcessor(command=["python3"], sagemaker_session=client)

    def work() -> str:
        processor.run(
            code=str(SCRIPTS / "preprocess.py"),
            inputs=[ProcessingInput(str(train_dir), "/opt/ml/processing/input/data")],
            outputs=[ProcessingOutput("/opt/ml/processing/output/clean", str(out))],
            arguments=[
                "--input",
                "/opt/ml/processing/input/data",
                "--output",
                "/opt/ml/processing/output/clean",
            ],
            logs=False,
        )
        assert processor.latest_job is not None
        return processor.latest_job.describe().status.value

    assert await in_thread(work) == "Completed"
    assert len((out / "clean.csv").read_text().splitlines()) == 40
