"""Script-mode training and serving for the SKLearn estimator (examples/sagemaker_sdk.ipynb).

SageMaker's scikit-learn container runs this file as ``python train.py --max_leaf_nodes N``
with the channels and the model folder in ``SM_*`` variables; the studio's script-mode
image honours the same contract. Serving imports it and calls ``model_fn``.
"""

import argparse
import glob
import os

import joblib
import numpy as np
from sklearn.tree import DecisionTreeClassifier


def model_fn(model_dir):
    """Load the model that training saved (the serving container calls this)."""
    return joblib.load(os.path.join(model_dir, "model.joblib"))


def read_rows(folder):
    """Every CSV of a channel, stacked: the label first, then the features."""
    files = sorted(glob.glob(os.path.join(folder, "*.csv")))
    if not files:
        raise ValueError(f"no CSV files in {folder}: the train channel is empty")
    return np.vstack([np.loadtxt(path, delimiter=",", ndmin=2) for path in files])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--max_leaf_nodes", type=int, default=None)
    parser.add_argument("--model-dir", default=os.environ.get("SM_MODEL_DIR"))
    parser.add_argument("--train", default=os.environ.get("SM_CHANNEL_TRAIN"))
    args = parser.parse_args()

    rows = read_rows(args.train)
    labels, features = rows[:, 0].astype(int), rows[:, 1:]
    model = DecisionTreeClassifier(max_leaf_nodes=args.max_leaf_nodes, random_state=0)
    model.fit(features, labels)
    print(f"train_accuracy={model.score(features, labels):.4f}")
    joblib.dump(model, os.path.join(args.model_dir, "model.joblib"))
