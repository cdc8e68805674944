"""Experiments, trials, runs and metrics."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from jupyter_server.auth.decorator import authorized
from tornado.web import authenticated

from ...entities import (
    Experiment,
    MetricPoint,
    Trial,
    TrialComponent,
    TrialComponentPrimaryStatus,
    utcnow,
)
from ...exceptions import ValidationError
from ...services.tracking.experiments import create_run
from ...store.base import RunRange, TrackingStore
from ...store.columns import MetricColumns
from .. import schemas as s
from ..run_table_schemas import ListExperimentRunsQuery, ListExperimentRunsResponse
from .base import Operation, StudioHandler


class ExperimentsHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "List experiments with their run counts",
            "listExperiments",
            query=s.ListExperimentsQuery,
            response=s.ListExperimentsResponse,
        ),
        "post": Operation(
            "Create an experiment",
            "createExperiment",
            body=s.CreateExperimentRequest,
            response=Experiment,
            status=201,
            errors=(400, 403, 409),
        ),
    }

    @authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(s.ListExperimentsQuery)
        if q.TagValue is not None and q.TagKey is None:
            raise ValidationError("TagValue needs TagKey", field="TagValue")
        page = await self.run(
            self.studio.store.list_experiments,
            name_contains=q.NameContains,
            tag=(q.TagKey, q.TagValue) if q.TagKey is not None else None,
            sort_by=q.SortBy,
            sort_order=q.SortOrder,
            max_results=q.MaxResults,
            next_token=q.NextToken,
        )
        self.send(
            s.ListExperimentsResponse(ExperimentSummaries=page.items, NextToken=page.next_token)
        )

    @authenticated
    @authorized
    async def post(self) -> None:
        body = self.parse_body(s.CreateExperimentRequest)
        experiment = await self.run(
            self.studio.store.create_experiment,
            body.ExperimentName,
            display_name=body.DisplayName,
            description=body.Description,
            tags=s.tags_to_dict(body.Tags),
        )
        self.send(experiment, 201)


class ExperimentHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Describe an experiment", "describeExperiment", response=Experiment, errors=(403, 404)
        ),
        "patch": Operation(
            "Change an experiment's display name or description",
            "updateExperiment",
            body=s.UpdateExperimentRequest,
            response=Experiment,
            errors=(400, 403, 404),
        ),
        "delete": Operation(
            "Delete an experiment with its trials and the runs only it holds",
            "deleteExperiment",
            status=204,
            errors=(403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self, experiment_name: str) -> None:
        self.send(await self.run(self.studio.store.get_experiment, experiment_name))

    @authenticated
    @authorized
    async def patch(self, experiment_name: str) -> None:
        body = self.parse_body(s.UpdateExperimentRequest)
        # Present fields are set (null clears them); absent fields stay as they are.
        changes = {
            name: getattr(body, field)
            for field, name in (("DisplayName", "display_name"), ("Description", "description"))
            if field in body.model_fields_set
        }
        self.send(await self.run(self.studio.store.update_experiment, experiment_name, **changes))

    @authenticated
    @authorized
    async def delete(self, experiment_name: str) -> None:
        await self.run(self.studio.experiments.delete_experiment, experiment_name)
        self.send(None, 204)


class ExperimentRunsHandler(StudioHandler):
    """An experiment's runs, a keyset page sorted and filtered on the server (the table
    of the experiment view and the sidebar's first screen)."""

    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "List an experiment's runs sorted by a field, parameter or metric summary",
            "listExperimentRuns",
            query=ListExperimentRunsQuery,
            response=ListExperimentRunsResponse,
            errors=(400, 403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self, experiment_name: str) -> None:
        q = self.parse_query(ListExperimentRunsQuery)
        page = await self.run(
            self.studio.store.list_experiment_runs,
            experiment_name,
            name_contains=q.NameContains,
            status=q.Status,
            ranges=[RunRange(r.Key, r.Min, r.Max) for r in q.Ranges or ()],
            sort_by=q.SortBy,
            sort_order=q.SortOrder,
            max_results=q.MaxResults,
            next_token=q.NextToken,
        )
        self.send(
            ListExperimentRunsResponse(
                TrialComponentSummaries=page.items, NextToken=page.next_token
            )
        )


class TrialsHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "List trials", "listTrials", query=s.ListTrialsQuery, response=s.ListTrialsResponse
        ),
        "post": Operation(
            "Create a trial in an experiment",
            "createTrial",
            body=s.CreateTrialRequest,
            response=Trial,
            status=201,
            errors=(400, 403, 404, 409),
        ),
    }

    @authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(s.ListTrialsQuery)
        page = await self.run(
            self.studio.store.list_trials,
            experiment_name=q.ExperimentName,
            trial_component_name=q.TrialComponentName,
            sort_order=q.SortOrder,
            max_results=q.MaxResults,
            next_token=q.NextToken,
        )
        self.send(s.ListTrialsResponse(TrialSummaries=page.items, NextToken=page.next_token))

    @authenticated
    @authorized
    async def post(self) -> None:
        body = self.parse_body(s.CreateTrialRequest)
        trial = await self.run(
            self.studio.store.create_trial,
            body.TrialName,
            body.ExperimentName,
            display_name=body.DisplayName,
            tags=s.tags_to_dict(body.Tags),
        )
        self.send(trial, 201)


class TrialHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation("Describe a trial", "describeTrial", response=Trial, errors=(403, 404)),
        "patch": Operation(
            "Change a trial's display name",
            "updateTrial",
            body=s.UpdateTrialRequest,
            response=Trial,
            errors=(400, 403, 404),
        ),
        "delete": Operation(
            "Delete a trial (its runs stay)", "deleteTrial", status=204, errors=(403, 404)
        ),
    }

    @authenticated
    @authorized
    async def get(self, trial_name: str) -> None:
        self.send(await self.run(self.studio.store.get_trial, trial_name))

    @authenticated
    @authorized
    async def patch(self, trial_name: str) -> None:
        body = self.parse_body(s.UpdateTrialRequest)
        # A present DisplayName is set (null clears it); an absent one stays as it is.
        changes = (
            {"display_name": body.DisplayName} if "DisplayName" in body.model_fields_set else {}
        )
        self.send(await self.run(self.studio.store.update_trial, trial_name, **changes))

    @authenticated
    @authorized
    async def delete(self, trial_name: str) -> None:
        await self.run(self.studio.store.delete_trial, trial_name)
        self.send(None, 204)


class TrialComponentsHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "List runs (trial components) with parameters and metric summaries",
            "listTrialComponents",
            query=s.ListTrialComponentsQuery,
            response=s.ListTrialComponentsResponse,
        ),
        "post": Operation(
            "Create a run (trial component), optionally in a trial",
            "createTrialComponent",
            body=s.CreateTrialComponentRequest,
            response=TrialComponent,
            status=201,
            errors=(400, 403, 404, 409),
        ),
    }

    @authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(s.ListTrialComponentsQuery)
        page = await self.run(
            self.studio.store.list_trial_components,
            experiment_name=q.ExperimentName,
            trial_name=q.TrialName,
            source_arn=q.SourceArn,
            status=q.Status,
            sort_order=q.SortOrder,
            max_results=q.MaxResults,
            next_token=q.NextToken,
        )
        self.send(
            s.ListTrialComponentsResponse(
                TrialComponentSummaries=page.items, NextToken=page.next_token
            )
        )

    @authenticated
    @authorized
    async def post(self) -> None:
        body = self.parse_body(s.CreateTrialComponentRequest)
        status = body.Status or s.StatusBody()
        component = await self.run(
            create_run,
            self.studio.store,
            body.TrialComponentName,
            trial_name=body.TrialName,
            display_name=body.DisplayName,
            status=TrialComponentPrimaryStatus(status.PrimaryStatus),
            status_message=status.Message,
            start_time=body.StartTime,
            end_time=body.EndTime,
            parameters=body.Parameters,
            input_artifacts=body.InputArtifacts,
            output_artifacts=body.OutputArtifacts,
            source=body.Source,
            tags=s.tags_to_dict(body.Tags),
        )
        self.send(component, 201)


class TrialComponentHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Describe a run", "describeTrialComponent", response=TrialComponent, errors=(403, 404)
        ),
        "patch": Operation(
            "Update a run: display name, status, times; merge parameters and artifacts",
            "updateTrialComponent",
            body=s.UpdateTrialComponentRequest,
            response=TrialComponent,
            errors=(400, 403, 404),
        ),
        "delete": Operation(
            "Delete a run with its metrics", "deleteTrialComponent", status=204, errors=(403, 404)
        ),
    }

    @authenticated
    @authorized
    async def get(self, trial_component_name: str) -> None:
        self.send(await self.run(self.studio.store.get_trial_component, trial_component_name))

    @authenticated
    @authorized
    async def patch(self, trial_component_name: str) -> None:
        body = self.parse_body(s.UpdateTrialComponentRequest)
        given = body.model_fields_set
        changes: dict[str, Any] = {
            "parameters": body.Parameters,
            "parameters_to_remove": body.ParametersToRemove,
            "input_artifacts": body.InputArtifacts,
            "output_artifacts": body.OutputArtifacts,
        }
        # Present fields are set (null clears them); absent fields stay as they are.
        for field, name in (
            ("DisplayName", "display_name"),
            ("StartTime", "start_time"),
            ("EndTime", "end_time"),
        ):
            if field in given:
                changes[name] = getattr(body, field)
        if body.Status is not None:
            if body.Status.PrimaryStatus is not None:
                changes["status"] = TrialComponentPrimaryStatus(body.Status.PrimaryStatus)
            if "Message" in body.Status.model_fields_set:
                changes["status_message"] = body.Status.Message
        component = await self.run(
            self.studio.store.update_trial_component, trial_component_name, **changes
        )
        self.send(component)

    @authenticated
    @authorized
    async def delete(self, trial_component_name: str) -> None:
        await self.run(self.studio.experiments.delete_trial_component, trial_component_name)
        self.send(None, 204)


class MetricsHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "Log a batch of metric points to a run (all or nothing)",
            "batchPutMetrics",
            body=s.LogMetricsRequest,
            status=204,
            errors=(400, 403, 404),
        ),
    }

    @authenticated
    @authorized
    async def post(self, trial_component_name: str) -> None:
        body = self.parse_body(s.LogMetricsRequest)
        if (body.MetricData is None) == (body.Columns is None):
            raise ValidationError(
                "give exactly one of MetricData (a point an object) and Columns",
                field="MetricData",
            )
        if body.Columns is not None:
            await self.run(log_columns, self.studio.store, trial_component_name, body.Columns)
            self.send(None, 204)
            return
        now = utcnow()
        points = [
            MetricPoint(
                metric_name=d.MetricName, value=d.Value, step=d.Step, timestamp=d.Timestamp or now
            )
            for d in body.MetricData or ()
        ]
        await self.run(self.studio.store.log_metrics, trial_component_name, points)
        self.send(None, 204)


#: ``MetricData[3].Value``, the store's name of a bad point of a batch
_POINT_FIELD = re.compile(r"^MetricData\[(\d+)\]\.(\w+)$")


def log_columns(store: TrackingStore, trial_component_name: str, body: s.MetricColumnsBody) -> None:
    """Write a columnar body; a bad point is named as the body names it
    (``Columns.Value[3]``), a body of unequal columns as ``Columns``.

    Args:
        store: The studio's store.
        trial_component_name: The run.
        body: The columns.

    Raises:
        ValidationError: A bad point or columns of unequal length; nothing written.
        NotFoundError: An unknown run.
    """
    columns = MetricColumns(body.MetricName, body.Value, body.Step, body.Timestamp)
    try:
        store.log_metric_columns(trial_component_name, columns)
    except ValidationError as exc:
        match = _POINT_FIELD.match(exc.field or "")
        if match is None:
            field = "Columns" if exc.field == "MetricData" else exc.field
            raise ValidationError(
                exc.message.replace("MetricData", "Columns"), field=field
            ) from None
        field = f"Columns.{match.group(2)}[{match.group(1)}]"
        message = exc.message.replace(exc.field or "", field)
        raise ValidationError(message, field=field) from None


class MetricSeriesHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Every point of one metric of a run, by step",
            "getMetricSeries",
            response=s.MetricSeriesResponse,
            errors=(403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self, trial_component_name: str, metric_name: str) -> None:
        points = await self.run(
            self.studio.store.get_metric_series, trial_component_name, metric_name
        )
        self.send(
            s.MetricSeriesResponse(
                TrialComponentName=trial_component_name, MetricName=metric_name, Points=points
            )
        )
