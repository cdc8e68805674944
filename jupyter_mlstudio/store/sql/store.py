"""``SqlStore``: the metadata store on SQLAlchemy (SQLite by default, PostgreSQL for teams).

Experiments, trials and trial components live here; metrics and jobs are delegated to
``metrics.py`` and ``jobs.py``; the chart queries (``charts.py``) and the hosting records
(``hosting.py``: models, endpoint configs, endpoints) come from mixins. Every public method runs
in one :func:`~.session.session_scope` transaction and returns frozen entities.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic.util import CommandError
from sqlalchemy import Engine, delete, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from ... import entities as e
from ...entities import utcnow, validate_tags
from ...exceptions import ConflictError, StoreUnavailableError, ValidationError
from ..base import UNSET, ExperimentSortBy, MetadataStore, SortOrder, StoreHealth, TaggedKind
from ..columns import MetricColumns, check_columns
from . import convert, experiments, jobs, metrics, migrate, runs, tagging, validation
from .autoscaling import AutoscalingQueries
from .charts import ChartQueries
from .engine import make_engine, normalize_url
from .hosting import HostingQueries
from .lookups import check_name, get_id, get_row, insert_ignore, taken
from .models import (
    ExperimentRow,
    ExperimentTagRow,
    JobRow,
    ParameterRow,
    TrialComponentRow,
    TrialComponentTagRow,
    TrialComponentTrialRow,
    TrialRow,
    TrialTagRow,
)
from .monitoring import MonitoringQueries
from .paging import check_max_results, check_sort_order, paginate
from .pipelines import PipelineQueries
from .registry import RegistryQueries
from .run_table import RunTableQueries
from .session import session_scope

_TCT = TrialComponentTrialRow


class SqlStore(
    ChartQueries,
    HostingQueries,
    RegistryQueries,
    PipelineQueries,
    MonitoringQueries,
    AutoscalingQueries,
    RunTableQueries,
    MetadataStore,
):
    """A :class:`MetadataStore` on any SQLAlchemy URL this module supports.

    Opening the store applies pending Alembic migrations. Thread-safe (one session per
    call); several processes may share one SQLite file or PostgreSQL database.
    """

    def __init__(self, url: str | URL, *, upgrade: bool = True) -> None:
        self._url = normalize_url(str(url) if isinstance(url, str) else url.render_as_string(False))
        self._backend = self._url.get_backend_name()
        if self._backend == "sqlite" and self._url.database not in (None, "", ":memory:"):
            Path(self._url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self._engine: Engine = make_engine(self._url)
        self._closed = False
        if upgrade:
            try:
                migrate.upgrade(self._engine)
            except SQLAlchemyError as exc:
                self._engine.dispose()
                raise StoreUnavailableError(
                    f"Cannot open the metadata database {self._masked_url()}: {exc}"
                ) from exc
            except CommandError as exc:
                self._engine.dispose()
                raise StoreUnavailableError(
                    f"The metadata database {self._masked_url()} has a schema this version "
                    f"does not know ({exc}); upgrade jupyter_mlstudio"
                ) from exc

    @property
    def engine(self) -> Engine:
        return self._engine

    def _masked_url(self) -> str:
        return self._url.render_as_string(hide_password=True)

    @contextmanager
    def _session(
        self, *, write: bool = False, conflict: ConflictError | None = None
    ) -> Iterator[Session]:
        if self._closed:
            raise StoreUnavailableError("The metadata store is closed")
        with session_scope(self._engine, write=write, conflict=conflict) as session:
            yield session

    # -- lifecycle ---------------------------------------------------------------

    def health(self) -> StoreHealth:
        url = self._masked_url()
        head: str | None = None
        try:
            head = migrate.head_revision()
            if self._closed:
                raise StoreUnavailableError("The metadata store is closed")
            with self._engine.connect() as connection:
                connection.execute(text("SELECT 1"))
                current = migrate._current(connection)
        except Exception as exc:  # health never raises
            return StoreHealth(
                self._backend, url, False, None, head, f"{type(exc).__name__}: {exc}"
            )
        ok = current == head
        detail = None if ok else f"schema revision {current!r}, expected {head!r}"
        return StoreHealth(self._backend, url, ok, current, head, detail)

    def close(self) -> None:
        self._closed = True
        self._engine.dispose()

    # -- experiments -------------------------------------------------------------

    def create_experiment(
        self,
        experiment_name: str,
        *,
        display_name: str | None = None,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> e.Experiment:
        name = check_name(ExperimentRow, experiment_name)
        now = utcnow()
        row = ExperimentRow(
            name=name,
            display_name=validation.display_name(display_name),
            description=validation.description(description),
            creation_time=now,
            last_modified_time=now,
            tags=[ExperimentTagRow(key=k, value=v) for k, v in validate_tags(tags).items()],
        )
        with self._session(write=True, conflict=taken(ExperimentRow, name)) as s:
            s.add(row)
            s.flush()
            return convert.experiment(row)

    def get_experiment(self, experiment_name: str) -> e.Experiment:
        with self._session() as s:
            row = get_row(s, ExperimentRow, experiment_name, selectinload(ExperimentRow.tags))
            return convert.experiment(row)

    def update_experiment(
        self,
        experiment_name: str,
        *,
        display_name: str | None = UNSET,
        description: str | None = UNSET,
    ) -> e.Experiment:
        with self._session(write=True) as s:
            row = get_row(s, ExperimentRow, experiment_name, selectinload(ExperimentRow.tags))
            if display_name is not UNSET:
                row.display_name = validation.display_name(display_name)
            if description is not UNSET:
                row.description = validation.description(description)
            row.last_modified_time = utcnow()
            s.flush()
            return convert.experiment(row)

    def list_experiments(
        self,
        *,
        name_contains: str | None = None,
        tag: tuple[str, str | None] | None = None,
        sort_by: ExperimentSortBy = "CreationTime",
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> e.Page[e.ExperimentSummary]:
        max_results = check_max_results(max_results)
        descending = check_sort_order(sort_order)
        if sort_by not in ("Name", "CreationTime"):
            raise ValidationError("SortBy must be Name or CreationTime", field="SortBy")
        stmt = select(ExperimentRow).options(selectinload(ExperimentRow.tags))
        if name_contains:
            stmt = stmt.where(ExperimentRow.name.icontains(name_contains, autoescape=True))
        if tag is not None:
            stmt = stmt.where(experiments.has_tag(tag))
        with self._session() as s:
            rows, token = paginate(
                s,
                stmt,
                scope=f"experiments/{sort_by}/{sort_order}",
                sort_column=ExperimentRow.name
                if sort_by == "Name"
                else ExperimentRow.creation_time,
                id_column=ExperimentRow.id,
                descending=descending,
                max_results=max_results,
                next_token=next_token,
            )
            trial_counts, run_counts = experiments.counts(s, [row.id for row in rows])
            items = [
                convert.experiment_summary(r, trial_counts.get(r.id, 0), run_counts.get(r.id, 0))
                for r in rows
            ]
        return e.Page[e.ExperimentSummary](items=items, next_token=token)

    def delete_experiment(self, experiment_name: str) -> None:
        with self._session(write=True) as s:
            experiment_id = get_id(s, ExperimentRow, experiment_name)
            experiments.delete_with_runs(s, experiment_id)

    # -- tags --------------------------------------------------------------------

    def set_tags(
        self,
        kind: TaggedKind,
        name: str,
        *,
        add: Mapping[str, str] | None = None,
        remove: Sequence[str] = (),
    ) -> dict[str, str]:
        with self._session(write=True) as s:
            return tagging.set_tags(s, kind, name, add, remove)

    # -- trials ------------------------------------------------------------------

    def create_trial(
        self,
        trial_name: str,
        experiment_name: str,
        *,
        display_name: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> e.Trial:
        name = check_name(TrialRow, trial_name)
        now = utcnow()
        row = TrialRow(
            name=name,
            display_name=validation.display_name(display_name),
            creation_time=now,
            last_modified_time=now,
            tags=[TrialTagRow(key=k, value=v) for k, v in validate_tags(tags).items()],
        )
        with self._session(write=True, conflict=taken(TrialRow, name)) as s:
            row.experiment = get_row(s, ExperimentRow, experiment_name, field="ExperimentName")
            s.add(row)
            s.flush()
            return convert.trial(row)

    def get_trial(self, trial_name: str) -> e.Trial:
        with self._session() as s:
            return convert.trial(get_row(s, TrialRow, trial_name, selectinload(TrialRow.tags)))

    def update_trial(self, trial_name: str, *, display_name: str | None = UNSET) -> e.Trial:
        with self._session(write=True) as s:
            row = get_row(s, TrialRow, trial_name, selectinload(TrialRow.tags))
            if display_name is not UNSET:
                row.display_name = validation.display_name(display_name)
            row.last_modified_time = utcnow()
            s.flush()
            return convert.trial(row)

    def list_trials(
        self,
        *,
        experiment_name: str | None = None,
        trial_component_name: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> e.Page[e.Trial]:
        max_results = check_max_results(max_results)
        descending = check_sort_order(sort_order)
        stmt = select(TrialRow).options(selectinload(TrialRow.tags))
        with self._session() as s:
            if experiment_name is not None:
                stmt = stmt.where(
                    TrialRow.experiment_id == get_id(s, ExperimentRow, experiment_name)
                )
            if trial_component_name is not None:
                run_id = get_id(s, TrialComponentRow, trial_component_name)
                stmt = stmt.where(
                    TrialRow.id.in_(select(_TCT.trial_id).where(_TCT.trial_component_id == run_id))
                )
            rows, token = paginate(
                s,
                stmt,
                scope=f"trials/{sort_order}",
                sort_column=TrialRow.creation_time,
                id_column=TrialRow.id,
                descending=descending,
                max_results=max_results,
                next_token=next_token,
            )
            return e.Page[e.Trial](items=[convert.trial(r) for r in rows], next_token=token)

    def delete_trial(self, trial_name: str) -> None:
        with self._session(write=True) as s:
            trial_id = get_id(s, TrialRow, trial_name)
            s.execute(
                delete(TrialRow)
                .where(TrialRow.id == trial_id)
                .execution_options(synchronize_session=False)
            )

    # -- trial components (runs) ---------------------------------------------------

    def create_trial_component(
        self,
        trial_component_name: str,
        *,
        display_name: str | None = None,
        status: e.TrialComponentPrimaryStatus = e.TrialComponentPrimaryStatus.IN_PROGRESS,
        status_message: str | None = None,
        start_time: datetime | None = None,
        end_time: datetime | None = None,
        parameters: Mapping[str, e.ParameterValue] | None = None,
        input_artifacts: Mapping[str, e.TrialComponentArtifact] | None = None,
        output_artifacts: Mapping[str, e.TrialComponentArtifact] | None = None,
        source: e.TrialComponentSource | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> e.TrialComponent:
        name = check_name(TrialComponentRow, trial_component_name)
        checked_source = validation.source(source)
        now = utcnow()
        row = TrialComponentRow(
            name=name,
            display_name=validation.display_name(display_name),
            status=validation.enum_value(
                e.TrialComponentPrimaryStatus, status, "Status.PrimaryStatus"
            ).value,
            status_message=runs.message(status_message),
            start_time=runs.time_value(start_time, "StartTime"),
            end_time=runs.time_value(end_time, "EndTime"),
            source_arn=checked_source.source_arn if checked_source else None,
            source_type=checked_source.source_type if checked_source else None,
            creation_time=now,
            last_modified_time=now,
            parameters=[
                ParameterRow(name=k, number_value=number, string_value=string)
                for k, (number, string) in validation.parameters(parameters).items()
            ],
            artifacts=runs.artifact_rows(input_artifacts, output_artifacts),
            tags=[TrialComponentTagRow(key=k, value=v) for k, v in validate_tags(tags).items()],
        )
        with self._session(write=True, conflict=taken(TrialComponentRow, name)) as s:
            s.add(row)
            s.flush()
            return convert.trial_component(
                get_row(s, TrialComponentRow, name, *runs.TC_LOAD, refresh=True)
            )

    def get_trial_component(self, trial_component_name: str) -> e.TrialComponent:
        with self._session() as s:
            return convert.trial_component(
                get_row(s, TrialComponentRow, trial_component_name, *runs.TC_LOAD)
            )

    def update_trial_component(
        self,
        trial_component_name: str,
        *,
        display_name: str | None = UNSET,
        status: e.TrialComponentPrimaryStatus | None = None,
        status_message: str | None = UNSET,
        start_time: datetime | None = UNSET,
        end_time: datetime | None = UNSET,
        parameters: Mapping[str, e.ParameterValue] | None = None,
        parameters_to_remove: Sequence[str] = (),
        input_artifacts: Mapping[str, e.TrialComponentArtifact] | None = None,
        output_artifacts: Mapping[str, e.TrialComponentArtifact] | None = None,
    ) -> e.TrialComponent:
        new_parameters = validation.parameters(parameters)
        if isinstance(parameters_to_remove, str):
            raise ValidationError("ParametersToRemove must be a list", field="ParametersToRemove")
        to_remove = set(parameters_to_remove)
        if to_remove & new_parameters.keys():
            raise ValidationError(
                "A parameter cannot be both set and removed", field="ParametersToRemove"
            )
        new_artifacts = runs.artifact_rows(input_artifacts, output_artifacts)
        with self._session(write=True) as s:
            row = get_row(
                s, TrialComponentRow, trial_component_name, *runs.TC_LOAD, for_update=True
            )
            if display_name is not UNSET:
                row.display_name = validation.display_name(display_name)
            if status is not None:
                row.status = validation.enum_value(
                    e.TrialComponentPrimaryStatus, status, "Status.PrimaryStatus"
                ).value
            if status_message is not UNSET:
                row.status_message = runs.message(status_message)
            if start_time is not UNSET:
                row.start_time = runs.time_value(start_time, "StartTime")
            if end_time is not UNSET:
                row.end_time = runs.time_value(end_time, "EndTime")
            runs.merge_parameters(row, new_parameters, to_remove)
            runs.merge_artifacts(row, new_artifacts)
            row.last_modified_time = utcnow()
            s.flush()
            return convert.trial_component(row)

    def list_trial_components(
        self,
        *,
        experiment_name: str | None = None,
        trial_name: str | None = None,
        source_arn: str | None = None,
        status: e.TrialComponentPrimaryStatus | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> e.Page[e.TrialComponent]:
        max_results = check_max_results(max_results)
        descending = check_sort_order(sort_order)
        stmt = select(TrialComponentRow).options(*runs.TC_LOAD)
        if source_arn is not None:
            stmt = stmt.where(TrialComponentRow.source_arn == source_arn)
        if status is not None:
            checked = validation.enum_value(e.TrialComponentPrimaryStatus, status, "Status")
            stmt = stmt.where(TrialComponentRow.status == checked.value)
        with self._session() as s:
            stmt = stmt.where(*runs.membership_filters(s, experiment_name, trial_name))
            rows, token = paginate(
                s,
                stmt,
                scope=f"trial-components/{sort_order}",
                sort_column=TrialComponentRow.creation_time,
                id_column=TrialComponentRow.id,
                descending=descending,
                max_results=max_results,
                next_token=next_token,
            )
            items = [convert.trial_component(r) for r in rows]
        return e.Page[e.TrialComponent](items=items, next_token=token)

    def associate_trial_component(self, trial_component_name: str, trial_name: str) -> None:
        with self._session(write=True) as s:
            run_id = get_id(s, TrialComponentRow, trial_component_name)
            trial_id = get_id(s, TrialRow, trial_name)
            values = {"trial_id": trial_id, "trial_component_id": run_id, "creation_time": utcnow()}
            insert_ignore(s, TrialComponentTrialRow.__table__, values)  # type: ignore[arg-type]

    def disassociate_trial_component(self, trial_component_name: str, trial_name: str) -> None:
        with self._session(write=True) as s:
            run_id = get_id(s, TrialComponentRow, trial_component_name)
            trial_id = get_id(s, TrialRow, trial_name)
            s.execute(
                delete(_TCT)
                .where(_TCT.trial_id == trial_id, _TCT.trial_component_id == run_id)
                .execution_options(synchronize_session=False)
            )

    def delete_trial_component(self, trial_component_name: str) -> None:
        with self._session(write=True) as s:
            run_id = get_id(s, TrialComponentRow, trial_component_name)
            s.execute(
                delete(TrialComponentRow)
                .where(TrialComponentRow.id == run_id)
                .execution_options(synchronize_session=False)
            )

    # -- metrics -----------------------------------------------------------------

    def log_metrics(self, trial_component_name: str, points: Sequence[e.MetricPoint]) -> None:
        check_name(TrialComponentRow, trial_component_name)
        # Validate everything before writing anything.
        rows = metrics.prepare_points(points, sqlite_text=self._backend == "sqlite")
        with self._session(write=True) as s:
            run_id = get_id(s, TrialComponentRow, trial_component_name)
            metrics.log_points(s.connection(), run_id, rows)

    def log_metric_columns(self, trial_component_name: str, columns: MetricColumns) -> None:
        check_name(TrialComponentRow, trial_component_name)
        columns = check_columns(columns)
        rows = metrics.prepare_columns(columns, sqlite_text=self._backend == "sqlite")
        batches = metrics.summarize_columns(columns)
        with self._session(write=True) as s:
            run_id = get_id(s, TrialComponentRow, trial_component_name)
            metrics.log_points(s.connection(), run_id, rows, batches)

    def get_metric_series(self, trial_component_name: str, metric_name: str) -> list[e.MetricPoint]:
        with self._session() as s:
            run_id = get_id(s, TrialComponentRow, trial_component_name)
            return metrics.series(s.connection(), run_id, metric_name)

    # -- jobs --------------------------------------------------------------------

    def create_job(self, job: e.Job) -> e.Job:
        row = jobs.new_row(job)
        with self._session(write=True, conflict=taken(JobRow, row.name)) as s:
            s.add(row)
            s.flush()
            return convert.job(row)

    def get_job(self, job_name: str, kind: e.JobKind | None = None) -> e.Job:
        with self._session() as s:
            return convert.job(jobs.get(s, job_name, kind))

    def list_jobs(
        self,
        *,
        kind: e.JobKind | None = None,
        status: e.JobStatus | None = None,
        name_contains: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> e.Page[e.Job]:
        with self._session() as s:
            rows, token = jobs.page(
                s,
                kind=kind,
                status=status,
                name_contains=name_contains,
                sort_order=sort_order,
                max_results=max_results,
                next_token=next_token,
            )
            return e.Page[e.Job](items=[convert.job(r) for r in rows], next_token=token)

    def update_job(
        self,
        job_name: str,
        *,
        status: e.JobStatus | None = None,
        secondary_status: e.SecondaryStatus | None = None,
        status_message: str | None = None,
        failure_reason: str | None = UNSET,
        exit_code: int | None = UNSET,
        runtime: str | None = UNSET,
        outputs: Mapping[str, Any] | None = None,
        start_time: datetime | None = UNSET,
        end_time: datetime | None = UNSET,
    ) -> e.Job:
        with self._session(write=True) as s:
            row = jobs.get(s, job_name, None, for_update=True)
            jobs.apply_update(
                row,
                status=status,
                secondary_status=secondary_status,
                status_message=status_message,
                failure_reason=failure_reason,
                exit_code=exit_code,
                runtime=runtime,
                outputs=outputs,
                start_time=start_time,
                end_time=end_time,
            )
            s.flush()
            return convert.job(row)

    def reopen_job(self, job_name: str, *, outputs: Mapping[str, Any] | None = None) -> e.Job:
        with self._session(write=True) as s:
            row = jobs.get(s, job_name, None, for_update=True)
            jobs.apply_reopen(row, outputs)
            s.flush()
            return convert.job(row)
