"""Serves the linear model train.py saved: CSV rows in, one prediction per row out."""

import json
import os

import numpy as np


def model_fn(model_dir: str) -> np.ndarray:
    with open(os.path.join(model_dir, "model.json")) as source:
        return np.array(json.load(source)["weights"])


def predict_fn(data: np.ndarray, model: np.ndarray) -> np.ndarray:
    return np.round(data @ model, 6)
