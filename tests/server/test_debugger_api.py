"""A training job's Debugger and profiler routes through a real Jupyter server (jp_fetch):
the tensors its hook saved, one tensor over steps, the profiler samples, the report."""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from jupyter_server.utils import url_path_join
from tornado.httpclient import HTTPClientError

from jupyter_mlstudio.debugger.hook import Hook
from jupyter_mlstudio.entities import Job, JobKind, JobStatus
from jupyter_mlstudio.services.jobs.layout import host_ml_dir, job_dir

from .test_api import call, studio_of

ROUTES = (
    ("debugger", "tensors"),
    ("debugger", "tensors", "loss"),
    ("profiler",),
    ("profiler", "report"),
)


def record(jp_serverapp: Any, name: str, **fields: Any) -> Path:
    """Record a training job (nothing runs); answer its folder."""
    now = datetime.now(timezone.utc)
    studio = studio_of(jp_serverapp)
    studio.store.create_job(
        Job(
            job_name=name,
            kind=JobKind.TRAINING,
            status=JobStatus.COMPLETED,
            creation_time=now,
            last_modified_time=now,
            **fields,
        )
    )
    folder = job_dir(studio.config, name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_report(path: Path, html: str) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(html)


def save_tensors(
    folder: Path, host: str, steps: int, *, local_path: str = "output/tensors"
) -> None:
    """What a training script's hook saves on ``host``: a loss every step (TRAIN), a
    validation loss (EVAL), and a weight array."""
    hook = Hook(host_ml_dir(folder, host) / local_path, worker=host, include_collections=["all"])
    for step in range(steps):
        hook.set_mode("TRAIN")
        hook.save_scalar("loss", 1.0 / (step + 1))
        hook.save_tensor("dense/weight", np.full((2, 3), float(step)), "weights")
        hook.set_mode("EVAL")
        hook.save_scalar("val_loss", 2.0 / (step + 1))
    hook.close()


async def test_unknown_job_is_404_on_every_route(jp_fetch: Any, jp_serverapp: Any) -> None:
    for route in ROUTES:
        status, body = await call(jp_fetch, "GET", "training-jobs", "nope", *route)
        assert status == 404, (route, body)
        assert body["code"] == "ResourceNotFound"
    # a processing job of that name is not a training job
    now = datetime.now(timezone.utc)
    studio_of(jp_serverapp).store.create_job(
        Job(
            job_name="proc-b",
            kind=JobKind.PROCESSING,
            status=JobStatus.COMPLETED,
            creation_time=now,
            last_modified_time=now,
        )
    )
    status, _ = await call(jp_fetch, "GET", "training-jobs", "proc-b", "debugger", "tensors")
    assert status == 404


async def test_every_route_needs_the_token(jp_fetch: Any, jp_serverapp: Any) -> None:
    record(jp_serverapp, "auth-a")
    for route in ROUTES:
        with pytest.raises(HTTPClientError) as info:
            await jp_fetch(
                "mlstudio", "api", "training-jobs", "auth-a", *route, headers={"Authorization": ""}
            )
        assert info.value.code == 403, route


async def test_a_job_without_debugger_or_profiler(jp_fetch: Any, jp_serverapp: Any) -> None:
    record(jp_serverapp, "plain-a", spec={"ResourceConfig": {"InstanceCount": 1}})
    status, body = await call(jp_fetch, "GET", "training-jobs", "plain-a", "debugger", "tensors")
    assert (status, body) == (200, {"Tensors": [], "Skipped": []})
    status, body = await call(
        jp_fetch, "GET", "training-jobs", "plain-a", "debugger", "tensors", "loss"
    )
    assert status == 404
    assert body["field"] == "TensorName"
    status, body = await call(jp_fetch, "GET", "training-jobs", "plain-a", "profiler")
    assert status == 200
    assert body == {
        "ProfilingStatus": "Enabled",  # every job is sampled unless DisableProfiler
        "IntervalMillis": 500,
        "Hosts": [],
        "Report": False,
    }
    status, body = await call(jp_fetch, "GET", "training-jobs", "plain-a", "profiler", "report")
    assert status == 404
    assert "no profiler report" in body["message"]


async def test_bad_query_values_are_400_naming_them(jp_fetch: Any, jp_serverapp: Any) -> None:
    record(jp_serverapp, "query-a")
    status, body = await call(
        jp_fetch, "GET", "training-jobs", "query-a", "debugger", "tensors", "loss",
        params={"mode": "TRAINING"},
    )  # fmt: skip
    assert status == 400
    assert body["field"] == "mode"
    status, body = await call(
        jp_fetch, "GET", "training-jobs", "query-a", "profiler", params={"since": "yesterday"}
    )
    assert status == 400
    assert body["field"] == "since"


async def test_a_hook_path_outside_opt_ml_is_not_read(jp_fetch: Any, jp_serverapp: Any) -> None:
    record(jp_serverapp, "escape-a", spec={"DebugHookConfig": {"LocalPath": "/opt/ml/../../etc"}})
    status, body = await call(jp_fetch, "GET", "training-jobs", "escape-a", "debugger", "tensors")
    assert status == 400
    assert body["field"] == "DebugHookConfig.LocalPath"


async def test_tensors_of_every_host_and_one_tensor_over_steps(
    jp_fetch: Any,
    jp_serverapp: Any,
    http_server_client: Any,
    jp_base_url: str,
    jp_auth_header: dict[str, str],
) -> None:
    folder = record(
        jp_serverapp,
        "tensors-a",
        spec={
            "ResourceConfig": {"InstanceCount": 2},
            "DebugHookConfig": {"LocalPath": "/opt/ml/output/my-tensors"},
        },
    )
    save_tensors(folder, "algo-1", 4, local_path="output/my-tensors")
    save_tensors(folder, "algo-2", 4, local_path="output/my-tensors")
    # a third host's tensors are not the job's (InstanceCount is 2)
    save_tensors(folder, "algo-3", 2, local_path="output/my-tensors")

    status, body = await call(jp_fetch, "GET", "training-jobs", "tensors-a", "debugger", "tensors")
    assert status == 200, body
    tensors = {t["Name"]: t for t in body["Tensors"]}
    assert set(tensors) == {"loss", "val_loss", "dense/weight"}
    assert tensors["dense/weight"]["Shape"] == [2, 3]
    assert "weights" in tensors["dense/weight"]["Collections"]
    assert "losses" in tensors["loss"]["Collections"]
    assert body["Skipped"] == []

    status, body = await call(
        jp_fetch, "GET", "training-jobs", "tensors-a", "debugger", "tensors", "loss",
        params={"mode": "TRAIN"},
    )  # fmt: skip
    assert status == 200, body
    assert body["Name"] == "loss"
    assert len(body["Steps"]) == len(body["Values"]) > 0
    assert all(v is not None and v > 0 for v in body["Values"])
    # a name with a slash travels as one encoded segment (as the UI's encodeURIComponent
    # sends it; jp_fetch would encode the % again)
    response = await http_server_client.fetch(
        url_path_join(jp_base_url, "mlstudio/api/training-jobs/tensors-a/debugger/tensors")
        + "/dense%2Fweight",
        headers=jp_auth_header,
    )
    assert response.code == 200
    body = json.loads(response.body)
    assert body["Name"] == "dense/weight"
    assert len(body["Mean"]) == len(body["Steps"]) == len(body["Norm"]) > 0
    for mean, low, high, norm in zip(
        body["Mean"], body["Min"], body["Max"], body["Norm"], strict=True
    ):
        assert low == mean == high  # np.full: every element alike
        assert norm == pytest.approx(math.sqrt(6) * abs(mean))
    status, _ = await call(
        jp_fetch, "GET", "training-jobs", "tensors-a", "debugger", "tensors", "nothing"
    )
    assert status == 404


async def test_profiler_samples_since_and_the_report(jp_fetch: Any, jp_serverapp: Any) -> None:
    from jupyter_mlstudio.services.jobs import profiler

    rule_job = "prof-a-ProfilerReport-0a1b2c3d"
    folder = record(
        jp_serverapp,
        "prof-a",
        spec={
            "ResourceConfig": {"InstanceCount": 2},
            "ProfilerConfig": {"ProfilingIntervalInMilliseconds": 200},
            "ProfilerRuleConfigurations": [
                {
                    "RuleConfigurationName": "report",
                    "RuleParameters": {"rule_to_invoke": "ProfilerReport"},
                }
            ],
        },
        outputs={
            "ProfilerRuleEvaluationStatuses": [
                {
                    "RuleConfigurationName": "report",
                    "RuleEvaluationJobName": rule_job,
                    "RuleEvaluationStatus": "NoIssuesFound",
                }
            ]
        },
    )
    samples = folder / "profiler"
    samples.mkdir()
    for host in ("algo-1", "algo-2"):
        lines = [
            json.dumps({"t": 1000.0 + i, "cpu_percent": 10.0 * i, "memory_percent": 50.0})
            for i in range(5)
        ]
        lines.insert(2, '{"t": 1001.5, "cpu_')  # a corrupt line: skipped, counted
        (samples / f"{host}.jsonl").write_text("\n".join(lines) + "\n")

    status, body = await call(jp_fetch, "GET", "training-jobs", "prof-a", "profiler")
    assert status == 200, body
    assert body["ProfilingStatus"] == "Enabled"
    assert body["IntervalMillis"] == 200
    assert [h["Host"] for h in body["Hosts"]] == ["algo-1", "algo-2"]
    first = body["Hosts"][0]
    assert first["Timestamps"] == [1000.0, 1001.0, 1002.0, 1003.0, 1004.0]
    assert first["Series"]["cpu_percent"] == [0.0, 10.0, 20.0, 30.0, 40.0]
    assert first["Skipped"] == 1
    assert body["Report"] is False
    status, body = await call(
        jp_fetch, "GET", "training-jobs", "prof-a", "profiler", params={"since": "1002.5"}
    )
    assert status == 200, body
    assert body["Hosts"][0]["Timestamps"] == [1003.0, 1004.0]

    # the ProfilerReport rule job writes its report into its own output folder
    output = job_dir(studio_of(jp_serverapp).config, rule_job) / "ml/processing/output/rule"
    html = "<html><body><h1>Profiler report of prof-a</h1></body></html>"
    write_report(profiler.report_file(output), html)
    status, body = await call(jp_fetch, "GET", "training-jobs", "prof-a", "profiler")
    assert body["Report"] is True
    response = await jp_fetch("mlstudio", "api", "training-jobs", "prof-a", "profiler", "report")
    assert response.code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.body.decode() == html
