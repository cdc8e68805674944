"""Model Monitor with the names of ``sagemaker.model_monitor`` (SageMaker Python SDK v2):
``from jupyter_mlstudio.sdk.model_monitor import DefaultModelMonitor, DatasetFormat,
CronExpressionGenerator`` in place of ``from sagemaker.model_monitor import ...``.

A baseline (``suggest_baseline``) is a processing job of the studio's analyzer; a
schedule (``create_monitoring_schedule``) runs executions — processing jobs too — over an
endpoint's captured data, each writing SageMaker's ``statistics.json`` and
``constraint_violations.json``. Modules as SageMaker's: ``model_monitoring`` (the
monitors, jobs and inputs), ``monitoring_files``, ``dataset_format``,
``cron_expression_generator``, ``data_capture_config``. See docs/monitoring.md.
"""

from __future__ import annotations

from .base import ModelMonitor
from .cron_expression_generator import CronExpressionGenerator
from .data_capture_config import DataCaptureConfig
from .data_quality import DefaultModelMonitor
from .dataset_format import DatasetFormat, MonitoringDatasetFormat
from .executions import BaseliningJob, MonitoringExecution
from .inputs import BatchTransformInput, EndpointInput, MonitoringOutput
from .model_quality import ModelQualityMonitor
from .monitoring_files import Constraints, ConstraintViolations, Statistics

__all__ = [
    "BaseliningJob",
    "BatchTransformInput",
    "ConstraintViolations",
    "Constraints",
    "CronExpressionGenerator",
    "DataCaptureConfig",
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
