"""The tracking store over a studio's REST API (as MLflow's ``RestStore`` is to its server).

:class:`RestStore` implements :class:`~jupyter_mlstudio.store.base.TrackingStore` with one
request per method, through the SDK's one transport (:mod:`.transport`); it passes the
same contract suites as the SQL store (``tests/store/test_rest_contract.py``), so the SDK
cannot tell them apart. :class:`RestRunFiles` is the run-file half
(:class:`~jupyter_mlstudio.services.tracking.experiments.RunFiles`) over the same API.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from ..entities import (
    ChartSeries,
    Experiment,
    ExperimentSummary,
    MetricPoint,
    Page,
    ParameterValue,
    Trial,
    TrialComponent,
    TrialComponentArtifact,
    TrialComponentPrimaryStatus,
    TrialComponentSource,
)
from ..exceptions import StoreUnavailableError, StudioError, ValidationError
from ..services.tracking.experiments import RunFiles
from ..store.base import UNSET, ExperimentSortBy, SortOrder, StoreHealth, TrackingStore
from ..store.columns import MetricColumns
from .transport import StudioConnection, segment

#: ``StoreHealth.backend`` of a REST store
BACKEND = "rest"
#: the studio's name of a bad point of a columnar body: ``Columns.Value[3]``
_COLUMN_FIELD = re.compile(r"^Columns\.(\w+)\[(\d+)\]$")


class RestStore(TrackingStore):
    """Experiments, trials, runs and metrics of a running studio, over HTTP.

    Args:
        connection: The studio (its URL and token).
    """

    def __init__(self, connection: StudioConnection) -> None:
        self.connection = connection
        self._closed = False

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        if self._closed:
            raise StoreUnavailableError("the store is closed")
        return self.connection.json(method, path, **kwargs)

    # -- lifecycle ---------------------------------------------------------------

    def health(self) -> StoreHealth:
        url = self.connection.uri
        if self._closed:
            return StoreHealth(BACKEND, url, False, None, None, "the store is closed")
        try:
            served = self.connection.json("GET", "health")["Store"]
        except StudioError as exc:
            return StoreHealth(BACKEND, url, False, None, None, exc.message)
        return StoreHealth(
            BACKEND,
            url,
            bool(served["Ok"]),
            served.get("SchemaRevision"),
            served.get("HeadRevision"),
            served.get("Detail") or f"the studio keeps its records in {served['Url']}",
        )

    def close(self) -> None:
        self._closed = True

    # -- experiments -------------------------------------------------------------

    def create_experiment(
        self,
        experiment_name: str,
        *,
        display_name: str | None = None,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Experiment:
        body = {
            "ExperimentName": experiment_name,
            "DisplayName": display_name,
            "Description": description,
            "Tags": _tags(tags),
        }
        return Experiment.model_validate(self._send("POST", "experiments", body=_compact(body)))

    def get_experiment(self, experiment_name: str) -> Experiment:
        return Experiment.model_validate(self._send("GET", _experiment(experiment_name)))

    def update_experiment(
        self,
        experiment_name: str,
        *,
        display_name: str | None = UNSET,
        description: str | None = UNSET,
    ) -> Experiment:
        body = _given({"DisplayName": display_name, "Description": description})
        path = _experiment(experiment_name)
        return Experiment.model_validate(self._send("PATCH", path, body=body))

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
        key, value = tag if tag is not None else (None, None)
        query = {"NameContains": name_contains, "TagKey": key, "TagValue": value}
        query.update(_page(sort_order, max_results, next_token), SortBy=sort_by)
        body = self._send("GET", "experiments", query=query)
        return _listing(body, "ExperimentSummaries", ExperimentSummary)

    def delete_experiment(self, experiment_name: str) -> None:
        self._send("DELETE", _experiment(experiment_name))

    # -- trials ------------------------------------------------------------------

    def create_trial(
        self,
        trial_name: str,
        experiment_name: str,
        *,
        display_name: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Trial:
        body = {
            "TrialName": trial_name,
            "ExperimentName": experiment_name,
            "DisplayName": display_name,
            "Tags": _tags(tags),
        }
        return Trial.model_validate(self._send("POST", "trials", body=_compact(body)))

    def get_trial(self, trial_name: str) -> Trial:
        return Trial.model_validate(self._send("GET", _trial(trial_name)))

    def update_trial(self, trial_name: str, *, display_name: str | None = UNSET) -> Trial:
        body = _given({"DisplayName": display_name})
        return Trial.model_validate(self._send("PATCH", _trial(trial_name), body=body))

    def list_trials(
        self,
        *,
        experiment_name: str | None = None,
        trial_component_name: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[Trial]:
        query = {"ExperimentName": experiment_name, "TrialComponentName": trial_component_name}
        query.update(_page(sort_order, max_results, next_token))
        return _listing(self._send("GET", "trials", query=query), "TrialSummaries", Trial)

    def delete_trial(self, trial_name: str) -> None:
        self._send("DELETE", _trial(trial_name))

    # -- trial components (runs) ---------------------------------------------------

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
        body = {
            "TrialComponentName": trial_component_name,
            "DisplayName": display_name,
            "Status": _status(status, status_message),
            "StartTime": _time(start_time),
            "EndTime": _time(end_time),
            "Parameters": _parameters(parameters),
            "InputArtifacts": _artifacts(input_artifacts),
            "OutputArtifacts": _artifacts(output_artifacts),
            "Source": None if source is None else source.to_api(),
            "Tags": _tags(tags),
        }
        answer = self._send("POST", "trial-components", body=_compact(body))
        return TrialComponent.model_validate(answer)

    def get_trial_component(self, trial_component_name: str) -> TrialComponent:
        return TrialComponent.model_validate(self._send("GET", _run(trial_component_name)))

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
        # Absent fields stay as they are; a present null clears the field.
        body = _given(
            {
                "DisplayName": display_name,
                "StartTime": start_time if start_time is UNSET else _time(start_time),
                "EndTime": end_time if end_time is UNSET else _time(end_time),
            }
        )
        status_change = _given(
            {
                "PrimaryStatus": UNSET if status is None else status.value,
                "Message": status_message,
            }
        )
        if status_change:
            body["Status"] = status_change
        body.update(
            _compact(
                {
                    "Parameters": _parameters(parameters),
                    "ParametersToRemove": list(parameters_to_remove) or None,
                    "InputArtifacts": _artifacts(input_artifacts),
                    "OutputArtifacts": _artifacts(output_artifacts),
                }
            )
        )
        answer = self._send("PATCH", _run(trial_component_name), body=body)
        return TrialComponent.model_validate(answer)

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
    ) -> Page[TrialComponent]:
        query = {
            "ExperimentName": experiment_name,
            "TrialName": trial_name,
            "SourceArn": source_arn,
            "Status": None if status is None else status.value,
        }
        query.update(_page(sort_order, max_results, next_token))
        body = self._send("GET", "trial-components", query=query)
        return _listing(body, "TrialComponentSummaries", TrialComponent)

    def associate_trial_component(self, trial_component_name: str, trial_name: str) -> None:
        body = {"TrialComponentName": trial_component_name}
        self._send("POST", f"{_trial(trial_name)}/trial-components", body=body)

    def disassociate_trial_component(self, trial_component_name: str, trial_name: str) -> None:
        path = f"{_trial(trial_name)}/trial-components/{segment(trial_component_name)}"
        self._send("DELETE", path)

    def delete_trial_component(self, trial_component_name: str) -> None:
        self._send("DELETE", _run(trial_component_name))

    # -- metrics -----------------------------------------------------------------

    def log_metrics(self, trial_component_name: str, points: Sequence[MetricPoint]) -> None:
        if not points:
            return
        data = [
            {
                "MetricName": p.metric_name,
                "Value": p.value,
                "Step": p.step,
                "Timestamp": p.timestamp.isoformat(),
            }
            for p in points
        ]
        self._send("POST", f"{_run(trial_component_name)}/metrics", body={"MetricData": data})

    def log_metric_columns(self, trial_component_name: str, columns: MetricColumns) -> None:
        """One request with a columnar body (``Columns``); the studio's refusal of point
        ``i`` (``Columns.Value[i]``) is raised as ``MetricData[i].Value``, as the SQL
        store names it."""
        if not len(columns):
            return
        body = {
            "Columns": {
                "MetricName": list(columns.names),
                "Value": list(columns.values),
                "Step": list(columns.steps),
                "Timestamp": list(columns.timestamps),
            }
        }
        try:
            self._send("POST", f"{_run(trial_component_name)}/metrics", body=body)
        except ValidationError as exc:
            match = _COLUMN_FIELD.match(exc.field or "")
            if match is not None:
                field = f"MetricData[{match.group(2)}].{match.group(1)}"
            elif exc.field == "Columns":
                field = "MetricData"
            else:
                raise
            raise ValidationError(exc.message, field=field) from None

    def get_metric_series(self, trial_component_name: str, metric_name: str) -> list[MetricPoint]:
        path = f"{_run(trial_component_name)}/metrics/{segment(metric_name)}"
        return [MetricPoint.model_validate(p) for p in self._send("GET", path)["Points"]]

    # -- chart data ----------------------------------------------------------------

    def get_metric_chart(
        self,
        trial_component_names: Sequence[str],
        metric_name: str,
        *,
        experiment_name: str | None = None,
        max_points: int = 500,
        fields: Collection[str] | None = None,
    ) -> dict[str, ChartSeries]:
        body = {
            **_selection(trial_component_names, experiment_name),
            "MetricName": metric_name,
            "MaxPoints": max_points,
        }
        if fields is not None:
            body["Fields"] = [fields] if isinstance(fields, str) else list(fields)
        answer = self._send("POST", "charts/metrics", body=body)
        series = (ChartSeries.model_validate(s) for s in answer["Series"])
        return {s.trial_component_name: s for s in series}

    def list_metric_names(
        self,
        trial_component_names: Sequence[str] = (),
        *,
        experiment_name: str | None = None,
    ) -> list[str]:
        body = _selection(trial_component_names, experiment_name)
        return list(self._send("POST", "charts/metric-names", body=body)["MetricNames"])


class RestRunFiles(RunFiles):
    """Run files through a studio, which also deletes them with their runs.

    Args:
        store: The REST store of the same studio.
    """

    def __init__(self, store: RestStore) -> None:
        self._store = store

    def put_run_artifact(
        self, trial_component_name: str, path: str, data: bytes, content_type: str | None = None
    ) -> tuple[str, str]:
        answer = self._store._send(
            "PUT",
            _file(trial_component_name, path),
            data=bytes(data),
            headers={"Content-Type": content_type or "application/octet-stream"},
        )
        return answer["ArtifactPath"], answer["ArtifactUri"]

    def get_run_artifact(self, trial_component_name: str, path: str) -> tuple[bytes, str | None]:
        answer = self._store.connection.send("GET", _file(trial_component_name, path))
        return answer.body, answer.headers.get_content_type()

    def delete_experiment(self, experiment_name: str) -> None:
        self._store.delete_experiment(experiment_name)

    def delete_trial_component(self, trial_component_name: str) -> None:
        self._store.delete_trial_component(trial_component_name)


# -- paths and bodies ---------------------------------------------------------------


def _experiment(name: str) -> str:
    return f"experiments/{segment(name)}"


def _trial(name: str) -> str:
    return f"trials/{segment(name)}"


def _run(name: str) -> str:
    return f"trial-components/{segment(name)}"


def _file(run: str, path: str) -> str:
    return f"{_run(run)}/artifacts/{quote(path)}"


def _compact(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if v is not None}


def _given(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if v is not UNSET}


def _page(sort_order: SortOrder, max_results: int, next_token: str | None) -> dict[str, Any]:
    return {"SortOrder": sort_order, "MaxResults": max_results, "NextToken": next_token}


def _listing(body: dict[str, Any], key: str, entity: Any) -> Page[Any]:
    return Page(
        items=[entity.model_validate(x) for x in body[key]], next_token=body.get("NextToken")
    )


def _selection(runs: Sequence[str], experiment_name: str | None) -> dict[str, Any]:
    return _compact({"TrialComponentName": list(runs), "ExperimentName": experiment_name})


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _status(status: TrialComponentPrimaryStatus, message: str | None) -> dict[str, Any]:
    return _compact(
        {"PrimaryStatus": TrialComponentPrimaryStatus(status).value, "Message": message}
    )


def _tags(tags: Mapping[str, str] | None) -> dict[str, str] | None:
    return None if tags is None else dict(tags)


def _parameters(values: Mapping[str, ParameterValue] | None) -> dict[str, Any] | None:
    return None if values is None else dict(values)


def _artifacts(values: Mapping[str, TrialComponentArtifact] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {k: TrialComponentArtifact.model_validate(v).to_api() for k, v in values.items()}
