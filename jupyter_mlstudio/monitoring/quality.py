"""Model quality: predictions against ground truth, in SageMaker's model quality files.

statistics.json carries ``binary_classification_metrics``,
``multiclass_classification_metrics`` or ``regression_metrics``, each metric as
``{"value", "standard_deviation"}`` (the deviation from bootstrap resamples), plus the
confusion matrix for classification; constraints.json carries
``<kind>_constraints: {metric: {"threshold", "comparison_operator"}}`` and a violation
names ``metric_name`` and the operator as ``constraint_check_type``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .capture import csv_payload_rows, payload_text

BINARY = "BinaryClassification"
MULTICLASS = "MulticlassClassification"
REGRESSION = "Regression"
PROBLEM_TYPES = (BINARY, MULTICLASS, REGRESSION)
BOOTSTRAP_ROUNDS = 20

_SECTIONS = {
    BINARY: "binary_classification",
    MULTICLASS: "multiclass_classification",
    REGRESSION: "regression",
}
_SUGGESTED = {
    BINARY: {
        "accuracy": "LessThanThreshold",
        "precision": "LessThanThreshold",
        "recall": "LessThanThreshold",
        "f1": "LessThanThreshold",
        "auc": "LessThanThreshold",
    },
    MULTICLASS: {
        "accuracy": "LessThanThreshold",
        "weighted_precision": "LessThanThreshold",
        "weighted_recall": "LessThanThreshold",
        "weighted_f1": "LessThanThreshold",
    },
    REGRESSION: {
        "mae": "GreaterThanThreshold",
        "mse": "GreaterThanThreshold",
        "rmse": "GreaterThanThreshold",
        "r2": "LessThanThreshold",
    },
}
_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "LessThanThreshold": lambda v, t: v < t,
    "LessThanOrEqualToThreshold": lambda v, t: v <= t,
    "GreaterThanThreshold": lambda v, t: v > t,
    "GreaterThanOrEqualToThreshold": lambda v, t: v >= t,
}
_POSITIVE = {"1", "true", "yes", "positive"}


class QualityError(Exception):
    """The model quality analysis cannot run (one-line reason)."""


def label_text(value: Any) -> str:
    """A label as text: ``1.0`` -> ``"1"``, ``True`` -> ``"1"``, strings stripped."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float) and math.isfinite(value) and float(value).is_integer():
        return str(int(value))
    text = str(value).strip().strip('"')
    try:
        number = float(text)
    except ValueError:
        return text
    return str(int(number)) if math.isfinite(number) and number.is_integer() else text


def _pick(value: Any, attribute: str | None) -> Any:
    if attribute is None or attribute == "":
        while isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, dict) and len(value) == 1:
            return next(iter(value.values()))
        return value
    for part in attribute.split("."):
        if isinstance(value, dict):
            if part not in value:
                raise ValueError(f"no attribute {attribute}")
            value = value[part]
        elif isinstance(value, list):
            value = value[int(part)]
        else:
            raise ValueError(f"no attribute {attribute}")
    return value


def payload_value(part: Mapping[str, Any], attribute: str | None) -> Any:
    """The value ``attribute`` names in a captured payload (CSV: a column index).

    Args:
        part: ``endpointOutput`` (or a ground-truth ``groundTruthData``).
        attribute: A JSON key path (``a.b``, list positions as numbers) or, for CSV, a
            zero-based column index; None for the payload's single (first) value.

    Returns:
        The value.

    Raises:
        ValueError: When the payload does not parse or has no such attribute.
    """
    kind, text = payload_text(dict(part))
    if kind == "csv":
        row = csv_payload_rows(text)[0]
        index = int(attribute) if attribute and attribute.isdigit() else 0
        return row[index]
    return _pick(json.loads(text), attribute)


def _rates(y: np.ndarray, yhat: np.ndarray) -> dict[str, float]:
    tp = float(np.count_nonzero(y & yhat))
    tn = float(np.count_nonzero(~y & ~yhat))
    fp = float(np.count_nonzero(~y & yhat))
    fn = float(np.count_nonzero(y & ~yhat))
    n = tp + tn + fp + fn

    def div(a: float, b: float) -> float:
        return a / b if b else 0.0

    precision, recall = div(tp, tp + fp), div(tp, tp + fn)

    def f(beta: float) -> float:
        b2 = beta * beta
        return div((1 + b2) * precision * recall, b2 * precision + recall)

    return {
        "accuracy": div(tp + tn, n),
        "precision": precision,
        "recall": recall,
        "f0_5": f(0.5),
        "f1": f(1.0),
        "f2": f(2.0),
        "true_positive_rate": recall,
        "true_negative_rate": div(tn, tn + fp),
        "false_positive_rate": div(fp, fp + tn),
        "false_negative_rate": div(fn, fn + tp),
    }


def _auc(y: np.ndarray, scores: np.ndarray) -> float:
    positives = int(np.count_nonzero(y))
    negatives = y.size - positives
    if not positives or not negatives:
        return math.nan
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    average_rank = ends - (counts - 1) / 2.0
    ranks = average_rank[inverse]
    return float((ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def _weighted(y: np.ndarray, yhat: np.ndarray, classes: np.ndarray) -> dict[str, float]:
    support = np.array([np.count_nonzero(y == c) for c in classes], dtype=np.float64)
    total = support.sum()
    out = {"accuracy": float(np.count_nonzero(y == yhat) / y.size) if y.size else 0.0}
    per: dict[str, list[float]] = {"precision": [], "recall": [], "f0_5": [], "f1": [], "f2": []}
    for c in classes:
        tp = np.count_nonzero((y == c) & (yhat == c))
        predicted = np.count_nonzero(yhat == c)
        actual = np.count_nonzero(y == c)
        p = tp / predicted if predicted else 0.0
        r = tp / actual if actual else 0.0
        per["precision"].append(p)
        per["recall"].append(r)
        for key, beta in (("f0_5", 0.5), ("f1", 1.0), ("f2", 2.0)):
            b2 = beta * beta
            denominator = b2 * p + r
            per[key].append((1 + b2) * p * r / denominator if denominator else 0.0)
    for key, values in per.items():
        out[f"weighted_{key}"] = float(np.dot(values, support) / total) if total else 0.0
    return out


def _regression(y: np.ndarray, yhat: np.ndarray) -> dict[str, float]:
    error = yhat - y
    mse = float(np.mean(error * error))
    variance = float(np.var(y))
    return {
        "mae": float(np.mean(np.abs(error))),
        "mse": mse,
        "rmse": math.sqrt(mse),
        "r2": 1.0 - mse / variance if variance else (1.0 if mse == 0 else 0.0),
    }


def _with_deviation(
    compute: Callable[[np.ndarray], dict[str, float]], n: int
) -> dict[str, dict[str, float]]:
    values = compute(np.arange(n))
    rng = np.random.default_rng(0)
    samples = [compute(rng.integers(0, n, n)) for _ in range(BOOTSTRAP_ROUNDS)] if n > 1 else []
    out: dict[str, dict[str, float]] = {}
    for key, value in values.items():
        if isinstance(value, float) and math.isnan(value):
            continue
        spread = [s[key] for s in samples if not math.isnan(s[key])]
        out[key] = {"value": value, "standard_deviation": float(np.std(spread)) if spread else 0.0}
    return out


def _confusion(actual: Sequence[str], predicted: Sequence[str]) -> dict[str, dict[str, int]]:
    labels = sorted(set(actual) | set(predicted))
    matrix: dict[str, dict[str, int]] = {a: {p: 0 for p in labels} for a in labels}
    for a, p in zip(actual, predicted, strict=True):
        matrix[a][p] += 1
    return matrix


def quality_statistics(
    problem_type: str,
    actual: Sequence[Any],
    predicted: Sequence[Any],
    probabilities: Sequence[float | None] | None = None,
) -> dict[str, Any]:
    """Metrics of predictions against ground truth (statistics.json's metrics section).

    Args:
        problem_type: BinaryClassification, MulticlassClassification or Regression.
        actual: Ground-truth labels (numbers for Regression).
        predicted: Predicted labels (numbers for Regression).
        probabilities: Scores of the positive class (Binary; AUC when all are given).

    Returns:
        ``{"<kind>_metrics": {...}}``.

    Raises:
        QualityError: On an unknown problem type or values that are not numbers for
            Regression.
    """
    n = len(actual)
    if problem_type == REGRESSION:
        try:
            y = np.array([float(v) for v in actual])
            yhat = np.array([float(v) for v in predicted])
        except (TypeError, ValueError):
            raise QualityError(
                "problem_type Regression: labels and predictions must be numbers"
            ) from None
        return {"regression_metrics": _with_deviation(lambda i: _regression(y[i], yhat[i]), n)}
    actual_text = [label_text(v) for v in actual]
    predicted_text = [label_text(v) for v in predicted]
    if problem_type == BINARY:
        yb = np.array([v.lower() in _POSITIVE for v in actual_text], dtype=bool)
        pb = np.array([v.lower() in _POSITIVE for v in predicted_text], dtype=bool)
        scores = None
        if probabilities is not None and all(p is not None for p in probabilities):
            scores = np.array(probabilities, dtype=np.float64)

        def binary(i: np.ndarray) -> dict[str, float]:
            out = _rates(yb[i], pb[i])
            if scores is not None:
                out["auc"] = _auc(yb[i], scores[i])
            return out

        binary_metrics: dict[str, Any] = {
            "confusion_matrix": _confusion(
                ["1" if v else "0" for v in yb], ["1" if v else "0" for v in pb]
            ),
            **_with_deviation(binary, n),
        }
        return {"binary_classification_metrics": binary_metrics}
    if problem_type == MULTICLASS:
        classes = np.array(sorted(set(actual_text) | set(predicted_text)))
        ym, pm = np.array(actual_text), np.array(predicted_text)
        multi_metrics: dict[str, Any] = {
            "confusion_matrix": _confusion(actual_text, predicted_text),
            **_with_deviation(lambda i: _weighted(ym[i], pm[i], classes), n),
        }
        return {"multiclass_classification_metrics": multi_metrics}
    raise QualityError(
        f"problem_type: {problem_type or '(none)'} is not one of {', '.join(PROBLEM_TYPES)}"
    )


def _section(statistics: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]] | None:
    for problem_type, prefix in _SECTIONS.items():
        section = statistics.get(f"{prefix}_metrics")
        if isinstance(section, Mapping):
            return problem_type, section
    return None


def suggest_quality_constraints(statistics: Mapping[str, Any]) -> dict[str, Any]:
    """The constraints SageMaker suggests from a model quality baseline: each metric's
    baseline value as the threshold, with the operator that means "worse".

    Args:
        statistics: The baseline's model quality statistics.json.

    Returns:
        ``{"version": 0.0, "<kind>_constraints": {metric: {threshold, comparison_operator}}}``.
    """
    found = _section(statistics)
    if found is None:
        return {"version": 0.0}
    problem_type, section = found
    constraints = {
        metric: {"threshold": section[metric]["value"], "comparison_operator": operator}
        for metric, operator in _SUGGESTED[problem_type].items()
        if isinstance(section.get(metric), Mapping)
    }
    return {"version": 0.0, f"{_SECTIONS[problem_type]}_constraints": constraints}


def check_quality(
    statistics: Mapping[str, Any], constraints: Mapping[str, Any] | None
) -> list[dict[str, str]]:
    """Violations of model quality constraints by a window's metrics.

    Args:
        statistics: The window's model quality statistics.json.
        constraints: The baseline's constraints.json (no violations without it).

    Returns:
        ``[{"metric_name", "constraint_check_type", "description"}]``.
    """
    found = _section(statistics)
    if found is None or not constraints:
        return []
    problem_type, section = found
    limits = constraints.get(f"{_SECTIONS[problem_type]}_constraints") or {}
    violations: list[dict[str, str]] = []
    for metric, limit in limits.items():
        if not isinstance(limit, Mapping) or not isinstance(section.get(metric), Mapping):
            continue
        operator = str(limit.get("comparison_operator", ""))
        test = _OPERATORS.get(operator)
        threshold = limit.get("threshold")
        if test is None or not isinstance(threshold, int | float):
            continue
        value = float(section[metric]["value"])
        if test(value, float(threshold)):
            std = float(section[metric].get("standard_deviation", 0.0))
            violations.append(
                {
                    "metric_name": metric,
                    "constraint_check_type": operator,
                    "description": (
                        f"Metric {metric} with {value:.4g} +/- {std:.4g} was {operator} "
                        f"'{float(threshold):.4g}'"
                    ),
                }
            )
    return violations
