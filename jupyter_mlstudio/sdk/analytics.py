"""``ExperimentAnalytics``: the runs of an experiment as a pandas DataFrame, with the
columns SageMaker's ``ExperimentAnalytics`` gives.

One row per run: ``TrialComponentName``, ``DisplayName``, ``SourceArn`` (jobs only),
each parameter, ``<metric> - Min``/``Max``/``Avg``/``StdDev``/``Last``/``Count``,
``<artifact> - MediaType``/``Value`` for input then output artifacts, ``Trials`` and
``Experiments`` (lists). Summaries are the store's exact running summaries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..entities import TrialComponent
from ..exceptions import ValidationError
from .client import TrackingClient, resolve_client

STATISTICS = ("Min", "Max", "Avg", "StdDev", "Last", "Count")
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": lambda a, b: a == b,
    "NotEquals": lambda a, b: a != b,
    "GreaterThan": lambda a, b: a > b,
    "GreaterThanOrEqualTo": lambda a, b: a >= b,
    "LessThan": lambda a, b: a < b,
    "LessThanOrEqualTo": lambda a, b: a <= b,
    "Contains": lambda a, b: str(b) in str(a),
}


class ExperimentAnalytics:
    """The runs of an experiment (or those a search finds) as a pandas DataFrame.

    Args:
        experiment_name: The experiment; None searches every run (give
            ``search_expression`` then).
        sagemaker_session: None (the default client), a :class:`~.session.Session`, a
            :class:`~.client.TrackingClient` or a tracking URI.
        search_expression: SageMaker's ``{"Filters": [{"Name", "Operator", "Value"}]}``
            (every filter must match). ``Name`` is one of ``TrialComponentName``,
            ``DisplayName``, ``Status.PrimaryStatus``, ``Parameters.<name>``,
            ``Metrics.<name>.<Min|Max|Avg|StdDev|Last|Count>``, ``Parents.TrialName``,
            ``Parents.ExperimentName``; ``Operator`` one of Equals, NotEquals,
            GreaterThan, GreaterThanOrEqualTo, LessThan, LessThanOrEqualTo, Contains,
            Exists, NotExists. ``NestedFilters`` and ``SubExpressions`` are refused.
        sort_by: ``CreationTime`` (default), ``Name`` or any ``Name`` above; runs without
            a value come last.
        sort_order: ``Ascending`` or ``Descending`` (default).
        metric_names: Only these metrics' columns; default all.
        parameter_names: Only these parameters' columns; default all.

    Raises:
        ValidationError: Neither ``experiment_name`` nor ``search_expression``, or a bad
            ``sort_order`` or search expression.
    """

    def __init__(
        self,
        experiment_name: str | None = None,
        sagemaker_session: Any = None,
        search_expression: dict[str, Any] | None = None,
        sort_by: str | None = None,
        sort_order: str | None = None,
        metric_names: Iterable[str] | None = None,
        parameter_names: Iterable[str] | None = None,
    ) -> None:
        if not experiment_name and not search_expression:
            raise ValidationError(
                "give experiment_name or search_expression", field="experiment_name"
            )
        if sort_order not in (None, "Ascending", "Descending"):
            raise ValidationError("sort_order must be Ascending or Descending", field="sort_order")
        self._client: TrackingClient = resolve_client(sagemaker_session)
        self._experiment_name = experiment_name
        self._filters = _filters(search_expression)
        self._sort_by = sort_by
        self._sort_order = sort_order or "Descending"
        self._metric_names = set(metric_names) if metric_names else None
        self._parameter_names = set(parameter_names) if parameter_names else None
        self._trial_experiments: dict[str, str] = {}

    @property
    def name(self) -> str | None:
        """The experiment's name (None for a search across experiments)."""
        return self._experiment_name

    def __repr__(self) -> str:
        return f"<jupyter_mlstudio.ExperimentAnalytics for {self._experiment_name}>"

    def dataframe(self, force_refresh: bool = False) -> Any:
        """The runs as a pandas DataFrame, read fresh on every call.

        Args:
            force_refresh: Accepted for SageMaker compatibility: every call reads fresh.

        Returns:
            One row per run, with the columns of the module docstring.

        Raises:
            ValidationError: An unknown property in the search expression or ``sort_by``.
        """
        import pandas as pd

        self._client.flush()
        rows = [self._row(c) for c in self._components()]
        return pd.DataFrame(rows)

    # -- inside ---------------------------------------------------------------------

    def _components(self) -> list[TrialComponent]:
        found = [
            c
            for c in self._client.iter_trial_components(
                experiment_name=self._experiment_name, sort_order=self._sort_order
            )
            if all(_matches(self._value(c, name), op, value) for name, op, value in self._filters)
        ]
        if self._sort_by and self._sort_by != "CreationTime":
            key = "TrialComponentName" if self._sort_by == "Name" else self._sort_by
            present = [c for c in found if self._value(c, key) is not None]
            missing = [c for c in found if self._value(c, key) is None]
            present.sort(
                key=lambda c: self._value(c, key), reverse=self._sort_order == "Descending"
            )
            found = present + missing
        return found

    def _experiment_of(self, trial_name: str) -> str:
        if trial_name not in self._trial_experiments:
            self._trial_experiments[trial_name] = self._client.get_trial(trial_name).experiment_name
        return self._trial_experiments[trial_name]

    def _value(self, c: TrialComponent, name: str) -> Any:
        head, _, rest = name.partition(".")
        if head in ("TrialComponentName", "DisplayName") and not rest:
            return c.trial_component_name if head == "TrialComponentName" else c.display_name
        if name == "Status.PrimaryStatus":
            return c.status.primary_status.value
        if head == "Parameters":
            return c.parameters.get(rest)
        if head == "Metrics":
            metric, _, statistic = rest.rpartition(".")
            for summary in c.metrics:
                if summary.metric_name == metric:
                    return _statistic(summary.to_api(), statistic)
            return None
        if name == "Parents.TrialName":
            return c.trial_names
        if name == "Parents.ExperimentName":
            return [self._experiment_of(t) for t in c.trial_names]
        raise ValidationError(
            f"unknown search or sort property {name!r}", field="search_expression"
        )

    def _row(self, c: TrialComponent) -> dict[str, Any]:
        row: dict[str, Any] = {
            "TrialComponentName": c.trial_component_name,
            "DisplayName": c.display_name or "",
        }
        if c.source is not None:
            row["SourceArn"] = c.source.source_arn
        for name, value in sorted(c.parameters.items()):
            if self._parameter_names is None or name in self._parameter_names:
                row[name] = value
        for summary in c.metrics:
            if self._metric_names is None or summary.metric_name in self._metric_names:
                api = summary.to_api()
                for statistic in STATISTICS:
                    row[f"{summary.metric_name} - {statistic}"] = api[statistic]
        for artifacts in (c.input_artifacts, c.output_artifacts):
            for name, artifact in sorted(artifacts.items()):
                row[f"{name} - MediaType"] = artifact.media_type
                row[f"{name} - Value"] = artifact.value
        row["Trials"] = list(c.trial_names)
        row["Experiments"] = [self._experiment_of(t) for t in c.trial_names]
        return row


def _statistic(api: dict[str, Any], statistic: str) -> Any:
    for key, value in api.items():
        if key.lower() == statistic.lower():
            return value
    raise ValidationError(f"unknown metric statistic {statistic!r}", field="search_expression")


def _filters(expression: dict[str, Any] | None) -> list[tuple[str, str, Any]]:
    if not expression:
        return []
    unknown = set(expression) - {"Filters"}
    if unknown or not isinstance(expression.get("Filters", []), list):
        raise ValidationError(
            "search_expression supports {'Filters': [{'Name', 'Operator', 'Value'}]} only",
            field="search_expression",
        )
    out = []
    for f in expression.get("Filters", []):
        op = f.get("Operator", "Equals")
        if op not in _OPERATORS and op not in ("Exists", "NotExists"):
            raise ValidationError(f"unknown operator {op!r}", field="search_expression")
        out.append((str(f.get("Name")), op, f.get("Value")))
    return out


def _matches(actual: Any, op: str, expected: Any) -> bool:
    if op == "Exists":
        return actual is not None and actual != []
    if op == "NotExists":
        return actual is None or actual == []
    if actual is None:
        return False
    if isinstance(actual, list):  # Parents.*: any parent matches
        return any(_matches(a, op, expected) for a in actual)
    if isinstance(actual, float) and not isinstance(expected, float):
        try:
            expected = float(expected)
        except (TypeError, ValueError):
            return False
    try:
        return _OPERATORS[op](actual, expected)
    except TypeError:
        return False
