"""The profiler rules on constructed sample files: each fires on its trouble and is quiet
otherwise; ProfilerReport runs them all and writes its report."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.debugger import Hook
from jupyter_mlstudio.debugger.rules import implementation
from jupyter_mlstudio.debugger.rules.base import Finding, Rule, RuleContext
from jupyter_mlstudio.debugger.rules.catalog import RULES, ParameterError, parse_parameters
from jupyter_mlstudio.debugger.rules.evaluate import evaluate, read_status
from jupyter_mlstudio.debugger.rules.profiler import (
    IMPLEMENTATIONS,
    MEMORY_TROUBLE_SAMPLES,
    NO_GPU,
)
from jupyter_mlstudio.services.jobs.profiler import report_file

T0 = 1_800_000_000.0


def sample(i: int, cpu: float = 20.0, gpu: float | None = None, **more: Any) -> dict[str, Any]:
    return {
        "t": T0 + i * 0.5,
        "cpu_percent": cpu,
        "cpu_cores": [],
        "memory_bytes": 1 << 20,
        "memory_percent": 10.0,
        "disk_read_bytes": 0,
        "disk_write_bytes": 0,
        "net_rx_bytes": None,
        "net_tx_bytes": None,
        "io_wait_percent": None,
        "gpus": []
        if gpu is None
        else [
            {
                "index": 0,
                "utilization_percent": gpu,
                "memory_used_bytes": 1,
                "memory_total_bytes": 2,
            }
        ],
        **more,
    }


def write(job: Path, host: str, samples: list[dict[str, Any]]) -> None:
    path = job / "profiler" / f"{host}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as file:
        file.writelines(json.dumps(s) + "\n" for s in samples)


def make(
    name: str,
    job: Path,
    hosts: tuple[str, ...] = ("algo-1",),
    created_at: float | None = T0,
    tensor_path: str | None = None,
    **params: str,
) -> Rule:
    context = RuleContext(
        job_name="train-1",
        job_folder=job,
        hosts=hosts,
        tensor_path=tensor_path,
        created_at=created_at,
        output_folder=job.parent / "rule-output",
    )
    return implementation(name)(context, parse_parameters(RULES[name], params))


def test_every_profiler_rule_is_implemented() -> None:
    assert set(IMPLEMENTATIONS) == {name for name, spec in RULES.items() if spec.profiler}


@pytest.mark.parametrize("rule", ["CPUBottleneck", "IOBottleneck"])
def test_bottleneck_fires_when_a_held_back_gpu_meets_a_saturated_resource(
    tmp_path: Path, rule: str
) -> None:
    saturated = {"cpu": 99.0} if rule == "CPUBottleneck" else {"io_wait_percent": 80.0}
    write(
        tmp_path, "algo-2", [sample(i, gpu=90.0, cpu=99.0, io_wait_percent=80.0) for i in range(30)]
    )
    write(tmp_path, "algo-1", [sample(i, gpu=95.0) for i in range(10)])
    found = make(rule, tmp_path, ("algo-1", "algo-2"), patience="20")
    assert found.check(False) is None  # busy GPUs are no bottleneck
    write(tmp_path, "algo-1", [sample(i, gpu=2.0, **saturated) for i in range(10, 30)])
    finding = found.check(False)
    assert isinstance(finding, Finding)
    assert finding.host == "algo-1"
    assert finding.details == {"Bottlenecks": 20, "Datapoints": 30}
    assert "20 of 30 samples" in finding.message


@pytest.mark.parametrize("rule", ["CPUBottleneck", "IOBottleneck"])
def test_bottleneck_waits_for_patience_and_says_when_there_is_no_gpu(
    tmp_path: Path, rule: str
) -> None:
    write(
        tmp_path, "algo-1", [sample(i, gpu=1.0, cpu=99.0, io_wait_percent=90.0) for i in range(20)]
    )
    patient = make(rule, tmp_path, patience="20")
    assert patient.check(True) is None  # 20 datapoints, not more than the patience
    assert any("patience=20" in w for w in patient.warnings)
    (tmp_path / "profiler" / "algo-1.jsonl").unlink()
    write(tmp_path, "algo-1", [sample(i, cpu=99.0, io_wait_percent=90.0) for i in range(50)])
    no_gpu = make(rule, tmp_path, patience="5")
    assert no_gpu.check(True) is None
    assert no_gpu.warnings == [NO_GPU]


def test_low_gpu_utilization_under_use_and_fluctuation(tmp_path: Path) -> None:
    write(tmp_path, "algo-1", [sample(i, gpu=90.0) for i in range(30)])
    rule = make("LowGPUUtilization", tmp_path, patience="10", window="20")
    assert rule.check(False) is None  # well used
    write(tmp_path, "algo-1", [sample(i, gpu=20.0) for i in range(30, 50)])
    finding = rule.check(False)
    assert finding is not None
    assert "under-used" in finding.message
    assert finding.details["p95"] == 20.0
    (tmp_path / "profiler" / "algo-1.jsonl").unlink()
    write(tmp_path, "algo-1", [sample(i, gpu=95.0 if i % 2 else 0.0) for i in range(40)])
    swinging = make("LowGPUUtilization", tmp_path, patience="10", window="20")
    finding = swinging.check(False)
    assert finding is not None
    assert "fluctuates" in finding.message


def test_low_gpu_utilization_without_gpu_is_no_issue(tmp_path: Path) -> None:
    write(tmp_path, "algo-1", [sample(i) for i in range(50)])
    rule = make("LowGPUUtilization", tmp_path, patience="5")
    assert rule.check(False) is None
    assert rule.check(True) is None
    assert rule.warnings == [NO_GPU]


def test_max_initialization_time(tmp_path: Path) -> None:
    # idle for 3 minutes after the creation, then busy
    idle = [sample(i, cpu=1.0) for i in range(360)]
    write(tmp_path, "algo-1", idle)
    quick = make("MaxInitializationTime", tmp_path, created_at=T0, threshold="5")
    assert quick.check(False) is None  # 3 idle minutes, under the threshold of 5
    write(tmp_path, "algo-1", [sample(360, cpu=99.0)])
    assert quick.check(True) is None
    slow = make("MaxInitializationTime", tmp_path, created_at=T0, threshold="2")
    finding = slow.check(False)
    assert finding is not None
    assert "started 3.0 min after" in finding.message
    assert finding.details == {"InitializationSeconds": 180.0}


def test_max_initialization_time_of_a_job_that_never_starts(tmp_path: Path) -> None:
    job = tmp_path / "job"
    write(job, "algo-1", [sample(i, cpu=0.5) for i in range(10)])
    rule = make("MaxInitializationTime", job, created_at=T0, threshold="1")
    (job / "ended.json").write_text(
        json.dumps({"TrainingJobStatus": "Completed", "EndTime": T0 + 30})
    )
    assert rule.check(True) is None  # ended after 30 s: never over the minute
    (job / "ended.json").write_text(
        json.dumps({"TrainingJobStatus": "Stopped", "EndTime": T0 + 90})
    )
    finding = make("MaxInitializationTime", job, created_at=T0, threshold="1").check(True)
    assert finding is not None
    assert "has not started 1.5 min after" in finding.message


def test_max_initialization_time_counts_a_logged_metric(tmp_path: Path) -> None:
    job = tmp_path / "job"
    write(job, "algo-1", [sample(i, cpu=1.0) for i in range(10)])
    metrics = job / "ml" / "output" / "mlstudio" / "metrics.jsonl"
    metrics.parent.mkdir(parents=True)
    metrics.write_text('garbage\n{"metric": "loss", "value": 1.0, "timestamp": %r}\n' % (T0 + 150))
    finding = make("MaxInitializationTime", job, created_at=T0, threshold="2").check(False)
    assert finding is not None
    assert "logged a metric" in finding.message


def test_overall_system_usage_reports_and_fires_on_memory_trouble(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        tmp_path, "algo-1", [sample(i, cpu=float(i), disk_read_bytes=1000 * i) for i in range(101)]
    )
    rule = make("OverallSystemUsage", tmp_path)
    assert rule.check(False) is None
    assert rule.check(True) is None
    figures = rule.figures()["algo-1"]  # type: ignore[attr-defined]
    assert figures["cpu_percent"] == {"p50": 50.0, "p95": 95.0, "max": 100.0}
    assert figures["disk_read_bytes_per_second"]["p50"] == 2000.0
    assert "algo-1 cpu_percent: {'p50': 50.0" in capsys.readouterr().out
    near = [sample(101 + i, memory_percent=97.0) for i in range(MEMORY_TROUBLE_SAMPLES - 1)]
    write(tmp_path, "algo-1", near)
    assert rule.check(False) is None
    write(tmp_path, "algo-1", [sample(200, memory_percent=99.0)])
    finding = rule.check(False)
    assert finding is not None
    assert finding.host == "algo-1"
    assert "at or above 95%" in finding.message


def test_profiler_report_parameters_are_parsed_as_the_rule_they_name() -> None:
    spec = RULES["ProfilerReport"]
    assert (
        parse_parameters(spec, {"CPUBottleneck_threshold": "80"})["CPUBottleneck_threshold"] == 80.0
    )
    with pytest.raises(ParameterError) as info:
        parse_parameters(spec, {"CPUBottleneck_patience": "lots"})
    assert info.value.parameter == "CPUBottleneck_patience"


def test_profiler_report(tmp_path: Path) -> None:
    job = tmp_path / "job"
    write(job, "algo-1", [sample(i, cpu=99.0, gpu=1.0) for i in range(40)])
    write(job, "algo-2", [sample(i, cpu=5.0, gpu=99.0) for i in range(40)])
    rule = make(
        "ProfilerReport",
        job,
        ("algo-1", "algo-2"),
        CPUBottleneck_patience="10",
        lowgpuutilization_patience="1000",
    )
    rule.context = RuleContext(**{**rule.context.__dict__, "job_name": "<b>train</b>"})
    assert rule.check(False) is None  # a report: it judges at the end
    path = report_file(tmp_path / "rule-output")
    page = path.read_text()  # written when CPUBottleneck fired
    assert "&lt;b&gt;train&lt;/b&gt;" in page
    assert "<b>train</b>" not in page
    assert "interim" in page
    (job / "ended.json").write_text(
        json.dumps({"TrainingJobStatus": "Completed", "EndTime": T0 + 20})
    )
    output = tmp_path / "rule-output"
    finding = evaluate(rule, output, poll_s=0.01)
    assert finding is not None
    assert finding.message.startswith("1 of 5 profiler rules found issues")
    assert finding.details["Rules"].keys() == {"CPUBottleneck"}
    status = read_status(output)
    assert status is not None
    assert status["RuleEvaluationStatus"] == "IssuesFound"
    page = path.read_text()
    for name in (
        "CPUBottleneck",
        "IOBottleneck",
        "LowGPUUtilization",
        "MaxInitializationTime",
        "OverallSystemUsage",
    ):
        assert name in page
    assert "Issues found" in page
    assert "interim" not in page
    assert "<script" not in page
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert page.count("<svg") == 4  # CPU and memory of both hosts
    assert "<code>patience=10</code>" in page  # CPUBottleneck's own parameter


def test_profiler_report_of_a_healthy_job(tmp_path: Path) -> None:
    job = tmp_path / "job"
    write(job, "algo-1", [sample(i, cpu=99.0) for i in range(20)])
    (job / "ended.json").write_text(
        json.dumps({"TrainingJobStatus": "Completed", "EndTime": T0 + 10})
    )
    rule = make("ProfilerReport", job)
    output = tmp_path / "rule-output"
    assert evaluate(rule, output, poll_s=0.01) is None
    assert read_status(output)["RuleEvaluationStatus"] == "NoIssuesFound"  # type: ignore[index]
    page = report_file(output).read_text()
    assert page.count("No issues found") == 5
    assert NO_GPU in page


def test_max_initialization_time_counts_a_saved_step(tmp_path: Path) -> None:
    job = tmp_path / "job"
    write(job, "algo-1", [sample(i, cpu=1.0) for i in range(4)])
    started = time.time()
    late = make(
        "MaxInitializationTime",
        job,
        created_at=started - 600,
        tensor_path="output/tensors",
        threshold="5",
    )
    early = make(
        "MaxInitializationTime",
        job,
        created_at=started - 60,
        tensor_path="output/tensors",
        threshold="5",
    )
    hook = Hook(out_dir=job / "ml" / "output" / "tensors", async_write=False)
    hook.save_scalar("loss", 1.0)
    hook.next_step()
    hook.close()
    finding = late.check(False)
    assert finding is not None
    assert "the hook saved step 0" in finding.message
    assert early.check(False) is None
    assert early.figures()["initialization_seconds"] >= 60  # type: ignore[attr-defined]
