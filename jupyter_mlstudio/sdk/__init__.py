"""The tracking SDK, with the names of ``sagemaker.experiments`` (SageMaker Python SDK v2).

``from jupyter_mlstudio.sdk import Run, load_run, list_runs, Experiment,
ExperimentAnalytics, Estimator, TrainingInput`` — see docs/sdk.md and docs/jobs.md.
Layers: these fluent helpers → ``TrackingClient`` (``client.py``) → a backend picked
from the tracking URI (``backends.py``, ``http.py``); jobs go through ``jobs_client.py``.
"""

from .analytics import ExperimentAnalytics
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
