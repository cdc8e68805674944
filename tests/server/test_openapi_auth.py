"""The OpenAPI document matches the registered routes, and every route needs Jupyter auth."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

import jsonschema
import pytest
from tornado.httpclient import HTTPClientError

from jupyter_mlstudio.debugger.hook import Hook
from jupyter_mlstudio.entities import (
    ContainerDefinition,
    Job,
    JobKind,
    JobStatus,
    MetricPoint,
    ProductionVariant,
)
from jupyter_mlstudio.server.handlers.base import StudioHandler
from jupyter_mlstudio.server.routes import API_PREFIX
from jupyter_mlstudio.services.jobs.layout import job_dir
from jupyter_mlstudio.services.jobs.profiler import report_file

from .test_api import studio_of

HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options")


def registered_studio_routes(jp_serverapp: Any) -> dict[str, type[StudioHandler]]:
    """Tornado's live rules for the studio: regex pattern (without base URL) → handler."""
    found: dict[str, type[StudioHandler]] = {}
    base = jp_serverapp.web_app.settings["base_url"].rstrip("/")
    for rule in jp_serverapp.web_app.default_router.rules:
        for sub in getattr(rule.target, "rules", []):
            target = sub.target
            if isinstance(target, type) and issubclass(target, StudioHandler):
                pattern = sub.matcher.regex.pattern.rstrip("$")
                found[pattern.removeprefix(base)] = target
    return found


def implemented_verbs(handler: type[StudioHandler]) -> set[str]:
    """Verbs the handler (or a studio base of it) implements, not tornado's 405 stubs."""
    return {v for v in HTTP_VERBS if getattr(handler, v) is not getattr(StudioHandler, v)}


def spec_path_to_regex(path: str) -> str:
    return re.sub(
        r"\{([A-Za-z]+)\}",
        lambda m: "(.+)" if m.group(1).endswith("Path") else "([^/]+)",
        path,
    )


async def fetch_json(jp_fetch: Any, *parts: str, **kw: Any) -> Any:
    response = await jp_fetch(*parts, **kw)
    return json.loads(response.body)


async def test_openapi_document_matches_registered_routes(jp_fetch: Any, jp_serverapp: Any) -> None:
    spec = await fetch_json(jp_fetch, "mlstudio", "api", "openapi.json")
    jsonschema.Draft202012Validator.check_schema(spec["components"]["schemas"]["ErrorResponse"])
    assert spec["openapi"].startswith("3.")
    live = registered_studio_routes(jp_serverapp)
    assert live, "no studio routes are registered"
    documented = {spec_path_to_regex(p): p for p in spec["paths"]}
    assert set(documented) == set(live), (
        f"undocumented: {set(live) - set(documented)}; not registered: "
        f"{set(documented) - set(live)}"
    )
    for regex, handler in live.items():
        path = documented[regex]
        assert set(spec["paths"][path]) == implemented_verbs(handler), path
        for verb, op in spec["paths"][path].items():
            assert op["operationId"], (path, verb)
            assert op["summary"], (path, verb)
            assert any(code.startswith("2") for code in op["responses"]), (path, verb)


def seed(jp_serverapp: Any) -> dict[str, str]:
    """One of each resource so that every GET route has something to describe."""
    store = studio_of(jp_serverapp).store
    store.create_experiment("exp-a")
    store.create_trial("trial-a", "exp-a")
    store.create_trial_component("run-a")
    store.associate_trial_component("run-a", "trial-a")
    now = datetime.now(timezone.utc)
    store.log_metrics("run-a", [MetricPoint(metric_name="loss", value=0.5, step=0, timestamp=now)])
    artifacts = studio_of(jp_serverapp).artifacts
    artifacts.put_bytes("jobs/train-a/output/model.tar.gz", b"model")
    artifacts.put_bytes("jobs/proc-a/output/clean/a.csv", b"1,2\n")
    artifacts.put_bytes("jobs/transform-a/output/a.csv.out", b"1\n")
    notebook = "SageMakerAutopilotDataExplorationNotebook.ipynb"
    artifacts.put_bytes(f"automl/automl-a/notebooks/{notebook}", b"{}")
    published = {
        "train-a": {
            "ModelArtifacts": {
                "S3ModelArtifacts": artifacts.uri_for("jobs/train-a/output/model.tar.gz")
            },
            "ProfilerRuleEvaluationStatuses": [
                {
                    "RuleConfigurationName": "ProfilerReport",
                    "RuleEvaluationJobName": "train-a-report",
                    "RuleEvaluationStatus": "NoIssuesFound",
                }
            ],
        },
        "proc-a": {
            "ProcessingOutputs": [
                {"OutputName": "clean", "S3Uri": artifacts.uri_for("jobs/proc-a/output/clean")}
            ]
        },
        "transform-a": {
            "TransformOutput": {"S3OutputPath": artifacts.uri_for("jobs/transform-a/output")},
            "OutputFiles": [{"Input": "a.csv", "Output": "a.csv.out", "Records": 1}],
            "OutputFileCount": 1,
        },
        "tune-a": {},
        "automl-a": {
            "AutoMLJobArtifacts": {
                "DataExplorationNotebookLocation": artifacts.uri_for(
                    f"automl/automl-a/notebooks/{notebook}"
                )
            }
        },
    }
    for name, kind in (
        ("train-a", JobKind.TRAINING),
        ("proc-a", JobKind.PROCESSING),
        ("transform-a", JobKind.TRANSFORM),
        ("tune-a", JobKind.TUNING),
        ("automl-a", JobKind.AUTOML),
    ):
        store.create_job(
            Job(
                job_name=name,
                kind=kind,
                status=JobStatus.IN_PROGRESS,
                creation_time=now,
                last_modified_time=now,
                outputs=published[name],
            )
        )
    store.create_model("model-a", ContainerDefinition(image="byoc:1"))
    store.create_endpoint_config(
        "cfg-a",
        [ProductionVariant(variant_name="AllTraffic", model_name="model-a")],
        data_capture_config={"EnableCapture": True, "DestinationS3Uri": artifacts.uri_for("dc")},
    )
    store.create_endpoint("ep-a", "cfg-a")
    studio_of(jp_serverapp).monitoring.create_schedule(
        {
            "MonitoringScheduleName": "schedule-a",
            "MonitoringScheduleConfig": {
                "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
                "MonitoringJobDefinition": {
                    "MonitoringInputs": [{"EndpointInput": {"EndpointName": "ep-a"}}]
                },
            },
        }
    )
    store.create_model_package_group("group-a")
    store.create_model_package("group-a", spec={"CustomerMetadataProperties": {"k": "v"}})
    definition = '{"Version": "2020-12-01", "Parameters": [], "Steps": []}'
    store.create_pipeline("pipeline-a", definition=definition)
    store.create_job(
        Job(
            job_name="execution-a",
            kind=JobKind.PIPELINE_EXECUTION,
            status=JobStatus.COMPLETED,
            spec={
                "PipelineName": "pipeline-a",
                "PipelineDefinition": definition,
                "Parameters": {"P": 1},
            },
            outputs={
                "Steps": {
                    "C": {
                        "StepStatus": "Succeeded",
                        "StartTime": now.isoformat(),
                        "EndTime": now.isoformat(),
                        "Metadata": {"Condition": {"Outcome": "True"}},
                    }
                }
            },
            creation_time=now,
            last_modified_time=now,
        )
    )
    studio_of(jp_serverapp).experiments.put_run_artifact("run-a", "plots/a.json", b"{}")
    # a tensor the training job's hook saved, and its ProfilerReport
    config = studio_of(jp_serverapp).config
    hook = Hook(job_dir(config, "train-a") / "ml/output/tensors", include_collections=["all"])
    hook.save_scalar("loss", 0.5)
    hook.close()
    report = report_file(job_dir(config, "train-a-report") / "ml/processing/output/rule")
    report.parent.mkdir(parents=True)
    report.write_text("<html></html>")
    return {
        "ExperimentName": "exp-a",
        "TrialName": "trial-a",
        "TrialComponentName": "run-a",
        "MetricName": "loss",
        "JobName": "train-a",
        "EndpointName": "ep-a",
        "ModelName": "model-a",
        "EndpointConfigName": "cfg-a",
        "ArtifactPath": "plots/a.json",
        "ModelPackageGroupName": "group-a",
        "ModelPackageVersion": "1",
        "PipelineName": "pipeline-a",
        "PipelineExecutionId": "execution-a",
        "TensorName": "loss",
        "MonitoringScheduleName": "schedule-a",
    }


def concrete(path: str, names: dict[str, str]) -> str:
    if path.startswith("/mlstudio/api/processing-jobs/"):
        names = {**names, "JobName": "proc-a", "ArtifactPath": "clean/a.csv"}
    elif path.startswith("/mlstudio/api/training-jobs/"):
        names = {**names, "ArtifactPath": "model.tar.gz"}
    elif path.startswith("/mlstudio/api/hyper-parameter-tuning-jobs/"):
        names = {**names, "JobName": "tune-a"}
    elif path.startswith("/mlstudio/api/auto-ml-jobs/"):
        notebook = "SageMakerAutopilotDataExplorationNotebook.ipynb"
        names = {**names, "JobName": "automl-a", "ArtifactPath": notebook}
    elif path.startswith("/mlstudio/api/transform-jobs/"):
        names = {**names, "JobName": "transform-a", "ArtifactPath": "a.csv.out"}
    return re.sub(r"\{([A-Za-z]+)\}", lambda m: names[m.group(1)], path)


def resolve_refs(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "components": spec["components"]}


async def test_every_get_route_needs_the_token_and_answers_200_with_it(
    jp_fetch: Any, jp_serverapp: Any
) -> None:
    spec = await fetch_json(jp_fetch, "mlstudio", "api", "openapi.json")
    names = seed(jp_serverapp)
    get_paths = [p for p, item in spec["paths"].items() if "get" in item]
    assert len(get_paths) >= 10
    for path in get_paths:
        url = concrete(path, names).lstrip("/")
        # required query parameters (e.g. the chart's MetricName) come from the seed too
        params = {
            p["name"]: names[p["name"]]
            for p in spec["paths"][path]["get"].get("parameters", [])
            if p["in"] == "query" and p["required"]
        }
        if path.endswith("/lineage"):  # needs one of its optional starts
            params = {"EndpointName": names["EndpointName"]}
        # without the token: 403, as JSON
        with pytest.raises(HTTPClientError) as info:
            await jp_fetch(url, params=params, headers={"Authorization": ""})
        assert info.value.code == 403, path
        # with it: 200, and the body matches the documented schema
        response = await jp_fetch(url, params=params)
        assert response.code == 200, path
        content = spec["paths"][path]["get"]["responses"]["200"]["content"]
        if "application/json" not in content:  # a file download: raw bytes
            assert "*/*" in content, path
            continue
        schema = content["application/json"]["schema"]
        body = json.loads(response.body)
        jsonschema.validate(body, resolve_refs(schema, spec))


async def test_writes_need_the_token_too(jp_fetch: Any) -> None:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(
            "mlstudio",
            "api",
            "experiments",
            method="POST",
            body=json.dumps({"ExperimentName": "sneaky"}),
            headers={"Authorization": ""},
        )
    assert info.value.code == 403
    listing = await fetch_json(jp_fetch, "mlstudio", "api", "experiments")
    assert listing["ExperimentSummaries"] == []


async def test_routes_live_under_the_api_prefix(jp_serverapp: Any) -> None:
    for pattern in registered_studio_routes(jp_serverapp):
        assert pattern.startswith(API_PREFIX), pattern
