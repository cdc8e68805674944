"""Search over runs and training jobs: the request the store answers, and its answer.

The request is SageMaker's ``Search`` (``SearchExpression``, ``SortBy``, ``SortOrder``,
``MaxResults``, ``NextToken``) for the two resources the store answers from its indexed
tables: trial components (``ExperimentTrialComponent``) and training jobs
(``TrainingJob``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Search's resources the store answers with one SQL query
TRIAL_COMPONENTS = "ExperimentTrialComponent"
TRAINING_JOBS = "TrainingJob"
SEARCH_RESOURCES = (TRIAL_COMPONENTS, TRAINING_JOBS)
#: SageMaker's filter operators
OPERATORS = (
    "Equals",
    "NotEquals",
    "GreaterThan",
    "GreaterThanOrEqualTo",
    "LessThan",
    "LessThanOrEqualTo",
    "Contains",
    "Exists",
    "NotExists",
    "In",
)
#: a metric summary's statistics, by the lower-case name a property path may use
STATISTICS = {s.lower(): s for s in ("Max", "Min", "Last", "Avg", "Count", "StdDev")}
#: Search's default sort (SageMaker's: the last modified first)
DEFAULT_SORT = "LastModifiedTime"
#: the largest page
MAX_SEARCH_RESULTS = 100
#: MaxResults when the request gives none (SageMaker's default)
DEFAULT_SEARCH_RESULTS = 10


@dataclass(frozen=True)
class SearchQuery:
    """One Search request for the store.

    Attributes:
        resource: ``ExperimentTrialComponent`` or ``TrainingJob``.
        expression: SageMaker's ``SearchExpression`` (``Filters``, ``NestedFilters``,
            ``SubExpressions``, ``Operator``); empty: every record.
        sort_by: A property name (``Metrics.loss.Min``, ``Parameters.lr``, ...).
        sort_order: ``Ascending`` or ``Descending``.
        max_results: The page's size.
        next_token: The token of the page (None: the first).
    """

    resource: str
    expression: dict[str, Any] = field(default_factory=dict)
    sort_by: str = DEFAULT_SORT
    sort_order: str = "Descending"
    max_results: int = DEFAULT_SEARCH_RESULTS
    next_token: str | None = None


@dataclass(frozen=True)
class SearchPage:
    """One page of a search: the names of the records, in order.

    Attributes:
        names: Trial component or training job names.
        total: How many records match in all.
        next_token: The next page's token (None on the last page).
    """

    names: list[str]
    total: int
    next_token: str | None


@dataclass(frozen=True)
class SearchNames:
    """The property names a search of one resource can use (for completion).

    Attributes:
        parameters: Parameter names (a training job's hyperparameters).
        metrics: Metric names.
        tags: Tag keys.
    """

    parameters: list[str]
    metrics: list[str]
    tags: list[str]


@dataclass(frozen=True)
class SearchProperty:
    """A property name of a search, resolved.

    Attributes:
        family: ``field`` (a member of the record itself), ``parameter``, ``metric``,
            ``tag`` or ``parent`` (``Parents.TrialName``, ``Parents.ExperimentName``).
        key: The field's member (``CreationTime``), the parameter, metric or tag name,
            or the parent's member (``TrialName``).
        statistic: A metric's statistic (``Max``, ``Min``, ``Last``, ``Avg``, ``Count``,
            ``StdDev``).
    """

    family: str
    key: str
    statistic: str = "Last"


#: each resource's own members the store indexes, by SageMaker's names
FIELDS: dict[str, tuple[str, ...]] = {
    TRIAL_COMPONENTS: (
        "TrialComponentName",
        "DisplayName",
        "Status.PrimaryStatus",
        "Status.Message",
        "Source.SourceArn",
        "Source.SourceType",
        "StartTime",
        "EndTime",
        "CreationTime",
        "LastModifiedTime",
    ),
    TRAINING_JOBS: (
        "TrainingJobName",
        "TrainingJobStatus",
        "SecondaryStatus",
        "FailureReason",
        "ExperimentConfig.ExperimentName",
        "ExperimentConfig.TrialComponentName",
        "TrainingStartTime",
        "TrainingEndTime",
        "CreationTime",
        "LastModifiedTime",
    ),
}
#: each resource's parameter prefix (a training job's are its hyperparameters)
PARAMETER_PREFIX = {TRIAL_COMPONENTS: "Parameters", TRAINING_JOBS: "HyperParameters"}


def resolve_property(resource: str, name: str) -> SearchProperty | None:
    """What a property name of a search reaches, as SageMaker reads it:
    ``Metrics.<name>[.<stat>]`` (``Last`` when no statistic ends it),
    ``Parameters.<name>`` (``HyperParameters.<name>`` for training jobs),
    ``Tags.<key>``, ``Parents.TrialName`` and ``Parents.ExperimentName`` (trial
    components), or one of the resource's own members (:data:`FIELDS`).

    Args:
        resource: ``ExperimentTrialComponent`` or ``TrainingJob``.
        name: The property name.

    Returns:
        The property; None when the store does not index it.
    """
    if name in FIELDS.get(resource, ()):
        return SearchProperty("field", name)
    head, _, rest = name.partition(".")
    if not rest:
        return None
    if head == PARAMETER_PREFIX.get(resource):
        return SearchProperty("parameter", rest)
    if head == "Tags":
        return SearchProperty("tag", rest)
    if head == "Metrics":
        metric, _, stat = rest.rpartition(".")
        statistic = STATISTICS.get(stat.lower()) if metric else None
        if statistic is None:
            return SearchProperty("metric", rest)
        return SearchProperty("metric", metric, statistic)
    if resource == TRIAL_COMPONENTS and head == "Parents" and rest in PARENT_MEMBERS:
        return SearchProperty("parent", rest)
    return None


#: the members of a trial component's ``Parents``
PARENT_MEMBERS = ("TrialName", "ExperimentName")
