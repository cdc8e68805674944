"""Serving an AutoML candidate as a two-container inference pipeline.

The model server loads this file (``SAGEMAKER_PROGRAM``) from the candidate's
``model.tar.gz`` (``code/``) in both containers; ``MLSTUDIO_AUTOML_CONTAINER`` says which
one it is:

- ``feature-transform``: CSV rows of raw values (every column of the table but the target,
  in the table's order; categories as text, empty fields missing) → the fitted feature
  transform → CSV rows of numbers;
- ``algorithm``: those numbers → the estimator → per row the keys that
  ``SAGEMAKER_INFERENCE_OUTPUT`` names (default ``predicted_label``) out of
  ``SAGEMAKER_INFERENCE_SUPPORTED``: ``predicted_label``, ``probability`` (of the predicted
  label), ``probabilities`` and ``labels`` (every class, in one order), as CSV (one line a
  row, the keys' values in order), JSON (``{"predictions": [{key: value}]}``) or JSON Lines.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

try:  # imported by the studio
    from . import automl_pipeline as ap
except ImportError:  # run as a script, or loaded by the model server, from its folder
    import automl_pipeline as ap  # type: ignore[no-redef]

CSV = "text/csv"
JSON = "application/json"
JSONLINES = "application/jsonlines"
CONTAINER_ENV = "MLSTUDIO_AUTOML_CONTAINER"
FEATURE_TRANSFORM = "feature-transform"
ALGORITHM = "algorithm"
CLASSIFICATION_KEYS = ("predicted_label", "probability", "probabilities", "labels")


class BadRequest(ValueError):
    """A request this container cannot read (answered 400 by the model server)."""

    status_code = 400


class Unsupported(ValueError):
    status_code = 415


def _role() -> str:
    role = os.environ.get(CONTAINER_ENV, ALGORITHM)
    if role not in (FEATURE_TRANSFORM, ALGORITHM):
        raise SystemExit(f"{CONTAINER_ENV} must be {FEATURE_TRANSFORM} or {ALGORITHM}: {role!r}")
    return role


def model_fn(model_dir: str) -> dict[str, Any]:
    folder = Path(model_dir)
    analysis = ap.Analysis.from_json((folder / "analysis.json").read_text())
    role = _role()
    loaded = "feature-transform.joblib" if role == FEATURE_TRANSFORM else "estimator.joblib"
    return {"role": role, "analysis": analysis, "model": joblib.load(folder / loaded)}


def _rows(body: Any, content_type: str) -> list[list[str]]:
    text = body.decode("utf-8") if isinstance(body, bytes) else str(body)
    if content_type == CSV:
        return [row for row in csv.reader(io.StringIO(text)) if row]
    if content_type == JSON:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise BadRequest(f"the body is not JSON: {exc}") from None
        if isinstance(data, dict):
            data = data.get("instances", data.get("inputs"))
        if not isinstance(data, list):
            raise BadRequest('send a JSON list of rows, or {"instances": [...]}')
        return [[("" if v is None else str(v)) for v in row] for row in data]
    raise Unsupported(f"unsupported content type {content_type!r}; send {CSV} or {JSON}")


def input_fn(body: Any, content_type: str) -> Any:
    rows = _rows(body, content_type)
    if not rows:
        raise BadRequest("the body has no rows")
    return rows


def _feature_frame(rows: list[list[str]], analysis: ap.Analysis) -> pd.DataFrame:
    names = list(analysis.columns)
    for number, row in enumerate(rows, 1):
        if len(row) != len(names):
            raise BadRequest(
                f"row {number} has {len(row)} values; each row needs {len(names)}: "
                + ", ".join(names)
            )
    frame = pd.DataFrame(rows, columns=names, dtype=object)
    return frame.where(frame != "", np.nan)


def predict_fn(rows: list[list[str]], model: dict[str, Any]) -> Any:
    analysis: ap.Analysis = model["analysis"]
    if model["role"] == FEATURE_TRANSFORM:
        frame = _feature_frame(rows, analysis)
        return model["model"].transform(ap.prepare_features(frame, analysis))
    try:
        features = np.array(rows, dtype=float)
    except ValueError as exc:
        raise BadRequest(f"the algorithm container reads numbers: {exc}") from None
    estimator = model["model"]
    predicted = estimator.predict(features)
    if analysis.problem_type == ap.REGRESSION:
        return [{"predicted_label": float(v)} for v in predicted]
    probabilities = estimator.predict_proba(features)
    labels = [str(c) for c in estimator.classes_]
    out = []
    for label, row in zip(predicted, probabilities, strict=True):
        values = [float(p) for p in row]
        out.append(
            {
                "predicted_label": str(label),
                "probability": max(values),
                "probabilities": values,
                "labels": labels,
            }
        )
    return out


def _keys() -> list[str]:
    asked = os.environ.get("SAGEMAKER_INFERENCE_OUTPUT", "predicted_label")
    keys = [k.strip() for k in asked.split(",") if k.strip()]
    supported = os.environ.get("SAGEMAKER_INFERENCE_SUPPORTED", ",".join(CLASSIFICATION_KEYS))
    unknown = [k for k in keys if k not in supported.split(",")]
    if unknown:
        raise BadRequest(f"SAGEMAKER_INFERENCE_OUTPUT names unsupported keys: {unknown}")
    return keys


def output_fn(prediction: Any, accept: str) -> tuple[str, str]:
    if isinstance(prediction, np.ndarray):  # the feature transform: numbers, as CSV
        rows = prediction.reshape(prediction.shape[0], -1).tolist()
        return "".join(",".join(repr(float(v)) for v in row) + "\n" for row in rows), CSV
    keys = [k for k in _keys() if k in prediction[0]] if prediction else []
    if accept == CSV or accept.startswith("text/csv"):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for record in prediction:
            writer.writerow([_csv_value(record[k]) for k in keys])
        return out.getvalue(), CSV
    records = [{k: record[k] for k in keys} for record in prediction]
    if accept == JSONLINES:
        return "".join(json.dumps(r) + "\n" for r in records), JSONLINES
    if accept == JSON:
        return json.dumps({"predictions": records}), JSON
    raise Unsupported(f"unsupported accept {accept!r}; ask for {CSV}, {JSON} or {JSONLINES}")


def _csv_value(value: Any) -> str:
    if isinstance(value, list):
        return json.dumps(value)
    return str(value)
