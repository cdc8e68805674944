"""The tracking SDK, with the names of ``sagemaker.experiments`` (SageMaker Python SDK v2).

``from jupyter_mlstudio.sdk import Run, load_run, list_runs, Experiment,
ExperimentAnalytics, Estimator, TrainingInput`` — see docs/sdk.md and docs/jobs.md;
``HyperparameterTuner`` and its ranges as ``sagemaker.tuner`` has them (docs/tuning.md).
Layers: these fluent helpers → ``TrackingClient`` (``client.py``) → the tracking store
picked from the tracking URI (``tracking_uri.py``: the SQL store, or ``rest_store.py``
over a studio's REST API); jobs and endpoints go to one studio (``connection.py``,
``jobs_client.py``, ``hosting_client.py``).
"""

from .analytics import (
    ExperimentAnalytics,
    HyperparameterTuningJobAnalytics,  # tuning (docs/tuning.md), as sagemaker.analytics
    TrainingJobAnalytics,
)
from .client import ENV_TRACKING_URI, TrackingClient
from .estimator import Estimator
from .experiment import Experiment
from .inputs import TrainingInput
from .run import Run, list_runs, load_run

__all__ = [
    "ENV_TRACKING_URI",
    "Estimator",
    "Experiment",
    "ExperimentAnalytics",
    "Run",
    "TrackingClient",
    "TrainingInput",
    "list_runs",
    "load_run",
]

# hosting: models, endpoints, batch transform (docs/sdk.md, docs/hosting.md); AutoML
# (Autopilot on tables, docs/autopilot.md)
from .automl import AutoML, AutoMLInput
from .data_capture import DataCaptureConfig
from .deserializers import (
    BaseDeserializer,
    BytesDeserializer,
    CSVDeserializer,
    JSONDeserializer,
    NumpyDeserializer,
    StringDeserializer,
)
from .model import Model, ModelPackage
from .model_metrics import FileSource, MetricsSource, ModelMetrics
from .multidatamodel import MultiDataModel  # multi-model endpoints (docs/hosting.md)
from .predictor import Predictor
from .serializers import (
    BaseSerializer,
    CSVSerializer,
    IdentitySerializer,
    JSONSerializer,
    NumpySerializer,
)
from .session import Session, production_variant
from .transformer import Transformer

# hyperparameter tuning (docs/tuning.md)
from .tuner import (
    CategoricalParameter,
    ContinuousParameter,
    HyperbandStrategyConfig,
    HyperparameterTuner,
    IntegerParameter,
    ParameterRange,
    StrategyConfig,
    TuningJobCompletionCriteriaConfig,
    WarmStartConfig,
    WarmStartTypes,
)

__all__ += [
    "BaseDeserializer",
    "BaseSerializer",
    "BytesDeserializer",
    "CSVDeserializer",
    "CSVSerializer",
    "DataCaptureConfig",
    "FileSource",
    "IdentitySerializer",
    "JSONDeserializer",
    "JSONSerializer",
    "MetricsSource",
    "Model",
    "ModelMetrics",
    "ModelPackage",
    "NumpyDeserializer",
    "NumpySerializer",
    "Predictor",
    "Session",
    "StringDeserializer",
    "Transformer",
    "production_variant",
]

__all__ += [
    "CategoricalParameter",
    "ContinuousParameter",
    "HyperbandStrategyConfig",
    "HyperparameterTuner",
    "HyperparameterTuningJobAnalytics",
    "IntegerParameter",
    "ParameterRange",
    "StrategyConfig",
    "TrainingJobAnalytics",
    "TuningJobCompletionCriteriaConfig",
    "WarmStartConfig",
    "WarmStartTypes",
]

__all__ += ["AutoML", "AutoMLInput", "MultiDataModel"]

# inference pipelines (docs/hosting.md)
from .pipeline_model import PipelineModel  # noqa: E402 - appended after the others

__all__ += ["PipelineModel"]

# Debugger and profiler: rules that watch a training job (docs/debugger.md)
from .debugger import (  # noqa: E402 - appended after the others
    CollectionConfig,
    DebuggerHookConfig,
    ProfilerConfig,
    ProfilerRule,
    Rule,
    rule_configs,
)

__all__ += [
    "CollectionConfig",
    "DebuggerHookConfig",
    "ProfilerConfig",
    "ProfilerRule",
    "Rule",
    "rule_configs",
]

# Model Monitor: baselines and monitoring schedules over endpoints' captured data, as
# sagemaker.model_monitor has them (docs/monitoring.md)
from .model_monitor import (  # noqa: E402 - appended after the others
    BaseliningJob,
    BatchTransformInput,
    Constraints,
    ConstraintViolations,
    CronExpressionGenerator,
    DatasetFormat,
    DefaultModelMonitor,
    EndpointInput,
    ModelMonitor,
    ModelQualityMonitor,
    MonitoringDatasetFormat,
    MonitoringExecution,
    MonitoringOutput,
    Statistics,
)

__all__ += [
    "BaseliningJob",
    "BatchTransformInput",
    "ConstraintViolations",
    "Constraints",
    "CronExpressionGenerator",
    "DatasetFormat",
    "DefaultModelMonitor",
    "EndpointInput",
    "ModelMonitor",
    "ModelQualityMonitor",
    "MonitoringDatasetFormat",
    "MonitoringExecution",
    "MonitoringOutput",
    "Statistics",
]

# endpoint autoscaling with boto3's application-autoscaling names (docs/autoscaling.md)
from .autoscaling import AutoscalingClient, autoscaling_client  # noqa: E402

__all__ += ["AutoscalingClient", "autoscaling_client"]

# SageMaker's Search of runs and training jobs, answered from the store's indexes
from .search_client import search, search_all, search_names  # noqa: E402

__all__ += ["search", "search_all", "search_names"]
