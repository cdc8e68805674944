"""Script mode for the v3 SDK tests: trains a scikit-learn LogisticRegression on the
``train`` channel (CSV, label first) and serves it (``model_fn``; the model server's
default CSV handlers do the rest)."""

from __future__ import annotations

import argparse
import os
import pickle
import sys

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression


def model_fn(model_dir: str) -> LogisticRegression:
    """Load the model the training run saved.

    Args:
        model_dir: The unpacked model folder.

    Returns:
        The fitted model.
    """
    with open(os.path.join(model_dir, "model.pkl"), "rb") as saved:
        return pickle.load(saved)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--max_iter", type=int, default=100)
    args = parser.parse_args()
    train = os.environ["SM_CHANNEL_TRAIN"]
    rows = np.vstack(
        [
            np.loadtxt(os.path.join(train, name), delimiter=",", ndmin=2)
            for name in sorted(os.listdir(train))
        ]
    )
    model = LogisticRegression(max_iter=args.max_iter).fit(rows[:, 1:], rows[:, 0])
    print(f"python={sys.executable} sklearn={sklearn.__version__}", flush=True)
    print(f"rows={len(rows)} max_iter={args.max_iter}", flush=True)
    print(f"accuracy={model.score(rows[:, 1:], rows[:, 0]):.2f}", flush=True)
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.pkl"), "wb") as out:
        pickle.dump(model, out)
