"""The second container of the pipeline: the encoded rows (CSV) → the classifier's labels."""

import io
import os

import joblib
import numpy as np


def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "model.joblib"))


def input_fn(body, content_type):
    if content_type != "text/csv":
        raise ValueError(f"the classifier reads text/csv, not {content_type}")
    text = body.decode() if isinstance(body, bytes) else body
    return np.loadtxt(io.StringIO(text), delimiter=",", ndmin=2)
