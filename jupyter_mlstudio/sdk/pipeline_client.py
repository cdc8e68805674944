"""The SDK's client of the studio's pipelines (``/mlstudio/api/pipelines`` and
``/mlstudio/api/pipeline-executions``): requests and answers in the shapes of SageMaker's
CreatePipeline, StartPipelineExecution, ListPipelineExecutionSteps and the rest."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .client import resolve_client
from .transport import StudioConnection, segment

PIPELINES = "pipelines"
EXECUTIONS = "pipeline-executions"


class PipelineClient:
    """Pipelines and their executions in one studio.

    Args:
        connection: The studio.
    """

    def __init__(self, connection: StudioConnection) -> None:
        self.connection = connection

    # -- pipelines ---------------------------------------------------------------------------
    def create_pipeline(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """CreatePipeline; the pipeline as DescribePipeline answers.

        Raises:
            ConflictError: The name is taken.
            ValidationError: A bad request or definition (the field named).
        """
        return dict(self.connection.json("POST", PIPELINES, body=dict(request)))

    def update_pipeline(self, name: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        """UpdatePipeline of the fields given; the pipeline as DescribePipeline answers."""
        path = f"{PIPELINES}/{segment(name)}"
        return dict(self.connection.json("PATCH", path, body=dict(changes)))

    def describe_pipeline(self, name: str) -> dict[str, Any]:
        """DescribePipeline."""
        return dict(self.connection.json("GET", f"{PIPELINES}/{segment(name)}"))

    def delete_pipeline(self, name: str) -> None:
        """DeletePipeline (its running executions are stopped)."""
        self.connection.send("DELETE", f"{PIPELINES}/{segment(name)}")

    def start_execution(self, name: str, request: Mapping[str, Any]) -> dict[str, Any]:
        """StartPipelineExecution; the execution as DescribePipelineExecution answers."""
        path = f"{PIPELINES}/{segment(name)}/executions"
        return dict(self.connection.json("POST", path, body=dict(request)))

    def list_executions(
        self,
        name: str,
        *,
        sort_order: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> dict[str, Any]:
        """One page of ListPipelineExecutions: ``PipelineExecutionSummaries`` and, when
        there are more, ``NextToken``."""
        query = {"SortOrder": sort_order, "MaxResults": max_results, "NextToken": next_token}
        page = self.connection.json("GET", f"{PIPELINES}/{segment(name)}/executions", query=query)
        answer = {"PipelineExecutionSummaries": page["PipelineExecutionSummaries"]}
        if page.get("NextToken"):
            answer["NextToken"] = page["NextToken"]
        return answer

    # -- executions --------------------------------------------------------------------------
    def describe_execution(self, arn: str) -> dict[str, Any]:
        """DescribePipelineExecution (by ARN or id)."""
        return dict(self.connection.json("GET", f"{EXECUTIONS}/{segment(arn)}"))

    def list_steps(self, arn: str) -> list[dict[str, Any]]:
        """ListPipelineExecutionSteps' ``PipelineExecutionSteps``, newest first."""
        answer = self.connection.json("GET", f"{EXECUTIONS}/{segment(arn)}/steps")
        return list(answer["PipelineExecutionSteps"])

    def stop_execution(self, arn: str) -> dict[str, Any]:
        """StopPipelineExecution: the execution as DescribePipelineExecution answers.

        Raises:
            ConflictError: It has ended already.
        """
        return dict(self.connection.json("POST", f"{EXECUTIONS}/{segment(arn)}/stop"))


def pipeline_client(session: Any = None) -> PipelineClient:
    """The pipeline client of a ``sagemaker_session``.

    Args:
        session: None (the default client), a Session (a ``PipelineSession`` too), a
            TrackingClient or a URI.

    Returns:
        A client of the studio that owns the session's home.
    """
    return PipelineClient(resolve_client(session).studio)
