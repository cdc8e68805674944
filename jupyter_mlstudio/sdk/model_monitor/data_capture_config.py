"""``DataCaptureConfig`` where ``sagemaker.model_monitor.data_capture_config`` has it."""

from __future__ import annotations

from ..data_capture import DataCaptureConfig

__all__ = ["DataCaptureConfig"]
