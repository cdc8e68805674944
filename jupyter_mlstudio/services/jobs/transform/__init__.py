"""Batch transform jobs: a model's servers run over the input files (docs/hosting.md)."""
