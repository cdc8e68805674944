"""Search on every backend (SQLite and PostgreSQL): SageMaker's SearchExpression over
runs and training jobs as one SQL query (``store/sql/search.py``)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from jupyter_mlstudio.entities import Job, JobKind, JobStatus, MetricPoint
from jupyter_mlstudio.entities.experiments import TrialComponentPrimaryStatus
from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.services.tracking.search import SearchService, indexed
from jupyter_mlstudio.store.base import MetadataStore

T0 = datetime(2026, 3, 1, tzinfo=timezone.utc)
#: run → (trial, lr, optimizer, accuracies, team tag)
RUNS: dict[str, tuple[str, Any, str, list[float], str | None]] = {
    "run-a": ("trial-1", 0.1, "adam", [0.5, 0.95, 0.9], "vision"),
    "run-b": ("trial-1", 0.001, "sgd", [0.6, 0.92], "vision"),
    "run-c": ("trial-2", 0.005, "adam", [0.7, 0.8], "nlp"),
    "run-d": ("trial-3", "auto", "adam", [0.99], None),
}
COMPLETED = TrialComponentPrimaryStatus.COMPLETED


@pytest.fixture
def runs(store: MetadataStore) -> SearchService:
    store.create_experiment("vision-exp")
    store.create_experiment("other-exp")
    store.create_trial("trial-1", experiment_name="vision-exp")
    store.create_trial("trial-2", experiment_name="vision-exp")
    store.create_trial("trial-3", experiment_name="other-exp")
    for i, (name, (trial, lr, optimizer, accuracies, team)) in enumerate(RUNS.items()):
        store.create_trial_component(
            name,
            display_name=f"{name}-shown",
            status=COMPLETED if name != "run-c" else TrialComponentPrimaryStatus.FAILED,
            start_time=T0 + timedelta(minutes=i),
            parameters={"lr": lr, "optimizer": optimizer},
            tags={"team": team} if team else None,
        )
        store.associate_trial_component(name, trial)
        store.log_metrics(
            name,
            [
                MetricPoint(metric_name="accuracy", value=v, step=s, timestamp=T0)
                for s, v in enumerate(accuracies)
            ],
        )
    store.create_trial_component("bare")
    return SearchService(store)


def hits(service: SearchService, expression: dict[str, Any], **request: Any) -> list[str]:
    page = service.search(
        {
            "Resource": "ExperimentTrialComponent",
            "SearchExpression": expression,
            "SortBy": "TrialComponentName",
            "SortOrder": "Ascending",
            "MaxResults": 100,
            **request,
        }
    )
    return page.names


def where(name: str, operator: str, value: Any = None) -> dict[str, Any]:
    item = {"Name": name, "Operator": operator}
    return item if value is None else {**item, "Value": value}


def test_metric_and_parameter_filters(runs: SearchService) -> None:
    both = {
        "Filters": [
            where("Metrics.accuracy.Max", "GreaterThan", "0.9"),
            where("Parameters.lr", "LessThan", "0.01"),
        ]
    }
    assert hits(runs, both) == ["run-b"]
    assert hits(runs, {"Filters": [where("Metrics.accuracy", "LessThan", "0.85")]}) == ["run-c"]
    assert hits(runs, {"Filters": [where("Metrics.accuracy.Min", "Equals", "0.5")]}) == ["run-a"]
    assert hits(
        runs, {"Filters": [where("Metrics.accuracy.Count", "GreaterThanOrEqualTo", 3)]}
    ) == ["run-a"]
    avg = hits(runs, {"Filters": [where("Metrics.accuracy.Avg", "LessThanOrEqualTo", "0.77")]})
    assert avg == ["run-b", "run-c"]
    # a text parameter compares as text; numbers never equal it
    assert hits(runs, {"Filters": [where("Parameters.lr", "Equals", "auto")]}) == ["run-d"]
    assert hits(runs, {"Filters": [where("Parameters.lr", "In", "0.1, 0.005")]}) == [
        "run-a",
        "run-c",
    ]
    assert hits(runs, {"Filters": [where("Parameters.optimizer", "NotEquals", "adam")]}) == [
        "run-b"
    ]
    assert hits(runs, {"Filters": [where("Parameters.lr", "NotExists")]}) == ["bare"]
    assert hits(runs, {"Filters": [where("Metrics.loss", "Exists")]}) == []


def test_names_status_tags_times_and_parents(runs: SearchService) -> None:
    assert hits(runs, {"Filters": [where("DisplayName", "Contains", "-b-sh")]}) == ["run-b"]
    assert hits(runs, {"Filters": [where("Status.PrimaryStatus", "Equals", "Failed")]}) == ["run-c"]
    assert hits(runs, {"Filters": [where("Tags.team", "Equals", "vision")]}) == ["run-a", "run-b"]
    assert hits(runs, {"Filters": [where("Tags.team", "NotExists")]}) == ["bare", "run-d"]
    later = (T0 + timedelta(minutes=1)).isoformat()
    assert hits(runs, {"Filters": [where("StartTime", "GreaterThanOrEqualTo", later)]}) == [
        "run-b",
        "run-c",
        "run-d",
    ]
    epoch = str((T0 + timedelta(minutes=2)).timestamp())
    assert hits(runs, {"Filters": [where("StartTime", "Equals", epoch)]}) == ["run-c"]
    assert hits(runs, {"Filters": [where("Parents.ExperimentName", "Equals", "vision-exp")]}) == [
        "run-a",
        "run-b",
        "run-c",
    ]
    nested = {
        "NestedFilters": [
            {
                "NestedPropertyName": "Parents",
                "Filters": [
                    where("Parents.TrialName", "Equals", "trial-2"),
                    where("ExperimentName", "Equals", "vision-exp"),
                ],
            }
        ]
    }
    assert hits(runs, nested) == ["run-c"]


def test_nested_and_or(runs: SearchService) -> None:
    expression = {
        "Operator": "Or",
        "SubExpressions": [
            {
                "Filters": [
                    where("Metrics.accuracy.Max", "GreaterThan", "0.98"),
                    where("Parameters.optimizer", "Equals", "adam"),
                ]
            },
            {"Filters": [where("Tags.team", "Equals", "nlp")]},
        ],
    }
    assert hits(runs, expression) == ["run-c", "run-d"]
    assert hits(runs, {}) == ["bare", "run-a", "run-b", "run-c", "run-d"]


def test_sort_missing_last_and_parameters_numbers_then_text(runs: SearchService) -> None:
    by_max = hits(runs, {}, SortBy="Metrics.accuracy.Max", SortOrder="Descending")
    assert by_max == ["run-d", "run-a", "run-b", "run-c", "bare"]
    by_last = hits(runs, {}, SortBy="Metrics.accuracy", SortOrder="Ascending")
    assert by_last == ["run-c", "run-a", "run-b", "run-d", "bare"]
    assert hits(runs, {}, SortBy="Parameters.lr") == ["run-b", "run-c", "run-a", "run-d", "bare"]
    descending = hits(runs, {}, SortBy="Parameters.lr", SortOrder="Descending")
    assert descending == ["run-d", "run-a", "run-c", "run-b", "bare"]
    assert hits(runs, {}, SortBy="Parents.TrialName")[-1] == "bare"


def test_pages_with_next_token(runs: SearchService) -> None:
    request = {"Resource": "ExperimentTrialComponent", "SortBy": "Metrics.accuracy.Max"}
    seen: list[str] = []
    token = None
    for _ in range(4):
        page = runs.search({**request, "MaxResults": 2, "NextToken": token})
        assert page.total == 5
        seen.extend(page.names)
        token = page.next_token
        if token is None:
            break
    assert seen == ["run-d", "run-a", "run-b", "run-c", "bare"]
    first = runs.search({**request, "MaxResults": 2})
    with pytest.raises(ValidationError) as other:
        runs.search({**request, "SortOrder": "Ascending", "NextToken": first.next_token})
    assert other.value.field == "NextToken"
    with pytest.raises(ValidationError) as garbage:
        runs.search({**request, "NextToken": "not-a-token"})
    assert garbage.value.field == "NextToken"


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        ({"SearchExpression": {"Filters": [where("Nope", "Equals", "x")]}}, "Filters[0].Name"),
        (
            {"SearchExpression": {"SubExpressions": [{"Filters": [where("a", "Like", "x")]}]}},
            "SubExpressions[0].Filters[0]",
        ),
        ({"SearchExpression": {"Filters": [where("Parameters.lr", "Equals")]}}, "Value"),
        ({"SearchExpression": {"Operator": "Xor"}}, "SearchExpression.Operator"),
        ({"SortBy": "Metrics"}, "SortBy"),
        ({"SortOrder": "Sideways"}, "SortOrder"),
        ({"MaxResults": 101}, "MaxResults"),
        ({"Resource": "Endpoint"}, "Resource"),
        ({"SearchExpression": {"Filters": "x"}}, "SearchExpression.Filters"),
        ({"SearchExpression": {"NestedFilters": ["x"]}}, "NestedFilters[0]"),
        ({"SearchExpression": {"Filters": [where("Tags.a", "In", [1])]}}, "Value"),
        ({"SearchExpression": {"Filters": [where("Tags.a", "Equals", "a\x00")]}}, "Value"),
        ({"SortBy": "Metrics.a\x00"}, "SortBy"),
    ],
)
def test_bad_requests_name_the_member(
    runs: SearchService, request_: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        runs.search({"Resource": "ExperimentTrialComponent", **request_})
    assert error.value.field is not None
    assert field in error.value.field


def test_names_that_exist(runs: SearchService) -> None:
    names = runs.names("ExperimentTrialComponent")
    assert names.parameters == ["lr", "optimizer"]
    assert names.metrics == ["accuracy"]
    assert names.tags == ["team"]


def test_training_jobs(store: MetadataStore) -> None:
    for name, status, eta, accuracy in [
        ("job-a", JobStatus.COMPLETED, "0.3", 0.91),
        ("job-b", JobStatus.FAILED, "0.05", 0.4),
        ("job-c", JobStatus.COMPLETED, "10", None),
    ]:
        run = f"{name}-run"
        store.create_trial_component(run)
        if accuracy is not None:
            store.log_metrics(
                run, [MetricPoint(metric_name="accuracy", value=accuracy, step=0, timestamp=T0)]
            )
        store.create_job(
            Job(
                job_name=name,
                kind=JobKind.TRAINING,
                status=status,
                spec={"HyperParameters": {"eta": eta, "booster": "gbtree"}},
                trial_component_name=run,
                creation_time=T0,
                last_modified_time=T0,
                tags={"team": "ml"} if name != "job-c" else {},
            )
        )
    service = SearchService(store)

    def jobs(expression: dict[str, Any], sort_by: str = "TrainingJobName") -> list[str]:
        request = {
            "Resource": "TrainingJob",
            "SearchExpression": expression,
            "SortBy": sort_by,
            "SortOrder": "Ascending",
        }
        return service.search(request).names

    # hyperparameters are text; numeric text compares as a number
    assert jobs({"Filters": [where("HyperParameters.eta", "GreaterThan", "0.2")]}) == [
        "job-a",
        "job-c",
    ]
    assert jobs({"Filters": [where("HyperParameters.booster", "Equals", "gbtree")]}) == [
        "job-a",
        "job-b",
        "job-c",
    ]
    assert jobs({"Filters": [where("TrainingJobStatus", "Equals", "Completed")]}) == [
        "job-a",
        "job-c",
    ]
    assert jobs({"Filters": [where("Metrics.accuracy.Max", "GreaterThan", "0.5")]}) == ["job-a"]
    assert jobs({"Filters": [where("Tags.team", "Exists")]}) == ["job-a", "job-b"]
    assert jobs({}, sort_by="Metrics.accuracy") == ["job-b", "job-a", "job-c"]
    names = service.names("TrainingJob")
    assert (names.parameters, names.metrics, names.tags) == (
        ["booster", "eta"],
        ["accuracy"],
        ["team"],
    )


def test_what_the_indexes_answer() -> None:
    assert indexed({"Resource": "ExperimentTrialComponent", "SortBy": "Metrics.loss.Min"})
    assert not indexed({"Resource": "Experiment"})
    assert not indexed(
        {
            "Resource": "ExperimentTrialComponent",
            "SearchExpression": {"Filters": [where("InputArtifacts.data.Value", "Exists")]},
        }
    )
