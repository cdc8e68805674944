"""The CreateHyperParameterTuningJob request, in SageMaker's field names, and its checks.

:func:`check_tuning_request` refuses what SageMaker refuses before anything is written:
ranges whose minimum is above their maximum, a categorical range with no values, a
logarithmic range that reaches zero or below, an objective with no metric definition,
more parallel jobs than jobs, a Grid search over anything but categorical ranges. Each
error names the field by its dotted path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

from ....entities.common import validate_name
from ....exceptions import ValidationError
from ..requests import (
    MAX_TAGS,
    AlgorithmSpecificationSpec,
    CheckpointConfigSpec,
    JobTag,
    OutputDataConfigSpec,
    RequestModel,
    ResourceConfigSpec,
    ScriptModeSpec,
    StoppingConditionSpec,
    TrainingChannel,
)

#: SageMaker's limit on tuning job names (its training jobs add ``-NNN-xxxxxxxx``).
TUNING_NAME_MAX = 32
#: Most training jobs one tuning job may run (SageMaker's quota is 750 per tuning job).
MAX_TRAINING_JOBS = 750

Strategy = Literal["Bayesian", "Random", "Hyperband", "Grid"]
ScalingType = Literal["Auto", "Linear", "Logarithmic", "ReverseLogarithmic"]
CONFIG = "HyperParameterTuningJobConfig"
RANGES = f"{CONFIG}.ParameterRanges"


class NumericRange(RequestModel):
    Name: str
    MinValue: str
    MaxValue: str
    ScalingType: ScalingType = "Auto"


class CategoricalRange(RequestModel):
    Name: str
    Values: list[str]


class ParameterRangesSpec(RequestModel):
    IntegerParameterRanges: list[NumericRange] = Field(default_factory=list)
    ContinuousParameterRanges: list[NumericRange] = Field(default_factory=list)
    CategoricalParameterRanges: list[CategoricalRange] = Field(default_factory=list)


class ObjectiveSpec(RequestModel):
    Type: Literal["Maximize", "Minimize"]
    MetricName: str


class ResourceLimitsSpec(RequestModel):
    MaxNumberOfTrainingJobs: int | None = Field(None, ge=1, le=MAX_TRAINING_JOBS)
    MaxParallelTrainingJobs: int = Field(1, ge=1)
    MaxRuntimeInSeconds: int | None = Field(None, ge=1)


class HyperbandSpec(RequestModel):
    MinResource: int | None = Field(None, ge=1)
    MaxResource: int | None = Field(None, ge=1)


class StrategyConfigSpec(RequestModel):
    HyperbandStrategyConfig: HyperbandSpec | None = None


class BestObjectiveNotImprovingSpec(RequestModel):
    MaxNumberOfTrainingJobsNotImproving: int = Field(ge=3)


class ConvergenceDetectedSpec(RequestModel):
    CompleteOnConvergence: Literal["Disabled", "Enabled"] = "Disabled"


class CompletionCriteriaSpec(RequestModel):
    TargetObjectiveMetricValue: float | None = None
    BestObjectiveNotImproving: BestObjectiveNotImprovingSpec | None = None
    ConvergenceDetected: ConvergenceDetectedSpec | None = None


class TuningJobConfigSpec(RequestModel):
    Strategy: Strategy = "Bayesian"
    StrategyConfig: StrategyConfigSpec | None = None
    HyperParameterTuningJobObjective: ObjectiveSpec | None = None
    ResourceLimits: ResourceLimitsSpec
    ParameterRanges: ParameterRangesSpec = Field(default_factory=lambda: ParameterRangesSpec())
    TrainingJobEarlyStoppingType: Literal["Off", "Auto"] = "Off"
    TuningJobCompletionCriteria: CompletionCriteriaSpec | None = None
    RandomSeed: int | None = None


class TrainingJobDefinitionSpec(RequestModel):
    """CreateTrainingJob's fields, less the name and the tuned hyperparameters."""

    StaticHyperParameters: dict[str, str] = Field(default_factory=dict)
    AlgorithmSpecification: AlgorithmSpecificationSpec = Field(
        default_factory=lambda: AlgorithmSpecificationSpec()
    )
    InputDataConfig: list[TrainingChannel] = Field(default_factory=list)
    OutputDataConfig: OutputDataConfigSpec | None = None
    ResourceConfig: ResourceConfigSpec = Field(default_factory=lambda: ResourceConfigSpec())
    StoppingCondition: StoppingConditionSpec = Field(
        default_factory=lambda: StoppingConditionSpec()
    )
    Environment: dict[str, str] = Field(default_factory=dict)
    CheckpointConfig: CheckpointConfigSpec | None = None
    ScriptMode: ScriptModeSpec | None = None
    RoleArn: str | None = None


class ParentJobSpec(RequestModel):
    HyperParameterTuningJobName: str


class WarmStartConfigSpec(RequestModel):
    ParentHyperParameterTuningJobs: list[ParentJobSpec] = Field(min_length=1, max_length=5)
    WarmStartType: Literal["IdenticalDataAndAlgorithm", "TransferLearning"]


class CreateHyperParameterTuningJobRequest(RequestModel):
    HyperParameterTuningJobName: str
    HyperParameterTuningJobConfig: TuningJobConfigSpec
    TrainingJobDefinition: TrainingJobDefinitionSpec
    WarmStartConfig: WarmStartConfigSpec | None = None
    Tags: list[JobTag] = Field(default_factory=list, max_length=MAX_TAGS)


@dataclass(frozen=True)
class Range:
    """One tuned hyperparameter, with numbers parsed."""

    name: str
    kind: Literal["Integer", "Continuous", "Categorical"]
    low: float = 0.0
    high: float = 0.0
    scaling: ScalingType = "Auto"
    values: tuple[str, ...] = ()


def check_tuning_request(request: CreateHyperParameterTuningJobRequest) -> list[Range]:
    """Refuse what SageMaker refuses; return the tuned ranges.

    Args:
        request: The parsed request.

    Returns:
        The ranges, integer ones first, then continuous, then categorical.

    Raises:
        ValidationError: naming the field.
    """
    validate_name(
        request.HyperParameterTuningJobName,
        field="HyperParameterTuningJobName",
        max_length=TUNING_NAME_MAX,
    )
    config = request.HyperParameterTuningJobConfig
    ranges = _ranges(config.ParameterRanges)
    if not ranges:
        raise ValidationError("tune at least one hyperparameter", field=RANGES)
    static = request.TrainingJobDefinition.StaticHyperParameters
    for r in ranges:
        if r.name in static:
            raise ValidationError(
                f"{r.name!r} is both tuned and static",
                field=f"TrainingJobDefinition.StaticHyperParameters.{r.name}",
            )
    _check_objective(request)
    _check_limits(config, ranges)
    if config.Strategy == "Hyperband":
        hyperband = (config.StrategyConfig or StrategyConfigSpec()).HyperbandStrategyConfig
        low = hyperband.MinResource if hyperband else None
        high = hyperband.MaxResource if hyperband else None
        if low is not None and high is not None and low > high:
            raise ValidationError(
                "MinResource must not exceed MaxResource",
                field=f"{CONFIG}.StrategyConfig.HyperbandStrategyConfig.MinResource",
            )
    elif config.StrategyConfig and config.StrategyConfig.HyperbandStrategyConfig:
        raise ValidationError(
            "HyperbandStrategyConfig goes with the Hyperband strategy",
            field=f"{CONFIG}.StrategyConfig.HyperbandStrategyConfig",
        )
    return ranges


def grid_size(ranges: list[Range]) -> int:
    """How many points a Grid search has (categorical ranges only)."""
    return math.prod(len(r.values) for r in ranges)


def _check_objective(request: CreateHyperParameterTuningJobRequest) -> None:
    objective = request.HyperParameterTuningJobConfig.HyperParameterTuningJobObjective
    field = f"{CONFIG}.HyperParameterTuningJobObjective"
    if objective is None:
        raise ValidationError("an objective metric is required", field=field)
    names = {d.Name for d in request.TrainingJobDefinition.AlgorithmSpecification.MetricDefinitions}
    if objective.MetricName not in names:
        raise ValidationError(
            f"no metric definition is named {objective.MetricName!r}: add one to "
            "TrainingJobDefinition.AlgorithmSpecification.MetricDefinitions",
            field=f"{field}.MetricName",
        )


def _check_limits(config: TuningJobConfigSpec, ranges: list[Range]) -> None:
    limits = config.ResourceLimits
    field = f"{CONFIG}.ResourceLimits"
    if config.Strategy == "Grid":
        for r in ranges:
            if r.kind != "Categorical":
                raise ValidationError(
                    "the Grid strategy takes categorical ranges only",
                    field=f"{RANGES}.{r.kind}ParameterRanges",
                )
        if grid_size(ranges) > MAX_TRAINING_JOBS:
            raise ValidationError(
                f"the grid has more than {MAX_TRAINING_JOBS} points", field=RANGES
            )
    elif limits.MaxNumberOfTrainingJobs is None:
        raise ValidationError(
            f"MaxNumberOfTrainingJobs is required for the {config.Strategy} strategy",
            field=f"{field}.MaxNumberOfTrainingJobs",
        )
    most = limits.MaxNumberOfTrainingJobs or grid_size(ranges)
    if limits.MaxParallelTrainingJobs > most:
        raise ValidationError(
            f"MaxParallelTrainingJobs ({limits.MaxParallelTrainingJobs}) exceeds "
            f"MaxNumberOfTrainingJobs ({most})",
            field=f"{field}.MaxParallelTrainingJobs",
        )


def _ranges(spec: ParameterRangesSpec) -> list[Range]:
    found: list[Range] = []
    seen: set[str] = set()

    def name(value: str, field: str) -> str:
        if not value:
            raise ValidationError("a range needs a Name", field=f"{field}.Name")
        if value in seen:
            raise ValidationError(f"{value!r} is tuned twice", field=f"{field}.Name")
        seen.add(value)
        return value

    for kind, items in (
        ("Integer", spec.IntegerParameterRanges),
        ("Continuous", spec.ContinuousParameterRanges),
    ):
        for i, item in enumerate(items):
            field = f"{RANGES}.{kind}ParameterRanges[{i}]"
            low = _number(item.MinValue, kind, f"{field}.MinValue")
            high = _number(item.MaxValue, kind, f"{field}.MaxValue")
            if low > high:
                raise ValidationError(
                    f"MinValue ({item.MinValue}) is above MaxValue ({item.MaxValue})",
                    field=f"{field}.MinValue",
                )
            _check_scaling(kind, item.ScalingType, low, high, f"{field}.ScalingType")
            found.append(Range(name(item.Name, field), kind, low, high, item.ScalingType))  # type: ignore[arg-type]
    for i, cat in enumerate(spec.CategoricalParameterRanges):
        field = f"{RANGES}.CategoricalParameterRanges[{i}]"
        if not cat.Values:
            raise ValidationError("a categorical range needs values", field=f"{field}.Values")
        if len(set(cat.Values)) != len(cat.Values):
            raise ValidationError("a value is listed twice", field=f"{field}.Values")
        found.append(Range(name(cat.Name, field), "Categorical", values=tuple(cat.Values)))
    return found


def _number(text: str, kind: str, field: str) -> float:
    try:
        value = float(int(text)) if kind == "Integer" else float(text)
    except ValueError:
        expected = "an integer" if kind == "Integer" else "a number"
        raise ValidationError(f"{text!r} is not {expected}", field=field) from None
    if not math.isfinite(value):
        raise ValidationError(f"{text!r} is not a finite number", field=field)
    return value


def _check_scaling(kind: str, scaling: str, low: float, high: float, field: str) -> None:
    if scaling == "Logarithmic" and low <= 0:
        raise ValidationError("a Logarithmic range must be above 0 (MinValue > 0)", field=field)
    if scaling == "ReverseLogarithmic":
        if kind == "Integer":
            raise ValidationError(
                "ReverseLogarithmic scaling is for continuous ranges only", field=field
            )
        if low < 0 or high >= 1:
            raise ValidationError(
                "a ReverseLogarithmic range must lie in 0 <= value < 1", field=field
            )


def request_fields(request: CreateHyperParameterTuningJobRequest) -> dict[str, Any]:
    """The request as stored (its JSON form, defaults included)."""
    return request.model_dump(mode="json", exclude_none=True)
