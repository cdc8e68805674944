"""Hyperparameter tuning jobs: training jobs driven by a search (Optuna)."""
