"""The first container of the pipeline: raw CSV rows (two numbers and a colour) → the
fitted ColumnTransformer's encoding, answered as CSV."""

import csv
import io
import os

import joblib
import numpy as np


def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "preprocess.joblib"))


def input_fn(body, content_type):
    if content_type != "text/csv":
        raise ValueError(f"the preprocessor reads text/csv, not {content_type}")
    text = body.decode() if isinstance(body, bytes) else body
    rows = [r for r in csv.reader(io.StringIO(text)) if r]
    return np.array([[float(r[0]), float(r[1]), r[2]] for r in rows], dtype=object)


def predict_fn(data, model):
    return model.transform(data)


def output_fn(prediction, accept):
    if accept != "text/csv":
        raise ValueError(f"the preprocessor answers text/csv, not {accept}")
    lines = [",".join(repr(float(v)) for v in row) for row in np.asarray(prediction)]
    return "\n".join(lines) + "\n", "text/csv"
