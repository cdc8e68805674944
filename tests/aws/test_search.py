"""Search through boto3: trial components as the SageMaker SDK's ExperimentAnalytics
asks for them, experiments, trials and training jobs."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError

from jupyter_mlstudio.aws.credentials import AwsIdentity
from jupyter_mlstudio.entities import Job, JobKind, JobStatus
from jupyter_mlstudio.entities.jobs import SecondaryStatus
from jupyter_mlstudio.services.studio import Studio

from .conftest import client, in_thread

T0 = datetime(2026, 1, 2, tzinfo=timezone.utc)
#: run → (trial, learning rate, losses)
RUNS = {
    "run-a": ("trial-1", 0.1, [0.9, 0.5]),
    "run-b": ("trial-1", 0.01, [0.8, 0.2]),
    "run-c": ("trial-2", 0.3, [0.7, 0.6]),
}


def populate(sagemaker: Any, metrics: Any) -> None:
    """An experiment of two trials and three runs with a loss each, and a run elsewhere."""
    sagemaker.create_experiment(ExperimentName="tuning")
    sagemaker.create_experiment(ExperimentName="other")
    for trial in ("trial-1", "trial-2"):
        sagemaker.create_trial(TrialName=trial, ExperimentName="tuning")
    sagemaker.create_trial(TrialName="other-trial", ExperimentName="other")
    for name, (trial, rate, losses) in RUNS.items():
        sagemaker.create_trial_component(
            TrialComponentName=name,
            DisplayName=f"{name}-display",
            Parameters={"lr": {"NumberValue": rate}, "optimizer": {"StringValue": "adam"}},
            Status={"PrimaryStatus": "Completed"},
        )
        sagemaker.associate_trial_component(TrialComponentName=name, TrialName=trial)
        metrics.batch_put_metrics(
            TrialComponentName=name,
            MetricData=[
                {"MetricName": "loss", "Value": v, "Step": i, "Timestamp": T0}
                for i, v in enumerate(losses)
            ],
        )
    sagemaker.create_trial_component(TrialComponentName="elsewhere")
    sagemaker.associate_trial_component(TrialComponentName="elsewhere", TrialName="other-trial")


def names(answer: dict[str, Any], key: str = "TrialComponent") -> list[str]:
    return [r[key][f"{key}Name"] for r in answer["Results"]]


async def test_experiment_analytics_search(
    sagemaker: Any, aws_endpoint: str, identity: AwsIdentity
) -> None:
    metrics = client("sagemaker-metrics", aws_endpoint, identity)

    def scenario() -> None:
        populate(sagemaker, metrics)
        # what ExperimentAnalytics(experiment_name=..., sort_by=..., sort_order=...) sends
        by_experiment = {
            "Filters": [{"Name": "Parents.ExperimentName", "Operator": "Equals", "Value": "tuning"}]
        }
        answer = sagemaker.search(
            Resource="ExperimentTrialComponent",
            SearchExpression=by_experiment,
            SortBy="Metrics.loss.Min",
            SortOrder="Ascending",
        )
        assert names(answer) == ["run-b", "run-a", "run-c"]
        assert answer["TotalHits"] == {"Value": 3, "Relation": "EqualTo"}
        first = answer["Results"][0]["TrialComponent"]
        assert first["Parents"] == [{"TrialName": "trial-1", "ExperimentName": "tuning"}]
        assert first["Parameters"]["lr"] == {"NumberValue": 0.01}
        (loss,) = first["Metrics"]
        assert (loss["MetricName"], loss["Min"], loss["Max"], loss["Count"]) == (
            "loss",
            0.2,
            0.8,
            2,
        )
        assert first["Status"]["PrimaryStatus"] == "Completed"

        sagemaker.update_trial_component(TrialComponentName="run-a", DisplayName="touched")
        recent_first = sagemaker.search(  # SortBy LastModifiedTime, Descending: the defaults
            Resource="ExperimentTrialComponent", SearchExpression=by_experiment
        )
        assert names(recent_first) == ["run-a", "run-c", "run-b"]

        by_rate = sagemaker.search(
            Resource="ExperimentTrialComponent",
            SearchExpression=by_experiment,
            SortBy="Parameters.lr",
        )
        assert names(by_rate) == ["run-c", "run-a", "run-b"]  # Descending by default

        last_loss_below = sagemaker.search(
            Resource="ExperimentTrialComponent",
            SearchExpression={
                "Filters": [
                    {"Name": "Parents.TrialName", "Operator": "Equals", "Value": "trial-1"},
                    {"Name": "Metrics.loss", "Operator": "LessThan", "Value": "0.4"},
                ]
            },
        )
        assert names(last_loss_below) == ["run-b"]

        nested_or = sagemaker.search(
            Resource="ExperimentTrialComponent",
            SearchExpression={
                "SubExpressions": [
                    {
                        "NestedFilters": [
                            {
                                "NestedPropertyName": "Parents",
                                "Filters": [
                                    {
                                        "Name": "Parents.TrialName",
                                        "Operator": "Equals",
                                        "Value": "trial-2",
                                    },
                                    {
                                        "Name": "Parents.ExperimentName",
                                        "Operator": "Equals",
                                        "Value": "tuning",
                                    },
                                ],
                            }
                        ]
                    },
                    {
                        "Filters": [
                            {"Name": "DisplayName", "Operator": "Contains", "Value": "touch"}
                        ]
                    },
                ],
                "Operator": "Or",
            },
            SortBy="TrialComponentName",
            SortOrder="Ascending",
        )
        assert names(nested_or) == ["run-a", "run-c"]

        def hits(*filters: dict[str, str]) -> list[str]:
            answer = sagemaker.search(
                Resource="ExperimentTrialComponent",
                SearchExpression={"Filters": list(filters)},
                SortBy="TrialComponentName",
                SortOrder="Ascending",
            )
            return names(answer)

        assert hits(
            {"Name": "Parameters.lr", "Operator": "GreaterThanOrEqualTo", "Value": "0.1"}
        ) == [
            "run-a",
            "run-c",
        ]
        assert hits({"Name": "Parameters.lr", "Operator": "In", "Value": "0.01,0.3"}) == [
            "run-b",
            "run-c",
        ]
        assert hits({"Name": "Parameters.optimizer", "Operator": "NotExists"}) == ["elsewhere"]
        assert hits(
            {"Name": "Parameters.optimizer", "Operator": "Exists"},
            {"Name": "TrialComponentName", "Operator": "NotEquals", "Value": "run-a"},
        ) == ["run-b", "run-c"]
        # what the SageMaker SDK's is_run_trial_component sends
        assert hits({"Name": "TrialComponentName", "Operator": "Equals", "Value": "run-c"}) == [
            "run-c"
        ]
        created = sagemaker.describe_trial_component(TrialComponentName="run-b")["CreationTime"]
        assert hits(
            {"Name": "CreationTime", "Operator": "GreaterThan", "Value": created.isoformat()}
        ) == ["elsewhere", "run-c"]

        pages = list(
            sagemaker.get_paginator("search").paginate(
                Resource="ExperimentTrialComponent",
                SearchExpression=by_experiment,
                SortBy="Metrics.loss.Max",
                PaginationConfig={"PageSize": 2},
            )
        )
        assert [names(p) for p in pages] == [["run-a", "run-b"], ["run-c"]]

        trials = sagemaker.search(
            Resource="ExperimentTrial",
            SearchExpression={
                "Filters": [{"Name": "ExperimentName", "Operator": "Equals", "Value": "tuning"}]
            },
            SortBy="TrialName",
            SortOrder="Ascending",
        )
        assert names(trials, "Trial") == ["trial-1", "trial-2"]
        held = trials["Results"][0]["Trial"]["TrialComponentSummaries"]
        assert sorted(s["TrialComponentName"] for s in held) == ["run-a", "run-b"]
        experiments = sagemaker.search(Resource="Experiment", SortBy="ExperimentName")
        assert names(experiments, "Experiment") == ["tuning", "other"]

    await in_thread(scenario)


def record_jobs(studio: Studio) -> None:
    """Training jobs as the studio records them (ended, so nothing runs)."""
    for name, status, rate in [
        ("search-b", JobStatus.FAILED, "0.1"),
        ("search-a", JobStatus.FAILED, "0.3"),
        ("other-c", JobStatus.COMPLETED, "0.2"),
    ]:
        studio.store.create_job(
            Job(
                job_name=name,
                kind=JobKind.TRAINING,
                status=status,
                secondary_status=SecondaryStatus(status.value),
                failure_reason="ClientError: no image" if status is JobStatus.FAILED else None,
                spec={"HyperParameters": {"eta": rate}},
                creation_time=T0,
                last_modified_time=T0,
                tags={"team": name.split("-")[0]},
            )
        )


async def test_search_training_jobs(sagemaker: Any, studio: Studio) -> None:
    record_jobs(studio)

    def scenario() -> None:
        answer = sagemaker.search(
            Resource="TrainingJob",
            SearchExpression={
                "Filters": [
                    {"Name": "TrainingJobName", "Operator": "Contains", "Value": "search"},
                    {"Name": "TrainingJobStatus", "Operator": "Equals", "Value": "Failed"},
                ]
            },
            SortBy="TrainingJobName",
            SortOrder="Ascending",
        )
        assert names(answer, "TrainingJob") == ["search-a", "search-b"]
        job = answer["Results"][0]["TrainingJob"]
        assert job["TrainingJobArn"].endswith(":training-job/search-a")
        assert job["FailureReason"] == "ClientError: no image"
        assert job["Tags"] == [{"Key": "team", "Value": "search"}]
        by_rate = sagemaker.search(
            Resource="TrainingJob",
            SearchExpression={
                "Filters": [
                    {"Name": "HyperParameters.eta", "Operator": "GreaterThan", "Value": "0.15"}
                ]
            },
            SortBy="HyperParameters.eta",
            SortOrder="Descending",
        )
        assert names(by_rate, "TrainingJob") == ["search-a", "other-c"]
        tagged = sagemaker.search(
            Resource="TrainingJob",
            SearchExpression={
                "Filters": [{"Name": "Tags.team", "Operator": "Equals", "Value": "other"}]
            },
        )
        assert names(tagged, "TrainingJob") == ["other-c"]

    await in_thread(scenario)


async def test_search_errors(sagemaker: Any) -> None:
    def refused(**request: Any) -> dict[str, str]:
        with pytest.raises(ClientError) as error:
            sagemaker.search(**request)
        found: Any = error.value.response["Error"]
        return dict(found)

    unsupported = await in_thread(lambda: refused(Resource="FeatureGroup"))
    assert unsupported["Code"] == "ValidationException"
    assert "FeatureGroup" in unsupported["Message"]
    no_value = await in_thread(
        lambda: refused(
            Resource="ExperimentTrialComponent",
            SearchExpression={"Filters": [{"Name": "DisplayName", "Operator": "Equals"}]},
        )
    )
    assert no_value["Code"] == "ValidationException"
    bad_operator = await in_thread(
        lambda: refused(
            Resource="ExperimentTrialComponent",
            SearchExpression={"Filters": [{"Name": "x", "Operator": "Like", "Value": "y"}]},
        )
    )
    assert bad_operator["Code"] == "ValidationException"
