"""Experiments, trials and trial components through boto3's ``sagemaker`` and
``sagemaker-metrics`` clients, over the studio's own tracking store."""

from __future__ import annotations

import json
import statistics
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_mlstudio.aws.credentials import AwsIdentity
from jupyter_mlstudio.entities import MetricPoint, TrialComponentPrimaryStatus
from jupyter_mlstudio.services.studio import Studio
from jupyter_mlstudio.services.tracking.experiments import create_run

from .conftest import client, in_thread

ARN = "arn:aws:sagemaker:us-east-1:000000000000"
T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def error_of(fn: Any) -> dict[str, str]:
    """The ``Error`` of the ClientError ``fn`` raises."""
    with pytest.raises(ClientError) as refused:
        fn()
    error: Any = refused.value.response["Error"]
    return dict(error)


async def test_experiment_trial_component_lifecycle(
    sagemaker: Any, aws_endpoint: str, identity: AwsIdentity, studio: Studio
) -> None:
    metrics = client("sagemaker-metrics", aws_endpoint, identity)

    def scenario() -> None:
        created = sagemaker.create_experiment(
            ExperimentName="churn",
            DisplayName="Churn",
            Description="first try",
            Tags=[{"Key": "team", "Value": "ml"}],
        )
        assert created["ExperimentArn"] == f"{ARN}:experiment/churn"
        trial = sagemaker.create_trial(TrialName="churn-xgb", ExperimentName="churn")
        assert trial["TrialArn"] == f"{ARN}:experiment-trial/churn-xgb"
        component = sagemaker.create_trial_component(
            TrialComponentName="churn-xgb-run-1",
            DisplayName="run-1",
            Status={"PrimaryStatus": "InProgress", "Message": "training"},
            StartTime=T0,
            Parameters={"eta": {"NumberValue": 0.3}, "booster": {"StringValue": "gbtree"}},
            InputArtifacts={"train": {"Value": "s3://b/train.csv", "MediaType": "text/csv"}},
            OutputArtifacts={"model": {"Value": "s3://b/model.tar.gz"}},
        )
        assert component["TrialComponentArn"] == (
            f"{ARN}:experiment-trial-component/churn-xgb-run-1"
        )
        associated = sagemaker.associate_trial_component(
            TrialComponentName="churn-xgb-run-1", TrialName="churn-xgb"
        )
        assert associated["TrialArn"] == trial["TrialArn"]

        values = [0.9, 0.7, 0.4, 0.5]
        answer = metrics.batch_put_metrics(
            TrialComponentName="churn-xgb-run-1",
            MetricData=[
                {"MetricName": "loss", "Value": v, "Step": i, "Timestamp": T0 + timedelta(i)}
                for i, v in enumerate(values)
            ],
        )
        assert "Errors" not in answer

        described = sagemaker.describe_trial_component(TrialComponentName="churn-xgb-run-1")
        assert described["DisplayName"] == "run-1"
        assert described["Status"] == {"PrimaryStatus": "InProgress", "Message": "training"}
        assert described["StartTime"] == T0
        assert described["Parameters"] == {
            "eta": {"NumberValue": 0.3},
            "booster": {"StringValue": "gbtree"},
        }
        assert described["InputArtifacts"] == {
            "train": {"Value": "s3://b/train.csv", "MediaType": "text/csv"}
        }
        assert described["OutputArtifacts"] == {"model": {"Value": "s3://b/model.tar.gz"}}
        (loss,) = described["Metrics"]
        assert loss["MetricName"] == "loss"
        assert (loss["Min"], loss["Max"], loss["Last"], loss["Count"]) == (0.4, 0.9, 0.5, 4)
        assert loss["Avg"] == pytest.approx(statistics.mean(values))
        assert loss["StdDev"] == pytest.approx(statistics.pstdev(values))
        assert loss["TimeStamp"] == T0 + timedelta(3)

        experiment = sagemaker.describe_experiment(ExperimentName="churn")
        assert experiment["DisplayName"] == "Churn"
        assert experiment["Description"] == "first try"
        assert experiment["ExperimentArn"] == created["ExperimentArn"]
        described_trial = sagemaker.describe_trial(TrialName="churn-xgb")
        assert described_trial["ExperimentName"] == "churn"

    await in_thread(scenario)
    # the studio's own records: the run shows in the Experiments section
    run = studio.store.get_trial_component("churn-xgb-run-1")
    assert run.trial_names == ["churn-xgb"]
    assert run.parameters == {"eta": 0.3, "booster": "gbtree"}
    assert [p.value for p in studio.store.get_metric_series("churn-xgb-run-1", "loss")] == [
        0.9,
        0.7,
        0.4,
        0.5,
    ]

    def update_disassociate_delete() -> None:
        sagemaker.update_experiment(ExperimentName="churn", Description="second try")
        assert sagemaker.describe_experiment(ExperimentName="churn")["Description"] == (
            "second try"
        )
        sagemaker.update_trial_component(
            TrialComponentName="churn-xgb-run-1",
            Status={"PrimaryStatus": "Completed"},
            EndTime=T0 + timedelta(hours=1),
            Parameters={"depth": {"NumberValue": 6}},
            ParametersToRemove=["booster"],
            OutputArtifacts={"model": {"Value": "s3://b/model-2.tar.gz"}},
        )
        updated = sagemaker.describe_trial_component(TrialComponentName="churn-xgb-run-1")
        assert updated["Status"]["PrimaryStatus"] == "Completed"
        assert updated["EndTime"] == T0 + timedelta(hours=1)
        assert updated["Parameters"] == {
            "eta": {"NumberValue": 0.3},
            "depth": {"NumberValue": 6.0},
        }
        assert updated["OutputArtifacts"]["model"]["Value"] == "s3://b/model-2.tar.gz"
        assert sagemaker.update_trial(TrialName="churn-xgb")["TrialArn"].endswith("/churn-xgb")
        assert sagemaker.describe_trial(TrialName="churn-xgb")["DisplayName"] == "churn-xgb"
        renamed = sagemaker.update_trial(TrialName="churn-xgb", DisplayName="XGBoost")
        assert renamed["TrialArn"] == f"{ARN}:experiment-trial/churn-xgb"
        assert sagemaker.describe_trial(TrialName="churn-xgb")["DisplayName"] == "XGBoost"
        (listed,) = sagemaker.list_trials(ExperimentName="churn")["TrialSummaries"]
        assert (listed["TrialName"], listed["DisplayName"]) == ("churn-xgb", "XGBoost")
        # an update without DisplayName keeps the new name
        sagemaker.update_trial(TrialName="churn-xgb")
        assert sagemaker.describe_trial(TrialName="churn-xgb")["DisplayName"] == "XGBoost"
        missing = error_of(lambda: sagemaker.update_trial(TrialName="nope", DisplayName="x"))
        assert missing["Code"] == "ResourceNotFound"

        # SageMaker refuses deletes of what still holds others
        held = error_of(
            lambda: sagemaker.delete_trial_component(TrialComponentName="churn-xgb-run-1")
        )
        assert held == {
            "Code": "ValidationException",
            "Message": f"TrialComponent '{ARN}:experiment-trial-component/churn-xgb-run-1'"
            " is linked to 1 or more trials and cannot be deleted.",
        }
        assert error_of(lambda: sagemaker.delete_trial(TrialName="churn-xgb"))["Code"] == (
            "ValidationException"
        )
        assert error_of(lambda: sagemaker.delete_experiment(ExperimentName="churn"))["Code"] == (
            "ValidationException"
        )

        sagemaker.disassociate_trial_component(
            TrialComponentName="churn-xgb-run-1", TrialName="churn-xgb"
        )
        assert (
            sagemaker.list_trial_components(TrialName="churn-xgb")["TrialComponentSummaries"] == []
        )
        assert sagemaker.delete_trial_component(TrialComponentName="churn-xgb-run-1")[
            "TrialComponentArn"
        ].endswith("/churn-xgb-run-1")
        assert sagemaker.delete_trial(TrialName="churn-xgb")["TrialArn"].endswith("/churn-xgb")
        deleted = sagemaker.delete_experiment(ExperimentName="churn")
        assert deleted["ExperimentArn"] == f"{ARN}:experiment/churn"
        gone = error_of(lambda: sagemaker.describe_experiment(ExperimentName="churn"))
        assert gone["Code"] == "ResourceNotFound"

    await in_thread(update_disassociate_delete)
    assert studio.store.list_experiments().items == []


async def test_runs_logged_by_the_studio_show_through_boto3(sagemaker: Any, studio: Studio) -> None:
    store = studio.store
    store.create_experiment("sdk-exp")
    store.create_trial("sdk-trial", "sdk-exp")
    create_run(store, "sdk-run", trial_name="sdk-trial", parameters={"lr": 0.01})
    store.log_metrics(
        "sdk-run",
        [
            MetricPoint(metric_name="acc", value=v, step=i, timestamp=T0)
            for i, v in enumerate([0.5, 0.8])
        ],
    )
    store.update_trial_component("sdk-run", status=TrialComponentPrimaryStatus.COMPLETED)

    def read() -> None:
        listed = sagemaker.list_trial_components(ExperimentName="sdk-exp")
        (summary,) = listed["TrialComponentSummaries"]
        assert summary["TrialComponentName"] == "sdk-run"
        assert summary["Status"]["PrimaryStatus"] == "Completed"
        described = sagemaker.describe_trial_component(TrialComponentName="sdk-run")
        assert described["Parameters"] == {"lr": {"NumberValue": 0.01}}
        assert [(m["MetricName"], m["Max"], m["Count"]) for m in described["Metrics"]] == [
            ("acc", 0.8, 2)
        ]
        trials = sagemaker.list_trials(TrialComponentName="sdk-run")["TrialSummaries"]
        assert [t["TrialName"] for t in trials] == ["sdk-trial"]

    await in_thread(read)


async def test_listings_filter_sort_and_page(sagemaker: Any) -> None:
    def scenario() -> None:
        for name in ["exp-b", "exp-a", "exp-c"]:
            sagemaker.create_experiment(ExperimentName=name)
        newest_first = sagemaker.list_experiments()["ExperimentSummaries"]
        assert [e["ExperimentName"] for e in newest_first] == ["exp-c", "exp-a", "exp-b"]
        assert newest_first[0]["ExperimentArn"] == f"{ARN}:experiment/exp-c"
        pages = list(
            sagemaker.get_paginator("list_experiments").paginate(
                SortBy="Name", SortOrder="Ascending", PaginationConfig={"PageSize": 2}
            )
        )
        assert [[e["ExperimentName"] for e in p["ExperimentSummaries"]] for p in pages] == [
            ["exp-a", "exp-b"],
            ["exp-c"],
        ]
        created_b = sagemaker.describe_experiment(ExperimentName="exp-a")["CreationTime"]
        after = sagemaker.list_experiments(CreatedAfter=created_b)["ExperimentSummaries"]
        assert [e["ExperimentName"] for e in after] == ["exp-c"]

        for trial, experiment in [("t-1", "exp-a"), ("t-2", "exp-a"), ("t-3", "exp-b")]:
            sagemaker.create_trial(TrialName=trial, ExperimentName=experiment)
        of_a = sagemaker.list_trials(ExperimentName="exp-a", SortBy="Name", SortOrder="Ascending")
        assert [t["TrialName"] for t in of_a["TrialSummaries"]] == ["t-1", "t-2"]

        for name, trial in [("c-1", "t-1"), ("c-2", "t-3"), ("c-3", "t-1")]:
            sagemaker.create_trial_component(TrialComponentName=name)
            sagemaker.associate_trial_component(TrialComponentName=name, TrialName=trial)
        sagemaker.create_trial_component(TrialComponentName="c-alone")
        in_a = sagemaker.list_trial_components(ExperimentName="exp-a", SortBy="Name")
        assert [c["TrialComponentName"] for c in in_a["TrialComponentSummaries"]] == [
            "c-3",
            "c-1",
        ]
        in_t3 = sagemaker.list_trial_components(TrialName="t-3")["TrialComponentSummaries"]
        assert [c["TrialComponentName"] for c in in_t3] == ["c-2"]
        every = sagemaker.list_trial_components(MaxResults=100)["TrialComponentSummaries"]
        assert len(every) == 4
        assert (
            sagemaker.list_trial_components(SourceArn=f"{ARN}:training-job/none")[
                "TrialComponentSummaries"
            ]
            == []
        )

    await in_thread(scenario)


async def test_errors_as_sagemaker_sends_them(
    sagemaker: Any, aws_endpoint: str, identity: AwsIdentity, studio: Studio
) -> None:
    metrics = client("sagemaker-metrics", aws_endpoint, identity)

    def scenario() -> None:
        missing = error_of(lambda: sagemaker.describe_experiment(ExperimentName="nope"))
        assert missing["Code"] == "ResourceNotFound"
        assert "nope" in missing["Message"]
        assert error_of(lambda: sagemaker.describe_trial(TrialName="nope"))["Code"] == (
            "ResourceNotFound"
        )
        assert (
            error_of(lambda: sagemaker.describe_trial_component(TrialComponentName="nope"))["Code"]
            == "ResourceNotFound"
        )
        no_experiment = error_of(
            lambda: sagemaker.create_trial(TrialName="t", ExperimentName="nope")
        )
        assert no_experiment["Code"] == "ResourceNotFound"

        sagemaker.create_experiment(ExperimentName="taken")
        taken = error_of(lambda: sagemaker.create_experiment(ExperimentName="taken"))
        # what the SageMaker SDK's is_already_exist_error looks for
        assert taken["Code"] == "ValidationException"
        assert "already exists" in taken["Message"]

        both = error_of(
            lambda: sagemaker.create_trial_component(
                TrialComponentName="bad",
                Parameters={"p": {"NumberValue": 1, "StringValue": "x"}},
            )
        )
        assert both["Code"] == "ValidationException"
        assert "Parameters.p" in both["Message"]
        bad_status = error_of(
            lambda: sagemaker.create_trial_component(
                TrialComponentName="bad", Status={"PrimaryStatus": "Done"}
            )
        )
        assert bad_status["Code"] == "ValidationException"
        assert "Status.PrimaryStatus" in bad_status["Message"]

        no_run = error_of(
            lambda: metrics.batch_put_metrics(
                TrialComponentName="nope",
                MetricData=[{"MetricName": "m", "Value": 1.0, "Timestamp": T0}],
            )
        )
        assert no_run["Code"] == "ResourceNotFound"
        too_many = error_of(
            lambda: metrics.batch_put_metrics(
                TrialComponentName="nope",
                MetricData=[{"MetricName": "m", "Value": 1.0, "Timestamp": T0}] * 11,
            )
        )
        assert too_many["Code"] == "ValidationException"
        assert "MetricData" in too_many["Message"]
        sagemaker.create_trial_component(TrialComponentName="partly")
        partly = metrics.batch_put_metrics(
            TrialComponentName="partly",
            MetricData=[
                {"MetricName": "m", "Value": 1.0, "Step": 0, "Timestamp": T0},
                {"MetricName": "m", "Value": 2.0, "Step": 2**63, "Timestamp": T0},
                {"MetricName": "m", "Value": 3.0, "Step": 2, "Timestamp": T0},
            ],
        )
        assert partly["Errors"] == [{"Code": "VALIDATION_ERROR", "MetricIndex": 1}]
        (summary,) = sagemaker.describe_trial_component(TrialComponentName="partly")["Metrics"]
        assert (summary["Count"], summary["Last"]) == (2, 3.0)
        sagemaker.delete_trial_component(TrialComponentName="partly")
        wrong_key = client("sagemaker-metrics", aws_endpoint, identity, aws_secret_access_key="x")
        signature = error_of(
            lambda: wrong_key.batch_put_metrics(
                TrialComponentName="nope",
                MetricData=[{"MetricName": "m", "Value": 1.0, "Timestamp": T0}],
            )
        )
        assert signature["Code"] == "InvalidSignatureException"

    await in_thread(scenario)
    assert studio.store.list_trial_components().items == []


async def test_the_calls_of_the_sagemaker_sdks_run(
    sagemaker: Any, aws_endpoint: str, identity: AwsIdentity
) -> None:
    """What ``sagemaker.experiments.Run`` sends, in its order, twice (the second time
    loads what the first created)."""
    metrics = client("sagemaker-metrics", aws_endpoint, identity)
    tags = [{"Key": "sagemaker:trial-component-source", "Value": "run"}]

    def load_or_create(create: Any, describe: Any) -> bool:
        try:
            create()
        except ClientError as exc:
            error = exc.response["Error"]
            assert error["Code"] == "ValidationException"
            assert "already exists" in error["Message"]
            describe()
            return True
        return False

    def run(step: int) -> bool:
        load_or_create(
            lambda: sagemaker.create_experiment(ExperimentName="sdk"),
            lambda: sagemaker.describe_experiment(ExperimentName="sdk"),
        )
        load_or_create(
            lambda: sagemaker.create_trial(TrialName="default-run-group-sdk", ExperimentName="sdk"),
            lambda: sagemaker.describe_trial(TrialName="default-run-group-sdk"),
        )
        existed = load_or_create(
            lambda: sagemaker.create_trial_component(TrialComponentName="sdk-run", Tags=tags),
            lambda: sagemaker.describe_trial_component(TrialComponentName="sdk-run"),
        )
        associated = sagemaker.search(
            Resource="ExperimentTrialComponent",
            SearchExpression={
                "Filters": [
                    {"Name": "TrialComponentName", "Operator": "Equals", "Value": "sdk-run"},
                    {
                        "Name": "Parents.TrialName",
                        "Operator": "Equals",
                        "Value": "default-run-group-sdk",
                    },
                ]
            },
        )["Results"]
        assert bool(associated) == existed
        if not associated:
            sagemaker.associate_trial_component(
                TrialComponentName="sdk-run", TrialName="default-run-group-sdk"
            )
        metrics.batch_put_metrics(
            TrialComponentName="sdk-run",
            MetricData=[{"MetricName": "acc", "Value": 0.5 + step, "Step": step, "Timestamp": T0}],
        )
        sagemaker.update_trial_component(  # Run.close() saves the whole component
            TrialComponentName="sdk-run",
            Status={"PrimaryStatus": "Completed"},
            StartTime=T0,
            EndTime=T0 + timedelta(minutes=1),
            Parameters={"lr": {"NumberValue": 0.1}, "opt": {"StringValue": "sgd"}},
            InputArtifacts={},
            OutputArtifacts={},
            ParametersToRemove=[],
            InputArtifactsToRemove=[],
            OutputArtifactsToRemove=[],
        )
        return existed

    assert await in_thread(lambda: run(0)) is False
    assert await in_thread(lambda: run(1)) is True
    described = await in_thread(
        lambda: sagemaker.describe_trial_component(TrialComponentName="sdk-run")
    )
    (acc,) = described["Metrics"]
    assert (acc["Count"], acc["Last"]) == (2, 1.5)
    assert described["Status"]["PrimaryStatus"] == "Completed"
    assert described["Parameters"]["opt"] == {"StringValue": "sgd"}


def send(url: str, method: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """One request; the status and ``x-amzn-ErrorType`` (empty on success)."""
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status), ""
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("x-amzn-ErrorType", "")


async def test_the_metrics_route_authenticates_as_the_api_does(
    sagemaker: Any, aws_endpoint: str, identity: AwsIdentity, jp_auth_header: dict[str, str]
) -> None:
    url = aws_endpoint + "/BatchPutMetrics"
    body = json.dumps(
        {
            "TrialComponentName": "tokened",
            "MetricData": [{"MetricName": "m", "Value": 1.5, "Timestamp": 1767225600}],
        }
    ).encode()
    json_type = {"Content-Type": "application/json"}

    def signed_for(service: str) -> dict[str, str]:
        request = AWSRequest(method="PUT", url=url, data=body, headers=json_type)
        credentials = Credentials(identity.access_key_id, identity.secret_access_key)
        SigV4Auth(credentials, service, identity.region).add_auth(request)
        return dict(request.headers.items())

    def scenario() -> None:
        sagemaker.create_trial_component(TrialComponentName="tokened")
        assert send(url, "PUT", body, json_type) == (403, "MissingAuthenticationTokenException")
        assert send(url, "PUT", body, signed_for("sts")) == (403, "InvalidSignatureException")
        assert send(url, "PUT", body, {**json_type, **jp_auth_header}) == (200, "")
        assert send(url, "PUT", body, signed_for("sagemaker")) == (200, "")
        wrong_method = send(url, "POST", body, {**json_type, **jp_auth_header})
        assert wrong_method == (400, "UnknownOperationException")
        not_json = send(url, "PUT", b"{", {**json_type, **jp_auth_header})
        assert not_json == (400, "SerializationException")
        (summary,) = sagemaker.describe_trial_component(TrialComponentName="tokened")["Metrics"]
        assert summary["Count"] == 2

    await in_thread(scenario)


#: a valid BatchPutMetrics body, broken one way per example
METRIC_BODY: dict[str, Any] = {
    "TrialComponentName": "fuzzed",
    "MetricData": [{"MetricName": "m", "Value": 1.0, "Step": 1, "Timestamp": 1767225600}],
}
NOT_A_NUMBER = st.one_of(st.text(max_size=4), st.just([1]), st.just({"v": 1}), st.none())


def broken_metric_bodies() -> st.SearchStrategy[bytes]:
    """BatchPutMetrics bodies botocore's model refuses, or that are not JSON objects."""
    datum = METRIC_BODY["MetricData"][0]
    broken_datum = st.one_of(
        st.sampled_from(["MetricName", "Value", "Timestamp"]).map(
            lambda k: {n: v for n, v in datum.items() if n != k}
        ),
        NOT_A_NUMBER.map(lambda v: {**datum, "Value": v}),
        st.sampled_from([-1, "1", 1.5]).map(lambda v: {**datum, "Step": v}),
        st.sampled_from(["", "x" * 256]).map(lambda v: {**datum, "MetricName": v}),
        st.text(min_size=1, max_size=8)
        .filter(lambda k: k not in datum)
        .map(lambda k: {**datum, k: 1}),
    )
    bodies = st.one_of(
        broken_datum.map(lambda d: {**METRIC_BODY, "MetricData": [d]}),
        st.sampled_from([[], [datum] * 11, "x", {"a": 1}]).map(
            lambda v: {**METRIC_BODY, "MetricData": v}
        ),
        st.sampled_from(["", "UPPER", "a" * 121, 7]).map(
            lambda v: {**METRIC_BODY, "TrialComponentName": v}
        ),
        st.sampled_from(["TrialComponentName", "MetricData"]).map(
            lambda k: {n: v for n, v in METRIC_BODY.items() if n != k}
        ),
    )
    raw = st.sampled_from([b"{", b"[]", b"1", b"\xff", b'{"MetricData": NaN}'])
    return st.one_of(bodies.map(lambda b: json.dumps(b).encode()), raw)


async def test_malformed_metric_bodies_get_4xx_and_log_nothing(
    sagemaker: Any, aws_endpoint: str, jp_auth_header: dict[str, str], studio: Studio
) -> None:
    url = aws_endpoint + "/BatchPutMetrics"
    headers = {"Content-Type": "application/json", **jp_auth_header}
    statuses: list[int] = []

    @settings(max_examples=60, deadline=None, database=None)
    @given(body=broken_metric_bodies())
    def fuzz(body: bytes) -> None:
        status, code = send(url, "PUT", body, headers)
        statuses.append(status)
        assert 400 <= status < 500, (body[:200], status)
        assert code in ("ValidationException", "SerializationException"), (body[:200], code)

    await in_thread(lambda: sagemaker.create_trial_component(TrialComponentName="fuzzed"))
    await in_thread(fuzz)
    assert len(statuses) >= 30
    assert studio.store.get_trial_component("fuzzed").metrics == []
