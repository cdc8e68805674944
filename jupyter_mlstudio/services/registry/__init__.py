"""The model registry: model package groups and their approved (or not) versions."""
