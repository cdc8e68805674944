"""Inference code ModelBuilder repacks into the model archive (``code/``): a linear rule
read from ``model.json``, one label per CSV row (1.0 where the score is positive)."""

from __future__ import annotations

import json
import os

import numpy as np


def model_fn(model_dir: str) -> dict[str, np.ndarray]:
    """Read the weights and the bias.

    Args:
        model_dir: The unpacked model folder.

    Returns:
        ``weights`` and ``bias`` as arrays.
    """
    with open(os.path.join(model_dir, "model.json")) as saved:
        model = json.load(saved)
    return {"weights": np.array(model["weights"]), "bias": np.array(model["bias"])}


def predict_fn(data: np.ndarray, model: dict[str, np.ndarray]) -> np.ndarray:
    """Label each row.

    Args:
        data: The rows (the default CSV handler's 2-D array).
        model: What :func:`model_fn` read.

    Returns:
        1.0 where ``data @ weights + bias > 0``, else 0.0.
    """
    return (data @ model["weights"] + model["bias"] > 0).astype(float)
