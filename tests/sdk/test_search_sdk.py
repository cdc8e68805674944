"""SageMaker's Search from the SDK against a real studio: a filtered, sorted page, every
page, the names for completion, and an error naming the member."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from jupyter_mlstudio.entities import MetricPoint
from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.sdk import search, search_all, search_names
from jupyter_mlstudio.testing.store_contract import T0
from tests.server.test_api import studio_of

from .conftest import in_thread


def seed(jp_serverapp: Any) -> None:
    store = studio_of(jp_serverapp).store
    for i in range(5):
        name = f"run-{i}"
        store.create_trial_component(name, parameters={"lr": 10.0**-i})
        store.log_metrics(
            name, [MetricPoint(metric_name="accuracy", value=0.5 + i / 10, step=0, timestamp=T0)]
        )


async def test_search_from_the_sdk(studio_uri: str, jp_serverapp: Any) -> None:
    seed(jp_serverapp)
    expression = {
        "Filters": [
            {"Name": "Metrics.accuracy.Max", "Operator": "GreaterThan", "Value": "0.6"},
            {"Name": "Parameters.lr", "Operator": "LessThanOrEqualTo", "Value": "0.01"},
        ]
    }
    answer = await in_thread(
        lambda: search(
            SearchExpression=expression,
            SortBy="Metrics.accuracy.Max",
            SortOrder="Ascending",
            MaxResults=1,
            session=studio_uri,
        )
    )
    (first,) = answer["Results"]
    assert first["TrialComponent"]["TrialComponentName"] == "run-2"
    assert isinstance(first["TrialComponent"]["CreationTime"], datetime)
    assert answer["TotalHits"]["Value"] == 3
    assert answer["NextToken"]
    every = await in_thread(
        lambda: list(
            search_all(SearchExpression=expression, SortBy="Parameters.lr", session=studio_uri)
        )
    )
    assert [r["TrialComponent"]["TrialComponentName"] for r in every] == [
        "run-2",
        "run-3",
        "run-4",
    ]
    names = await in_thread(lambda: search_names(session=studio_uri))
    assert names == {"Parameters": ["lr"], "Metrics": ["accuracy"], "Tags": []}


async def test_a_bad_expression_names_the_member(studio_uri: str, jp_serverapp: Any) -> None:
    seed(jp_serverapp)
    bad = {"Filters": [{"Name": "Parameters.lr", "Operator": "GreaterThan"}]}
    with pytest.raises(ValidationError) as error:
        await in_thread(lambda: search(SearchExpression=bad, session=studio_uri))
    assert error.value.field == "SearchExpression.Filters[0].Value"
