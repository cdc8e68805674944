"""Chart data: the numpy fallback gives scikit-learn's numbers for known inputs."""

from __future__ import annotations

import pytest

from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.sdk import curves

Y = [0, 0, 1, 1]
SCORES = [0.1, 0.4, 0.35, 0.8]


def test_confusion_matrix_with_string_labels() -> None:
    data = curves.confusion_matrix(["b", "a", "b"], ["b", "b", "a"], "t", use_sklearn=False)
    assert data["confusionMatrix"] == [[0, 1], [1, 1]]  # labels sorted: a, b


def test_roc_curve_drops_collinear_points() -> None:
    scores = [0.1, 0.2, 0.3, 0.7, 0.8, 0.9]
    data = curves.roc_curve([0, 0, 0, 1, 1, 1], scores, None, use_sklearn=False)
    assert data["falsePositiveRate"] == [0.0, 0.0, 0.0, 1.0]
    assert data["truePositiveRate"] == [0.0, 1 / 3, 1.0, 1.0]
    assert data["areaUnderCurve"] == 1.0


def test_precision_recall_with_a_positive_label() -> None:
    data = curves.precision_recall(["n", "n", "p", "p"], SCORES, "p", "PR", None, use_sklearn=False)
    assert data["precision"] == [0.5, 2 / 3, 0.5, 1.0, 1.0]
    assert data["recall"] == [1.0, 1.0, 0.5, 0.5, 0.0]
    with pytest.raises(ValidationError):
        curves.precision_recall(["n", "p"], [0.1, 0.2], None, None, None, use_sklearn=False)


def test_same_numbers_as_scikit_learn() -> None:
    pytest.importorskip("sklearn")
    for fn, args in (
        (curves.roc_curve, (Y, SCORES, None)),
        (curves.confusion_matrix, (Y, [0, 1, 1, 1], None)),
        (curves.precision_recall, (Y, SCORES, None, None, None)),
    ):
        ours, theirs = fn(*args, use_sklearn=False), fn(*args, use_sklearn=True)  # type: ignore[operator]
        assert ours.keys() == theirs.keys()
        for key, value in theirs.items():
            if isinstance(value, float) or (isinstance(value, list) and key != "confusionMatrix"):
                assert ours[key] == pytest.approx(value), key
            else:
                assert ours[key] == value, key
