"""The SageMaker Python SDK v2's Debugger, unmodified, against a real studio
(``scripts/v2_debugger.py``): rules from ``rule_configs`` run beside the job, the
diverging training is stopped by LossNotDecreasing's StopTraining action, the healthy one
passes, and ``rule_job_summary()`` answers SageMaker's fields."""

from __future__ import annotations

from .conftest import SdkStudio
from .test_sagemaker_v2 import run_v2, unique


async def test_rules_stop_a_diverging_job_and_pass_a_healthy_one(sdk_studio: SdkStudio) -> None:
    out, _ = await run_v2(sdk_studio, "v2_debugger.py", unique("v2-dbg"))
    bad, good = out["diverging"], out["healthy"]
    assert bad["status"] == "Stopped"
    assert good["status"] == "Completed"
    for run in (bad, good):
        assert run["profiling"] == "Enabled"
        assert run["debugger_path"].endswith(f"/{run['job_name']}/debug-output")
        names = [e["RuleConfigurationName"] for e in run["summary"]]
        assert names == ["LossNotDecreasing", "ExplodingTensor", "ProfilerReport"]
        for entry in run["summary"]:
            assert entry["RuleEvaluationJobArn"].startswith("arn:aws:sagemaker:")
            assert ":processing-job/" in entry["RuleEvaluationJobArn"]
    statuses = {e["RuleConfigurationName"]: e for e in bad["summary"]}
    assert statuses["LossNotDecreasing"]["RuleEvaluationStatus"] == "IssuesFound"
    assert "StopTraining" in statuses["LossNotDecreasing"]["StatusDetails"]
    good_statuses = {e["RuleConfigurationName"]: e["RuleEvaluationStatus"] for e in good["summary"]}
    assert good_statuses["LossNotDecreasing"] == "NoIssuesFound"
    assert good_statuses["ExplodingTensor"] == "NoIssuesFound"
    assert good_statuses["ProfilerReport"] in ("NoIssuesFound", "IssuesFound")

    status, job = sdk_studio.server.call("GET", f"training-jobs/{bad['job_name']}")
    assert status == 200, job
    assert job["Spec"]["DebugRuleConfigurations"][0]["RuleParameters"]["num_steps"] == "3"
