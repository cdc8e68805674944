"""The SKLearn estimator's entry point: trains a decision tree on the ``train`` channel's
CSV (label first) when run as a script, and serves it (``model_fn``) on an endpoint."""

from __future__ import annotations

import argparse
import glob
import os

import joblib
import numpy as np
from sklearn.tree import DecisionTreeClassifier


def model_fn(model_dir: str) -> DecisionTreeClassifier:
    """The trained model, as the endpoint's model server loads it."""
    return joblib.load(os.path.join(model_dir, "model.joblib"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-depth", type=int, default=3)
    parser.add_argument("--model-dir", default=os.environ.get("SM_MODEL_DIR"))
    parser.add_argument("--train", default=os.environ.get("SM_CHANNEL_TRAIN"))
    args = parser.parse_args()
    rows = np.vstack(
        [np.loadtxt(f, delimiter=",", ndmin=2) for f in glob.glob(f"{args.train}/*.csv")]
    )
    model = DecisionTreeClassifier(max_depth=args.max_depth, random_state=0)
    model.fit(rows[:, 1:], rows[:, 0])
    print(f"train rows={len(rows)} accuracy={model.score(rows[:, 1:], rows[:, 0]):.3f}")
    joblib.dump(model, os.path.join(args.model_dir, "model.joblib"))


if __name__ == "__main__":
    main()
