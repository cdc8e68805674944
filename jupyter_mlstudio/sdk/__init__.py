"""The tracking SDK, with the names of ``sagemaker.experiments`` (SageMaker Python SDK v2).

``from jupyter_mlstudio.sdk import Run, load_run, list_runs, Experiment,
ExperimentAnalytics`` — see docs/sdk.md. Layers: these fluent helpers → ``TrackingClient``
(``client.py``) → a backend picked from the tracking URI (``backends.py``, ``http.py``).
"""

from .analytics import ExperimentAnalytics
from .client import ENV_TRACKING_URI, TrackingClient
from .experiment import Experiment
from .run import Run, list_runs, load_run

__all__ = [
    "ENV_TRACKING_URI",
    "Experiment",
    "ExperimentAnalytics",
    "Run",
    "TrackingClient",
    "list_runs",
    "load_run",
]
