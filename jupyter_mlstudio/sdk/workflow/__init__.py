"""SageMaker Pipelines' DSL (``sagemaker.workflow.*``) with the same module names.

Code written for SageMaker runs with its imports changed from ``sagemaker.workflow.X`` to
``jupyter_mlstudio.sdk.workflow.X``: parameters, steps, conditions, functions, properties,
step collections and ``Pipeline.definition()``, which emits SageMaker's pipeline
definition JSON (Version ``2020-12-01``). docs/pipelines.md describes what differs.

This package module stays light (no steps, no estimators) so that the SDK's own modules
can ask :func:`is_pipeline_variable` without an import cycle.
"""

from __future__ import annotations

from .entities import Entity, Expression, PipelineVariable, is_pipeline_variable

__all__ = ["Entity", "Expression", "PipelineVariable", "is_pipeline_variable"]
