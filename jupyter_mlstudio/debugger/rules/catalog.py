"""The built-in rules by SageMaker's names, with their parameters, types and defaults.

The one table both sides read: the studio checks a rule configuration against it before a
job starts (an unknown rule, a parameter that is not one of the rule's or does not parse as
its type, is refused with the field named), and the rule evaluator parses the parameters
with it. Defaults are SageMaker Debugger's documented ones. Standard library only: this
module runs inside jobs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: parameters every rule takes (SageMaker's, and the studio's evaluation loop's)
COMMON = {
    "rule_to_invoke": str,
    "action_json": str,
    "start_step": int,
    "end_step": int,
}


@dataclass(frozen=True)
class RuleSpec:
    """A built-in rule: its name, whether it reads the profiler's data, and its parameters
    (name → (type, default)); ``None`` as a default means not set."""

    name: str
    profiler: bool
    parameters: Mapping[str, tuple[type, Any]]


def _rule(name: str, profiler: bool = False, **parameters: tuple[type, Any]) -> RuleSpec:
    return RuleSpec(name, profiler, parameters)


_SCAN = {"scan_interval_us": (int, 60_000_000)}

RULES: dict[str, RuleSpec] = {
    spec.name: spec
    for spec in (
        _rule(
            "LossNotDecreasing",
            collection_names=(str, ""),
            tensor_regex=(str, ""),
            use_losses_collection=(bool, True),
            num_steps=(int, 10),
            diff_percent=(float, 0.1),
            increase_threshold_percent=(float, 5.0),
            mode=(str, ""),
        ),
        _rule("Overfit", patience=(int, 1), ratio_threshold=(float, 0.1)),
        _rule(
            "Overtraining",
            patience_train=(int, 5),
            patience_validation=(int, 10),
            delta=(float, 0.01),
        ),
        _rule(
            "StalledTrainingRule",
            threshold=(int, 1800),
            stop_training_on_fire=(bool, False),
            training_job_name_prefix=(str, ""),
        ),
        _rule(
            "ExplodingTensor",
            collection_names=(str, ""),
            tensor_regex=(str, ""),
            only_nan=(bool, False),
        ),
        _rule("VanishingGradient", threshold=(float, 1e-7)),
        _rule(
            "WeightUpdateRatio",
            num_steps=(int, 500),
            large_threshold=(float, 10.0),
            small_threshold=(float, 1e-8),
            epsilon=(float, 1e-9),
        ),
        _rule(
            "ClassImbalance",
            threshold_imbalance=(float, 10.0),
            threshold_misprediction=(float, 0.7),
            samples=(int, 500),
            argmax=(bool, False),
            labels_regex=(str, "CrossEntropyLoss_input_1"),
            predictions_regex=(str, "CrossEntropyLoss_input_0"),
        ),
        _rule(
            "CPUBottleneck",
            True,
            threshold=(float, 50.0),
            gpu_threshold=(float, 10.0),
            cpu_threshold=(float, 90.0),
            patience=(int, 1000),
            **_SCAN,
        ),
        _rule(
            "IOBottleneck",
            True,
            threshold=(float, 50.0),
            gpu_threshold=(float, 10.0),
            io_threshold=(float, 50.0),
            patience=(int, 1000),
            **_SCAN,
        ),
        _rule(
            "LowGPUUtilization",
            True,
            threshold_p95=(float, 70.0),
            threshold_p5=(float, 10.0),
            window=(int, 500),
            patience=(int, 1000),
            **_SCAN,
        ),
        _rule("MaxInitializationTime", True, threshold=(float, 20.0), **_SCAN),
        _rule("OverallSystemUsage", True, **_SCAN),
        _rule("ProfilerReport", True, **_SCAN),
    )
}

#: the rules ProfilerReport runs (its parameters may set theirs as ``<Rule>_<parameter>``)
PROFILER_REPORT_RULES = (
    "CPUBottleneck",
    "IOBottleneck",
    "LowGPUUtilization",
    "MaxInitializationTime",
    "OverallSystemUsage",
)


class ParameterError(ValueError):
    """A rule parameter that the rule does not take or that does not parse; ``parameter``
    names it."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


def rule_name(parameters: Mapping[str, str], configuration_name: str) -> str:
    """The built-in rule a configuration runs: ``rule_to_invoke``, else its name."""
    return str(parameters.get("rule_to_invoke") or configuration_name)


def parse_value(kind: type, text: Any) -> Any:
    """``text`` (a rule parameter, a string in the API) as ``kind``; ValueError if not."""
    if kind is bool:
        if isinstance(text, bool):
            return text
        lowered = str(text).strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise ValueError(f"{text!r} is not true or false")
    if kind is int:
        if isinstance(text, bool):
            raise ValueError(f"{text!r} is not an integer")
        value = float(text)
        if value != int(value):
            raise ValueError(f"{text!r} is not an integer")
        return int(value)
    if kind is float:
        value = float(text)
        if value != value:
            raise ValueError("NaN is not a number here")
        return value
    return str(text)


def parse_parameters(spec: RuleSpec, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The rule's parameters with their defaults, ``parameters`` parsed over them.

    Raises:
        ParameterError: A parameter the rule does not take, or of the wrong type.
    """
    out: dict[str, Any] = {k: default for k, (_, default) in spec.parameters.items()}
    for key, text in parameters.items():
        if key in COMMON:
            kind: type = COMMON[key]
        elif key in spec.parameters:
            kind = spec.parameters[key][0]
        elif spec.name == "ProfilerReport" and _report_parameter(key):
            # <Rule>_<parameter>: of the rule ProfilerReport runs, parsed as that rule's
            rule, name = _report_parameter(key) or ("", "")
            kind = RULES[rule].parameters[name][0]
        else:
            raise ParameterError(key, f"{spec.name} takes no parameter {key!r}")
        try:
            out[key] = parse_value(kind, text)
        except (TypeError, ValueError):
            raise ParameterError(
                key, f"{key} of {spec.name} must be {_KIND_NAMES[kind]}, not {text!r}"
            ) from None
    return out


def _report_parameter(key: str) -> tuple[str, str] | None:
    """``(rule, parameter)`` when ``key`` is ``<Rule>_<parameter>`` of a rule ProfilerReport
    runs (the rule's name in any case, as SageMaker's ProfilerReport takes it)."""
    prefix, _, parameter = key.partition("_")
    rule = {name.lower(): name for name in PROFILER_REPORT_RULES}.get(prefix.lower())
    if rule is None or parameter not in RULES[rule].parameters:
        return None
    return rule, parameter


_KIND_NAMES = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}
