"""The tracking backend for a running studio: its REST API under ``/mlstudio/api``, over
the SDK's one transport (:mod:`.transport`: the token, errors as the server raised them).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from ..entities import (
    Experiment,
    ExperimentSummary,
    MetricPoint,
    Page,
    Trial,
    TrialComponent,
    TrialComponentArtifact,
)
from ..store.base import SortOrder
from .backends import TrackingBackend
from .transport import StudioConnection, segment


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _artifacts(values: Mapping[str, TrialComponentArtifact]) -> dict[str, Any]:
    return {k: TrialComponentArtifact.model_validate(v).to_api() for k, v in values.items()}


class HttpBackend(TrackingBackend):
    """Tracking through a studio's REST API.

    Args:
        uri: The Jupyter server's base URL.
        token: Its token; None reads ``MLSTUDIO_TOKEN`` (and Jupyter's variables).
    """

    def __init__(self, uri: str, *, token: str | None = None) -> None:
        #: the studio this backend talks to (jobs and endpoints use it too)
        self.connection = StudioConnection(uri, token=token)
        self.uri = self.connection.uri

    def _call(
        self,
        method: str,
        path: str,
        *,
        content_type: str | None = None,
        **kwargs: Any,
    ) -> bytes:
        headers = {"Content-Type": content_type} if content_type else None
        return self.connection.send(method, path, headers=headers, **kwargs).body

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        payload = self._call(method, path, **kwargs)
        return json.loads(payload) if payload else None

    # -- experiments and trials -------------------------------------------------------

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
            "Tags": dict(tags) if tags else None,
        }
        return Experiment.model_validate(self._json("POST", "experiments", body=_compact(body)))

    def get_experiment(self, experiment_name: str) -> Experiment:
        return Experiment.model_validate(
            self._json("GET", f"experiments/{segment(experiment_name)}")
        )

    def list_experiments(
        self,
        *,
        sort_by: str = "CreationTime",
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[ExperimentSummary]:
        query = {
            "SortBy": sort_by,
            "SortOrder": sort_order,
            "MaxResults": max_results,
            "NextToken": next_token,
        }
        body = self._json("GET", "experiments", query=query)
        items = [ExperimentSummary.model_validate(x) for x in body["ExperimentSummaries"]]
        return Page(items=items, next_token=body.get("NextToken"))

    def delete_experiment(self, experiment_name: str) -> None:
        self._call("DELETE", f"experiments/{segment(experiment_name)}")

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
            "Tags": dict(tags) if tags else None,
        }
        return Trial.model_validate(self._json("POST", "trials", body=_compact(body)))

    def get_trial(self, trial_name: str) -> Trial:
        return Trial.model_validate(self._json("GET", f"trials/{segment(trial_name)}"))

    def list_trials(
        self,
        *,
        experiment_name: str | None = None,
        trial_component_name: str | None = None,
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[Trial]:
        query = {
            "ExperimentName": experiment_name,
            "TrialComponentName": trial_component_name,
            "MaxResults": max_results,
            "NextToken": next_token,
        }
        body = self._json("GET", "trials", query=query)
        items = [Trial.model_validate(x) for x in body["TrialSummaries"]]
        return Page(items=items, next_token=body.get("NextToken"))

    # -- runs -----------------------------------------------------------------------

    def create_trial_component(
        self,
        trial_component_name: str,
        *,
        trial_name: str | None = None,
        display_name: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> TrialComponent:
        body = {
            "TrialComponentName": trial_component_name,
            "TrialName": trial_name,
            "DisplayName": display_name,
            "Tags": dict(tags) if tags else None,
        }
        return TrialComponent.model_validate(
            self._json("POST", "trial-components", body=_compact(body))
        )

    def get_trial_component(self, trial_component_name: str) -> TrialComponent:
        return TrialComponent.model_validate(
            self._json("GET", f"trial-components/{segment(trial_component_name)}")
        )

    def update_trial_component(self, trial_component_name: str, **changes: Any) -> TrialComponent:
        body: dict[str, Any] = {}
        for name, field in (
            ("display_name", "DisplayName"),
            ("start_time", "StartTime"),
            ("end_time", "EndTime"),
        ):
            if name in changes:  # None clears the field; a missing name leaves it
                value = changes.pop(name)
                body[field] = _time(value) if isinstance(value, datetime) else value
        status = changes.pop("status", None)
        message = changes.pop("status_message", None)
        if status is not None:
            body["Status"] = _compact({"PrimaryStatus": str(status.value), "Message": message})
        if (parameters := changes.pop("parameters", None)) is not None:
            body["Parameters"] = dict(parameters)
        if remove := changes.pop("parameters_to_remove", ()):
            body["ParametersToRemove"] = list(remove)
        for name, field in (
            ("input_artifacts", "InputArtifacts"),
            ("output_artifacts", "OutputArtifacts"),
        ):
            if (values := changes.pop(name, None)) is not None:
                body[field] = _artifacts(values)
        if changes:
            raise TypeError(f"unexpected changes: {sorted(changes)}")
        path = f"trial-components/{segment(trial_component_name)}"
        return TrialComponent.model_validate(self._json("PATCH", path, body=body))

    def list_trial_components(
        self,
        *,
        experiment_name: str | None = None,
        trial_name: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[TrialComponent]:
        query = {
            "ExperimentName": experiment_name,
            "TrialName": trial_name,
            "SortOrder": sort_order,
            "MaxResults": max_results,
            "NextToken": next_token,
        }
        body = self._json("GET", "trial-components", query=query)
        items = [TrialComponent.model_validate(x) for x in body["TrialComponentSummaries"]]
        return Page(items=items, next_token=body.get("NextToken"))

    def associate_trial_component(self, trial_component_name: str, trial_name: str) -> None:
        self._call(
            "POST",
            f"trials/{segment(trial_name)}/trial-components",
            body={"TrialComponentName": trial_component_name},
        )

    # -- metrics and files ----------------------------------------------------------

    def log_metrics(self, trial_component_name: str, points: Sequence[MetricPoint]) -> None:
        data = [
            {
                "MetricName": p.metric_name,
                "Value": p.value,
                "Step": p.step,
                "Timestamp": p.timestamp.isoformat(),
            }
            for p in points
        ]
        path = f"trial-components/{segment(trial_component_name)}/metrics"
        self._call("POST", path, body={"MetricData": data})

    def get_metric_series(self, trial_component_name: str, metric_name: str) -> list[MetricPoint]:
        path = f"trial-components/{segment(trial_component_name)}/metrics/{segment(metric_name)}"
        body = self._json("GET", path)
        return [MetricPoint.model_validate(p) for p in body["Points"]]

    def put_run_artifact(
        self, trial_component_name: str, path: str, data: bytes, content_type: str | None
    ) -> str:
        url = f"trial-components/{segment(trial_component_name)}/artifacts/{quote(path)}"
        body = self._json(
            "PUT", url, data=bytes(data), content_type=content_type or "application/octet-stream"
        )
        uri: str = body["ArtifactUri"]
        return uri

    def get_run_artifact(self, trial_component_name: str, path: str) -> bytes:
        url = f"trial-components/{segment(trial_component_name)}/artifacts/{quote(path)}"
        return self._call("GET", url)


def _compact(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if v is not None}
