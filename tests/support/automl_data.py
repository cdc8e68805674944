"""Tables for AutoML tests and examples: a customer table with numeric, categorical and
missing values, an identifier and a constant column, and a target that depends on them.

:func:`write_table` writes one as a CSV with a header row. The target is a function of the
features plus noise, so candidates learn something and score differently:

- ``binary``: ``churned`` (``yes``/``no``);
- ``multiclass``: ``segment`` (``bronze``/``silver``/``gold``);
- ``regression``: ``spend`` (a float with many distinct values).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: the target column of each problem
TARGETS = {"binary": "churned", "multiclass": "segment", "regression": "spend"}
#: the feature columns, in the table's order
FEATURES = ("customer_id", "age", "income", "tenure", "plan", "region", "has_card", "source")


def make_table(rows: int = 600, seed: int = 0, problem: str = "binary") -> pd.DataFrame:
    """The table of :func:`write_table` as a DataFrame (before any CSV round trip).

    Args:
        rows: How many rows.
        seed: The random seed (the same seed gives the same table).
        problem: ``binary``, ``multiclass`` or ``regression``: which target column.

    Returns:
        ``customer_id`` (a row number), ``age``, ``income`` (numbers with missing values),
        ``tenure`` (whole numbers), ``plan`` (text with missing values), ``region``,
        ``has_card`` (``yes``/``no``), ``source`` (constant) and the target.
    """
    if problem not in TARGETS:
        raise ValueError(f"problem is one of {', '.join(TARGETS)}, not {problem!r}")
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 80, rows).astype(float)
    income = np.round(rng.lognormal(10.5, 0.5, rows), 2)
    tenure = rng.integers(0, 120, rows)
    plan = rng.choice(["basic", "plus", "premium"], rows, p=[0.5, 0.3, 0.2]).astype(object)
    region = rng.choice(["north", "south", "east", "west"], rows)
    has_card = rng.choice(["yes", "no"], rows, p=[0.6, 0.4])
    plan_score = pd.Series(plan).map({"basic": -1.0, "plus": 0.3, "premium": 1.2}).to_numpy()
    signal = (
        0.04 * (age - 45)
        + 0.8 * (np.log(income) - 10.5)
        - 0.02 * (tenure - 60)
        + plan_score
        + np.where(region == "south", 0.7, 0.0)
        + np.where(has_card == "yes", -0.5, 0.3)
        + rng.normal(0.0, 0.7, rows)
    )
    # missing values, drawn after the target's signal so they hide real information
    age[rng.random(rows) < 0.08] = np.nan
    income[rng.random(rows) < 0.05] = np.nan
    plan[rng.random(rows) < 0.1] = None
    frame = pd.DataFrame(
        {
            "customer_id": np.arange(1, rows + 1),
            "age": age,
            "income": income,
            "tenure": tenure,
            "plan": plan,
            "region": region,
            "has_card": has_card,
            "source": "web",
        }
    )
    if problem == "binary":
        target: np.ndarray = np.where(signal > 0.3, "yes", "no")
    elif problem == "multiclass":
        target = np.select([signal < -0.6, signal < 0.8], ["bronze", "silver"], "gold")
    else:
        target = np.round(100.0 + 25.0 * signal + rng.normal(0.0, 5.0, rows), 3)
    frame[TARGETS[problem]] = target
    return frame


def write_table(path: Path | str, rows: int = 600, seed: int = 0, problem: str = "binary") -> Path:
    """Write :func:`make_table`'s table as a CSV with a header row.

    Args:
        path: The CSV file to write (its folder is created).
        rows: How many rows.
        seed: The random seed.
        problem: ``binary``, ``multiclass`` or ``regression``.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    make_table(rows, seed, problem).to_csv(out, index=False)
    return out
