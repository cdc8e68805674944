"""Every route of the REST API, in one table.

Paths are written as OpenAPI templates (``/experiments/{ExperimentName}``); the tornado
patterns and the OpenAPI document are both derived from this table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from jupyter_server.utils import url_path_join

from ..services.jobs.kinds import KIND_TYPES, JobKindService
from .handlers.automl import AutoMLCandidatesHandler
from .handlers.autoscaling import AutoscalingOperationHandler, EndpointAutoscalingHandler
from .handlers.base import JsonHandler, StudioHandler, UnknownRouteHandler
from .handlers.charts import MetricChartHandler, MetricNamesHandler
from .handlers.debugger import (
    DebuggerTensorHandler,
    DebuggerTensorsHandler,
    ProfilerHandler,
    ProfilerReportHandler,
)
from .handlers.experiments import (
    ExperimentHandler,
    ExperimentRunsHandler,
    ExperimentsHandler,
    MetricSeriesHandler,
    MetricsHandler,
    TrialComponentHandler,
    TrialComponentsHandler,
    TrialHandler,
    TrialsHandler,
)
from .handlers.hosting import (
    EndpointCapturesHandler,
    EndpointConfigHandler,
    EndpointConfigsHandler,
    EndpointFiguresHandler,
    EndpointHandler,
    EndpointLogsHandler,
    EndpointModelsHandler,
    EndpointsHandler,
    EndpointWeightsHandler,
    InvocationsHandler,
    ModelHandler,
    ModelsHandler,
)
from .handlers.jobs import job_handlers
from .handlers.lineage import LineageHandler
from .handlers.monitoring import (
    MonitoringExecutionsHandler,
    MonitoringReportHandler,
    MonitoringScheduleHandler,
    MonitoringSchedulesHandler,
    MonitoringScheduleStartHandler,
    MonitoringScheduleStopHandler,
)
from .handlers.pipelines import (
    PipelineExecutionDefinitionHandler,
    PipelineExecutionHandler,
    PipelineExecutionRetryHandler,
    PipelineExecutionsHandler,
    PipelineExecutionStepsHandler,
    PipelineExecutionStopHandler,
    PipelineHandler,
    PipelinesHandler,
)
from .handlers.registry import (
    ModelPackageGroupHandler,
    ModelPackageGroupsHandler,
    ModelPackageHandler,
    ModelPackagesHandler,
)
from .handlers.runs import RunArtifactHandler, TrialMemberHandler, TrialMembershipHandler
from .handlers.search import SearchHandler, SearchNamesHandler
from .handlers.system import HealthHandler, OpenApiHandler
from .handlers.tuning import TuningTrainingJobsHandler

API_PREFIX = "/mlstudio/api"


@dataclass(frozen=True)
class Route:
    path: str  # OpenAPI template, relative to API_PREFIX
    handler: type[StudioHandler]
    tag: str


def job_routes(kind: type[JobKindService]) -> tuple[Route, ...]:
    """A kind of job's routes: its collection, a job, stop, logs and artifacts."""
    h = job_handlers(kind)
    base = f"/{kind.collection}"
    routes = (
        Route(base, h.collection, "jobs"),
        Route(f"{base}/{{JobName}}", h.item, "jobs"),
        Route(f"{base}/{{JobName}}/stop", h.stop, "jobs"),
        Route(f"{base}/{{JobName}}/logs", h.logs, "jobs"),
    )
    if not kind.publishes_files:
        return routes
    return (*routes, Route(f"{base}/{{JobName}}/artifacts/{{ArtifactPath}}", h.artifact, "jobs"))


ROUTES: tuple[Route, ...] = (
    Route("/health", HealthHandler, "system"),
    Route("/openapi.json", OpenApiHandler, "system"),
    Route("/experiments", ExperimentsHandler, "experiments"),
    Route("/experiments/{ExperimentName}", ExperimentHandler, "experiments"),
    Route("/experiments/{ExperimentName}/runs", ExperimentRunsHandler, "experiments"),
    Route("/trials", TrialsHandler, "experiments"),
    Route("/trials/{TrialName}", TrialHandler, "experiments"),
    Route("/trial-components", TrialComponentsHandler, "experiments"),
    Route("/trial-components/{TrialComponentName}", TrialComponentHandler, "experiments"),
    Route("/trial-components/{TrialComponentName}/metrics", MetricsHandler, "experiments"),
    Route(
        "/trial-components/{TrialComponentName}/metrics/{MetricName}",
        MetricSeriesHandler,
        "experiments",
    ),
    Route(
        "/trial-components/{TrialComponentName}/artifacts/{ArtifactPath}",
        RunArtifactHandler,
        "experiments",
    ),
    Route("/trials/{TrialName}/trial-components", TrialMembershipHandler, "experiments"),
    Route("/search", SearchHandler, "experiments"),
    Route("/search/names", SearchNamesHandler, "experiments"),
    Route(
        "/trials/{TrialName}/trial-components/{TrialComponentName}",
        TrialMemberHandler,
        "experiments",
    ),
    Route("/charts/metrics", MetricChartHandler, "charts"),
    Route("/charts/metric-names", MetricNamesHandler, "charts"),
    *(route for kind in KIND_TYPES for route in job_routes(kind)),
    Route(
        "/hyper-parameter-tuning-jobs/{JobName}/training-jobs",
        TuningTrainingJobsHandler,
        "jobs",
    ),
    Route("/auto-ml-jobs/{JobName}/candidates", AutoMLCandidatesHandler, "jobs"),
    Route("/training-jobs/{JobName}/debugger/tensors", DebuggerTensorsHandler, "jobs"),
    Route("/training-jobs/{JobName}/debugger/tensors/{TensorName}", DebuggerTensorHandler, "jobs"),
    Route("/training-jobs/{JobName}/profiler", ProfilerHandler, "jobs"),
    Route("/training-jobs/{JobName}/profiler/report", ProfilerReportHandler, "jobs"),
    Route("/models", ModelsHandler, "endpoints"),
    Route("/models/{ModelName}", ModelHandler, "endpoints"),
    Route("/endpoint-configs", EndpointConfigsHandler, "endpoints"),
    Route("/endpoint-configs/{EndpointConfigName}", EndpointConfigHandler, "endpoints"),
    Route("/endpoints", EndpointsHandler, "endpoints"),
    Route("/endpoints/{EndpointName}", EndpointHandler, "endpoints"),
    Route("/endpoints/{EndpointName}/weights", EndpointWeightsHandler, "endpoints"),
    Route("/endpoints/{EndpointName}/invocations", InvocationsHandler, "endpoints"),
    Route("/endpoints/{EndpointName}/metrics", EndpointFiguresHandler, "endpoints"),
    Route("/endpoints/{EndpointName}/captures", EndpointCapturesHandler, "endpoints"),
    Route("/endpoints/{EndpointName}/logs", EndpointLogsHandler, "endpoints"),
    Route("/endpoints/{EndpointName}/models", EndpointModelsHandler, "endpoints"),
    Route("/endpoints/{EndpointName}/autoscaling", EndpointAutoscalingHandler, "endpoints"),
    Route("/application-autoscaling/{Operation}", AutoscalingOperationHandler, "endpoints"),
    Route("/model-package-groups", ModelPackageGroupsHandler, "registry"),
    Route("/model-package-groups/{ModelPackageGroupName}", ModelPackageGroupHandler, "registry"),
    Route(
        "/model-package-groups/{ModelPackageGroupName}/model-packages",
        ModelPackagesHandler,
        "registry",
    ),
    Route(
        "/model-package-groups/{ModelPackageGroupName}/model-packages/{ModelPackageVersion}",
        ModelPackageHandler,
        "registry",
    ),
    Route("/lineage", LineageHandler, "lineage"),
    Route("/monitoring-schedules", MonitoringSchedulesHandler, "endpoints"),
    Route("/monitoring-schedules/{MonitoringScheduleName}", MonitoringScheduleHandler, "endpoints"),
    Route(
        "/monitoring-schedules/{MonitoringScheduleName}/start",
        MonitoringScheduleStartHandler,
        "endpoints",
    ),
    Route(
        "/monitoring-schedules/{MonitoringScheduleName}/stop",
        MonitoringScheduleStopHandler,
        "endpoints",
    ),
    Route(
        "/monitoring-schedules/{MonitoringScheduleName}/report",
        MonitoringReportHandler,
        "endpoints",
    ),
    Route("/monitoring-executions", MonitoringExecutionsHandler, "endpoints"),
    Route("/pipelines", PipelinesHandler, "pipelines"),
    Route("/pipelines/{PipelineName}", PipelineHandler, "pipelines"),
    Route("/pipelines/{PipelineName}/executions", PipelineExecutionsHandler, "pipelines"),
    Route("/pipeline-executions/{PipelineExecutionId}", PipelineExecutionHandler, "pipelines"),
    Route(
        "/pipeline-executions/{PipelineExecutionId}/stop",
        PipelineExecutionStopHandler,
        "pipelines",
    ),
    Route(
        "/pipeline-executions/{PipelineExecutionId}/retry",
        PipelineExecutionRetryHandler,
        "pipelines",
    ),
    Route(
        "/pipeline-executions/{PipelineExecutionId}/steps",
        PipelineExecutionStepsHandler,
        "pipelines",
    ),
    Route(
        "/pipeline-executions/{PipelineExecutionId}/definition",
        PipelineExecutionDefinitionHandler,
        "pipelines",
    ),
)

_PARAM = re.compile(r"\{([A-Za-z]+)\}")


def path_parameters(path: str) -> list[str]:
    return _PARAM.findall(path)


def is_multi_segment(name: str) -> bool:
    """Path parameters named ``...Path`` (``ArtifactPath``) may span several segments."""
    return name.endswith("Path")


def tornado_pattern(path: str) -> str:
    """``/experiments/{ExperimentName}`` → ``/experiments/([^/]+)`` (positional groups);
    a ``{...Path}`` parameter matches ``(.+)``."""
    return _PARAM.sub(lambda m: "(.+)" if is_multi_segment(m.group(1)) else "([^/]+)", path)


def handlers() -> list[tuple[str, type[JsonHandler], dict[str, Any]]]:
    """Tornado rules, relative to the server's base URL (ExtensionApp prefixes it): each
    route with its path parameter names, then a JSON 404 for any other API path."""
    rules: list[tuple[str, type[JsonHandler], dict[str, Any]]] = [
        (
            url_path_join(API_PREFIX, tornado_pattern(r.path)),
            r.handler,
            {"path_parameters": tuple(path_parameters(r.path))},
        )
        for r in ROUTES
    ]
    rules.append((API_PREFIX + "(?:/.*)?", UnknownRouteHandler, {}))
    return rules
