"""The metadata store contract.

A :class:`MetadataStore` keeps the studio's records. Every implementation:

* is safe to call from many threads at once (the server calls it from an executor) and
  from many processes on the same database (notebooks, jobs and the server log at once);
* returns frozen entities (``jupyter_mlstudio.entities``), never ORM rows or mutable state;
* validates names and fields itself and raises, never half-writes: every method is one
  transaction that commits fully or not at all;
* raises only :mod:`jupyter_mlstudio.exceptions` errors:
  ``ValidationError`` (bad input, with ``field``), ``NotFoundError``, ``ConflictError``
  (name taken, or a state change that is not allowed), ``StoreUnavailableError``
  (the database cannot be reached).

Listings are paged: pass the returned ``next_token`` back to get the next page; an
unknown or malformed token raises ``ValidationError(field="NextToken")``.

The contract test suite in ``jupyter_mlstudio.testing.store_contract`` runs against every
implementation; a new backend passes it before it is used.
"""

from __future__ import annotations

import abc
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from ..entities import (
    ChartSeries,
    ContainerDefinition,
    DesiredVariant,
    Endpoint,
    EndpointConfig,
    EndpointStatus,
    Experiment,
    ExperimentSummary,
    Job,
    JobKind,
    JobStatus,
    MetricPoint,
    Model,
    Page,
    ParameterValue,
    ProductionVariant,
    SecondaryStatus,
    Trial,
    TrialComponent,
    TrialComponentArtifact,
    TrialComponentPrimaryStatus,
    TrialComponentSource,
)
from .arguments import UNSET, SortOrder
from .autoscaling import AutoscalingRecords
from .columns import MetricColumns, check_columns
from .monitoring import MonitoringRecords
from .pipelines import PipelineRecords
from .registry import RegistryRecords

ExperimentSortBy = Literal["Name", "CreationTime"]
#: the resources whose tags :meth:`MetadataStore.set_tags` changes
TaggedKind = Literal[
    "experiment",
    "trial",
    "trial_component",
    "job",
    "model",
    "endpoint",
    "model_package_group",
    "pipeline",
    "monitoring_schedule",
]

#: The columns of a chart series besides ``steps``: the names ``get_metric_chart``'s
#: ``fields`` takes (the chart route's ``Fields``) → ``ChartSeries`` attribute.
CHART_FIELDS: dict[str, str] = {
    "Min": "min",
    "Max": "max",
    "Last": "last",
    "Avg": "avg",
    "Count": "count",
}


@dataclass(frozen=True)
class StoreHealth:
    """What ``mlstudio doctor`` and the server's health route report."""

    backend: str  # "sqlite", "postgresql", ...
    url: str  # with any password masked
    ok: bool
    schema_revision: str | None
    head_revision: str | None
    detail: str | None = None


@dataclass(frozen=True)
class RunRange:
    """A filter of :meth:`TrackingStore.list_experiment_runs`: runs whose value of ``key``
    (``Parameters.<name>`` or ``Metrics.<name>.<Last|Min|Max|Avg>``) lies in
    ``[minimum, maximum]`` (an open side is None); runs without the value are left out."""

    key: str
    minimum: float | None = None
    maximum: float | None = None


class TrackingStore(abc.ABC):
    """Experiments, trials, trial components (runs) and their metrics.

    The part of the studio's records that notebooks write while they run. Two
    implementations: the SQL store itself (:class:`~.sql.store.SqlStore`, through the
    whole :class:`MetadataStore`) and :class:`~jupyter_mlstudio.sdk.rest_store.RestStore`,
    the same contract over a studio's REST API. Both pass the tracking contract suites
    (``RunsContract``, ``StoreChartContract``, ``TrackingLimitsContract``).
    """

    # -- lifecycle ---------------------------------------------------------------

    @abc.abstractmethod
    def health(self) -> StoreHealth:
        """Check the connection and the schema revision. Never raises."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections. The store is unusable afterwards."""

    # -- experiments -------------------------------------------------------------

    @abc.abstractmethod
    def create_experiment(
        self,
        experiment_name: str,
        *,
        display_name: str | None = None,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Experiment:
        """Create an experiment. ConflictError if the name is taken."""

    @abc.abstractmethod
    def get_experiment(self, experiment_name: str) -> Experiment:
        """NotFoundError if there is none by that name."""

    @abc.abstractmethod
    def update_experiment(
        self,
        experiment_name: str,
        *,
        display_name: str | None = UNSET,
        description: str | None = UNSET,
    ) -> Experiment:
        """Change the given fields only."""

    @abc.abstractmethod
    def list_experiments(
        self,
        *,
        name_contains: str | None = None,
        tag: tuple[str, str | None] | None = None,
        sort_by: ExperimentSortBy = "CreationTime",
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[ExperimentSummary]:
        """Experiments with their trial and trial-component counts.

        ``tag`` is ``(key, value)`` or ``(key, None)`` for "has this key".
        ``max_results`` is 1..1000 (ValidationError otherwise).
        """

    @abc.abstractmethod
    def delete_experiment(self, experiment_name: str) -> None:
        """Delete the experiment, its trials, and the trial components that belong to no
        trial of another experiment (with their metrics)."""

    # -- trials ------------------------------------------------------------------

    @abc.abstractmethod
    def create_trial(
        self,
        trial_name: str,
        experiment_name: str,
        *,
        display_name: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Trial:
        """ConflictError if the name is taken; NotFoundError if the experiment is missing."""

    @abc.abstractmethod
    def get_trial(self, trial_name: str) -> Trial: ...

    @abc.abstractmethod
    def update_trial(self, trial_name: str, *, display_name: str | None = UNSET) -> Trial:
        """Change the given fields only."""

    @abc.abstractmethod
    def list_trials(
        self,
        *,
        experiment_name: str | None = None,
        trial_component_name: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[Trial]: ...

    @abc.abstractmethod
    def delete_trial(self, trial_name: str) -> None:
        """Delete the trial; its trial components stay (as in SageMaker)."""

    # -- trial components (runs) ---------------------------------------------------

    @abc.abstractmethod
    def create_trial_component(
        self,
        trial_component_name: str,
        *,
        display_name: str | None = None,
        status: TrialComponentPrimaryStatus = TrialComponentPrimaryStatus.IN_PROGRESS,
        status_message: str | None = None,
        start_time: datetime | None = None,
        end_time: datetime | None = None,
        parameters: Mapping[str, ParameterValue] | None = None,
        input_artifacts: Mapping[str, TrialComponentArtifact] | None = None,
        output_artifacts: Mapping[str, TrialComponentArtifact] | None = None,
        source: TrialComponentSource | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> TrialComponent:
        """ConflictError if the name is taken. Parameter values are numbers or strings
        (ValidationError naming ``Parameters.<name>`` otherwise; NaN/inf are refused)."""

    @abc.abstractmethod
    def get_trial_component(self, trial_component_name: str) -> TrialComponent: ...

    @abc.abstractmethod
    def update_trial_component(
        self,
        trial_component_name: str,
        *,
        display_name: str | None = UNSET,
        status: TrialComponentPrimaryStatus | None = None,
        status_message: str | None = UNSET,
        start_time: datetime | None = UNSET,
        end_time: datetime | None = UNSET,
        parameters: Mapping[str, ParameterValue] | None = None,
        parameters_to_remove: Sequence[str] = (),
        input_artifacts: Mapping[str, TrialComponentArtifact] | None = None,
        output_artifacts: Mapping[str, TrialComponentArtifact] | None = None,
    ) -> TrialComponent:
        """Merge the given parameters and artifacts; set the given fields."""

    @abc.abstractmethod
    def list_trial_components(
        self,
        *,
        experiment_name: str | None = None,
        trial_name: str | None = None,
        source_arn: str | None = None,
        status: TrialComponentPrimaryStatus | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[TrialComponent]: ...

    def list_experiment_runs(
        self,
        experiment_name: str,
        *,
        name_contains: str | None = None,
        status: TrialComponentPrimaryStatus | None = None,
        ranges: Sequence[RunRange] = (),
        sort_by: str = "CreationTime",
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[TrialComponent]:
        """One keyset page of an experiment's runs (of all its trials), as a table shows it.

        Args:
            experiment_name: the experiment (NotFoundError if missing).
            name_contains: text the run's name or display name contains (any case).
            status: only runs in this status.
            ranges: parameter or metric ranges every run listed satisfies.
            sort_by: ``CreationTime``, ``Name``, ``Parameters.<name>`` (number values) or
                ``Metrics.<name>.<Last|Min|Max|Avg>``; runs without the value come last.
            sort_order: ``Ascending`` or ``Descending`` (ties broken by creation order).
            max_results: 1 to 1,000 runs a page.
            next_token: the token of the previous page (of the same experiment, sort key
                and order; ValidationError ``NextToken`` otherwise).

        Returns:
            The page and the token of the next one (None after the last).
        """
        raise NotImplementedError("this store does not list runs as a table")

    @abc.abstractmethod
    def associate_trial_component(self, trial_component_name: str, trial_name: str) -> None:
        """Idempotent. NotFoundError if either is missing."""

    @abc.abstractmethod
    def disassociate_trial_component(self, trial_component_name: str, trial_name: str) -> None:
        """Idempotent. NotFoundError if either is missing."""

    @abc.abstractmethod
    def delete_trial_component(self, trial_component_name: str) -> None:
        """Delete the run with its metrics and associations."""

    # -- metrics -----------------------------------------------------------------

    @abc.abstractmethod
    def log_metrics(self, trial_component_name: str, points: Sequence[MetricPoint]) -> None:
        """Append points and update each metric's summary in the same transaction.

        NotFoundError for an unknown run; ValidationError for a non-finite value, a step
        outside 0..2**63 - 1 or an invalid metric name (nothing of the batch is written
        then). Safe from many
        processes at once: no point is lost and summaries stay exact.
        """

    def log_metric_columns(self, trial_component_name: str, columns: MetricColumns) -> None:
        """Append a columnar batch of points, as :meth:`log_metrics` does (one transaction,
        summaries updated, all or nothing); the fast path of the SDK's buffer.

        Args:
            trial_component_name: The run.
            columns: The points (:class:`~.columns.MetricColumns`).

        Raises:
            NotFoundError: An unknown run.
            ValidationError: ``MetricData[i].<Field>`` naming the first bad point, or
                ``MetricData`` for columns of unequal length; nothing is written then.
        """
        self.log_metrics(trial_component_name, check_columns(columns).to_points())

    @abc.abstractmethod
    def get_metric_series(self, trial_component_name: str, metric_name: str) -> list[MetricPoint]:
        """Every point of one metric, ordered by step (then timestamp)."""

    # -- chart data ----------------------------------------------------------------

    @abc.abstractmethod
    def get_metric_chart(
        self,
        trial_component_names: Sequence[str],
        metric_name: str,
        *,
        experiment_name: str | None = None,
        max_points: int = 500,
        fields: Collection[str] | None = None,
    ) -> dict[str, ChartSeries]:
        """One metric of many runs, downsampled for a chart; run name → series.

        The runs are ``trial_component_names`` followed by the runs of
        ``experiment_name`` (of all its trials, by name), each once; runs without a point
        of the metric are left out. A series of at most ``max_points`` points is exact
        (one entry per step); a longer one comes from the downsampled buckets kept as
        points arrive: the finest resolution (bucket widths 16, 64, 256, … steps) with at
        most ``max_points`` buckets when steps are distinct, so between about
        ``max_points / 4`` and ``max_points`` entries (fewer when many points share a
        step); never more than ``max_points``. Never reads the raw points of a long series.

        ``fields`` names the columns to fill besides ``steps`` (keys of
        :data:`CHART_FIELDS`: ``Min``, ``Max``, ``Last``, ``Avg``, ``Count``; all when
        None); the others come back as empty lists, and a store need not read them.

        ValidationError for ``max_points`` outside 10..10,000 (``MaxPoints``), more than
        1,000 runs (``TrialComponentName``), an unknown field (``Fields``) or an invalid
        name; NotFoundError for an
        unknown run or experiment.
        """

    @abc.abstractmethod
    def list_metric_names(
        self,
        trial_component_names: Sequence[str] = (),
        *,
        experiment_name: str | None = None,
    ) -> list[str]:
        """The sorted names of the metrics logged by any of the runs (as in
        ``get_metric_chart``). NotFoundError for an unknown run or experiment."""


class MetadataStore(
    RegistryRecords, PipelineRecords, MonitoringRecords, AutoscalingRecords, TrackingStore
):
    """Tracking records, jobs, models and endpoints: everything a studio keeps (the
    registry's, pipelines', Model Monitor's and autoscaling's records are in the modules
    of those names)."""

    # -- jobs --------------------------------------------------------------------

    @abc.abstractmethod
    def create_job(self, job: Job) -> Job:
        """Store a new job as given. ConflictError if a job of any kind has that name."""

    @abc.abstractmethod
    def get_job(self, job_name: str, kind: JobKind | None = None) -> Job:
        """NotFoundError if missing (or of another kind when ``kind`` is given)."""

    @abc.abstractmethod
    def list_jobs(
        self,
        *,
        kind: JobKind | None = None,
        status: JobStatus | None = None,
        name_contains: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[Job]:
        """Newest first by default (by creation time)."""

    @abc.abstractmethod
    def update_job(
        self,
        job_name: str,
        *,
        status: JobStatus | None = None,
        secondary_status: SecondaryStatus | None = None,
        status_message: str | None = None,
        failure_reason: str | None = UNSET,
        exit_code: int | None = UNSET,
        runtime: str | None = UNSET,
        outputs: Mapping[str, Any] | None = None,
        start_time: datetime | None = UNSET,
        end_time: datetime | None = UNSET,
    ) -> Job:
        """Set the given fields. A new ``secondary_status`` closes the open transition and
        appends one. ConflictError when the job is already in a terminal status and
        ``status`` asks to leave it. ``outputs`` are merged."""

    @abc.abstractmethod
    def reopen_job(self, job_name: str, *, outputs: Mapping[str, Any] | None = None) -> Job:
        """Run an ended job again (RetryPipelineExecution): a Failed or Stopped job goes
        back to InProgress, its FailureReason and EndTime cleared, ``outputs`` merged, in
        one transaction. The only way out of a terminal status. NotFoundError when there
        is no such job; ConflictError when it has not ended or it Completed."""

    # -- models --------------------------------------------------------------------

    @abc.abstractmethod
    def create_model(
        self,
        model_name: str,
        primary_container: ContainerDefinition,
        *,
        tags: Mapping[str, str] | None = None,
        containers: Sequence[ContainerDefinition] | None = None,
    ) -> Model:
        """ConflictError if the name is taken; ValidationError for a bad name or tags.
        ``containers``: an inference pipeline's containers in order (the model then has
        them as ``containers``, served serially); none for a single-container model."""

    @abc.abstractmethod
    def get_model(self, model_name: str) -> Model: ...

    @abc.abstractmethod
    def list_models(
        self,
        *,
        name_contains: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[Model]:
        """Newest first by default (by creation time)."""

    @abc.abstractmethod
    def delete_model(self, model_name: str) -> None:
        """NotFoundError when missing. Endpoint configs name models; deleting one that a
        config names is allowed (as on SageMaker)."""

    # -- endpoints ---------------------------------------------------------------

    @abc.abstractmethod
    def create_endpoint_config(
        self,
        endpoint_config_name: str,
        production_variants: Sequence[ProductionVariant],
        *,
        data_capture_config: Mapping[str, Any] | None = None,
    ) -> EndpointConfig:
        """ConflictError if the name is taken; ValidationError for no variants or
        duplicate variant names."""

    @abc.abstractmethod
    def get_endpoint_config(self, endpoint_config_name: str) -> EndpointConfig: ...

    @abc.abstractmethod
    def list_endpoint_configs(
        self,
        *,
        name_contains: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[EndpointConfig]:
        """Newest first by default (by creation time)."""

    @abc.abstractmethod
    def delete_endpoint_config(self, endpoint_config_name: str) -> None:
        """ConflictError while an endpoint uses it."""

    @abc.abstractmethod
    def create_endpoint(
        self,
        endpoint_name: str,
        endpoint_config_name: str,
        *,
        tags: Mapping[str, str] | None = None,
    ) -> Endpoint:
        """Status Creating. NotFoundError if the config is missing."""

    @abc.abstractmethod
    def get_endpoint(self, endpoint_name: str) -> Endpoint: ...

    @abc.abstractmethod
    def list_endpoints(
        self,
        *,
        status: EndpointStatus | None = None,
        name_contains: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[Endpoint]: ...

    @abc.abstractmethod
    def update_endpoint(
        self,
        endpoint_name: str,
        *,
        status: EndpointStatus | None = None,
        endpoint_config_name: str | None = None,
        failure_reason: str | None = UNSET,
        desired_variants: Mapping[str, DesiredVariant] | None = UNSET,
    ) -> Endpoint:
        """Set the given fields. A new ``endpoint_config_name`` clears ``desired_variants``
        unless they are given too; ``desired_variants`` replaces the whole mapping."""

    @abc.abstractmethod
    def delete_endpoint(self, endpoint_name: str) -> None: ...

    # -- tags ----------------------------------------------------------------------

    @abc.abstractmethod
    def set_tags(
        self,
        kind: TaggedKind,
        name: str,
        *,
        add: Mapping[str, str] | None = None,
        remove: Sequence[str] = (),
    ) -> dict[str, str]:
        """Change the tags of one resource in one transaction: the ``remove`` keys go
        (keys it does not have are ignored), then the ``add`` tags are set (a key it has
        takes the new value). Nothing else of the resource changes.

        Args:
            kind: The resource's kind.
            name: The resource's name.
            add: Tags to set, checked as at create (ValidationError naming ``Tags``).
            remove: Keys to remove.

        Returns:
            The resource's tags afterwards.

        Raises:
            NotFoundError: No resource of ``kind`` is called ``name``.
            ValidationError: A malformed name, tag or kind.
        """
