"""Pipelines: SageMaker pipeline definitions kept as records and checked when written."""
