"""Model Monitor's analyzer: the program a monitoring or baselining job runs.

``python -m jupyter_mlstudio.monitoring`` is configured only by environment variables,
with the names SageMaker's analyzer container reads (``dataset_format``,
``dataset_source``, ``output_path``, ``baseline_statistics``, ``baseline_constraints``,
``start_time``, ``end_time``, ``analysis_type`` ...), and writes SageMaker's files:
``statistics.json`` and ``constraints.json`` for a baseline; ``statistics.json``,
``constraint_violations.json`` and the studio's ``feature_drift.json`` for an execution
over captured records. It runs inside processing jobs, so it imports nothing from the
rest of the studio: the standard library, numpy, and Apache DataSketches for the sketches
(KLL quantiles, HyperLogLog distinct counts, frequent strings).
"""

from __future__ import annotations

ANALYZER_IMAGE = "mlstudio/model-monitor-analyzer"
"""The ImageUri that makes a processing job run this program on the process runtime."""

__all__ = ["ANALYZER_IMAGE"]
