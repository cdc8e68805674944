"""Pipelines through the REST API (jp_fetch): create, describe, list, update, delete, and
bad definitions refused naming the field."""

from __future__ import annotations

import json
from typing import Any

from tests.pipelines.definitions import definition, pipeline_of_four, training

from .test_api import call


async def test_pipeline_records(jp_fetch: Any) -> None:
    text = pipeline_of_four()
    body = {"PipelineName": "churn", "PipelineDefinition": text, "PipelineDisplayName": "Churn"}
    status, made = await call(jp_fetch, "POST", "pipelines", body=body)
    assert status == 201, made
    assert made["PipelineArn"].endswith(":pipeline/churn")
    assert (made["PipelineDefinition"], made["PipelineStatus"]) == (text, "Active")
    status, err = await call(jp_fetch, "POST", "pipelines", body=body)
    assert (status, err["field"]) == (409, "PipelineName")

    status, described = await call(jp_fetch, "GET", "pipelines", "churn")
    assert (status, described) == (200, made)

    changed = definition(training("Only"))
    status, updated = await call(
        jp_fetch, "PATCH", "pipelines", "churn", body={"PipelineDefinition": changed}
    )
    assert status == 200, updated
    assert (updated["PipelineDefinition"], updated["PipelineDisplayName"]) == (changed, "Churn")

    status, page = await call(jp_fetch, "GET", "pipelines", params={"PipelineNamePrefix": "ch"})
    assert status == 200
    assert [p["PipelineName"] for p in page["PipelineSummaries"]] == ["churn"]

    status, _ = await call(jp_fetch, "DELETE", "pipelines", "churn")
    assert status == 204
    status, err = await call(jp_fetch, "GET", "pipelines", "churn")
    assert (status, err["field"]) == (404, "PipelineName")


async def test_bad_definitions_name_the_field(jp_fetch: Any) -> None:
    cyclic = json.loads(pipeline_of_four())
    cyclic["Steps"][0]["DependsOn"] = ["Evaluate"]
    status, err = await call(
        jp_fetch,
        "POST",
        "pipelines",
        body={"PipelineName": "p", "PipelineDefinition": json.dumps(cyclic)},
    )
    assert status == 400
    assert err["field"].startswith("PipelineDefinition.Steps[")
    assert err["field"].endswith("].DependsOn")
    status, err = await call(
        jp_fetch,
        "POST",
        "pipelines",
        body={"PipelineName": "p", "PipelineDefinition": "{oops"},
    )
    assert (status, err["field"]) == (400, "PipelineDefinition")
    status, page = await call(jp_fetch, "GET", "pipelines")
    assert page["PipelineSummaries"] == []  # nothing half created

    status, _ = await call(
        jp_fetch,
        "POST",
        "pipelines",
        body={"PipelineName": "p", "PipelineDefinition": definition(training("A"))},
    )
    assert status == 201
    status, err = await call(
        jp_fetch,
        "PATCH",
        "pipelines",
        "p",
        body={"PipelineDefinition": definition(training("a b"))},
    )
    assert (status, err["field"]) == (400, "PipelineDefinition.Steps[0].Name")
