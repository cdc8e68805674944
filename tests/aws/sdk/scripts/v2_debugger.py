"""The SageMaker Python SDK v2's Debugger flow, as SageMaker's sample notebooks write it:
an ``SKLearn`` estimator with ``rules=[Rule.sagemaker(rule_configs.loss_not_decreasing(),
..., actions=rule_configs.ActionList(rule_configs.StopTraining())), ProfilerRule.sagemaker(
rule_configs.ProfilerReport())]``, a ``DebuggerHookConfig`` and a ``ProfilerConfig``; a
diverging training is stopped by its rule, a healthy one passes;
``latest_training_job.rule_job_summary()`` and ``latest_job_debugger_artifacts_path()``
read it back. Prints what the test checks on a line ``RESULT <json>``.

Usage: python v2_debugger.py BASE_NAME
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import sagemaker
from sagemaker.debugger import (
    CollectionConfig,
    DebuggerHookConfig,
    ProfilerConfig,
    ProfilerRule,
    Rule,
    rule_configs,
)
from sagemaker.sklearn import SKLearn

ROLE = "arn:aws:iam::000000000000:role/SageMakerRole"
HERE = Path(__file__).resolve().parent


def train(session: sagemaker.Session, base_name: str, eta0: float, epochs: int) -> dict[str, Any]:
    estimator = SKLearn(
        entry_point="train.py",
        source_dir=str(HERE / "debugger_source"),
        framework_version="1.2-1",
        py_version="py3",
        instance_type="ml.m5.large",
        instance_count=1,
        role=ROLE,
        base_job_name=base_name,
        hyperparameters={"eta0": eta0, "epochs": epochs, "epoch-seconds": 0.2},
        sagemaker_session=session,
        rules=[
            Rule.sagemaker(
                rule_configs.loss_not_decreasing(),
                rule_parameters={"num_steps": "3", "diff_percent": "0.1"},
                collections_to_save=[CollectionConfig("losses", {"save_interval": "1"})],
                actions=rule_configs.ActionList(rule_configs.StopTraining()),
            ),
            Rule.sagemaker(rule_configs.exploding_tensor()),
            ProfilerRule.sagemaker(rule_configs.ProfilerReport()),
        ],
        debugger_hook_config=DebuggerHookConfig(
            collection_configs=[CollectionConfig("weights", {"save_interval": "5"})]
        ),
        profiler_config=ProfilerConfig(system_monitor_interval_millis=500),
    )
    estimator.fit(wait=True, logs=False)  # a Stopped job is a warning, not an error
    job = estimator.latest_training_job
    # the rules read what the job wrote last, then conclude: wait as the samples do
    summary = job.rule_job_summary()
    deadline = time.monotonic() + 120
    while any(e["RuleEvaluationStatus"] == "InProgress" for e in summary):
        if time.monotonic() > deadline:
            break
        time.sleep(1)
        summary = job.rule_job_summary()
    description = job.describe()
    return {
        "job_name": job.name,
        "status": description["TrainingJobStatus"],
        "summary": [{k: str(v) for k, v in entry.items()} for entry in summary],
        "debugger_path": estimator.latest_job_debugger_artifacts_path(),
        "profiling": description.get("ProfilingStatus"),
    }


def main(base_name: str) -> None:
    session = sagemaker.Session()
    # planned for a minute: the rule stops it within seconds, however slow the machine
    diverging = train(session, f"{base_name}-bad", eta0=0.2, epochs=300)
    healthy = train(session, f"{base_name}-good", eta0=3e-5, epochs=30)
    print("\nRESULT", json.dumps({"diverging": diverging, "healthy": healthy}))


if __name__ == "__main__":
    main(sys.argv[1])
