"""``ExperimentAnalytics``: the runs of an experiment as a pandas DataFrame, with the
columns SageMaker's ``ExperimentAnalytics`` gives; ``HyperparameterTuningJobAnalytics``
(a tuning job's training jobs) and ``TrainingJobAnalytics`` (a job's metric points) as
``sagemaker.analytics`` has them (see docs/tuning.md).

One row per run: ``TrialComponentName``, ``DisplayName``, ``SourceArn`` (jobs only),
each parameter, ``<metric> - Min``/``Max``/``Avg``/``StdDev``/``Last``/``Count``,
``<artifact> - MediaType``/``Value`` for input then output artifacts, ``Trials`` and
``Experiments`` (lists). Summaries are the store's exact running summaries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any

from ..entities import JobKind, TrialComponent
from ..exceptions import ValidationError
from .client import TrackingClient, resolve_client
from .jobs_client import jobs_client
from .transport import segment

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


# -- tuning jobs and training jobs (sagemaker.analytics) ------------------------------

#: the ARN prefix of the studio's resources
_ARN = "arn:mlstudio:sagemaker:local"
#: fields of a HyperParameterTrainingJobSummary that hold times
_SUMMARY_TIMES = ("CreationTime", "TrainingStartTime", "TrainingEndTime")
#: the largest page of ListTrainingJobsForHyperParameterTuningJob
_PAGE = 100


def _time(value: Any) -> Any:
    """An ISO time of the REST API as an aware datetime (other values as they are)."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return value


def _summary(item: dict[str, Any]) -> dict[str, Any]:
    """A HyperParameterTrainingJobSummary with its times as datetimes (as boto3 gives)."""
    return {k: _time(v) if k in _SUMMARY_TIMES else v for k, v in item.items()}


def describe_tuning_job(tuning_job_name: str, sagemaker_session: Any = None) -> dict[str, Any]:
    """A tuning job, as SageMaker's DescribeHyperParameterTuningJob answers.

    Args:
        tuning_job_name: The tuning job's name.
        sagemaker_session: As for :class:`HyperparameterTuningJobAnalytics`.

    Returns:
        ``HyperParameterTuningJobName``, ``HyperParameterTuningJobArn``,
        ``HyperParameterTuningJobConfig``, ``TrainingJobDefinition``,
        ``HyperParameterTuningJobStatus``, ``CreationTime``, ``LastModifiedTime``,
        ``TrainingJobStatusCounters``, ``ObjectiveStatusCounters`` and, when there are,
        ``HyperParameterTuningEndTime``, ``BestTrainingJob``, ``OverallBestTrainingJob``,
        ``WarmStartConfig``, ``FailureReason``, ``TuningJobCompletionDetails``, plus the
        studio's ``TrainingJobsStoppedEarly`` and ``CompletionReason``. Times are
        datetimes.

    Raises:
        NotFoundError: No tuning job has that name.
    """
    job = jobs_client(sagemaker_session).describe_job(JobKind.TUNING, tuning_job_name)
    spec, outputs = job.spec, job.outputs or {}
    described: dict[str, Any] = {
        "HyperParameterTuningJobName": job.job_name,
        "HyperParameterTuningJobArn": f"{_ARN}:hyper-parameter-tuning-job/{job.job_name}",
        "HyperParameterTuningJobConfig": spec.get("HyperParameterTuningJobConfig") or {},
        "TrainingJobDefinition": spec.get("TrainingJobDefinition") or {},
        "HyperParameterTuningJobStatus": job.status.value,
        "CreationTime": job.creation_time,
        "LastModifiedTime": job.last_modified_time,
        "TrainingJobStatusCounters": outputs.get("TrainingJobStatusCounters")
        or dict.fromkeys(
            ("Completed", "InProgress", "RetryableError", "NonRetryableError", "Stopped"), 0
        ),
        "ObjectiveStatusCounters": outputs.get("ObjectiveStatusCounters")
        or dict.fromkeys(("Succeeded", "Pending", "Failed"), 0),
    }
    optional: dict[str, Any] = {
        "HyperParameterTuningEndTime": job.end_time,
        "BestTrainingJob": outputs.get("BestTrainingJob"),
        "OverallBestTrainingJob": outputs.get("OverallBestTrainingJob"),
        "WarmStartConfig": spec.get("WarmStartConfig"),
        "FailureReason": job.failure_reason,
        "TuningJobCompletionDetails": outputs.get("TuningJobCompletionDetails"),
        "TrainingJobsStoppedEarly": outputs.get("TrainingJobsStoppedEarly"),
        "CompletionReason": outputs.get("CompletionReason"),
    }
    for key, value in optional.items():
        if value is not None:
            described[key] = _summary(value) if key.endswith("BestTrainingJob") else value
    return described


class AnalyticsMetricsBase:
    """What the tuning and training job analytics share: a cached pandas DataFrame."""

    def __init__(self) -> None:
        self._dataframe: Any = None

    def export_csv(self, filename: str) -> None:
        """Write :meth:`dataframe` to a CSV file.

        Args:
            filename: The file.
        """
        self.dataframe().to_csv(filename)

    def dataframe(self, force_refresh: bool = False) -> Any:
        """The results as a pandas DataFrame, read once and then kept (as SageMaker does).

        Args:
            force_refresh: Read them again.

        Returns:
            The DataFrame.
        """
        if force_refresh:
            self.clear_cache()
        if self._dataframe is None:
            self._dataframe = self._fetch_dataframe()
        return self._dataframe

    def _fetch_dataframe(self) -> Any:  # pragma: no cover - subclasses answer
        raise NotImplementedError

    def clear_cache(self) -> None:
        """Forget what was read: the next call reads the studio again."""
        self._dataframe = None


class HyperparameterTuningJobAnalytics(AnalyticsMetricsBase):
    """The training jobs of a tuning job as a pandas DataFrame (``sagemaker.analytics``).

    ``dataframe()`` has one row per training job: a column per tuned hyperparameter
    (numbers as floats, like SageMaker), ``TrainingJobName``, ``TrainingJobStatus``,
    ``FinalObjectiveValue``, ``TrainingStartTime``, ``TrainingEndTime`` and
    ``TrainingElapsedTimeSeconds``, newest job first.

    Args:
        hyperparameter_tuning_job_name: The tuning job.
        sagemaker_session: None (the default client), a :class:`~.session.Session`, a
            :class:`~.client.TrackingClient` or a tracking URI.
    """

    def __init__(self, hyperparameter_tuning_job_name: str, sagemaker_session: Any = None) -> None:
        super().__init__()
        self._session = sagemaker_session
        self._tuning_job_name = hyperparameter_tuning_job_name
        self._description: dict[str, Any] | None = None
        self._training_job_summaries: list[dict[str, Any]] | None = None

    @property
    def name(self) -> str:
        """The tuning job's name."""
        return self._tuning_job_name

    def __repr__(self) -> str:
        return f"<jupyter_mlstudio.HyperparameterTuningJobAnalytics for {self.name}>"

    def clear_cache(self) -> None:
        """Forget the description, the summaries and the DataFrame."""
        super().clear_cache()
        self._description = None
        self._training_job_summaries = None

    def _fetch_dataframe(self) -> Any:
        import pandas as pd

        rows = []
        for summary in self.training_job_summaries():
            row: dict[str, Any] = {}
            for key, value in (summary.get("TunedHyperParameters") or {}).items():
                try:
                    row[key] = float(value)
                except (TypeError, ValueError):
                    row[key] = value
            row["TrainingJobName"] = summary["TrainingJobName"]
            row["TrainingJobStatus"] = summary["TrainingJobStatus"]
            objective = summary.get("FinalHyperParameterTuningJobObjectiveMetric") or {}
            row["FinalObjectiveValue"] = objective.get("Value")
            start, end = summary.get("TrainingStartTime"), summary.get("TrainingEndTime")
            row["TrainingStartTime"] = start
            row["TrainingEndTime"] = end
            if start is not None and end is not None:
                row["TrainingElapsedTimeSeconds"] = (end - start).total_seconds()
            rows.append(row)
        return pd.DataFrame(rows)

    @property
    def tuning_ranges(self) -> dict[str, dict[str, Any]]:
        """The tuned ranges by hyperparameter name, as the request gave them
        (``{"Name", "MinValue", "MaxValue", "ScalingType"}`` or ``{"Name", "Values"}``)."""
        ranges = self.description()["HyperParameterTuningJobConfig"].get("ParameterRanges") or {}
        return {item["Name"]: item for items in ranges.values() for item in items}

    def description(self, force_refresh: bool = False) -> dict[str, Any]:
        """The tuning job, as DescribeHyperParameterTuningJob answers (kept once read).

        Args:
            force_refresh: Read it again.

        Returns:
            See :func:`describe_tuning_job`.
        """
        if force_refresh:
            self.clear_cache()
        if self._description is None:
            self._description = describe_tuning_job(self.name, self._session)
        return self._description

    def training_job_summaries(self, force_refresh: bool = False) -> list[dict[str, Any]]:
        """Every training job of the tuning job, as ListTrainingJobsForHyperParameterTuningJob
        lists them (all pages; kept once read).

        Args:
            force_refresh: Read them again.

        Returns:
            HyperParameterTrainingJobSummary items (times as datetimes), newest first.
        """
        if force_refresh:
            self.clear_cache()
        if self._training_job_summaries is not None:
            return self._training_job_summaries
        connection = jobs_client(self._session).connection
        path = f"hyper-parameter-tuning-jobs/{segment(self.name)}/training-jobs"
        found: list[dict[str, Any]] = []
        query: dict[str, Any] = {"MaxResults": _PAGE}
        while True:
            page = connection.json("GET", path, query=query)
            items = page.get("TrainingJobSummaries") or []
            found.extend(_summary(item) for item in items)
            token = page.get("NextToken")
            if not token or not items:
                break
            query = {"MaxResults": _PAGE, "NextToken": token}
        self._training_job_summaries = found
        return found


class TrainingJobAnalytics(AnalyticsMetricsBase):
    """The metric points of a training job as a pandas DataFrame (``sagemaker.analytics``).

    ``dataframe()`` has the columns ``timestamp`` (seconds since the metric's first
    point, as SageMaker gives them), ``metric_name`` and ``value``, read from the job's
    run (where its metric definitions and the script's ``log_metric`` calls put them).
    SageMaker reads CloudWatch averages over ``period`` seconds; here every point is a
    row unless ``period`` is given.

    Args:
        training_job_name: The training job.
        metric_names: The metrics; default those of the job's metric definitions (all
            of its run's metrics when it has none).
        sagemaker_session: None (the default client), a :class:`~.session.Session`, a
            :class:`~.client.TrackingClient` or a tracking URI.
        start_time: Leave out points before this time.
        end_time: Leave out points after this time.
        period: Seconds: average the points of each period into one row.

    Raises:
        NotFoundError: No training job has that name.
    """

    def __init__(
        self,
        training_job_name: str,
        metric_names: Iterable[str] | None = None,
        sagemaker_session: Any = None,
        start_time: datetime | None = None,
        end_time: datetime | None = None,
        period: int | None = None,
    ) -> None:
        super().__init__()
        self._session = sagemaker_session
        self._training_job_name = training_job_name
        self._start_time = start_time
        self._end_time = end_time
        self._period = period
        self._job = jobs_client(sagemaker_session).describe_job(JobKind.TRAINING, training_job_name)
        self._metric_names = list(metric_names) if metric_names else self._job_metric_names()

    @property
    def name(self) -> str:
        """The training job's name."""
        return self._training_job_name

    def __repr__(self) -> str:
        return f"<jupyter_mlstudio.TrainingJobAnalytics for {self.name}>"

    def _job_metric_names(self) -> list[str]:
        algorithm = self._job.spec.get("AlgorithmSpecification") or {}
        names = [d["Name"] for d in algorithm.get("MetricDefinitions") or []]
        if names or not self._job.trial_component_name:
            return names
        component = resolve_client(self._session).get_trial_component(
            self._job.trial_component_name
        )
        return [summary.metric_name for summary in component.metrics]

    def _fetch_dataframe(self) -> Any:
        import pandas as pd

        data: dict[str, list[Any]] = {"timestamp": [], "metric_name": [], "value": []}
        component = self._job.trial_component_name
        client = resolve_client(self._session)
        for metric_name in self._metric_names:
            if component is None:
                break
            points = [
                p
                for p in client.get_metric_series(component, metric_name)
                if (self._start_time is None or p.timestamp >= _aware(self._start_time))
                and (self._end_time is None or p.timestamp <= _aware(self._end_time))
            ]
            for elapsed, value in _series(points, self._period):
                data["timestamp"].append(elapsed)
                data["metric_name"].append(metric_name)
                data["value"].append(value)
        return pd.DataFrame(data)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _series(points: list[Any], period: int | None) -> list[tuple[float, float]]:
    """(seconds since the first point, value), in time order; averaged per ``period``."""
    if not points:
        return []
    points = sorted(points, key=lambda p: p.timestamp)
    base = points[0].timestamp
    pairs = [((p.timestamp - base).total_seconds(), float(p.value)) for p in points]
    if not period:
        return pairs
    buckets: dict[int, list[float]] = {}
    for elapsed, value in pairs:
        buckets.setdefault(int(elapsed // period), []).append(value)
    return [(float(k * period), sum(v) / len(v)) for k, v in sorted(buckets.items())]
