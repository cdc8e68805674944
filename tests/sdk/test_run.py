"""Run, load_run and list_runs end to end, through both backends."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.exceptions import NotFoundError, StudioError, ValidationError
from jupyter_mlstudio.sdk import Run, TrackingClient, list_runs, load_run
from jupyter_mlstudio.services.tracking.experiments import run_folder

from .conftest import in_thread

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
LOSS = [4.0, 2.0, 6.0, 8.0]


def _log_loss(run: Run) -> None:
    for step, value in enumerate(LOSS):
        run.log_metric("loss", value, step=step, timestamp=T0 + timedelta(seconds=step))


async def test_run_completes_with_parameters_and_exact_metrics(client: TrackingClient) -> None:
    def scenario() -> None:
        with Run("churn", "first", run_display_name="First", sagemaker_session=client) as run:
            assert run.trial_component_name == "churn-first"
            assert client.get_trial_component("churn-first").status.primary_status == "InProgress"
            run.log_parameter("lr", 0.1)
            run.log_parameters({"layers": 3, "optimizer": "adam", "shuffle": True})
            _log_loss(run)
        tc = client.get_trial_component("churn-first")
        assert tc.display_name == "First"
        assert tc.status.primary_status == "Completed"
        assert tc.start_time is not None
        assert tc.end_time is not None
        assert tc.start_time <= tc.end_time
        assert tc.parameters == {"lr": 0.1, "layers": 3.0, "optimizer": "adam", "shuffle": "True"}
        assert tc.trial_names == ["Default-Run-Group-churn"]
        assert client.get_trial("Default-Run-Group-churn").experiment_name == "churn"
        assert tc.tags["mlstudio:trial-component-source"] == "run"
        (loss,) = tc.metrics
        assert (loss.min, loss.max, loss.last, loss.count, loss.avg) == (2.0, 8.0, 8.0, 4, 5.0)
        assert math.isclose(loss.std_dev, math.sqrt(5.0), rel_tol=1e-12)
        points = run.get_metric_series("loss")
        assert [(p.step, p.value) for p in points] == list(enumerate(LOSS))
        frame = client.get_metric_series("churn-first", "loss", as_dataframe=True)
        assert list(frame.columns) == ["MetricName", "Step", "Value", "Timestamp"]
        assert frame["Value"].tolist() == LOSS
        assert frame["Step"].tolist() == [0, 1, 2, 3]
        assert frame["Timestamp"].iloc[3] == T0 + timedelta(seconds=3)

    await in_thread(scenario)


async def test_run_fails_with_the_exception_message(client: TrackingClient) -> None:
    def scenario() -> None:
        def train() -> None:
            with Run("churn", "bad", sagemaker_session=client) as run:
                run.log_metric("loss", 1.0)
                raise RuntimeError("diverged at step 7")

        with pytest.raises(RuntimeError):
            train()
        tc = client.get_trial_component("churn-bad")
        assert tc.status.primary_status == "Failed"
        assert tc.status.message == "diverged at step 7"
        assert tc.end_time is not None
        assert tc.metrics[0].count == 1  # points logged before the failure are kept

    await in_thread(scenario)


async def test_generated_run_name_and_reuse(client: TrackingClient) -> None:
    def scenario() -> None:
        run = Run("churn", sagemaker_session=client, tags=[{"Key": "team", "Value": "a"}])
        assert run.run_name.startswith("Run-")
        assert run.trial_component_name == f"churn-{run.run_name}"
        assert client.get_experiment("churn").tags == {"team": "a"}
        again = Run("churn", run.run_name, sagemaker_session=client)  # loads, no conflict
        assert again.trial_component_name == run.trial_component_name
        assert client.get_trial_component(run.trial_component_name).trial_names == [
            "Default-Run-Group-churn"
        ]

    await in_thread(scenario)


@pytest.mark.parametrize(
    ("name", "value", "step", "field"),
    [
        ("loss", math.nan, None, "Value"),
        ("loss", math.inf, None, "Value"),
        ("loss", -math.inf, None, "Value"),
        ("loss", "0.5", None, "Value"),
        ("loss", None, None, "Value"),
        ("loss", True, None, "Value"),
        ("x" * 256, 1.0, None, "MetricName"),
        ("", 1.0, None, "MetricName"),
        ("loss", 1.0, -1, "Step"),
        ("loss", 1.0, 1.5, "Step"),
    ],
)
async def test_log_metric_refuses_bad_points_at_call_time(
    client: TrackingClient, name: str, value: Any, step: Any, field: str
) -> None:
    def scenario() -> None:
        run = Run("churn", "r", sagemaker_session=client)
        with pytest.raises(ValidationError) as info:
            run.log_metric(name, value, step=step)
        assert info.value.field == field
        run.flush()
        assert client.get_trial_component("churn-r").metrics == []

    await in_thread(scenario)


async def test_other_validation_errors(client: TrackingClient) -> None:
    def scenario() -> None:
        run = Run("churn", "r", sagemaker_session=client)
        with pytest.raises(ValidationError) as info:
            run.log_parameter("lr", math.nan)
        assert info.value.field == "Parameters.lr"
        with pytest.raises(ValidationError) as info:
            run.log_parameters({"layers": [1, 2]})
        assert info.value.field == "Parameters.layers"
        with pytest.raises(ValidationError) as info:
            Run("churn", "bad name!", sagemaker_session=client)
        assert info.value.field == "run_name"
        with pytest.raises(ValidationError) as info:
            Run("e" * 60, "r" * 60, sagemaker_session=client)
        assert info.value.field == "run_name"
        with pytest.raises(ValidationError):
            run.log_confusion_matrix([0, 1], [0])

    await in_thread(scenario)


async def test_metrics_of_a_deleted_run_fail_at_flush(client: TrackingClient) -> None:
    def scenario() -> None:
        run = Run("churn", "gone", sagemaker_session=client)
        run.log_metric("loss", 1.0)
        client.flush()
        client.delete_experiment("churn")
        run.log_metric("loss", 2.0)
        with pytest.raises(NotFoundError):
            run.flush()
        run.flush()  # the error is reported once; the batch was dropped

    await in_thread(scenario)


async def test_artifacts_files_and_charts(client: TrackingClient, tmp_path: Path) -> None:
    local = tmp_path / "notes.txt"
    local.write_text("hello")

    def scenario() -> None:
        with Run("churn", "art", sagemaker_session=client) as run:
            run.log_artifact("dataset", "s3://bucket/train.csv", "text/csv", is_output=False)
            run.log_file(local, name="notes")
            run.log_file(local, is_output=False)
            run.log_confusion_matrix([0, 1, 1, 0], [0, 1, 0, 0], title="CM")
            run.log_roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], title="ROC")
            run.log_precision_recall([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], title="PR", no_skill=0.5)
        tc = client.get_trial_component("churn-art")
        assert tc.input_artifacts["dataset"].value == "s3://bucket/train.csv"
        assert tc.input_artifacts["dataset"].media_type == "text/csv"
        notes = tc.output_artifacts["notes"]
        folder = run_folder(tc)  # runs/churn-art/<creation time>
        assert notes.value.endswith(f"/{folder}/notes.txt")
        assert notes.media_type == "text/plain"
        assert tc.input_artifacts["notes.txt"].value == notes.value
        assert client.download_run_file("churn-art", "notes.txt") == b"hello"
        cm = json.loads(client.download_run_file("churn-art", "CM.json"))
        assert cm == {
            "type": "ConfusionMatrix",
            "version": 0,
            "title": "CM",
            "confusionMatrix": [[2, 0], [1, 1]],
        }
        roc = json.loads(client.download_run_file("churn-art", "ROC.json"))
        assert roc["type"] == "ROCCurve"
        assert roc["areaUnderCurve"] == 0.75
        assert roc["falsePositiveRate"] == [0.0, 0.0, 0.5, 0.5, 1.0]
        assert roc["truePositiveRate"] == [0.0, 0.5, 0.5, 1.0, 1.0]
        pr = json.loads(client.download_run_file("churn-art", "PR.json"))
        assert pr["type"] == "PrecisionRecallCurve"
        assert pr["noSkill"] == 0.5
        assert pr["precision"] == [0.5, 2 / 3, 0.5, 1.0, 1.0]
        assert pr["recall"] == [1.0, 1.0, 0.5, 0.5, 0.0]
        assert pr["averagePrecisionScore"] == pytest.approx(0.8333333333333333)
        for name in ("CM", "ROC", "PR"):
            assert tc.output_artifacts[name].media_type == "application/json"
            assert tc.output_artifacts[name].value.endswith(f"/{folder}/{name}.json")

    await in_thread(scenario)


async def test_artifact_files_land_under_runs(
    client: TrackingClient, tmp_path: Path, studio_files: Path
) -> None:
    local = tmp_path / "model.bin"
    local.write_bytes(b"\x00\x01")

    def scenario() -> str:
        Run("churn", "files", sagemaker_session=client).log_file(local)
        return run_folder(client.get_trial_component("churn-files"))

    # off the loop: over HTTP, the studio answering needs the test's event loop
    folder = await in_thread(scenario)
    assert (studio_files / folder / "model.bin").read_bytes() == b"\x00\x01"


async def test_load_run_from_the_job_environment(
    client: TrackingClient, tracking_uri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def create() -> None:
        Run("churn", "job-run", sagemaker_session=client)

    await in_thread(create)
    monkeypatch.setenv("MLSTUDIO_TRACKING_URI", tracking_uri)
    monkeypatch.setenv("MLSTUDIO_EXPERIMENT_NAME", "churn")
    monkeypatch.setenv("MLSTUDIO_RUN_NAME", "job-run")

    def in_job() -> None:
        with load_run() as run:
            assert (run.experiment_name, run.run_name) == ("churn", "job-run")
            run.log_metric("acc", 0.9, step=1)
        tc = client.get_trial_component("churn-job-run")
        assert tc.status.primary_status == "Completed"
        assert tc.metrics[0].last == 0.9

    await in_thread(in_job)


async def test_load_run_by_name_inside_a_block_and_errors(client: TrackingClient) -> None:
    def scenario() -> None:
        with Run("churn", "outer", sagemaker_session=client) as outer:
            assert load_run() is outer
        loaded = load_run("outer", "churn", sagemaker_session=client)
        assert loaded.trial_component_name == "churn-outer"
        with pytest.raises(NotFoundError):
            load_run("nope", "churn", sagemaker_session=client)
        with pytest.raises(ValidationError):
            load_run("outer", sagemaker_session=client)
        with pytest.raises(NotFoundError):
            load_run(sagemaker_session=client)

    await in_thread(scenario)


async def test_list_runs_sorts_filters_and_limits(client: TrackingClient) -> None:
    def scenario() -> None:
        for name in ("b", "a", "c"):
            Run("churn", name, sagemaker_session=client)
        Run("other", "z", sagemaker_session=client)
        newest_first = [r.run_name for r in list_runs("churn", sagemaker_session=client)]
        assert newest_first == ["c", "a", "b"]
        by_name = list_runs(
            "churn", sort_by="Name", sort_order="Ascending", sagemaker_session=client
        )
        assert [r.run_name for r in by_name] == ["a", "b", "c"]
        assert len(list_runs("churn", max_results=2, sagemaker_session=client)) == 2
        first = client.get_trial_component("churn-b").creation_time
        later = list_runs("churn", created_after=first, sagemaker_session=client)
        assert {r.run_name for r in later} == {"a", "c"}
        with pytest.raises(NotFoundError):
            list_runs("missing", sagemaker_session=client)
        with pytest.raises(StudioError):
            list_runs("churn", sort_by="Colour", sagemaker_session=client)

    await in_thread(scenario)


@pytest.mark.parametrize(
    "timestamp",
    [
        datetime.fromisoformat("0001-01-01T00:00:00+01:00"),
        datetime.fromisoformat("9999-12-31T23:59:59-01:00"),
        1e20,
    ],
)
async def test_log_metric_refuses_times_outside_utc_at_call_time(
    client: TrackingClient, timestamp: Any
) -> None:
    """A point the store would refuse never joins a batch (and so never fails the others)."""

    def scenario() -> None:
        with Run("churn", "r", sagemaker_session=client) as run:
            run.log_metric("loss", 0.5, step=0)
            with pytest.raises(ValidationError) as info:
                run.log_metric("loss", 0.25, step=1, timestamp=timestamp)
            assert info.value.field == "Timestamp"
            run.log_metric("loss", 0.125, step=2)
        component = client.get_trial_component("churn-r")
        assert component.status.primary_status.value == "Completed"
        assert [m.count for m in component.metrics] == [2]

    await in_thread(scenario)
