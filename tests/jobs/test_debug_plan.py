"""Debugger and profiler settings of a training job: what is refused, with which field,
and what a valid request turns into (hook configuration, rule jobs, statuses)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.services.jobs import debugging
from jupyter_mlstudio.services.jobs.requests import CreateTrainingJobRequest, parse_request

#: smdebug_rulesconfig's ActionList(StopTraining()).serialize(), quotes escaped as it sends them
STOP_TRAINING = r"[{\"name\": \"stoptraining\", \"training_job_prefix\": \"dbg\"}]"
IMAGE = "503895931360.dkr.ecr.us-east-1.amazonaws.com/sagemaker-debugger-rules:latest"


def request(**extra: Any) -> CreateTrainingJobRequest:
    body = {"TrainingJobName": "dbg-1", "ScriptMode": {"EntryPoint": "train.py"}, **extra}
    return parse_request(CreateTrainingJobRequest, body)


def rule(name: str, **parameters: Any) -> dict[str, Any]:
    return {
        "RuleConfigurationName": name,
        "RuleEvaluatorImage": IMAGE,
        "RuleParameters": {"rule_to_invoke": name, **parameters},
    }


def refused(**extra: Any) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        debugging.plan_debugging(request(**extra))
    return info.value


def test_no_settings_profiles_at_500_ms_and_saves_nothing() -> None:
    plan = debugging.plan_debugging(request())
    assert plan.hook is None
    assert plan.tensor_path is None
    assert plan.rules == ()
    assert plan.profiling
    assert plan.interval_ms == 500


def test_rules_as_the_sagemaker_sdk_sends_them() -> None:
    plan = debugging.plan_debugging(
        request(
            DebugHookConfig={
                "S3OutputPath": "s3://bucket/out",
                "CollectionConfigurations": [
                    {"CollectionName": "losses", "CollectionParameters": {"save_interval": "10"}}
                ],
            },
            DebugRuleConfigurations=[
                rule(
                    "LossNotDecreasing",
                    num_steps=5,
                    action_json=STOP_TRAINING,
                ),
                {"RuleConfigurationName": "ExplodingTensor", "RuleParameters": {}},
            ],
            ProfilerConfig={"ProfilingIntervalInMilliseconds": 1000},
            ProfilerRuleConfigurations=[rule("ProfilerReport", CPUBottleneck_threshold="80")],
        )
    )
    assert plan.tensor_path == "output/tensors"
    assert plan.hook == {
        "LocalPath": "/opt/ml/output/tensors",
        "HookParameters": {},
        "CollectionConfigurations": [
            {"CollectionName": "losses", "CollectionParameters": {"save_interval": "10"}}
        ],
        "S3OutputPath": "s3://bucket/out",
    }
    loss, exploding, report = plan.rules
    assert (loss.rule, loss.stop_training, loss.profiler) == ("LossNotDecreasing", True, False)
    assert loss.parameters["num_steps"] == "5"  # kept as the API keeps them: strings
    assert exploding.rule == "ExplodingTensor"
    assert not exploding.stop_training
    assert report.profiler
    assert report.statuses_key == "ProfilerRuleEvaluationStatuses"
    assert plan.interval_ms == 1000
    names = {r.job_name for r in plan.rules}
    assert len(names) == 3
    assert all(len(n) <= 63 and n.startswith("dbg-1-") for n in names)
    statuses = debugging.initial_statuses(plan, datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert [s["RuleConfigurationName"] for s in statuses["DebugRuleEvaluationStatuses"]] == [
        "LossNotDecreasing",
        "ExplodingTensor",
    ]
    assert statuses["ProfilerRuleEvaluationStatuses"][0]["RuleEvaluationStatus"] == "InProgress"


def test_rules_alone_give_the_default_hook() -> None:
    plan = debugging.plan_debugging(request(DebugRuleConfigurations=[rule("VanishingGradient")]))
    assert plan.hook == {"LocalPath": "/opt/ml/output/tensors"}


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (
            {"DebugRuleConfigurations": [rule("LossGoesUp")]},
            "DebugRuleConfigurations[0].RuleParameters.rule_to_invoke",
        ),
        (
            {"DebugRuleConfigurations": [{"RuleConfigurationName": "Nope"}]},
            "DebugRuleConfigurations[0].RuleConfigurationName",
        ),
        (
            {"DebugRuleConfigurations": [rule("LossNotDecreasing", num_steps="ten")]},
            "DebugRuleConfigurations[0].RuleParameters.num_steps",
        ),
        (
            {"DebugRuleConfigurations": [rule("ExplodingTensor", only_nan="perhaps")]},
            "DebugRuleConfigurations[0].RuleParameters.only_nan",
        ),
        (
            {"DebugRuleConfigurations": [rule("Overfit", colour="red")]},
            "DebugRuleConfigurations[0].RuleParameters.colour",
        ),
        (
            {"DebugRuleConfigurations": [rule("CPUBottleneck")]},
            "DebugRuleConfigurations[0].RuleParameters.rule_to_invoke",
        ),
        (
            {"ProfilerRuleConfigurations": [rule("Overfit")]},
            "ProfilerRuleConfigurations[0].RuleParameters.rule_to_invoke",
        ),
        (
            {"DebugRuleConfigurations": [rule("Overfit"), rule("Overfit")]},
            "DebugRuleConfigurations[1].RuleConfigurationName",
        ),
        (
            {"DebugRuleConfigurations": [rule("Overfit", action_json="[{'name': 1}")]},
            "DebugRuleConfigurations[0].RuleParameters.action_json",
        ),
        (
            {"DebugRuleConfigurations": [rule("Overfit", action_json='[{"name": "reboot"}]')]},
            "DebugRuleConfigurations[0].RuleParameters.action_json",
        ),
        (
            {"DebugHookConfig": {"HookParameters": {"save_interval": "0"}}},
            "DebugHookConfig.HookParameters.save_interval",
        ),
        (
            {
                "DebugHookConfig": {
                    "CollectionConfigurations": [
                        {
                            "CollectionName": "losses",
                            "CollectionParameters": {"save_interval": "-5"},
                        }
                    ]
                }
            },
            "DebugHookConfig.CollectionConfigurations[0].CollectionParameters.save_interval",
        ),
        ({"DebugHookConfig": {"LocalPath": "/tmp/tensors"}}, "DebugHookConfig.LocalPath"),
        ({"DebugHookConfig": {"LocalPath": "/opt/ml/../etc"}}, "DebugHookConfig.LocalPath"),
        ({"DebugHookConfig": {"LocalPath": "/opt/ml/input/x"}}, "DebugHookConfig.LocalPath"),
        (
            {"ProfilerConfig": {"ProfilingIntervalInMilliseconds": 250}},
            "ProfilerConfig.ProfilingIntervalInMilliseconds",
        ),
        (
            {
                "ProfilerConfig": {"DisableProfiler": True},
                "ProfilerRuleConfigurations": [rule("CPUBottleneck")],
            },
            "ProfilerConfig.DisableProfiler",
        ),
    ],
)
def test_bad_settings_are_refused_with_the_field(extra: dict[str, Any], field: str) -> None:
    assert refused(**extra).field == field


def test_hook_config_is_written_where_the_job_sees_it(tmp_path: Path) -> None:
    plan = debugging.plan_debugging(
        request(
            DebugHookConfig={
                "LocalPath": "/opt/ml/output/debug",
                "HookParameters": {"save_interval": 2},
            }
        )
    )
    debugging.write_hook_config(tmp_path, plan, str(tmp_path))
    body = json.loads((tmp_path / debugging.HOOK_CONFIG).read_text())
    assert body["LocalPath"] == f"{tmp_path}/output/debug"
    assert body["HookParameters"] == {"save_interval": "2"}
    assert (tmp_path / "output" / "debug").is_dir()


def test_the_package_copied_into_containers_imports_alone(tmp_path: Path) -> None:
    import subprocess
    import sys

    debugging.install_package(tmp_path)
    code = (
        "import jupyter_mlstudio.debugger as d, jupyter_mlstudio.debugger.rules.catalog as c;"
        " print(d.__file__, len(c.RULES))"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(tmp_path)!r}); {code}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.startswith(str(tmp_path))
    assert out.split()[-1] == "14"
