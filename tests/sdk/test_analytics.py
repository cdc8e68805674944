"""ExperimentAnalytics and Experiment through both backends; exact summaries."""

from __future__ import annotations

import math
import statistics

import pytest

from jupyter_mlstudio.exceptions import ConflictError, NotFoundError, ValidationError
from jupyter_mlstudio.sdk import Experiment, ExperimentAnalytics, Run, TrackingClient

from .conftest import in_thread

SERIES = {"a": [3.0, 1.0, 2.0], "b": [10.0, 20.0]}


def _seed(client: TrackingClient) -> None:
    for name, values in SERIES.items():
        with Run("cmp", name, run_display_name=f"Run {name}", sagemaker_session=client) as run:
            run.log_parameters({"lr": 0.1 if name == "a" else 0.2, "opt": "sgd"})
            for step, value in enumerate(values):
                run.log_metric("loss", value, step=step)
            run.log_artifact("model", f"file:///m/{name}", "application/x-tar")


async def test_dataframe_columns_and_exact_summaries(client: TrackingClient) -> None:
    def scenario() -> None:
        _seed(client)
        frame = ExperimentAnalytics(experiment_name="cmp", sagemaker_session=client).dataframe()
        assert list(frame.columns) == [
            "TrialComponentName",
            "DisplayName",
            "lr",
            "opt",
            "loss - Min",
            "loss - Max",
            "loss - Avg",
            "loss - StdDev",
            "loss - Last",
            "loss - Count",
            "model - MediaType",
            "model - Value",
            "Trials",
            "Experiments",
        ]
        assert frame["TrialComponentName"].tolist() == ["cmp-b", "cmp-a"]  # newest first
        rows = {r["TrialComponentName"]: r for r in frame.to_dict("records")}
        for name, values in SERIES.items():
            row = rows[f"cmp-{name}"]
            assert row["DisplayName"] == f"Run {name}"
            assert row["loss - Min"] == min(values)
            assert row["loss - Max"] == max(values)
            assert row["loss - Last"] == values[-1]
            assert row["loss - Count"] == len(values)
            assert math.isclose(row["loss - Avg"], statistics.fmean(values), rel_tol=1e-12)
            assert math.isclose(row["loss - StdDev"], statistics.pstdev(values), rel_tol=1e-12)
            assert row["model - Value"] == f"file:///m/{name}"
            assert row["Trials"] == ["Default-Run-Group-cmp"]
            assert row["Experiments"] == ["cmp"]
        assert rows["cmp-a"]["lr"] == 0.1

    await in_thread(scenario)


async def test_dataframe_filters_sorts_and_selects(client: TrackingClient) -> None:
    def scenario() -> None:
        _seed(client)
        frame = ExperimentAnalytics(
            experiment_name="cmp",
            sagemaker_session=client,
            sort_by="Metrics.loss.Max",
            sort_order="Ascending",
            metric_names=["loss"],
            parameter_names=["lr"],
        ).dataframe()
        assert frame["TrialComponentName"].tolist() == ["cmp-a", "cmp-b"]
        assert "opt" not in frame.columns
        only_b = ExperimentAnalytics(
            sagemaker_session=client,
            search_expression={
                "Filters": [
                    {"Name": "Parameters.lr", "Operator": "GreaterThan", "Value": "0.15"},
                    {"Name": "Parents.ExperimentName", "Operator": "Equals", "Value": "cmp"},
                ]
            },
        ).dataframe()
        assert only_b["TrialComponentName"].tolist() == ["cmp-b"]
        with pytest.raises(ValidationError):
            ExperimentAnalytics(sagemaker_session=client)
        with pytest.raises(ValidationError):
            ExperimentAnalytics("cmp", sagemaker_session=client, sort_by="Colour").dataframe()

    await in_thread(scenario)


async def test_experiment_create_load_list_delete(client: TrackingClient) -> None:
    def scenario() -> None:
        created = Experiment.create(
            "exp-x", display_name="X", description="d", tags={"k": "v"}, sagemaker_session=client
        )
        assert (created.display_name, created.description, created.tags) == ("X", "d", {"k": "v"})
        with pytest.raises(ConflictError):
            Experiment.create("exp-x", sagemaker_session=client)
        Run("exp-x", "r", sagemaker_session=client)
        loaded = Experiment.load("exp-x", sagemaker_session=client)
        assert [t.trial_name for t in loaded.list_trials()] == ["Default-Run-Group-exp-x"]
        (summary,) = Experiment.list(sagemaker_session=client)
        assert (summary.experiment_name, summary.trial_component_count) == ("exp-x", 1)
        loaded.delete()
        with pytest.raises(NotFoundError):
            Experiment.load("exp-x", sagemaker_session=client)
        with pytest.raises(NotFoundError):
            client.get_trial_component("exp-x-r")

    await in_thread(scenario)
