"""The two notebooks an AutoML job writes: data exploration and candidate definitions.

Both are generated with :mod:`nbformat` from what the job found and built, and run as they
are in a plain Python kernel with pandas, scikit-learn and plotly (boto3 for ``s3://``
data): they never import the studio. The data exploration notebook reads the input table
again and shows the column types, missing values, the target and correlations; the
candidate definitions notebook rebuilds every candidate as explicit scikit-learn code,
trains it on the job's training split and scores it on its holdout exactly as the job did.

scikit-learn and pandas are imported only when a notebook is built (through
:mod:`.job.automl_pipeline`), so importing this module stays cheap for the studio.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from .sklearn_source import candidate_code, quote, render

__all__ = [
    "CANDIDATE_DEFINITIONS_NOTEBOOK",
    "DATA_EXPLORATION_NOTEBOOK",
    "CandidateEntry",
    "candidate_code",
    "candidate_definitions_notebook",
    "data_exploration_notebook",
]

if TYPE_CHECKING:
    from .job import automl_pipeline as ap

DATA_EXPLORATION_NOTEBOOK = "SageMakerAutopilotDataExplorationNotebook.ipynb"
CANDIDATE_DEFINITIONS_NOTEBOOK = "SageMakerAutopilotCandidateDefinitionNotebook.ipynb"

#: most values of a categorical column the exploration lists
TOP_VALUES = 10

_KERNEL_METADATA = {
    "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
    "language_info": {"name": "python"},
}

#: reads the tables; needs io, os, urlparse, unquote and pandas as pd
_LOAD_TABLE = '''
def load_table(uri):
    """A CSV with a header row from a local path, a file:// URI or an s3:// URI.

    S3 is read with boto3 and this kernel's credentials (the studio's kernels have them
    in their environment), at AWS_ENDPOINT_URL_S3 when that is set.
    """
    parsed = urlparse(uri)
    if parsed.scheme == "s3":
        import boto3

        endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or None
        s3 = boto3.client("s3", endpoint_url=endpoint)
        answer = s3.get_object(Bucket=parsed.netloc, Key=parsed.path.lstrip("/"))
        return pd.read_csv(io.BytesIO(answer["Body"].read()), low_memory=False)
    if parsed.scheme == "file":
        return pd.read_csv(unquote(parsed.path), low_memory=False)
    return pd.read_csv(uri, low_memory=False)
'''.strip()


@dataclass(frozen=True)
class CandidateEntry:
    """A candidate as the definitions notebook lists it.

    Attributes:
        name: The candidate (its training job's name).
        spec: Its preprocessing recipe, algorithm and hyperparameters.
        objective_value: The objective the job measured on the holdout; ``None`` when the
            candidate is not trained yet or failed.
    """

    name: str
    spec: ap.CandidateSpec
    objective_value: float | None


def _notebook(cells: list[Any]) -> nbformat.NotebookNode:
    notebook = new_notebook(cells=cells, metadata=json.loads(json.dumps(_KERNEL_METADATA)))
    nbformat.validate(notebook)
    return notebook


def _literal(value: Any, name: str) -> str:
    """``name = <value>``: a Python literal of plain data (strings, numbers, lists, dicts)."""
    return f"{name} = {render(value, {}, 0, len(name) + 3)}"


def _code(text: str) -> Any:
    return new_code_cell(text.strip("\n"))


def _markdown(text: str) -> Any:
    return new_markdown_cell(text.strip("\n"))


# -- data exploration ----------------------------------------------------------------------


def data_exploration_notebook(
    analysis: ap.Analysis, *, job_name: str, data_uri: str
) -> nbformat.NotebookNode:
    """The data exploration notebook of an AutoML job.

    Args:
        analysis: What the job's analysis found.
        job_name: The AutoML job's name.
        data_uri: The whole input table (a CSV): a local path, ``file://`` or ``s3://`` URI.

    Returns:
        The notebook (valid nbformat 4, not executed).
    """
    from .job import automl_pipeline as ap

    numeric = analysis.features(ap.NUMERIC)
    categorical = analysis.features(ap.CATEGORICAL)
    dropped = [c for c, kind in analysis.columns.items() if kind == ap.DROPPED]
    classify = analysis.problem_type != ap.REGRESSION
    found = {
        "rows": analysis.rows,
        "columns": analysis.columns,
        "missing": analysis.missing,
        "distinct": analysis.distinct,
    }
    why = analysis.inferred_because or "the job's request named it (`ProblemType`)"
    cells = [
        _markdown(f"""
# Data exploration: AutoML job `{job_name}`

The AutoML job `{job_name}` analysed its input table before it built any candidate: it gave
each column a type, chose what to predict and how, and split the labelled rows into a
training set and a holdout. This notebook reads the table again and shows what the job saw:
the table's size, the column types, missing values, the target `{analysis.target}` and how
the numeric columns relate to it.

It needs pandas and plotly only (boto3 when the data is in S3). Run it top to bottom; if
the table has moved, change `DATA_URI` in the next cell. The job's own findings are written
into that cell (`ANALYSIS`), so you can compare them with what the data shows now.
"""),
        _code(f"""
import io
import os
from urllib.parse import unquote, urlparse

import pandas as pd
import plotly.express as px

DATA_URI = {quote(data_uri)}
TARGET = {quote(analysis.target)}
PROBLEM_TYPE = {quote(analysis.problem_type)}
{_literal(numeric, "NUMERIC_COLUMNS")}
{_literal(categorical, "CATEGORICAL_COLUMNS")}
#: what the job found: every column's type, missing and distinct values
{_literal(found, "ANALYSIS")}


{_LOAD_TABLE}


data = load_table(DATA_URI)
print(f"{{data.shape[0]}} rows, {{data.shape[1]}} columns")
data.head(10)
"""),
        _markdown(f"""
## The problem

The job predicts `{analysis.target}` as a **{analysis.problem_type}** problem because {why}.
{_classes_text(analysis)}
Rows without a `{analysis.target}` value are left out of training and scoring.
"""),
        _markdown(f"""
## Column types

Each column is **numeric** (missing values imputed with the median, then scaled or used as
is), **categorical** (missing values imputed or kept as a category of their own, then
encoded as one-hot or ordinal codes) or **dropped**: a constant column or an identifier
(a distinct value on nearly every row, such as a row number), which no model should learn
from. {_dropped_text(dropped, analysis)}

The table lists the job's counts (`missing`, `distinct`) next to the ones computed now from
the data (`missing now`, `distinct now`): they differ only if the table changed since.
"""),
        _code("""
kinds = {**ANALYSIS["columns"], TARGET: "target"}
column_types = pd.DataFrame(
    {
        "column": list(data.columns),
        "inferred type": [kinds.get(c, "(not in the analysis)") for c in data.columns],
        "pandas dtype": [str(data[c].dtype) for c in data.columns],
        "missing": [ANALYSIS["missing"].get(c) for c in data.columns],
        "missing now": [int(data[c].isna().sum()) for c in data.columns],
        "missing %": [round(100 * data[c].isna().mean(), 2) for c in data.columns],
        "distinct": [ANALYSIS["distinct"].get(c) for c in data.columns],
        "distinct now": [int(data[c].nunique()) for c in data.columns],
    }
)
column_types
"""),
        _markdown("""
## Missing values

The share of rows without a value, per column. The candidates impute missing numbers with
the column's median (the linear candidates also get a column saying the value was
missing) and treat a missing category as the most frequent one or as a code of its own.
"""),
        _code("""
missing = pd.DataFrame(
    {"column": list(data.columns), "missing %": 100 * data.isna().mean().to_numpy()}
)
fig = px.bar(missing, x="column", y="missing %", title="Missing values (% of rows)")
fig.update_yaxes(range=[0, max(1.0, missing["missing %"].max() * 1.1)])
fig.show()
"""),
        *_target_cells(analysis, classify),
        *_correlation_cells(analysis, numeric, classify),
        *_categorical_cells(categorical),
        _markdown(f"""
## Next

The candidates the job trained on these columns, as scikit-learn code you can run and
change, are in the candidate definitions notebook (`{CANDIDATE_DEFINITIONS_NOTEBOOK}`).
"""),
    ]
    return _notebook(cells)


def _classes_text(analysis: ap.Analysis) -> str:
    if not analysis.classes:
        return ""
    shown = ", ".join(f"`{c}`" for c in analysis.classes[:20])
    more = f" and {len(analysis.classes) - 20} more" if len(analysis.classes) > 20 else ""
    return f"Its {len(analysis.classes)} classes, sorted: {shown}{more}.\n"


def _dropped_text(dropped: list[str], analysis: ap.Analysis) -> str:
    if not dropped:
        return "The job dropped no column."
    reasons = [
        f"`{c}` ({'constant' if analysis.distinct.get(c, 0) <= 1 else 'an identifier'})"
        for c in dropped
    ]
    return "The job dropped " + ", ".join(reasons) + "."


def _target_cells(analysis: ap.Analysis, classify: bool) -> list[Any]:
    if classify:
        how = """the rows of each class. A class much rarer than the others is
harder to learn; the holdout split keeps each class's share (it is stratified)."""
        chart = """classes = target.dropna().map(str).value_counts().sort_index()
counts = pd.DataFrame({TARGET: classes.index, "rows": classes.to_numpy()})
px.bar(counts, x=TARGET, y="rows", title=f"{TARGET}: rows per class").show()
counts"""
    else:
        how = """a histogram of its values. A long tail or outliers weigh
heavily on squared-error objectives (MSE, RMSE)."""
        chart = """labelled = data.dropna(subset=[TARGET])
px.histogram(labelled, x=TARGET, nbins=40, title=TARGET).show()
target.describe()"""
    return [
        _markdown(f"## The target\n\nHow `{analysis.target}` is distributed over the rows: {how}"),
        _code(f"""
target = data[TARGET]
print(f"{{int(target.isna().sum())}} rows have no {{TARGET!r}} value")
{chart}
"""),
    ]


def _correlation_cells(analysis: ap.Analysis, numeric: list[str], classify: bool) -> list[Any]:
    if not numeric:
        return [_markdown("## Correlations\n\nThe job found no numeric column.")]
    cells = [
        _markdown("""
## Correlations

The Pearson correlation of each pair of numeric columns (and of the target when it is a
number): close to 1 or -1, one column largely repeats the other; near 0, no linear relation
(there may still be another kind). Missing values are left out pair by pair.
"""),
        _code("""
columns = list(NUMERIC_COLUMNS)
if pd.api.types.is_numeric_dtype(data[TARGET]):
    columns.append(TARGET)
correlations = data[columns].corr(method="pearson")
fig = px.imshow(
    correlations,
    text_auto=".2f",
    zmin=-1,
    zmax=1,
    color_continuous_scale="RdBu_r",
    title="Pearson correlation",
)
fig.show()
correlations
"""),
    ]
    if classify:
        cells += [
            _markdown("""
Per class, the mean of each numeric column: a column whose mean differs much between
classes helps tell them apart.
"""),
            _code("""
labels = data[TARGET].map(str, na_action="ignore")
class_means = data[NUMERIC_COLUMNS].groupby(labels).mean()
class_means
"""),
        ]
    return cells


def _categorical_cells(categorical: list[str]) -> list[Any]:
    if not categorical:
        return [_markdown("## Categorical columns\n\nThe job found no categorical column.")]
    return [
        _markdown(f"""
## Categorical columns

The {TOP_VALUES} most frequent values of each categorical column (a missing value counts as
`(missing)`) and their share of the rows (charted for the first 30 columns). Values the
training split has never seen are encoded as unknown by every candidate.
"""),
        _code(f"""
TOP_VALUES = {TOP_VALUES}
rows = []
for column in CATEGORICAL_COLUMNS:
    values = data[column].map(str, na_action="ignore").fillna("(missing)")
    counts = values.value_counts()
    for value, count in counts.head(TOP_VALUES).items():
        share = round(100 * count / len(data), 2)
        rows.append({{"column": column, "value": value, "rows": count, "share %": share}})
    if len(counts) > TOP_VALUES:
        rest = int(counts.iloc[TOP_VALUES:].sum())
        other = f"({{len(counts) - TOP_VALUES}} other values)"
        share = round(100 * rest / len(data), 2)
        rows.append({{"column": column, "value": other, "rows": rest, "share %": share}})
top_values = pd.DataFrame(rows)
charted = top_values[top_values["column"].isin(CATEGORICAL_COLUMNS[:30])]
fig = px.bar(
    charted,
    x="value",
    y="rows",
    facet_col="column",
    facet_col_wrap=3,
    title="Most frequent values",
)
fig.update_xaxes(matches=None)
fig.show()
top_values
"""),
    ]


# -- candidate definitions -----------------------------------------------------------------

#: what each objective measures
_OBJECTIVE_TEXT = {
    "Accuracy": "the share of holdout rows whose class is predicted right",
    "BalancedAccuracy": "the share of each class's rows predicted right, averaged over classes",
    "F1": "the harmonic mean of precision and recall for the positive class",
    "Precision": "the share of rows predicted positive that are positive",
    "Recall": "the share of positive rows predicted positive",
    "AUC": "the area under the ROC curve of the positive class's probability",
    "F1macro": "the F1 score of each class, averaged over the classes",
    "PrecisionMacro": "the precision of each class, averaged over the classes",
    "RecallMacro": "the recall of each class, averaged over the classes",
    "LogLoss": "the cross-entropy of the predicted class probabilities",
    "MSE": "the mean squared error",
    "RMSE": "the square root of the mean squared error",
    "MAE": "the mean absolute error",
    "R2": "the coefficient of determination (1 is perfect, 0 is as good as the mean)",
}
#: each objective as automl_pipeline.scores computes it, from ``y``, ``predicted``,
#: ``probabilities``, ``classes`` (sorted) and ``positive`` (the second class)
_METRIC = {
    "Accuracy": "metrics.accuracy_score(y, predicted)",
    "BalancedAccuracy": "metrics.balanced_accuracy_score(y, predicted)",
    "F1": "metrics.f1_score(y, predicted, pos_label=positive, zero_division=0)",
    "Precision": "metrics.precision_score(y, predicted, pos_label=positive, zero_division=0)",
    "Recall": "metrics.recall_score(y, predicted, pos_label=positive, zero_division=0)",
    "AUC": "metrics.roc_auc_score(np.asarray(y) == positive, probabilities[:, 1])",
    "F1macro": 'metrics.f1_score(y, predicted, average="macro", zero_division=0)',
    "PrecisionMacro": 'metrics.precision_score(y, predicted, average="macro", zero_division=0)',
    "RecallMacro": 'metrics.recall_score(y, predicted, average="macro", zero_division=0)',
    "LogLoss": "metrics.log_loss(y, probabilities, labels=classes)",
    "MSE": "metrics.mean_squared_error(y, predicted)",
    "RMSE": "math.sqrt(metrics.mean_squared_error(y, predicted))",
    "MAE": "metrics.mean_absolute_error(y, predicted)",
    "R2": "metrics.r2_score(y, predicted)",
}


def _objective_body(objective: str) -> str:
    metric = _METRIC[objective]
    lines = [
        line
        for name, line in (
            ("predicted", "predicted = estimator.predict(x)"),
            ("probabilities", "probabilities = estimator.predict_proba(x)"),
            ("classes", "classes = [str(c) for c in estimator.classes_]  # sorted"),
            ("positive", "positive = str(estimator.classes_[1])  # the second class"),
        )
        if name in metric
    ]
    return "\n".join(f"    {line}" for line in [*lines, f"return float({metric})"])


def candidate_definitions_notebook(
    analysis: ap.Analysis,
    candidates: list[CandidateEntry],
    *,
    job_name: str,
    objective: str,
    train_uri: str,
    validation_uri: str,
) -> nbformat.NotebookNode:
    """The candidate definitions notebook of an AutoML job.

    Args:
        analysis: What the job's analysis found.
        candidates: The candidates, in the order the notebook lists them (best first).
        job_name: The AutoML job's name.
        objective: The job's objective metric (``AutoMLJobObjective.MetricName``).
        train_uri: The training split (a CSV): a local path, ``file://`` or ``s3://`` URI.
        validation_uri: The holdout split, likewise.

    Returns:
        The notebook (valid nbformat 4, not executed).

    Raises:
        ValueError: An objective this module cannot write as code.
    """
    from .job import automl_pipeline as ap

    if objective not in _METRIC or objective not in ap.OBJECTIVES:
        raise ValueError(f"no code for the objective {objective!r}")
    maximize = ap.OBJECTIVES[objective].maximize
    classify = analysis.problem_type != ap.REGRESSION
    recipes = sorted({c.spec.preprocessing for c in candidates})
    recipe_text = "\n".join(f"- `{r}`: {ap.PREPROCESSING.get(r, r)}" for r in recipes)
    features = {c: analysis.columns[c] for c in analysis.features()}
    positive = ""
    if ap.OBJECTIVES[objective].problem_types == (ap.BINARY,):
        positive = " The positive class is the second of the sorted labels (`classes_[1]`)."
    math_import = "import math\n" if "math." in _METRIC[objective] else ""
    target_code = "frame[TARGET].map(str).to_numpy(dtype=object)"
    if not classify:
        target_code = "frame[TARGET].to_numpy(dtype=float)"
    cells = [
        _markdown(f"""
# Candidate definitions: AutoML job `{job_name}`

The AutoML job `{job_name}` predicts `{analysis.target}` ({analysis.problem_type}). Each of
its {len(candidates)} candidates is a scikit-learn feature transform (a `ColumnTransformer`)
followed by an estimator with tuned hyperparameters. Every candidate was trained on the same
training split and scored on the same holdout with the objective **{objective}**
({"higher" if maximize else "lower"} is better).

This notebook writes each candidate out as plain scikit-learn code, trains it on the
training split and scores it on the holdout again, then ranks them. It needs pandas, numpy
and scikit-learn only (boto3 when the splits are in S3): change a candidate's code and run
its cell to try a variant. The preprocessing recipes the candidates use:

{recipe_text}
"""),
        _code(f"""
import io
{math_import}import os
from urllib.parse import unquote, urlparse

import numpy as np
import pandas as pd
from sklearn import metrics

TRAIN_URI = {quote(train_uri)}
VALIDATION_URI = {quote(validation_uri)}
TARGET = {quote(analysis.target)}
PROBLEM_TYPE = {quote(analysis.problem_type)}
OBJECTIVE = {quote(objective)}
HIGHER_IS_BETTER = {maximize!r}


{_LOAD_TABLE}


train = load_table(TRAIN_URI)
holdout = load_table(VALIDATION_URI)
print(f"training split: {{len(train)}} rows; holdout: {{len(holdout)}} rows")
"""),
        _markdown(f"""
## Features and target

The candidates see the feature columns in the table's order with the types the job gave
them: numeric columns as floats (a value that is not a number counts as missing),
categorical columns as text with missing values left missing. Dropped columns (constants
and identifiers) are not used. The target is {"a class label, as text" if classify else "a float"}.
"""),
        _code(f"""
#: the columns the candidates use, in the table's order, and their types
{_literal(features, "FEATURES")}


def prepare_features(frame):
    \"\"\"The feature columns with the types the feature transforms expect.\"\"\"
    out = pd.DataFrame(index=frame.index)
    for name, kind in FEATURES.items():
        if name in frame.columns:
            column = frame[name]
        else:
            column = pd.Series(np.nan, index=frame.index)
        if kind == "numeric":
            out[name] = pd.to_numeric(column, errors="coerce").astype(float)
        else:
            text = column.astype(object).where(column.notna(), None)
            out[name] = text.map(lambda v: v if v is None else str(v)).astype(object)
            out[name] = out[name].where(out[name].notna(), np.nan)
    return out


def target_values(frame):
    \"\"\"The target: {"class labels as strings" if classify else "floats"}.\"\"\"
    return {target_code}


x_train, y_train = prepare_features(train), target_values(train)
x_holdout, y_holdout = prepare_features(holdout), target_values(holdout)
"""),
        _markdown(f"""
## The objective

{objective} is {_OBJECTIVE_TEXT[objective]}, computed on the holdout rows as the job computes
it for every candidate.{positive}
"""),
        _code(f"""
def holdout_objective(estimator, x, y):
    \"\"\"{objective} of a fitted estimator on transformed rows x with targets y.\"\"\"
{_objective_body(objective)}


results = []
"""),
    ]
    for rank, entry in enumerate(candidates, 1):
        cells += _candidate_cells(rank, entry, analysis, objective)
    cells += [
        _markdown("""
## All candidates

The holdout objective of every candidate this notebook trained, best first, next to the
value the job reported.
"""),
        _code("""
columns = ["candidate", "algorithm", "preprocessing", OBJECTIVE, "reported by the job"]
leaderboard = (
    pd.DataFrame(results, columns=columns)
    .sort_values(OBJECTIVE, ascending=not HIGHER_IS_BETTER, kind="stable")
    .reset_index(drop=True)
)
leaderboard
"""),
    ]
    return _notebook(cells)


def _candidate_cells(
    rank: int, entry: CandidateEntry, analysis: ap.Analysis, objective: str
) -> list[Any]:
    from .job import automl_pipeline as ap

    spec = entry.spec
    params = ", ".join(f"`{k}={v!r}`" for k, v in sorted(spec.params.items())) or "defaults"
    reported = "not reported (the candidate has not finished training, or failed)"
    job_value = "None"
    if entry.objective_value is not None:
        reported = f"**{float(entry.objective_value):.6g}**"
        job_value = repr(float(entry.objective_value))
    recipe = ap.PREPROCESSING.get(spec.preprocessing, spec.preprocessing)
    return [
        _markdown(f"""
## {rank}. `{entry.name}`

- Algorithm: `{spec.algorithm}` with {params}
- Preprocessing: `{spec.preprocessing}` ({recipe})
- {objective} on the holdout, as the job reported it: {reported}
"""),
        _code(f"""
{candidate_code(spec, analysis)}
estimator.fit(feature_transform.fit_transform(x_train), y_train)
value = holdout_objective(estimator, feature_transform.transform(x_holdout), y_holdout)
results.append(
    {{
        "candidate": {quote(entry.name)},
        "algorithm": {quote(spec.algorithm)},
        "preprocessing": {quote(spec.preprocessing)},
        OBJECTIVE: value,
        "reported by the job": {job_value},
    }}
)
print(f"{{OBJECTIVE}} on the holdout: {{value:.6g}}")
"""),
    ]
