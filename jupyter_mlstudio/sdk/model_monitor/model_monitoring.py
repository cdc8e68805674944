"""The names of ``sagemaker.model_monitor.model_monitoring`` (SDK v2), where SageMaker
keeps them (see the package's modules for each)."""

from __future__ import annotations

from .base import ModelMonitor
from .data_quality import DefaultModelMonitor
from .executions import BaseliningJob, MonitoringExecution
from .inputs import BatchTransformInput, EndpointInput, MonitoringOutput
from .model_quality import ModelQualityMonitor
from .monitoring_files import (
    CONSTRAINT_VIOLATIONS_JSON_DEFAULT_FILE_NAME,
    CONSTRAINTS_JSON_DEFAULT_FILE_NAME,
    STATISTICS_JSON_DEFAULT_FILE_NAME,
)

__all__ = [
    "CONSTRAINTS_JSON_DEFAULT_FILE_NAME",
    "CONSTRAINT_VIOLATIONS_JSON_DEFAULT_FILE_NAME",
    "STATISTICS_JSON_DEFAULT_FILE_NAME",
    "BaseliningJob",
    "BatchTransformInput",
    "DefaultModelMonitor",
    "EndpointInput",
    "ModelMonitor",
    "ModelQualityMonitor",
    "MonitoringExecution",
    "MonitoringOutput",
]
