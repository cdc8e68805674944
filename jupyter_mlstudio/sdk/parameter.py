"""Hyperparameter ranges, with the names of ``sagemaker.parameter`` (SDK v2), and the
other settings of a tuning job (``WarmStartConfig``, ``StrategyConfig``,
``TuningJobCompletionCriteriaConfig``), which :mod:`.tuner` exports as ``sagemaker.tuner``
does.

``IntegerParameter(1, 100)``, ``ContinuousParameter(1e-4, 1e-1, "Logarithmic")`` and
``CategoricalParameter(["gini", "entropy"])`` give a :class:`~.tuner.HyperparameterTuner`
the search space; :meth:`ParameterRange.as_tuning_range` is the range in the
CreateHyperParameterTuningJob request (values as strings).

Unlike SageMaker, a range that SageMaker's service would refuse is refused when it is made
(a ``ValidationError`` naming the argument), not when the tuning job is created:
``min_value > max_value``, a ``Logarithmic`` range that reaches 0 or below, a
``ReverseLogarithmic`` range outside ``0 <= x < 1`` (or on integers), an unknown
``scaling_type``, a categorical range with no values or a value listed twice; the other
settings likewise check their arguments.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Any, ClassVar

from ..exceptions import ValidationError

#: the scales a tuning job can search a numeric range with
SCALING_TYPES = ("Auto", "Linear", "Logarithmic", "ReverseLogarithmic")


def hyperparameter_text(value: Any) -> str:
    """A hyperparameter value as a request carries it.

    Args:
        value: Any value.

    Returns:
        ``str(value)``, booleans as ``true``/``false`` (as the studio passes the
        hyperparameters of any training job).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class ParameterRange:
    """A numeric range of one hyperparameter (base of the integer and continuous ranges).

    Args:
        min_value: The smallest value the tuning job may try.
        max_value: The largest value it may try (at least ``min_value``).
        scaling_type: How the range is searched: ``Auto`` (the tuner's choice: linear),
            ``Linear``, ``Logarithmic`` (only for ranges above 0) or
            ``ReverseLogarithmic`` (only for continuous ranges within ``0 <= x < 1``).

    Raises:
        ValidationError: A value that is no number (``min_value``, ``max_value``),
            ``min_value > max_value`` (``max_value``), or a scale the range cannot have
            (``scaling_type``).
    """

    #: the range types of a CreateHyperParameterTuningJob request, in SageMaker's order
    __all_types__: ClassVar[tuple[str, ...]] = ("Continuous", "Categorical", "Integer")
    #: the type of this range (``Integer``, ``Continuous`` or ``Categorical``)
    __name__ = "Continuous"

    def __init__(self, min_value: Any, max_value: Any, scaling_type: str = "Auto") -> None:
        self.min_value = min_value
        self.max_value = max_value
        self.scaling_type = scaling_type
        self.validate()

    @classmethod
    def cast_to_type(cls, value: Any) -> Any:
        """A value of this range's type.

        Args:
            value: A number, or its text.

        Returns:
            ``value`` as a float (an int for :class:`IntegerParameter`).
        """
        return float(value)

    def _number(self, value: Any, field: str) -> float:
        if isinstance(value, bool) or not isinstance(value, numbers.Real | str):
            raise ValidationError(
                f"{field} must be a number, not {type(value).__name__}", field=field
            )
        try:
            number = float(value)
        except ValueError:
            raise ValidationError(f"{field} must be a number, not {value!r}", field=field) from None
        if not math.isfinite(number):
            raise ValidationError(f"{field} must be finite, not {value!r}", field=field)
        if self.__name__ == "Integer" and not number.is_integer():
            raise ValidationError(f"{field} must be an integer, not {value!r}", field=field)
        return number

    def validate(self, name: str | None = None) -> None:
        """Check the range as SageMaker's service would.

        Args:
            name: The hyperparameter's name: the error's field is then
                ``hyperparameter_ranges.<name>.<attribute>`` (else the attribute alone).

        Raises:
            ValidationError: As for the constructor, naming the attribute.
        """
        prefix = f"hyperparameter_ranges.{name}." if name is not None else ""
        low = self._number(self.min_value, f"{prefix}min_value")
        high = self._number(self.max_value, f"{prefix}max_value")
        if low > high:
            raise ValidationError(
                f"{prefix}min_value {self.min_value} is greater than max_value {self.max_value}",
                field=f"{prefix}max_value",
            )
        field = f"{prefix}scaling_type"
        if self.scaling_type not in SCALING_TYPES:
            raise ValidationError(
                f"{field} must be one of {', '.join(SCALING_TYPES)}, not {self.scaling_type!r}",
                field=field,
            )
        if self.scaling_type == "Logarithmic" and low <= 0:
            raise ValidationError(
                f"{field} Logarithmic needs a range above 0 (min_value is {self.min_value})",
                field=field,
            )
        if self.scaling_type == "ReverseLogarithmic":
            if self.__name__ == "Integer":
                raise ValidationError(
                    f"{field} ReverseLogarithmic is for continuous ranges only", field=field
                )
            if low < 0 or high >= 1:
                raise ValidationError(
                    f"{field} ReverseLogarithmic needs a range within 0 <= x < 1"
                    f" (got {self.min_value} to {self.max_value})",
                    field=field,
                )

    def is_valid(self, value: Any) -> bool:
        """Whether a value lies in the range.

        Args:
            value: A number.

        Returns:
            True when ``min_value <= value <= max_value``.
        """
        return float(self.min_value) <= float(value) <= float(self.max_value)

    def _bound(self, value: Any) -> str:
        if self.__name__ == "Integer":
            return str(int(float(value)))
        return hyperparameter_text(value)

    def as_tuning_range(self, name: str) -> dict[str, Any]:
        """The range in a CreateHyperParameterTuningJob request.

        Args:
            name: The hyperparameter's name.

        Returns:
            ``{"Name", "MinValue", "MaxValue", "ScalingType"}``, values as strings.
        """
        return {
            "Name": name,
            "MinValue": self._bound(self.min_value),
            "MaxValue": self._bound(self.max_value),
            "ScalingType": self.scaling_type,
        }

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.min_value!r}, {self.max_value!r},"
            f" scaling_type={self.scaling_type!r})"
        )

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    __hash__ = None  # type: ignore[assignment]


class ContinuousParameter(ParameterRange):
    """A range of real values (see :class:`ParameterRange`).

    Args:
        min_value: The smallest value.
        max_value: The largest value.
        scaling_type: ``Auto``, ``Linear``, ``Logarithmic`` or ``ReverseLogarithmic``.
    """

    __name__ = "Continuous"

    def __init__(self, min_value: Any, max_value: Any, scaling_type: str = "Auto") -> None:
        super().__init__(min_value, max_value, scaling_type)


class IntegerParameter(ParameterRange):
    """A range of integers, both ends included (see :class:`ParameterRange`).

    Args:
        min_value: The smallest value (an integer).
        max_value: The largest value (an integer).
        scaling_type: ``Auto``, ``Linear`` or ``Logarithmic``.
    """

    __name__ = "Integer"

    def __init__(self, min_value: Any, max_value: Any, scaling_type: str = "Auto") -> None:
        super().__init__(min_value, max_value, scaling_type)

    @classmethod
    def cast_to_type(cls, value: Any) -> Any:
        """A value of this range's type.

        Args:
            value: A number, or its text.

        Returns:
            ``value`` as an int.
        """
        return int(float(value))


class CategoricalParameter(ParameterRange):
    """A list of values to choose from (sent as strings; the script parses them).

    Args:
        values: The values (a list, or one value); each becomes a string, booleans as
            ``true``/``false`` like the training job's other hyperparameters.

    Raises:
        ValidationError: ``values``: no values, or one listed twice.
    """

    __name__ = "Categorical"

    def __init__(self, values: Any) -> None:  # no numeric bounds: no super().__init__
        many = isinstance(values, Iterable) and not isinstance(values, str | bytes)
        self.values = [hyperparameter_text(v) for v in (list(values) if many else [values])]
        self.validate()

    def validate(self, name: str | None = None) -> None:
        """Check that there are values, each listed once.

        Args:
            name: The hyperparameter's name: the error's field is then
                ``hyperparameter_ranges.<name>.values``.

        Raises:
            ValidationError: No values, or one listed twice.
        """
        field = f"hyperparameter_ranges.{name}.values" if name is not None else "values"
        if not self.values:
            raise ValidationError(f"{field}: a categorical range needs values", field=field)
        if len(set(self.values)) != len(self.values):
            raise ValidationError(f"{field}: a value is listed twice", field=field)

    def is_valid(self, value: Any) -> bool:
        """Whether a value is one of the range's.

        Args:
            value: A value (compared as its string).

        Returns:
            True when it is one of ``values``.
        """
        return hyperparameter_text(value) in self.values

    @classmethod
    def cast_to_type(cls, value: Any) -> Any:
        """A value of this range's type.

        Args:
            value: Anything.

        Returns:
            ``value`` as a string.
        """
        return str(value)

    def as_tuning_range(self, name: str) -> dict[str, Any]:
        """The range in a CreateHyperParameterTuningJob request.

        Args:
            name: The hyperparameter's name.

        Returns:
            ``{"Name", "Values"}``.
        """
        return {"Name": name, "Values": list(self.values)}

    def as_json_range(self, name: str) -> dict[str, Any]:
        """The range with each value JSON-encoded (SageMaker's framework containers).

        Args:
            name: The hyperparameter's name.

        Returns:
            ``{"Name", "Values"}``, each value a JSON string.
        """
        import json

        return {"Name": name, "Values": [json.dumps(v) for v in self.values]}

    def __repr__(self) -> str:
        return f"CategoricalParameter({self.values!r})"


def range_from_request(kind: str, item: dict[str, Any]) -> ParameterRange:
    """The range of one item of a request's ``ParameterRanges``.

    Args:
        kind: ``Integer``, ``Continuous`` or ``Categorical``.
        item: ``{"Name", "MinValue", "MaxValue", "ScalingType"}`` or ``{"Name", "Values"}``.

    Returns:
        The range, with its scaling type.
    """
    if kind == "Categorical":
        return CategoricalParameter(list(item.get("Values") or []))
    cls = IntegerParameter if kind == "Integer" else ContinuousParameter
    return cls(
        cls.cast_to_type(item["MinValue"]),
        cls.cast_to_type(item["MaxValue"]),
        item.get("ScalingType") or "Auto",
    )


# -- the tuning job's other settings (sagemaker.tuner) ----------------------------------

#: the most parents of a warm start
MAX_PARENTS = 5


class WarmStartTypes(Enum):
    """How a warm-started tuning job uses its parents' training jobs.

    ``IDENTICAL_DATA_AND_ALGORITHM`` (same data and script: the parents' results seed the
    search as they are) or ``TRANSFER_LEARNING`` (similar data or script).
    """

    IDENTICAL_DATA_AND_ALGORITHM = "IdenticalDataAndAlgorithm"
    TRANSFER_LEARNING = "TransferLearning"


class WarmStartConfig:
    """The parents whose completed training jobs seed a new tuning job's search.

    Args:
        warm_start_type: A :class:`WarmStartTypes` (or its value).
        parents: Names of 1 to 5 earlier tuning jobs (the studio refuses, with a 400, a
            parent that does not exist).

    Raises:
        ValidationError: An unknown ``warm_start_type``, or no or too many ``parents``.
    """

    def __init__(self, warm_start_type: WarmStartTypes | str, parents: Iterable[str]) -> None:
        try:
            self.type = WarmStartTypes(warm_start_type)
        except ValueError:
            raise ValidationError(
                f"warm_start_type must be one of {[t.value for t in WarmStartTypes]},"
                f" not {warm_start_type!r}",
                field="warm_start_type",
            ) from None
        names = [parents] if isinstance(parents, str) else list(parents or ())
        if not names or len(names) > MAX_PARENTS:
            raise ValidationError(
                f"give 1 to {MAX_PARENTS} parent tuning jobs (got {len(names)})", field="parents"
            )
        self.parents = set(names)

    @classmethod
    def from_job_desc(cls, warm_start_config: Mapping[str, Any] | None) -> WarmStartConfig | None:
        """The configuration of a DescribeHyperParameterTuningJob answer.

        Args:
            warm_start_config: Its ``WarmStartConfig`` (``WarmStartType`` and
                ``ParentHyperParameterTuningJobs``).

        Returns:
            The configuration, or None when there is none.
        """
        if not warm_start_config or "WarmStartType" not in warm_start_config:
            return None
        parents = warm_start_config.get("ParentHyperParameterTuningJobs") or []
        return cls(
            WarmStartTypes(warm_start_config["WarmStartType"]),
            [p["HyperParameterTuningJobName"] for p in parents],
        )

    def to_input_req(self) -> dict[str, Any]:
        """The ``WarmStartConfig`` of a CreateHyperParameterTuningJob request.

        Returns:
            ``{"WarmStartType", "ParentHyperParameterTuningJobs": [{...Name}]}``.
        """
        return {
            "WarmStartType": self.type.value,
            "ParentHyperParameterTuningJobs": [
                {"HyperParameterTuningJobName": parent} for parent in sorted(self.parents)
            ],
        }


class HyperbandStrategyConfig:
    """The resources (epochs) of the Hyperband strategy (SageMaker's argument order).

    The script reports its objective once per resource unit (an epoch); Hyperband stops
    jobs that do badly after ``min_resource`` units and no job runs beyond
    ``max_resource``.

    Args:
        max_resource: The most units a job may use (None: the server's choice).
        min_resource: The units every job gets before it may be stopped.

    Raises:
        ValidationError: A value that is no positive integer, or
            ``min_resource > max_resource`` (``min_resource``).
    """

    def __init__(self, max_resource: int | None = None, min_resource: int | None = None) -> None:
        for field, value in (("max_resource", max_resource), ("min_resource", min_resource)):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 1
            ):
                raise ValidationError(f"{field} must be a positive integer", field=field)
        if min_resource is not None and max_resource is not None and min_resource > max_resource:
            raise ValidationError(
                f"min_resource ({min_resource}) exceeds max_resource ({max_resource})",
                field="min_resource",
            )
        self.min_resource = min_resource
        self.max_resource = max_resource

    @classmethod
    def from_job_desc(cls, hyperband_strategy_config: Mapping[str, Any]) -> HyperbandStrategyConfig:
        """The configuration of a DescribeHyperParameterTuningJob answer.

        Args:
            hyperband_strategy_config: ``{"MinResource", "MaxResource"}``.

        Returns:
            The configuration.
        """
        return cls(
            max_resource=hyperband_strategy_config.get("MaxResource"),
            min_resource=hyperband_strategy_config.get("MinResource"),
        )

    def to_input_req(self) -> dict[str, Any]:
        """The ``HyperbandStrategyConfig`` of a request.

        Returns:
            ``{"MinResource", "MaxResource"}`` (those that are set).
        """
        request = {"MinResource": self.min_resource, "MaxResource": self.max_resource}
        return {k: v for k, v in request.items() if v is not None}


class StrategyConfig:
    """The configuration of the search strategy (Hyperband's only).

    Args:
        hyperband_strategy_config: A :class:`HyperbandStrategyConfig`.
    """

    def __init__(self, hyperband_strategy_config: HyperbandStrategyConfig) -> None:
        self.hyperband_strategy_config = hyperband_strategy_config

    @classmethod
    def from_job_desc(cls, strategy_config: Mapping[str, Any]) -> StrategyConfig:
        """The configuration of a DescribeHyperParameterTuningJob answer.

        Args:
            strategy_config: ``{"HyperbandStrategyConfig": {...}}``.

        Returns:
            The configuration.
        """
        return cls(
            HyperbandStrategyConfig.from_job_desc(
                strategy_config.get("HyperbandStrategyConfig", {})
            )
        )

    def to_input_req(self) -> dict[str, Any]:
        """The ``StrategyConfig`` of a request.

        Returns:
            ``{"HyperbandStrategyConfig": {...}}``.
        """
        return {"HyperbandStrategyConfig": self.hyperband_strategy_config.to_input_req()}


class TuningJobCompletionCriteriaConfig:
    """When a tuning job ends before running ``max_jobs`` training jobs.

    Args:
        max_number_of_training_jobs_not_improving: End after this many jobs (3 or more)
            in a row did not improve the best objective.
        complete_on_convergence: End when the search has converged.
        target_objective_metric_value: End once a job reaches this objective.

    Raises:
        ValidationError: ``max_number_of_training_jobs_not_improving`` below 3, or a
            target that is no number.
    """

    def __init__(
        self,
        max_number_of_training_jobs_not_improving: int | None = None,
        complete_on_convergence: bool | None = None,
        target_objective_metric_value: float | None = None,
    ) -> None:
        count = max_number_of_training_jobs_not_improving
        if count is not None and (
            isinstance(count, bool) or not isinstance(count, int) or count < 3
        ):
            raise ValidationError(
                "max_number_of_training_jobs_not_improving must be an integer of 3 or more",
                field="max_number_of_training_jobs_not_improving",
            )
        target = target_objective_metric_value
        if target is not None and (
            isinstance(target, bool)
            or not isinstance(target, int | float)
            or not math.isfinite(target)
        ):
            raise ValidationError(
                "target_objective_metric_value must be a finite number",
                field="target_objective_metric_value",
            )
        self.max_number_of_training_jobs_not_improving = count
        self.complete_on_convergence = complete_on_convergence
        self.target_objective_metric_value = target

    @classmethod
    def from_job_desc(
        cls, completion_criteria_config: Mapping[str, Any]
    ) -> TuningJobCompletionCriteriaConfig:
        """The criteria of a DescribeHyperParameterTuningJob answer.

        Args:
            completion_criteria_config: Its ``TuningJobCompletionCriteria``.

        Returns:
            The criteria.
        """
        not_improving = completion_criteria_config.get("BestObjectiveNotImproving") or {}
        convergence = completion_criteria_config.get("ConvergenceDetected") or {}
        converge = convergence.get("CompleteOnConvergence")
        return cls(
            max_number_of_training_jobs_not_improving=not_improving.get(
                "MaxNumberOfTrainingJobsNotImproving"
            ),
            complete_on_convergence=None if converge is None else converge == "Enabled",
            target_objective_metric_value=completion_criteria_config.get(
                "TargetObjectiveMetricValue"
            ),
        )

    def to_input_req(self) -> dict[str, Any]:
        """The ``TuningJobCompletionCriteria`` of a request.

        Returns:
            ``BestObjectiveNotImproving``, ``ConvergenceDetected`` and
            ``TargetObjectiveMetricValue``, those that are set.
        """
        request: dict[str, Any] = {}
        count = self.max_number_of_training_jobs_not_improving
        if count is not None:
            request["BestObjectiveNotImproving"] = {"MaxNumberOfTrainingJobsNotImproving": count}
        if self.target_objective_metric_value is not None:
            request["TargetObjectiveMetricValue"] = self.target_objective_metric_value
        if self.complete_on_convergence is not None:
            request["ConvergenceDetected"] = {
                "CompleteOnConvergence": "Enabled" if self.complete_on_convergence else "Disabled"
            }
        return request
