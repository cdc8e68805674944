"""The entry point of every model behind the multi-model endpoint of ``v2_multi_model.py``:
each archive holds a ``model.json`` naming the model; the answer names it back."""

from __future__ import annotations

import json
import os
from typing import Any


def model_fn(model_dir: str) -> dict[str, Any]:
    """The model's identity and scale, from its own archive."""
    with open(os.path.join(model_dir, "model.json")) as handle:
        return dict(json.load(handle))


def predict_fn(data: Any, model: dict[str, Any]) -> dict[str, Any]:
    """Each row's sum times the model's scale, and the model's name."""
    return {"model": model["name"], "sums": [float(sum(row)) * model["scale"] for row in data]}
