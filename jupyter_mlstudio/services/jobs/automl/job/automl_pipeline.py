"""The AutoML pipelines: column typing, the holdout split, preprocessing, algorithms, scores.

One module for every side of an AutoML job, hence scikit-learn, pandas and numpy only
(it runs in the studio, in each candidate's training job on any runtime, in the model
servers of the inference pipeline and in the candidate definitions notebook):

- the studio analyses the table with :func:`analyse` (column types, the problem type when
  none is given) and splits it once with :func:`split`, so every candidate trains and is
  scored on the same rows;
- a candidate is a :class:`CandidateSpec` (a preprocessing recipe, an algorithm and its
  hyperparameters); :func:`build_preprocessor` and :func:`build_estimator` make the
  scikit-learn objects, :func:`scores` computes every metric of the problem type the same
  way for all candidates.

Works with scikit-learn 1.2 (the studio's Docker image) to the current release.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
    VotingClassifier,
    VotingRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

BINARY = "BinaryClassification"
MULTICLASS = "MulticlassClassification"
REGRESSION = "Regression"
PROBLEM_TYPES = (BINARY, MULTICLASS, REGRESSION)

NUMERIC = "numeric"
CATEGORICAL = "categorical"
#: a column no candidate uses (an identifier: a distinct value on every row, or constant)
DROPPED = "dropped"

#: the holdout share when the request gives no ValidationFraction
DEFAULT_VALIDATION_FRACTION = 0.2
SEED = 0
#: a numeric target with at most this many distinct integer values is a class label
MAX_CLASSES_OF_INTEGERS = 20
#: a string column with more distinct values than this share of its rows is an identifier
IDENTIFIER_SHARE = 0.95
#: most categories a one-hot encoder keeps per column (the rarer ones share a column)
MAX_ONE_HOT = 50


class DataError(ValueError):
    """The table cannot be used as it is; ``field`` names the request field at fault."""

    def __init__(self, message: str, field: str = "InputDataConfig") -> None:
        super().__init__(message)
        self.field = field


# -- objectives ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Objective:
    """A metric SageMaker Autopilot names (``AutoMLJobObjective.MetricName``)."""

    name: str
    maximize: bool
    problem_types: tuple[str, ...]


OBJECTIVES: dict[str, Objective] = {
    o.name: o
    for o in (
        Objective("Accuracy", True, (BINARY, MULTICLASS)),
        Objective("BalancedAccuracy", True, (BINARY, MULTICLASS)),
        Objective("F1", True, (BINARY,)),
        Objective("F1macro", True, (MULTICLASS,)),
        Objective("AUC", True, (BINARY,)),
        Objective("Precision", True, (BINARY,)),
        Objective("PrecisionMacro", True, (MULTICLASS,)),
        Objective("Recall", True, (BINARY,)),
        Objective("RecallMacro", True, (MULTICLASS,)),
        Objective("LogLoss", False, (BINARY, MULTICLASS)),
        Objective("MSE", False, (REGRESSION,)),
        Objective("RMSE", False, (REGRESSION,)),
        Objective("MAE", False, (REGRESSION,)),
        Objective("R2", True, (REGRESSION,)),
    )
}

#: SageMaker's default objective of each problem type
DEFAULT_OBJECTIVE = {BINARY: "F1", MULTICLASS: "Accuracy", REGRESSION: "MSE"}


def check_objective(name: str, problem_type: str) -> Objective:
    """The objective ``name`` if it fits ``problem_type``.

    Raises:
        DataError: An unknown name, or one of another problem type (``AutoMLJobObjective``).
    """
    objective = OBJECTIVES.get(name)
    if objective is None:
        raise DataError(
            f"unknown objective {name!r}; one of {', '.join(sorted(OBJECTIVES))}",
            field="AutoMLJobObjective.MetricName",
        )
    if problem_type not in objective.problem_types:
        raise DataError(
            f"objective {name} is not one of a {problem_type} problem; use one of "
            + ", ".join(o.name for o in OBJECTIVES.values() if problem_type in o.problem_types),
            field="AutoMLJobObjective.MetricName",
        )
    return objective


def metric_names(problem_type: str) -> list[str]:
    """The metrics every candidate of ``problem_type`` reports."""
    return [o.name for o in OBJECTIVES.values() if problem_type in o.problem_types]


def scores(
    problem_type: str,
    y_true: Any,
    y_pred: Any,
    probabilities: Any = None,
    classes: list[Any] | None = None,
) -> dict[str, float]:
    """Every metric of ``problem_type`` for one candidate's holdout predictions.

    Args:
        problem_type: BinaryClassification, MulticlassClassification or Regression.
        y_true: The holdout's labels (or values).
        y_pred: The candidate's predictions.
        probabilities: Class probabilities (a row a record, a column a class), for AUC.
        classes: The class labels in the order of the probabilities' columns; the second
            is the positive class of a binary problem.

    Returns:
        Metric name → value (metrics that cannot be computed are left out).
    """
    if problem_type == REGRESSION:
        mse = float(metrics.mean_squared_error(y_true, y_pred))
        return {
            "MSE": mse,
            "RMSE": math.sqrt(mse),
            "MAE": float(metrics.mean_absolute_error(y_true, y_pred)),
            "R2": float(metrics.r2_score(y_true, y_pred)),
        }
    out = {
        "Accuracy": float(metrics.accuracy_score(y_true, y_pred)),
        "BalancedAccuracy": float(metrics.balanced_accuracy_score(y_true, y_pred)),
    }
    if problem_type == BINARY:
        positive = classes[1] if classes and len(classes) > 1 else None
        kwargs: dict[str, Any] = {"pos_label": positive, "zero_division": 0}
        out["F1"] = float(metrics.f1_score(y_true, y_pred, **kwargs))
        out["Precision"] = float(metrics.precision_score(y_true, y_pred, **kwargs))
        out["Recall"] = float(metrics.recall_score(y_true, y_pred, **kwargs))
        if probabilities is not None and positive is not None:
            truth = np.asarray(y_true) == positive
            if 0 < truth.sum() < len(truth):
                out["AUC"] = float(metrics.roc_auc_score(truth, np.asarray(probabilities)[:, 1]))
    else:
        out["F1macro"] = float(metrics.f1_score(y_true, y_pred, average="macro", zero_division=0))
        out["PrecisionMacro"] = float(
            metrics.precision_score(y_true, y_pred, average="macro", zero_division=0)
        )
        out["RecallMacro"] = float(
            metrics.recall_score(y_true, y_pred, average="macro", zero_division=0)
        )
    if probabilities is not None and classes:
        out["LogLoss"] = float(metrics.log_loss(y_true, probabilities, labels=classes))
    return out


# -- the table -----------------------------------------------------------------------------


@dataclass
class Analysis:
    """What the analysis found: written as ``analysis.json`` for the candidates."""

    target: str
    problem_type: str
    #: every feature column in the table's order → NUMERIC, CATEGORICAL or DROPPED
    columns: dict[str, str]
    rows: int
    #: class labels (as strings, sorted) of a classification problem
    classes: list[str] = field(default_factory=list)
    #: per column: missing values, distinct values
    missing: dict[str, int] = field(default_factory=dict)
    distinct: dict[str, int] = field(default_factory=dict)
    #: why a problem type was inferred (empty when the request named it)
    inferred_because: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)  # columns keep the table's order

    @classmethod
    def from_json(cls, text: str) -> Analysis:
        return cls(**json.loads(text))

    def features(self, kind: str | None = None) -> list[str]:
        """The columns candidates use (of one ``kind`` when given), in table order."""
        return [c for c, k in self.columns.items() if k != DROPPED and (kind is None or k == kind)]


def read_table(path: Any) -> pd.DataFrame:
    """A CSV with a header row; values kept as read, empty fields as missing."""
    try:
        return pd.read_csv(path, low_memory=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"the input is not a readable CSV with a header row: {exc}") from None


def analyse(frame: pd.DataFrame, target: str, problem_type: str | None = None) -> Analysis:
    """Column types and the problem type of a table.

    Args:
        frame: The whole table, as :func:`read_table` gives it.
        target: The column to predict (``TargetAttributeName``).
        problem_type: As requested; inferred from the target when ``None``.

    Returns:
        The analysis.

    Raises:
        DataError: No such target, too few rows or columns, a target of one value, or a
            problem type the target cannot be.
    """
    field_name = "InputDataConfig[0].TargetAttributeName"
    if target not in frame.columns:
        shown = ", ".join(map(str, list(frame.columns)[:20]))
        raise DataError(f"the table has no column {target!r} (its columns: {shown})", field_name)
    if frame.shape[1] < 2:
        raise DataError("the table has only the target column: nothing to learn from")
    y = frame[target]
    labelled = frame[y.notna()]
    if len(labelled) < 10:
        raise DataError(
            f"the table has {len(labelled)} rows with a {target!r} value; AutoML needs at"
            " least 10 to train and hold some out"
        )
    y = labelled[target]
    distinct = int(y.nunique())
    if distinct < 2:
        raise DataError(f"the target {target!r} has a single value: nothing to predict", field_name)
    reason = ""
    if problem_type is None:
        problem_type, reason = _infer_problem_type(y)
    elif problem_type == REGRESSION and not pd.api.types.is_numeric_dtype(y):
        raise DataError(
            f"a Regression target must be numbers; {target!r} holds text such as {y.iloc[0]!r}",
            "ProblemType",
        )
    elif problem_type == BINARY and distinct != 2:
        raise DataError(
            f"a BinaryClassification target has two values; {target!r} has {distinct}",
            "ProblemType",
        )
    columns: dict[str, str] = {}
    rows = len(frame)
    for name in frame.columns:
        if name == target:
            continue
        columns[str(name)] = _column_kind(frame[name], rows)
    if not any(kind != DROPPED for kind in columns.values()):
        raise DataError("no column but the target is usable (each is constant or an identifier)")
    classes = [] if problem_type == REGRESSION else sorted(map(str, y.unique()))
    return Analysis(
        target=target,
        problem_type=problem_type,
        columns=columns,
        rows=rows,
        classes=classes,
        missing={str(c): int(frame[c].isna().sum()) for c in frame.columns},
        distinct={str(c): int(frame[c].nunique()) for c in frame.columns},
        inferred_because=reason,
    )


def _infer_problem_type(y: pd.Series) -> tuple[str, str]:
    distinct = int(y.nunique())
    if distinct == 2:
        return BINARY, "the target has two distinct values"
    if not pd.api.types.is_numeric_dtype(y):
        return MULTICLASS, f"the target holds text with {distinct} distinct values"
    integral = bool(np.all(np.mod(y.to_numpy(dtype=float), 1) == 0))
    if integral and distinct <= MAX_CLASSES_OF_INTEGERS:
        return MULTICLASS, f"the target holds {distinct} distinct whole numbers"
    return REGRESSION, "the target holds numbers with many distinct values"


def _column_kind(column: pd.Series, rows: int) -> str:
    distinct = int(column.nunique())
    if distinct <= 1:
        return DROPPED
    if pd.api.types.is_bool_dtype(column):
        return CATEGORICAL
    if pd.api.types.is_numeric_dtype(column):
        if _counts_rows(column, distinct, rows):
            return DROPPED
        return NUMERIC
    if distinct >= IDENTIFIER_SHARE * rows and rows >= 20:
        return DROPPED
    return CATEGORICAL


def _counts_rows(column: pd.Series, distinct: int, rows: int) -> bool:
    """A whole-number column with a distinct value on nearly every row, in order: a row
    number or identifier, which no model should learn from."""
    if rows < 20 or distinct < IDENTIFIER_SHARE * rows:
        return False
    values = column.dropna().to_numpy(dtype=float)
    return bool(np.all(np.mod(values, 1) == 0)) and bool(
        np.all(np.diff(values) > 0) or np.all(np.diff(values) < 0)
    )


def prepare_features(frame: pd.DataFrame, analysis: Analysis) -> pd.DataFrame:
    """The feature columns with the types the preprocessing expects: numbers as floats
    (anything else missing), categories as strings with missing values as NaN."""
    out = pd.DataFrame(index=frame.index)
    for name in analysis.features():
        column = frame[name] if name in frame.columns else pd.Series(np.nan, index=frame.index)
        if analysis.columns[name] == NUMERIC:
            out[name] = pd.to_numeric(column, errors="coerce").astype(float)
        else:
            text = column.astype(object).where(column.notna(), None)
            out[name] = text.map(lambda v: v if v is None else str(v)).astype(object)
            out[name] = out[name].where(out[name].notna(), np.nan)
    return out


def target_values(frame: pd.DataFrame, analysis: Analysis) -> np.ndarray:
    """The target column: floats for regression, class labels as strings otherwise."""
    y = frame[analysis.target]
    if analysis.problem_type == REGRESSION:
        return y.to_numpy(dtype=float)
    return y.map(str).to_numpy(dtype=object)


def split(
    frame: pd.DataFrame,
    analysis: Analysis,
    validation_fraction: float = DEFAULT_VALIDATION_FRACTION,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows with a target, split once into training and holdout (stratified by class
    for classification, the same seed every time)."""
    labelled = frame[frame[analysis.target].notna()]
    stratify = None
    if analysis.problem_type != REGRESSION:
        counts = labelled[analysis.target].value_counts()
        if counts.min() >= 2:
            stratify = labelled[analysis.target]
    train, holdout = train_test_split(
        labelled, test_size=validation_fraction, random_state=SEED, stratify=stratify
    )
    return train, holdout


# -- candidates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateSpec:
    """One candidate: a preprocessing recipe, an algorithm and its hyperparameters."""

    preprocessing: str
    algorithm: str
    params: dict[str, Any] = field(default_factory=dict)

    def hyperparameters(self) -> dict[str, str]:
        """As a training job's HyperParameters (strings)."""
        out = {"preprocessing": self.preprocessing, "algorithm": self.algorithm}
        out.update({k: json.dumps(v) for k, v in sorted(self.params.items())})
        return out

    @classmethod
    def from_hyperparameters(cls, values: dict[str, str]) -> CandidateSpec:
        if values.get("algorithm") == ENSEMBLE:
            return cls(
                values["preprocessing"], ENSEMBLE, {"members": json.loads(values["members"])}
            )
        params = {
            k: json.loads(v)
            for k, v in values.items()
            if k in ALGORITHMS.get(values.get("algorithm", ""), Algorithm("", "", {})).space
        }
        return cls(values["preprocessing"], values["algorithm"], params)


#: the preprocessing recipes: how numbers and categories are made ready for an algorithm
PREPROCESSING = {
    "scaled-onehot": "numbers: median imputation (with missing-value indicators), standard"
    " scaling; categories: most frequent imputation, one-hot encoding",
    "ordinal": "numbers: median imputation; categories: ordinal encoding (missing and"
    " unseen values as -1)",
}


def build_preprocessor(recipe: str, analysis: Analysis) -> ColumnTransformer:
    """The fitted-later feature transform of ``recipe`` for the analysed columns."""
    numeric = analysis.features(NUMERIC)
    categorical = analysis.features(CATEGORICAL)
    parts: list[tuple[str, Any, list[str]]] = []
    if recipe == "scaled-onehot":
        if numeric:
            parts.append(
                (
                    "numeric",
                    Pipeline(
                        [
                            ("impute", SimpleImputer(strategy="median", add_indicator=True)),
                            ("scale", StandardScaler()),
                        ]
                    ),
                    numeric,
                )
            )
        if categorical:
            parts.append(
                (
                    "categorical",
                    Pipeline(
                        [
                            ("impute", SimpleImputer(strategy="most_frequent")),
                            (
                                "encode",
                                OneHotEncoder(
                                    handle_unknown="infrequent_if_exist",
                                    max_categories=MAX_ONE_HOT,
                                    sparse_output=False,
                                ),
                            ),
                        ]
                    ),
                    categorical,
                )
            )
    elif recipe == "ordinal":
        if numeric:
            parts.append(("numeric", SimpleImputer(strategy="median"), numeric))
        if categorical:
            parts.append(
                (
                    "categorical",
                    OrdinalEncoder(
                        handle_unknown="use_encoded_value",
                        unknown_value=-1,
                        encoded_missing_value=-1,
                    ),
                    categorical,
                )
            )
    else:
        raise DataError(f"unknown preprocessing {recipe!r}", field="preprocessing")
    return ColumnTransformer(parts, remainder="drop", sparse_threshold=0.0)


@dataclass(frozen=True)
class Param:
    """A tuned hyperparameter: ``kind`` int, float or log (a float searched on a log scale)."""

    kind: str
    low: float
    high: float
    default: Any


@dataclass(frozen=True)
class Algorithm:
    """An algorithm: its recipe and search space."""

    name: str
    preprocessing: str
    space: dict[str, Param]


ALGORITHMS: dict[str, Algorithm] = {
    a.name: a
    for a in (
        Algorithm(
            "hist-gradient-boosting",
            "ordinal",
            {
                "learning_rate": Param("log", 0.02, 0.3, 0.1),
                "max_leaf_nodes": Param("int", 8, 128, 31),
                "min_samples_leaf": Param("int", 5, 100, 20),
                "l2_regularization": Param("log", 1e-6, 10.0, 1e-6),
                "max_iter": Param("int", 100, 500, 200),
            },
        ),
        Algorithm(
            "random-forest",
            "ordinal",
            {
                "n_estimators": Param("int", 50, 300, 100),
                "max_features": Param("float", 0.2, 1.0, 0.5),
                "min_samples_leaf": Param("int", 1, 30, 5),
            },
        ),
        Algorithm(
            "extra-trees",
            "ordinal",
            {
                "n_estimators": Param("int", 50, 300, 100),
                "max_features": Param("float", 0.2, 1.0, 0.7),
                "min_samples_leaf": Param("int", 1, 30, 5),
            },
        ),
        Algorithm("linear", "scaled-onehot", {"alpha": Param("log", 1e-4, 100.0, 1.0)}),
    )
}


#: an average of several candidates' algorithms over one feature transform (ENSEMBLING mode)
ENSEMBLE = "ensemble"


def ensemble_spec(members: list[CandidateSpec]) -> CandidateSpec:
    """A candidate that averages the members' predictions (soft voting for classes); the
    members must share a preprocessing recipe."""
    recipes = {m.preprocessing for m in members}
    if len(recipes) != 1:
        raise DataError("an ensemble's members share one preprocessing", field="members")
    return CandidateSpec(
        recipes.pop(),
        ENSEMBLE,
        {"members": [{"algorithm": m.algorithm, "params": m.params} for m in members]},
    )


def default_spec(algorithm: str) -> CandidateSpec:
    """A candidate of ``algorithm`` with every hyperparameter at its default."""
    algo = ALGORITHMS[algorithm]
    return CandidateSpec(
        algo.preprocessing, algo.name, {k: p.default for k, p in algo.space.items()}
    )


def build_estimator(spec: CandidateSpec, problem_type: str) -> Any:
    """The unfitted scikit-learn estimator of a candidate."""
    if spec.algorithm == ENSEMBLE:
        members = [
            (
                f"{member['algorithm']}-{i}",
                build_estimator(
                    CandidateSpec(spec.preprocessing, member["algorithm"], member["params"]),
                    problem_type,
                ),
            )
            for i, member in enumerate(spec.params["members"], 1)
        ]
        if problem_type == REGRESSION:
            return VotingRegressor(members)
        return VotingClassifier(members, voting="soft")
    p = {**default_spec(spec.algorithm).params, **spec.params}
    classify = problem_type != REGRESSION
    if spec.algorithm == "hist-gradient-boosting":
        cls: Any = HistGradientBoostingClassifier if classify else HistGradientBoostingRegressor
        return cls(
            learning_rate=float(p["learning_rate"]),
            max_leaf_nodes=int(p["max_leaf_nodes"]),
            min_samples_leaf=int(p["min_samples_leaf"]),
            l2_regularization=float(p["l2_regularization"]),
            max_iter=int(p["max_iter"]),
            early_stopping=True,
            random_state=SEED,
        )
    if spec.algorithm in ("random-forest", "extra-trees"):
        if spec.algorithm == "random-forest":
            cls = RandomForestClassifier if classify else RandomForestRegressor
        else:
            cls = ExtraTreesClassifier if classify else ExtraTreesRegressor
        return cls(
            n_estimators=int(p["n_estimators"]),
            max_features=float(p["max_features"]),
            min_samples_leaf=int(p["min_samples_leaf"]),
            n_jobs=-1,
            random_state=SEED,
        )
    if spec.algorithm == "linear":
        if classify:
            return LogisticRegression(C=1.0 / float(p["alpha"]), max_iter=2000)
        return Ridge(alpha=float(p["alpha"]))
    raise DataError(f"unknown algorithm {spec.algorithm!r}", field="algorithm")


def describe_spec(spec: CandidateSpec) -> str:
    """One line a person reads: the algorithm, its hyperparameters and the recipe."""
    if spec.algorithm == ENSEMBLE:
        names = ", ".join(m["algorithm"] for m in spec.params["members"])
        return f"ensemble of {names} on {spec.preprocessing} features"
    params = ", ".join(f"{k}={_short(v)}" for k, v in sorted(spec.params.items()))
    return f"{spec.algorithm} ({params}) on {spec.preprocessing} features"


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
