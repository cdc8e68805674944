"""Classifier charts logged as JSON artifacts, with the fields SageMaker Studio reads.

scikit-learn computes them when it is importable; otherwise numpy does, giving the same
numbers as scikit-learn's defaults (``roc_curve`` drops intermediate collinear points,
``precision_recall_curve`` keeps every threshold).
"""

from __future__ import annotations

from typing import Any

from ..exceptions import ValidationError


def _sklearn_metrics() -> Any:
    try:
        from sklearn import metrics
    except ImportError:
        return None
    return metrics


def _numpy() -> Any:
    try:
        import numpy
    except ImportError:  # pragma: no cover - numpy comes with pandas (the "sdk" extra)
        raise ValidationError(
            "charts need numpy or scikit-learn: pip install 'jupyter_mlstudio[notebook]'",
            field="y_true",
        ) from None
    return numpy


def check_lengths(y_true: Any, predicted: Any, name: str) -> None:
    if len(y_true) != len(predicted):
        raise ValidationError(
            f"y_true and {name} must have the same length ({len(y_true)} != {len(predicted)})",
            field=name,
        )
    if len(y_true) == 0:
        raise ValidationError("y_true is empty", field="y_true")


def confusion_matrix(
    y_true: Any, y_pred: Any, title: str | None, *, use_sklearn: bool = True
) -> dict[str, Any]:
    check_lengths(y_true, y_pred, "y_pred")
    metrics = _sklearn_metrics() if use_sklearn else None
    if metrics is not None:
        matrix = metrics.confusion_matrix(y_true, y_pred).tolist()
    else:
        np = _numpy()
        true, pred = np.asarray(y_true), np.asarray(y_pred)
        labels = np.unique(np.concatenate([true, pred]))
        index = {label: i for i, label in enumerate(labels.tolist())}
        matrix = [[0] * len(labels) for _ in labels]
        for t, p in zip(true.tolist(), pred.tolist(), strict=True):
            matrix[index[t]][index[p]] += 1
    return {"type": "ConfusionMatrix", "version": 0, "title": title, "confusionMatrix": matrix}


def _binary_clf_curve(y_true: Any, y_score: Any, pos_label: Any) -> tuple[Any, Any, Any]:
    """Cumulative false and true positives at each distinct score, highest first."""
    np = _numpy()
    true, score = np.asarray(y_true), np.asarray(y_score, dtype=float)
    if pos_label is None:
        classes = set(np.unique(true).tolist())
        if not classes <= {0, 1} and not classes <= {-1, 1}:
            raise ValidationError(
                "y_true must hold binary labels {0, 1} or {-1, 1}, or give positive_label",
                field="positive_label",
            )
        pos_label = 1
    positive = (true == pos_label).astype(float)
    order = np.argsort(score, kind="mergesort")[::-1]
    score, positive = score[order], positive[order]
    distinct = np.where(np.diff(score))[0]
    ends = np.r_[distinct, positive.size - 1]
    tps = np.cumsum(positive)[ends]
    fps = 1 + ends - tps
    return fps, tps, score[ends]


def roc_curve(
    y_true: Any, y_score: Any, title: str | None, *, use_sklearn: bool = True
) -> dict[str, Any]:
    check_lengths(y_true, y_score, "y_score")
    metrics = _sklearn_metrics() if use_sklearn else None
    if metrics is not None:
        fpr, tpr, _ = metrics.roc_curve(y_true, y_score)
        area = float(metrics.auc(fpr, tpr))
        fpr_list, tpr_list = fpr.tolist(), tpr.tolist()
    else:
        np = _numpy()
        fps, tps, _ = _binary_clf_curve(y_true, y_score, None)
        if fps.size > 2:  # drop points on a straight line, as scikit-learn does
            keep = np.where(np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True])[0]
            fps, tps = fps[keep], tps[keep]
        fps, tps = np.r_[0, fps], np.r_[0, tps]
        fpr = fps / fps[-1] if fps[-1] > 0 else np.full(fps.shape, np.nan)
        tpr = tps / tps[-1] if tps[-1] > 0 else np.full(tps.shape, np.nan)
        trapezoid = getattr(np, "trapezoid", None) or np.trapz  # numpy < 2 has trapz only
        area = float(trapezoid(tpr, fpr))
        fpr_list, tpr_list = fpr.tolist(), tpr.tolist()
    return {
        "type": "ROCCurve",
        "version": 0,
        "title": title,
        "falsePositiveRate": fpr_list,
        "truePositiveRate": tpr_list,
        "areaUnderCurve": area,
    }


def precision_recall(
    y_true: Any,
    probabilities: Any,
    positive_label: Any,
    title: str | None,
    no_skill: Any,
    *,
    use_sklearn: bool = True,
) -> dict[str, Any]:
    check_lengths(y_true, probabilities, "predicted_probabilities")
    metrics = _sklearn_metrics() if use_sklearn else None
    if metrics is not None:
        kwargs = {} if positive_label is None else {"pos_label": positive_label}
        precision, recall, _ = metrics.precision_recall_curve(y_true, probabilities, **kwargs)
        ap = float(
            metrics.average_precision_score(y_true, probabilities, average="micro", **kwargs)
        )
        precision_list, recall_list = precision.tolist(), recall.tolist()
    else:
        np = _numpy()
        fps, tps, _ = _binary_clf_curve(y_true, probabilities, positive_label)
        predicted = tps + fps
        precision = np.divide(tps, predicted, out=np.zeros_like(tps), where=predicted != 0)
        recall = tps / tps[-1] if tps[-1] > 0 else np.ones_like(tps)
        precision, recall = np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0]
        ap = float(-np.sum(np.diff(recall) * precision[:-1]))
        precision_list, recall_list = precision.tolist(), recall.tolist()
    return {
        "type": "PrecisionRecallCurve",
        "version": 0,
        "title": title,
        "precision": precision_list,
        "recall": recall_list,
        "averagePrecisionScore": ap,
        "noSkill": no_skill,
    }
