"""The SDK's Debugger names (``Rule``, ``ProfilerRule``, ``rule_configs``, the configs) as
CreateTrainingJob members, in the shapes the SageMaker SDK v2 sends."""

from __future__ import annotations

import json

import pytest

from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.sdk import (
    CollectionConfig,
    DebuggerHookConfig,
    Estimator,
    ProfilerConfig,
    ProfilerRule,
    Rule,
    rule_configs,
)
from jupyter_mlstudio.sdk.debugger import debug_request
from jupyter_mlstudio.services.jobs import debugging
from jupyter_mlstudio.services.jobs.requests import CreateTrainingJobRequest, parse_request


def test_rules_hook_and_profiler_become_the_request_members() -> None:
    rules = [
        Rule.sagemaker(
            rule_configs.loss_not_decreasing(),
            rule_parameters={"num_steps": 3},
            collections_to_save=[CollectionConfig("losses", {"save_interval": 1})],
            actions=rule_configs.ActionList(rule_configs.StopTraining()),
        ),
        Rule.sagemaker(rule_configs.vanishing_gradient()),
        ProfilerRule.sagemaker(rule_configs.CPUBottleneck(threshold=80)),
    ]
    body = debug_request(
        "job-1",
        rules,
        DebuggerHookConfig(
            collection_configs=[CollectionConfig("weights", {"save_interval": "5"})]
        ),
        ProfilerConfig(system_monitor_interval_millis=1000),
        disable_profiler=False,
    )
    assert body["DebugHookConfig"]["CollectionConfigurations"] == [
        {"CollectionName": "losses", "CollectionParameters": {"save_interval": "1"}},
        {"CollectionName": "gradients", "CollectionParameters": {"save_interval": "500"}},
        {"CollectionName": "weights", "CollectionParameters": {"save_interval": "5"}},
    ]
    loss, gradient = body["DebugRuleConfigurations"]
    assert loss["RuleConfigurationName"] == "LossNotDecreasing"
    assert loss["RuleParameters"]["rule_to_invoke"] == "LossNotDecreasing"
    assert loss["RuleParameters"]["num_steps"] == "3"
    assert json.loads(loss["RuleParameters"]["action_json"]) == [
        {"name": "stoptraining", "training_job_prefix": "job-1"}
    ]
    assert gradient["RuleParameters"] == {"rule_to_invoke": "VanishingGradient"}
    (cpu,) = body["ProfilerRuleConfigurations"]
    assert cpu["RuleParameters"]["threshold"] == "80"
    assert cpu["RuleParameters"]["patience"] == "1000"  # the rule's defaults, as strings
    assert body["ProfilerConfig"] == {
        "DisableProfiler": False,
        "ProfilingIntervalInMilliseconds": 1000,
    }
    # and the studio takes what the SDK sends
    request = parse_request(
        CreateTrainingJobRequest,
        {"TrainingJobName": "job-1", "ScriptMode": {"EntryPoint": "t.py"}, **body},
    )
    plan = debugging.plan_debugging(request)
    assert [r.rule for r in plan.rules] == [
        "LossNotDecreasing",
        "VanishingGradient",
        "CPUBottleneck",
    ]
    assert plan.rules[0].stop_training
    assert plan.interval_ms == 1000


def test_no_hook_and_no_profiler() -> None:
    body = debug_request("j", None, False, None, disable_profiler=True)
    assert body == {"ProfilerConfig": {"DisableProfiler": True}}
    default = debug_request("j", None, None, None, disable_profiler=False)
    assert default == {"DebugHookConfig": {"CollectionConfigurations": []}}


def test_wrong_rules_are_refused() -> None:
    with pytest.raises(ValidationError) as info:
        debug_request("j", ["LossNotDecreasing"], None, None, False)
    assert info.value.field == "rules[0]"
    with pytest.raises(ValidationError) as info:
        debug_request(
            "j", [ProfilerRule.sagemaker(rule_configs.ProfilerReport())], None, None, True
        )
    assert info.value.field == "disable_profiler"
    with pytest.raises(ValidationError):
        Rule.sagemaker(rule_configs.overfit(), rule_parameters={"rule_to_invoke": "Other"})
    with pytest.raises(ValidationError):
        Rule.sagemaker(rule_configs.overfit(), actions="stop")


def test_estimator_sends_them_and_tuning_definitions_do_not() -> None:
    estimator = Estimator(
        entry_point=__file__,
        rules=[Rule.sagemaker(rule_configs.exploding_tensor())],
        profiler_config=ProfilerConfig(disable_profiler=True),
    )
    request = estimator._request("job-2", None, None)
    assert request["DebugRuleConfigurations"][0]["RuleConfigurationName"] == "ExplodingTensor"
    assert request["ProfilerConfig"] == {"DisableProfiler": True}
    definition = estimator.training_job_definition()
    assert not {"DebugHookConfig", "DebugRuleConfigurations", "ProfilerConfig"} & set(definition)
