"""The profiler rules, by SageMaker's names, over the studio's samples of each host.

Every rule reads each host's samples file (:mod:`.profiler_samples`) from where it
stopped, on every :meth:`~.base.Rule.check` (about once a second; ``scan_interval_us`` is
how often ProfilerReport rewrites its interim report). A *datapoint* is one sample of one
host. As in SageMaker Debugger:

- **CPUBottleneck**: a datapoint is a bottleneck when a GPU of the host is below
  ``gpu_threshold`` % while its CPU is above ``cpu_threshold`` % (the busiest core when
  the sample has per-core figures, else the host's own CPU, 100 = one core). Once a host
  has more than ``patience`` datapoints, the rule fires when more than ``threshold`` % of
  them are bottlenecks. A host without a GPU never has one: with no GPU seen the rule
  ends NoIssuesFound and says so.
- **IOBottleneck**: the same with I/O wait (``io_wait_percent``) above ``io_threshold``;
  only the process runtime knows I/O wait (the machine's).
- **LowGPUUtilization**: per GPU of each host, once it has more than ``patience``
  datapoints: over the last ``window`` of them, fires when the 95th percentile is below
  ``threshold_p95`` (under-used) or above it while the 5th percentile is below
  ``threshold_p5`` (fluctuating). No GPU seen: NoIssuesFound, saying so.
- **MaxInitializationTime**: fires when the training has not started ``threshold``
  minutes after the job was created (``CreatedAt``; else the first sample). The training
  has started at the first of: a sample of any host using at least half a core
  (:data:`BUSY_PERCENT`), a metric the job logged on its tracking channel (its
  timestamp), a step the Debugger hook saved (when the rule saw it). Locally there is no
  framework timeline, so a busy CPU stands for the first step: the rule catches a job
  that sits idle (waiting for data, a lock, a queue) for that long.
- **OverallSystemUsage**: per host, the p50/p95/max of CPU, memory, disk and network
  rates and GPUs, printed to the rule's log at the end and shown in the report.
  SageMaker's never fires; this one fires only on clear trouble: a host whose memory
  stays at or above :data:`MEMORY_TROUBLE_PERCENT` % of its limit for
  :data:`MEMORY_TROUBLE_SAMPLES` samples in a row (an out-of-memory kill is near).
- **ProfilerReport**: runs the five rules above on the same samples (their parameters
  as ``<Rule>_<parameter>``), writes ``profiler-output/profiler-report.html`` in its
  output folder every ``scan_interval_us``, when one of them fires and at the end. It
  ends IssuesFound when any of them fired, NoIssuesFound otherwise, and only once the
  training job has ended, so the report covers the whole job.
"""

from __future__ import annotations

import abc
import collections
import json
from pathlib import Path
from typing import Any

from . import profiler_report
from .base import Finding, Rule, RuleContext, now
from .catalog import PROFILER_REPORT_RULES, RULES, parse_parameters
from .profiler_samples import (
    COUNTERS,
    Reservoir,
    SampleFile,
    gpus,
    number,
    percentile,
    rate,
)

#: a sample at or above this CPU % (of one core) means the job is doing something
BUSY_PERCENT = 50.0
#: OverallSystemUsage fires when memory stays at or above this % ...
MEMORY_TROUBLE_PERCENT = 95.0
#: ... for this many samples in a row
MEMORY_TROUBLE_SAMPLES = 10
NO_GPU = "no GPU was seen on any host, so there is no GPU utilization to judge"


class SystemRule(Rule):
    """A rule over the profiler's samples of every host of the training job."""

    description = ""

    def __init__(self, context: RuleContext, parameters: dict[str, Any]) -> None:
        super().__init__(context, parameters)
        self._files = {h: SampleFile(context.profiler_file(h)) for h in context.hosts}
        #: datapoints seen per host
        self.datapoints: dict[str, int] = {}

    def read(self) -> dict[str, list[dict[str, Any]]]:
        """The samples of each host written since the last call."""
        found = {}
        for host, file in self._files.items():
            samples = file.read_new()
            if file.skipped:
                self.warn(f"malformed lines in the samples of {host} were skipped")
            if samples:
                found[host] = samples
        return found

    def feed(self, host: str, samples: list[dict[str, Any]]) -> None:
        """Take new samples of ``host`` into account."""
        self.datapoints[host] = self.datapoints.get(host, 0) + len(samples)
        self.absorb(host, samples)

    def check(self, final: bool) -> Finding | None:
        for host, samples in self.read().items():
            self.feed(host, samples)
        return self.judge(final)

    @abc.abstractmethod
    def absorb(self, host: str, samples: list[dict[str, Any]]) -> None:
        """Count new samples of ``host``."""

    @abc.abstractmethod
    def judge(self, final: bool) -> Finding | None:
        """Decide on what was counted so far."""

    def figures(self) -> dict[str, Any]:
        """What the report shows of this rule beyond its status."""
        return {}

    def _patience_warning(self) -> None:
        patience = int(self.parameters.get("patience", 0))
        if self.datapoints and max(self.datapoints.values()) <= patience:
            self.warn(
                f"only {max(self.datapoints.values())} samples per host, not more than"
                f" patience={patience}: not evaluated"
            )


def _cpu_high(sample: dict[str, Any], threshold: float) -> bool:
    cores = [float(c) for c in sample.get("cpu_cores") or () if isinstance(c, (int, float))]
    busiest = max(cores) if cores else number(sample, "cpu_percent")
    return busiest is not None and busiest > threshold


class _Bottleneck(SystemRule):
    """A GPU held back while another resource is saturated (CPUBottleneck, IOBottleneck)."""

    what = ""

    def __init__(self, context: RuleContext, parameters: dict[str, Any]) -> None:
        super().__init__(context, parameters)
        self.bottlenecks: dict[str, int] = {}
        self.low_gpu: dict[str, int] = {}
        self.gpu_seen = False

    @abc.abstractmethod
    def saturated(self, sample: dict[str, Any]) -> bool:
        """The resource the rule watches is saturated in ``sample``."""

    def absorb(self, host: str, samples: list[dict[str, Any]]) -> None:
        gpu_threshold = float(self.parameters["gpu_threshold"])
        for sample in samples:
            found = gpus(sample)
            self.gpu_seen = self.gpu_seen or bool(found)
            if any(float(g["utilization_percent"]) < gpu_threshold for g in found):
                self.low_gpu[host] = self.low_gpu.get(host, 0) + 1
                if self.saturated(sample):
                    self.bottlenecks[host] = self.bottlenecks.get(host, 0) + 1

    def judge(self, final: bool) -> Finding | None:
        patience, threshold = int(self.parameters["patience"]), float(self.parameters["threshold"])
        for host, count in self.datapoints.items():
            found = self.bottlenecks.get(host, 0)
            if count > patience and 100.0 * found / count > threshold:
                return Finding(
                    f"{self.what} bottleneck on {host}: in {found} of {count} samples"
                    f" ({100.0 * found / count:.0f}%, above the threshold of {threshold:g}%)"
                    f" a GPU was below {self.parameters['gpu_threshold']:g}% while"
                    f" {self.condition()}",
                    host=host,
                    details={"Bottlenecks": found, "Datapoints": count},
                )
        if final:
            if not self.gpu_seen:
                self.warn(NO_GPU)
            else:
                self._patience_warning()
        return None

    def condition(self) -> str:
        """The saturation, in words."""
        return ""

    def figures(self) -> dict[str, Any]:
        return {"bottlenecks": dict(self.bottlenecks), "low_gpu": dict(self.low_gpu)}


class CPUBottleneck(_Bottleneck):
    name = "CPUBottleneck"
    what = "CPU"
    description = "A GPU below gpu_threshold while the CPU is above cpu_threshold."

    def saturated(self, sample: dict[str, Any]) -> bool:
        return _cpu_high(sample, float(self.parameters["cpu_threshold"]))

    def condition(self) -> str:
        return f"the CPU was above {self.parameters['cpu_threshold']:g}%"


class IOBottleneck(_Bottleneck):
    name = "IOBottleneck"
    what = "I/O"
    description = "A GPU below gpu_threshold while I/O wait is above io_threshold."

    def saturated(self, sample: dict[str, Any]) -> bool:
        wait = number(sample, "io_wait_percent")
        return wait is not None and wait > float(self.parameters["io_threshold"])

    def condition(self) -> str:
        return f"I/O wait was above {self.parameters['io_threshold']:g}%"


class LowGPUUtilization(SystemRule):
    name = "LowGPUUtilization"
    description = "A GPU under-used (p95 low) or fluctuating (p95 high, p5 low)."

    def __init__(self, context: RuleContext, parameters: dict[str, Any]) -> None:
        super().__init__(context, parameters)
        window = max(1, int(parameters["window"]))
        self.values: dict[tuple[str, int], collections.deque[float]] = collections.defaultdict(
            lambda: collections.deque(maxlen=window)
        )
        self.counts: dict[tuple[str, int], int] = {}

    def absorb(self, host: str, samples: list[dict[str, Any]]) -> None:
        for sample in samples:
            for gpu in gpus(sample):
                key = (host, int(gpu["index"]))
                self.values[key].append(float(gpu["utilization_percent"]))
                self.counts[key] = self.counts.get(key, 0) + 1

    def judge(self, final: bool) -> Finding | None:
        patience = int(self.parameters["patience"])
        p95_limit, p5_limit = (
            float(self.parameters["threshold_p95"]),
            float(self.parameters["threshold_p5"]),
        )
        for (host, index), values in self.values.items():
            if self.counts[(host, index)] <= patience:
                continue
            p95, p5 = percentile(list(values), 95), percentile(list(values), 5)
            details = {"GPU": index, "p95": round(p95, 2), "p5": round(p5, 2)}
            if p95 < p95_limit:
                return Finding(
                    f"GPU {index} of {host} is under-used: the 95th percentile of its"
                    f" utilization is {p95:.0f}%, below {p95_limit:g}%",
                    host=host,
                    details=details,
                )
            if p5 < p5_limit:
                return Finding(
                    f"GPU {index} of {host} fluctuates: 95th percentile {p95:.0f}% but"
                    f" 5th percentile {p5:.0f}%, below {p5_limit:g}%",
                    host=host,
                    details=details,
                )
        if final:
            if not self.counts:
                self.warn(NO_GPU)
            elif max(self.counts.values()) <= patience:
                self.warn(f"not more than patience={patience} GPU samples: not evaluated")
        return None


class MaxInitializationTime(SystemRule):
    name = "MaxInitializationTime"
    description = "The training starts within threshold minutes of the job's creation."

    def __init__(self, context: RuleContext, parameters: dict[str, Any]) -> None:
        super().__init__(context, parameters)
        self.first_sample: float | None = None
        self.started: float | None = None
        self.started_by = ""
        self._metrics = {h: SampleFile(context.metrics_file(h), _metric) for h in context.hosts}
        self._tensors_checked = -float("inf")

    def absorb(self, host: str, samples: list[dict[str, Any]]) -> None:
        for sample in samples:
            t = float(sample["t"])
            self.first_sample = t if self.first_sample is None else min(self.first_sample, t)
            cpu = number(sample, "cpu_percent")
            if cpu is not None and cpu >= BUSY_PERCENT:
                self._start(t, f"{host} used {cpu:.0f}% CPU")

    def _start(self, t: float, how: str) -> None:
        if self.started is None or t < self.started:
            self.started, self.started_by = t, how

    def _look_for_activity(self) -> None:
        for host, file in self._metrics.items():
            for point in file.read_new():
                self._start(float(point["timestamp"]), f"{host} logged a metric")
        due = now() - self._tensors_checked >= 5.0
        if self.started is None and self.context.tensor_path is not None and due:
            self._tensors_checked = now()
            try:
                steps = list(self.context.trial().steps())
            except Exception:  # no tensors yet, or none readable
                steps = []
            if steps:
                self._start(now(), f"the hook saved step {steps[0]}")

    def judge(self, final: bool) -> Finding | None:
        self._look_for_activity()
        created = self.context.created_at or self.first_sample
        if created is None:
            return None
        limit = float(self.parameters["threshold"]) * 60.0
        if self.started is not None:
            waited = self.started - created
            if waited > limit:
                return self._finding(
                    f"the training started {waited / 60:.1f} min after the job was created"
                    f" ({self.started_by}), more than the threshold of"
                    f" {self.parameters['threshold']:g} min",
                    waited,
                )
            return None
        ended = self.context.ended() if final else None
        until = float((ended or {}).get("EndTime") or now())
        if until - created > limit:
            return self._finding(
                f"the training has not started {(until - created) / 60:.1f} min after the job"
                f" was created (threshold {self.parameters['threshold']:g} min)",
                until - created,
            )
        return None

    def _finding(self, message: str, waited: float) -> Finding:
        return Finding(message, details={"InitializationSeconds": round(waited, 1)})

    def figures(self) -> dict[str, Any]:
        created = self.context.created_at or self.first_sample
        if self.started is None or created is None:
            return {}
        return {"initialization_seconds": round(self.started - created, 1)}


def _metric(line: str) -> dict[str, Any] | None:
    try:
        point = json.loads(line)
    except ValueError:
        return None
    if not isinstance(point, dict) or "metric" not in point:
        return None
    stamp = point.get("timestamp")
    if not isinstance(stamp, (int, float)) or isinstance(stamp, bool):
        return None
    return point


class OverallSystemUsage(SystemRule):
    name = "OverallSystemUsage"
    description = "Per host p50/p95/max of the system figures; fires on memory near its limit."

    def __init__(self, context: RuleContext, parameters: dict[str, Any]) -> None:
        super().__init__(context, parameters)
        self.usage: dict[str, dict[str, Reservoir]] = {}
        self.last: dict[str, dict[str, Any]] = {}
        self.high_memory: dict[str, int] = {}
        self.printed = False

    def absorb(self, host: str, samples: list[dict[str, Any]]) -> None:
        usage = self.usage.setdefault(host, {})

        def add(name: str, value: float | None) -> None:
            if value is not None:
                usage.setdefault(name, Reservoir()).add(value)

        for sample in samples:
            for key in ("cpu_percent", "memory_percent", "memory_bytes", "io_wait_percent"):
                add(key, number(sample, key))
            before = self.last.get(host)
            if before is not None:
                for key in COUNTERS:
                    add(f"{key}_per_second", rate(before, sample, key))
            for gpu in gpus(sample):
                add(
                    f"gpu{int(gpu['index'])}_utilization_percent", float(gpu["utilization_percent"])
                )
            self.last[host] = sample
            memory = number(sample, "memory_percent") or 0.0
            streak = self.high_memory.get(host, 0)
            self.high_memory[host] = streak + 1 if memory >= MEMORY_TROUBLE_PERCENT else 0

    def judge(self, final: bool) -> Finding | None:
        for host, streak in self.high_memory.items():
            if streak >= MEMORY_TROUBLE_SAMPLES:
                return Finding(
                    f"the memory of {host} has been at or above {MEMORY_TROUBLE_PERCENT:g}% of"
                    f" its limit for {streak} samples in a row",
                    host=host,
                    details={"Usage": self.figures()},
                )
        if final and not self.printed:
            self.printed = True
            for host, figures in self.figures().items():
                for name, summary in figures.items():
                    print(f"[{self.name}] {host} {name}: {summary}", flush=True)
        return None

    def figures(self) -> dict[str, Any]:
        return {
            host: {name: r.summary() for name, r in sorted(usage.items())}
            for host, usage in self.usage.items()
        }


class ProfilerReport(SystemRule):
    name = "ProfilerReport"
    description = "Runs the profiler rules and writes the report."

    def __init__(self, context: RuleContext, parameters: dict[str, Any]) -> None:
        super().__init__(context, parameters)
        names = {rule.lower(): rule for rule in PROFILER_REPORT_RULES}
        own: dict[str, dict[str, Any]] = {rule: {} for rule in PROFILER_REPORT_RULES}
        for key, value in parameters.items():
            rule, _, parameter = key.partition("_")
            if rule.lower() in names and parameter:
                own[names[rule.lower()]][parameter] = value
        self.rules: list[SystemRule] = [
            _SYSTEM_RULES[rule](context, parse_parameters(RULES[rule], own[rule]))
            for rule in PROFILER_REPORT_RULES
        ]
        self.findings: dict[str, Finding] = {}
        self.charts: dict[str, list[tuple[float, float | None, float | None]]] = {}
        self.every = max(1.0, float(parameters.get("scan_interval_us") or 60e6) / 1e6)
        self._written = -float("inf")
        self.report_path: Path | None = None

    def absorb(self, host: str, samples: list[dict[str, Any]]) -> None:
        points = self.charts.setdefault(host, [])
        for sample in samples:
            points.append(
                (
                    float(sample["t"]),
                    number(sample, "cpu_percent"),
                    number(sample, "memory_percent"),
                )
            )
        if len(points) > 4000:
            self.charts[host] = points[::2]
        for rule in self.rules:
            if rule.name not in self.findings:
                rule.feed(host, samples)

    def judge(self, final: bool) -> Finding | None:
        fired = False
        for rule in self.rules:
            if rule.name not in self.findings:
                finding = rule.judge(final)
                if finding is not None:
                    self.findings[rule.name] = finding
                    fired = True
        if final or fired or now() - self._written >= self.every:
            self.write_report(final)
        if not final or not self.findings:
            return None
        return Finding(
            f"{len(self.findings)} of {len(self.rules)} profiler rules found issues: "
            + "; ".join(f"{name}: {f.message}" for name, f in self.findings.items()),
            host=next(iter(self.findings.values())).host,
            details={
                "Rules": {name: f.message for name, f in self.findings.items()},
                "Report": str(self.report_path) if self.report_path else None,
            },
        )

    def summaries(self, final: bool) -> list[dict[str, Any]]:
        """Each rule's entry in the report."""
        entries = []
        for rule in self.rules:
            finding = self.findings.get(rule.name)
            status = "IssuesFound" if finding else ("NoIssuesFound" if final else "InProgress")
            entries.append(
                {
                    "name": rule.name,
                    "status": status,
                    "message": finding.message if finding else None,
                    "description": rule.description,
                    "parameters": {
                        k: v for k, v in rule.parameters.items() if k != "scan_interval_us"
                    },
                    "datapoints": sum(rule.datapoints.values()),
                    "warnings": list(rule.warnings),
                }
            )
        return entries

    def write_report(self, final: bool) -> None:
        """Write the HTML report into the rule job's output folder (if it has one)."""
        self._written = now()
        if self.context.output_folder is None:
            return
        usage = next(r for r in self.rules if isinstance(r, OverallSystemUsage)).figures()
        hosts = {
            host: {
                "figures": usage.get(host, {}),
                "cpu": [(t, cpu) for t, cpu, _ in self.charts.get(host, [])],
                "memory": [(t, memory) for t, _, memory in self.charts.get(host, [])],
                "samples": self.datapoints.get(host, 0),
            }
            for host in self.context.hosts
        }
        page = profiler_report.render(
            self.context.job_name,
            self.context.created_at,
            self.summaries(final),
            hosts,
            final,
        )
        self.report_path = profiler_report.write(self.context.output_folder, page)


_SYSTEM_RULES: dict[str, type[SystemRule]] = {
    rule.name: rule
    for rule in (
        CPUBottleneck,
        IOBottleneck,
        LowGPUUtilization,
        MaxInitializationTime,
        OverallSystemUsage,
        ProfilerReport,
    )
}

#: the profiler rules by SageMaker's names (:func:`jupyter_mlstudio.debugger.rules.implementation`)
IMPLEMENTATIONS: dict[str, type[Rule]] = dict(_SYSTEM_RULES)
